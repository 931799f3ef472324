// One size of a scaling check as the child process reports it, and the rule that judges a step.

export interface SizeResult {
  readonly check: string;
  readonly n: number;
  /** Median ms of the runs. */
  readonly ms: number;
  /** The fastest run: what the work costs with the least interference from the machine's other load. */
  readonly minMs?: number;
  readonly runs: number;
  /** Peak resident memory while the product ran, above what the process held before, MB. */
  readonly peakMb: number;
  readonly error?: string;
  /** Not run: the step before already grew too fast. */
  readonly skipped?: boolean;
}

/** The step from `a` to `b` (10× the size) grew too fast: by the median and by the fastest run alike. */
export function grewTooFast(a: SizeResult, b: SizeResult, maxRatio: number, minMs: number, floorMs: number): boolean {
  if (a.error || b.error || b.skipped) return false;
  const ratio = (x: number, y: number): number => y / Math.max(x, floorMs);
  return b.ms > minMs && ratio(a.ms, b.ms) > maxRatio && ratio(a.minMs ?? a.ms, b.minMs ?? b.ms) > maxRatio;
}
