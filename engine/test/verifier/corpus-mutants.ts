// Mutants of the verifier corpus, for the soundness test (corpus-soundness.test.ts): the corpus
// entries our verifier accepts, assembled into load requests; seeded mutations of an entry's
// instructions aimed at the verifier's rules (a NULL check or a release dropped, a memory access
// or a jump moved, a bounds check loosened by one, a register swapped, an instruction replaced or
// deleted); and random inputs to run them on — packets, contexts and map contents.
//
// Everything is a function of a seed, so a mutant reported by index replays exactly.

import { assemble, dialectByName } from '../../asm/index.ts';
import { decodeProgram, encodeProgram, type Insn, type JmpCond } from '../../isa/index.ts';
import { helperDeclById } from '../../kernel/helpers/registry.ts';
import { kfuncDecl } from '../../kernel/kfuncs/ids.ts';
import { KFUNC_IMPLS } from '../../kernel/kfuncs/registry.ts';
import { metadataKfuncsCalled, type ProgramSource } from '../../kernel/loader.ts';
import type { KernelProfile } from '../../kernel/profiles.ts';
import type { MapDecl, SectionKind } from '../../program/program.ts';
import { DEFAULT_MAX_INSNS } from '../../vm/index.ts';
import type { PipelineRequest } from '../../load/load.ts';
import { Rng } from '../kernel/rng.ts';
import { randomInputs as randomRunInputs, type RunInputs } from '../../explain/inputs.ts';
import type { CorpusEntry } from './corpus-entry.ts';

/** Simulated CPUs (per-CPU maps hold one value for each). */
export const CPUS = 2;

// ---------------------------------------------------------------------------------------------
// Entries

/** A corpus entry assembled: its entry program as instructions and the request to load it. */
export interface Prepared {
  readonly entry: CorpusEntry;
  readonly profile: KernelProfile;
  readonly kind: SectionKind;
  /** The entry section's instructions, one element per instruction (an ldimm64 is one element, two slots). */
  readonly insns: readonly Insn[];
  readonly maps: readonly MapDecl[];
  /** The load request without the program's bytes and without inputs (see requestFor). */
  readonly base: Omit<PipelineRequest, 'sections' | 'inputs' | 'mapContents' | 'seed'>;
  /** The other sections of the file, as assembled (a tail call may enter them). */
  readonly others: readonly ProgramSource[];
}

/** An entry assembled, or why it cannot be used (it does not assemble: a corpus problem, not ours). */
export function prepare(entry: CorpusEntry): Prepared | { readonly skipped: string } {
  const asm = assemble(entry.source, { isa: 4 });
  if (!asm.ok) return { skipped: `does not assemble: ${asm.diagnostics.find((d) => d.severity === 'error')?.message ?? '?'}` };
  const sections = asm.sections.filter((s) => s.insns.length > 0);
  const section = entry.section !== undefined ? sections.find((s) => s.name === entry.section) : sections[0];
  if (!section) return { skipped: `no section ${entry.section ?? ''}` };
  const profile = entry.profile ?? 'linux-6.18';
  return {
    entry,
    profile,
    kind: section.kind,
    insns: section.insns.filter((i): i is Insn => i !== null),
    maps: asm.maps,
    base: {
      entry: section.name,
      maps: asm.maps,
      ...(asm.license === undefined ? {} : { license: asm.license }),
      profile,
      cpus: CPUS,
      isa: 4,
      maxInsns: DEFAULT_MAX_INSNS,
    },
    others: sections.filter((s) => s !== section).map((s) => ({ name: s.name, kind: s.kind, bytes: s.bytes })),
  };
}

/** The full load request for `insns` as the entry program, with run inputs. */
export function requestFor(p: Prepared, bytes: Uint8Array, run?: RunInputs): PipelineRequest {
  return {
    ...p.base,
    sections: [{ name: p.base.entry, kind: p.kind, bytes }, ...p.others],
    ...(run ? { inputs: run.inputs, mapContents: run.mapContents, seed: run.seed } : {}),
  };
}

/**
 * Why an accepted entry cannot be run by the simulated kernel here, whatever its mutants do —
 * a program type without a context under test_run, a device-bound program (test_run refuses
 * them), a helper or kfunc the simulator does not implement — or undefined when it can.
 */
export function unrunnable(p: Prepared): string | undefined {
  const t = p.kind.progType;
  if (t === 'tp_btf' && p.kind.attachTo !== 'task_newtask' && p.kind.attachTo !== 'cgroup_mkdir') return `tp_btf/${p.kind.attachTo ?? ''}: the simulated kernel has no such tracepoint`;
  const bound = metadataKfuncsCalled(p.insns);
  if (bound.length) return `device-bound (calls ${bound.join(', ')}): BPF_PROG_TEST_RUN refuses it`;
  for (const insn of p.insns) {
    if (insn.kind !== 'call') continue;
    if (insn.target === 'helper' && helperDeclById(insn.imm)?.unimplemented) return `calls ${helperDeclById(insn.imm)?.name ?? insn.imm}, which the simulated kernel does not implement`;
    if (insn.target === 'kfunc') {
      const d = kfuncDecl(insn.imm);
      if (d && KFUNC_IMPLS[d.name] === undefined) return `calls kfunc ${d.name}, which the simulated kernel does not implement`;
    }
  }
  return undefined;
}

/** A run's fault that means "the simulator stops here", not "the program is unsafe". */
export function simulatorLimit(message: string): boolean {
  return /not available in the simulated kernel yet|not implemented in the simulated kernel yet|not part of the simulated kernel/.test(message);
}

// ---------------------------------------------------------------------------------------------
// Mutations

export const MUTATION_KINDS = ['null-check', 'release', 'mem-offset', 'jump-offset', 'bounds', 'imm', 'register', 'replace', 'delete'] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

/** How often each kind is tried (a kind with nothing to mutate in the program falls to another). */
const WEIGHTS: Readonly<Record<MutationKind, number>> = {
  'null-check': 14,
  release: 10,
  'mem-offset': 16,
  'jump-offset': 10,
  bounds: 16,
  imm: 8,
  register: 10,
  replace: 8,
  delete: 8,
};

/** Helpers that give back a reference (or a ring buffer record) the program holds. */
const RELEASE_HELPERS = new Set(['bpf_ringbuf_submit', 'bpf_ringbuf_discard', 'bpf_sk_release', 'bpf_ringbuf_submit_dynptr', 'bpf_ringbuf_discard_dynptr']);

/** `<` and `<=` (and the other orders) swapped: a bounds check off by one. */
const LOOSER: Partial<Record<JmpCond, JmpCond>> = { jlt: 'jle', jle: 'jlt', jgt: 'jge', jge: 'jgt', jslt: 'jsle', jsle: 'jslt', jsgt: 'jsge', jsge: 'jsgt' };

const S16_MIN = -0x8000;
const S16_MAX = 0x7fff;
const fitsS16 = (n: number) => n >= S16_MIN && n <= S16_MAX;

export interface Mutant {
  readonly insns: readonly Insn[];
  /**
   * For each instruction of the mutant, the index in the original program of the instruction it
   * was made from (itself, an edited copy, or the copy a 'replace' took); -1 for one made anew
   * (a `goto +0` or `r0 = 0` standing in for what was removed). The kernel's copy of a program
   * differs from ours in a few fields (kfunc ids, field offsets): this says where to carry them.
   */
  readonly origins: readonly number[];
  /** What was done, one line per mutation, with the slot (pc) at the time and the instruction's text before and after. */
  readonly mutations: readonly string[];
  readonly kinds: readonly MutationKind[];
}

const LLVM = dialectByName('llvm');
function text(insn: Insn | undefined, pc: number): string {
  return insn ? LLVM.format(insn, { pc }) : '(none)';
}

/** The slot of each instruction, and the total. */
function slotsOf(insns: readonly Insn[]): { at: number[]; total: number } {
  const at: number[] = [];
  let s = 0;
  for (const i of insns) {
    at.push(s);
    s += i.kind === 'ldimm64' ? 2 : 1;
  }
  return { at, total: s };
}

/** The slot-relative offset of a jump, a local call or a function pointer (target = pc + 1 + off). */
function relative(insn: Insn): number | undefined {
  if (insn.kind === 'ja' || insn.kind === 'jcond' || insn.kind === 'may_goto') return insn.off;
  if (insn.kind === 'call' && insn.target === 'local') return insn.imm;
  if (insn.kind === 'ldimm64' && insn.pseudo === 4) return insn.imm;
  return undefined;
}

function withRelative(insn: Insn, off: number): Insn {
  if (insn.kind === 'ja' || insn.kind === 'jcond' || insn.kind === 'may_goto') return { ...insn, off };
  if (insn.kind === 'call' || insn.kind === 'ldimm64') return { ...insn, imm: off };
  return insn;
}

/**
 * Replaces the instruction at index `i` with `replacement` (none: a deletion) and moves the
 * other jumps so they keep their targets, as a compiler would have laid the program out: a jump
 * to the removed instruction lands on what follows it. The replacement keeps its own offset.
 * Undefined when a moved jump no longer fits its field.
 */
function splice(insns: readonly Insn[], origins: readonly number[], i: number, replacement: readonly Insn[], replacementOrigin: number): { insns: Insn[]; origins: number[] } | undefined {
  const { at } = slotsOf(insns);
  const p = at[i] ?? 0;
  const oldSlots = insns[i]?.kind === 'ldimm64' ? 2 : 1;
  const newSlots = replacement.reduce((n, r) => n + (r.kind === 'ldimm64' ? 2 : 1), 0);
  const delta = newSlots - oldSlots;
  const moved = (s: number) => (s < p ? s : s >= p + oldSlots ? s + delta : p);
  const out: Insn[] = [];
  const outOrigins: number[] = [];
  for (let j = 0; j < insns.length; j++) {
    const insn = insns[j];
    if (!insn) continue;
    if (j === i) {
      out.push(...replacement);
      for (const _ of replacement) outOrigins.push(replacementOrigin);
      continue;
    }
    outOrigins.push(origins[j] ?? -1);
    const off = relative(insn);
    if (off === undefined || delta === 0) {
      out.push(insn);
      continue;
    }
    const src = at[j] ?? 0;
    const next = moved(src + 1 + off) - moved(src) - 1;
    // gotol, local calls and function pointers keep the offset in the 32-bit imm; the rest in the 16-bit off.
    const wide = (insn.kind === 'ja' && insn.long) || insn.kind === 'call' || insn.kind === 'ldimm64';
    if (!wide && !fitsS16(next)) return undefined;
    out.push(withRelative(insn, next));
  }
  return { insns: out, origins: outOrigins };
}

/** Registers an instruction names, as setters: swapping one replaces that field. */
function registerFields(insn: Insn): ((r: number) => Insn)[] {
  switch (insn.kind) {
    case 'alu':
      return [(r) => ({ ...insn, dst: r }), ...(insn.src.type === 'reg' ? [(r: number): Insn => ({ ...insn, src: { type: 'reg', reg: r } })] : [])];
    case 'movsx':
      return [(r) => ({ ...insn, dst: r }), (r) => ({ ...insn, src: r })];
    case 'neg':
    case 'end':
      return [(r) => ({ ...insn, dst: r })];
    case 'load':
      return [(r) => ({ ...insn, dst: r }), (r) => ({ ...insn, base: r })];
    case 'store':
      return [(r) => ({ ...insn, base: r }), ...(insn.src.type === 'reg' ? [(r: number): Insn => ({ ...insn, src: { type: 'reg', reg: r } })] : [])];
    case 'atomic':
      return [(r) => ({ ...insn, base: r }), (r) => ({ ...insn, src: r })];
    case 'jcond':
      return [(r) => ({ ...insn, dst: r }), ...(insn.src.type === 'reg' ? [(r: number): Insn => ({ ...insn, src: { type: 'reg', reg: r } })] : [])];
    default:
      return [];
  }
}

function isRelease(insn: Insn, profile: KernelProfile): boolean {
  if (insn.kind !== 'call') return false;
  if (insn.target === 'helper') return RELEASE_HELPERS.has(helperDeclById(insn.imm)?.name ?? '');
  if (insn.target === 'kfunc') return kfuncDecl(insn.imm)?.profiles[profile]?.flags.includes('KF_RELEASE') ?? false;
  return false;
}

/** A non-zero integer in [-max, -1] ∪ [1, max]. */
function nudge(rng: Rng, max: number): number {
  const n = rng.between(1, max);
  return rng.chance(0.5) ? n : -n;
}

/** One mutation of `kind` at a random place it applies, or undefined when none applies. */
function mutateOnce(insns: readonly Insn[], origins: readonly number[], kind: MutationKind, rng: Rng, profile: KernelProfile): { insns: Insn[]; origins: number[]; what: string } | undefined {
  const { at } = slotsOf(insns);
  const where = (pred: (insn: Insn) => boolean): number | undefined => {
    const idx: number[] = [];
    insns.forEach((insn, i) => {
      if (pred(insn)) idx.push(i);
    });
    return idx.length ? rng.pick(idx) : undefined;
  };
  // The replacement keeps the origin of the instruction it edits; `from` names another's (a copy).
  const replaceAt = (i: number, next: Insn | undefined, label: string, from: number = i): { insns: Insn[]; origins: number[]; what: string } | undefined => {
    const before = insns[i];
    const edited = next !== undefined && next.kind === before?.kind;
    const out = splice(insns, origins, i, next ? [next] : [], edited || from !== i ? (origins[from] ?? -1) : -1);
    if (!out) return undefined;
    return { ...out, what: `${label} at pc ${at[i] ?? 0}: ${text(before, at[i] ?? 0)}  →  ${next ? text(next, at[i] ?? 0) : '(deleted)'}` };
  };
  switch (kind) {
    case 'null-check': {
      // `if rX == 0 goto …` / `if rX != 0 goto …`: never taken (a no-op) or always taken.
      const i = where((x) => x.kind === 'jcond' && (x.cond === 'jeq' || x.cond === 'jne') && x.src.type === 'imm' && x.src.imm === 0);
      const insn = i === undefined ? undefined : insns[i];
      if (i === undefined || insn?.kind !== 'jcond') return undefined;
      const next: Insn = rng.chance(0.5) ? { kind: 'ja', long: false, off: 0 } : { kind: 'ja', long: false, off: insn.off };
      return replaceAt(i, next, 'null check dropped');
    }
    case 'release': {
      const i = where((x) => isRelease(x, profile));
      if (i === undefined) return undefined;
      return replaceAt(i, { kind: 'alu', width: 64, op: 'mov', dst: 0, src: { type: 'imm', imm: 0 } }, 'release dropped');
    }
    case 'mem-offset': {
      const i = where((x) => x.kind === 'load' || x.kind === 'store' || x.kind === 'atomic');
      const insn = i === undefined ? undefined : insns[i];
      if (i === undefined || !insn || (insn.kind !== 'load' && insn.kind !== 'store' && insn.kind !== 'atomic')) return undefined;
      const off = insn.off + nudge(rng, 16);
      if (!fitsS16(off)) return undefined;
      return replaceAt(i, { ...insn, off }, 'access offset shifted');
    }
    case 'jump-offset': {
      const i = where((x) => (x.kind === 'jcond' || x.kind === 'ja') && !(x.kind === 'ja' && x.long));
      const insn = i === undefined ? undefined : insns[i];
      if (i === undefined || !insn || (insn.kind !== 'jcond' && insn.kind !== 'ja')) return undefined;
      const off = insn.off + nudge(rng, 3);
      if (!fitsS16(off)) return undefined;
      return replaceAt(i, { ...insn, off }, 'jump retargeted');
    }
    case 'bounds': {
      // A comparison: its constant ±1, its order made strict or loose, or the check removed
      // (never taken / always taken).
      const i = where((x) => x.kind === 'jcond');
      const insn = i === undefined ? undefined : insns[i];
      if (i === undefined || insn?.kind !== 'jcond') return undefined;
      const choice = rng.below(3);
      const looser = LOOSER[insn.cond];
      if (choice === 0 && insn.src.type === 'imm') return replaceAt(i, { ...insn, src: { type: 'imm', imm: (insn.src.imm + nudge(rng, 1)) | 0 } }, 'comparison constant off by one');
      if (choice <= 1 && looser) return replaceAt(i, { ...insn, cond: looser }, 'comparison order flipped');
      return replaceAt(i, rng.chance(0.5) ? { kind: 'ja', long: false, off: 0 } : { kind: 'ja', long: false, off: insn.off }, 'check removed');
    }
    case 'imm': {
      // An ALU constant (a size, an index, a pointer adjustment) moved by 1..16.
      const i = where((x) => x.kind === 'alu' && x.src.type === 'imm');
      const insn = i === undefined ? undefined : insns[i];
      if (i === undefined || insn?.kind !== 'alu' || insn.src.type !== 'imm') return undefined;
      return replaceAt(i, { ...insn, src: { type: 'imm', imm: (insn.src.imm + nudge(rng, 16)) | 0 } }, 'constant changed');
    }
    case 'register': {
      const i = where((x) => registerFields(x).length > 0);
      const insn = i === undefined ? undefined : insns[i];
      if (i === undefined || !insn) return undefined;
      const set = rng.pick(registerFields(insn));
      return replaceAt(i, set(rng.below(11)), 'register swapped');
    }
    case 'replace': {
      const i = rng.below(insns.length);
      const from = rng.below(insns.length);
      const other = insns[from];
      if (!other) return undefined;
      return replaceAt(i, other, 'instruction replaced', from);
    }
    case 'delete': {
      if (insns.length < 2) return undefined;
      return replaceAt(rng.below(insns.length), undefined, 'instruction deleted');
    }
  }
}

function pickKind(rng: Rng): MutationKind {
  const total = MUTATION_KINDS.reduce((n, k) => n + WEIGHTS[k], 0);
  let r = rng.below(total);
  for (const k of MUTATION_KINDS) {
    r -= WEIGHTS[k];
    if (r < 0) return k;
  }
  return 'delete';
}

/**
 * One to three mutations of `insns`. The result always encodes (offsets stay in their fields);
 * it may well be a program the verifier refuses, which is the point of most of them.
 */
export function mutate(insns: readonly Insn[], rng: Rng, profile: KernelProfile): Mutant {
  let cur: readonly Insn[] = insns;
  let origins: readonly number[] = insns.map((_, i) => i);
  const mutations: string[] = [];
  const kinds: MutationKind[] = [];
  const times = rng.between(1, 3);
  for (let t = 0; t < times; t++) {
    for (let attempt = 0; attempt < 8; attempt++) {
      const kind = pickKind(rng);
      const r = mutateOnce(cur, origins, kind, rng, profile);
      if (!r) continue;
      cur = r.insns;
      origins = r.origins;
      mutations.push(r.what);
      kinds.push(kind);
      break;
    }
  }
  return { insns: cur, origins, mutations, kinds };
}

/** The bytes of a mutant, checked to decode to the same number of slots (what encodeProgram wrote). */
export function bytesOf(insns: readonly Insn[]): Uint8Array {
  const bytes = encodeProgram(insns);
  const decoded = decodeProgram(bytes);
  if (decoded.insns.length !== slotsOf(insns).total) throw new Error('internal: a mutant does not decode to its own slots');
  return bytes;
}

/** The mutant as text, one instruction a line with its pc (for a problem's reproduction). */
export function listing(insns: readonly Insn[]): string {
  const { at } = slotsOf(insns);
  return insns.map((insn, i) => `${String(at[i] ?? 0).padStart(4)}: ${text(insn, at[i] ?? 0)}`).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Inputs: the generator lives in engine/explain/inputs.ts (the counterexample search uses it too).

export type { RunInputs } from '../../explain/inputs.ts';

/** Random inputs for one run of a program of `p`'s type. */
export function randomInputs(rng: Rng, p: Prepared): RunInputs {
  return randomRunInputs(rng, { kind: p.kind, maps: p.maps, profile: p.profile, entry: p.base.entry });
}
