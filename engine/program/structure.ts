// The structural checks Linux makes on every program before the verifier's path analysis, in
// the kernel's order and with its messages: add_subprog_and_kfunc, check_subprogs, the ldimm64
// forms of resolve_pseudo_ldimm64, then check_cfg's depth-first walk (kernel/bpf/verifier.c).
// Like the kernel they stop at the first error.

import { writtenRegs, type Insn } from '../isa/index.ts';
import { cfgOf, CFG_CALL, CFG_LDIMM64_TAIL, type Cfg } from './cfg.ts';

export interface StructureError {
  readonly pc: number;
  readonly message: string;
}

export interface StructureOptions {
  /**
   * The loader holds CAP_BPF (or is root): check_cfg then lets back-edges through (bounded
   * loops; push_insn tests env->bpf_capable) and do_check decides whether a loop ends. Default true.
   */
  readonly bpfCapable?: boolean;
}

/** kernel/bpf/verifier.c BPF_MAX_SUBPROGS. */
export const MAX_SUBPROGS = 256;

/** The first structural error of a program, as the kernel reports it, or an empty array. */
export function checkStructure(insns: readonly (Insn | null)[], options: StructureOptions = {}, cfg: Cfg = cfgOf(insns)): StructureError[] {
  // bpf_prog_load refuses an empty program before the verifier runs (with no log line).
  if (insns.length === 0) return [{ pc: 0, message: 'the program has no instructions' }];
  const error = subprogError(insns, cfg) ?? subprogBoundsError(insns, cfg) ?? ldimm64Error(insns) ?? cfgError(insns, cfg, options.bpfCapable ?? true);
  return error ? [error] : [];
}

/** add_subprog_and_kfunc: every call and function pointer must land inside the program. */
function subprogError(insns: readonly (Insn | null)[], cfg: Cfg): StructureError | undefined {
  const seen = new Set<number>([0]);
  for (let pc = 0; pc < cfg.length; pc++) {
    const to = cfg.callee[pc] ?? NaN;
    if (Number.isNaN(to)) continue;
    if (to < 0 || to >= insns.length) return { pc, message: 'call to invalid destination' };
    if (!seen.has(to)) {
      // add_subprog counts the main program too.
      if (seen.size >= MAX_SUBPROGS) return { pc, message: 'too many subprograms' };
      seen.add(to);
    }
  }
  return undefined;
}

/**
 * check_subprogs: a jump stays inside its subprogram, and the last instruction of each
 * subprogram is an exit or a goto (control cannot run into the next one).
 */
function subprogBoundsError(insns: readonly (Insn | null)[], cfg: Cfg): StructureError | undefined {
  for (let i = 0; i < cfg.subprogStarts.length; i++) {
    const start = cfg.subprogStarts[i] ?? 0;
    const end = cfg.subprogEnds[i] ?? cfg.length;
    for (let pc = start; pc < end; pc++) {
      const to = cfg.jump[pc] ?? NaN;
      if (!Number.isNaN(to) && (to < start || to >= end)) return { pc, message: `jump out of range from insn ${pc} to ${to}` };
    }
    const last = insns[end - 1];
    if (last?.kind !== 'exit' && last?.kind !== 'ja') return { pc: end - 1, message: 'last insn is not an exit or jmp' };
  }
  return undefined;
}

/**
 * resolve_pseudo_ldimm64, the part that needs no maps: a map fd or index carries nothing in the
 * second slot's imm. (The second slot's reserved fields and unknown src_reg values are the
 * decoder's errors.)
 */
function ldimm64Error(insns: readonly (Insn | null)[]): StructureError | undefined {
  for (let pc = 0; pc < insns.length; pc++) {
    const insn = insns[pc];
    if (insn?.kind === 'ldimm64' && (insn.pseudo === 1 || insn.pseudo === 5) && insn.imm2 !== 0) return { pc, message: 'unrecognized bpf_ld_imm64 insn' };
  }
  return undefined;
}

const DISCOVERED = 1;
const EXPLORED = 2;

/**
 * check_cfg: a depth-first walk from pc 0 over successors and call edges, in visit_insn's
 * order (fall-through, then jump or callee); then every instruction must have been reached and
 * no jump may land on the second slot of an ldimm64.
 */
function cfgError(insns: readonly (Insn | null)[], cfg: Cfg, bpfCapable: boolean): StructureError | undefined {
  const len = cfg.length;
  const state = new Uint8Array(len);
  // How many of its (at most two) edges each instruction on the stack has taken.
  const taken = new Uint8Array(len);
  // The first edge that reached each second ldimm64 slot, to point at the jump.
  const cameFrom = new Int32Array(len).fill(-1);
  const stack = new Int32Array(len);
  let top = 0;
  stack[top++] = 0;
  state[0] = DISCOVERED;
  while (top > 0) {
    const t = stack[top - 1] ?? 0;
    let pushed = false;
    while (!pushed) {
      const k = taken[t] ?? 0;
      let w: number;
      if (k === 0) w = cfg.fallthrough[t] ?? -1;
      else if (k === 1) {
        const j = cfg.jump[t] ?? NaN;
        const c = cfg.callee[t] ?? NaN;
        w = Number.isNaN(j) ? (Number.isNaN(c) ? -1 : c) : j;
      } else break;
      taken[t] = k + 1;
      // A goto has no fall-through: its only edge is the jump.
      if (k === 0 && w === -1) continue;
      if (k === 1 && w === -1) break;
      if (w < 0 || w >= len) return { pc: t, message: `jump out of range from insn ${t} to ${w}` };
      const s = state[w] ?? 0;
      if (s === 0) {
        state[w] = DISCOVERED;
        if ((cfg.flags[w] ?? 0) & CFG_LDIMM64_TAIL && (cameFrom[w] ?? -1) < 0) cameFrom[w] = t;
        stack[top++] = w;
        pushed = true;
      } else if (s === DISCOVERED && !bpfCapable) {
        return { pc: t, message: `back-edge from insn ${t} to ${w}` };
      }
    }
    if (!pushed) {
      state[t] = EXPLORED;
      top--;
    }
  }
  for (let i = 0; i < len; i++) {
    if (state[i] !== EXPLORED) return { pc: i, message: `unreachable insn ${i}` };
    if (insns[i]?.kind === 'ldimm64') {
      if ((state[i + 1] ?? 0) !== 0) return { pc: cameFrom[i + 1] ?? i, message: `jump into the middle of ldimm64 insn ${i}` };
      i++;
    }
  }
  return undefined;
}

/**
 * Writes to r10, which the kernel refuses in do_check (check_reg_arg: "frame pointer is read
 * only"). The verifier makes this check on each path; the raw runner and the loader, which run
 * programs without it, make it here. The first such write, or an empty array.
 */
export function checkFramePointerWrites(insns: readonly (Insn | null)[]): StructureError[] {
  for (let pc = 0; pc < insns.length; pc++) {
    const insn = insns[pc];
    if (insn && writtenRegs(insn).includes(10)) return [{ pc, message: 'frame pointer is read only' }];
  }
  return [];
}

/**
 * What a program needs to run at all, for the raw runner (bpf_conformance programs, which the
 * kernel's verifier may refuse for unreachable code or jumps between functions): jumps and
 * calls inside the program and not into an ldimm64, no write to r10, and a last instruction
 * that does not fall off the end. Every such error, in program order.
 */
export function checkRunnable(insns: readonly (Insn | null)[], cfg: Cfg = cfgOf(insns)): StructureError[] {
  const errors: StructureError[] = [];
  const len = insns.length;
  if (len === 0) return [{ pc: 0, message: 'the program has no instructions' }];
  const target = (pc: number, to: number, what: string): void => {
    if (to < 0 || to >= len) errors.push({ pc, message: `${what} out of range from insn ${pc} to ${to}` });
    else if ((cfg.flags[to] ?? 0) & CFG_LDIMM64_TAIL) errors.push({ pc, message: `jump into the middle of ldimm64 insn ${to - 1}` });
  };
  for (let pc = 0; pc < len; pc++) {
    const insn = insns[pc];
    if (!insn) continue;
    const to = cfg.jump[pc] ?? NaN;
    if (!Number.isNaN(to)) target(pc, to, 'jump');
    const callee = cfg.callee[pc] ?? NaN;
    if ((cfg.flags[pc] ?? 0) & CFG_CALL && !Number.isNaN(callee)) target(pc, callee, 'call');
    if (writtenRegs(insn).includes(10)) errors.push({ pc, message: 'frame pointer is read only' });
  }
  let last = len - 1;
  if (last > 0 && (cfg.flags[last] ?? 0) & CFG_LDIMM64_TAIL) last--;
  const lastInsn = insns[last];
  if (lastInsn?.kind !== 'exit' && lastInsn?.kind !== 'ja') errors.push({ pc: last, message: 'last insn is not an exit or jmp' });
  return errors;
}
