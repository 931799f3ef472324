// Bytes <-> typed instructions. The only code that reads or writes instruction bits; it
// checks every field against the ISA table and reports, never throws, on bad input.

import type { Insn, Operand } from './insn.ts';
import { MAX_REG } from './opcodes.ts';
import { formOf, formsByOpcode, isaName, type Form, type IsaLevel, type RawField } from './table.ts';

/** One 8-byte slot, fields as the kernel's struct bpf_insn holds them (off/imm signed). */
export interface RawInsn {
  readonly opcode: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
}

export interface IsaError {
  /** Slot index of the offending instruction. */
  readonly pc: number;
  readonly code: 'unknown-opcode' | 'reserved-field' | 'bad-register' | 'isa-level' | 'truncated' | 'bad-ldimm64';
  readonly message: string;
}

export const SLOT_BYTES = 8;

export function readRaw(bytes: Uint8Array, slot: number): RawInsn {
  const o = slot * SLOT_BYTES;
  const regs = bytes[o + 1] ?? 0;
  const off = ((bytes[o + 2] ?? 0) | ((bytes[o + 3] ?? 0) << 8)) << 16 >> 16;
  const imm = (bytes[o + 4] ?? 0) | ((bytes[o + 5] ?? 0) << 8) | ((bytes[o + 6] ?? 0) << 16) | ((bytes[o + 7] ?? 0) << 24);
  return { opcode: bytes[o] ?? 0, dst: regs & 0x0f, src: regs >>> 4, off, imm };
}

export function writeRaw(bytes: Uint8Array, slot: number, raw: RawInsn): void {
  const o = slot * SLOT_BYTES;
  bytes[o] = raw.opcode & 0xff;
  bytes[o + 1] = (raw.dst & 0x0f) | ((raw.src & 0x0f) << 4);
  bytes[o + 2] = raw.off & 0xff;
  bytes[o + 3] = (raw.off >> 8) & 0xff;
  bytes[o + 4] = raw.imm & 0xff;
  bytes[o + 5] = (raw.imm >> 8) & 0xff;
  bytes[o + 6] = (raw.imm >> 16) & 0xff;
  bytes[o + 7] = (raw.imm >>> 24) & 0xff;
}

function hex2(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

const FIELD_NAME: Record<RawField, string> = { dst: 'dst_reg', src: 'src_reg', off: 'off', imm: 'imm' };

function describeChoices(values: number[]): string {
  if (values.length === 1) return String(values[0]);
  return `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/** Forms that are deliberately absent, with the reason shown when their encoding is met. */
function knownExtension(raw: RawInsn): string | undefined {
  if (raw.opcode === 0x8d) return 'callx (BPF_CALL|BPF_X) is not in RFC 9669 and Linux rejects it';
  if ((raw.opcode === 0xdb || raw.opcode === 0xc3 || raw.opcode === 0xd3 || raw.opcode === 0xcb) && (raw.imm === 0x100 || raw.imm === 0x110))
    return 'load-acquire/store-release are a Linux 6.15 extension, not in RFC 9669';
  return undefined;
}

export type DecodeResult = { readonly ok: true; readonly insn: Insn; readonly slots: 1 | 2 } | { readonly ok: false; readonly error: IsaError };

/** Decodes the instruction at `slot`. `isa` limits the accepted forms (default v4). */
export function decodeAt(bytes: Uint8Array, slot: number, isa: IsaLevel = 4): DecodeResult {
  const total = Math.floor(bytes.length / SLOT_BYTES);
  const fail = (code: IsaError['code'], message: string, pc = slot): DecodeResult => ({ ok: false, error: { pc, code, message } });
  if (slot >= total) return fail('truncated', `pc ${slot}: no instruction here (the program has ${total} slots)`);
  const raw = readRaw(bytes, slot);
  const candidates = formsByOpcode(raw.opcode);
  if (candidates.length === 0) {
    const ext = knownExtension(raw);
    return fail('unknown-opcode', `pc ${slot}: unknown opcode ${hex2(raw.opcode)}${ext ? ` (${ext})` : ''}`);
  }
  let form: Form | undefined;
  const selector = candidates[0]?.select;
  if (selector) {
    const value = raw[selector.field];
    form = candidates.find((f) => f.select?.value === value);
    if (!form) {
      const ext = knownExtension(raw);
      const names = [...new Set(candidates.map((f) => f.mnemonic))].join('/');
      const allowed = describeChoices(candidates.map((f) => f.select?.value ?? 0));
      return fail(
        'reserved-field',
        `pc ${slot}: ${names} (${hex2(raw.opcode)}) uses reserved fields: ${FIELD_NAME[selector.field]} must be ${allowed} (is ${value})${ext ? `; ${ext}` : ''}`,
      );
    }
  } else {
    form = candidates[0];
  }
  if (!form) return fail('unknown-opcode', `pc ${slot}: unknown opcode ${hex2(raw.opcode)}`);
  for (const field of ['dst', 'src', 'off', 'imm'] as const) {
    if (form.select?.field === field) continue;
    const rule = form.fields[field];
    const value = raw[field];
    if (rule === 'zero' && value !== 0) {
      return fail('reserved-field', `pc ${slot}: ${form.mnemonic} (${hex2(raw.opcode)}) uses reserved fields: ${FIELD_NAME[field]} must be 0 (is ${value})`);
    }
    if (rule === 'reg' && value > MAX_REG) {
      return fail('bad-register', `pc ${slot}: ${form.mnemonic} (${hex2(raw.opcode)}): ${FIELD_NAME[field]} r${value} is not a register (r0-r10)`);
    }
  }
  if (form.isa > isa) {
    return fail('isa-level', `pc ${slot}: ${form.mnemonic} (${hex2(raw.opcode)}) needs ISA ${isaName(form.isa)}; the selected level is ${isaName(isa)}`);
  }
  let imm2 = 0;
  if (form.template.kind === 'ldimm64') {
    if (slot + 1 >= total) return fail('bad-ldimm64', `pc ${slot}: lddw takes two slots but the program ends after the first`);
    const next = readRaw(bytes, slot + 1);
    if (next.opcode !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) {
      return fail('bad-ldimm64', `pc ${slot + 1}: the second slot of lddw must have opcode, registers and offset 0`, slot + 1);
    }
    imm2 = next.imm;
  }
  return { ok: true, insn: fill(form.template, raw, imm2), slots: form.template.kind === 'ldimm64' ? 2 : 1 };
}

function operand(src: Operand, raw: RawInsn): Operand {
  return src.type === 'reg' ? { type: 'reg', reg: raw.src } : { type: 'imm', imm: raw.imm };
}

/** The template of a form with the variable fields of `raw` filled in. */
function fill(t: Insn, raw: RawInsn, imm2: number): Insn {
  switch (t.kind) {
    case 'alu':
      return { ...t, dst: raw.dst, src: operand(t.src, raw) };
    case 'movsx':
      return { ...t, dst: raw.dst, src: raw.src };
    case 'addr_space_cast':
      return { ...t, dst: raw.dst, src: raw.src, dstAs: raw.imm >>> 16, srcAs: raw.imm & 0xffff };
    case 'neg':
    case 'end':
      return { ...t, dst: raw.dst };
    case 'ldimm64':
      return { ...t, dst: raw.dst, imm: raw.imm, imm2 };
    case 'load':
      return { ...t, dst: raw.dst, base: raw.src, off: raw.off };
    case 'store':
      return { ...t, base: raw.dst, off: raw.off, src: operand(t.src, raw) };
    case 'atomic':
      return { ...t, base: raw.dst, off: raw.off, src: raw.src };
    case 'ja':
      return { ...t, off: t.long ? raw.imm : raw.off };
    case 'jcond':
      return { ...t, dst: raw.dst, src: operand(t.src, raw), off: raw.off };
    case 'may_goto':
      return { ...t, off: raw.off };
    case 'call':
      return { ...t, imm: raw.imm, off: raw.off };
    case 'exit':
      return t;
    case 'ldpkt':
      return { ...t, src: raw.src, imm: raw.imm };
  }
}

export interface DecodedProgram {
  /** Indexed by slot; the second slot of an lddw holds null. */
  readonly insns: readonly (Insn | null)[];
  readonly errors: readonly IsaError[];
}

/** Decodes a whole program, reporting every bad slot (decoding resumes at the next slot). */
export function decodeProgram(bytes: Uint8Array, isa: IsaLevel = 4): DecodedProgram {
  const errors: IsaError[] = [];
  const insns: (Insn | null)[] = [];
  const total = Math.floor(bytes.length / SLOT_BYTES);
  if (bytes.length % SLOT_BYTES !== 0) {
    errors.push({
      pc: total,
      code: 'truncated',
      message: `the program is ${bytes.length} bytes, not a whole number of 8-byte instructions (${bytes.length % SLOT_BYTES} bytes left over)`,
    });
  }
  for (let slot = 0; slot < total; ) {
    const r = decodeAt(bytes, slot, isa);
    if (r.ok) {
      insns.push(r.insn);
      if (r.slots === 2) insns.push(null);
      slot += r.slots;
    } else {
      errors.push(r.error);
      insns.push(null);
      slot += 1;
    }
  }
  return { insns, errors };
}

function operandFields(src: Operand): { src: number; imm: number } {
  return src.type === 'reg' ? { src: src.reg, imm: 0 } : { src: 0, imm: src.imm };
}

/** Raw slots of a typed instruction (two for lddw). Undefined if no form describes it. */
export function encodeInsn(insn: Insn): RawInsn[] | undefined {
  const form = formOf(insn);
  if (!form) return undefined;
  let f: { dst: number; src: number; off: number; imm: number };
  switch (insn.kind) {
    case 'alu':
      f = { dst: insn.dst, off: 0, ...operandFields(insn.src) };
      break;
    case 'movsx':
      f = { dst: insn.dst, src: insn.src, off: 0, imm: 0 };
      break;
    case 'addr_space_cast':
      f = { dst: insn.dst, src: insn.src, off: 0, imm: ((insn.dstAs & 0xffff) << 16) | (insn.srcAs & 0xffff) };
      break;
    case 'neg':
    case 'end':
      f = { dst: insn.dst, src: 0, off: 0, imm: 0 };
      break;
    case 'ldimm64':
      f = { dst: insn.dst, src: 0, off: 0, imm: insn.imm };
      break;
    case 'load':
      f = { dst: insn.dst, src: insn.base, off: insn.off, imm: 0 };
      break;
    case 'store':
      f = { dst: insn.base, off: insn.off, ...operandFields(insn.src) };
      break;
    case 'atomic':
      f = { dst: insn.base, src: insn.src, off: insn.off, imm: 0 };
      break;
    case 'ja':
      f = insn.long ? { dst: 0, src: 0, off: 0, imm: insn.off } : { dst: 0, src: 0, off: insn.off, imm: 0 };
      break;
    case 'jcond':
      f = { dst: insn.dst, off: insn.off, ...operandFields(insn.src) };
      break;
    case 'may_goto':
      f = { dst: 0, src: 0, off: insn.off, imm: 0 };
      break;
    case 'call':
      f = { dst: 0, src: 0, off: insn.off, imm: insn.imm };
      break;
    case 'exit':
      f = { dst: 0, src: 0, off: 0, imm: 0 };
      break;
    case 'ldpkt':
      f = { dst: 0, src: insn.src, off: 0, imm: insn.imm };
      break;
  }
  if (form.select) f[form.select.field] = form.select.value;
  const first: RawInsn = { opcode: form.opcode, dst: f.dst, src: f.src, off: (f.off << 16) >> 16, imm: f.imm | 0 };
  if (insn.kind === 'ldimm64') return [first, { opcode: 0, dst: 0, src: 0, off: 0, imm: insn.imm2 | 0 }];
  return [first];
}

/** Bytecode of a list of instructions (each encodable). */
export function encodeProgram(insns: readonly Insn[]): Uint8Array {
  const raws: RawInsn[] = [];
  for (const insn of insns) {
    const r = encodeInsn(insn);
    if (!r) throw new Error(`internal: no encoding for ${JSON.stringify(insn)}`);
    raws.push(...r);
  }
  const bytes = new Uint8Array(raws.length * SLOT_BYTES);
  raws.forEach((raw, slot) => writeRaw(bytes, slot, raw));
  return bytes;
}
