// The rare 64-bit divisions whose operands do not fit 32 bits. The interpreter and the compiled
// tier divide the common cases inline on int32 pairs (engine/vm/ops-js.ts) and fall back to this
// (BigInt is fine off the hot path).

function toU64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Where divmod64 leaves its result: [lo, hi]. */
export const Q = new Int32Array(2);

/** (alo, ahi) op (blo, bhi) into Q, for u64 div/mod and s64 sdiv/smod; the divisor is known non-zero and not -1. */
export function divmod64(alo: number, ahi: number, blo: number, bhi: number, op: 'div' | 'mod' | 'sdiv' | 'smod'): void {
  let r: bigint;
  if (op === 'div' || op === 'mod') {
    const a = toU64(alo, ahi);
    const b = toU64(blo, bhi);
    r = op === 'div' ? a / b : a % b;
  } else {
    const a = BigInt.asIntN(64, toU64(alo, ahi));
    const b = BigInt.asIntN(64, toU64(blo, bhi));
    // BigInt division truncates toward zero and % takes the dividend's sign, as Linux does.
    r = op === 'sdiv' ? a / b : a % b;
  }
  const u = BigInt.asUintN(64, r);
  Q[0] = Number(u & 0xffffffffn) | 0;
  Q[1] = Number(u >> 32n) | 0;
}
