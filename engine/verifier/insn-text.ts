// An instruction as the verifier log prints it: Linux 6.18's print_bpf_insn (kernel/bpf/disasm.c)
// with the verifier's callbacks (kfunc names by BTF id; no imm callback, so ldimm64 prints hex).

import { ALU_OPERATOR, encodeInsn, type AccessSize, type Insn, type JmpCond, type Reg, type Width } from '../isa/index.ts';

/** Names the log needs that the instruction does not carry. */
export interface InsnNames {
  /** The helper's name (`bpf_map_lookup_elem`) for its id; undefined prints `unknown`. */
  helper(id: number): string | undefined;
  /** The kfunc's name for its (our) BTF id; undefined prints `kernel-function` as disasm.c does. */
  kfunc(id: number): string | undefined;
  /**
   * What an ldimm64 of the map with this index loads, as the log prints it: the kernel prints
   * the map's address (`0xffff88833aadb000`), and for a map value load (pseudo 2 or 6, asked
   * with `valueOffset`) the address of the value plus that offset (an array's values follow
   * its header). The unprivileged see 0x0, which undefined prints too.
   */
  map?(index: number, valueOffset?: number): string | undefined;
}

const JMP_OPS: Readonly<Record<JmpCond, string>> = {
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

/** Atomic operations without fetch print as `lock … op= rS`; with fetch by their function name. */
const ATOMIC_LOCK_OPS = { add: '+=', and: '&=', or: '|=', xor: '^=' } as const;

const SIZE_NAMES: Readonly<Record<AccessSize, string>> = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64' };

/** Pseudo sources of ldimm64 that load a map or a map value (the kernel prints its address). */
const MAP_PSEUDOS = new Set([1, 2, 5, 6]);

/** printf's `%+d`. */
function signed(n: number): string {
  return n < 0 ? String(n) : `+${n}`;
}

function reg(width: Width, r: Reg): string {
  return `${width === 32 ? 'w' : 'r'}${r}`;
}

/** `(s8 *)` … for sign-extending loads, `(u8 *)` … otherwise. */
function sizeName(size: AccessSize, signExtend = false): string {
  const name = SIZE_NAMES[size];
  return signExtend ? name.replace('u', 's') : name;
}

function mem(size: AccessSize, base: Reg, off: number): string {
  return `*(${sizeName(size)} *)(r${base} ${signed(off)})`;
}

/** The opcode byte of an instruction (its first slot). */
export function opcodeOf(insn: Insn): number {
  const raws = encodeInsn(insn);
  if (!raws?.[0]) throw new Error(`internal: no encoding for ${JSON.stringify(insn)}`);
  return raws[0].opcode;
}

function ldimm64Value(insn: Extract<Insn, { kind: 'ldimm64' }>, names: InsnNames): string {
  const full = (BigInt(insn.imm2 >>> 0) << 32n) | BigInt(insn.imm >>> 0);
  // A plain constant, or a callback's relative offset (pseudo 4), prints as loaded.
  if (insn.pseudo === 0 || insn.pseudo === 4) return `0x${full.toString(16)}`;
  // A ksym (pseudo 3) prints the kernel's address of it; with none to give, 0x0.
  if (!MAP_PSEUDOS.has(insn.pseudo)) return '0x0';
  const valueForm = insn.pseudo === 2 || insn.pseudo === 6;
  return (valueForm ? names.map?.(insn.imm, insn.imm2 >>> 0) : names.map?.(insn.imm)) ?? '0x0';
}

/** The text after the opcode byte: `r1 += 2`, `call bpf_map_lookup_elem#1`, … */
function body(insn: Insn, names: InsnNames): string {
  switch (insn.kind) {
    case 'may_goto':
      return `may_goto pc${insn.off >= 0 ? '+' : ''}${insn.off}`;
    case 'addr_space_cast':
      return `r${insn.dst} = addr_space_cast(r${insn.src}, ${insn.dstAs}, ${insn.srcAs})`;
    case 'alu': {
      const op = ALU_OPERATOR[insn.op];
      const src = insn.src.type === 'reg' ? reg(insn.width, insn.src.reg) : String(insn.src.imm | 0);
      return `${reg(insn.width, insn.dst)} ${op} ${src}`;
    }
    case 'movsx':
      return `${reg(insn.width, insn.dst)} = (s${insn.bits})${reg(insn.width, insn.src)}`;
    case 'neg':
      return `${reg(insn.width, insn.dst)} = -${reg(insn.width, insn.dst)}`;
    case 'end':
      // Both classes print r registers: `be16`/`le16` (ALU) and `bswap16` (ALU64).
      return `r${insn.dst} = ${insn.order}${insn.bits} r${insn.dst}`;
    case 'ldimm64':
      return `r${insn.dst} = ${ldimm64Value(insn, names)}`;
    case 'load':
      return `r${insn.dst} = *(${sizeName(insn.size, insn.signExtend)} *)(r${insn.base} ${signed(insn.off)})`;
    case 'store':
      return `${mem(insn.size, insn.base, insn.off)} = ${insn.src.type === 'reg' ? `r${insn.src.reg}` : String(insn.src.imm | 0)}`;
    case 'atomic': {
      const bits = insn.size === 8 ? '64' : '';
      const addr = `(${sizeName(insn.size)} *)(r${insn.base} ${signed(insn.off)})`;
      if (insn.op === 'cmpxchg') return `r0 = atomic${bits}_cmpxchg(${addr}, r0, r${insn.src})`;
      if (insn.op === 'xchg') return `r${insn.src} = atomic${bits}_xchg(${addr}, r${insn.src})`;
      if (insn.fetch) return `r${insn.src} = atomic${bits}_fetch_${insn.op}(${addr}, r${insn.src})`;
      return `lock ${mem(insn.size, insn.base, insn.off)} ${ATOMIC_LOCK_OPS[insn.op]} r${insn.src}`;
    }
    case 'ja':
      return `${insn.long ? 'gotol' : 'goto'} pc${signed(insn.off)}`;
    case 'jcond': {
      const src = insn.src.type === 'reg' ? reg(insn.width, insn.src.reg) : `0x${(insn.src.imm >>> 0).toString(16)}`;
      return `if ${reg(insn.width, insn.dst)} ${JMP_OPS[insn.cond]} ${src} goto pc${signed(insn.off)}`;
    }
    case 'call':
      if (insn.target === 'local') return `call pc${signed(insn.imm)}`;
      if (insn.target === 'kfunc') return `call ${names.kfunc(insn.imm) ?? 'kernel-function'}#${insn.imm}`;
      return `call ${(insn.imm >= 0 ? names.helper(insn.imm) : undefined) ?? 'unknown'}#${insn.imm}`;
    case 'exit':
      return 'exit';
    case 'ldpkt':
      return insn.mode === 'abs'
        ? `r0 = *(${sizeName(insn.size)} *)skb[${insn.imm | 0}]`
        : `r0 = *(${sizeName(insn.size)} *)skb[r${insn.src} + ${insn.imm | 0}]`;
  }
}

/**
 * The instruction at `pc` as the verifier log prints it, without the `pc: ` prefix or a
 * newline: `(61) r2 = *(u32 *)(r1 +0)`. `pc` is where it stands (kept for callers that print
 * targets; the kernel's text is relative).
 */
export function insnText(insn: Insn, _pc: number, names: InsnNames): string {
  return `(${opcodeOf(insn).toString(16).padStart(2, '0')}) ${body(insn, names)}`;
}

/**
 * One line of the level-2 "Live regs before insn:" listing: the strongly connected component
 * (0: none), the pc, r0-r9 alive before the instruction (bit i = ri) and its text.
 */
export function liveRegsLine(pc: number, scc: number, liveBefore: number, text: string): string {
  const sccText = scc ? `${String(scc).padStart(3)} ` : '    ';
  let regs = '';
  for (let r = 0; r < 10; r++) regs += liveBefore & (1 << r) ? String(r) : '.';
  return `${sccText}${String(pc).padStart(3)}: ${regs} ${text}`;
}

/** The heading of the level-2 liveness listing. */
export const LIVE_REGS_HEADING = 'Live regs before insn:';

/**
 * `line` (`pc: (op) text`) padded so the `;` of the register state the walk appends lands where
 * the kernel puts it: log.c's vlog_alignment, counting the line's newline the state replaces —
 * column 38 for up to 35 characters, else 2 before the 8-aligned column 5 past the line's end.
 */
export function padToStateColumn(line: string): string {
  const column = Math.ceil(Math.max(line.length + 5, 40) / 8) * 8 - 2;
  return line.padEnd(column);
}
