// Typed eBPF instructions: one variant per instruction kind. Nothing after decode looks at
// opcode bits; assembler, disassembler, interpreter and verifier switch over `kind`.

/** Register number 0..10. */
export type Reg = number;
export type Width = 32 | 64;
export type AccessSize = 1 | 2 | 4 | 8;

/** Binary ALU operations; SDIV/SMOD are the off=1 forms of DIV/MOD (RFC 9669 §4.1). */
export type AluOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'sdiv'
  | 'or'
  | 'and'
  | 'lsh'
  | 'rsh'
  | 'mod'
  | 'smod'
  | 'xor'
  | 'mov'
  | 'arsh';

/**
 * Each ALU operation's compound-assignment operator (`mov` is plain `=`): the LLVM dialect's
 * syntax, and the kernel's bpf_alu_string in disasm.c and the verifier's messages alike.
 */
export const ALU_OPERATOR: Readonly<Record<AluOp, string>> = {
  add: '+=',
  sub: '-=',
  mul: '*=',
  div: '/=',
  sdiv: 's/=',
  or: '|=',
  and: '&=',
  lsh: '<<=',
  rsh: '>>=',
  mod: '%=',
  smod: 's%=',
  xor: '^=',
  mov: '=',
  arsh: 's>>=',
};

export type JmpCond =
  | 'jeq'
  | 'jgt'
  | 'jge'
  | 'jset'
  | 'jne'
  | 'jsgt'
  | 'jsge'
  | 'jlt'
  | 'jle'
  | 'jslt'
  | 'jsle';

export type AtomicOp = 'add' | 'or' | 'and' | 'xor' | 'xchg' | 'cmpxchg';

/** Second operand: a register or the 32-bit signed immediate. */
export type Operand = { readonly type: 'reg'; readonly reg: Reg } | { readonly type: 'imm'; readonly imm: number };

export interface AluInsn {
  readonly kind: 'alu';
  readonly width: Width;
  readonly op: AluOp;
  readonly dst: Reg;
  readonly src: Operand;
}
/** MOVSX: dst = sign-extended low `bits` of src (cpu v4). */
export interface MovsxInsn {
  readonly kind: 'movsx';
  readonly width: Width;
  readonly bits: 8 | 16 | 32;
  readonly dst: Reg;
  readonly src: Reg;
}
export interface NegInsn {
  readonly kind: 'neg';
  readonly width: Width;
  readonly dst: Reg;
}
/** Byte swaps: to little/big endian (ALU class) or unconditional bswap (ALU64, cpu v4). */
export interface EndInsn {
  readonly kind: 'end';
  readonly order: 'le' | 'be' | 'bswap';
  readonly bits: 16 | 32 | 64;
  readonly dst: Reg;
}
/** LD_IMM64 (two slots). `pseudo` is src_reg: 0 plain, 1 map fd, 2 map value, … 6. */
export interface LdImm64Insn {
  readonly kind: 'ldimm64';
  readonly dst: Reg;
  readonly pseudo: number;
  /** imm of the first slot (signed 32-bit). */
  readonly imm: number;
  /** imm of the second slot (signed 32-bit): the upper half for pseudo 0. */
  readonly imm2: number;
}
export interface LoadInsn {
  readonly kind: 'load';
  readonly size: AccessSize;
  /** MEMSX (cpu v4): sign-extend to 64 bits instead of zero-extend. */
  readonly signExtend: boolean;
  readonly dst: Reg;
  readonly base: Reg;
  readonly off: number;
}
/** ST (immediate) and STX (register) stores; `base` is the dst_reg field. */
export interface StoreInsn {
  readonly kind: 'store';
  readonly size: AccessSize;
  readonly base: Reg;
  readonly off: number;
  readonly src: Operand;
}
export interface AtomicInsn {
  readonly kind: 'atomic';
  readonly size: 4 | 8;
  readonly op: AtomicOp;
  /** FETCH modifier: src receives the old value. Always true for xchg and cmpxchg. */
  readonly fetch: boolean;
  readonly base: Reg;
  readonly off: number;
  readonly src: Reg;
}
/** Unconditional jump: `goto` (JMP, 16-bit off) or `gotol` (JMP32, 32-bit imm, cpu v4). */
export interface JaInsn {
  readonly kind: 'ja';
  readonly long: boolean;
  readonly off: number;
}
export interface JcondInsn {
  readonly kind: 'jcond';
  readonly width: Width;
  readonly cond: JmpCond;
  readonly dst: Reg;
  readonly src: Operand;
  readonly off: number;
}
/**
 * may_goto (BPF_JMP | BPF_JCOND, src_reg BPF_MAY_GOTO = 0; Linux 6.9, not in RFC 9669): falls
 * through while the frame's hidden loop budget lasts, taking one from it, and jumps to
 * pc + off + 1 once it is spent (kernel/bpf/verifier.c, do_misc_fixups).
 */
export interface MayGotoInsn {
  readonly kind: 'may_goto';
  readonly off: number;
}
/**
 * addr_space_cast (ALU64 MOV X with off = BPF_ADDR_SPACE_CAST = 1; Linux 6.9, not in RFC 9669):
 * dst = src converted from address space `srcAs` to `dstAs` (imm = dstAs << 16 | srcAs). Linux
 * accepts only 1 → 0 (cast_kern) and 0 → 1 (cast_user), in a program with an arena map.
 */
export interface AddrSpaceCastInsn {
  readonly kind: 'addr_space_cast';
  readonly dst: Reg;
  readonly src: Reg;
  /** 0..0xffff each. */
  readonly dstAs: number;
  readonly srcAs: number;
}
/** CALL: helper by id, BPF-to-BPF (imm = relative target), or kfunc by BTF id (off = BTF fd index). */
export interface CallInsn {
  readonly kind: 'call';
  readonly target: 'helper' | 'local' | 'kfunc';
  readonly imm: number;
  readonly off: number;
}
export interface ExitInsn {
  readonly kind: 'exit';
}
/** Legacy packet loads (BPF_ABS / BPF_IND); r0 = ntoh(*(size *)(skb->data + [src] + imm)). */
export interface LdPacketInsn {
  readonly kind: 'ldpkt';
  readonly mode: 'abs' | 'ind';
  readonly size: 1 | 2 | 4;
  readonly src: Reg;
  readonly imm: number;
}

export type Insn =
  | AluInsn
  | MovsxInsn
  | NegInsn
  | EndInsn
  | LdImm64Insn
  | LoadInsn
  | StoreInsn
  | AtomicInsn
  | JaInsn
  | JcondInsn
  | MayGotoInsn
  | AddrSpaceCastInsn
  | CallInsn
  | ExitInsn
  | LdPacketInsn;

export type InsnKind = Insn['kind'];

/** Number of 8-byte slots the instruction occupies. */
export function slotCount(insn: Insn): 1 | 2 {
  return insn.kind === 'ldimm64' ? 2 : 1;
}

/** Relative jump distance of a jump (in slots, from the next instruction), or undefined. */
export function jumpOffset(insn: Insn): number | undefined {
  if (insn.kind === 'ja') return insn.off;
  if (insn.kind === 'jcond') return insn.off;
  if (insn.kind === 'may_goto') return insn.off;
  if (insn.kind === 'call' && insn.target === 'local') return insn.imm;
  return undefined;
}

/** Registers an instruction writes (for the debugger and the verifier's liveness). */
export function writtenRegs(insn: Insn): Reg[] {
  switch (insn.kind) {
    case 'alu':
    case 'movsx':
    case 'addr_space_cast':
    case 'neg':
    case 'end':
    case 'ldimm64':
    case 'load':
      return [insn.dst];
    case 'atomic':
      if (insn.op === 'cmpxchg') return [0];
      return insn.fetch ? [insn.src] : [];
    case 'call':
      return [0, 1, 2, 3, 4, 5];
    case 'ldpkt':
      return [0];
    case 'store':
    case 'ja':
    case 'jcond':
    case 'may_goto':
    case 'exit':
      return [];
  }
}
