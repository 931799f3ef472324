// The scalar domain against concrete semantics (isa/semantics.ts): seeded abstract values and
// members; every concrete result must satisfy the tnum and all eight bounds of the abstract
// result. Then exact answers and log forms the 6.18 kernel gave for the same instructions.

import { describe, expect, it } from 'vitest';
import type { AluOp, JmpCond, Width } from '../isa/insn.ts';
import { refAlu, refBswap, refCond } from '../isa/semantics.ts';
import {
  formatScalar,
  isBranchTaken,
  known,
  rangeWithin,
  refineBranch,
  scalarAlu,
  scalarContains,
  scalarEnd,
  scalarEquals,
  scalarMovsx,
  scalarNeg,
  scalarOf,
  signExtend,
  sync,
  unknown,
  zeroExtend,
  type Scalar,
} from './scalar.ts';
import { tnumRange } from './tnum.ts';

const M64 = (1n << 64n) - 1n;
const EDGES = [0n, 1n, M64, 1n << 31n, (1n << 32n) - 1n, 1n << 63n, (1n << 63n) - 1n, 0x7fn, 0xffn, M64 - 0x7fn];

function rng(seed: bigint): () => bigint {
  let x = seed || 1n;
  return () => {
    x ^= x >> 12n;
    x ^= (x << 25n) & M64;
    x ^= x >> 27n;
    return (x * 0x2545f4914f6cdd1dn) & M64;
  };
}

/** An abstract value with the concrete members it was built from. */
interface Sample {
  readonly abs: Scalar;
  readonly members: readonly bigint[];
}

const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const s32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
const lo = (v: bigint): number => Number(v & 0xffffffffn);

function fromMembers(members: readonly bigint[], t: { value: bigint; mask: bigint }): Scalar {
  const by = <T>(f: (v: bigint) => T, cmp: (a: T, b: T) => boolean): T => members.map(f).reduce((a, b) => (cmp(a, b) ? a : b));
  return sync(scalarOf({
    var: t,
    umin: by((v) => v, (a, b) => a < b),
    umax: by((v) => v, (a, b) => a > b),
    smin: by(s64, (a, b) => a < b),
    smax: by(s64, (a, b) => a > b),
    u32min: by(lo, (a, b) => a < b),
    u32max: by(lo, (a, b) => a > b),
    s32min: by(s32, (a, b) => a < b),
    s32max: by(s32, (a, b) => a > b),
  }));
}

function sample(next: () => bigint): Sample {
  const kind = Number(next() % 6n);
  if (kind === 0) {
    const v = Number(next() % 2n) ? (EDGES[Number(next() % BigInt(EDGES.length))] as bigint) : next();
    return { abs: known(v), members: [v] };
  }
  if (kind === 1) {
    // A range around an edge value, as comparisons make them.
    const e = EDGES[Number(next() % BigInt(EDGES.length))] as bigint;
    const a = (e + (next() % 300n) - 150n) & M64;
    const b = (a + (next() % 400n)) & M64;
    const [x, y] = a <= b ? [a, b] : [b, a];
    const ms = [x, y, x + ((y - x) * (next() % 100n)) / 100n];
    return { abs: fromMembers(ms, { value: 0n, mask: M64 }), members: ms };
  }
  if (kind === 2) return { abs: unknown(), members: [next(), EDGES[Number(next() % BigInt(EDGES.length))] as bigint] };
  const mask = kind === 3 ? next() & next() : kind === 4 ? next() & next() & next() & 0xffffn : next() & 0xffffffffn;
  const value = next() & ~mask;
  const ms = [0, 1, 2, 3].map(() => value | (next() & mask));
  return { abs: fromMembers(ms, { value, mask }), members: ms };
}

function check(where: string, abs: Scalar, v: bigint): void {
  if (!scalarContains(abs, v)) throw new Error(`${where}: ${v.toString(16)} not in ${formatScalar(abs)} ${JSON.stringify(abs, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString(16) : x))}`);
}

const OPS: AluOp[] = ['add', 'sub', 'mul', 'div', 'sdiv', 'mod', 'smod', 'or', 'and', 'xor', 'mov', 'lsh', 'rsh', 'arsh'];
const CONDS: JmpCond[] = ['jeq', 'jne', 'jgt', 'jge', 'jlt', 'jle', 'jsgt', 'jsge', 'jslt', 'jsle', 'jset'];
const WIDTHS: Width[] = [64, 32];

describe('scalar soundness (seeded)', () => {
  for (const op of OPS) {
    it(`alu ${op}: results lie in the abstract result`, () => {
      const next = rng(0x5eedn + BigInt(op.charCodeAt(0) * 31 + op.length));
      for (let i = 0; i < 1500; i++) {
        const width = WIDTHS[i % 2] as Width;
        const d = sample(next);
        let s = sample(next);
        if (op === 'lsh' || op === 'rsh' || op === 'arsh') {
          if (i % 3 !== 0) {
            const k = next() % BigInt(width);
            s = { abs: known(k), members: [k] };
          }
        }
        const r = scalarAlu(op, width, d.abs, s.abs);
        for (const x of d.members) for (const y of s.members) check(`${op}${width}`, r, refAlu(op, width, x, y));
      }
    });
  }

  it('neg, movsx, loads and END', () => {
    const next = rng(77n);
    for (let i = 0; i < 3000; i++) {
      const d = sample(next);
      for (const width of WIDTHS) {
        const r = scalarNeg(width, d.abs);
        for (const x of d.members) check(`neg${width}`, r, refAlu('sub', width, 0n, x));
      }
      for (const bits of [8, 16, 32] as const) {
        const r = scalarMovsx(64, bits, d.abs);
        for (const x of d.members) check(`movsx64/${bits}`, r, BigInt.asUintN(64, BigInt.asIntN(bits, x)));
        if (bits !== 32) {
          const r32 = scalarMovsx(32, bits, d.abs);
          for (const x of d.members) check(`movsx32/${bits}`, r32, BigInt.asUintN(32, BigInt.asIntN(bits, x)));
        }
      }
      for (const size of [1, 2, 4, 8] as const) {
        const z = zeroExtend(d.abs, size);
        const sx = signExtend(d.abs, size);
        for (const x of d.members) {
          check(`zext${size}`, z, BigInt.asUintN(size * 8, x));
          check(`sext${size}`, sx, BigInt.asUintN(64, BigInt.asIntN(size * 8, x)));
        }
      }
      for (const bits of [16, 32, 64] as const) {
        const le = scalarEnd('le', bits, d.abs);
        const be = scalarEnd('be', bits, d.abs);
        const sw = scalarEnd('bswap', bits, d.abs);
        for (const x of d.members) {
          check(`le${bits}`, le, BigInt.asUintN(bits, x));
          check(`be${bits}`, be, refBswap(x, bits));
          check(`bswap${bits}`, sw, refBswap(x, bits));
        }
      }
    }
  });

  it('isBranchTaken is never contradicted, refineBranch keeps every pair that takes the edge', () => {
    const next = rng(4242n);
    for (let i = 0; i < 1500; i++) {
      const a = sample(next);
      const b = Number(next() % 3n) === 0 ? sample(next) : (() => {
        const v = Number(next() % 2n) ? (a.members[0] as bigint) + (next() % 3n) - 1n : (EDGES[Number(next() % BigInt(EDGES.length))] as bigint);
        const k = v & M64;
        return { abs: known(k), members: [k] };
      })();
      for (const cond of CONDS) {
        for (const width of WIDTHS) {
          const pred = isBranchTaken(cond, width, a.abs, b.abs);
          const t = refineBranch(cond, width, a.abs, b.abs, true);
          const f = refineBranch(cond, width, a.abs, b.abs, false);
          for (const x of a.members) {
            for (const y of b.members) {
              const taken = refCond(cond, width, x, y);
              const where = `${cond}${width} ${formatScalar(a.abs)} ${formatScalar(b.abs)} x=${x.toString(16)} y=${y.toString(16)}`;
              if (pred !== -1 && pred !== (taken ? 1 : 0)) throw new Error(`predicted ${pred}: ${where}`);
              const edge = taken ? t : f;
              if (edge === null) throw new Error(`edge called impossible: ${where} taken=${taken}`);
              check(`refine a ${where}`, edge[0], x);
              check(`refine b ${where}`, edge[1], y);
            }
          }
        }
      }
    }
  });

  it('rangeWithin: a refined or shifted-in state lies within the one it came from', () => {
    const next = rng(5n);
    for (let i = 0; i < 2000; i++) {
      const a = sample(next);
      expect(rangeWithin(a.abs, a.abs)).toBe(true);
      expect(rangeWithin(unknown(), a.abs)).toBe(true);
      const k = known(a.members[0] as bigint);
      expect(rangeWithin(a.abs, k)).toBe(true);
      const e = refineBranch('jgt', 64, a.abs, known(next() % 1000n), true);
      if (e) expect(rangeWithin(a.abs, e[0])).toBe(true);
    }
  });
});

/** A scalar in [lo, hi] after the kernel's two comparisons: `if r < lo goto; if r > hi goto`. */
function between(lo: bigint, hi: bigint): Scalar {
  const a = refineBranch('jlt', 64, unknown(), known(lo), false);
  const b = a && refineBranch('jgt', 64, a[0], known(hi), false);
  if (!b) throw new Error('empty range');
  return b[0];
}

describe('exact values against the 6.18 kernel log', () => {
  const r1020 = between(10n, 20n);
  const f = (s: Scalar): string => formatScalar(s);

  it('constants print as signed numbers, hex beyond s16', () => {
    expect(f(known(0n))).toBe('0');
    expect(f(known(1n))).toBe('1');
    expect(f(known(-1n))).toBe('-1');
    expect(f(known(0x10000n))).toBe('0x10000');
    expect(f(known(-40000n))).toBe('0xffffffffffff63c0');
    expect(f(known(4660n))).toBe('4660');
    expect(f(unknown())).toBe('scalar()');
    expect(formatScalar(unknown(), { id: 1 })).toBe('scalar(id=1)');
  });

  it('r1 &= 0xff, w1 = w1, comparisons', () => {
    const a = scalarAlu('and', 64, unknown(), known(0xffn));
    expect(a.umax).toBe(255n);
    expect(f(a)).toBe('scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))');
    expect(f(refineBranch('jlt', 64, unknown(), known(10n), false)![0])).toBe('scalar(umin=10)');
    expect(f(r1020)).toBe('scalar(smin=umin=smin32=umin32=10,smax=umax=smax32=umax32=20,var_off=(0x0; 0x1f))');
    const m1 = scalarAlu('add', 64, a, known(-1n));
    expect(f(m1)).toBe('scalar(smin=smin32=-1,smax=smax32=254)');
    expect(f(scalarAlu('mov', 32, unknown(), m1))).toBe('scalar(smin=0,smax=umax=0xffffffff,smin32=-1,smax32=254,var_off=(0x0; 0xffffffff))');
    expect(f(scalarAlu('add', 32, scalarAlu('mov', 32, unknown(), m1), known(5n)))).toBe(
      'scalar(smin=umin=smin32=umin32=4,smax=umax=smax32=umax32=259,var_off=(0x0; 0x1ff))',
    );
    expect(f(scalarAlu('or', 64, unknown(), known(1n)))).toBe('scalar(smin=0x8000000000000001,umin=umin32=1,smin32=0x80000001,var_off=(0x1; 0xfffffffffffffffe))');
  });

  it('add, sub, mul, neg, shifts', () => {
    const a = scalarAlu('add', 64, scalarAlu('and', 64, unknown(), known(0xffn)), known(-1n));
    expect(f(scalarAlu('mul', 64, a, a))).toBe('scalar(smin=smin32=-254,smax=smax32=0xfc04)');
    expect(f(scalarAlu('add', 64, a, a))).toBe('scalar(smin=smin32=-2,smax=smax32=508)');
    expect(f(scalarAlu('sub', 64, r1020, known(15n)))).toBe('scalar(smin=smin32=-5,smax=smax32=5)');
    expect(f(scalarAlu('mul', 64, r1020, known(-3n)))).toBe(
      'scalar(smin=smin32=-60,smax=smax32=-30,umin=0xffffffffffffffc4,umax=0xffffffffffffffe2,umin32=0xffffffc4,umax32=0xffffffe2,var_off=(0xffffffffffffffc0; 0x3f))',
    );
    expect(f(scalarNeg(64, r1020))).toBe(
      'scalar(smin=smin32=-20,smax=smax32=-10,umin=0xffffffffffffffec,umax=0xfffffffffffffff6,umin32=0xffffffec,umax32=0xfffffff6,var_off=(0xffffffffffffffe0; 0x1f))',
    );
    expect(f(scalarAlu('lsh', 64, r1020, known(60n)))).toBe('scalar(smax=0x7000000000000000,umax=0xf000000000000000,smin32=0,smax32=umax32=0,var_off=(0x0; 0xf000000000000000))');
    expect(f(scalarAlu('arsh', 64, r1020, known(2n)))).toBe('scalar(smin=umin=smin32=umin32=2,smax=umax=smax32=umax32=5,var_off=(0x0; 0x7))');
    const hi = scalarAlu('lsh', 64, r1020, known(32n));
    expect(f(hi)).toBe('scalar(smin=umin=0xa00000000,smax=umax=0x1400000000,smin32=0,smax32=umax32=0,var_off=(0x0; 0x1f00000000))');
    expect(scalarEquals(scalarAlu('arsh', 64, hi, known(32n)), r1020)).toBe(true);
    const w7 = scalarAlu('mov', 32, unknown(), scalarAlu('sub', 64, r1020, known(30n)));
    expect(f(w7)).toBe('scalar(smin=umin=umin32=0xffffffec,smax=umax=umax32=0xfffffff6,smin32=-20,smax32=-10,var_off=(0xffffffe0; 0x1f))');
  });

  it('division and modulo forget everything, even of constants', () => {
    expect(scalarAlu('div', 64, known(10n), known(2n))).toEqual(unknown());
    expect(scalarAlu('sdiv', 64, r1020, known(3n))).toEqual(unknown());
  });

  it('movsx and END', () => {
    const m5 = scalarAlu('sub', 64, r1020, known(15n));
    expect(f(scalarMovsx(64, 8, m5))).toBe('scalar(smin=smin32=-5,smax=smax32=5)');
    expect(f(scalarMovsx(32, 8, m5))).toBe('scalar(smin=0,smax=umax=0xffffffff,smin32=-128,smax32=127,var_off=(0x0; 0xffffffff))');
    expect(f(scalarMovsx(64, 8, between(0x100n, 0x105n)))).toBe('scalar(smin=smin32=0,smax=umax=smax32=umax32=5,var_off=(0x0; 0x7))');
    expect(f(scalarMovsx(64, 8, between(0x7en, 0x81n)))).toBe('scalar(smin=smin32=-128,smax=smax32=127)');
    expect(f(scalarMovsx(64, 8, scalarAlu('sub', 64, between(0n, 10n), known(300n))))).toBe(
      'scalar(smin=smin32=-44,smax=smax32=-34,umin=0xffffffffffffffd4,umax=0xffffffffffffffde,umin32=0xffffffd4,umax32=0xffffffde,var_off=(0xffffffffffffffd0; 0xf))',
    );
    expect(f(scalarEnd('be', 16, known(0x1234n)))).toBe('13330');
    expect(f(scalarEnd('bswap', 64, known(7n)))).toBe('0x700000000000000');
    const b = scalarAlu('and', 64, unknown(), known(0xffn));
    expect(f(scalarEnd('be', 16, b))).toBe('scalar(smin=smin32=0,smax=umax=smax32=umax32=0xff00,var_off=(0x0; 0xff00))');
    expect(f(scalarEnd('be', 32, b))).toBe('scalar(smin=0,smax=umax=umax32=0xff000000,smax32=0x7f000000,var_off=(0x0; 0xff000000))');
    expect(f(scalarEnd('bswap', 64, b))).toBe('scalar(smax=0x7f00000000000000,umax=0xff00000000000000,smin32=0,smax32=umax32=0,var_off=(0x0; 0xff00000000000000))');
    expect(f(scalarEnd('le', 32, unknown()))).toBe('scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))');
    expect(scalarEnd('le', 64, r1020)).toBe(r1020);
    expect(f(scalarEnd('le', 32, r1020))).toBe(f(r1020));
    expect(f(scalarEnd('be', 64, unknown()))).toBe('scalar()');
  });

  it('branches: tnum overlap decides ==, jset false edge forgets the ranges', () => {
    expect(isBranchTaken('jeq', 64, scalarAlu('or', 64, unknown(), known(1n)), known(2n))).toBe(0);
    expect(f(refineBranch('jset', 64, r1020, known(1n), false)![0])).toBe('scalar(smin=smin32=0,smax=umax=smax32=umax32=30,var_off=(0x0; 0x1e))');
    expect(refineBranch('jgt', 64, r1020, known(20n), true)).toBeNull();
    expect(isBranchTaken('jgt', 64, r1020, known(9n))).toBe(1);
  });

  it('sync keeps a range inside its tnum', () => {
    const s = sync(scalarOf({ var: tnumRange(0n, 0xffn), umin: 3n, umax: 0x1ffn }));
    expect(s.umax).toBe(0xffn);
    expect(s.u32min).toBe(3);
  });
});
