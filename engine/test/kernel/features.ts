// What the running kernel accepts, asked once per feature and per process: a differential test
// names the features each program needs (a helper, a kfunc, an instruction form, a program
// type), one tiny program per feature is loaded up front, and programs that need a feature this
// kernel build refuses are left out and reported in the kernel's own words instead of failing
// the comparison. Kernel builds differ (configuration, backports, JITs); upstream source stays
// the authority for the playground's behaviour, so what is left out is never "fixed" here.

import { decodeProgram } from '../../isa/index.ts';
import { helperName } from '../../kernel/helpers/ids.ts';
import type { KernelOracle, KernelRequest, KernelResult } from './oracle.ts';

export interface Feature {
  /** What the report calls it: a helper or kfunc name, an instruction form, a program type. */
  readonly name: string;
  /**
   * A tiny program that needs this feature and nothing the rest of the test does not: the
   * kernel accepting and running it means the feature is there. Or the reason it cannot even
   * be asked (a kfunc missing from the kernel's BTF, as libbpf would report it).
   */
  readonly probe: KernelRequest | { readonly unavailable: string };
}

export type Availability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** BPF_F_SLEEPABLE (include/uapi/linux/bpf.h: 1U << 4): syscall programs must be sleepable. */
export const BPF_F_SLEEPABLE = 1 << 4;

/** SYSCALL programs themselves (BPF_PROG_TYPE_SYSCALL, Linux 5.14): `r0 = 0; exit`. */
export const SYSCALL_PROGRAMS: Feature = {
  name: 'SYSCALL programs',
  probe: { type: 'syscall', progFlags: BPF_F_SLEEPABLE, prog: new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]) },
};

/** Lines of a verifier log that are not the reason for a refusal (statistics, the walk itself). */
const NOT_A_REASON = [/^processed \d+ insns/, /^verification time/, /^stack depth/, /^\d+: /, /^; /, /^from \d+ to \d+/, /^\s*$/];

/** The kernel's own words for a failed request: the verifier's last message, or the errno text. */
export function refusalReason(answer: Extract<KernelResult, { ok: false }>): string {
  if (answer.stage === 'run') return `BPF_PROG_TEST_RUN failed: ${answer.error}`;
  if (answer.stage === 'setup') return answer.error;
  const lines = answer.log.split('\n').filter((l) => !NOT_A_REASON.some((re) => re.test(l)));
  return lines.at(-1)?.trim() || answer.error;
}

const probes = new WeakMap<KernelOracle, Map<string, Promise<Availability>>>();

function keyOf(f: Feature): string {
  const p = f.probe;
  return 'unavailable' in p ? `${f.name}\0-` : `${f.name}\0${p.type ?? 'xdp'}\0${p.progFlags ?? 0}`;
}

/** Whether this kernel accepts `feature`; each feature is loaded once per oracle. */
export function probe(oracle: KernelOracle, feature: Feature): Promise<Availability> {
  let known = probes.get(oracle);
  if (!known) {
    known = new Map();
    probes.set(oracle, known);
  }
  const key = keyOf(feature);
  let answer = known.get(key);
  if (!answer) {
    const p = feature.probe;
    answer =
      'unavailable' in p
        ? Promise.resolve({ ok: false, reason: p.unavailable })
        : oracle.run(p).then((r): Availability => {
            if (r.ok) return { ok: true };
            // A probe the helper cannot even parse is a bug of the test, not of the kernel.
            if (r.stage === 'request') throw new Error(`the probe for ${feature.name} is malformed: ${r.error}`);
            return { ok: false, reason: refusalReason(r) };
          });
    known.set(key, answer);
  }
  return answer;
}

/** The first of `needs` (in order) the kernel refuses, with why; undefined when it accepts them all. */
export async function firstRefused(oracle: KernelOracle, needs: readonly Feature[]): Promise<{ feature: Feature; reason: string } | undefined> {
  const answers = await Promise.all(needs.map((f) => probe(oracle, f)));
  for (const [i, a] of answers.entries()) {
    const feature = needs[i];
    if (feature && !a.ok) return { feature, reason: a.reason };
  }
  return undefined;
}

/** Programs a differential test left out, by the feature that kept each out. */
export class LeftOut {
  private readonly byFeature = new Map<string, { reason: string; programs: number }>();

  /** One program left out because the kernel refuses `feature`. */
  add(feature: string, reason: string): void {
    const entry = this.byFeature.get(feature);
    if (entry) entry.programs++;
    else this.byFeature.set(feature, { reason, programs: 1 });
  }

  /** The features that kept programs out. */
  names(): string[] {
    return [...this.byFeature.keys()];
  }

  get total(): number {
    let n = 0;
    for (const e of this.byFeature.values()) n += e.programs;
    return n;
  }

  /** One line per feature, e.g. `left out: 37 programs using bpf_xdp_adjust_meta — this kernel refuses it: "…"`. */
  lines(): string[] {
    return [...this.byFeature].map(([name, e]) => `left out: ${e.programs} program${e.programs === 1 ? '' : 's'} using ${name} — this kernel refuses it: ${JSON.stringify(e.reason)}`);
  }
}

/** Helper names and kfunc BTF ids (as the bytecode carries them) of a program's calls, in order, once each. */
export function callsOf(prog: Uint8Array): { helpers: string[]; kfuncIds: number[] } {
  const helpers: string[] = [];
  const kfuncIds: number[] = [];
  for (const insn of decodeProgram(prog, 4).insns) {
    if (insn?.kind !== 'call') continue;
    if (insn.target === 'helper') {
      const name = helperName(insn.imm) ?? `helper #${insn.imm}`;
      if (!helpers.includes(name)) helpers.push(name);
    } else if (insn.target === 'kfunc' && !kfuncIds.includes(insn.imm)) kfuncIds.push(insn.imm);
  }
  return { helpers, kfuncIds };
}

/** One known wording of a kernel message: a pattern, and where in upstream Linux it comes from. */
export interface Wording {
  readonly pattern: RegExp;
  readonly source: string;
}

/**
 * The wordings upstream kernels use when the verifier refuses a kfunc call
 * (kernel/bpf/verifier.c). Which one a build prints depends on its configuration.
 */
export const KFUNC_REFUSALS: readonly Wording[] = [
  // The kfunc set is not registered for this program type (or a filter refuses it).
  { pattern: /^calling kernel function \w+ is not allowed$/, source: 'verifier.c check_kfunc_call, from the first kfunc calls (5.13) to 6.18' },
  // Builds without the means to call kernel functions (add_kfunc_call).
  { pattern: /^calling kernel function is not supported without CONFIG_DEBUG_INFO_BTF$/, source: 'verifier.c add_kfunc_call, a build without BTF' },
  { pattern: /^JIT is required for calling kernel function$/, source: 'verifier.c add_kfunc_call, the JIT off' },
  { pattern: /^JIT does not support calling kernel function$/, source: 'verifier.c add_kfunc_call, a JIT without kfunc calls' },
  { pattern: /^cannot call kernel function from non-GPL compatible program$/, source: 'verifier.c add_kfunc_call' },
  { pattern: /^kernel btf_id \d+ is not a function$/, source: 'verifier.c add_kfunc_call' },
  { pattern: /^program must be sleepable to call sleepable kfunc \w+$/, source: 'verifier.c check_kfunc_call' },
];

/** The wordings upstream kernels use when a program type may not call a helper (check_helper_call). */
export const HELPER_REFUSALS: readonly Wording[] = [
  { pattern: /^program of this type cannot use helper \w+#\d+$/, source: 'verifier.c check_helper_call (6.18)' },
  { pattern: /^unknown func \w+#\d+$/, source: 'verifier.c check_helper_call, older kernels' },
  { pattern: /^invalid func \w+#\d+$/, source: 'verifier.c check_helper_call, an id past __BPF_FUNC_MAX_ID' },
];

export type WordingVerdict = { readonly ok: true; readonly note?: string } | { readonly ok: false; readonly failure: string };

/**
 * Compares our refusal message with the kernel's where the wording depends on the kernel build:
 * ours must be one of the known upstream wordings; the kernel's may be any, and a different or
 * new one is a note to print, not a failure.
 */
export function compareWording(what: string, ours: string, kernel: string, known: readonly Wording[]): WordingVerdict {
  const oursKnown = known.find((w) => w.pattern.test(ours));
  if (!oursKnown) return { ok: false, failure: `${what}: our message ${JSON.stringify(ours)} is none of the wordings known from upstream Linux (${known.map((w) => w.pattern.source).join(' | ')})` };
  if (kernel === ours) return { ok: true };
  const kernelKnown = known.find((w) => w.pattern.test(kernel));
  if (kernelKnown) return { ok: true, note: `note: ${what}: this kernel says ${JSON.stringify(kernel)} (${kernelKnown.source}); the playground says ${JSON.stringify(ours)} (${oursKnown.source})` };
  return { ok: true, note: `note: ${what}: this kernel says ${JSON.stringify(kernel)}, a wording not known from upstream Linux; the playground says ${JSON.stringify(ours)} (${oursKnown.source})` };
}
