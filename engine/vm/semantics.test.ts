// Every ALU, jump and byte-swap semantic, on edge values, against the BigInt reference, in
// both widths and with register and immediate operands; plus the kernel's named edge cases.

import { describe, expect, it } from 'vitest';
import { encodeProgram, type AluOp, type Insn, type JmpCond, type Operand, type Width } from '../isa/index.ts';
import { EDGE_VALUES, refAlu, refBswap, refCond } from './reference.ts';
import { runRaw } from './raw.ts';

const lddw = (dst: number, v: bigint): Insn => {
  const u = BigInt.asUintN(64, v);
  return { kind: 'ldimm64', dst, pseudo: 0, imm: Number(BigInt.asIntN(32, u)), imm2: Number(BigInt.asIntN(32, u >> 32n)) };
};
const exit: Insn = { kind: 'exit' };
const mov0 = (src: number): Insn => ({ kind: 'alu', width: 64, op: 'mov', dst: 0, src: { type: 'reg', reg: src } });

function r0(insns: Insn[]): bigint {
  const r = runRaw(encodeProgram(insns));
  if (!r.ok) throw new Error(r.error);
  return r.r0;
}

const OPS: AluOp[] = ['add', 'sub', 'mul', 'div', 'sdiv', 'or', 'and', 'lsh', 'rsh', 'mod', 'smod', 'xor', 'mov', 'arsh'];
const IMMS = EDGE_VALUES.filter((v) => BigInt.asIntN(64, v) >= -(2n ** 31n) && BigInt.asIntN(64, v) < 2n ** 31n);

describe.each([64, 32] as Width[])('ALU%i', (width) => {
  it.each(OPS)('%s with register operands matches the reference on edge values', (op) => {
    for (const a of EDGE_VALUES) {
      for (const b of EDGE_VALUES) {
        const got = r0([lddw(1, a), lddw(2, b), { kind: 'alu', width, op, dst: 1, src: { type: 'reg', reg: 2 } }, mov0(1), exit]);
        expect(got, `${op}${width} 0x${a.toString(16)}, 0x${b.toString(16)}`).toBe(refAlu(op, width, a, b));
      }
    }
  });
  it.each(OPS)('%s with an immediate matches the reference (64-bit sign-extends imm)', (op) => {
    for (const a of EDGE_VALUES) {
      for (const b of IMMS) {
        const imm = Number(BigInt.asIntN(32, b));
        const got = r0([lddw(1, a), { kind: 'alu', width, op, dst: 1, src: { type: 'imm', imm } }, mov0(1), exit]);
        const src = width === 64 ? BigInt.asUintN(64, BigInt(imm)) : BigInt.asUintN(32, BigInt(imm));
        expect(got, `${op}${width} 0x${a.toString(16)}, imm ${imm}`).toBe(refAlu(op, width, a, src));
      }
    }
  });
});

describe('kernel edge cases (kernel-facts §1.4)', () => {
  const run2 = (op: AluOp, width: Width, a: bigint, b: bigint): bigint =>
    r0([lddw(1, a), lddw(2, b), { kind: 'alu', width, op, dst: 1, src: { type: 'reg', reg: 2 } }, mov0(1), exit]);
  it('division by zero gives 0, in both widths and signednesses', () => {
    expect(run2('div', 64, 12345n, 0n)).toBe(0n);
    expect(run2('div', 32, 0xffffffff00000005n, 0n)).toBe(0n);
    expect(run2('sdiv', 64, -7n, 0n)).toBe(0n);
    expect(run2('sdiv', 32, 7n, 0n)).toBe(0n);
  });
  it('modulo by zero leaves dst in 64-bit and zeroes the upper half in 32-bit', () => {
    expect(run2('mod', 64, 0x1122334455667788n, 0n)).toBe(0x1122334455667788n);
    expect(run2('mod', 32, 0x1122334455667788n, 0n)).toBe(0x55667788n);
    expect(run2('smod', 64, BigInt.asUintN(64, -10n), 0n)).toBe(BigInt.asUintN(64, -10n));
    expect(run2('smod', 32, 0xffffffff_fffffff6n, 0n)).toBe(0xfffffff6n);
  });
  it('INT_MIN / -1 wraps to INT_MIN and INT_MIN % -1 is 0', () => {
    expect(run2('sdiv', 64, 0x8000000000000000n, BigInt.asUintN(64, -1n))).toBe(0x8000000000000000n);
    expect(run2('sdiv', 32, 0x80000000n, 0xffffffffn)).toBe(0x80000000n);
    expect(run2('smod', 64, 0x8000000000000000n, BigInt.asUintN(64, -1n))).toBe(0n);
    expect(run2('smod', 32, 0x80000000n, 0xffffffffn)).toBe(0n);
  });
  it('signed modulo takes the sign of the dividend', () => {
    expect(run2('smod', 64, BigInt.asUintN(64, -13n), 3n)).toBe(BigInt.asUintN(64, -1n));
    expect(run2('smod', 64, 13n, BigInt.asUintN(64, -3n))).toBe(1n);
  });
  it('ALU64 DIV by imm -1 divides by 0xffff_ffff_ffff_ffff; ALU32 DIV imm is read as u32', () => {
    expect(r0([lddw(1, 0xffffffffffffffffn), { kind: 'alu', width: 64, op: 'div', dst: 1, src: { type: 'imm', imm: -1 } }, mov0(1), exit])).toBe(1n);
    expect(r0([lddw(1, 0xfffffffen), { kind: 'alu', width: 32, op: 'div', dst: 1, src: { type: 'imm', imm: -1 } }, mov0(1), exit])).toBe(0n);
    expect(r0([lddw(1, 0xffffffffn), { kind: 'alu', width: 32, op: 'div', dst: 1, src: { type: 'imm', imm: -1 } }, mov0(1), exit])).toBe(1n);
  });
  it('shift amounts are masked to 63 / 31; shifting by 64 leaves a 64-bit value unchanged', () => {
    expect(run2('lsh', 64, 1n, 64n)).toBe(1n);
    expect(run2('lsh', 64, 1n, 63n)).toBe(0x8000000000000000n);
    expect(run2('lsh', 32, 1n, 32n)).toBe(1n);
    expect(run2('arsh', 64, 0x8000000000000000n, 63n)).toBe(0xffffffffffffffffn);
    expect(run2('arsh', 32, 0x80000000n, 31n)).toBe(0xffffffffn);
    expect(run2('rsh', 32, 0xffffffff80000000n, 31n)).toBe(1n);
  });
  it('NEG is dst = -dst, wrapping at INT_MIN, and the 32-bit form zero-extends', () => {
    const neg = (width: Width, v: bigint): bigint => r0([lddw(1, v), { kind: 'neg', width, dst: 1 }, mov0(1), exit]);
    expect(neg(64, 5n)).toBe(BigInt.asUintN(64, -5n));
    expect(neg(64, 0x8000000000000000n)).toBe(0x8000000000000000n);
    expect(neg(64, 0n)).toBe(0n);
    expect(neg(32, 0x1_00000005n)).toBe(0xfffffffbn);
    expect(neg(32, 0x80000000n)).toBe(0x80000000n);
  });
  it('32-bit results clear the upper half, including mov32 of a register to itself', () => {
    expect(r0([lddw(1, 0xdeadbeef_12345678n), { kind: 'alu', width: 32, op: 'mov', dst: 1, src: { type: 'reg', reg: 1 } }, mov0(1), exit])).toBe(0x12345678n);
    expect(r0([lddw(1, 0xdeadbeef_12345678n), { kind: 'alu', width: 32, op: 'lsh', dst: 1, src: { type: 'imm', imm: 0 } }, mov0(1), exit])).toBe(0x12345678n);
  });
});

describe('MOVSX', () => {
  it.each([
    [64, 8, 0x80n, 0xffffffffffffff80n],
    [64, 16, 0x1234_8000n, 0xffffffffffff8000n],
    [64, 32, 0x1_80000000n, 0xffffffff80000000n],
    [64, 8, 0x7fn, 0x7fn],
    [32, 8, 0xffffffff_000000f0n, 0xfffffff0n],
    [32, 16, 0x8001n, 0xffff8001n],
  ] as const)('movsx%i from %i bits of 0x%s', (width, bits, input, expected) => {
    expect(r0([lddw(1, input), { kind: 'movsx', width, bits, dst: 2, src: 1 }, mov0(2), exit])).toBe(expected);
  });
});

describe('END / BSWAP', () => {
  const v = 0x0102030405060708n;
  it.each([16, 32, 64] as const)('le%i truncates (little-endian host)', (bits) => {
    expect(r0([lddw(1, v), { kind: 'end', order: 'le', bits, dst: 1 }, mov0(1), exit])).toBe(BigInt.asUintN(bits, v));
  });
  it.each([16, 32, 64] as const)('be%i and bswap%i swap and zero-extend', (bits) => {
    for (const order of ['be', 'bswap'] as const) {
      expect(r0([lddw(1, v), { kind: 'end', order, bits, dst: 1 }, mov0(1), exit])).toBe(refBswap(v, bits));
    }
  });
});

describe.each([64, 32] as Width[])('JMP%i', (width) => {
  const CONDS: JmpCond[] = ['jeq', 'jgt', 'jge', 'jset', 'jne', 'jsgt', 'jsge', 'jlt', 'jle', 'jslt', 'jsle'];
  it.each(CONDS)('%s (register and immediate) matches the reference on edge values', (cond) => {
    const taken = (src: Insn[], operand: Operand): bigint =>
      r0([...src, { kind: 'alu', width: 64, op: 'mov', dst: 0, src: { type: 'imm', imm: 0 } }, { kind: 'jcond', width, cond, dst: 1, src: operand, off: 1 }, exit, { kind: 'alu', width: 64, op: 'mov', dst: 0, src: { type: 'imm', imm: 1 } }, exit]);
    for (const a of EDGE_VALUES) {
      for (const b of EDGE_VALUES) {
        expect(taken([lddw(1, a), lddw(2, b)], { type: 'reg', reg: 2 }) === 1n, `${cond}${width} 0x${a.toString(16)} 0x${b.toString(16)}`).toBe(refCond(cond, width, a, b));
      }
      for (const b of IMMS) {
        const imm = Number(BigInt.asIntN(32, b));
        const src = width === 64 ? BigInt.asUintN(64, BigInt(imm)) : BigInt.asUintN(32, BigInt(imm));
        expect(taken([lddw(1, a)], { type: 'imm', imm }) === 1n, `${cond}${width} 0x${a.toString(16)} imm ${imm}`).toBe(refCond(cond, width, a, src));
      }
    }
  });
});
