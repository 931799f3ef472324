// The verifier's numeric domain (engine/verifier/scalar.ts, 64-bit quantities as uint32 halves)
// against the BigInt reference it replaced (./bigint-domain/): one seeded random sequence of
// operations is run in both, and after every step every bound, the tnum, every prediction and
// every printed form must be identical. The kernel's log is compared byte for byte with ours,
// so "sound" is not enough here: the two must agree exactly.

import { describe, expect, it } from 'vitest';
import type { AluOp, JmpCond, Width } from '../../isa/insn.ts';
import * as fast from '../../verifier/scalar.ts';
import * as ref from './bigint-domain/scalar.ts';

const M64 = (1n << 64n) - 1n;
const EDGES: readonly bigint[] = [
  0n, 1n, 2n, 7n, 0x7fn, 0x80n, 0xffn, 0x100n, 0x7fffn, 0xffffn, 1n << 31n, (1n << 31n) - 1n, (1n << 32n) - 1n, 1n << 32n,
  1n << 63n, (1n << 63n) - 1n, M64, M64 - 1n, M64 - 0x7fn, (1n << 63n) + 1n, 0xffff_ffff_0000_0000n, 0x8000_0000_ffff_ffffn,
  0xffff_ffff_8000_0000n, 0x1_8000_0000n, ...[4, 12, 16, 24, 26, 30, 33, 40, 48, 52, 53, 56, 62].map((k) => 1n << BigInt(k)),
];
const OPS: readonly AluOp[] = ['add', 'sub', 'mul', 'div', 'sdiv', 'mod', 'smod', 'or', 'and', 'xor', 'mov', 'lsh', 'rsh', 'arsh'];
const CONDS: readonly JmpCond[] = ['jeq', 'jne', 'jgt', 'jge', 'jlt', 'jle', 'jsgt', 'jsge', 'jslt', 'jsle', 'jset'];
const WIDTHS: readonly Width[] = [64, 32];

/** mulberry32: a small seeded source of uint32s. */
function prng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = Math.imul(t ^ (t >>> 15), t | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return (x ^ (x >>> 14)) >>> 0;
  };
}

/** One abstract value, built the same way in both implementations. */
interface Pair {
  readonly r: ref.Scalar;
  readonly f: fast.Scalar;
}

function parts(s: ref.Scalar | fast.Scalar): string {
  return [s.umin, s.umax, s.smin, s.smax, s.u32min, s.u32max, s.s32min, s.s32max, s.var.value, s.var.mask].map(String).join(' ');
}

function same(where: string, r: ref.Scalar, f: fast.Scalar): void {
  const a = parts(r);
  const b = parts(f);
  if (a !== b) throw new Error(`${where}: bounds differ\n  reference ${a}\n  fast      ${b}`);
  for (const opts of [{}, { id: 3, precise: true }]) {
    const x = ref.formatScalar(r, opts);
    const y = fast.formatScalar(f, opts);
    if (x !== y) throw new Error(`${where}: printed forms differ\n  reference ${x}\n  fast      ${y}`);
  }
}

function run(seed: number, steps: number): void {
  const next = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length] as T;
  const big = (): bigint => (BigInt(next()) << 32n) | BigInt(next());

  /** A constant near an edge, near a bound of a pool member, small, or random. */
  const constant = (pool: readonly Pair[]): bigint => {
    const k = next() % 8;
    const d = BigInt((next() % 5) - 2);
    if (k <= 1) return (pick(EDGES) + d) & M64;
    if (k <= 3) {
      const s = pick(pool).r;
      const b = pick([s.umin, s.umax, s.smin, s.smax, BigInt(s.u32min), BigInt(s.u32max), BigInt(s.s32min), BigInt(s.s32max)]);
      return (b + d) & M64;
    }
    if (k === 4) return BigInt(next() % 64);
    if (k === 5) return BigInt.asUintN(64, BigInt(next() | 0));
    return big();
  };
  const mkKnown = (v: bigint): Pair => ({ r: ref.known(v), f: fast.known(v) });

  const pool: Pair[] = [...EDGES.map(mkKnown), { r: ref.unknown(), f: fast.unknown() }];
  for (const p of pool) same('known', p.r, p.f);
  const add = (p: Pair, where: string): void => {
    same(where, p.r, p.f);
    if (pool.length < 96) pool.push(p);
    else pool[next() % pool.length] = p;
  };
  const operand = (): Pair => {
    const k = next() % 4;
    if (k === 0) {
      // An immediate, as the checker builds it: sign-extended, or zero-extended for a 32-bit compare.
      const imm = next() | 0;
      const p = { r: ref.known(BigInt(imm)), f: fast.knownImm(imm) };
      same(`knownImm(${imm})`, p.r, p.f);
      if (next() % 2) return p;
      const q = { r: ref.known(BigInt(imm >>> 0)), f: fast.knownU32(imm >>> 0) };
      same(`knownU32(${imm >>> 0})`, q.r, q.f);
      return q;
    }
    if (k === 1) return mkKnown(constant(pool));
    return pick(pool);
  };

  for (let step = 0; step < steps; step++) {
    const a = pick(pool);
    const kind = next() % 17;
    const at = `step ${step} (seed ${seed})`;
    if (kind <= 5) {
      const op = pick(OPS);
      const width = pick(WIDTHS);
      let b = operand();
      if ((op === 'lsh' || op === 'rsh' || op === 'arsh') && next() % 4 !== 0) b = mkKnown(BigInt(next() % width));
      add({ r: ref.scalarAlu(op, width, a.r, b.r), f: fast.scalarAlu(op, width, a.f, b.f) }, `${at} ${op}${width} ${ref.formatScalar(a.r)}, ${ref.formatScalar(b.r)}`);
    } else if (kind <= 9) {
      const cond = pick(CONDS);
      const width = pick(WIDTHS);
      const b = operand();
      const where = `${at} ${cond}${width} ${ref.formatScalar(a.r)}, ${ref.formatScalar(b.r)}`;
      expect(fast.isBranchTaken(cond, width, a.f, b.f), where).toBe(ref.isBranchTaken(cond, width, a.r, b.r));
      for (const taken of [true, false]) {
        const x = ref.refineBranch(cond, width, a.r, b.r, taken);
        const y = fast.refineBranch(cond, width, a.f, b.f, taken);
        expect(y === null, `${where} taken=${taken}: null`).toBe(x === null);
        if (x && y) {
          add({ r: x[0], f: y[0] }, `${where} taken=${taken} [0]`);
          add({ r: x[1], f: y[1] }, `${where} taken=${taken} [1]`);
        }
      }
    } else if (kind === 10) {
      const size = pick([1, 2, 4, 8] as const);
      add({ r: ref.zeroExtend(a.r, size), f: fast.zeroExtend(a.f, size) }, `${at} zext${size} ${ref.formatScalar(a.r)}`);
      add({ r: ref.signExtend(a.r, size), f: fast.signExtend(a.f, size) }, `${at} sext${size} ${ref.formatScalar(a.r)}`);
    } else if (kind === 11) {
      const width = pick(WIDTHS);
      const bits = width === 64 ? pick([8, 16, 32] as const) : pick([8, 16] as const);
      add({ r: ref.scalarMovsx(width, bits, a.r), f: fast.scalarMovsx(width, bits, a.f) }, `${at} movsx${width}/${bits} ${ref.formatScalar(a.r)}`);
    } else if (kind === 12) {
      const order = pick(['le', 'be', 'bswap'] as const);
      const bits = pick([16, 32, 64] as const);
      add({ r: ref.scalarEnd(order, bits, a.r), f: fast.scalarEnd(order, bits, a.f) }, `${at} ${order}${bits} ${ref.formatScalar(a.r)}`);
    } else if (kind === 13) {
      const width = pick(WIDTHS);
      add({ r: ref.scalarNeg(width, a.r), f: fast.scalarNeg(width, a.f) }, `${at} neg${width} ${ref.formatScalar(a.r)}`);
    } else if (kind === 14) {
      add({ r: ref.sync(a.r), f: fast.sync(a.f) }, `${at} sync ${ref.formatScalar(a.r)}`);
    } else if (kind === 15) {
      // A range between two constants, as a pair of comparisons makes it (the edges of the
      // bounds' deductions are where the halves meet, so the constants are edge values).
      const width = pick(WIDTHS);
      const signed = next() % 2 === 1;
      const small = (): bigint => BigInt(next() % 3 === 0 ? 0 : next() % 2 ? next() % 4 : next() % 300);
      const mode = next() % 3;
      const e = signed ? BigInt.asIntN(64, pick(EDGES)) : pick(EDGES);
      // Straddling an edge value, from a constant up, or between two constants.
      const c1 = mode === 0 ? (e - small()) & M64 : constant(pool);
      const c2 = mode === 0 ? (e + small()) & M64 : mode === 1 ? (c1 + small()) & M64 : constant(pool);
      const lo = { r: ref.known(c1), f: fast.known(c1) };
      const hi = { r: ref.known(c2), f: fast.known(c2) };
      const x = ref.refineBranch(signed ? 'jsge' : 'jge', width, a.r, lo.r, true);
      const y = fast.refineBranch(signed ? 'jsge' : 'jge', width, a.f, lo.f, true);
      expect(y === null, `${at} between: null`).toBe(x === null);
      if (!x || !y) continue;
      const u = ref.refineBranch(signed ? 'jsle' : 'jle', width, x[0], hi.r, true);
      const v = fast.refineBranch(signed ? 'jsle' : 'jle', width, y[0], hi.f, true);
      expect(v === null, `${at} between: null`).toBe(u === null);
      if (u && v) add({ r: u[0], f: v[0] }, `${at} between ${c1} ${c2} ${ref.formatScalar(a.r)}`);
    } else {
      const b = pick(pool);
      const where = `${at} ${ref.formatScalar(a.r)} vs ${ref.formatScalar(b.r)}`;
      expect(fast.rangeWithin(a.f, b.f), `rangeWithin ${where}`).toBe(ref.rangeWithin(a.r, b.r));
      expect(fast.rangeWithin(b.f, a.f), `rangeWithin' ${where}`).toBe(ref.rangeWithin(b.r, a.r));
      expect(fast.scalarEquals(a.f, b.f), `scalarEquals ${where}`).toBe(ref.scalarEquals(a.r, b.r));
      expect(fast.scalarEquals(a.f, a.f), `scalarEquals self ${where}`).toBe(true);
      expect(fast.isConst(a.f), `isConst ${where}`).toBe(ref.isConst(a.r));
      for (const v of [constant(pool), a.r.umin, a.r.umax, BigInt.asUintN(64, a.r.smin), a.r.var.value | (big() & a.r.var.mask)]) {
        expect(fast.scalarContains(a.f, v), `scalarContains ${v} ${where}`).toBe(ref.scalarContains(a.r, v));
      }
    }
  }
}

describe('fast numeric domain = BigInt reference', () => {
  // DOMAIN_EQ_SEEDS=N runs seeds 1..N (a long soak); the default four run in CI.
  const seeds = Number(process.env.DOMAIN_EQ_SEEDS ?? 4);
  for (const seed of Array.from({ length: seeds }, (_, i) => i + 1)) {
    it(`seed ${seed}: 10,000 random operations agree exactly`, () => run(seed, 10_000));
  }
});

describe('multiplication at the edges of exact doubles', () => {
  // The fast mul decides overflow in doubles where it can (below 2^52 exact, from 2^65 surely
  // over) and leaves the rest to BigInt: ranges whose corners sit on both sides of each edge.
  const POINTS = [0n, 1n, 3n, (1n << 26n) - 1n, 1n << 26n, (1n << 26n) + 1n, (1n << 32n) - 1n, 1n << 32n, (1n << 52n) - 1n, 1n << 52n, (1n << 53n) + 1n, (1n << 63n) - 1n, 1n << 63n, M64];
  const range = (lo: bigint, hi: bigint, negate: boolean): { r: ref.Scalar; f: fast.Scalar } => {
    let r = ref.unknown();
    let f = fast.unknown();
    for (const [cond, v] of [['jge', lo], ['jle', hi]] as const) {
      const x = ref.refineBranch(cond, 64, r, ref.known(v), true);
      const y = fast.refineBranch(cond, 64, f, fast.known(v), true);
      if (x && y) [r, f] = [x[0], y[0]];
    }
    if (negate) [r, f] = [ref.scalarNeg(64, r), fast.scalarNeg(64, f)];
    return { r, f };
  };
  it('agrees with the reference on every pair of ranges between the edges', () => {
    const ranges: { r: ref.Scalar; f: fast.Scalar }[] = [];
    for (const lo of POINTS) for (const hi of POINTS) if (lo <= hi) for (const neg of [false, true]) ranges.push(range(lo, hi, neg));
    for (const a of ranges) {
      for (const b of ranges) {
        for (const width of WIDTHS) same(`mul${width} ${ref.formatScalar(a.r)} * ${ref.formatScalar(b.r)}`, ref.scalarAlu('mul', width, a.r, b.r), fast.scalarAlu('mul', width, a.f, b.f));
      }
    }
  });
});
