// Splitting a long seeded run between processes: VERIFIER_SHARD=k/n gives the k-th of n equal
// parts of the index range, so n processes together cover exactly what one would.

/**
 * The indices [from, to) of `count` that shard `spec` ("k/n", 1-based; absent: all) covers.
 * Throws on a malformed spec: a long run must not silently do the wrong share.
 */
export function shardRange(count: number, spec: string | undefined): { from: number; to: number; label: string } {
  if (spec === undefined || spec === '') return { from: 0, to: count, label: '' };
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const k = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || n < 1 || k < 1 || k > n) throw new Error(`VERIFIER_SHARD must be k/n with 1 ≤ k ≤ n, not '${spec}'`);
  return { from: Math.floor(((k - 1) * count) / n), to: Math.floor((k * count) / n), label: ` (shard ${k}/${n})` };
}
