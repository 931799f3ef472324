// The ISA table and codec: every form round-trips, reserved fields and ISA levels are checked
// with messages that say what is wrong.

import { describe, expect, it } from 'vitest';
import { decodeAt, decodeProgram, encodeInsn, encodeProgram } from './codec.ts';
import { FORMS, formOf } from './table.ts';

function slot(opcode: number, dst = 0, src = 0, off = 0, imm = 0): Uint8Array {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  b[0] = opcode;
  b[1] = dst | (src << 4);
  dv.setInt16(2, off, true);
  dv.setInt32(4, imm, true);
  return b;
}
const join = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('the instruction table', () => {
  it('has every RFC 9669 form once, 170 in all, and the Linux extensions may_goto and addr_space_cast', () => {
    expect(FORMS.filter((f) => f.group !== 'linux').length).toBe(170);
    expect(FORMS.filter((f) => f.group === 'linux').map((f) => [f.id, f.linux])).toEqual([
      ['addr_space_cast', '6.9'],
      ['may_goto', '6.9'],
    ]);
    expect(new Set(FORMS.map((f) => f.id)).size).toBe(FORMS.length);
  });
  it('gives each form an encoding that decodes back to the same instruction', () => {
    for (const form of FORMS) {
      const raw = encodeInsn(form.template);
      expect(raw, form.id).toBeDefined();
      const bytes = encodeProgram([form.template]);
      const d = decodeAt(bytes, 0);
      expect(d.ok && d.insn, form.id).toEqual(form.template);
      expect(formOf(form.template)).toBe(form);
    }
  });
  it('places instructions at their ISA levels', () => {
    const level = (id: string) => FORMS.find((f) => f.id === id)?.isa;
    expect(level('add_imm')).toBe(1);
    expect(level('jlt_reg')).toBe(2);
    expect(level('jeq32_imm')).toBe(3);
    expect(level('lock_fetch_add')).toBe(3);
    expect(level('lock_add32')).toBe(1);
    expect(level('sdiv_reg')).toBe(4);
    expect(level('movsx832')).toBe(4);
    expect(level('ldxsw')).toBe(4);
    expect(level('bswap16')).toBe(4);
    expect(level('ja32')).toBe(4);
    expect(level('may_goto')).toBe(4);
    expect(level('addr_space_cast')).toBe(4);
  });
});

describe('decoding', () => {
  it('names an unknown opcode, with the reason for known non-RFC extensions', () => {
    expect(decodeAt(slot(0xff), 0)).toMatchObject({ ok: false, error: { code: 'unknown-opcode', message: 'pc 0: unknown opcode 0xff' } });
    expect(decodeAt(slot(0x8d, 2), 0)).toMatchObject({ ok: false, error: { message: expect.stringContaining('callx') } });
  });
  it('decodes may_goto (0xe5, src_reg BPF_MAY_GOTO = 0) and addr_space_cast (0xbf with off 1)', () => {
    expect(decodeAt(slot(0xe5, 0, 0, 3), 0)).toEqual({ ok: true, slots: 1, insn: { kind: 'may_goto', off: 3 } });
    expect(decodeAt(slot(0xe5, 0, 0, -0x8000), 0)).toMatchObject({ ok: true, insn: { off: -0x8000 } });
    expect(decodeAt(slot(0xe5, 0, 1, 3), 0)).toMatchObject({ ok: false, error: { message: 'pc 0: may_goto (0xe5) uses reserved fields: src_reg must be 0 (is 1)' } });
    expect(decodeAt(slot(0xe5, 2, 0, 3), 0)).toMatchObject({ ok: false, error: { message: 'pc 0: may_goto (0xe5) uses reserved fields: dst_reg must be 0 (is 2)' } });
    expect(decodeAt(slot(0xe5, 0, 0, 3, 1), 0)).toMatchObject({ ok: false, error: { message: 'pc 0: may_goto (0xe5) uses reserved fields: imm must be 0 (is 1)' } });
    expect(decodeAt(slot(0xbf, 1, 2, 1, 1), 0)).toEqual({ ok: true, slots: 1, insn: { kind: 'addr_space_cast', dst: 1, src: 2, dstAs: 0, srcAs: 1 } });
    expect(decodeAt(slot(0xbf, 1, 2, 1, 1 << 16), 0)).toMatchObject({ ok: true, insn: { dstAs: 1, srcAs: 0 } });
    expect(decodeAt(slot(0xbf, 3, 4, 1, -1), 0)).toMatchObject({ ok: true, insn: { dst: 3, src: 4, dstAs: 0xffff, srcAs: 0xffff } });
    expect(encodeProgram([{ kind: 'addr_space_cast', dst: 3, src: 4, dstAs: 0xffff, srcAs: 0xffff }])).toEqual(slot(0xbf, 3, 4, 1, -1));
    expect(encodeProgram([{ kind: 'may_goto', off: -1 }])).toEqual(slot(0xe5, 0, 0, -1));
  });
  it('reports reserved fields that are not zero', () => {
    expect(decodeAt(slot(0x07, 1, 3, 0, 1), 0)).toMatchObject({ ok: false, error: { code: 'reserved-field', message: 'pc 0: add (0x07) uses reserved fields: src_reg must be 0 (is 3)' } });
    expect(decodeAt(slot(0x95, 0, 0, 0, 7), 0)).toMatchObject({ ok: false, error: { message: 'pc 0: exit (0x95) uses reserved fields: imm must be 0 (is 7)' } });
    expect(decodeAt(slot(0x87, 1, 0, 0, 5), 0)).toMatchObject({ ok: false, error: { message: 'pc 0: neg (0x87) uses reserved fields: imm must be 0 (is 5)' } });
  });
  it('reports a field value that selects no form, listing the allowed ones', () => {
    expect(decodeAt(slot(0xd4, 1, 0, 0, 17), 0)).toMatchObject({ ok: false, error: { message: 'pc 0: le16/le32/le64 (0xd4) uses reserved fields: imm must be 16, 32 or 64 (is 17)' } });
    expect(decodeAt(slot(0xbf, 1, 2, 2), 0)).toMatchObject({ ok: false, error: { message: 'pc 0: mov/movsx864/movsx1664/movsx3264/addr_space_cast (0xbf) uses reserved fields: off must be 0, 8, 16, 32 or 1 (is 2)' } });
    expect(decodeAt(slot(0xdb, 1, 2, 0, 0x100), 0)).toMatchObject({ ok: false, error: { message: expect.stringContaining('load-acquire') } });
  });
  it('rejects registers above r10', () => {
    expect(decodeAt(slot(0xbf, 11, 1), 0)).toMatchObject({ ok: false, error: { code: 'bad-register', message: 'pc 0: mov (0xbf): dst_reg r11 is not a register (r0-r10)' } });
  });
  it('names the ISA level an instruction needs', () => {
    expect(decodeAt(slot(0x3f, 1, 2, 1), 0, 3)).toMatchObject({ ok: false, error: { code: 'isa-level', message: 'pc 0: sdiv (0x3f) needs ISA v4; the selected level is v3' } });
    expect(decodeAt(slot(0xad, 1, 2), 0, 1)).toMatchObject({ ok: false, error: { message: 'pc 0: jlt (0xad) needs ISA v2; the selected level is v1' } });
    expect(decodeAt(slot(0xad, 1, 2), 0, 2).ok).toBe(true);
  });
  it('checks both slots of lddw', () => {
    expect(decodeAt(slot(0x18, 1, 0, 0, 5), 0)).toMatchObject({ ok: false, error: { code: 'bad-ldimm64', message: 'pc 0: lddw takes two slots but the program ends after the first' } });
    expect(decodeAt(join(slot(0x18, 1, 0, 0, 5), slot(0x07, 0, 0, 0, 1)), 0)).toMatchObject({ ok: false, error: { pc: 1, message: 'pc 1: the second slot of lddw must have opcode, registers and offset 0' } });
    expect(decodeAt(join(slot(0x18, 1, 0, 0, 5), slot(0, 0, 0, 0, 7)), 0)).toMatchObject({ ok: true, slots: 2, insn: { kind: 'ldimm64', dst: 1, imm: 5, imm2: 7 } });
  });
  it('reports every bad slot of a program and a trailing partial slot', () => {
    const d = decodeProgram(join(slot(0xff), slot(0x95), slot(0xee), Uint8Array.of(1, 2, 3)));
    expect(d.errors.map((e) => e.pc)).toEqual([3, 0, 2]);
    expect(d.errors[0]?.message).toMatch(/27 bytes, not a whole number of 8-byte instructions \(3 bytes left over\)/);
    expect(d.insns).toEqual([null, { kind: 'exit' }, null]);
  });
});
