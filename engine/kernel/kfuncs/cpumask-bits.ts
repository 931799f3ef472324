// The bitmap arithmetic behind the cpumask kfuncs (include/linux/cpumask.h, lib/bitmap.c) on
// struct cpumask bits in guest memory: bit c lives in byte c/8, bit c%8, as a little-endian
// unsigned long[] lays it out. Every operation looks at the first `n` (nr_cpu_ids) bits only.

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

/** dst = s1 OP s2 over the first n bits; dst may alias a source. Returns whether dst is non-empty. */
export function combine(bytes: Uint8Array, dst: number, s1: number, s2: number, n: number, op: SetOp): boolean {
  let any = 0;
  for (let i = 0; i < bytesFor(n); i++) {
    const x = bytes[s1 + i] ?? 0;
    const y = bytes[s2 + i] ?? 0;
    const v = (op === 'and' ? x & y : op === 'or' ? x | y : x ^ y) & live(i, n);
    // Bits at or above n keep what dst had (they are never set by these kfuncs).
    bytes[dst + i] = ((bytes[dst + i] ?? 0) & ~live(i, n) & 0xff) | v;
    any |= v;
  }
  return any !== 0;
}

/** Sets (`on`) or clears the first n bits of dst. */
export function fill(bytes: Uint8Array, dst: number, n: number, on: boolean): void {
  for (let i = 0; i < bytesFor(n); i++) {
    const m = live(i, n);
    bytes[dst + i] = on ? (bytes[dst + i] ?? 0) | m : (bytes[dst + i] ?? 0) & ~m & 0xff;
  }
}

/** Copies the first n bits of src (arena offset) into dst. */
export function copyBits(bytes: Uint8Array, dst: number, src: Uint8Array | number, n: number): void {
  for (let i = 0; i < bytesFor(n); i++) {
    const m = live(i, n);
    const v = typeof src === 'number' ? (bytes[src + i] ?? 0) : (src[i] ?? 0);
    bytes[dst + i] = ((bytes[dst + i] ?? 0) & ~m & 0xff) | (v & m);
  }
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
