// The rare 64-bit divisions whose operands do not fit 32 bits. The interpreter handles the
// common cases inline on int32 pairs and falls back to these (BigInt is fine off the hot path).

function toU64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function store(out: Int32Array, d: number, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  out[d] = Number(u & 0xffffffffn) | 0;
  out[d + 1] = Number(u >> 32n) | 0;
}

/** dst = dst op src for u64 div/mod and s64 sdiv/smod; the divisor is known non-zero and not -1. */
export function divmod64(R: Int32Array, d: number, blo: number, bhi: number, op: 'div' | 'mod' | 'sdiv' | 'smod'): void {
  const alo = R[d] ?? 0;
  const ahi = R[d + 1] ?? 0;
  if (op === 'div' || op === 'mod') {
    const a = toU64(alo, ahi);
    const b = toU64(blo, bhi);
    store(R, d, op === 'div' ? a / b : a % b);
  } else {
    const a = BigInt.asIntN(64, toU64(alo, ahi));
    const b = BigInt.asIntN(64, toU64(blo, bhi));
    // BigInt division truncates toward zero and % takes the dividend's sign, as Linux does.
    store(R, d, op === 'sdiv' ? a / b : a % b);
  }
}
