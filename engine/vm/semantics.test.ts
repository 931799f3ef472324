// Every ALU, jump and byte-swap semantic, on edge values, against the BigInt reference, in
// both widths and with register and immediate operands, on every tier; plus the kernel's named
// edge cases.

import { describe, expect, it } from 'vitest';
import { encodeProgram, type AluOp, type Insn, type JmpCond, type Operand, type Width } from '../isa/index.ts';
import { EDGE_VALUES, refAlu, refBswap, refCond } from './reference.ts';
import { MAX_COMPILED_SOURCE } from './compile.ts';
import { createRawVm, runRaw } from './raw.ts';
import type { VmTier } from './vm.ts';

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
const TIERS: readonly VmTier[] = ['interpreter', 'compiled', 'wasm'];

/** Cases per program: few enough that the compiled tier compiles it whole (MAX_COMPILED_SOURCE). */
const CHUNK = 24;

/**
 * Many cases in one program, so that each tier compiles once per chunk of them rather than once
 * per pair of values: case k reads its operands from the input at 16k and 16k + 8 (never
 * constants a tier could fold), and `body` leaves the result in r1, which is stored back at 16k.
 * Returns each case's result, per tier, having checked that each tier ran the program itself
 * (the compiled tier: its source within the limit; WebAssembly: every instruction in the module).
 */
function runCases(cases: readonly (readonly [bigint, bigint])[], body: (k: number) => Insn[]): Map<VmTier, bigint[]> {
  const out = new Map<VmTier, bigint[]>(TIERS.map((t) => [t, []]));
  for (let from = 0; from < cases.length; from += CHUNK) {
    const chunk = cases.slice(from, from + CHUNK);
    const insns: Insn[] = [{ kind: 'alu', width: 64, op: 'mov', dst: 6, src: { type: 'reg', reg: 1 } }];
    chunk.forEach((_, k) => {
      insns.push({ kind: 'load', size: 8, signExtend: false, dst: 1, base: 6, off: 16 * k }, { kind: 'load', size: 8, signExtend: false, dst: 2, base: 6, off: 16 * k + 8 });
      insns.push(...body(from + k), { kind: 'store', size: 8, base: 6, off: 16 * k, src: { type: 'reg', reg: 1 } });
    });
    insns.push({ kind: 'alu', width: 64, op: 'mov', dst: 0, src: { type: 'imm', imm: 0 } }, exit);
    const input = new Uint8Array(16 * chunk.length);
    const dv = new DataView(input.buffer);
    chunk.forEach(([a, b], k) => {
      dv.setBigUint64(16 * k, BigInt.asUintN(64, a), true);
      dv.setBigUint64(16 * k + 8, BigInt.asUintN(64, b), true);
    });
    for (const tier of TIERS) {
      const vm = createRawVm(insns, { tier, mem: input });
      expect(vm.run(), tier).toBe('exited');
      if (tier === 'compiled') expect(vm.compiledSource().length).toBeLessThanOrEqual(MAX_COMPILED_SOURCE);
      if (tier === 'wasm') expect(vm.wasmInsns).toBe(vm.count);
      const region = vm.mem.allRegions().find((r) => r.kind === 'input');
      if (!region) throw new Error('no input region');
      out.get(tier)?.push(...chunk.map((_, k) => vm.mem.dv.getBigUint64(region.start + 16 * k, true)));
    }
  }
  return out;
}

/** Every result of every tier against `expected`, naming the first that differs. */
function expectCases(cases: readonly (readonly [bigint, bigint])[], got: Map<VmTier, bigint[]>, expected: (a: bigint, b: bigint) => bigint, name: (a: bigint, b: bigint) => string): void {
  for (const [tier, results] of got) {
    cases.forEach(([a, b], k) => expect(results[k], `${tier}: ${name(a, b)}`).toBe(expected(a, b)));
  }
}

const pairs = (as: readonly bigint[], bs: readonly bigint[]): (readonly [bigint, bigint])[] => as.flatMap((a) => bs.map((b) => [a, b] as const));
const hex = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;

describe.each([64, 32] as Width[])('ALU%i', (width) => {
  it.each(OPS)('%s with register operands matches the reference on edge values, on every tier', (op) => {
    const cases = pairs(EDGE_VALUES, EDGE_VALUES);
    const got = runCases(cases, () => [{ kind: 'alu', width, op, dst: 1, src: { type: 'reg', reg: 2 } }]);
    expectCases(cases, got, (a, b) => refAlu(op, width, a, b), (a, b) => `${op}${width} ${hex(a)}, ${hex(b)}`);
  });
  it.each(OPS)('%s with an immediate matches the reference (64-bit sign-extends imm), on every tier', (op) => {
    const cases = pairs(EDGE_VALUES, IMMS);
    const got = runCases(cases, (k) => [{ kind: 'alu', width, op, dst: 1, src: { type: 'imm', imm: Number(BigInt.asIntN(32, cases[k]?.[1] ?? 0n)) } }]);
    const widened = (b: bigint): bigint => {
      const imm = BigInt.asIntN(32, b);
      return width === 64 ? BigInt.asUintN(64, imm) : BigInt.asUintN(32, imm);
    };
    expectCases(cases, got, (a, b) => refAlu(op, width, a, widened(b)), (a, b) => `${op}${width} ${hex(a)}, imm ${BigInt.asIntN(32, b)}`);
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
  // r1 = 1 when the jump is taken (it skips `r3 = 0`).
  const taken = (cond: JmpCond, operand: Operand): Insn[] => [
    { kind: 'alu', width: 64, op: 'mov', dst: 3, src: { type: 'imm', imm: 1 } },
    { kind: 'jcond', width, cond, dst: 1, src: operand, off: 1 },
    { kind: 'alu', width: 64, op: 'mov', dst: 3, src: { type: 'imm', imm: 0 } },
    { kind: 'alu', width: 64, op: 'mov', dst: 1, src: { type: 'reg', reg: 3 } },
  ];
  it.each(CONDS)('%s (register and immediate) matches the reference on edge values, on every tier', (cond) => {
    const regCases = pairs(EDGE_VALUES, EDGE_VALUES);
    const regs = runCases(regCases, () => taken(cond, { type: 'reg', reg: 2 }));
    expectCases(regCases, regs, (a, b) => (refCond(cond, width, a, b) ? 1n : 0n), (a, b) => `${cond}${width} ${hex(a)} ${hex(b)}`);
    const immCases = pairs(EDGE_VALUES, IMMS);
    const imms = runCases(immCases, (k) => taken(cond, { type: 'imm', imm: Number(BigInt.asIntN(32, immCases[k]?.[1] ?? 0n)) }));
    const widened = (b: bigint): bigint => (width === 64 ? BigInt.asUintN(64, BigInt.asIntN(32, b)) : BigInt.asUintN(32, BigInt.asIntN(32, b)));
    expectCases(immCases, imms, (a, b) => (refCond(cond, width, a, widened(b)) ? 1n : 0n), (a, b) => `${cond}${width} ${hex(a)} imm ${BigInt.asIntN(32, b)}`);
  });
});
