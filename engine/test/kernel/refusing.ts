// A kernel build that refuses named helpers, kfuncs or instruction forms, simulated on top of
// the real oracle: a request whose program uses one of them is answered with the refusal that
// build would give, in its words, without reaching the kernel; the rest go through. This is how
// the differential tests prove, on a machine whose kernel accepts everything, that they cope
// with one that does not. BPFP_KERNEL_REFUSE=name,name… applies it to every kernel test
// (kernelOracle); tests also wrap an oracle themselves.

import { decodeProgram } from '../../isa/index.ts';
import { helperName } from '../../kernel/helpers/ids.ts';
import { kfuncByName } from '../../kernel/kfuncs/ids.ts';
import { vmlinuxFuncs } from '../cpumask/vmlinux-btf.ts';
import { insnFormName } from './insn-features.ts';
import type { KernelOracle, KernelRequest, KernelResult } from './oracle.ts';

/** The environment variable naming what the simulated build refuses (comma-separated). */
export const REFUSE_ENV = 'BPFP_KERNEL_REFUSE';

const EINVAL = 22;
const EACCES = 13;

interface Refusal {
  readonly message: string;
  readonly errno: number;
}

export interface RefusingOptions {
  /** The running kernel's BTF id of a kfunc (default: read from /sys/kernel/btf/vmlinux). */
  readonly kfuncId?: (name: string) => number | undefined;
  /** Wording per name, where a build words the refusal its own way. */
  readonly messages?: ReadonlyMap<string, string>;
}

/** The names in BPFP_KERNEL_REFUSE, or none. */
export function refusedByEnvironment(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[REFUSE_ENV] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * `inner`, except that programs using any of `names` (a helper such as bpf_xdp_adjust_meta, a
 * kfunc such as bpf_cpumask_weight, an instruction form such as sdiv64 — insn-features.ts) are
 * refused at load as a build without them refuses them: `program of this type cannot use
 * helper NAME#ID` (verifier.c check_helper_call), `calling kernel function NAME is not allowed`
 * (check_kfunc_call), or for a form, a message naming it.
 */
export function refusingOracle(inner: KernelOracle, names: readonly string[], options: RefusingOptions = {}): KernelOracle {
  const refused = new Set(names);
  const custom = options.messages ?? new Map<string, string>();
  let kfuncIds: Map<number, string> | undefined;
  const kfuncsById = (): Map<number, string> => {
    if (kfuncIds) return kfuncIds;
    let idOf = options.kfuncId;
    if (!idOf) {
      const funcs = vmlinuxFuncs();
      idOf = 'unavailable' in funcs ? () => undefined : funcs.funcId;
    }
    kfuncIds = new Map();
    for (const name of refused) {
      const id = kfuncByName(name) ? idOf(name) : undefined;
      if (id !== undefined) kfuncIds.set(id, name);
    }
    return kfuncIds;
  };

  const refusalOf = (req: KernelRequest): Refusal | undefined => {
    for (const insn of decodeProgram(req.prog, 4).insns) {
      if (!insn) continue;
      if (insn.kind === 'call' && insn.target === 'helper') {
        const name = helperName(insn.imm);
        if (name !== undefined && refused.has(name)) return { message: custom.get(name) ?? `program of this type cannot use helper ${name}#${insn.imm}`, errno: EINVAL };
      } else if (insn.kind === 'call' && insn.target === 'kfunc') {
        const name = kfuncsById().get(insn.imm);
        if (name !== undefined) return { message: custom.get(name) ?? `calling kernel function ${name} is not allowed`, errno: EACCES };
      } else {
        const form = insnFormName(insn);
        if (form !== undefined && refused.has(form)) return { message: custom.get(form) ?? `${form} is not supported by this kernel build (simulated by ${REFUSE_ENV})`, errno: EINVAL };
      }
    }
    return undefined;
  };

  const answer = (req: KernelRequest): KernelResult | undefined => {
    const r = refusalOf(req);
    if (!r) return undefined;
    const log = `${r.message}\nprocessed 0 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n`;
    return { ok: false, stage: 'load', errno: r.errno, error: r.errno === EACCES ? 'Permission denied' : 'Invalid argument', log };
  };

  return {
    kernel: `${inner.kernel} (refusing ${[...refused].join(', ')}: simulated)`,
    run: (req) => {
      const refusal = answer(req);
      return refusal ? Promise.resolve(refusal) : inner.run(req);
    },
    runBatch: async (reqs) => {
      const refusals = reqs.map(answer);
      const passed = await inner.runBatch(reqs.filter((_, i) => refusals[i] === undefined));
      let next = 0;
      return refusals.map((r) => r ?? (passed[next++] as KernelResult));
    },
    close: () => inner.close(),
  };
}

