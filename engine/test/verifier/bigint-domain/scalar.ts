// The reference BigInt implementation of the verifier's numeric domain: engine/verifier/scalar.ts as
// it stood before the domain moved to uint32 halves (commit 8a09c44). The fast domain is checked
// against it, operation by operation, in ../domain-equivalence.test.ts. Do not optimise it.
// Two things differ from the original, both in states no value fits, where it left a bound
// out of its range (a negative or too large number no kernel prints): umax in
// __reg_deduce_mixed_bounds, and the umin products of mul (the kernel checks both products).
// Its tnums are the BigInt tnum functions engine/verifier/tnum.ts still exports (tested on their
// own against concrete arithmetic in tnum.test.ts), not a copy of them.

// The verifier's scalar domain (struct bpf_reg_state's numeric part in kernel/bpf/verifier.c,
// Linux 6.18): a tnum plus unsigned and signed bounds at 64 and 32 bits, the transfer
// functions of ALU instructions, branch prediction and refinement, and the log's form.
// A Scalar is never changed after it is returned; each function builds a fresh one.

import type { AluOp, JmpCond, Width } from '../../../isa/insn.ts';
import { refAlu } from '../../../isa/semantics.ts';
import {
  TNUM_UNKNOWN,
  tnumAdd,
  tnumAnd,
  tnumArshift,
  tnumBswap,
  tnumCast,
  tnumClearSubreg,
  tnumConst,
  tnumConstSubreg,
  tnumIn,
  tnumIntersect,
  tnumIsConst,
  tnumIsUnknown,
  tnumLshift,
  tnumMul,
  tnumNeg,
  tnumOr,
  tnumOverlap,
  tnumRange,
  tnumRshift,
  tnumStr,
  tnumSub,
  tnumSubreg,
  tnumSubregIsConst,
  tnumWithSubreg,
  tnumXor,
  type Tnum,
} from '../../../verifier/tnum.ts';

export interface Scalar {
  readonly var: Tnum;
  /** 64-bit bounds: unsigned in [0, 2^64), signed in [-2^63, 2^63). */
  readonly umin: bigint;
  readonly umax: bigint;
  readonly smin: bigint;
  readonly smax: bigint;
  /** Bounds of the low 32 bits: unsigned in [0, 2^32), signed in [-2^31, 2^31). */
  readonly u32min: number;
  readonly u32max: number;
  readonly s32min: number;
  readonly s32max: number;
}

type Reg = { -readonly [K in keyof Scalar]: Scalar[K] };

const U64_MAX = 0xffff_ffff_ffff_ffffn;
const S64_MAX = 0x7fff_ffff_ffff_ffffn;
const S64_MIN = -0x8000_0000_0000_0000n;
const U32_MAX = 0xffff_ffff;
const S32_MAX = 0x7fff_ffff;
const S32_MIN = -0x8000_0000;
const M32N = 0xffff_ffffn;
const HI32 = U64_MAX ^ M32N;

const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
/** Low 32 bits of a bigint as u32 / s32 numbers. */
const lo32 = (v: bigint): number => Number(v & M32N);
const los32 = (v: bigint): number => Number(v & M32N) | 0;
const u32 = (v: number): number => v >>> 0;
const s32 = (v: number): number => v | 0;
const bmax = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const bmin = (a: bigint, b: bigint): bigint => (a < b ? a : b);

function copy(s: Scalar): Reg {
  return {
    var: s.var,
    umin: s.umin,
    umax: s.umax,
    smin: s.smin,
    smax: s.smax,
    u32min: s.u32min,
    u32max: s.u32max,
    s32min: s.s32min,
    s32max: s.s32max,
  };
}

// ---- constructors (__mark_reg_known, __mark_reg_unknown) ----

function setKnown(r: Reg, imm: bigint): void {
  const v = u64(imm);
  r.var = tnumConst(v);
  r.umin = r.umax = v;
  r.smin = r.smax = s64(v);
  r.u32min = r.u32max = lo32(v);
  r.s32min = r.s32max = los32(v);
}

function setKnown32(r: Reg, imm: bigint): void {
  r.var = tnumConstSubreg(r.var, imm & M32N);
  r.u32min = r.u32max = lo32(imm);
  r.s32min = r.s32max = los32(imm);
}

function unbounded64(r: Reg): void {
  r.umin = 0n;
  r.umax = U64_MAX;
  r.smin = S64_MIN;
  r.smax = S64_MAX;
}

function unbounded32(r: Reg): void {
  r.u32min = 0;
  r.u32max = U32_MAX;
  r.s32min = S32_MIN;
  r.s32max = S32_MAX;
}

const UNKNOWN: Scalar = Object.freeze({
  var: TNUM_UNKNOWN,
  umin: 0n,
  umax: U64_MAX,
  smin: S64_MIN,
  smax: S64_MAX,
  u32min: 0,
  u32max: U32_MAX,
  s32min: S32_MIN,
  s32max: S32_MAX,
});

/** A register holding exactly `v` (taken modulo 2^64; pass a sign-extended imm as the kernel does). */
export function known(v: bigint): Scalar {
  const r = copy(UNKNOWN);
  setKnown(r, v);
  return r;
}

/** A register about which nothing is known. */
export function unknown(): Scalar {
  return UNKNOWN;
}

/** The 64-bit value is a known constant (tnum_is_const). */
export function isConst(s: Scalar): boolean {
  return tnumIsConst(s.var);
}

// ---- reg_bounds_sync ----

/** __update_reg32_bounds: bounds implied by the low 32 bits of the tnum. */
function updateBounds32(r: Reg): void {
  const v = lo32(r.var.value);
  const m = lo32(r.var.mask);
  r.s32min = Math.max(r.s32min, s32(v | (m & 0x8000_0000)));
  r.s32max = Math.min(r.s32max, s32(v | (m & S32_MAX)));
  r.u32min = Math.max(r.u32min, v);
  r.u32max = Math.min(r.u32max, u32(v | m));
}

/** __update_reg64_bounds. */
function updateBounds64(r: Reg): void {
  const { value, mask } = r.var;
  r.smin = bmax(r.smin, s64(value | (mask & 0x8000_0000_0000_0000n)));
  r.smax = bmin(r.smax, s64(value | (mask & S64_MAX)));
  r.umin = bmax(r.umin, value);
  r.umax = bmin(r.umax, value | mask);
}

function updateBounds(r: Reg): void {
  updateBounds32(r);
  updateBounds64(r);
}

/** __reg32_deduce_bounds: 32-bit bounds from the 64-bit ones and from each other. */
function deduce32(r: Reg): void {
  // The low halves of a 64-bit range form a range when the high halves agree.
  if (r.umin >> 32n === r.umax >> 32n) {
    r.u32min = Math.max(r.u32min, lo32(r.umin));
    r.u32max = Math.min(r.u32max, lo32(r.umax));
    if (los32(r.umin) <= los32(r.umax)) {
      r.s32min = Math.max(r.s32min, los32(r.umin));
      r.s32max = Math.min(r.s32max, los32(r.umax));
    }
  }
  if (r.smin >> 32n === r.smax >> 32n) {
    if (lo32(r.smin) <= lo32(r.smax)) {
      r.u32min = Math.max(r.u32min, lo32(r.smin));
      r.u32max = Math.min(r.u32max, lo32(r.smax));
    }
    if (los32(r.smin) <= los32(r.smax)) {
      r.s32min = Math.max(r.s32min, los32(r.smin));
      r.s32max = Math.min(r.s32max, los32(r.smax));
    }
  }
  // High halves that are two consecutive numbers, low halves crossing from negative to positive.
  if (u32(lo32(r.umin >> 32n) + 1) === lo32(r.umax >> 32n) && los32(r.umin) < 0 && los32(r.umax) >= 0) {
    r.s32min = Math.max(r.s32min, los32(r.umin));
    r.s32max = Math.min(r.s32max, los32(r.umax));
  }
  if (u32(lo32(r.smin >> 32n) + 1) === lo32(r.smax >> 32n) && los32(r.smin) < 0 && los32(r.smax) >= 0) {
    r.s32min = Math.max(r.s32min, los32(r.smin));
    r.s32max = Math.min(r.s32max, los32(r.smax));
  }
  if (s32(r.u32min) <= s32(r.u32max)) {
    r.s32min = Math.max(r.s32min, s32(r.u32min));
    r.s32max = Math.min(r.s32max, s32(r.u32max));
  }
  if (u32(r.s32min) <= u32(r.s32max)) {
    r.u32min = Math.max(r.u32min, u32(r.s32min));
    r.u32max = Math.min(r.u32max, u32(r.s32max));
  }
}

/** __reg64_deduce_bounds, with the sign-boundary cases of Linux 6.17. */
function deduce64(r: Reg): void {
  if (s64(r.umin) <= s64(r.umax)) {
    r.smin = bmax(r.smin, s64(r.umin));
    r.smax = bmin(r.smax, s64(r.umax));
  }
  if (u64(r.smin) <= u64(r.smax)) {
    r.umin = bmax(r.umin, u64(r.smin));
    r.umax = bmin(r.umax, u64(r.smax));
  } else if (r.umax < u64(r.smin)) {
    // The u64 range overlaps only the non-negative part of the s64 range.
    r.smin = s64(r.umin);
    r.umax = bmin(r.umax, u64(r.smax));
  } else if (u64(r.smax) < r.umin) {
    // The u64 range overlaps only the negative part.
    r.smax = s64(r.umax);
    r.umin = bmax(r.umin, u64(r.smin));
  }
}

/** __reg_deduce_mixed_bounds: 64-bit bounds tightened with the 32-bit ones. */
function deduceMixed(r: Reg): void {
  const u32lo = BigInt(r.u32min);
  const u32hi = BigInt(r.u32max);
  r.umin = bmax(r.umin, (r.umin & HI32) | u32lo);
  r.umax = bmin(r.umax, (r.umax & HI32) | u32hi);
  r.smin = bmax(r.smin, s64((u64(r.smin) & HI32) | u32lo));
  r.smax = bmin(r.smax, s64((u64(r.smax) & HI32) | u32hi));
  if (u32(r.s32min) <= u32(r.s32max)) {
    const lo = BigInt(u32(r.s32min));
    const hi = BigInt(u32(r.s32max));
    r.umin = bmax(r.umin, (r.umin & HI32) | lo);
    r.umax = bmin(r.umax, (r.umax & HI32) | hi);
    r.smin = bmax(r.smin, s64((u64(r.smin) & HI32) | lo));
    r.smax = bmin(r.smax, s64((u64(r.smax) & HI32) | hi));
  }
  // After a sign-extending load the high half is all 0s or all 1s; a non-negative low half
  // within [S32_MIN, S32_MAX] rules the 1s out.
  if (r.s32min >= 0 && r.smin >= BigInt(S32_MIN) && r.smax <= BigInt(S32_MAX)) {
    r.smin = r.umin = BigInt(r.s32min);
    // The one change from the original: `u64(...)` for umax. The kernel assigns the s32 to a
    // u64 (sign extension modulo 2^64); without it a negative s32max, possible only in a state
    // with no value (s32min >= 0 > s32max), left umax a negative bigint, which no kernel prints.
    r.smax = BigInt(r.s32max);
    r.umax = u64(r.smax);
    r.var = tnumIntersect(r.var, tnumRange(r.umin, r.umax));
  }
}

/** __reg_bound_offset: bits learnt from the unsigned bounds. */
function boundOffset(r: Reg): void {
  const var64 = tnumIntersect(r.var, tnumRange(r.umin, r.umax));
  const var32 = tnumIntersect(tnumSubreg(var64), tnumRange(BigInt(r.u32min), BigInt(r.u32max)));
  r.var = tnumOr(tnumClearSubreg(var64), var32);
}

function syncInPlace(r: Reg): void {
  updateBounds(r);
  deduce32(r);
  deduce64(r);
  deduceMixed(r);
  deduce32(r);
  deduce64(r);
  deduceMixed(r);
  boundOffset(r);
  updateBounds(r);
}

/** reg_bounds_sync: every bound and the tnum made consistent with each other. */
export function sync(s: Scalar): Scalar {
  const r = copy(s);
  syncInPlace(r);
  return r;
}

/** zext_32_to_64: the 32-bit result becomes the whole register. */
function zext32to64(r: Reg): void {
  r.var = tnumSubreg(r.var);
  r.umin = BigInt(r.u32min);
  r.umax = BigInt(r.u32max);
  if (r.s32min >= 0 && r.s32max >= 0) {
    r.smin = BigInt(r.s32min);
    r.smax = BigInt(r.s32max);
  } else {
    r.smin = 0n;
    r.smax = M32N;
  }
}

// ---- ALU (adjust_scalar_min_max_vals) ----

function add32(r: Reg, s: Scalar): void {
  const smin = r.s32min + s.s32min;
  const smax = r.s32max + s.s32max;
  if (smin < S32_MIN || smin > S32_MAX || smax < S32_MIN || smax > S32_MAX) {
    r.s32min = S32_MIN;
    r.s32max = S32_MAX;
  } else {
    r.s32min = smin;
    r.s32max = smax;
  }
  // Sound when all sums wrap or none do (scalar32_min_max_add since 6.17).
  const umin = r.u32min + s.u32min;
  const umax = r.u32max + s.u32max;
  if (umin <= U32_MAX && umax > U32_MAX) {
    r.u32min = 0;
    r.u32max = U32_MAX;
  } else {
    r.u32min = u32(umin);
    r.u32max = u32(umax);
  }
}

function add64(r: Reg, s: Scalar): void {
  const smin = r.smin + s.smin;
  const smax = r.smax + s.smax;
  if (smin < S64_MIN || smin > S64_MAX || smax < S64_MIN || smax > S64_MAX) {
    r.smin = S64_MIN;
    r.smax = S64_MAX;
  } else {
    r.smin = smin;
    r.smax = smax;
  }
  const umin = r.umin + s.umin;
  const umax = r.umax + s.umax;
  if (umin <= U64_MAX && umax > U64_MAX) {
    r.umin = 0n;
    r.umax = U64_MAX;
  } else {
    r.umin = u64(umin);
    r.umax = u64(umax);
  }
}

function sub32(r: Reg, s: Scalar): void {
  const smin = r.s32min - s.s32max;
  const smax = r.s32max - s.s32min;
  if (smin < S32_MIN || smin > S32_MAX || smax < S32_MIN || smax > S32_MAX) {
    r.s32min = S32_MIN;
    r.s32max = S32_MAX;
  } else {
    r.s32min = smin;
    r.s32max = smax;
  }
  // Sound when all differences wrap below 0 or none do (scalar32_min_max_sub since 6.17).
  const umin = r.u32min - s.u32max;
  const umax = r.u32max - s.u32min;
  if (umin < 0 && umax >= 0) {
    r.u32min = 0;
    r.u32max = U32_MAX;
  } else {
    r.u32min = u32(umin);
    r.u32max = u32(umax);
  }
}

function sub64(r: Reg, s: Scalar): void {
  const smin = r.smin - s.smax;
  const smax = r.smax - s.smin;
  if (smin < S64_MIN || smin > S64_MAX || smax < S64_MIN || smax > S64_MAX) {
    r.smin = S64_MIN;
    r.smax = S64_MAX;
  } else {
    r.smin = smin;
    r.smax = smax;
  }
  const umin = r.umin - s.umax;
  const umax = r.umax - s.umin;
  if (umin < 0n && umax >= 0n) {
    r.umin = 0n;
    r.umax = U64_MAX;
  } else {
    r.umin = u64(umin);
    r.umax = u64(umax);
  }
}

/** scalar32_min_max_mul (6.14+): unsigned corners, signed from the four corner products. */
function mul32(r: Reg, s: Scalar): void {
  // Either product may overflow (check_mul_overflow of both): umin's only when no value fits.
  const umax = r.u32max * s.u32max;
  const umin = r.u32min * s.u32min;
  if (umax > U32_MAX || umin > U32_MAX) {
    r.u32min = 0;
    r.u32max = U32_MAX;
  } else {
    r.u32min = umin;
    r.u32max = umax;
  }
  const p0 = r.s32min * s.s32min;
  const p1 = r.s32min * s.s32max;
  const p2 = r.s32max * s.s32min;
  const p3 = r.s32max * s.s32max;
  const lo = Math.min(p0, p1, p2, p3);
  const hi = Math.max(p0, p1, p2, p3);
  if (lo < S32_MIN || hi > S32_MAX) {
    r.s32min = S32_MIN;
    r.s32max = S32_MAX;
  } else {
    r.s32min = lo;
    r.s32max = hi;
  }
}

/** scalar_min_max_mul (6.14+). */
function mul64(r: Reg, s: Scalar): void {
  const umax = r.umax * s.umax;
  const umin = r.umin * s.umin;
  if (umax > U64_MAX || umin > U64_MAX) {
    r.umin = 0n;
    r.umax = U64_MAX;
  } else {
    r.umin = umin;
    r.umax = umax;
  }
  const p0 = r.smin * s.smin;
  const p1 = r.smin * s.smax;
  const p2 = r.smax * s.smin;
  const p3 = r.smax * s.smax;
  const lo = bmin(bmin(p0, p1), bmin(p2, p3));
  const hi = bmax(bmax(p0, p1), bmax(p2, p3));
  if (lo < S64_MIN || hi > S64_MAX) {
    r.smin = S64_MIN;
    r.smax = S64_MAX;
  } else {
    r.smin = lo;
    r.smax = hi;
  }
}

/** Signed 32-bit bounds copied from the unsigned ones when they do not cross the sign bit. */
function signed32FromUnsigned(r: Reg): void {
  if (s32(r.u32min) <= s32(r.u32max)) {
    r.s32min = s32(r.u32min);
    r.s32max = s32(r.u32max);
  } else {
    r.s32min = S32_MIN;
    r.s32max = S32_MAX;
  }
}

function signed64FromUnsigned(r: Reg): void {
  if (s64(r.umin) <= s64(r.umax)) {
    r.smin = s64(r.umin);
    r.smax = s64(r.umax);
  } else {
    r.smin = S64_MIN;
    r.smax = S64_MAX;
  }
}

/** scalar(32)_min_max_and/or/xor; `r.var` already holds the result tnum. */
function bitwise32(op: 'and' | 'or' | 'xor', r: Reg, s: Scalar, bothConst: boolean): void {
  const t = tnumSubreg(r.var);
  if (bothConst) {
    setKnown32(r, t.value);
    return;
  }
  const v = lo32(t.value);
  const vm = u32(v | lo32(t.mask));
  if (op === 'and') {
    r.u32min = v;
    r.u32max = Math.min(r.u32max, s.u32max);
  } else if (op === 'or') {
    r.u32min = Math.max(r.u32min, s.u32min);
    r.u32max = vm;
  } else {
    r.u32min = v;
    r.u32max = vm;
  }
  signed32FromUnsigned(r);
}

function bitwise64(op: 'and' | 'or' | 'xor', r: Reg, s: Scalar, bothConst: boolean): void {
  if (bothConst) {
    setKnown(r, r.var.value);
    return;
  }
  const { value, mask } = r.var;
  if (op === 'and') {
    r.umin = value;
    r.umax = bmin(r.umax, s.umax);
  } else if (op === 'or') {
    r.umin = bmax(r.umin, s.umin);
    r.umax = value | mask;
  } else {
    r.umin = value;
    r.umax = value | mask;
  }
  signed64FromUnsigned(r);
  updateBounds(r);
}

/** __scalar32_min_max_lsh. */
function lshBounds32(r: Reg, umin: number, umax: number): void {
  r.s32min = S32_MIN;
  r.s32max = S32_MAX;
  if (umax > 31 || r.u32max > 2 ** (31 - umax)) {
    r.u32min = 0;
    r.u32max = U32_MAX;
  } else {
    r.u32min = u32(r.u32min * 2 ** umin);
    r.u32max = u32(r.u32max * 2 ** umax);
  }
}

function lsh32(r: Reg, k: number): void {
  const sub = tnumSubreg(r.var);
  lshBounds32(r, k, k);
  r.var = tnumSubreg(tnumLshift(sub, k));
  unbounded64(r);
  updateBounds32(r);
}

function lsh64(r: Reg, k: number): void {
  // A shift by exactly 32 of a non-negative subregister keeps its sign (the <<32 s>>32 idiom).
  r.smax = k === 32 && r.s32max >= 0 ? BigInt(r.s32max) << 32n : S64_MAX;
  r.smin = k === 32 && r.s32min >= 0 ? BigInt(r.s32min) << 32n : S64_MIN;
  const kb = BigInt(k);
  if (r.umax > 1n << (63n - kb)) {
    r.umin = 0n;
    r.umax = U64_MAX;
  } else {
    r.umin = u64(r.umin << kb);
    r.umax = u64(r.umax << kb);
  }
  lshBounds32(r, k, k);
  r.var = tnumLshift(r.var, k);
  updateBounds(r);
}

function rsh32(r: Reg, k: number): void {
  const sub = tnumSubreg(r.var);
  r.s32min = S32_MIN;
  r.s32max = S32_MAX;
  r.var = tnumRshift(sub, k);
  r.u32min = Math.floor(r.u32min / 2 ** k);
  r.u32max = Math.floor(r.u32max / 2 ** k);
  unbounded64(r);
  updateBounds32(r);
}

function rsh64(r: Reg, k: number): void {
  const kb = BigInt(k);
  r.smin = S64_MIN;
  r.smax = S64_MAX;
  r.var = tnumRshift(r.var, k);
  r.umin >>= kb;
  r.umax >>= kb;
  unbounded32(r);
  updateBounds(r);
}

function arsh32(r: Reg, k: number): void {
  r.s32min >>= k;
  r.s32max >>= k;
  r.var = tnumArshift(tnumSubreg(r.var), k, 32);
  r.u32min = 0;
  r.u32max = U32_MAX;
  unbounded64(r);
  updateBounds32(r);
}

function arsh64(r: Reg, k: number): void {
  const kb = BigInt(k);
  r.smin >>= kb;
  r.smax >>= kb;
  r.var = tnumArshift(r.var, k, 64);
  r.umin = 0n;
  r.umax = U64_MAX;
  unbounded32(r);
  updateBounds(r);
}

/** The operand is one known number at this width (is_safe_to_compute_dst_reg_range's src_is_const). */
function srcIsConst(s: Scalar, width: Width): boolean {
  return width === 32
    ? tnumSubregIsConst(s.var) && s.s32min === s.s32max && s.u32min === s.u32max
    : tnumIsConst(s.var) && s.smin === s.smax && s.umin === s.umax;
}

/**
 * `dst op= src` at `width` bits, as adjust_scalar_min_max_vals (and check_alu_op for mov) do it.
 * An immediate operand is `known(BigInt(imm))`: sign-extended to 64 bits, as the kernel does.
 * Division and modulo give an unknown scalar, constants or not; so do shifts by an amount that
 * is not one known number below the width (the 64-bit umax is what 6.18 compares, even for w regs).
 * A 32-bit result is zero-extended into the register.
 */
export function scalarAlu(op: AluOp, width: Width, dst: Scalar, src: Scalar): Scalar {
  if (op === 'mov') {
    if (width === 64) return src;
    const r = copy(src);
    zext32to64(r);
    syncInPlace(r);
    return r;
  }
  if (op === 'div' || op === 'sdiv' || op === 'mod' || op === 'smod') return UNKNOWN;
  // Two constants give a constant (the tnum and bounds arithmetic below would reach the same
  // value, at a hundred times the cost). A shift by the width or more stays unknown, as below.
  if (isConst(dst) && isConst(src) && !((op === 'lsh' || op === 'rsh' || op === 'arsh') && src.var.value >= BigInt(width))) {
    return known(refAlu(op, width, dst.var.value, src.var.value));
  }
  const r = copy(dst);
  const w32 = width === 32;
  switch (op) {
    case 'add':
      add32(r, src);
      if (!w32) add64(r, src);
      r.var = tnumAdd(r.var, src.var);
      break;
    case 'sub':
      sub32(r, src);
      if (!w32) sub64(r, src);
      r.var = tnumSub(r.var, src.var);
      break;
    case 'mul':
      r.var = tnumMul(r.var, src.var);
      mul32(r, src);
      if (!w32) mul64(r, src);
      break;
    case 'and':
    case 'or':
    case 'xor': {
      r.var = op === 'and' ? tnumAnd(r.var, src.var) : op === 'or' ? tnumOr(r.var, src.var) : tnumXor(r.var, src.var);
      // As in the kernel, "dst known" is asked of the result tnum, already computed.
      bitwise32(op, r, src, tnumSubregIsConst(src.var) && tnumSubregIsConst(r.var));
      if (!w32) bitwise64(op, r, src, tnumIsConst(src.var) && tnumIsConst(r.var));
      break;
    }
    case 'lsh':
    case 'rsh':
    case 'arsh': {
      if (!srcIsConst(src, width) || src.umax >= BigInt(width)) return UNKNOWN;
      const k = w32 ? src.u32min : Number(src.umin);
      if (op === 'lsh') (w32 ? lsh32 : lsh64)(r, k);
      else if (op === 'rsh') (w32 ? rsh32 : rsh64)(r, k);
      else (w32 ? arsh32 : arsh64)(r, k);
      break;
    }
  }
  if (w32) zext32to64(r);
  syncInPlace(r);
  return r;
}

/** `dst = -dst` (BPF_NEG: 0 - dst with the sub rules, tnum_neg). */
export function scalarNeg(width: Width, dst: Scalar): Scalar {
  const r = copy(UNKNOWN);
  setKnown(r, 0n);
  sub32(r, dst);
  if (width === 64) sub64(r, dst);
  r.var = tnumNeg(dst.var);
  if (width === 32) zext32to64(r);
  syncInPlace(r);
  return r;
}

// ---- width changes: loads, movsx, byte swaps ----

/**
 * coerce_reg_to_size: keep the low `size` bytes (a zero-extending load of `size` bytes, or
 * le16/le32). Bounds survive when the dropped high bits are the same across the range.
 */
export function zeroExtend(s: Scalar, size: 1 | 2 | 4 | 8): Scalar {
  if (size === 8) return s;
  const r = copy(s);
  r.var = tnumCast(r.var, size);
  const mask = (1n << BigInt(size * 8)) - 1n;
  if ((r.umin & ~mask) === (r.umax & ~mask)) {
    r.umin &= mask;
    r.umax &= mask;
  } else {
    r.umin = 0n;
    r.umax = mask;
  }
  r.smin = r.umin;
  r.smax = r.umax;
  if (size < 4) unbounded32(r);
  syncInPlace(r);
  return r;
}

const sext = (v: bigint, bits: number): bigint => BigInt.asIntN(bits, v);

/**
 * coerce_reg_to_size_sx: sign-extend the low `size` bytes to 64 bits (a sign-extending load,
 * or `r = (s8/s16/s32) r`). Not synced afterwards, as in the kernel.
 */
export function signExtend(s: Scalar, size: 1 | 2 | 4 | 8): Scalar {
  if (size === 8) return s;
  const bits = size * 8;
  const r = copy(s);
  if (tnumIsConst(r.var)) {
    setKnown(r, sext(r.var.value, bits));
    return r;
  }
  const half = 1n << BigInt(bits - 1);
  // A range already inside [-2^(bits-1), 2^(bits-1)) is left as it is: sign extension is the
  // identity there (what the 6.18 kernel answers for r = (s8)r with r in [-5, 5]).
  if (r.smin >= -half && r.smax < half) return s;
  const nb = BigInt(bits);
  if (u64(r.smax) >> nb === u64(r.smin) >> nb) {
    const a = sext(r.smax, bits);
    const b = sext(r.smin, bits);
    const hi = bmax(a, b);
    const lo = bmin(a, b);
    if ((hi >= 0n) === (lo >= 0n)) {
      r.smin = lo;
      r.smax = hi;
      r.s32min = Number(lo);
      r.s32max = Number(hi);
      r.umin = u64(lo);
      r.umax = u64(hi);
      r.u32min = lo32(lo);
      r.u32max = lo32(hi);
      r.var = tnumRange(u64(lo), u64(hi));
      return r;
    }
  }
  // set_sext64_default_val
  r.smin = -half;
  r.smax = half - 1n;
  r.s32min = Number(-half);
  r.s32max = Number(half - 1n);
  r.umin = 0n;
  r.umax = U64_MAX;
  r.u32min = 0;
  r.u32max = U32_MAX;
  r.var = TNUM_UNKNOWN;
  return r;
}

/** coerce_subreg_to_size_sx: sign-extend the low `size` bytes to 32 bits (`w = (s8/s16) w`), not zero-extended yet. */
function signExtendSubreg(r: Reg, size: 1 | 2): void {
  const bits = size * 8;
  if (tnumIsConst(r.var)) {
    const v = sext(r.var.value, bits);
    r.var = tnumConst(v);
    r.s32min = r.s32max = Number(v);
    r.u32min = r.u32max = lo32(v);
    return;
  }
  const topMax = u32(r.s32max) >>> bits;
  const topMin = u32(r.s32min) >>> bits;
  if (topMax === topMin) {
    const shift = 32 - bits;
    const a = (r.s32max << shift) >> shift;
    const b = (r.s32min << shift) >> shift;
    const hi = Math.max(a, b);
    const lo = Math.min(a, b);
    if (hi >= 0 === lo >= 0) {
      r.s32min = lo;
      r.s32max = hi;
      r.u32min = u32(lo);
      r.u32max = u32(hi);
      r.var = tnumSubreg(tnumRange(u64(BigInt(lo)), u64(BigInt(hi))));
      return;
    }
  }
  // set_sext32_default_val
  r.s32min = -(2 ** (bits - 1));
  r.s32max = 2 ** (bits - 1) - 1;
  r.u32min = 0;
  r.u32max = U32_MAX;
  r.var = tnumSubreg(TNUM_UNKNOWN);
}

/** MOVSX: `r = (s8/s16/s32) src` (width 64) or `w = (s8/s16) w src` (width 32, then zero-extended). */
export function scalarMovsx(width: Width, bits: 8 | 16 | 32, src: Scalar): Scalar {
  if (width === 64) return signExtend(src, (bits / 8) as 1 | 2 | 4);
  const r = copy(src);
  if (bits !== 32) signExtendSubreg(r, (bits / 8) as 1 | 2);
  zext32to64(r);
  syncInPlace(r);
  return r;
}

/**
 * BPF_END on a little-endian machine, as the 6.18 kernel tracks it: le64 changes nothing,
 * le16/le32 keep the low bytes (coerce_reg_to_size), and be/bswap reverse the bytes of the
 * tnum and derive every bound from it.
 */
export function scalarEnd(order: 'le' | 'be' | 'bswap', bits: 16 | 32 | 64, dst: Scalar): Scalar {
  if (order === 'le') return zeroExtend(dst, (bits / 8) as 2 | 4 | 8);
  const r = copy(UNKNOWN);
  r.var = tnumBswap(dst.var, bits);
  syncInPlace(r);
  return r;
}

// ---- branches (is_scalar_branch_taken, regs_refine_cond_op) ----

function isRegConst(s: Scalar, w32: boolean): boolean {
  return w32 ? tnumSubregIsConst(s.var) : tnumIsConst(s.var);
}

function regConstValue(s: Scalar, w32: boolean): bigint {
  return w32 ? s.var.value & M32N : s.var.value;
}

/**
 * Whether `a cond b` at `width` bits is always true (1), never true (0) or either (-1), from
 * the tnums and bounds alone (is_scalar_branch_taken, with the tnum overlap test of 6.18).
 */
export function isBranchTaken(cond: JmpCond, width: Width, a: Scalar, b: Scalar): 0 | 1 | -1 {
  const w32 = width === 32;
  let t1 = w32 ? tnumSubreg(a.var) : a.var;
  let t2 = w32 ? tnumSubreg(b.var) : b.var;
  const umin1 = w32 ? BigInt(a.u32min) : a.umin;
  const umax1 = w32 ? BigInt(a.u32max) : a.umax;
  const smin1 = w32 ? BigInt(a.s32min) : a.smin;
  const smax1 = w32 ? BigInt(a.s32max) : a.smax;
  const umin2 = w32 ? BigInt(b.u32min) : b.umin;
  const umax2 = w32 ? BigInt(b.u32max) : b.umax;
  const smin2 = w32 ? BigInt(b.s32min) : b.smin;
  const smax2 = w32 ? BigInt(b.s32max) : b.smax;
  switch (cond) {
    case 'jeq':
    case 'jne': {
      const yes: 0 | 1 = cond === 'jeq' ? 1 : 0;
      const no: 0 | 1 = cond === 'jeq' ? 0 : 1;
      if (tnumIsConst(t1) && tnumIsConst(t2)) return t1.value === t2.value ? yes : no;
      if (!tnumOverlap(t1, t2)) return no;
      if (umin1 > umax2 || umax1 < umin2) return no;
      if (smin1 > smax2 || smax1 < smin2) return no;
      if (!w32) {
        if (a.u32min > b.u32max || a.u32max < b.u32min) return no;
        if (a.s32min > b.s32max || a.s32max < b.s32min) return no;
      }
      return -1;
    }
    case 'jset': {
      if (!isRegConst(b, w32)) {
        if (!isRegConst(a, w32)) return -1;
        [t1, t2] = [t2, t1];
      }
      if (~t1.mask & t1.value & t2.value) return 1;
      if (((t1.mask | t1.value) & t2.value) === 0n) return 0;
      return -1;
    }
    case 'jgt':
      return umin1 > umax2 ? 1 : umax1 <= umin2 ? 0 : -1;
    case 'jsgt':
      return smin1 > smax2 ? 1 : smax1 <= smin2 ? 0 : -1;
    case 'jlt':
      return umax1 < umin2 ? 1 : umin1 >= umax2 ? 0 : -1;
    case 'jslt':
      return smax1 < smin2 ? 1 : smin1 >= smax2 ? 0 : -1;
    case 'jge':
      return umin1 >= umax2 ? 1 : umax1 < umin2 ? 0 : -1;
    case 'jsge':
      return smin1 >= smax2 ? 1 : smax1 < smin2 ? 0 : -1;
    case 'jle':
      return umax1 <= umin2 ? 1 : umin1 > umax2 ? 0 : -1;
    case 'jsle':
      return smax1 <= smin2 ? 1 : smin1 > smax2 ? 0 : -1;
  }
}

/** The condition that holds on the fall-through edge (rev_opcode); 'jset!' is "no common bit". */
type RefineOp = JmpCond | 'jset!';
const REVERSED: Record<JmpCond, RefineOp> = {
  jeq: 'jne',
  jne: 'jeq',
  jgt: 'jle',
  jle: 'jgt',
  jge: 'jlt',
  jlt: 'jge',
  jsgt: 'jsle',
  jsle: 'jsgt',
  jsge: 'jslt',
  jslt: 'jsge',
  jset: 'jset!',
};

const isPowerOf2 = (v: bigint): boolean => v !== 0n && (v & (v - 1n)) === 0n;

/** regs_refine_cond_op: narrow r1 and r2 to the pairs for which `r1 op r2` holds. */
function refine(op: RefineOp, w32: boolean, r1: Reg, r2: Reg): void {
  // GT/GE/SGT/SGE are LT/LE/SLT/SLE with the operands swapped.
  if (op === 'jgt' || op === 'jge' || op === 'jsgt' || op === 'jsge') {
    [r1, r2] = [r2, r1];
    op = op === 'jgt' ? 'jlt' : op === 'jge' ? 'jle' : op === 'jsgt' ? 'jslt' : 'jsle';
  }
  switch (op) {
    case 'jeq':
      if (w32) {
        r1.u32min = r2.u32min = Math.max(r1.u32min, r2.u32min);
        r1.u32max = r2.u32max = Math.min(r1.u32max, r2.u32max);
        r1.s32min = r2.s32min = Math.max(r1.s32min, r2.s32min);
        r1.s32max = r2.s32max = Math.min(r1.s32max, r2.s32max);
        const t = tnumIntersect(tnumSubreg(r1.var), tnumSubreg(r2.var));
        r1.var = tnumWithSubreg(r1.var, t);
        r2.var = tnumWithSubreg(r2.var, t);
      } else {
        r1.umin = r2.umin = bmax(r1.umin, r2.umin);
        r1.umax = r2.umax = bmin(r1.umax, r2.umax);
        r1.smin = r2.smin = bmax(r1.smin, r2.smin);
        r1.smax = r2.smax = bmin(r1.smax, r2.smax);
        r1.var = r2.var = tnumIntersect(r1.var, r2.var);
      }
      return;
    case 'jne': {
      if (!isRegConst(r2, w32)) [r1, r2] = [r2, r1];
      if (!isRegConst(r2, w32)) return;
      // Only a constant at an edge of the other range moves that edge.
      const val = regConstValue(r2, w32);
      if (w32) {
        const uv = lo32(val);
        const sv = los32(val);
        if (r1.u32min === uv) r1.u32min++;
        if (r1.u32max === uv) r1.u32max--;
        if (r1.s32min === sv) r1.s32min++;
        if (r1.s32max === sv) r1.s32max--;
      } else {
        const sv = s64(val);
        if (r1.umin === val) r1.umin++;
        if (r1.umax === val) r1.umax--;
        if (r1.smin === sv) r1.smin++;
        if (r1.smax === sv) r1.smax--;
      }
      return;
    }
    case 'jset': {
      if (!isRegConst(r2, w32)) [r1, r2] = [r2, r1];
      if (!isRegConst(r2, w32)) return;
      const val = regConstValue(r2, w32);
      // Some bit of val is set: only a single-bit val says which.
      if (!isPowerOf2(val)) return;
      r1.var = w32 ? tnumWithSubreg(r1.var, tnumOr(tnumSubreg(r1.var), tnumConst(val))) : tnumOr(r1.var, tnumConst(val));
      return;
    }
    case 'jset!': {
      if (!isRegConst(r2, w32)) [r1, r2] = [r2, r1];
      if (!isRegConst(r2, w32)) return;
      const val = regConstValue(r2, w32);
      // The ranges are forgotten before the tnum narrows (6.18), so a dead branch cannot leave them contradicting it.
      unbounded64(r1);
      unbounded32(r1);
      const keep = tnumConst(~val & U64_MAX);
      r1.var = w32 ? tnumWithSubreg(r1.var, tnumAnd(tnumSubreg(r1.var), keep)) : tnumAnd(r1.var, keep);
      return;
    }
    case 'jle':
      if (w32) {
        r1.u32max = Math.min(r1.u32max, r2.u32max);
        r2.u32min = Math.max(r1.u32min, r2.u32min);
      } else {
        r1.umax = bmin(r1.umax, r2.umax);
        r2.umin = bmax(r1.umin, r2.umin);
      }
      return;
    case 'jlt':
      if (w32) {
        r1.u32max = Math.min(r1.u32max, r2.u32max - 1);
        r2.u32min = Math.max(r1.u32min + 1, r2.u32min);
      } else {
        r1.umax = bmin(r1.umax, r2.umax - 1n);
        r2.umin = bmax(r1.umin + 1n, r2.umin);
      }
      return;
    case 'jsle':
      if (w32) {
        r1.s32max = Math.min(r1.s32max, r2.s32max);
        r2.s32min = Math.max(r1.s32min, r2.s32min);
      } else {
        r1.smax = bmin(r1.smax, r2.smax);
        r2.smin = bmax(r1.smin, r2.smin);
      }
      return;
    case 'jslt':
      if (w32) {
        r1.s32max = Math.min(r1.s32max, r2.s32max - 1);
        r2.s32min = Math.max(r1.s32min + 1, r2.s32min);
      } else {
        r1.smax = bmin(r1.smax, r2.smax - 1n);
        r2.smin = bmax(r1.smin + 1n, r2.smin);
      }
      return;
  }
}

/** No value fits the bounds and the tnum (what reg_bounds_sanity_check would call a violation). */
function isEmpty(r: Scalar): boolean {
  if (r.umin > r.umax || r.smin > r.smax || r.u32min > r.u32max || r.s32min > r.s32max) return true;
  if (tnumIsConst(r.var)) {
    const v = r.var.value;
    if (r.umin !== v || r.umax !== v || r.smin !== s64(v) || r.smax !== s64(v)) return true;
  }
  if (tnumSubregIsConst(r.var)) {
    const v = r.var.value & M32N;
    if (r.u32min !== lo32(v) || r.u32max !== lo32(v) || r.s32min !== los32(v) || r.s32max !== los32(v)) return true;
  }
  return false;
}

/**
 * `a` and `b` narrowed to the pairs for which `a cond b` is `taken` (reg_set_min_max: the
 * refinement of one edge, then reg_bounds_sync of both), or null when no pair of their
 * values can take that edge. `a` and `b` must be different registers: the kernel skips
 * refinement when both operands are one register.
 */
export function refineBranch(cond: JmpCond, width: Width, a: Scalar, b: Scalar, taken: boolean): [Scalar, Scalar] | null {
  const pred = isBranchTaken(cond, width, a, b);
  if (pred === (taken ? 0 : 1)) return null;
  const op: RefineOp = taken ? cond : REVERSED[cond];
  const w32 = width === 32;
  if (op === 'jeq' && !tnumOverlap(w32 ? tnumSubreg(a.var) : a.var, w32 ? tnumSubreg(b.var) : b.var)) return null;
  const r1 = copy(a);
  const r2 = copy(b);
  refine(op, w32, r1, r2);
  syncInPlace(r1);
  syncInPlace(r2);
  if (isEmpty(r1) || isEmpty(r2)) return null;
  return [r1, r2];
}

// ---- state pruning, equality, log ----

/** Every value `cur` allows, `old` allows too (range_within and tnum_in of regsafe). */
export function rangeWithin(old: Scalar, cur: Scalar): boolean {
  return (
    old.umin <= cur.umin &&
    old.umax >= cur.umax &&
    old.smin <= cur.smin &&
    old.smax >= cur.smax &&
    old.u32min <= cur.u32min &&
    old.u32max >= cur.u32max &&
    old.s32min <= cur.s32min &&
    old.s32max >= cur.s32max &&
    tnumIn(old.var, cur.var)
  );
}

export function scalarEquals(a: Scalar, b: Scalar): boolean {
  return (
    a.umin === b.umin &&
    a.umax === b.umax &&
    a.smin === b.smin &&
    a.smax === b.smax &&
    a.u32min === b.u32min &&
    a.u32max === b.u32max &&
    a.s32min === b.s32min &&
    a.s32max === b.s32max &&
    a.var.value === b.var.value &&
    a.var.mask === b.var.mask
  );
}

/** The concrete 64-bit value `v` is allowed by every part of `s` (for tests and assertions). */
export function scalarContains(s: Scalar, v: bigint): boolean {
  const uv = u64(v);
  const sv = s64(uv);
  const l = lo32(uv);
  const ls = los32(uv);
  return (
    (uv & ~s.var.mask) === s.var.value &&
    uv >= s.umin &&
    uv <= s.umax &&
    sv >= s.smin &&
    sv <= s.smax &&
    l >= s.u32min &&
    l <= s.u32max &&
    ls >= s.s32min &&
    ls <= s.s32max
  );
}

// print_scalar_ranges and verbose_unum/verbose_snum of kernel/bpf/log.c.
const unum = (v: bigint): string => (v <= 0xffffn ? v.toString() : `0x${v.toString(16)}`);
const snum = (v: bigint): string => (v >= -0x8000n && v <= 0x7fffn ? v.toString() : `0x${u64(v).toString(16)}`);

/**
 * The log's form of a scalar register (print_reg_state, Linux 6.18): a constant as a number
 * (decimal within s16 range, hex beyond), otherwise `scalar(...)` with each bound that is
 * not its type's extreme, equal mins (or maxes) merged as `smin=umin=…`, then var_off.
 */
export function formatScalar(s: Scalar, opts: { readonly id?: number; readonly precise?: boolean } = {}): string {
  const p = opts.precise ? 'P' : '';
  if (tnumIsConst(s.var)) return p + snum(s64(s.var.value));
  // The 32-bit signed bounds are compared sign-extended when printed in decimal, as u32 otherwise.
  const s32v = (v: number): bigint => (v >= -0x8000 && v <= 0x7fff ? u64(BigInt(v)) : BigInt(u32(v)));
  const names = ['smin', 'smax', 'umin', 'umax', 'smin32', 'smax32', 'umin32', 'umax32'];
  const vals = [u64(s.smin), u64(s.smax), s.umin, s.umax, s32v(s.s32min), s32v(s.s32max), BigInt(s.u32min), BigInt(s.u32max)];
  const omit = [
    s.smin === S64_MIN,
    s.smax === S64_MAX,
    s.umin === 0n,
    s.umax === U64_MAX,
    s.s32min === S32_MIN,
    s.s32max === S32_MAX,
    s.u32min === 0,
    s.u32max === U32_MAX,
  ];
  const parts: string[] = [];
  if (opts.id) parts.push(`id=${opts.id}`);
  for (let i = 0; i < 8; i++) {
    if (omit[i]) continue;
    const val = vals[i] as bigint;
    const name = names[i] as string;
    const signed = name[0] === 's';
    const neg = signed && s64(val) < 0n;
    let text = `${name}=`;
    for (let j = i + 2; j < 8; j += 2) {
      if (omit[j] || vals[j] !== val) continue;
      const other = names[j] as string;
      if ((other[0] === 's' && s64(val) < 0n) !== neg) continue;
      omit[j] = true;
      text += `${other}=`;
    }
    parts.push(text + (signed ? snum(s64(val)) : unum(val)));
  }
  if (!tnumIsUnknown(s.var)) parts.push(`var_off=${tnumStr(s.var)}`);
  return `${p}scalar(${parts.join(',')})`;
}
