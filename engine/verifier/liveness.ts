// Which registers each instruction's future may read before writing them (the kernel's
// compute_live_registers): a backward dataflow over the program, so that state pruning can
// ignore registers whose value no longer matters.

import type { Insn } from '../isa/index.ts';

const ALL = 0x7ff;
const ARGS = 0b111110; // r1..r5
const CALLER_SAVED = 0b111111; // r0..r5

function bit(r: number): number {
  return 1 << r;
}

/** [use, def] register masks of one instruction. */
function useDef(insn: Insn): [number, number] {
  switch (insn.kind) {
    case 'alu': {
      const src = insn.src.type === 'reg' ? bit(insn.src.reg) : 0;
      if (insn.op === 'mov') return [src, bit(insn.dst)];
      return [src | bit(insn.dst), bit(insn.dst)];
    }
    case 'movsx':
      return [bit(insn.src), bit(insn.dst)];
    case 'neg':
    case 'end':
      return [bit(insn.dst), bit(insn.dst)];
    case 'ldimm64':
      return [0, bit(insn.dst)];
    case 'load':
      return [bit(insn.base), bit(insn.dst)];
    case 'store':
      return [bit(insn.base) | (insn.src.type === 'reg' ? bit(insn.src.reg) : 0), 0];
    case 'atomic': {
      const use = bit(insn.base) | bit(insn.src) | (insn.op === 'cmpxchg' ? 1 : 0);
      const def = insn.op === 'cmpxchg' ? 1 : insn.fetch ? bit(insn.src) : 0;
      return [use, def];
    }
    case 'ja':
    case 'may_goto':
      return [0, 0];
    case 'addr_space_cast':
      return [bit(insn.src), bit(insn.dst)];
    case 'jcond':
      return [bit(insn.dst) | (insn.src.type === 'reg' ? bit(insn.src.reg) : 0), 0];
    case 'call':
      return [ARGS, CALLER_SAVED];
    case 'exit':
      return [1, 0];
    case 'ldpkt':
      return [bit(6) | (insn.mode === 'ind' ? bit(insn.src) : 0), CALLER_SAVED];
  }
}

/** Per pc, the registers live before it (bit r set: r may be read later). */
export function liveRegisters(insns: readonly (Insn | null)[]): Uint16Array {
  const n = insns.length;
  const live = new Uint16Array(n);
  const use = new Uint16Array(n);
  const def = new Uint16Array(n);
  for (let pc = 0; pc < n; pc++) {
    const insn = insns[pc];
    if (!insn) continue;
    const [u, d] = useDef(insn);
    use[pc] = u;
    def[pc] = d;
  }
  const succ = (pc: number, insn: Insn): number[] => {
    switch (insn.kind) {
      case 'exit':
        return [];
      case 'ja':
        return [pc + 1 + insn.off];
      case 'jcond':
      case 'may_goto':
        return [pc + 1, pc + 1 + insn.off];
      case 'ldimm64':
        return [pc + 2];
      default:
        return [pc + 1];
    }
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let pc = n - 1; pc >= 0; pc--) {
      const insn = insns[pc];
      if (!insn) continue;
      let out = 0;
      for (const s of succ(pc, insn)) out |= s >= 0 && s < n ? (live[s] ?? 0) : ALL;
      // A callback or subprogram may read anything passed in; its return gives r0.
      const v = ((use[pc] ?? 0) | (out & ~(def[pc] ?? 0))) & ALL;
      if (v !== live[pc]) {
        live[pc] = v;
        changed = true;
      }
    }
  }
  return live;
}
