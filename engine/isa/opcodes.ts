// Numeric constants of the eBPF encoding (RFC 9669 §3-§5). Only the ISA table and the
// codec in this folder use them; every later stage works on typed instructions.

export const CLS = {
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04,
  JMP: 0x05,
  JMP32: 0x06,
  ALU64: 0x07,
} as const;

/** Source bit of ALU/JMP opcodes: immediate (K) or register (X). */
export const SRC_K = 0x00;
export const SRC_X = 0x08;

export const ALU_CODE = {
  add: 0x00,
  sub: 0x10,
  mul: 0x20,
  div: 0x30,
  or: 0x40,
  and: 0x50,
  lsh: 0x60,
  rsh: 0x70,
  neg: 0x80,
  mod: 0x90,
  xor: 0xa0,
  mov: 0xb0,
  arsh: 0xc0,
  end: 0xd0,
} as const;

export const JMP_CODE = {
  ja: 0x00,
  jeq: 0x10,
  jgt: 0x20,
  jge: 0x30,
  jset: 0x40,
  jne: 0x50,
  jsgt: 0x60,
  jsge: 0x70,
  call: 0x80,
  exit: 0x90,
  jlt: 0xa0,
  jle: 0xb0,
  jslt: 0xc0,
  jsle: 0xd0,
  /** BPF_JCOND (Linux 6.9): may_goto, with src_reg BPF_MAY_GOTO. */
  jcond: 0xe0,
} as const;

/** Size field of load/store opcodes, by access size in bytes. */
export const SIZE_CODE: Readonly<Record<1 | 2 | 4 | 8, number>> = { 4: 0x00, 2: 0x08, 1: 0x10, 8: 0x18 };

export const MODE = {
  IMM: 0x00,
  ABS: 0x20,
  IND: 0x40,
  MEM: 0x60,
  MEMSX: 0x80,
  ATOMIC: 0xc0,
} as const;

/** imm field of BPF_STX|BPF_ATOMIC (RFC 9669 §5.3). */
export const ATOMIC_IMM = {
  add: 0x00,
  or: 0x40,
  and: 0x50,
  xor: 0xa0,
  xchg: 0xe0,
  cmpxchg: 0xf0,
  FETCH: 0x01,
} as const;

/** src_reg values of BPF_LD|BPF_IMM|BPF_DW (RFC 9669 §5.4; include/uapi/linux/bpf.h). */
export const PSEUDO_LDIMM64 = {
  IMM: 0,
  MAP_FD: 1,
  MAP_VALUE: 2,
  BTF_ID: 3,
  FUNC: 4,
  MAP_IDX: 5,
  MAP_IDX_VALUE: 6,
} as const;

/** src_reg values of BPF_JMP|BPF_CALL. */
export const PSEUDO_CALL = {
  HELPER: 0,
  LOCAL: 1,
  KFUNC: 2,
} as const;

/** src_reg of BPF_JMP|BPF_JCOND: the only condition Linux defines. */
export const BPF_MAY_GOTO = 0;
/** off of ALU64 MOV X that makes it addr_space_cast (include/uapi/linux/bpf.h). */
export const BPF_ADDR_SPACE_CAST = 1;

export const OPCODE_LDDW = CLS.LD | MODE.IMM | SIZE_CODE[8]; // 0x18
export const OPCODE_CALL = CLS.JMP | JMP_CODE.call; // 0x85
export const OPCODE_EXIT = CLS.JMP | JMP_CODE.exit; // 0x95

/** Register numbers. r10 is the read-only frame pointer. */
export const MAX_REG = 10;
export const FRAME_POINTER = 10;
/** Bytes of stack per frame (MAX_BPF_STACK) and call depth (MAX_CALL_FRAMES) in Linux. */
export const STACK_SIZE = 512;
export const MAX_CALL_FRAMES = 8;
/** may_goto's loop budget per frame: BPF_MAX_LOOPS = 8 * 1024 * 1024 (include/linux/bpf.h). */
export const BPF_MAX_LOOPS = 8 * 1024 * 1024;
