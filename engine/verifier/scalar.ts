// The verifier's scalar domain (struct bpf_reg_state's numeric part in kernel/bpf/verifier.c,
// Linux 6.18): a tnum plus unsigned and signed bounds at 64 and 32 bits, the transfer
// functions of ALU instructions, branch prediction and refinement, and the log's form.
// A Scalar is never changed after it is returned; each function builds a fresh one (a copy,
// changed in place before it is returned).
//
// Every 64-bit quantity is kept as two int32 bit patterns, its high (…H) and low (…L) halves,
// so that the hot paths (reg_bounds_sync, add/sub/bitwise/shift, branches, pruning) run on
// small integers with no BigInt and no intermediate objects. The result must be exactly the
// kernel's (the log is compared byte for byte): engine/test/verifier/domain-equivalence.test.ts
// checks it against the BigInt port this replaced. Multiplication, sign extension to 64 bits
// and the log's text convert to BigInt: they are rare, and simpler so.

import type { AluOp, JmpCond, Width } from '../isa/insn.ts';
import { refAlu } from '../isa/semantics.ts';
import {
  borrow,
  bswap32,
  carry,
  tnumAddTo,
  tnumAndTo,
  tnumArshiftIn,
  tnumInHalves,
  tnumIntersectIn,
  tnumIntersectRange32In,
  tnumIntersectRangeIn,
  tnumLshiftIn,
  tnumMulTo,
  tnumOrTo,
  tnumOverlap32,
  tnumOverlapHalves,
  tnumRange,
  tnumRshiftIn,
  tnumStr,
  tnumSubTo,
  tnumXorTo,
  type Tnum,
} from './tnum.ts';

const M32N = 0xffff_ffffn;
/** A 64-bit value from its halves, unsigned. */
const u64Of = (h: number, l: number): bigint => (BigInt(h >>> 0) << 32n) | BigInt(l >>> 0);
/** A 64-bit value from its halves, signed (two's complement). */
const s64Of = (h: number, l: number): bigint => (BigInt(h | 0) << 32n) | BigInt(l >>> 0);
/** The high and low halves of a bigint taken modulo 2^64, as int32 bit patterns. */
const hiOf = (v: bigint): number => Number(BigInt.asUintN(64, v) >> 32n) | 0;
const loOf = (v: bigint): number => Number(v & M32N) | 0;

/**
 * A register's numeric state. The tnum is (vh:vl; mh:ml); the 64-bit bounds are umin, umax,
 * smin, smax as halves (signed bounds as their two's-complement bits: compare the high halves
 * as int32, the low ones as uint32). Every half is an int32 (`| 0`), which V8 keeps unboxed.
 * The 32-bit bounds are plain numbers: u32 in [0, 2^32), s32 in [-2^31, 2^31).
 *
 * All instances come from one constructor with every field in one order, so every access
 * sees one hidden class (hence no Object.freeze either: a frozen object has another one).
 * The bigint getters serve the rest of the verifier and the tests, not the domain itself.
 */
export class Scalar {
  declare readonly vh: number;
  declare readonly vl: number;
  declare readonly mh: number;
  declare readonly ml: number;
  declare readonly uminH: number;
  declare readonly uminL: number;
  declare readonly umaxH: number;
  declare readonly umaxL: number;
  declare readonly sminH: number;
  declare readonly sminL: number;
  declare readonly smaxH: number;
  declare readonly smaxL: number;
  declare readonly u32min: number;
  declare readonly u32max: number;
  declare readonly s32min: number;
  declare readonly s32max: number;

  constructor(
    vh: number,
    vl: number,
    mh: number,
    ml: number,
    uminH: number,
    uminL: number,
    umaxH: number,
    umaxL: number,
    sminH: number,
    sminL: number,
    smaxH: number,
    smaxL: number,
    u32min: number,
    u32max: number,
    s32min: number,
    s32max: number,
  ) {
    this.vh = vh;
    this.vl = vl;
    this.mh = mh;
    this.ml = ml;
    this.uminH = uminH;
    this.uminL = uminL;
    this.umaxH = umaxH;
    this.umaxL = umaxL;
    this.sminH = sminH;
    this.sminL = sminL;
    this.smaxH = smaxH;
    this.smaxL = smaxL;
    this.u32min = u32min;
    this.u32max = u32max;
    this.s32min = s32min;
    this.s32max = s32max;
  }

  /** The tnum as bigints, both unsigned 64-bit. */
  get var(): Tnum {
    return { value: u64Of(this.vh, this.vl), mask: u64Of(this.mh, this.ml) };
  }
  /** 64-bit bounds as bigints: unsigned in [0, 2^64), signed in [-2^63, 2^63). */
  get umin(): bigint {
    return u64Of(this.uminH, this.uminL);
  }
  get umax(): bigint {
    return u64Of(this.umaxH, this.umaxL);
  }
  get smin(): bigint {
    return s64Of(this.sminH, this.sminL);
  }
  get smax(): bigint {
    return s64Of(this.smaxH, this.smaxL);
  }
}

type Field = 'vh' | 'vl' | 'mh' | 'ml' | 'uminH' | 'uminL' | 'umaxH' | 'umaxL' | 'sminH' | 'sminL' | 'smaxH' | 'smaxL' | 'u32min' | 'u32max' | 's32min' | 's32max';
/** A Scalar being built: its number fields writable. */
type Reg = { -readonly [K in Field]: number } & { readonly [K in Exclude<keyof Scalar, Field>]: Scalar[K] };

const U32_MAX = 0xffff_ffff;
const S32_MAX = 0x7fff_ffff;
const S32_MIN = -0x8000_0000;
/** High half of S64_MIN and of S64_MAX (their low halves are 0 and -1). */
const S64_MIN_H = -0x8000_0000;
const S64_MAX_H = 0x7fff_ffff;

const u32 = (v: number): number => v >>> 0;
const s32 = (v: number): number => v | 0;

/** a < b, both unsigned 64-bit halves. */
function ult(ah: number, al: number, bh: number, bl: number): boolean {
  return ah === bh ? al >>> 0 < bl >>> 0 : ah >>> 0 < bh >>> 0;
}

/** a < b, both signed 64-bit halves. */
function slt(ah: number, al: number, bh: number, bl: number): boolean {
  return ah === bh ? al >>> 0 < bl >>> 0 : ah < bh;
}

// max/min of a bound and another value (the kernel's max_t/min_t on one field).
function raiseUmin(r: Reg, h: number, l: number): void {
  if (ult(r.uminH, r.uminL, h, l)) {
    r.uminH = h;
    r.uminL = l;
  }
}
function lowerUmax(r: Reg, h: number, l: number): void {
  if (ult(h, l, r.umaxH, r.umaxL)) {
    r.umaxH = h;
    r.umaxL = l;
  }
}
function raiseSmin(r: Reg, h: number, l: number): void {
  if (slt(r.sminH, r.sminL, h, l)) {
    r.sminH = h;
    r.sminL = l;
  }
}
function lowerSmax(r: Reg, h: number, l: number): void {
  if (slt(h, l, r.smaxH, r.smaxL)) {
    r.smaxH = h;
    r.smaxL = l;
  }
}

function copy(s: Scalar): Reg {
  return new Scalar(s.vh, s.vl, s.mh, s.ml, s.uminH, s.uminL, s.umaxH, s.umaxL, s.sminH, s.sminL, s.smaxH, s.smaxL, s.u32min, s.u32max, s.s32min, s.s32max);
}

/** The constant with halves (h, l). */
function constant(h: number, l: number): Scalar {
  return new Scalar(h, l, 0, 0, h, l, h, l, h, l, h, l, l >>> 0, l >>> 0, l, l);
}

/** Set the 64-bit bounds from bigints (for the operations that compute them in BigInt). */
function setBounds64(r: Reg, umin: bigint, umax: bigint, smin: bigint, smax: bigint): void {
  r.uminH = hiOf(umin);
  r.uminL = loOf(umin);
  r.umaxH = hiOf(umax);
  r.umaxL = loOf(umax);
  r.sminH = hiOf(smin);
  r.sminL = loOf(smin);
  r.smaxH = hiOf(smax);
  r.smaxL = loOf(smax);
}

function setVar(r: Reg, t: Tnum): void {
  r.vh = hiOf(t.value);
  r.vl = loOf(t.value);
  r.mh = hiOf(t.mask);
  r.ml = loOf(t.mask);
}

// ---- constructors (__mark_reg_known, __mark_reg_unknown) ----

/** __mark_reg_known with the value's halves. */
function setKnown(r: Reg, h: number, l: number): void {
  r.vh = r.uminH = r.umaxH = r.sminH = r.smaxH = h;
  r.vl = r.uminL = r.umaxL = r.sminL = r.smaxL = l;
  r.mh = r.ml = 0;
  r.u32min = r.u32max = l >>> 0;
  r.s32min = r.s32max = l;
}

/** __mark_reg32_known: the low 32 bits are `l`. */
function setKnown32(r: Reg, l: number): void {
  r.vl = l;
  r.ml = 0;
  r.u32min = r.u32max = l >>> 0;
  r.s32min = r.s32max = l;
}

function unbounded64(r: Reg): void {
  r.uminH = r.uminL = 0;
  r.umaxH = r.umaxL = -1;
  r.sminH = S64_MIN_H;
  r.sminL = 0;
  r.smaxH = S64_MAX_H;
  r.smaxL = -1;
}

function unbounded32(r: Reg): void {
  r.u32min = 0;
  r.u32max = U32_MAX;
  r.s32min = S32_MIN;
  r.s32max = S32_MAX;
}

/** Shared, like every returned Scalar never changed (not frozen: see Scalar). */
const UNKNOWN: Scalar = new Scalar(0, 0, -1, -1, 0, 0, -1, -1, S64_MIN_H, 0, S64_MAX_H, -1, 0, U32_MAX, S32_MIN, S32_MAX);

/** A register holding exactly `v` (taken modulo 2^64; pass a sign-extended imm as the kernel does). */
export function known(v: bigint): Scalar {
  return constant(hiOf(v), loOf(v));
}

/** `known` of a 32-bit immediate sign-extended to 64 bits, as the kernel extends insn->imm. */
export function knownImm(imm: number): Scalar {
  return constant(imm >> 31, imm | 0);
}

/** `known` of an unsigned 32-bit value (an immediate compared at 32 bits). */
export function knownU32(v: number): Scalar {
  return constant(0, v | 0);
}

/** A register about which nothing is known. */
export function unknown(): Scalar {
  return UNKNOWN;
}

/** A scalar's parts as bigints and numbers (the form the domain had before it kept halves). */
export interface ScalarParts {
  readonly var: Tnum;
  readonly umin: bigint;
  readonly umax: bigint;
  readonly smin: bigint;
  readonly smax: bigint;
  readonly u32min: number;
  readonly u32max: number;
  readonly s32min: number;
  readonly s32max: number;
}

/** A Scalar with the given parts, unknown()'s for those left out, as is (not synced; for tests). */
export function scalarOf(p: Partial<ScalarParts>): Scalar {
  const r = copy(UNKNOWN);
  if (p.var) setVar(r, p.var);
  setBounds64(r, p.umin ?? 0n, p.umax ?? -1n, p.smin ?? -(1n << 63n), p.smax ?? (1n << 63n) - 1n);
  r.u32min = p.u32min ?? 0;
  r.u32max = p.u32max ?? U32_MAX;
  r.s32min = p.s32min ?? S32_MIN;
  r.s32max = p.s32max ?? S32_MAX;
  return r;
}

// ---- number views, for the checker's hot paths ----
// A 64-bit quantity as a JS number: exact within ±2^53, rounded beyond — where the checker only
// compares it with limits far smaller (2^29, 0xffff, 512), which rounding cannot cross.

const P32 = 0x1_0000_0000;

/** The known value, signed 64-bit, as a number (only meaningful when isConst). */
export function constNum(s: Scalar): number {
  return (s.vh | 0) * P32 + (s.vl >>> 0);
}

/** The register is the known value 0. */
export function isZero(s: Scalar): boolean {
  return (s.vh | s.vl | s.mh | s.ml) === 0;
}

export function sminNum(s: Scalar): number {
  return (s.sminH | 0) * P32 + (s.sminL >>> 0);
}

export function smaxNum(s: Scalar): number {
  return (s.smaxH | 0) * P32 + (s.smaxL >>> 0);
}

function umin64Num(s: Scalar): number {
  return (s.uminH >>> 0) * P32 + (s.uminL >>> 0);
}

export function umaxNum(s: Scalar): number {
  return (s.umaxH >>> 0) * P32 + (s.umaxL >>> 0);
}

/** smin is S64_MIN / smax is S64_MAX: unbounded below / above. */
export function sminUnbounded(s: Scalar): boolean {
  return (s.sminH | 0) === S64_MIN_H && (s.sminL | 0) === 0;
}

export function smaxUnbounded(s: Scalar): boolean {
  return (s.smaxH | 0) === S64_MAX_H && (s.smaxL | 0) === -1;
}

/** The 64-bit value is a known constant (tnum_is_const). */
export function isConst(s: Scalar): boolean {
  return (s.mh | s.ml) === 0;
}

// ---- reg_bounds_sync ----

/** __update_reg32_bounds: bounds implied by the low 32 bits of the tnum. */
function updateBounds32(r: Reg): void {
  r.s32min = Math.max(r.s32min, r.vl | (r.ml & 0x8000_0000));
  r.s32max = Math.min(r.s32max, r.vl | (r.ml & S32_MAX));
  r.u32min = Math.max(r.u32min, r.vl >>> 0);
  r.u32max = Math.min(r.u32max, (r.vl | r.ml) >>> 0);
}

/** __update_reg64_bounds. */
function updateBounds64(r: Reg): void {
  raiseSmin(r, r.vh | (r.mh & 0x8000_0000), r.vl);
  lowerSmax(r, r.vh | (r.mh & S64_MAX_H), r.vl | r.ml);
  raiseUmin(r, r.vh, r.vl);
  lowerUmax(r, r.vh | r.mh, r.vl | r.ml);
}

function updateBounds(r: Reg): void {
  updateBounds32(r);
  updateBounds64(r);
}

/** __reg32_deduce_bounds: 32-bit bounds from the 64-bit ones and from each other. */
function deduce32(r: Reg): void {
  // The low halves of a 64-bit range form a range when the high halves agree.
  if (r.uminH === r.umaxH) {
    r.u32min = Math.max(r.u32min, r.uminL >>> 0);
    r.u32max = Math.min(r.u32max, r.umaxL >>> 0);
    if (r.uminL <= r.umaxL) {
      r.s32min = Math.max(r.s32min, r.uminL);
      r.s32max = Math.min(r.s32max, r.umaxL);
    }
  }
  if (r.sminH === r.smaxH) {
    if (r.sminL >>> 0 <= r.smaxL >>> 0) {
      r.u32min = Math.max(r.u32min, r.sminL >>> 0);
      r.u32max = Math.min(r.u32max, r.smaxL >>> 0);
    }
    if (r.sminL <= r.smaxL) {
      r.s32min = Math.max(r.s32min, r.sminL);
      r.s32max = Math.min(r.s32max, r.smaxL);
    }
  }
  // High halves that are two consecutive numbers, low halves crossing from negative to positive.
  if (((r.uminH + 1) | 0) === r.umaxH && r.uminL < 0 && r.umaxL >= 0) {
    r.s32min = Math.max(r.s32min, r.uminL);
    r.s32max = Math.min(r.s32max, r.umaxL);
  }
  if (((r.sminH + 1) | 0) === r.smaxH && r.sminL < 0 && r.smaxL >= 0) {
    r.s32min = Math.max(r.s32min, r.sminL);
    r.s32max = Math.min(r.s32max, r.smaxL);
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
  if (!slt(r.umaxH, r.umaxL, r.uminH, r.uminL)) {
    raiseSmin(r, r.uminH, r.uminL);
    lowerSmax(r, r.umaxH, r.umaxL);
  }
  if (!ult(r.smaxH, r.smaxL, r.sminH, r.sminL)) {
    raiseUmin(r, r.sminH, r.sminL);
    lowerUmax(r, r.smaxH, r.smaxL);
  } else if (ult(r.umaxH, r.umaxL, r.sminH, r.sminL)) {
    // The u64 range overlaps only the non-negative part of the s64 range.
    r.sminH = r.uminH;
    r.sminL = r.uminL;
    lowerUmax(r, r.smaxH, r.smaxL);
  } else if (ult(r.smaxH, r.smaxL, r.uminH, r.uminL)) {
    // The u64 range overlaps only the negative part.
    r.smaxH = r.umaxH;
    r.smaxL = r.umaxL;
    raiseUmin(r, r.sminH, r.sminL);
  }
}

/** __reg_deduce_mixed_bounds: 64-bit bounds tightened with the 32-bit ones. */
function deduceMixed(r: Reg): void {
  // Each 64-bit bound with its low half replaced by a 32-bit bound.
  let lo = r.u32min | 0;
  let hi = r.u32max | 0;
  raiseUmin(r, r.uminH, lo);
  lowerUmax(r, r.umaxH, hi);
  raiseSmin(r, r.sminH, lo);
  lowerSmax(r, r.smaxH, hi);
  if (u32(r.s32min) <= u32(r.s32max)) {
    lo = r.s32min | 0;
    hi = r.s32max | 0;
    raiseUmin(r, r.uminH, lo);
    lowerUmax(r, r.umaxH, hi);
    raiseSmin(r, r.sminH, lo);
    lowerSmax(r, r.smaxH, hi);
  }
  // After a sign-extending load the high half is all 0s or all 1s; a non-negative low half
  // within [S32_MIN, S32_MAX] rules the 1s out.
  if (r.s32min >= 0 && !slt(r.sminH, r.sminL, -1, S32_MIN) && !slt(0, S32_MAX, r.smaxH, r.smaxL)) {
    r.sminH = r.uminH = 0;
    r.sminL = r.uminL = r.s32min | 0;
    r.smaxH = r.umaxH = r.s32max >> 31;
    r.smaxL = r.umaxL = r.s32max | 0;
    tnumIntersectRangeIn(r, r.uminH, r.uminL, r.umaxH, r.umaxL);
  }
}

/** __reg_bound_offset: bits learnt from the unsigned bounds, at 64 bits and then in the low 32. */
function boundOffset(r: Reg): void {
  tnumIntersectRangeIn(r, r.uminH, r.uminL, r.umaxH, r.umaxL);
  tnumIntersectRange32In(r, r.u32min, r.u32max);
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
  r.vh = r.mh = 0;
  r.uminH = r.umaxH = 0;
  r.uminL = r.u32min | 0;
  r.umaxL = r.u32max | 0;
  r.sminH = r.smaxH = 0;
  if (r.s32min >= 0 && r.s32max >= 0) {
    r.sminL = r.s32min;
    r.smaxL = r.s32max;
  } else {
    r.sminL = 0;
    r.smaxL = -1;
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

/** scalar_min_max_add: a signed sum overflows when both operands have one sign and the sum the other. */
function add64(r: Reg, s: Scalar): void {
  const sminL = (r.sminL + s.sminL) | 0;
  const sminH = (r.sminH + s.sminH + carry(r.sminL, s.sminL)) | 0;
  const smaxL = (r.smaxL + s.smaxL) | 0;
  const smaxH = (r.smaxH + s.smaxH + carry(r.smaxL, s.smaxL)) | 0;
  if (((r.sminH ^ sminH) & (s.sminH ^ sminH)) < 0 || ((r.smaxH ^ smaxH) & (s.smaxH ^ smaxH)) < 0) {
    r.sminH = S64_MIN_H;
    r.sminL = 0;
    r.smaxH = S64_MAX_H;
    r.smaxL = -1;
  } else {
    r.sminH = sminH;
    r.sminL = sminL;
    r.smaxH = smaxH;
    r.smaxL = smaxL;
  }
  // Unsigned: the sums with their carries out of bit 63.
  const uminL = (r.uminL + s.uminL) | 0;
  const uminT = (r.uminH >>> 0) + (s.uminH >>> 0) + carry(r.uminL, s.uminL);
  const umaxL = (r.umaxL + s.umaxL) | 0;
  const umaxT = (r.umaxH >>> 0) + (s.umaxH >>> 0) + carry(r.umaxL, s.umaxL);
  if (uminT <= U32_MAX && umaxT > U32_MAX) {
    r.uminH = r.uminL = 0;
    r.umaxH = r.umaxL = -1;
  } else {
    r.uminH = uminT | 0;
    r.uminL = uminL;
    r.umaxH = umaxT | 0;
    r.umaxL = umaxL;
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

/** scalar_min_max_sub: a signed difference overflows when the operands' signs differ and the result's is not the first's. */
function sub64(r: Reg, s: Scalar): void {
  const sminL = (r.sminL - s.smaxL) | 0;
  const sminH = (r.sminH - s.smaxH - borrow(r.sminL, s.smaxL)) | 0;
  const smaxL = (r.smaxL - s.sminL) | 0;
  const smaxH = (r.smaxH - s.sminH - borrow(r.smaxL, s.sminL)) | 0;
  if (((r.sminH ^ s.smaxH) & (r.sminH ^ sminH)) < 0 || ((r.smaxH ^ s.sminH) & (r.smaxH ^ smaxH)) < 0) {
    r.sminH = S64_MIN_H;
    r.sminL = 0;
    r.smaxH = S64_MAX_H;
    r.smaxL = -1;
  } else {
    r.sminH = sminH;
    r.sminL = sminL;
    r.smaxH = smaxH;
    r.smaxL = smaxL;
  }
  // Unsigned: umin - s.umax borrows and umax - s.umin does not.
  if (ult(r.uminH, r.uminL, s.umaxH, s.umaxL) && !ult(r.umaxH, r.umaxL, s.uminH, s.uminL)) {
    r.uminH = r.uminL = 0;
    r.umaxH = r.umaxL = -1;
  } else {
    const uminL = (r.uminL - s.umaxL) | 0;
    const uminH = (r.uminH - s.umaxH - borrow(r.uminL, s.umaxL)) | 0;
    const umaxL = (r.umaxL - s.uminL) | 0;
    const umaxH = (r.umaxH - s.uminH - borrow(r.umaxL, s.uminL)) | 0;
    r.uminH = uminH;
    r.uminL = uminL;
    r.umaxH = umaxH;
    r.umaxL = umaxL;
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

const S64_MAX = (1n << 63n) - 1n;
const S64_MIN = -(1n << 63n);
const U64_MAX = (1n << 64n) - 1n;
const bmax = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const bmin = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** scalar_min_max_mul (6.14+), in BigInt: the products need 128 bits. */
/** An integer within ±2^53 as halves (two's complement). */
function halvesOf(v: number): [number, number] {
  const lo = v % P32;
  const l = lo < 0 ? lo + P32 : lo;
  return [Math.floor(v / P32) | 0, l | 0];
}

/**
 * scalar_min_max_mul in doubles, when doubles decide it: a product whose double is at least
 * 2^65 overflows 64 bits whatever the rounding (the kernel's check_mul_overflow then gives up
 * the bounds), and one at most 2^52 is exact. Otherwise (false) the BigInt path decides.
 */
function mul64Num(r: Reg, s: Scalar): boolean {
  const BIG = 2 ** 65;
  const EXACT = 2 ** 52;
  const umaxP = umaxNum(r) * umaxNum(s);
  const uminP = umin64Num(r) * umin64Num(s);
  const rsmin = sminNum(r);
  const rsmax = smaxNum(r);
  const ssmin = sminNum(s);
  const ssmax = smaxNum(s);
  const p0 = rsmin * ssmin;
  const p1 = rsmin * ssmax;
  const p2 = rsmax * ssmin;
  const p3 = rsmax * ssmax;
  const lo = Math.min(p0, p1, p2, p3);
  const hi = Math.max(p0, p1, p2, p3);
  const uOver = umaxP >= BIG || uminP >= BIG;
  const sOver = lo <= -BIG || hi >= BIG;
  if (!uOver && umaxP > EXACT) return false;
  if (!sOver && (lo < -EXACT || hi > EXACT)) return false;
  if (uOver) {
    r.uminH = r.uminL = 0;
    r.umaxH = r.umaxL = -1;
  } else {
    [r.uminH, r.uminL] = halvesOf(uminP);
    [r.umaxH, r.umaxL] = halvesOf(umaxP);
  }
  if (sOver) {
    r.sminH = S64_MIN_H;
    r.sminL = 0;
    r.smaxH = S64_MAX_H;
    r.smaxL = -1;
  } else {
    [r.sminH, r.sminL] = halvesOf(lo);
    [r.smaxH, r.smaxL] = halvesOf(hi);
  }
  return true;
}

function mul64(r: Reg, s: Scalar): void {
  if (mul64Num(r, s)) return;
  let umax = r.umax * s.umax;
  let umin = r.umin * s.umin;
  if (umax > U64_MAX || umin > U64_MAX) {
    umin = 0n;
    umax = U64_MAX;
  }
  const rmin = r.smin;
  const rmax = r.smax;
  const p0 = rmin * s.smin;
  const p1 = rmin * s.smax;
  const p2 = rmax * s.smin;
  const p3 = rmax * s.smax;
  let lo = bmin(bmin(p0, p1), bmin(p2, p3));
  let hi = bmax(bmax(p0, p1), bmax(p2, p3));
  if (lo < S64_MIN || hi > S64_MAX) {
    lo = S64_MIN;
    hi = S64_MAX;
  }
  setBounds64(r, umin, umax, lo, hi);
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
  if (!slt(r.umaxH, r.umaxL, r.uminH, r.uminL)) {
    r.sminH = r.uminH;
    r.sminL = r.uminL;
    r.smaxH = r.umaxH;
    r.smaxL = r.umaxL;
  } else {
    r.sminH = S64_MIN_H;
    r.sminL = 0;
    r.smaxH = S64_MAX_H;
    r.smaxL = -1;
  }
}

/** scalar(32)_min_max_and/or/xor; the tnum of `r` already holds the result. */
function bitwise32(op: 'and' | 'or' | 'xor', r: Reg, s: Scalar, bothConst: boolean): void {
  if (bothConst) {
    setKnown32(r, r.vl);
    return;
  }
  const v = r.vl >>> 0;
  const vm = (r.vl | r.ml) >>> 0;
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
    setKnown(r, r.vh, r.vl);
    return;
  }
  if (op === 'and') {
    r.uminH = r.vh;
    r.uminL = r.vl;
    lowerUmax(r, s.umaxH, s.umaxL);
  } else {
    if (op === 'or') raiseUmin(r, s.uminH, s.uminL);
    else {
      r.uminH = r.vh;
      r.uminL = r.vl;
    }
    r.umaxH = r.vh | r.mh;
    r.umaxL = r.vl | r.ml;
  }
  signed64FromUnsigned(r);
  updateBounds(r);
}

/** 2 ** k for k in 0..63, exact (a table: `**` is a call into the runtime). */
const POW2: readonly number[] = Array.from({ length: 64 }, (_, k) => 2 ** k);

/** __scalar32_min_max_lsh. */
function lshBounds32(r: Reg, umin: number, umax: number): void {
  r.s32min = S32_MIN;
  r.s32max = S32_MAX;
  if (umax > 31 || r.u32max > (POW2[31 - umax] as number)) {
    r.u32min = 0;
    r.u32max = U32_MAX;
  } else {
    r.u32min = u32(r.u32min * (POW2[umin] as number));
    r.u32max = u32(r.u32max * (POW2[umax] as number));
  }
}

function lsh32(r: Reg, k: number): void {
  lshBounds32(r, k, k);
  // tnum_subreg(tnum_lshift(tnum_subreg(var), k))
  r.vh = r.mh = 0;
  r.vl <<= k;
  r.ml <<= k;
  unbounded64(r);
  updateBounds32(r);
}

function lsh64(r: Reg, k: number): void {
  // A shift by exactly 32 of a non-negative subregister keeps its sign (the <<32 s>>32 idiom).
  if (k === 32 && r.s32max >= 0) {
    r.smaxH = r.s32max;
    r.smaxL = 0;
  } else {
    r.smaxH = S64_MAX_H;
    r.smaxL = -1;
  }
  if (k === 32 && r.s32min >= 0) {
    r.sminH = r.s32min;
    r.sminL = 0;
  } else {
    r.sminH = S64_MIN_H;
    r.sminL = 0;
  }
  // umax > 1 << (63 - k): some bit of umax would be shifted out.
  const top = 63 - k;
  if (top >= 32 ? ult(1 << (top - 32), 0, r.umaxH, r.umaxL) : ult(0, 1 << top, r.umaxH, r.umaxL)) {
    r.uminH = r.uminL = 0;
    r.umaxH = r.umaxL = -1;
  } else if (k >= 32) {
    r.uminH = r.uminL << (k - 32);
    r.uminL = 0;
    r.umaxH = r.umaxL << (k - 32);
    r.umaxL = 0;
  } else if (k > 0) {
    r.uminH = (r.uminH << k) | (r.uminL >>> (32 - k));
    r.uminL <<= k;
    r.umaxH = (r.umaxH << k) | (r.umaxL >>> (32 - k));
    r.umaxL <<= k;
  }
  lshBounds32(r, k, k);
  tnumLshiftIn(r, k);
  updateBounds(r);
}

function rsh32(r: Reg, k: number): void {
  r.s32min = S32_MIN;
  r.s32max = S32_MAX;
  // tnum_rshift(tnum_subreg(var), k)
  r.vh = r.mh = 0;
  r.vl = (r.vl >>> k) | 0;
  r.ml = (r.ml >>> k) | 0;
  r.u32min = Math.floor(r.u32min / (POW2[k] as number));
  r.u32max = Math.floor(r.u32max / (POW2[k] as number));
  unbounded64(r);
  updateBounds32(r);
}

/** Logical shift right of umin and umax by 0..63. */
function rshUnsigned(r: Reg, k: number): void {
  if (k >= 32) {
    r.uminL = (r.uminH >>> (k - 32)) | 0;
    r.uminH = 0;
    r.umaxL = (r.umaxH >>> (k - 32)) | 0;
    r.umaxH = 0;
  } else if (k > 0) {
    r.uminL = (r.uminL >>> k) | (r.uminH << (32 - k));
    r.uminH = (r.uminH >>> k) | 0;
    r.umaxL = (r.umaxL >>> k) | (r.umaxH << (32 - k));
    r.umaxH = (r.umaxH >>> k) | 0;
  }
}

function rsh64(r: Reg, k: number): void {
  r.sminH = S64_MIN_H;
  r.sminL = 0;
  r.smaxH = S64_MAX_H;
  r.smaxL = -1;
  tnumRshiftIn(r, k);
  rshUnsigned(r, k);
  unbounded32(r);
  updateBounds(r);
}

function arsh32(r: Reg, k: number): void {
  r.s32min >>= k;
  r.s32max >>= k;
  // tnum_arshift(tnum_subreg(var), k, 32), zero-extended
  r.vh = r.mh = 0;
  r.vl >>= k;
  r.ml >>= k;
  r.u32min = 0;
  r.u32max = U32_MAX;
  unbounded64(r);
  updateBounds32(r);
}

/** Arithmetic shift right of smin and smax by 0..63. */
function arshSigned(r: Reg, k: number): void {
  if (k >= 32) {
    r.sminL = r.sminH >> (k - 32);
    r.sminH >>= 31;
    r.smaxL = r.smaxH >> (k - 32);
    r.smaxH >>= 31;
  } else if (k > 0) {
    r.sminL = (r.sminL >>> k) | (r.sminH << (32 - k));
    r.sminH >>= k;
    r.smaxL = (r.smaxL >>> k) | (r.smaxH << (32 - k));
    r.smaxH >>= k;
  }
}

function arsh64(r: Reg, k: number): void {
  arshSigned(r, k);
  tnumArshiftIn(r, k);
  r.uminH = r.uminL = 0;
  r.umaxH = r.umaxL = -1;
  unbounded32(r);
  updateBounds(r);
}

/** The operand is one known number at this width (is_safe_to_compute_dst_reg_range's src_is_const). */
function srcIsConst(s: Scalar, width: Width): boolean {
  return width === 32
    ? s.ml === 0 && s.s32min === s.s32max && s.u32min === s.u32max
    : (s.mh | s.ml) === 0 && s.sminH === s.smaxH && s.sminL === s.smaxL && s.uminH === s.umaxH && s.uminL === s.umaxL;
}

/**
 * Two constants give a constant (refAlu's answer, from halves for all but mul). A shift is by
 * less than the width here; a 32-bit result is zero-extended.
 */
function foldConst(op: AluOp, width: Width, a: Scalar, b: Scalar): Scalar {
  if (width === 32) {
    const x = a.vl;
    const y = b.vl;
    switch (op) {
      case 'add':
        return constant(0, (x + y) | 0);
      case 'sub':
        return constant(0, (x - y) | 0);
      case 'mul':
        return constant(0, Math.imul(x, y));
      case 'and':
        return constant(0, x & y);
      case 'or':
        return constant(0, x | y);
      case 'xor':
        return constant(0, x ^ y);
      case 'lsh':
        return constant(0, x << y);
      case 'rsh':
        return constant(0, (x >>> y) | 0);
      case 'arsh':
        return constant(0, x >> y);
    }
  } else {
    switch (op) {
      case 'add':
        return constant((a.vh + b.vh + carry(a.vl, b.vl)) | 0, (a.vl + b.vl) | 0);
      case 'sub':
        return constant((a.vh - b.vh - borrow(a.vl, b.vl)) | 0, (a.vl - b.vl) | 0);
      case 'and':
        return constant(a.vh & b.vh, a.vl & b.vl);
      case 'or':
        return constant(a.vh | b.vh, a.vl | b.vl);
      case 'xor':
        return constant(a.vh ^ b.vh, a.vl ^ b.vl);
      case 'lsh':
      case 'rsh':
      case 'arsh': {
        const r = copy(a);
        if (op === 'lsh') tnumLshiftIn(r, b.vl);
        else if (op === 'rsh') tnumRshiftIn(r, b.vl);
        else tnumArshiftIn(r, b.vl);
        return constant(r.vh, r.vl);
      }
    }
  }
  return known(refAlu(op, width, a.var.value, b.var.value));
}

/**
 * `dst op= src` at `width` bits, as adjust_scalar_min_max_vals (and check_alu_op for mov) do it.
 * An immediate operand is `knownImm(imm)`: sign-extended to 64 bits, as the kernel does.
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
  const w32 = width === 32;
  // Two constants give a constant (the tnum and bounds arithmetic below would reach the same
  // value, at many times the cost). A shift by the width or more stays unknown, as below.
  if (isConst(dst) && isConst(src) && !((op === 'lsh' || op === 'rsh' || op === 'arsh') && (src.vh !== 0 || src.vl >>> 0 >= width))) {
    return foldConst(op, width, dst, src);
  }
  const r = copy(dst);
  switch (op) {
    case 'add':
      add32(r, src);
      if (!w32) add64(r, src);
      tnumAddTo(r, r, src);
      break;
    case 'sub':
      sub32(r, src);
      if (!w32) sub64(r, src);
      tnumSubTo(r, r, src);
      break;
    case 'mul':
      tnumMulTo(r, r, src);
      mul32(r, src);
      if (!w32) mul64(r, src);
      break;
    case 'and':
    case 'or':
    case 'xor': {
      if (op === 'and') tnumAndTo(r, r, src);
      else if (op === 'or') tnumOrTo(r, r, src);
      else tnumXorTo(r, r, src);
      // As in the kernel, "dst known" is asked of the result tnum, already computed.
      bitwise32(op, r, src, src.ml === 0 && r.ml === 0);
      if (!w32) bitwise64(op, r, src, (src.mh | src.ml | r.mh | r.ml) === 0);
      break;
    }
    case 'lsh':
    case 'rsh':
    case 'arsh': {
      if (!srcIsConst(src, width) || src.umaxH !== 0 || src.umaxL >>> 0 >= width) return UNKNOWN;
      const k = w32 ? src.u32min : src.uminL >>> 0;
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
  setKnown(r, 0, 0);
  sub32(r, dst);
  if (width === 64) sub64(r, dst);
  // tnum_neg: 0 - dst, and r's tnum is the constant 0.
  tnumSubTo(r, r, dst);
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
  // The kept bits of the low half (all of it for size 4).
  const m = size === 4 ? -1 : size === 2 ? 0xffff : 0xff;
  r.vh = r.mh = 0;
  r.vl &= m;
  r.ml &= m;
  if (r.uminH === r.umaxH && (r.uminL & ~m) === (r.umaxL & ~m)) {
    r.uminL &= m;
    r.umaxL &= m;
  } else {
    r.uminL = 0;
    r.umaxL = m;
  }
  r.uminH = r.umaxH = r.sminH = r.smaxH = 0;
  r.sminL = r.uminL;
  r.smaxL = r.umaxL;
  if (size < 4) unbounded32(r);
  syncInPlace(r);
  return r;
}

const sext = (v: bigint, bits: number): bigint => BigInt.asIntN(bits, v);

/**
 * coerce_reg_to_size_sx: sign-extend the low `size` bytes to 64 bits (a sign-extending load,
 * or `r = (s8/s16/s32) r`). Not synced afterwards, as in the kernel. In BigInt: it is rare.
 */
export function signExtend(s: Scalar, size: 1 | 2 | 4 | 8): Scalar {
  if (size === 8) return s;
  const bits = size * 8;
  const r = copy(s);
  if (isConst(r)) {
    const v = sext(u64Of(r.vh, r.vl), bits);
    setKnown(r, hiOf(v), loOf(v));
    return r;
  }
  const half = 1n << BigInt(bits - 1);
  const smin = r.smin;
  const smax = r.smax;
  // A range already inside [-2^(bits-1), 2^(bits-1)) is left as it is: sign extension is the
  // identity there (what the 6.18 kernel answers for r = (s8)r with r in [-5, 5]).
  if (smin >= -half && smax < half) return s;
  const nb = BigInt(bits);
  if (BigInt.asUintN(64, smax) >> nb === BigInt.asUintN(64, smin) >> nb) {
    const a = sext(smax, bits);
    const b = sext(smin, bits);
    const hi = bmax(a, b);
    const lo = bmin(a, b);
    if ((hi >= 0n) === (lo >= 0n)) {
      setBounds64(r, lo, hi, lo, hi);
      r.s32min = Number(lo);
      r.s32max = Number(hi);
      r.u32min = loOf(lo) >>> 0;
      r.u32max = loOf(hi) >>> 0;
      setVar(r, tnumRange(BigInt.asUintN(64, lo), BigInt.asUintN(64, hi)));
      return r;
    }
  }
  // set_sext64_default_val
  setBounds64(r, 0n, U64_MAX, -half, half - 1n);
  r.s32min = Number(-half);
  r.s32max = Number(half - 1n);
  r.u32min = 0;
  r.u32max = U32_MAX;
  r.vh = r.vl = 0;
  r.mh = r.ml = -1;
  return r;
}

/** coerce_subreg_to_size_sx: sign-extend the low `size` bytes to 32 bits (`w = (s8/s16) w`), not zero-extended yet. */
function signExtendSubreg(r: Reg, size: 1 | 2): void {
  const bits = size * 8;
  const shift = 32 - bits;
  if (isConst(r)) {
    // tnum_const of the sign-extended value: 64 bits, until zext_32_to_64.
    const v = (r.vl << shift) >> shift;
    r.vh = v >> 31;
    r.vl = v;
    r.s32min = r.s32max = v;
    r.u32min = r.u32max = v >>> 0;
    return;
  }
  const topMax = u32(r.s32max) >>> bits;
  const topMin = u32(r.s32min) >>> bits;
  if (topMax === topMin) {
    const a = (r.s32max << shift) >> shift;
    const b = (r.s32min << shift) >> shift;
    const hi = Math.max(a, b);
    const lo = Math.min(a, b);
    if (hi >= 0 === lo >= 0) {
      r.s32min = lo;
      r.s32max = hi;
      r.u32min = u32(lo);
      r.u32max = u32(hi);
      // tnum_subreg(tnum_range(lo, hi)): lo and hi have one sign, so their high halves agree.
      const x = lo ^ hi;
      const m = x === 0 ? 0 : (-1 >>> Math.clz32(x)) | 0;
      r.vh = r.mh = 0;
      r.vl = lo & ~m;
      r.ml = m;
      return;
    }
  }
  // set_sext32_default_val
  r.s32min = -(2 ** (bits - 1));
  r.s32max = 2 ** (bits - 1) - 1;
  r.u32min = 0;
  r.u32max = U32_MAX;
  r.vh = r.vl = r.mh = 0;
  r.ml = -1;
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

const bswap16 = (x: number): number => ((x & 0xff) << 8) | ((x >>> 8) & 0xff);

/**
 * BPF_END on a little-endian machine, as the 6.18 kernel tracks it: le64 changes nothing,
 * le16/le32 keep the low bytes (coerce_reg_to_size), and be/bswap reverse the bytes of the
 * tnum (tnum_bswap16/32/64) and derive every bound from it.
 */
export function scalarEnd(order: 'le' | 'be' | 'bswap', bits: 16 | 32 | 64, dst: Scalar): Scalar {
  if (order === 'le') return zeroExtend(dst, (bits / 8) as 2 | 4 | 8);
  const r = copy(UNKNOWN);
  if (bits === 64) {
    r.vh = bswap32(dst.vl);
    r.vl = bswap32(dst.vh);
    r.mh = bswap32(dst.ml);
    r.ml = bswap32(dst.mh);
  } else {
    r.vh = r.mh = 0;
    r.vl = bits === 32 ? bswap32(dst.vl) : bswap16(dst.vl);
    r.ml = bits === 32 ? bswap32(dst.ml) : bswap16(dst.ml);
  }
  syncInPlace(r);
  return r;
}

// ---- branches (is_scalar_branch_taken, regs_refine_cond_op) ----

/**
 * Whether `a cond b` at `width` bits is always true (1), never true (0) or either (-1), from
 * the tnums and bounds alone (is_scalar_branch_taken, with the tnum overlap test of 6.18).
 */
export function isBranchTaken(cond: JmpCond, width: Width, a: Scalar, b: Scalar): 0 | 1 | -1 {
  return width === 32 ? branchTaken32(cond, a, b) : branchTaken64(cond, a, b);
}

/** is_scalar_branch_taken on the subregisters: tnum_subreg and the 32-bit bounds. */
function branchTaken32(cond: JmpCond, a: Scalar, b: Scalar): 0 | 1 | -1 {
  switch (cond) {
    case 'jeq':
    case 'jne': {
      const yes: 0 | 1 = cond === 'jeq' ? 1 : 0;
      const no: 0 | 1 = cond === 'jeq' ? 0 : 1;
      if (a.ml === 0 && b.ml === 0) return a.vl === b.vl ? yes : no;
      if (!tnumOverlap32(a, b)) return no;
      if (a.u32min > b.u32max || a.u32max < b.u32min) return no;
      if (a.s32min > b.s32max || a.s32max < b.s32min) return no;
      return -1;
    }
    case 'jset': {
      let t1 = a;
      let t2 = b;
      if (b.ml !== 0) {
        if (a.ml !== 0) return -1;
        t1 = b;
        t2 = a;
      }
      if (~t1.ml & t1.vl & t2.vl) return 1;
      if (((t1.ml | t1.vl) & t2.vl) === 0) return 0;
      return -1;
    }
    case 'jgt':
      return a.u32min > b.u32max ? 1 : a.u32max <= b.u32min ? 0 : -1;
    case 'jsgt':
      return a.s32min > b.s32max ? 1 : a.s32max <= b.s32min ? 0 : -1;
    case 'jlt':
      return a.u32max < b.u32min ? 1 : a.u32min >= b.u32max ? 0 : -1;
    case 'jslt':
      return a.s32max < b.s32min ? 1 : a.s32min >= b.s32max ? 0 : -1;
    case 'jge':
      return a.u32min >= b.u32max ? 1 : a.u32max < b.u32min ? 0 : -1;
    case 'jsge':
      return a.s32min >= b.s32max ? 1 : a.s32max < b.s32min ? 0 : -1;
    case 'jle':
      return a.u32max <= b.u32min ? 1 : a.u32min > b.u32max ? 0 : -1;
    case 'jsle':
      return a.s32max <= b.s32min ? 1 : a.s32min > b.s32max ? 0 : -1;
  }
}

/** is_scalar_branch_taken on the whole registers. */
function branchTaken64(cond: JmpCond, a: Scalar, b: Scalar): 0 | 1 | -1 {
  switch (cond) {
    case 'jeq':
    case 'jne': {
      const yes: 0 | 1 = cond === 'jeq' ? 1 : 0;
      const no: 0 | 1 = cond === 'jeq' ? 0 : 1;
      if ((a.mh | a.ml | b.mh | b.ml) === 0) return a.vh === b.vh && a.vl === b.vl ? yes : no;
      if (!tnumOverlapHalves(a, b)) return no;
      if (ult(b.umaxH, b.umaxL, a.uminH, a.uminL) || ult(a.umaxH, a.umaxL, b.uminH, b.uminL)) return no;
      if (slt(b.smaxH, b.smaxL, a.sminH, a.sminL) || slt(a.smaxH, a.smaxL, b.sminH, b.sminL)) return no;
      if (a.u32min > b.u32max || a.u32max < b.u32min) return no;
      if (a.s32min > b.s32max || a.s32max < b.s32min) return no;
      return -1;
    }
    case 'jset': {
      let t1 = a;
      let t2 = b;
      if ((b.mh | b.ml) !== 0) {
        if ((a.mh | a.ml) !== 0) return -1;
        t1 = b;
        t2 = a;
      }
      if ((~t1.mh & t1.vh & t2.vh) | (~t1.ml & t1.vl & t2.vl)) return 1;
      if ((((t1.mh | t1.vh) & t2.vh) | ((t1.ml | t1.vl) & t2.vl)) === 0) return 0;
      return -1;
    }
    case 'jgt':
      return ult(b.umaxH, b.umaxL, a.uminH, a.uminL) ? 1 : !ult(b.uminH, b.uminL, a.umaxH, a.umaxL) ? 0 : -1;
    case 'jsgt':
      return slt(b.smaxH, b.smaxL, a.sminH, a.sminL) ? 1 : !slt(b.sminH, b.sminL, a.smaxH, a.smaxL) ? 0 : -1;
    case 'jlt':
      return ult(a.umaxH, a.umaxL, b.uminH, b.uminL) ? 1 : !ult(a.uminH, a.uminL, b.umaxH, b.umaxL) ? 0 : -1;
    case 'jslt':
      return slt(a.smaxH, a.smaxL, b.sminH, b.sminL) ? 1 : !slt(a.sminH, a.sminL, b.smaxH, b.smaxL) ? 0 : -1;
    case 'jge':
      return !ult(a.uminH, a.uminL, b.umaxH, b.umaxL) ? 1 : ult(a.umaxH, a.umaxL, b.uminH, b.uminL) ? 0 : -1;
    case 'jsge':
      return !slt(a.sminH, a.sminL, b.smaxH, b.smaxL) ? 1 : slt(a.smaxH, a.smaxL, b.sminH, b.sminL) ? 0 : -1;
    case 'jle':
      return !ult(b.uminH, b.uminL, a.umaxH, a.umaxL) ? 1 : ult(b.umaxH, b.umaxL, a.uminH, a.uminL) ? 0 : -1;
    case 'jsle':
      return !slt(b.sminH, b.sminL, a.smaxH, a.smaxL) ? 1 : slt(b.smaxH, b.smaxL, a.sminH, a.sminL) ? 0 : -1;
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

/** GT/GE/SGT/SGE are LT/LE/SLT/SLE with the operands swapped. */
const SWAPPED: Partial<Record<RefineOp, RefineOp>> = { jgt: 'jlt', jge: 'jle', jsgt: 'jslt', jsge: 'jsle' };

/** Single-bit values (is_power_of_2), 64-bit halves. */
function isPowerOf2(h: number, l: number): boolean {
  return h === 0 ? l !== 0 && (l & (l - 1)) === 0 : l === 0 && (h & (h - 1)) === 0;
}

/** regs_refine_cond_op: narrow r1 and r2 to the pairs for which `r1 op r2` holds. */
function refine(op: RefineOp, w32: boolean, r1: Reg, r2: Reg): void {
  const swapped = SWAPPED[op];
  if (swapped !== undefined) {
    const t = r1;
    r1 = r2;
    r2 = t;
    op = swapped;
  }
  if (w32) refine32(op, r1, r2);
  else refine64(op, r1, r2);
}

function refine32(op: RefineOp, r1: Reg, r2: Reg): void {
  switch (op) {
    case 'jeq': {
      r1.u32min = r2.u32min = Math.max(r1.u32min, r2.u32min);
      r1.u32max = r2.u32max = Math.min(r1.u32max, r2.u32max);
      r1.s32min = r2.s32min = Math.max(r1.s32min, r2.s32min);
      r1.s32max = r2.s32max = Math.min(r1.s32max, r2.s32max);
      // tnum_with_subreg(var, tnum_intersect(subreg(r1), subreg(r2))) for both.
      const v = r1.vl | r2.vl;
      const m = r1.ml & r2.ml;
      r1.vl = r2.vl = v & ~m;
      r1.ml = r2.ml = m;
      return;
    }
    case 'jne': {
      if (r2.ml !== 0) {
        const t = r1;
        r1 = r2;
        r2 = t;
      }
      if (r2.ml !== 0) return;
      // Only a constant at an edge of the other range moves that edge.
      const uv = r2.vl >>> 0;
      const sv = r2.vl;
      if (r1.u32min === uv) r1.u32min++;
      if (r1.u32max === uv) r1.u32max--;
      if (r1.s32min === sv) r1.s32min++;
      if (r1.s32max === sv) r1.s32max--;
      return;
    }
    case 'jset': {
      if (r2.ml !== 0) {
        const t = r1;
        r1 = r2;
        r2 = t;
      }
      if (r2.ml !== 0) return;
      const val = r2.vl;
      // Some bit of val is set: only a single-bit val says which.
      if (!isPowerOf2(0, val)) return;
      r1.vl |= val;
      r1.ml &= ~r1.vl;
      return;
    }
    case 'jset!': {
      if (r2.ml !== 0) {
        const t = r1;
        r1 = r2;
        r2 = t;
      }
      if (r2.ml !== 0) return;
      const keep = ~r2.vl;
      // The ranges are forgotten before the tnum narrows (6.18), so a dead branch cannot leave them contradicting it.
      unbounded64(r1);
      unbounded32(r1);
      // tnum_and of the subregister with the constant ~val.
      const v = r1.vl & keep;
      r1.ml = (r1.vl | r1.ml) & keep & ~v;
      r1.vl = v;
      return;
    }
    case 'jle':
      r1.u32max = Math.min(r1.u32max, r2.u32max);
      r2.u32min = Math.max(r1.u32min, r2.u32min);
      return;
    case 'jlt':
      r1.u32max = Math.min(r1.u32max, r2.u32max - 1);
      r2.u32min = Math.max(r1.u32min + 1, r2.u32min);
      return;
    case 'jsle':
      r1.s32max = Math.min(r1.s32max, r2.s32max);
      r2.s32min = Math.max(r1.s32min, r2.s32min);
      return;
    case 'jslt':
      r1.s32max = Math.min(r1.s32max, r2.s32max - 1);
      r2.s32min = Math.max(r1.s32min + 1, r2.s32min);
      return;
  }
}

function refine64(op: RefineOp, r1: Reg, r2: Reg): void {
  switch (op) {
    case 'jeq':
      raiseUmin(r1, r2.uminH, r2.uminL);
      r2.uminH = r1.uminH;
      r2.uminL = r1.uminL;
      lowerUmax(r1, r2.umaxH, r2.umaxL);
      r2.umaxH = r1.umaxH;
      r2.umaxL = r1.umaxL;
      raiseSmin(r1, r2.sminH, r2.sminL);
      r2.sminH = r1.sminH;
      r2.sminL = r1.sminL;
      lowerSmax(r1, r2.smaxH, r2.smaxL);
      r2.smaxH = r1.smaxH;
      r2.smaxL = r1.smaxL;
      tnumIntersectIn(r1, r2.vh, r2.vl, r2.mh, r2.ml);
      r2.vh = r1.vh;
      r2.vl = r1.vl;
      r2.mh = r1.mh;
      r2.ml = r1.ml;
      return;
    case 'jne': {
      if ((r2.mh | r2.ml) !== 0) {
        const t = r1;
        r1 = r2;
        r2 = t;
      }
      if ((r2.mh | r2.ml) !== 0) return;
      // Only a constant at an edge of the other range moves that edge (the signed and
      // unsigned forms of val have the same bits).
      const vh = r2.vh;
      const vl = r2.vl;
      if (r1.uminH === vh && r1.uminL === vl) {
        r1.uminL = (r1.uminL + 1) | 0;
        if (r1.uminL === 0) r1.uminH = (r1.uminH + 1) | 0;
      }
      if (r1.umaxH === vh && r1.umaxL === vl) {
        if (r1.umaxL === 0) r1.umaxH = (r1.umaxH - 1) | 0;
        r1.umaxL = (r1.umaxL - 1) | 0;
      }
      if (r1.sminH === vh && r1.sminL === vl) {
        r1.sminL = (r1.sminL + 1) | 0;
        if (r1.sminL === 0) r1.sminH = (r1.sminH + 1) | 0;
      }
      if (r1.smaxH === vh && r1.smaxL === vl) {
        if (r1.smaxL === 0) r1.smaxH = (r1.smaxH - 1) | 0;
        r1.smaxL = (r1.smaxL - 1) | 0;
      }
      return;
    }
    case 'jset': {
      if ((r2.mh | r2.ml) !== 0) {
        const t = r1;
        r1 = r2;
        r2 = t;
      }
      if ((r2.mh | r2.ml) !== 0) return;
      const vh = r2.vh;
      const vl = r2.vl;
      // Some bit of val is set: only a single-bit val says which.
      if (!isPowerOf2(vh, vl)) return;
      r1.vh |= vh;
      r1.vl |= vl;
      r1.mh &= ~r1.vh;
      r1.ml &= ~r1.vl;
      return;
    }
    case 'jset!': {
      if ((r2.mh | r2.ml) !== 0) {
        const t = r1;
        r1 = r2;
        r2 = t;
      }
      if ((r2.mh | r2.ml) !== 0) return;
      const kh = ~r2.vh;
      const kl = ~r2.vl;
      // The ranges are forgotten before the tnum narrows (6.18), so a dead branch cannot leave them contradicting it.
      unbounded64(r1);
      unbounded32(r1);
      // tnum_and with the constant ~val.
      const vh = r1.vh & kh;
      const vl = r1.vl & kl;
      r1.mh = (r1.vh | r1.mh) & kh & ~vh;
      r1.ml = (r1.vl | r1.ml) & kl & ~vl;
      r1.vh = vh;
      r1.vl = vl;
      return;
    }
    case 'jle':
      lowerUmax(r1, r2.umaxH, r2.umaxL);
      raiseUmin(r2, r1.uminH, r1.uminL);
      return;
    case 'jlt': {
      // r2.umax - 1 and r1.umin + 1 (a taken jlt has r2.umax > r1.umin, so neither wraps).
      const h = r2.umaxL === 0 ? (r2.umaxH - 1) | 0 : r2.umaxH;
      lowerUmax(r1, h, (r2.umaxL - 1) | 0);
      const l = (r1.uminL + 1) | 0;
      raiseUmin(r2, l === 0 ? (r1.uminH + 1) | 0 : r1.uminH, l);
      return;
    }
    case 'jsle':
      lowerSmax(r1, r2.smaxH, r2.smaxL);
      raiseSmin(r2, r1.sminH, r1.sminL);
      return;
    case 'jslt': {
      const h = r2.smaxL === 0 ? (r2.smaxH - 1) | 0 : r2.smaxH;
      lowerSmax(r1, h, (r2.smaxL - 1) | 0);
      const l = (r1.sminL + 1) | 0;
      raiseSmin(r2, l === 0 ? (r1.sminH + 1) | 0 : r1.sminH, l);
      return;
    }
  }
}

/** The 64-bit value with halves (h, l) is one `r` allows: its tnum and all eight bounds. */
function holdsConst(r: Scalar, h: number, l: number): boolean {
  return (
    ((h & ~r.mh) | 0) === (r.vh | 0) &&
    ((l & ~r.ml) | 0) === (r.vl | 0) &&
    !ult(h, l, r.uminH, r.uminL) &&
    !ult(r.umaxH, r.umaxL, h, l) &&
    !slt(h, l, r.sminH, r.sminL) &&
    !slt(r.smaxH, r.smaxL, h, l) &&
    r.u32min <= l >>> 0 &&
    l >>> 0 <= r.u32max &&
    r.s32min <= (l | 0) &&
    (l | 0) <= r.s32max
  );
}

/** No value fits the bounds and the tnum (what reg_bounds_sanity_check would call a violation). */
function isEmpty(r: Scalar): boolean {
  if (ult(r.umaxH, r.umaxL, r.uminH, r.uminL) || slt(r.smaxH, r.smaxL, r.sminH, r.sminL) || r.u32min > r.u32max || r.s32min > r.s32max) return true;
  if ((r.mh | r.ml) === 0) {
    const h = r.vh;
    const l = r.vl;
    if (r.uminH !== h || r.uminL !== l || r.umaxH !== h || r.umaxL !== l || r.sminH !== h || r.sminL !== l || r.smaxH !== h || r.smaxL !== l) return true;
  }
  if (r.ml === 0) {
    const l = r.vl;
    if (r.u32min !== l >>> 0 || r.u32max !== l >>> 0 || r.s32min !== l || r.s32max !== l) return true;
  }
  return false;
}

/**
 * `a` and `b` narrowed to the pairs for which `a cond b` is `taken` (reg_set_min_max: the
 * refinement of one edge, then reg_bounds_sync of both), or null when no pair of their
 * values can take that edge. `a` and `b` must be different registers: the kernel skips
 * refinement when both operands are one register.
 */
export function refineBranch(cond: JmpCond, width: Width, a: Scalar, b: Scalar, taken: boolean, known?: 0 | 1 | -1): [Scalar, Scalar] | null {
  // `known`: the caller's isBranchTaken of the same operands (a branch asks it once, not thrice).
  const pred = known ?? isBranchTaken(cond, width, a, b);
  if (pred === (taken ? 0 : 1)) return null;
  const op: RefineOp = taken ? cond : REVERSED[cond];
  const w32 = width === 32;
  // The commonest equal edge: a 64-bit compare with a constant `a` may hold. Refining then
  // syncing makes `a` that constant exactly; when the constant fits every bound and the tnum
  // of `a` that is all there is to compute (otherwise the general path finds the edge empty).
  if (op === 'jeq' && !w32 && isConst(b) && holdsConst(a, b.vh, b.vl)) return [b, b];
  if (op === 'jeq' && !(w32 ? tnumOverlap32(a, b) : tnumOverlapHalves(a, b))) return null;
  const r1 = copy(a);
  const r2 = copy(b);
  refine(op, w32, r1, r2);
  syncInPlace(r1);
  // A constant operand the refinement left as it was stays itself: syncing a constant changes
  // nothing (the commonest branch compares with an immediate, so this saves a sync per edge).
  const r2Same = isConst(b) && scalarEquals(r2, b);
  if (!r2Same) syncInPlace(r2);
  if (isEmpty(r1) || (!r2Same && isEmpty(r2))) return null;
  return [r1, r2Same ? b : r2];
}

// ---- state pruning, equality, log ----

/** Every value `cur` allows, `old` allows too (range_within and tnum_in of regsafe). */
export function rangeWithin(old: Scalar, cur: Scalar): boolean {
  return (
    !ult(cur.uminH, cur.uminL, old.uminH, old.uminL) &&
    !ult(old.umaxH, old.umaxL, cur.umaxH, cur.umaxL) &&
    !slt(cur.sminH, cur.sminL, old.sminH, old.sminL) &&
    !slt(old.smaxH, old.smaxL, cur.smaxH, cur.smaxL) &&
    old.u32min <= cur.u32min &&
    old.u32max >= cur.u32max &&
    old.s32min <= cur.s32min &&
    old.s32max >= cur.s32max &&
    tnumInHalves(old, cur)
  );
}

export function scalarEquals(a: Scalar, b: Scalar): boolean {
  // The same object (registers share scalars), else the tnum first: it differs most often.
  if (a === b) return true;
  return (
    a.vl === b.vl &&
    a.vh === b.vh &&
    a.ml === b.ml &&
    a.mh === b.mh &&
    a.uminH === b.uminH &&
    a.uminL === b.uminL &&
    a.umaxH === b.umaxH &&
    a.umaxL === b.umaxL &&
    a.sminH === b.sminH &&
    a.sminL === b.sminL &&
    a.smaxH === b.smaxH &&
    a.smaxL === b.smaxL &&
    a.u32min === b.u32min &&
    a.u32max === b.u32max &&
    a.s32min === b.s32min &&
    a.s32max === b.s32max
  );
}

/** The concrete 64-bit value `v` is allowed by every part of `s` (for tests and assertions). */
export function scalarContains(s: Scalar, v: bigint): boolean {
  const h = hiOf(v);
  const l = loOf(v);
  return (
    (h & ~s.mh) === s.vh &&
    (l & ~s.ml) === s.vl &&
    !ult(h, l, s.uminH, s.uminL) &&
    !ult(s.umaxH, s.umaxL, h, l) &&
    !slt(h, l, s.sminH, s.sminL) &&
    !slt(s.smaxH, s.smaxL, h, l) &&
    l >>> 0 >= s.u32min &&
    l >>> 0 <= s.u32max &&
    l >= s.s32min &&
    l <= s.s32max
  );
}

// print_scalar_ranges and verbose_unum/verbose_snum of kernel/bpf/log.c.
const unum = (v: bigint): string => (v <= 0xffffn ? v.toString() : `0x${v.toString(16)}`);
const snum = (v: bigint): string => (v >= -0x8000n && v <= 0x7fffn ? v.toString() : `0x${BigInt.asUintN(64, v).toString(16)}`);

/**
 * The log's form of a scalar register (print_reg_state, Linux 6.18): a constant as a number
 * (decimal within s16 range, hex beyond), otherwise `scalar(...)` with each bound that is
 * not its type's extreme, equal mins (or maxes) merged as `smin=umin=…`, then var_off.
 */
export function formatScalar(s: Scalar, opts: { readonly id?: number; readonly precise?: boolean } = {}): string {
  const p = opts.precise ? 'P' : '';
  if (isConst(s)) return p + snum(s64Of(s.vh, s.vl));
  // The 32-bit signed bounds are compared sign-extended when printed in decimal, as u32 otherwise.
  const s32v = (v: number): bigint => (v >= -0x8000 && v <= 0x7fff ? BigInt.asUintN(64, BigInt(v)) : BigInt(u32(v)));
  const names = ['smin', 'smax', 'umin', 'umax', 'smin32', 'smax32', 'umin32', 'umax32'];
  const vals = [u64Of(s.sminH, s.sminL), u64Of(s.smaxH, s.smaxL), s.umin, s.umax, s32v(s.s32min), s32v(s.s32max), BigInt(s.u32min), BigInt(s.u32max)];
  const omit = [
    s.sminH === S64_MIN_H && s.sminL === 0,
    s.smaxH === S64_MAX_H && s.smaxL === -1,
    s.uminH === 0 && s.uminL === 0,
    s.umaxH === -1 && s.umaxL === -1,
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
    const neg = signed && BigInt.asIntN(64, val) < 0n;
    let text = `${name}=`;
    for (let j = i + 2; j < 8; j += 2) {
      if (omit[j] || vals[j] !== val) continue;
      const other = names[j] as string;
      if ((other[0] === 's' && BigInt.asIntN(64, val) < 0n) !== neg) continue;
      omit[j] = true;
      text += `${other}=`;
    }
    parts.push(text + (signed ? snum(BigInt.asIntN(64, val)) : unum(val)));
  }
  if ((s.mh & s.ml) !== -1) parts.push(`var_off=${tnumStr(s.var)}`);
  return `${p}scalar(${parts.join(',')})`;
}
