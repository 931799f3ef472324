// The tnum domain against concrete arithmetic: seeded random tnums and members, every result
// member must be in the abstract result; and exact values the kernel's tnum.c gives.

import { describe, expect, it } from 'vitest';
import { refAlu } from '../isa/semantics.ts';
import {
  TNUM_UNKNOWN,
  tnumAdd,
  tnumAnd,
  tnumArshift,
  tnumBswap,
  tnumCast,
  tnumConst,
  tnumContains,
  tnumIn,
  tnumIntersect,
  tnumIsAligned,
  tnumLshift,
  tnumMul,
  tnumMulTo,
  tnumNeg,
  tnumOr,
  tnumOverlap,
  tnumRange,
  tnumRshift,
  tnumSbin,
  tnumStr,
  tnumSub,
  tnumUnion,
  tnumXor,
  type Tnum,
} from './tnum.ts';

const M64 = (1n << 64n) - 1n;
const EDGES = [0n, 1n, M64, 1n << 31n, (1n << 32n) - 1n, 1n << 63n, (1n << 63n) - 1n, 0xffn, 0x80n];

/** xorshift64*: the seeded source of every random choice. */
function rng(seed: bigint): () => bigint {
  let x = seed || 1n;
  return () => {
    x ^= x >> 12n;
    x ^= (x << 25n) & M64;
    x ^= x >> 27n;
    return (x * 0x2545f4914f6cdd1dn) & M64;
  };
}

function randomTnum(next: () => bigint): Tnum {
  const pick = Number(next() % 5n);
  const density = [0n, next(), next() & next(), next() & next() & next(), M64][pick] as bigint;
  const value = (Number(next() % 4n) === 0 ? (EDGES[Number(next() % BigInt(EDGES.length))] as bigint) : next()) & ~density;
  return { value, mask: density };
}

function member(t: Tnum, next: () => bigint): bigint {
  return t.value | (next() & t.mask);
}

describe('tnum soundness (seeded)', () => {
  const binary: [string, (a: Tnum, b: Tnum) => Tnum, (a: bigint, b: bigint) => bigint][] = [
    ['add', tnumAdd, (a, b) => refAlu('add', 64, a, b)],
    ['sub', tnumSub, (a, b) => refAlu('sub', 64, a, b)],
    ['mul', tnumMul, (a, b) => refAlu('mul', 64, a, b)],
    ['and', tnumAnd, (a, b) => a & b],
    ['or', tnumOr, (a, b) => a | b],
    ['xor', tnumXor, (a, b) => a ^ b],
  ];
  for (const [name, abs, conc] of binary) {
    it(`${name}: concrete results lie in the abstract result`, () => {
      const next = rng(0x1234n + BigInt(name.length));
      for (let i = 0; i < 3000; i++) {
        const a = randomTnum(next);
        const b = randomTnum(next);
        const r = abs(a, b);
        expect(r.value & r.mask).toBe(0n);
        for (let k = 0; k < 3; k++) {
          const x = member(a, next);
          const y = member(b, next);
          if (!tnumContains(r, conc(x, y))) throw new Error(`${name} ${tnumStr(a)} ${tnumStr(b)}: ${x} ${y}`);
        }
      }
    });
  }

  it('shifts, neg, cast, bswap, union, intersect, range', () => {
    const next = rng(99n);
    for (let i = 0; i < 3000; i++) {
      const a = randomTnum(next);
      const b = randomTnum(next);
      const x = member(a, next);
      const y = member(b, next);
      const k = Number(next() % 64n);
      const k32 = k % 32;
      expect(tnumContains(tnumLshift(a, k), refAlu('lsh', 64, x, BigInt(k)))).toBe(true);
      expect(tnumContains(tnumRshift(a, k), refAlu('rsh', 64, x, BigInt(k)))).toBe(true);
      expect(tnumContains(tnumArshift(a, k, 64), refAlu('arsh', 64, x, BigInt(k)))).toBe(true);
      expect(tnumContains(tnumArshift({ value: a.value & 0xffffffffn, mask: a.mask & 0xffffffffn }, k32, 32), refAlu('arsh', 32, x, BigInt(k32)))).toBe(true);
      expect(tnumContains(tnumNeg(a), BigInt.asUintN(64, -x))).toBe(true);
      for (const size of [1, 2, 4, 8]) expect(tnumContains(tnumCast(a, size), x & ((1n << BigInt(size * 8)) - 1n))).toBe(true);
      const u = tnumUnion(a, b);
      expect(tnumContains(u, x) && tnumContains(u, y) && tnumIn(u, a) && tnumIn(u, b)).toBe(true);
      if (tnumOverlap(a, b)) {
        const both = a.value | (b.value & a.mask) | (next() & a.mask & b.mask);
        expect(tnumContains(a, both) && tnumContains(b, both)).toBe(true);
        expect(tnumContains(tnumIntersect(a, b), both)).toBe(true);
      } else {
        expect(tnumContains(b, x)).toBe(false);
      }
      const lo = x < y ? x : y;
      const hi = x < y ? y : x;
      const r = tnumRange(lo, hi);
      const mid = lo + ((hi - lo) * (next() % 1000n)) / 1000n;
      expect(tnumContains(r, lo) && tnumContains(r, hi) && tnumContains(r, mid)).toBe(true);
      const swapped = tnumBswap(a, 16);
      expect(tnumContains(swapped, ((x & 0xffn) << 8n) | ((x >> 8n) & 0xffn))).toBe(true);
    }
  });
});

describe('tnum exact values (kernel/bpf/tnum.c)', () => {
  it('range, cast and the log forms', () => {
    expect(tnumRange(0n, 255n)).toEqual({ value: 0n, mask: 0xffn });
    expect(tnumRange(10n, 20n)).toEqual({ value: 0n, mask: 0x1fn });
    expect(tnumRange(256n, 261n)).toEqual({ value: 0x100n, mask: 7n });
    expect(tnumRange(0n, M64)).toBe(TNUM_UNKNOWN);
    expect(tnumStr({ value: 0n, mask: 0xffn })).toBe('(0x0; 0xff)');
    expect(tnumSbin({ value: 2n, mask: 1n }).slice(-4)).toBe('001x');
    expect(tnumCast({ value: 0x1234n, mask: 0xff0000n }, 2)).toEqual({ value: 0x1234n, mask: 0n });
  });

  it('arithmetic', () => {
    expect(tnumAdd({ value: 0n, mask: 1n }, tnumConst(1n))).toEqual({ value: 0n, mask: 3n });
    expect(tnumSub({ value: 0n, mask: 0x1fn }, tnumConst(15n)).mask).toBe(M64);
    expect(tnumNeg({ value: 0n, mask: 0x1fn })).toEqual(tnumSub(tnumConst(0n), { value: 0n, mask: 0x1fn }));
    // mul by a constant power of two is a shift; the union-based mul of 6.18 keeps it exact.
    expect(tnumMul({ value: 0n, mask: 0xfn }, tnumConst(4n))).toEqual({ value: 0n, mask: 0x3cn });
    expect(tnumMul(tnumConst(6n), tnumConst(7n))).toEqual(tnumConst(42n));
    expect(tnumArshift({ value: 0x80000000n, mask: 0n }, 4, 32)).toEqual(tnumConst(0xf8000000n));
    expect(tnumBswap({ value: 0n, mask: 0xffn }, 64)).toEqual({ value: 0n, mask: 0xff00000000000000n });
  });

  it('in, union, intersect, aligned', () => {
    expect(tnumIn({ value: 0n, mask: 0xffn }, { value: 3n, mask: 0xcn })).toBe(true);
    expect(tnumIn({ value: 0n, mask: 0xfn }, { value: 0n, mask: 0x10n })).toBe(false);
    expect(tnumUnion(tnumConst(0b1010n), tnumConst(0b0101n))).toEqual({ value: 0n, mask: 0b1111n });
    expect(tnumIntersect({ value: 0n, mask: 0xffn }, { value: 0x100n, mask: 0xfn })).toEqual({ value: 0x100n, mask: 0xfn });
    expect(tnumIsAligned({ value: 8n, mask: 0xf0n }, 8)).toBe(true);
    expect(tnumIsAligned({ value: 8n, mask: 0xf4n }, 8)).toBe(false);
  });
});

describe('tnum_mul on halves', () => {
  const half = (t: Tnum) => ({ vh: Number(BigInt.asIntN(32, t.value >> 32n)), vl: Number(BigInt.asIntN(32, t.value)), mh: Number(BigInt.asIntN(32, t.mask >> 32n)), ml: Number(BigInt.asIntN(32, t.mask)) });
  const whole = (h: { vh: number; vl: number; mh: number; ml: number }): Tnum => ({
    value: (BigInt.asUintN(32, BigInt(h.vh)) << 32n) | BigInt.asUintN(32, BigInt(h.vl)),
    mask: (BigInt.asUintN(32, BigInt(h.mh)) << 32n) | BigInt.asUintN(32, BigInt(h.ml)),
  });
  it('equals tnumMul on 20,000 seeded pairs, in place or not', () => {
    const next = rng(0x6d756cn);
    for (let i = 0; i < 20_000; i++) {
      const a = randomTnum(next);
      const b = randomTnum(next);
      const want = tnumMul(a, b);
      const d = { vh: 7, vl: 7, mh: 7, ml: 7 };
      tnumMulTo(d, half(a), half(b));
      expect(whole(d), `${tnumStr(a)} * ${tnumStr(b)}`).toEqual(want);
      const inPlace = half(a);
      tnumMulTo(inPlace, inPlace, half(b));
      expect(whole(inPlace)).toEqual(want);
    }
  });
});
