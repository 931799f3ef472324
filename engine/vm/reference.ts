// The concrete instruction semantics in BigInt live in engine/isa/semantics.ts (the verifier
// checks its domains against them too); re-exported here with the edge values every
// operation is tried with. It is never used to run programs.

export { refAlu, refBswap, refCond } from '../isa/semantics.ts';

/** The edge values every operation is tried with. */
export const EDGE_VALUES: readonly bigint[] = [
  0n, 1n, 2n, 3n, 13n, 31n, 32n, 63n, 64n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn,
  0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x123456789abcdef0n, 0x7fffffffffffffffn,
  0x8000000000000000n, -1n, -2n, -3n, -13n, -0x80000000n, -0x80000001n, 0xfedcba9876543210n,
].map((v) => BigInt.asUintN(64, v));
