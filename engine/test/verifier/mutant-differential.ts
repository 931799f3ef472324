// The verifier differential on mutants: programs of public/examples/ and of the verifier corpus,
// mutated as a compiler bug or a careless edit would (a NULL check or a release dropped, an
// access or a jump moved, a bounds check off by one or removed, a register swapped, an
// instruction replaced or deleted: corpus-mutants.ts), each loaded into the running kernel and
// given to our verifier, verdicts and messages compared as for the corpus (differential.ts).
//
// A program's kernel copy differs from ours in a few fields — kfunc calls carry the running
// kernel's BTF ids, STRUCT.FIELD offsets are the running kernel's — so a mutation is made once,
// on our instructions, and carried to the kernel's copy instruction by instruction through the
// mutant's origins: what differs between the two copies of the original instruction is carried
// over as a difference, so an access moved by 8 is moved by 8 in both.
//
// Everything is a function of the seed: mutant i is made from Rng(seed + i), and VMUT_SHOW=i
// prints it (source, mutations, listing, both answers).

import { readFileSync } from 'node:fs';
import { assemble } from '../../asm/index.ts';
import { decodeProgram, encodeProgram, type Insn } from '../../isa/index.ts';
import type { KernelProfile } from '../../kernel/profiles.ts';
import { LeftOut } from '../kernel/features.ts';
import type { KernelOracle } from '../kernel/oracle.ts';
import { Rng } from '../kernel/rng.ts';
import type { CorpusEntry } from './corpus-entry.ts';
import { bytesOf, listing, mutate, type Mutant } from './corpus-mutants.ts';
import { judge, preparedFor, summarize, verifyRequestOf, withCause, type BuildFacts, type DifferentialReport, type EntryOutcome, type VerifyFn } from './differential.ts';
import { withProgram, type PreparedLoad } from './kernel-load.ts';

const EXAMPLES = new URL('../../../public/examples/', import.meta.url);

/** Each section of each example of public/examples/ as a program to mutate, with its profile ("both": the running kernel's). */
export function exampleSources(): CorpusEntry[] {
  const index = JSON.parse(readFileSync(new URL('index.json', EXAMPLES), 'utf8')) as { id: string; file: string; profile?: string }[];
  const out: CorpusEntry[] = [];
  for (const e of index) {
    const source = readFileSync(new URL(e.file, EXAMPLES), 'utf8');
    const profile = e.profile === 'linux-6.3' ? 'linux-6.3' : 'linux-6.18';
    for (const s of assemble(source).sections) {
      if (s.insns.length) out.push({ name: `example ${e.id} [${s.name}]`, source, section: s.name, profile });
    }
  }
  return out;
}

/** A source made ready: the kernel's request, our instructions and the kernel's, aligned. */
interface Ready {
  readonly source: CorpusEntry;
  readonly prepared: PreparedLoad;
  readonly ours: readonly Insn[];
  readonly kernel: readonly Insn[];
}

function present(insns: readonly (Insn | null)[]): Insn[] {
  return insns.filter((i): i is Insn => i !== null);
}

type NumField = 'off' | 'imm' | 'imm2';

/** `insn` (made from ours[o]) with what the kernel's copy of that instruction differs in. */
function carry(insn: Insn, ours: Insn, kernel: Insn): Insn {
  if (insn.kind !== ours.kind || ours.kind !== kernel.kind) return insn;
  const out: Record<string, unknown> = { ...insn };
  const a = ours as unknown as Record<string, unknown>;
  const b = kernel as unknown as Record<string, unknown>;
  for (const f of ['off', 'imm', 'imm2'] satisfies NumField[]) {
    const x = a[f];
    const y = b[f];
    const v = out[f];
    if (typeof x === 'number' && typeof y === 'number' && typeof v === 'number' && x !== y) out[f] = (v + (y - x)) | 0;
  }
  const sa = a['src'];
  const sb = b['src'];
  const sv = out['src'];
  if (isImmSrc(sa) && isImmSrc(sb) && isImmSrc(sv) && sa.imm !== sb.imm) out['src'] = { type: 'imm', imm: (sv.imm + (sb.imm - sa.imm)) | 0 };
  return out as unknown as Insn;
}

function isImmSrc(v: unknown): v is { type: 'imm'; imm: number } {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'imm' && typeof (v as { imm?: unknown }).imm === 'number';
}

/**
 * Whether the mutant changed an access to a kernel struct field — an instruction whose offset
 * or immediate differs between our copy and the kernel's (STRUCT.FIELD), moved or given another
 * register:
 * the playground's stand-in structs lay their fields out otherwise than this kernel's.
 */
export function layoutTouched(m: Mutant, ours: readonly Insn[], kernel: readonly Insn[]): boolean {
  return m.insns.some((insn, k) => {
    const o = m.origins[k] ?? -1;
    const a = ours[o];
    const b = kernel[o];
    // The two copies differ only where a STRUCT.FIELD offset was resolved (a load's, a store's
    // or an ALU immediate's) or a kfunc id was patched (not a layout).
    if (o < 0 || !a || !b || a.kind === 'call' || JSON.stringify(a) === JSON.stringify(b)) return false;
    return JSON.stringify(insn) !== JSON.stringify(a);
  });
}

/** The kernel's copy of a mutant. */
export function kernelMutant(m: Mutant, ours: readonly Insn[], kernel: readonly Insn[]): Insn[] {
  return m.insns.map((insn, k) => {
    const o = m.origins[k] ?? -1;
    const a = ours[o];
    const b = kernel[o];
    return o < 0 || !a || !b ? insn : carry(insn, a, b);
  });
}

export interface MutantOptions {
  readonly verify?: VerifyFn;
  /** The running kernel's profile; sources of another profile are left out. */
  readonly kernelProfile?: KernelProfile;
  readonly env?: NodeJS.ProcessEnv;
  readonly count: number;
  readonly seed: number;
  readonly facts?: BuildFacts;
  /** The share of mutants made from the examples (the rest from the corpus). */
  readonly exampleShare?: number;
}

export interface MutantReport extends DifferentialReport {
  /** Sources mutated, by pool. */
  readonly sources: { readonly examples: number; readonly corpus: number };
  /** Mutants equal to an earlier one (not counted twice). */
  readonly duplicates: number;
  /** Each compared mutant's source, mutations and listing, by name. */
  readonly details: ReadonlyMap<string, string>;
}

/** Mutant `i` of `pools`: its source and the mutant. */
export function mutantOf(i: number, pools: { examples: readonly Ready[]; corpus: readonly Ready[] }, seed: number, exampleShare: number): { ready: Ready; mutant: Mutant } | undefined {
  const rng = new Rng(seed + i);
  const useExamples = pools.examples.length > 0 && (pools.corpus.length === 0 || rng.chance(exampleShare));
  const pool = useExamples ? pools.examples : pools.corpus;
  if (!pool.length) return undefined;
  const ready = rng.pick([...pool]);
  return { ready, mutant: mutate(ready.ours, rng, ready.source.profile ?? 'linux-6.18') };
}

/**
 * Makes `count` mutants of `examples` and `corpus` sources and compares the kernel's verdict and
 * message on each with ours. Sources this kernel cannot be asked about are left out (once each,
 * with the reason), as in the corpus differential.
 */
export async function runMutantDifferential(examples: readonly CorpusEntry[], corpus: readonly CorpusEntry[], oracle: KernelOracle, options: MutantOptions): Promise<MutantReport> {
  const leftOut = new LeftOut();
  const notes: string[] = [];
  const comparedProfile: KernelProfile = options.kernelProfile ?? 'linux-6.18';
  if (options.kernelProfile === undefined) notes.push(`note: kernel ${oracle.kernel} is neither profile; linux-6.18 sources are mutated, linux-6.3 ones left out`);
  const probes = new Map<string, Promise<string | undefined>>();

  const readyOf = async (source: CorpusEntry): Promise<Ready | undefined> => {
    const ready = await preparedFor(source, oracle, comparedProfile, leftOut, probes, options.env);
    if (!ready) return undefined;
    const { prepared } = ready;
    const ours = present(prepared.section.insns);
    const kernel = present(decodeProgram(prepared.request.prog).insns);
    if (ours.length !== kernel.length || ours.some((x, k) => x.kind !== kernel[k]?.kind)) throw new Error(`${source.name}: the kernel's copy of the program is not laid out as ours`);
    return { source, prepared, ours, kernel };
  };
  const readyAll = async (list: readonly CorpusEntry[]) => (await Promise.all(list.map(readyOf))).filter((r): r is Ready => r !== undefined);
  const pools = { examples: await readyAll(examples), corpus: await readyAll(corpus) };
  const share = options.exampleShare ?? 0.5;

  const seen = new Set<string>();
  let duplicates = 0;
  const details = new Map<string, string>();
  const jobs: Promise<EntryOutcome | undefined>[] = [];
  for (let i = 0; i < options.count; i++) {
    const made = mutantOf(i, pools, options.seed, share);
    if (!made) break;
    const { ready, mutant } = made;
    const kernelBytes = encodeProgram(kernelMutant(mutant, ready.ours, ready.kernel));
    const key = `${ready.source.name}\n${Buffer.from(kernelBytes).toString('base64')}`;
    if (seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    const ourBytes = bytesOf(mutant.insns);
    const name = `mutant ${i} of ${ready.source.name} (${mutant.mutations.join('; ')})`;
    details.set(name, `${name}\n${listing(mutant.insns)}`);
    const req = verifyRequestOf(ready.prepared, decodeProgram(ourBytes).insns, ready.source.profile ?? 'linux-6.18');
    const touched = layoutTouched(mutant, ready.ours, ready.kernel);
    jobs.push(
      judge(oracle, name, withProgram(ready.prepared, kernelBytes), req, options.verify).then((j) => {
        if (!('leftOut' in j)) return withCause(j, options.facts ?? {}, touched);
        leftOut.add('objects the kernel would not create', j.leftOut);
        return undefined;
      }),
    );
  }
  const outcomes = (await Promise.all(jobs)).filter((o): o is EntryOutcome => o !== undefined);
  return { ...summarize(outcomes, leftOut, notes), sources: { examples: pools.examples.length, corpus: pools.corpus.length }, duplicates, details };
}
