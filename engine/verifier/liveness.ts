// Which registers each instruction's future may read before writing them (the kernel's
// compute_live_registers): a backward dataflow over the program, so that state pruning can
// ignore registers whose value no longer matters.

import type { Insn } from '../isa/index.ts';
import { cfgOf, successors, type Cfg } from '../program/cfg.ts';

const ALL = 0x7ff;
const ARGS = 0b111110; // r1..r5
const CALLER_SAVED = 0b111111; // r0..r5

function bit(r: number): number {
  return 1 << r;
}

/** How many argument registers a helper or kfunc call reads (undefined: all five). */
export type CallArgs = (insn: Insn) => number | undefined;

/** r1..r(n). */
function argMask(n: number): number {
  return ((1 << (n + 1)) - 1) & ~1;
}

const pack = (use: number, def: number): number => use | (def << 16);

/** The register masks of one instruction, packed: use | def << 16 (no tuple: it runs per pc). */
function useDef(insn: Insn, callArgs?: CallArgs): number {
  switch (insn.kind) {
    case 'alu': {
      const src = insn.src.type === 'reg' ? bit(insn.src.reg) : 0;
      if (insn.op === 'mov') return pack(src, bit(insn.dst));
      return pack(src | bit(insn.dst), bit(insn.dst));
    }
    case 'movsx':
      return pack(bit(insn.src), bit(insn.dst));
    case 'neg':
    case 'end':
      return pack(bit(insn.dst), bit(insn.dst));
    case 'ldimm64':
      return pack(0, bit(insn.dst));
    case 'load':
      return pack(bit(insn.base), bit(insn.dst));
    case 'store':
      return pack(bit(insn.base) | (insn.src.type === 'reg' ? bit(insn.src.reg) : 0), 0);
    case 'atomic': {
      const use = bit(insn.base) | bit(insn.src) | (insn.op === 'cmpxchg' ? 1 : 0);
      const def = insn.op === 'cmpxchg' ? 1 : insn.fetch ? bit(insn.src) : 0;
      return pack(use, def);
    }
    case 'ja':
    case 'may_goto':
      return pack(0, 0);
    case 'addr_space_cast':
      return pack(bit(insn.src), bit(insn.dst));
    case 'jcond':
      return pack(bit(insn.dst) | (insn.src.type === 'reg' ? bit(insn.src.reg) : 0), 0);
    case 'call': {
      const n = insn.target === 'local' ? undefined : callArgs?.(insn);
      return pack(n === undefined ? ARGS : argMask(n), CALLER_SAVED);
    }
    case 'exit':
      return pack(1, 0);
    case 'ldpkt':
      return pack(bit(6) | (insn.mode === 'ind' ? bit(insn.src) : 0), CALLER_SAVED);
  }
}

/**
 * The registers flowing out of `pc` backwards: the union of `vals` over its successors, all
 * registers for a successor outside the program (no allocation: this runs per pc per pass).
 */
function outOf(cfg: Cfg, vals: Uint16Array, pc: number, n: number): number {
  let out = 0;
  const next = cfg.fallthrough[pc] ?? -1;
  if (next >= 0) out |= next < n ? (vals[next] ?? 0) : ALL;
  const to = cfg.jump[pc] ?? NaN;
  if (!Number.isNaN(to)) out |= to >= 0 && to < n ? (vals[to] ?? 0) : ALL;
  return out;
}

/**
 * Whether some jump goes backwards (to itself or an earlier pc). Without one, every successor
 * lies after its instruction, so one backward pass reaches the fixed point: no second pass.
 */
function hasBackEdge(cfg: Cfg): boolean {
  for (let pc = 0; pc < cfg.length; pc++) if ((cfg.jump[pc] ?? NaN) <= pc) return true;
  return false;
}

/**
 * A backward dataflow over registers to its fixed point: per pc, `transfer` of the union of its
 * successors' values (every register for a successor outside the program). Both liveness and
 * relevance are this walk with their own transfer.
 */
function backwardFixpoint(insns: readonly (Insn | null)[], transfer: (pc: number, insn: Insn, out: number) => number): Uint16Array {
  const n = insns.length;
  const vals = new Uint16Array(n);
  const cfg = cfgOf(insns);
  const loops = hasBackEdge(cfg);
  for (let changed = true; changed; ) {
    changed = false;
    for (let pc = n - 1; pc >= 0; pc--) {
      const insn = insns[pc];
      if (!insn) continue;
      const v = transfer(pc, insn, outOf(cfg, vals, pc, n)) & ALL;
      if (v !== vals[pc]) {
        vals[pc] = v;
        changed = loops;
      }
    }
  }
  return vals;
}

/** Per pc, the registers live before it (bit r set: r may be read later). */
export function liveRegisters(insns: readonly (Insn | null)[], callArgs?: CallArgs): Uint16Array {
  const n = insns.length;
  const use = new Uint16Array(n);
  const def = new Uint16Array(n);
  for (let pc = 0; pc < n; pc++) {
    const insn = insns[pc];
    if (!insn) continue;
    const ud = useDef(insn, callArgs);
    use[pc] = ud & 0xffff;
    def[pc] = ud >>> 16;
  }
  // A callback or subprogram may read anything passed in; its return gives r0.
  return backwardFixpoint(insns, (pc, _insn, out) => (use[pc] ?? 0) | (out & ~(def[pc] ?? 0)));
}

/**
 * Per pc, the registers whose *value* may still matter to a check (a stand-in for the kernel's
 * precision tracking, computed from the program instead of from the walk): a value matters
 * when it may reach a conditional jump, a memory access, the stack or memory, a call's
 * arguments, pointer arithmetic (any add or sub source), a packet load's offset, or a
 * subprogram's return value. A scalar whose value cannot reach any of them may differ between
 * two states without making either unsafe, so pruning ignores it (it must still be a scalar).
 */
export function relevantRegisters(insns: readonly (Insn | null)[], inMainProgram: (pc: number) => boolean): Uint16Array {
  const step = (pc: number, insn: Insn, out: number): number => {
    switch (insn.kind) {
      case 'alu': {
        const d = bit(insn.dst);
        const src = insn.src.type === 'reg' ? bit(insn.src.reg) : 0;
        if (insn.op === 'mov') return (out & ~d) | (out & d ? src : 0);
        // Between two registers either may be a pointer and the other its offset, which always
        // matters; an immediate added to a scalar only flows (a pointer is compared whole anyway).
        const always = (insn.op === 'add' || insn.op === 'sub') && src ? src | d : 0;
        return out | always | (out & d ? src : 0);
      }
      case 'movsx':
      case 'addr_space_cast': {
        const d = bit(insn.dst);
        return (out & ~d) | (out & d ? bit(insn.src) : 0);
      }
      case 'neg':
      case 'end':
        return out;
      case 'ldimm64':
        return out & ~bit(insn.dst);
      case 'load':
        return (out & ~bit(insn.dst)) | bit(insn.base);
      case 'store':
        return out | bit(insn.base) | (insn.src.type === 'reg' ? bit(insn.src.reg) : 0);
      case 'atomic':
        return out | bit(insn.base) | bit(insn.src) | (insn.op === 'cmpxchg' ? 1 : 0);
      case 'ja':
      case 'may_goto':
        return out;
      case 'jcond':
        return out | bit(insn.dst) | (insn.src.type === 'reg' ? bit(insn.src.reg) : 0);
      case 'call':
        return (out & ~CALLER_SAVED) | ARGS;
      case 'exit':
        return inMainProgram(pc) ? 0 : 1;
      case 'ldpkt':
        return (out & ~CALLER_SAVED) | bit(6) | (insn.mode === 'ind' ? bit(insn.src) : 0);
    }
  };
  return backwardFixpoint(insns, step);
}

/**
 * Loops as the 6.18 log numbers them (compute_scc): per pc, the number of the strongly connected
 * component with more than one instruction (or a jump to itself) it belongs to, 0 outside loops.
 * Components are numbered from 1 in the order an iterative Tarjan walk from pc 0 completes them.
 */
export function loopComponents(insns: readonly (Insn | null)[]): Uint32Array {
  const n = insns.length;
  const cfg = cfgOf(insns);
  const succ = (pc: number): number[] => successors(cfg, pc).filter((t) => t >= 0 && t < n);
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const scc = new Uint32Array(n);
  const stack: number[] = [];
  let next = 0;
  let id = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1 || !insns[root]) continue;
    const work: { pc: number; succ: number[]; i: number }[] = [{ pc: root, succ: succ(root), i: 0 }];
    index[root] = low[root] = next++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length) {
      const top = work[work.length - 1];
      if (!top) break;
      if (top.i < top.succ.length) {
        const w = top.succ[top.i++] ?? 0;
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack.push(w);
          onStack[w] = 1;
          work.push({ pc: w, succ: succ(w), i: 0 });
        } else if (onStack[w]) low[top.pc] = Math.min(low[top.pc] ?? 0, index[w] ?? 0);
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent.pc] = Math.min(low[parent.pc] ?? 0, low[top.pc] ?? 0);
      if (low[top.pc] === index[top.pc]) {
        const members: number[] = [];
        for (;;) {
          const w = stack.pop();
          if (w === undefined) break;
          onStack[w] = 0;
          members.push(w);
          if (w === top.pc) break;
        }
        const selfLoop = members.length === 1 && succ(top.pc).includes(top.pc);
        if (members.length > 1 || selfLoop) {
          id++;
          for (const m of members) scc[m] = id;
        }
      }
    }
  }
  return scc;
}

/**
 * The causal path of a refusal: walking the failing path backwards from the failing instruction,
 * the instructions that wrote a register whose value flows into its operands (a dynamic backward
 * slice through registers), and the branches that tested one of those registers. In path order,
 * each pc once, at most 64 of them.
 */
export function causalSlice(insns: readonly (Insn | null)[], path: readonly number[], failingPc: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  const failing = insns[failingPc];
  if (!failing) return [];
  let wanted = useDef(failing) & 0x7ff;
  for (let i = path.length - 2; i >= 0 && out.length < 64 && wanted; i--) {
    const pc = path[i] ?? -1;
    const insn = insns[pc];
    if (!insn) continue;
    const ud = useDef(insn);
    const use = ud & 0x7ff;
    const def = (ud >>> 16) & 0x7ff;
    const tests = insn.kind === 'jcond' && (use & wanted) !== 0;
    if ((def & wanted) === 0 && !tests) continue;
    if (!seen.has(pc)) {
      seen.add(pc);
      out.push(pc);
    }
    if (!tests) wanted = (wanted & ~def) | use;
  }
  out.reverse();
  out.push(failingPc);
  return out;
}