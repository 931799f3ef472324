// The control flow of a decoded program, computed once in typed arrays: successors, jump
// targets, call edges and subprograms. The structure checks, the VM's pre-decoder and its
// compiled tier all read it (kernel/bpf/verifier.c: add_subprog_and_kfunc, check_subprogs,
// visit_insn).

import type { Insn } from '../isa/index.ts';

/** `Cfg.flags` bits. */
export const CFG_JUMP_TARGET = 1;
/** Start of a subprogram: pc 0 and every in-range call or BPF_PSEUDO_FUNC target. */
export const CFG_SUBPROG_START = 2;
/** A call instruction of any kind (helper, kfunc, BPF-to-BPF). */
export const CFG_CALL = 4;
/** The second slot of an ldimm64. */
export const CFG_LDIMM64_TAIL = 8;
/** A slot that holds no instruction (did not decode); it has no successors. */
export const CFG_INVALID = 16;

export interface Cfg {
  readonly length: number;
  /**
   * The fall-through successor of each pc: pc + 1 (pc + 2 after an ldimm64; it may equal
   * `length`), or -1 for exit, goto and slots without an instruction.
   */
  readonly fallthrough: Int32Array;
  /** The target of each goto and conditional jump as written (it may lie outside the program); NaN elsewhere. */
  readonly jump: Float64Array;
  /**
   * The callee of each BPF-to-BPF call and BPF_PSEUDO_FUNC ldimm64 as written (it may lie
   * outside the program); NaN elsewhere. A call edge, not a successor.
   */
  readonly callee: Float64Array;
  /** `CFG_*` bits per pc. */
  readonly flags: Uint8Array;
  /** In-range jump targets, ascending. */
  readonly jumpTargets: Int32Array;
  /** Subprogram starts, ascending; the first is 0 (empty for an empty program). */
  readonly subprogStarts: Int32Array;
  /** The end (exclusive) of each subprogram: the next start, or `length`. */
  readonly subprogEnds: Int32Array;
  /** The index in `subprogStarts` of the subprogram each pc belongs to. */
  readonly subprogOf: Int32Array;
}

const known = new WeakMap<readonly (Insn | null)[], Cfg>();

/** The control flow of `insns`, remembered per array (a program is immutable once decoded). */
export function cfgOf(insns: readonly (Insn | null)[]): Cfg {
  let cfg = known.get(insns);
  if (!cfg) {
    cfg = buildCfg(insns);
    known.set(insns, cfg);
  }
  return cfg;
}

/** Computes the control flow of a decoded program (null: second ldimm64 slot or a slot that did not decode). */
export function buildCfg(insns: readonly (Insn | null)[]): Cfg {
  const length = insns.length;
  const fallthrough = new Int32Array(length).fill(-1);
  const jump = new Float64Array(length).fill(NaN);
  const callee = new Float64Array(length).fill(NaN);
  const flags = new Uint8Array(length);
  if (length > 0) flags[0] = CFG_SUBPROG_START;
  let targets = 0;
  let starts = length > 0 ? 1 : 0;
  const mark = (pc: number, bit: number): void => {
    if (pc >= 0 && pc < length) {
      const f = flags[pc] ?? 0;
      if (!(f & bit)) {
        if (bit === CFG_JUMP_TARGET) targets++;
        else starts++;
      }
      flags[pc] = f | bit;
    }
  };
  for (let pc = 0; pc < length; pc++) {
    const insn = insns[pc];
    if (!insn) {
      // The kernel sees the second slot of an ldimm64 as an ordinary instruction (code 0), so
      // control falls through it (visit_insn); a slot that did not decode has no way on.
      if (pc > 0 && insns[pc - 1]?.kind === 'ldimm64') {
        flags[pc] = (flags[pc] ?? 0) | CFG_LDIMM64_TAIL;
        fallthrough[pc] = pc + 1;
      } else flags[pc] = (flags[pc] ?? 0) | CFG_INVALID;
      continue;
    }
    switch (insn.kind) {
      case 'exit':
        break;
      case 'ja':
        jump[pc] = pc + 1 + insn.off;
        mark(pc + 1 + insn.off, CFG_JUMP_TARGET);
        break;
      case 'jcond':
      case 'may_goto':
        fallthrough[pc] = pc + 1;
        jump[pc] = pc + 1 + insn.off;
        mark(pc + 1 + insn.off, CFG_JUMP_TARGET);
        break;
      case 'call':
        flags[pc] = (flags[pc] ?? 0) | CFG_CALL;
        fallthrough[pc] = pc + 1;
        if (insn.target === 'local') {
          callee[pc] = pc + 1 + insn.imm;
          mark(pc + 1 + insn.imm, CFG_SUBPROG_START);
        }
        break;
      case 'ldimm64':
        fallthrough[pc] = pc + 2;
        // BPF_PSEUDO_FUNC: a function pointer makes its target a subprogram (add_subprog_and_kfunc).
        if (insn.pseudo === 4) {
          callee[pc] = pc + 1 + insn.imm;
          mark(pc + 1 + insn.imm, CFG_SUBPROG_START);
        }
        break;
      default:
        fallthrough[pc] = pc + 1;
    }
  }
  const jumpTargets = new Int32Array(targets);
  const subprogStarts = new Int32Array(starts);
  const subprogOf = new Int32Array(length);
  let t = 0;
  let s = -1;
  for (let pc = 0; pc < length; pc++) {
    const f = flags[pc] ?? 0;
    if (f & CFG_JUMP_TARGET) jumpTargets[t++] = pc;
    if (f & CFG_SUBPROG_START) subprogStarts[++s] = pc;
    subprogOf[pc] = s;
  }
  const subprogEnds = new Int32Array(starts);
  for (let i = 0; i < starts; i++) subprogEnds[i] = i + 1 < starts ? (subprogStarts[i + 1] ?? length) : length;
  return { length, fallthrough, jump, callee, flags, jumpTargets, subprogStarts, subprogEnds, subprogOf };
}

/**
 * The successors of `pc` in the order the kernel's depth-first walk takes them (visit_insn):
 * the fall-through first, then the jump target. Targets are as written, in range or not.
 */
export function successors(cfg: Cfg, pc: number): number[] {
  const out: number[] = [];
  const next = cfg.fallthrough[pc] ?? -1;
  if (next >= 0) out.push(next);
  const to = cfg.jump[pc] ?? NaN;
  if (!Number.isNaN(to)) out.push(to);
  return out;
}

/** The subprogram `pc` belongs to: its index, first pc and end (exclusive); undefined outside the program. */
export function subprogramAt(cfg: Cfg, pc: number): { readonly index: number; readonly start: number; readonly end: number } | undefined {
  if (!(pc >= 0 && pc < cfg.length)) return undefined;
  const index = cfg.subprogOf[pc] ?? 0;
  return { index, start: cfg.subprogStarts[index] ?? 0, end: cfg.subprogEnds[index] ?? cfg.length };
}
