// The bitmap arithmetic behind the cpumask kfuncs (include/linux/cpumask.h, lib/bitmap.c) on
// struct cpumask bits in guest memory: bit c lives in byte c/8, bit c%8, as a little-endian
// unsigned long[] lays it out. Questions (first, weight, equal, …) look at the first `n`
// (nr_cpu_ids) bits only; writes work as lib/bitmap.c does, on whole unsigned longs: setall,
// or, xor, copy and populate also write the bits from n up to the end of the last long, and
// only `and` masks them off (measured against Linux 6.18: setall with 2 CPUs reads back as
// 0xffffffffffffffff).

/** Whether CPU `c` is set in the mask at arena offset `at`. */
export function testBit(b: Uint8Array, at: number, c: number): boolean {
  return (((b[at + (c >> 3)] ?? 0) >> (c & 7)) & 1) === 1;
}

export function setBit(b: Uint8Array, at: number, c: number, on: boolean): void {
  const i = at + (c >> 3);
  const bit = 1 << (c & 7);
  b[i] = on ? (b[i] ?? 0) | bit : (b[i] ?? 0) & ~bit;
}

/** Mask of the bits of byte `byte` that are below `n`. */
function live(byte: number, n: number): number {
  const left = n - byte * 8;
  return left >= 8 ? 0xff : left <= 0 ? 0 : (1 << left) - 1;
}

function bytesFor(n: number): number {
  return (n + 7) >> 3;
}

/** First CPU set (or, with `zero`, clear) in a, ANDed with b when given; `n` when none. */
export function findFirst(bytes: Uint8Array, a: number, n: number, opts: { zero?: boolean; and?: number } = {}): number {
  for (let i = 0; i < bytesFor(n); i++) {
    let v = bytes[a + i] ?? 0;
    if (opts.zero) v = ~v & 0xff;
    if (opts.and !== undefined) v &= bytes[opts.and + i] ?? 0;
    v &= live(i, n);
    if (v !== 0) return i * 8 + (31 - Math.clz32(v & -v));
  }
  return n;
}

function popcount8(v: number): number {
  let c = 0;
  for (let x = v; x; x &= x - 1) c++;
  return c;
}

/** Number of CPUs set in a (ANDed with b when given). */
export function weight(bytes: Uint8Array, a: number, n: number, and?: number): number {
  let c = 0;
  for (let i = 0; i < bytesFor(n); i++) c += popcount8((bytes[a + i] ?? 0) & (and === undefined ? 0xff : (bytes[and + i] ?? 0)) & live(i, n));
  return c;
}

/** The `k`-th (0-based) CPU set in a (ANDed with b when given), or `n`. */
export function nthSet(bytes: Uint8Array, a: number, n: number, k: number, and?: number): number {
  let left = k;
  for (let c = 0; c < n; c++) {
    if (testBit(bytes, a, c) && (and === undefined || testBit(bytes, and, c))) {
      if (left === 0) return c;
      left--;
    }
  }
  return n;
}

export type SetOp = 'and' | 'or' | 'xor';

/**
 * dst = s1 OP s2 over the longs holding n bits (bitmap_and/or/xor); dst may alias a source.
 * `and` clears the bits at or above n in the last long (__bitmap_and's BITMAP_LAST_WORD_MASK).
 * Returns whether dst is non-empty in its first n bits.
 */
export function combine(bytes: Uint8Array, dst: number, s1: number, s2: number, n: number, op: SetOp): boolean {
  let any = 0;
  for (let i = 0; i < bitmapSize(n); i++) {
    const x = bytes[s1 + i] ?? 0;
    const y = bytes[s2 + i] ?? 0;
    let v = op === 'and' ? x & y : op === 'or' ? x | y : x ^ y;
    if (op === 'and') v &= live(i, n);
    bytes[dst + i] = v;
    any |= v & live(i, n);
  }
  return any !== 0;
}

/** bitmap_fill / bitmap_zero: every bit of the longs holding n bits. */
export function fill(bytes: Uint8Array, dst: number, n: number, on: boolean): void {
  bytes.fill(on ? 0xff : 0, dst, dst + bitmapSize(n));
}

/** bitmap_copy: the longs holding n bits, from src (arena offset, or bytes) into dst. */
export function copyBits(bytes: Uint8Array, dst: number, src: Uint8Array | number, n: number): void {
  for (let i = 0; i < bitmapSize(n); i++) bytes[dst + i] = typeof src === 'number' ? (bytes[src + i] ?? 0) : (src[i] ?? 0);
}

export type Relation = 'equal' | 'intersects' | 'subset';

/** cpumask_equal / cpumask_intersects / cpumask_subset over the first n bits. */
export function relate(bytes: Uint8Array, s1: number, s2: number, n: number, rel: Relation): boolean {
  for (let i = 0; i < bytesFor(n); i++) {
    const m = live(i, n);
    const x = (bytes[s1 + i] ?? 0) & m;
    const y = (bytes[s2 + i] ?? 0) & m;
    if (rel === 'equal' && x !== y) return false;
    if (rel === 'intersects' && (x & y) !== 0) return true;
    if (rel === 'subset' && (x & ~y) !== 0) return false;
  }
  return rel !== 'intersects';
}

/** cpumask_empty (`full` false) or cpumask_full over the first n bits. */
export function uniform(bytes: Uint8Array, a: number, n: number, full: boolean): boolean {
  for (let i = 0; i < bytesFor(n); i++) {
    const m = live(i, n);
    if (((bytes[a + i] ?? 0) & m) !== (full ? m : 0)) return false;
  }
  return true;
}

/** bitmap_size(n): bytes of the unsigned longs holding n bits (lib/bitmap.h; 8-byte longs). */
export function bitmapSize(n: number): number {
  return Math.ceil(n / 64) * 8;
}
