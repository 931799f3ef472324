// Tracked numbers (kernel/bpf/tnum.c): what the verifier knows about each bit of a 64-bit
// value. A bit set in `mask` is unknown; otherwise it equals that bit of `value`. Both are
// unsigned 64-bit bigints and `value & mask` is always 0.

export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

const M64 = 0xffff_ffff_ffff_ffffn;
const M32 = 0xffff_ffffn;

const mk = (value: bigint, mask: bigint): Tnum => ({ value, mask });

/** Every 64-bit value. */
export const TNUM_UNKNOWN: Tnum = Object.freeze(mk(0n, M64));
const ZERO: Tnum = Object.freeze(mk(0n, 0n));

export function tnumConst(value: bigint): Tnum {
  return value === 0n ? ZERO : mk(BigInt.asUintN(64, value), 0n);
}

/** Number of significant bits of a 64-bit value (the kernel's fls64). */
export function fls64(x: bigint): number {
  const hi = Number(x >> 32n);
  if (hi !== 0) return 64 - Math.clz32(hi);
  const lo = Number(x & M32);
  return lo === 0 ? 0 : 32 - Math.clz32(lo);
}

/** The values min..max (unsigned), as bits: the common high bits known, the rest unknown. */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const bits = fls64(min ^ max);
  if (bits > 63) return TNUM_UNKNOWN;
  const delta = (1n << BigInt(bits)) - 1n;
  return mk(min & ~delta & M64, delta);
}

export function tnumLshift(a: Tnum, shift: number): Tnum {
  const s = BigInt(shift);
  return mk((a.value << s) & M64, (a.mask << s) & M64);
}

export function tnumRshift(a: Tnum, shift: number): Tnum {
  const s = BigInt(shift);
  return mk(a.value >> s, a.mask >> s);
}

/**
 * Arithmetic right shift within a 32- or 64-bit operand (tnum_arshift with insn_bitness);
 * a 32-bit result is zero-extended. Shifting the mask arithmetically keeps an unknown sign bit unknown.
 */
export function tnumArshift(a: Tnum, shift: number, width: 32 | 64): Tnum {
  const s = BigInt(shift);
  if (width === 32) {
    return mk(BigInt.asUintN(32, BigInt.asIntN(32, a.value) >> s), BigInt.asUintN(32, BigInt.asIntN(32, a.mask) >> s));
  }
  return mk(BigInt.asUintN(64, BigInt.asIntN(64, a.value) >> s), BigInt.asUintN(64, BigInt.asIntN(64, a.mask) >> s));
}

export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  // Shortcuts with the same result: anything plus an unknown is unknown; constants add.
  if (a.mask === M64 || b.mask === M64) return TNUM_UNKNOWN;
  if (a.mask === 0n && b.mask === 0n) return tnumConst(a.value + b.value);
  const sm = a.mask + b.mask;
  const sv = a.value + b.value;
  // Bits where the carry chains of "all unknowns 0" and "all unknowns 1" differ are unknown.
  const chi = ((sm + sv) ^ sv) & M64;
  const mu = chi | a.mask | b.mask;
  return mk(sv & ~mu & M64, mu);
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  if (a.mask === M64 || b.mask === M64) return TNUM_UNKNOWN;
  if (a.mask === 0n && b.mask === 0n) return tnumConst(a.value - b.value);
  const dv = a.value - b.value;
  const alpha = dv + a.mask;
  const beta = dv - b.mask;
  const chi = (alpha ^ beta) & M64;
  const mu = chi | a.mask | b.mask;
  return mk(dv & ~mu & M64, mu);
}

/** 0 - a (the tnum_neg of BPF_NEG tracking). */
export function tnumNeg(a: Tnum): Tnum {
  return tnumSub(ZERO, a);
}

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return mk(v, alpha & beta & ~v);
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  return mk(v, (a.mask | b.mask) & ~v);
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const mu = a.mask | b.mask;
  return mk((a.value ^ b.value) & ~mu, mu);
}

/**
 * Long multiplication over the trits of `a` (tnum_mul since Linux 6.18): where a bit of `a`
 * is unknown, the partial sums with and without `b` are joined with tnumUnion.
 */
export function tnumMul(a: Tnum, b: Tnum): Tnum {
  let acc = ZERO;
  let av = a.value;
  let am = a.mask;
  let bt = b;
  while (av !== 0n || am !== 0n) {
    // Once every bit is unknown, every later step keeps it so (add and union of unknowns).
    if (acc.mask === M64) return TNUM_UNKNOWN;
    if (av & 1n) acc = tnumAdd(acc, bt);
    else if (am & 1n) acc = tnumUnion(acc, tnumAdd(acc, bt));
    av >>= 1n;
    am >>= 1n;
    bt = tnumLshift(bt, 1);
  }
  return acc;
}

/**
 * Values both tnums allow (tnum_intersect). Where they contradict (a known 0 against a known
 * 1) the result says 1: the caller must know the two overlap (see tnumOverlap).
 */
export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return mk(v & ~mu, mu);
}

/** The smallest tnum holding every value of `a` and of `b` (tnum_union): disagreeing bits become unknown. */
export function tnumUnion(a: Tnum, b: Tnum): Tnum {
  const mu = (a.value ^ b.value) | a.mask | b.mask;
  return mk(a.value & b.value & ~mu, mu);
}

/** Some value is allowed by both (tnum_overlap): their known bits agree wherever both are known. */
export function tnumOverlap(a: Tnum, b: Tnum): boolean {
  const mu = ~a.mask & ~b.mask;
  return (a.value & mu) === (b.value & mu);
}

/** The low `size` bytes of `a`, the rest known 0. */
export function tnumCast(a: Tnum, size: number): Tnum {
  if (size >= 8) return a;
  const m = (1n << BigInt(size * 8)) - 1n;
  return mk(a.value & m, a.mask & m);
}

export function tnumIsConst(a: Tnum): boolean {
  return a.mask === 0n;
}

export function tnumIsUnknown(a: Tnum): boolean {
  return a.mask === M64;
}

export function tnumEqualsConst(a: Tnum, v: bigint): boolean {
  return a.mask === 0n && a.value === v;
}

/** Every value of `a` is a multiple of `size` (a power of two; 0 means no requirement). */
export function tnumIsAligned(a: Tnum, size: number | bigint): boolean {
  const s = BigInt(size);
  if (s === 0n) return true;
  return ((a.value | a.mask) & (s - 1n)) === 0n;
}

/** Every value of `b` is a value of `a` (tnum_in). */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if (b.mask & ~a.mask) return false;
  return a.value === (b.value & ~a.mask);
}

/** The concrete value `v` is a member of `a`. */
export function tnumContains(a: Tnum, v: bigint): boolean {
  return (BigInt.asUintN(64, v) & ~a.mask) === a.value;
}

export function tnumEquals(a: Tnum, b: Tnum): boolean {
  return a.value === b.value && a.mask === b.mask;
}

/** The low 32 bits. */
export function tnumSubreg(a: Tnum): Tnum {
  return a.value <= M32 && a.mask <= M32 ? a : mk(a.value & M32, a.mask & M32);
}

/** The high 32 bits, the low ones known 0. */
export function tnumClearSubreg(a: Tnum): Tnum {
  const hi = ~M32 & M64;
  return mk(a.value & hi, a.mask & hi);
}

/** The high 32 bits of `reg` with the low 32 bits of `subreg`. */
export function tnumWithSubreg(reg: Tnum, subreg: Tnum): Tnum {
  const hi = ~M32 & M64;
  return mk((reg.value & hi) | (subreg.value & M32), (reg.mask & hi) | (subreg.mask & M32));
}

/** `a` with its low 32 bits known to be `value`. */
export function tnumConstSubreg(a: Tnum, value: number | bigint): Tnum {
  return tnumWithSubreg(a, mk(BigInt(value) & M32, 0n));
}

export function tnumSubregIsConst(a: Tnum): boolean {
  return (a.mask & M32) === 0n;
}

function bswapBits(v: bigint, bits: 16 | 32 | 64): bigint {
  let r = 0n;
  for (let i = 0n; i < BigInt(bits); i += 8n) r = (r << 8n) | ((v >> i) & 0xffn);
  return r;
}

/** The low `bits` of `a` with their bytes reversed, the rest known 0 (BPF_END to big endian, bswap). */
export function tnumBswap(a: Tnum, bits: 16 | 32 | 64): Tnum {
  return mk(bswapBits(a.value, bits), bswapBits(a.mask, bits));
}

/** The log's form of a tnum, `(0x0; 0xff)` (tnum_strn; the kernel's %#llx prints 0 as 0x0). */
export function tnumStr(a: Tnum): string {
  return `(0x${a.value.toString(16)}; 0x${a.mask.toString(16)})`;
}

/** One character per bit, most significant first: 0, 1 or x (tnum_sbin). */
export function tnumSbin(a: Tnum): string {
  let s = '';
  for (let i = 63n; i >= 0n; i--) {
    s += (a.mask >> i) & 1n ? 'x' : (a.value >> i) & 1n ? '1' : '0';
  }
  return s;
}

// ---- the same tnums as 32-bit halves, changed in place ----
// The scalar domain keeps its tnum as four int32 bit patterns (the high and low halves of the
// value and of the mask) inside the register object, and changes them in place: no BigInt and
// no allocation on the verifier's hot paths. Each function below is the tnum.c function it
// names, writing its result into `d`, which may be one of its operands (every operand is read
// before `d` is written). Arithmetic is modulo 2^64, as in C: a carry out of the low half is
// added to the high half, `| 0` keeps each half an int32.

/** A tnum as halves: value high/low, mask high/low, each an int32 bit pattern. */
export interface TnumHalves {
  vh: number;
  vl: number;
  mh: number;
  ml: number;
}

/** Carry out of the unsigned sum of two 32-bit halves. */
export const carry = (a: number, b: number): number => ((a >>> 0) + (b >>> 0) > 0xffff_ffff ? 1 : 0);
/** Borrow of the unsigned difference of two 32-bit halves. */
export const borrow = (a: number, b: number): number => ((a >>> 0) < (b >>> 0) ? 1 : 0);

/** tnum_add into d. */
export function tnumAddTo(d: TnumHalves, a: Readonly<TnumHalves>, b: Readonly<TnumHalves>): void {
  const sml = (a.ml + b.ml) | 0;
  const smh = (a.mh + b.mh + carry(a.ml, b.ml)) | 0;
  const svl = (a.vl + b.vl) | 0;
  const svh = (a.vh + b.vh + carry(a.vl, b.vl)) | 0;
  // Bits where the carry chains of "all unknowns 0" and "all unknowns 1" differ are unknown.
  const chil = ((sml + svl) | 0) ^ svl;
  const chih = ((smh + svh + carry(sml, svl)) | 0) ^ svh;
  const mul = chil | a.ml | b.ml;
  const muh = chih | a.mh | b.mh;
  d.vh = svh & ~muh;
  d.vl = svl & ~mul;
  d.mh = muh;
  d.ml = mul;
}

/**
 * tnum_mul into d, on halves (the shift-and-add of tnumMul above: each known 1 of `a` adds the
 * shifted `b`; each unknown bit joins the sums with and without it).
 */
export function tnumMulTo(d: TnumHalves, a: Readonly<TnumHalves>, b: Readonly<TnumHalves>): void {
  let avh = a.vh;
  let avl = a.vl;
  let amh = a.mh;
  let aml = a.ml;
  const bt: TnumHalves = { vh: b.vh, vl: b.vl, mh: b.mh, ml: b.ml };
  const acc: TnumHalves = { vh: 0, vl: 0, mh: 0, ml: 0 };
  const sum: TnumHalves = { vh: 0, vl: 0, mh: 0, ml: 0 };
  while ((avh | avl | amh | aml) !== 0) {
    // Once every bit is unknown, every later step keeps it so.
    if ((acc.mh & acc.ml) === -1) break;
    if (avl & 1) tnumAddTo(acc, acc, bt);
    else if (aml & 1) {
      tnumAddTo(sum, acc, bt);
      // tnum_union(acc, sum)
      const muh = (acc.vh ^ sum.vh) | acc.mh | sum.mh;
      const mul = (acc.vl ^ sum.vl) | acc.ml | sum.ml;
      acc.vh = acc.vh & sum.vh & ~muh;
      acc.vl = acc.vl & sum.vl & ~mul;
      acc.mh = muh;
      acc.ml = mul;
    }
    avl = ((avl >>> 1) | (avh << 31)) | 0;
    avh = (avh >>> 1) | 0;
    aml = ((aml >>> 1) | (amh << 31)) | 0;
    amh = (amh >>> 1) | 0;
    bt.vh = ((bt.vh << 1) | (bt.vl >>> 31)) | 0;
    bt.vl = (bt.vl << 1) | 0;
    bt.mh = ((bt.mh << 1) | (bt.ml >>> 31)) | 0;
    bt.ml = (bt.ml << 1) | 0;
  }
  if ((acc.mh & acc.ml) === -1) {
    d.vh = d.vl = 0;
    d.mh = d.ml = -1;
    return;
  }
  d.vh = acc.vh;
  d.vl = acc.vl;
  d.mh = acc.mh;
  d.ml = acc.ml;
}

/** tnum_sub into d. */
export function tnumSubTo(d: TnumHalves, a: Readonly<TnumHalves>, b: Readonly<TnumHalves>): void {
  const dvl = (a.vl - b.vl) | 0;
  const dvh = (a.vh - b.vh - borrow(a.vl, b.vl)) | 0;
  const alphal = (dvl + a.ml) | 0;
  const alphah = (dvh + a.mh + carry(dvl, a.ml)) | 0;
  const betal = (dvl - b.ml) | 0;
  const betah = (dvh - b.mh - borrow(dvl, b.ml)) | 0;
  const mul = (alphal ^ betal) | a.ml | b.ml;
  const muh = (alphah ^ betah) | a.mh | b.mh;
  d.vh = dvh & ~muh;
  d.vl = dvl & ~mul;
  d.mh = muh;
  d.ml = mul;
}

/** tnum_and into d. */
export function tnumAndTo(d: TnumHalves, a: Readonly<TnumHalves>, b: Readonly<TnumHalves>): void {
  const vh = a.vh & b.vh;
  const vl = a.vl & b.vl;
  const mh = (a.vh | a.mh) & (b.vh | b.mh) & ~vh;
  const ml = (a.vl | a.ml) & (b.vl | b.ml) & ~vl;
  d.vh = vh;
  d.vl = vl;
  d.mh = mh;
  d.ml = ml;
}

/** tnum_or into d. */
export function tnumOrTo(d: TnumHalves, a: Readonly<TnumHalves>, b: Readonly<TnumHalves>): void {
  const vh = a.vh | b.vh;
  const vl = a.vl | b.vl;
  const mh = (a.mh | b.mh) & ~vh;
  const ml = (a.ml | b.ml) & ~vl;
  d.vh = vh;
  d.vl = vl;
  d.mh = mh;
  d.ml = ml;
}

/** tnum_xor into d. */
export function tnumXorTo(d: TnumHalves, a: Readonly<TnumHalves>, b: Readonly<TnumHalves>): void {
  const mh = a.mh | b.mh;
  const ml = a.ml | b.ml;
  const vh = (a.vh ^ b.vh) & ~mh;
  const vl = (a.vl ^ b.vl) & ~ml;
  d.vh = vh;
  d.vl = vl;
  d.mh = mh;
  d.ml = ml;
}

/** tnum_lshift of d by 0..63, in place. */
export function tnumLshiftIn(d: TnumHalves, k: number): void {
  if (k === 0) return;
  if (k < 32) {
    d.vh = (d.vh << k) | (d.vl >>> (32 - k));
    d.vl <<= k;
    d.mh = (d.mh << k) | (d.ml >>> (32 - k));
    d.ml <<= k;
  } else {
    d.vh = d.vl << (k - 32);
    d.vl = 0;
    d.mh = d.ml << (k - 32);
    d.ml = 0;
  }
}

/** tnum_rshift of d by 0..63, in place. */
export function tnumRshiftIn(d: TnumHalves, k: number): void {
  if (k === 0) return;
  if (k < 32) {
    d.vl = (d.vl >>> k) | (d.vh << (32 - k));
    d.vh = (d.vh >>> k) | 0;
    d.ml = (d.ml >>> k) | (d.mh << (32 - k));
    d.mh = (d.mh >>> k) | 0;
  } else {
    d.vl = (d.vh >>> (k - 32)) | 0;
    d.vh = 0;
    d.ml = (d.mh >>> (k - 32)) | 0;
    d.mh = 0;
  }
}

/** tnum_arshift of d by 0..63 at 64 bits, in place: the mask's sign bit is copied too. */
export function tnumArshiftIn(d: TnumHalves, k: number): void {
  if (k === 0) return;
  if (k < 32) {
    d.vl = (d.vl >>> k) | (d.vh << (32 - k));
    d.vh >>= k;
    d.ml = (d.ml >>> k) | (d.mh << (32 - k));
    d.mh >>= k;
  } else {
    d.vl = d.vh >> (k - 32);
    d.vh >>= 31;
    d.ml = d.mh >> (k - 32);
    d.mh >>= 31;
  }
}

/**
 * d intersected with tnum_range(min, max) (min and max unsigned, as halves): the bits above
 * the highest one where min and max differ are known, those below unknown.
 */
export function tnumIntersectRangeIn(d: TnumHalves, minH: number, minL: number, maxH: number, maxL: number): void {
  const xh = minH ^ maxH;
  // fls64(min ^ max) of 64: the range is TNUM_UNKNOWN.
  if (xh < 0) return tnumIntersectIn(d, 0, 0, -1, -1);
  let rvh: number, rvl: number, rmh: number, rml: number;
  if (xh !== 0) {
    rmh = (-1 >>> Math.clz32(xh)) | 0;
    rml = -1;
    rvh = minH & ~rmh;
    rvl = 0;
  } else {
    const xl = minL ^ maxL;
    rmh = 0;
    rml = xl === 0 ? 0 : (-1 >>> Math.clz32(xl)) | 0;
    rvh = minH;
    rvl = minL & ~rml;
  }
  tnumIntersectIn(d, rvh, rvl, rmh, rml);
}

/** d's low halves intersected with tnum_range(min, max) of two u32 numbers; the high halves are kept. */
export function tnumIntersectRange32In(d: TnumHalves, min: number, max: number): void {
  const x = min ^ max;
  const rml = x === 0 ? 0 : (-1 >>> Math.clz32(x)) | 0;
  const vl = d.vl | (min & ~rml);
  const ml = d.ml & rml;
  d.vl = vl & ~ml;
  d.ml = ml;
}

/** tnum_intersect of d with the tnum (vh:vl; mh:ml), in place. */
export function tnumIntersectIn(d: TnumHalves, vh: number, vl: number, mh: number, ml: number): void {
  const v1 = d.vh | vh;
  const v0 = d.vl | vl;
  const m1 = d.mh & mh;
  const m0 = d.ml & ml;
  d.vh = v1 & ~m1;
  d.vl = v0 & ~m0;
  d.mh = m1;
  d.ml = m0;
}

/** tnum_overlap of halves: the known bits agree wherever both are known. */
export function tnumOverlapHalves(a: Readonly<TnumHalves>, b: Readonly<TnumHalves>): boolean {
  const muh = ~a.mh & ~b.mh;
  const mul = ~a.ml & ~b.ml;
  return (a.vh & muh) === (b.vh & muh) && (a.vl & mul) === (b.vl & mul);
}

/** tnum_overlap of the low 32 bits (tnum_subreg of both). */
export function tnumOverlap32(a: Readonly<TnumHalves>, b: Readonly<TnumHalves>): boolean {
  const mu = ~a.ml & ~b.ml;
  return (a.vl & mu) === (b.vl & mu);
}

/** tnum_in of halves: every value of b is a value of a. */
export function tnumInHalves(a: Readonly<TnumHalves>, b: Readonly<TnumHalves>): boolean {
  if ((b.mh & ~a.mh) | (b.ml & ~a.ml)) return false;
  return a.vh === (b.vh & ~a.mh) && a.vl === (b.vl & ~a.ml);
}

/** __builtin_bswap32 of an int32 bit pattern. */
export function bswap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}
