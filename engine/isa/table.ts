// THE instruction table: every instruction form of RFC 9669, built by crossing small lists.
// Decoder, encoder, both assembler dialects, the interpreter's pre-decoder and the verifier's
// whitelist all read this one list, so they cannot disagree about what exists.

import type { AccessSize, AluOp, AtomicOp, Insn, JmpCond, Width } from './insn.ts';
import { ALU_CODE, ATOMIC_IMM, BPF_ADDR_SPACE_CAST, BPF_MAY_GOTO, CLS, JMP_CODE, MODE, OPCODE_CALL, OPCODE_EXIT, OPCODE_LDDW, SIZE_CODE, SRC_K, SRC_X } from './opcodes.ts';

/** ISA levels as clang's -mcpu names them (kernel-facts §1.12). */
export type IsaLevel = 1 | 2 | 3 | 4;
export const ISA_LEVELS: readonly IsaLevel[] = [1, 2, 3, 4];

/** RFC 9669 §2.4 conformance groups, and `linux` for the Linux extensions outside RFC 9669. */
export type ConformanceGroup = 'base32' | 'base64' | 'atomic32' | 'atomic64' | 'divmul32' | 'divmul64' | 'packet' | 'linux';

/**
 * What a raw field may hold. `zero`: reserved, must be 0. `reg`: a register number 0..10.
 * `any`: any value of the field's width. A field that selects the form (see `select`) is
 * checked by the selection itself.
 */
export type FieldRule = 'zero' | 'reg' | 'any';

export type RawField = 'dst' | 'src' | 'off' | 'imm';

export interface Form {
  /** Unique id, e.g. `add32_imm`, `ldxsw`, `lock_fetch_add32`, `lddw_map_fd`. */
  readonly id: string;
  /** Mnemonic in the ubpf / bpf_conformance dialect (`add32`, `ldxsw`, `lock fetch add32`). */
  readonly mnemonic: string;
  readonly opcode: number;
  /** A non-opcode field whose value selects this form among those sharing the opcode. */
  readonly select?: { readonly field: RawField; readonly value: number };
  readonly fields: Readonly<Record<RawField, FieldRule>>;
  readonly isa: IsaLevel;
  readonly group: ConformanceGroup;
  /** The typed instruction with every variable field zeroed; decode fills them in. */
  readonly template: Insn;
  /** What the instruction does, in one line, for hovers and docs. */
  readonly summary: string;
  /**
   * For a Linux extension outside RFC 9669: the Linux release that brought it. A kernel profile
   * older than that refuses the program at load (engine/kernel/loader.ts).
   */
  readonly linux?: string;
}

const REG_IMM = ['imm', 'reg'] as const;

function rules(dst: FieldRule, src: FieldRule, off: FieldRule, imm: FieldRule): Record<RawField, FieldRule> {
  return { dst, src, off, imm };
}

const forms: Form[] = [];
function add(form: Form): void {
  forms.push(form);
}

// ---- ALU / ALU64 ------------------------------------------------------------------------

const ALU_SUMMARY: Record<AluOp, string> = {
  add: 'dst += src',
  sub: 'dst -= src',
  mul: 'dst *= src',
  div: 'dst = dst / src (unsigned; divisor 0 gives 0)',
  sdiv: 'dst = dst / src (signed; divisor 0 gives 0)',
  or: 'dst |= src',
  and: 'dst &= src',
  lsh: 'dst <<= src (amount masked to the width)',
  rsh: 'dst >>= src (logical; amount masked)',
  mod: 'dst = dst % src (unsigned; divisor 0 leaves dst)',
  smod: 'dst = dst % src (signed, sign of the dividend; divisor 0 leaves dst)',
  xor: 'dst ^= src',
  mov: 'dst = src',
  arsh: 'dst >>= src (arithmetic; amount masked)',
};

const ALU_BINARY: readonly AluOp[] = ['add', 'sub', 'mul', 'div', 'or', 'and', 'lsh', 'rsh', 'mod', 'xor', 'mov', 'arsh'];
const DIVMUL: ReadonlySet<AluOp> = new Set<AluOp>(['mul', 'div', 'mod', 'sdiv', 'smod']);

for (const width of [64, 32] as const) {
  const cls = width === 64 ? CLS.ALU64 : CLS.ALU;
  const sfx = width === 64 ? '' : '32';
  const group = (op: AluOp): ConformanceGroup =>
    DIVMUL.has(op) ? (width === 64 ? 'divmul64' : 'divmul32') : width === 64 ? 'base64' : 'base32';
  for (const op of [...ALU_BINARY, 'sdiv', 'smod'] as AluOp[]) {
    const signed = op === 'sdiv' || op === 'smod';
    const code = op === 'sdiv' ? ALU_CODE.div : op === 'smod' ? ALU_CODE.mod : ALU_CODE[op as keyof typeof ALU_CODE];
    for (const source of REG_IMM) {
      add({
        id: `${op}${sfx}_${source}`,
        mnemonic: `${op}${sfx}`,
        opcode: cls | code | (source === 'reg' ? SRC_X : SRC_K),
        select: { field: 'off', value: signed ? 1 : 0 },
        fields: source === 'reg' ? rules('reg', 'reg', 'zero', 'zero') : rules('reg', 'zero', 'zero', 'any'),
        isa: signed ? 4 : 1,
        group: group(op),
        template: { kind: 'alu', width, op, dst: 0, src: source === 'reg' ? { type: 'reg', reg: 0 } : { type: 'imm', imm: 0 } },
        summary: `${width}-bit ${ALU_SUMMARY[op]}${width === 32 ? ', result zero-extended' : ''}`,
      });
    }
  }
  for (const bits of width === 64 ? ([8, 16, 32] as const) : ([8, 16] as const)) {
    add({
      id: `movsx${bits}${width}`,
      mnemonic: `movsx${bits}${width}`,
      opcode: cls | ALU_CODE.mov | SRC_X,
      select: { field: 'off', value: bits },
      fields: rules('reg', 'reg', 'zero', 'zero'),
      isa: 4,
      group: width === 64 ? 'base64' : 'base32',
      template: { kind: 'movsx', width, bits, dst: 0, src: 0 },
      summary: `dst = sign-extended low ${bits} bits of src, to ${width} bits${width === 32 ? ', then zero-extended' : ''}`,
    });
  }
  add({
    id: `neg${sfx}`,
    mnemonic: `neg${sfx}`,
    opcode: cls | ALU_CODE.neg | SRC_K,
    fields: rules('reg', 'zero', 'zero', 'zero'),
    isa: 1,
    group: width === 64 ? 'base64' : 'base32',
    template: { kind: 'neg', width, dst: 0 },
    summary: `dst = -dst (${width}-bit)`,
  });
}

// addr_space_cast: MOV64 X with off = 1 and imm = dst_as << 16 | src_as (Linux 6.9, arenas).
// llvm-mc-19 takes it at every -mcpu; it sits with the newest level, as the extensions after
// cpu v4 (Linux 6.6) do.
add({
  id: 'addr_space_cast',
  mnemonic: 'addr_space_cast',
  opcode: CLS.ALU64 | ALU_CODE.mov | SRC_X,
  select: { field: 'off', value: BPF_ADDR_SPACE_CAST },
  fields: rules('reg', 'reg', 'zero', 'any'),
  isa: 4,
  group: 'linux',
  template: { kind: 'addr_space_cast', dst: 0, src: 0, dstAs: 0, srcAs: 0 },
  summary: 'dst = src cast from address space src_as to dst_as (arena pointers: 1 → 0 is cast_kern, 0 → 1 cast_user)',
  linux: '6.9',
});

// ---- byte swaps ---------------------------------------------------------------------------

for (const order of ['le', 'be', 'bswap'] as const) {
  for (const bits of [16, 32, 64] as const) {
    const opcode =
      order === 'bswap' ? CLS.ALU64 | ALU_CODE.end | SRC_K : CLS.ALU | ALU_CODE.end | (order === 'be' ? SRC_X : SRC_K);
    add({
      id: `${order}${bits}`,
      mnemonic: `${order}${bits}`,
      opcode,
      select: { field: 'imm', value: bits },
      fields: rules('reg', 'zero', 'zero', 'any'),
      isa: order === 'bswap' ? 4 : 1,
      group: bits === 64 ? 'base64' : 'base32',
      template: { kind: 'end', order, bits, dst: 0 },
      summary:
        order === 'bswap'
          ? `dst = byte-swapped low ${bits} bits of dst`
          : `dst = low ${bits} bits of dst converted to ${order === 'le' ? 'little' : 'big'}-endian`,
    });
  }
}

// ---- LD_IMM64 -----------------------------------------------------------------------------

const PSEUDO_NAMES = ['', 'map_fd', 'map_value', 'btf_id', 'func', 'map_idx', 'map_idx_value'] as const;
const PSEUDO_SUMMARY = [
  'dst = 64-bit immediate',
  'dst = pointer to the map (BPF_PSEUDO_MAP_FD)',
  'dst = pointer into the map value at next_imm (BPF_PSEUDO_MAP_VALUE)',
  'dst = address of a kernel variable by BTF id (BPF_PSEUDO_BTF_ID)',
  'dst = pointer to the subprogram at pc + imm + 1 (BPF_PSEUDO_FUNC)',
  'dst = pointer to the map at fd_array[imm] (BPF_PSEUDO_MAP_IDX)',
  'dst = pointer into the value of the map at fd_array[imm] (BPF_PSEUDO_MAP_IDX_VALUE)',
];
PSEUDO_NAMES.forEach((name, pseudo) => {
  add({
    id: pseudo === 0 ? 'lddw' : `lddw_${name}`,
    mnemonic: 'lddw',
    opcode: OPCODE_LDDW,
    select: { field: 'src', value: pseudo },
    fields: rules('reg', 'zero', 'zero', 'any'),
    isa: 1,
    group: 'base64',
    template: { kind: 'ldimm64', dst: 0, pseudo, imm: 0, imm2: 0 },
    summary: PSEUDO_SUMMARY[pseudo] ?? '',
  });
});

// ---- loads and stores ---------------------------------------------------------------------

const SIZE_LETTER: Record<AccessSize, string> = { 1: 'b', 2: 'h', 4: 'w', 8: 'dw' };
const SIZE_C: Record<AccessSize, string> = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64' };

for (const size of [1, 2, 4, 8] as const) {
  const l = SIZE_LETTER[size];
  const group: ConformanceGroup = size === 8 ? 'base64' : 'base32';
  add({
    id: `ldx${l}`,
    mnemonic: `ldx${l}`,
    opcode: CLS.LDX | MODE.MEM | SIZE_CODE[size],
    fields: rules('reg', 'reg', 'any', 'zero'),
    isa: 1,
    group,
    template: { kind: 'load', size, signExtend: false, dst: 0, base: 0, off: 0 },
    summary: `dst = *(${SIZE_C[size]} *)(src + off), zero-extended`,
  });
  if (size !== 8) {
    add({
      id: `ldxs${l}`,
      mnemonic: `ldxs${l}`,
      opcode: CLS.LDX | MODE.MEMSX | SIZE_CODE[size],
      fields: rules('reg', 'reg', 'any', 'zero'),
      isa: 4,
      group: 'base64',
      template: { kind: 'load', size, signExtend: true, dst: 0, base: 0, off: 0 },
      summary: `dst = *(s${size * 8} *)(src + off), sign-extended to 64 bits`,
    });
  }
  add({
    id: `st${l}`,
    mnemonic: `st${l}`,
    opcode: CLS.ST | MODE.MEM | SIZE_CODE[size],
    fields: rules('reg', 'zero', 'any', 'any'),
    isa: 1,
    group,
    template: { kind: 'store', size, base: 0, off: 0, src: { type: 'imm', imm: 0 } },
    summary: `*(${SIZE_C[size]} *)(dst + off) = imm`,
  });
  add({
    id: `stx${l}`,
    mnemonic: `stx${l}`,
    opcode: CLS.STX | MODE.MEM | SIZE_CODE[size],
    fields: rules('reg', 'reg', 'any', 'zero'),
    isa: 1,
    group,
    template: { kind: 'store', size, base: 0, off: 0, src: { type: 'reg', reg: 0 } },
    summary: `*(${SIZE_C[size]} *)(dst + off) = src`,
  });
}

// ---- atomics ------------------------------------------------------------------------------

const ATOMIC_SUMMARY: Record<AtomicOp, string> = {
  add: '*(dst + off) += src',
  or: '*(dst + off) |= src',
  and: '*(dst + off) &= src',
  xor: '*(dst + off) ^= src',
  xchg: 'swap *(dst + off) and src',
  cmpxchg: 'if *(dst + off) == r0 then *(dst + off) = src; r0 = old value',
};
for (const size of [8, 4] as const) {
  const sfx = size === 8 ? '' : '32';
  for (const op of ['add', 'or', 'and', 'xor', 'xchg', 'cmpxchg'] as const) {
    for (const fetch of op === 'xchg' || op === 'cmpxchg' ? [true] : [false, true]) {
      const fetchWord = fetch && op !== 'xchg' && op !== 'cmpxchg' ? 'fetch ' : '';
      const mnemonic = `lock ${fetchWord}${op}${sfx}`;
      add({
        id: mnemonic.replace(/ /g, '_'),
        mnemonic,
        opcode: CLS.STX | MODE.ATOMIC | SIZE_CODE[size],
        select: { field: 'imm', value: ATOMIC_IMM[op] | (fetch ? ATOMIC_IMM.FETCH : 0) },
        fields: rules('reg', 'reg', 'any', 'any'),
        // Plain atomic add (the old XADD) is as old as eBPF; the rest came with cpu v3 (Linux 5.12).
        isa: op === 'add' && !fetch ? 1 : 3,
        group: size === 8 ? 'atomic64' : 'atomic32',
        template: { kind: 'atomic', size, op, fetch, base: 0, off: 0, src: 0 },
        summary: `atomically ${ATOMIC_SUMMARY[op]} (${size * 8}-bit)${fetchWord ? '; src = old value' : ''}`,
      });
    }
  }
}

// ---- jumps, calls, exit -------------------------------------------------------------------

add({
  id: 'ja',
  mnemonic: 'ja',
  opcode: CLS.JMP | JMP_CODE.ja,
  fields: rules('zero', 'zero', 'any', 'zero'),
  isa: 1,
  group: 'base32',
  template: { kind: 'ja', long: false, off: 0 },
  summary: 'pc += off (16-bit offset)',
});
add({
  id: 'ja32',
  mnemonic: 'ja32',
  opcode: CLS.JMP32 | JMP_CODE.ja,
  fields: rules('zero', 'zero', 'zero', 'any'),
  isa: 4,
  group: 'base32',
  template: { kind: 'ja', long: true, off: 0 },
  summary: 'pc += imm (32-bit offset, `gotol`)',
});

add({
  id: 'may_goto',
  mnemonic: 'may_goto',
  opcode: CLS.JMP | JMP_CODE.jcond | SRC_K,
  select: { field: 'src', value: BPF_MAY_GOTO },
  fields: rules('zero', 'zero', 'any', 'zero'),
  isa: 4,
  group: 'linux',
  template: { kind: 'may_goto', off: 0 },
  summary: "if the frame's loop budget (8M, BPF_MAX_LOOPS) is spent then pc += off, else take one from it",
  linux: '6.9',
});

const COND_SUMMARY: Record<JmpCond, string> = {
  jeq: '==',
  jgt: '> (unsigned)',
  jge: '>= (unsigned)',
  jset: '& (any bit in common)',
  jne: '!=',
  jsgt: '> (signed)',
  jsge: '>= (signed)',
  jlt: '< (unsigned)',
  jle: '<= (unsigned)',
  jslt: '< (signed)',
  jsle: '<= (signed)',
};
const CONDS: readonly JmpCond[] = ['jeq', 'jgt', 'jge', 'jset', 'jne', 'jsgt', 'jsge', 'jlt', 'jle', 'jslt', 'jsle'];
const V2_CONDS: ReadonlySet<JmpCond> = new Set<JmpCond>(['jlt', 'jle', 'jslt', 'jsle']);
for (const width of [64, 32] as const) {
  for (const cond of CONDS) {
    for (const source of REG_IMM) {
      const sfx = width === 64 ? '' : '32';
      add({
        id: `${cond}${sfx}_${source}`,
        mnemonic: `${cond}${sfx}`,
        opcode: (width === 64 ? CLS.JMP : CLS.JMP32) | JMP_CODE[cond] | (source === 'reg' ? SRC_X : SRC_K),
        fields: source === 'reg' ? rules('reg', 'reg', 'any', 'zero') : rules('reg', 'zero', 'any', 'any'),
        isa: width === 32 ? 3 : V2_CONDS.has(cond) ? 2 : 1,
        group: width === 64 ? 'base64' : 'base32',
        template: {
          kind: 'jcond',
          width: width as Width,
          cond,
          dst: 0,
          src: source === 'reg' ? { type: 'reg', reg: 0 } : { type: 'imm', imm: 0 },
          off: 0,
        },
        summary: `if dst ${COND_SUMMARY[cond]} src (${width}-bit compare) then pc += off`,
      });
    }
  }
}

const CALL_TARGETS = [
  ['helper', 'call a helper function by id (r1-r5 arguments, r0 result)'],
  ['local', 'call the BPF function at pc + imm + 1 (r6-r9 preserved)'],
  ['kfunc', 'call a kernel function (kfunc) by BTF id'],
] as const;
// The index in this list is the call's src_reg (BPF_PSEUDO_CALL = 1, BPF_PSEUDO_KFUNC_CALL = 2).
CALL_TARGETS.forEach(([target, summary], pseudo) => {
  add({
    id: `call_${target}`,
    mnemonic: 'call',
    opcode: OPCODE_CALL,
    select: { field: 'src', value: pseudo },
    // off of a kfunc call indexes fd_array for module BTF (0 = vmlinux).
    fields: rules('zero', 'zero', target === 'kfunc' ? 'any' : 'zero', 'any'),
    isa: 1,
    group: 'base32',
    template: { kind: 'call', target, imm: 0, off: 0 },
    summary,
  });
});
add({
  id: 'exit',
  mnemonic: 'exit',
  opcode: OPCODE_EXIT,
  fields: rules('zero', 'zero', 'zero', 'zero'),
  isa: 1,
  group: 'base32',
  template: { kind: 'exit' },
  summary: 'return r0 to the caller (or end the program)',
});

// ---- legacy packet access -----------------------------------------------------------------

for (const mode of ['abs', 'ind'] as const) {
  for (const size of [1, 2, 4] as const) {
    add({
      id: `ld${mode}${SIZE_LETTER[size]}`,
      mnemonic: `ld${mode}${SIZE_LETTER[size]}`,
      opcode: CLS.LD | (mode === 'abs' ? MODE.ABS : MODE.IND) | SIZE_CODE[size],
      fields: rules('zero', mode === 'abs' ? 'zero' : 'reg', 'zero', 'any'),
      isa: 1,
      group: 'packet',
      template: { kind: 'ldpkt', mode, size, src: 0, imm: 0 },
      summary: `r0 = ntohs/ntohl(*(${SIZE_C[size]} *)(skb->data + ${mode === 'ind' ? 'src + ' : ''}imm)) (legacy)`,
    });
  }
}

/** Every instruction form, in a stable order. */
export const FORMS: readonly Form[] = forms;

const byId = new Map<string, Form>();
const byOpcode = new Map<number, Form[]>();
const byKey = new Map<string, Form>();
for (const form of FORMS) {
  if (byId.has(form.id)) throw new Error(`duplicate form id ${form.id}`);
  byId.set(form.id, form);
  const list = byOpcode.get(form.opcode) ?? [];
  list.push(form);
  byOpcode.set(form.opcode, list);
  const key = formKey(form.template);
  if (byKey.has(key)) throw new Error(`two forms share the key ${key}`);
  byKey.set(key, form);
}

/** The parameters that identify a form (everything but register numbers and offsets). */
export function formKey(insn: Insn): string {
  switch (insn.kind) {
    case 'alu':
      return `alu/${insn.width}/${insn.op}/${insn.src.type}`;
    case 'movsx':
      return `movsx/${insn.width}/${insn.bits}`;
    case 'neg':
      return `neg/${insn.width}`;
    case 'end':
      return `end/${insn.order}/${insn.bits}`;
    case 'ldimm64':
      return `ldimm64/${insn.pseudo}`;
    case 'load':
      return `load/${insn.size}/${insn.signExtend ? 'sx' : 'zx'}`;
    case 'store':
      return `store/${insn.size}/${insn.src.type}`;
    case 'atomic':
      return `atomic/${insn.size}/${insn.op}/${insn.fetch ? 'fetch' : ''}`;
    case 'ja':
      return `ja/${insn.long ? 'long' : 'short'}`;
    case 'jcond':
      return `jcond/${insn.width}/${insn.cond}/${insn.src.type}`;
    case 'may_goto':
      return 'may_goto';
    case 'addr_space_cast':
      return 'addr_space_cast';
    case 'call':
      return `call/${insn.target}`;
    case 'exit':
      return 'exit';
    case 'ldpkt':
      return `ldpkt/${insn.mode}/${insn.size}`;
  }
}

export function formById(id: string): Form | undefined {
  return byId.get(id);
}

export function formsByOpcode(opcode: number): readonly Form[] {
  return byOpcode.get(opcode) ?? [];
}

/** The form of a typed instruction; undefined only for an instruction no form describes. */
export function formOf(insn: Insn): Form | undefined {
  return byKey.get(formKey(insn));
}

export function isaName(level: IsaLevel): string {
  return `v${level}`;
}

export function parseIsaLevel(text: string): IsaLevel | undefined {
  const m = /^v?([1-4])$/.exec(text.trim());
  return m ? (Number(m[1]) as IsaLevel) : undefined;
}
