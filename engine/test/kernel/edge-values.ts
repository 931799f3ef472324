// The values where eBPF's interpretations part ways (signed and unsigned, 32 and 64 bits, the
// division rewrites), which the generator prefers over uniform random numbers.

export const I32_MIN = -0x8000_0000;
export const I32_MAX = 0x7fff_ffff;
export const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** The boundaries where signed, unsigned, 32- and 64-bit interpretations part ways. */
export const EDGE64: readonly bigint[] = [
  0n, 1n, 2n, U64(-1n), U64(-2n),
  U64(BigInt(I32_MIN)), BigInt(I32_MAX), 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, 0xffff_ffff_0000_0000n,
  U64(-(1n << 63n)), (1n << 63n) - 1n,
  0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0xffff_ff80n, 0xffff_8000n,
];
export const EDGE32: readonly number[] = [0, 1, 2, -1, -2, I32_MIN, I32_MAX, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, -0x80, -0x8000];
/** Operands that make comparisons interesting: equal, adjacent, and equal only in the low half. */
export const COMPARE64: readonly bigint[] = [0n, 1n, 2n, U64(-1n), U64(-2n), 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, 0x1_0000_0001n, U64(BigInt(I32_MIN)), U64(-(1n << 63n)), (1n << 63n) - 1n];
/** Divisors at the edges of do_misc_fixups' rewrites: zero, -1, and zero only in the low half. */
export const DIVISORS: readonly bigint[] = [0n, 0n, U64(-1n), U64(-1n), 1n, 0xffff_ffffn, 0x1_0000_0000n, 0xffff_ffff_0000_0000n, U64(BigInt(I32_MIN)), 0x8000_0000n, 2n, 3n, U64(-3n), 7n];
export const DIVIDENDS: readonly bigint[] = [U64(-(1n << 63n)), U64(BigInt(I32_MIN)), 0x8000_0000n, U64(-13n), 13n, 0n, U64(-1n), 0xffff_ffffn];
/** Odd multipliers keep the checksum step r0 = (r0 ^ x) * k a bijection, so differences survive. */
export const MIX_MULTIPLIERS: readonly number[] = [0x9e3779b1 | 0, 0x85ebca6b | 0, 0x27d4eb2f, 0x165667b1, -0x3d4d51c3 | 1];
