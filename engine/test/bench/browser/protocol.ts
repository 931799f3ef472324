// What the browser benchmark's page (bench.html) offers its driver — `npm run bench`'s browser
// section and e2e/specs/browser-bench.spec.ts, both through Playwright — as window.__bpfpBench.
// Everything crosses page.evaluate as plain JSON: bytes as number arrays, r0 as hex.

import type { VmTier } from '../../../vm/index.ts';
import type { Measurement } from '../measure.ts';

export interface BrowserBenchRequest {
  readonly bytes: readonly number[];
  readonly mem?: readonly number[];
  /** Expected r0, hex (0x…). */
  readonly expectedR0: string;
  readonly insns: number;
  readonly tier: VmTier;
  readonly runs: number;
  readonly warm: number;
  /** And at least this many ms of warm-up runs (measure.ts's CORPUS_WARM_UP_MS; 0 when absent). */
  readonly warmMs?: number;
  readonly steadyMaxMs?: number;
  /** Shortest timed sample, ms (measure.ts's CORPUS_MIN_SAMPLE_MS; 0 when absent: one run a sample). */
  readonly minSampleMs?: number;
}

export interface BrowserBenchResult extends Measurement {
  /** Whether the worker was cross-origin isolated (performance.now() to 5 µs rather than 100 µs in Chromium). */
  readonly crossOriginIsolated: boolean;
}

export interface BrowserBenchHook {
  /** Measures one program on one tier in a fresh dedicated worker, terminated afterwards. */
  measure(request: BrowserBenchRequest): Promise<BrowserBenchResult>;
  readonly userAgent: string;
}

/** The worker's one message back: the result, or why it threw. */
export type BrowserBenchReply = BrowserBenchResult | { readonly failed: string };

declare global {
  interface Window {
    __bpfpBench?: BrowserBenchHook;
  }
}
