// Prints typed instructions as the instruction column of `llvm-objdump-19 -d --mcpu=v4`
// (BPFInstPrinter and the asm strings of BPFInstrInfo.td), so the playground's disassembly
// can be diffed against the real tool. The operator tables are shared with the parser.

import type { AccessSize, AtomicOp, Insn, JmpCond, Operand, Reg, Width } from '../isa/index.ts';
import { joinImm64 } from './numbers.ts';

export { ALU_OPERATOR } from '../isa/index.ts';
import { ALU_OPERATOR } from '../isa/index.ts';

export const JMP_OPERATOR: Readonly<Record<JmpCond, string>> = {
  jeq: '==',
  jgt: '>',
  jge: '>=',
  jset: '&',
  jne: '!=',
  jsgt: 's>',
  jsge: 's>=',
  jlt: '<',
  jle: '<=',
  jslt: 's<',
  jsle: 's<=',
};

/** Operators of the non-fetching atomics, written `lock *(u64 *)(r1 + 0) += r2`. */
export const LOCK_OPERATOR: Readonly<Record<'add' | 'or' | 'and' | 'xor', string>> = { add: '+=', or: '|=', and: '&=', xor: '^=' };

/** The functional spellings of xchg and cmpxchg, by access size. */
export function atomicFunction(op: 'xchg' | 'cmpxchg', size: 4 | 8): string {
  return size === 8 ? `${op}_64` : `${op}32_32`;
}

/** `0x1f`, `-0x1`: objdump prints every immediate in signed hex. */
export function hex(v: number | bigint): string {
  const b = BigInt(v);
  return b < 0n ? `-0x${(-b).toString(16)}` : `0x${b.toString(16)}`;
}

/** Jump offsets always carry a sign: `+0x3`, `-0x3`, `+0x0`. */
function rel(v: number): string {
  return v < 0 ? hex(v) : `+${hex(v)}`;
}

export function regName(r: Reg, width: Width): string {
  return `${width === 32 ? 'w' : 'r'}${r}`;
}

/** The width of the register operand of a memory access: `w` below 64 bits. */
function accessWidth(size: AccessSize): Width {
  return size === 8 ? 64 : 32;
}

function address(base: Reg, off: number): string {
  return `r${base} ${off < 0 ? '-' : '+'} ${hex(Math.abs(off))}`;
}

function operand(src: Operand, width: Width): string {
  return src.type === 'reg' ? regName(src.reg, width) : hex(src.imm);
}

function atomic(size: 4 | 8, op: AtomicOp, fetch: boolean, base: Reg, off: number, src: Reg): string {
  const w = accessWidth(size);
  const bits = size * 8;
  const s = regName(src, w);
  switch (op) {
    case 'xchg':
      return `${s} = ${atomicFunction(op, size)}(${address(base, off)}, ${s})`;
    case 'cmpxchg': {
      const r0 = regName(0, w);
      return `${r0} = ${atomicFunction(op, size)}(${address(base, off)}, ${r0}, ${s})`;
    }
    default:
      return fetch
        ? `${s} = atomic_fetch_${op}((u${bits} *)(${address(base, off)}), ${s})`
        : `lock *(u${bits} *)(${address(base, off)}) ${LOCK_OPERATOR[op]} ${s}`;
  }
}

export function formatLlvm(insn: Insn): string {
  switch (insn.kind) {
    case 'alu':
      return `${regName(insn.dst, insn.width)} ${ALU_OPERATOR[insn.op]} ${operand(insn.src, insn.width)}`;
    case 'movsx':
      return `${regName(insn.dst, insn.width)} = (s${insn.bits})${regName(insn.src, insn.width)}`;
    case 'neg':
      return `${regName(insn.dst, insn.width)} = -${regName(insn.dst, insn.width)}`;
    case 'end':
      return `r${insn.dst} = ${insn.order}${insn.bits} r${insn.dst}`;
    case 'ldimm64':
      if (insn.pseudo === 0) return `r${insn.dst} = ${hex(BigInt.asIntN(64, joinImm64(insn.imm, insn.imm2)))} ll`;
      // LD_pseudo prints the first slot's imm unsigned and never the second slot (BPFInstrInfo.td).
      return `ld_pseudo\tr${insn.dst}, ${hex(insn.pseudo)}, ${hex(insn.imm >>> 0)}`;
    case 'load': {
      const type = `${insn.signExtend ? 's' : 'u'}${insn.size * 8}`;
      // Zero-extending loads below 64 bits are the 32-bit subregister forms (LDW32 & co.).
      const width: Width = insn.signExtend ? 64 : accessWidth(insn.size);
      return `${regName(insn.dst, width)} = *(${type} *)(${address(insn.base, insn.off)})`;
    }
    case 'store':
      return `*(u${insn.size * 8} *)(${address(insn.base, insn.off)}) = ${operand(insn.src, accessWidth(insn.size))}`;
    case 'atomic':
      return atomic(insn.size, insn.op, insn.fetch, insn.base, insn.off, insn.src);
    case 'ja':
      return `${insn.long ? 'gotol' : 'goto'} ${rel(insn.off)}`;
    case 'jcond':
      return `if ${regName(insn.dst, insn.width)} ${JMP_OPERATOR[insn.cond]} ${operand(insn.src, insn.width)} goto ${rel(insn.off)}`;
    case 'may_goto':
      return `may_goto ${rel(insn.off)}`;
    case 'addr_space_cast':
      // BPFInstrInfo.td: "$dst = addr_space_cast($src, $dst_as, $src_as)".
      return `r${insn.dst} = addr_space_cast(r${insn.src}, ${hex(insn.dstAs)}, ${hex(insn.srcAs)})`;
    case 'call':
      // objdump shows imm whatever src_reg says: helper id, relative target or BTF id alike.
      return `call ${hex(insn.imm)}`;
    case 'exit':
      return 'exit';
    case 'ldpkt':
      // LD_IND's asm string has no slot for imm, so a non-zero imm is not shown.
      return `r0 = *(u${insn.size * 8} *)skb[${insn.mode === 'abs' ? hex(insn.imm) : `r${insn.src}`}]`;
  }
}

/**
 * False when the printed text loses a field, so assembling it gives other bytes: objdump
 * prints `call IMM` for BPF-to-BPF and kfunc calls alike (parsed back as a helper call), no
 * kfunc `off`, no second-slot imm of `ld_pseudo` and no imm of `skb[rN]`.
 */
export function formatRoundTrips(insn: Insn): boolean {
  switch (insn.kind) {
    case 'call':
      return insn.target === 'helper';
    case 'ldimm64':
      return insn.pseudo === 0 || insn.imm2 === 0;
    case 'ldpkt':
      return insn.mode === 'abs' || insn.imm === 0;
    default:
      return true;
  }
}
