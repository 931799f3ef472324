// How one corpus program is measured on one tier, wherever it runs: a fresh Node process
// (child.ts) or a fresh Web Worker in Chromium (browser/bench.worker.ts). Warm-up runs, then
// each timed run on its own clock; every run's status, r0 and instruction count checked. Only
// the clock differs between the two (process.hrtime in Node, performance.now in the browser),
// so this module imports nothing of Node's or the DOM's.

import { decodeProgram } from '../../isa/index.ts';
import { createRawVm, type VmTier } from '../../vm/index.ts';

/** Warm-up runs before the timed runs of the corpus benchmark, in Node and in the browser alike. */
export const CORPUS_WARM_UP_RUNS = 10;
/**
 * And at least this much warm-up time, in both. V8 optimizes the interpreter's big dispatch
 * function late: in Node 20 its optimized code arrives after about 0.25 s of running; in
 * Chromium (Maglev first, then Turbofan, which takes about 0.4 s to compile that function on a
 * 2-core machine) after about 1 s, and ten runs had measured the browser's half-optimized code
 * (0.25–0.55× Node, where both optimized are 0.8–1×). The benchmark compares steady states;
 * how long each takes to reach it is reported beside (Measurement.steadyAfterMs).
 */
export const CORPUS_WARM_UP_MS = 2000;
/**
 * And, past that, warm-up goes on while the engine still speeds up (MeasureOptions.steadyMaxMs),
 * up to this much running in all: a Chromium worker had sometimes not reached its optimized
 * interpreter after 2 s (branch_collatz: 108, 162 and 280 M/s in three workers, 1.9 s to reach
 * 90 %), so a table meant to compare steady states compared a warm-up.
 */
export const CORPUS_WARM_UP_MAX_MS = 8000;
/** The span of running whose rate is compared with the span before it, to see the speed still rise. */
export const STEADY_SPAN_MS = 250;
/** Faster by more than this, a span says the engine still speeds up. */
const STILL_RISING = 1.05;
/** Shortest timed sample of the corpus benchmark (MeasureOptions.minSampleMs), in both. */
export const CORPUS_MIN_SAMPLE_MS = 2;

/** What a measurement needs of a corpus program (corpus.ts's BenchProgram has it all). */
export interface MeasuredProgram {
  readonly bytes: Uint8Array;
  /** The input: r1 points to it, r2 holds its length (pkt_csum's 1500-byte packet). */
  readonly mem?: Uint8Array;
  readonly expectedR0: bigint;
  /** Executed instructions per run. */
  readonly insns: number;
}

/** Starts a clock; the function it returns gives the nanoseconds elapsed since. */
export type Stopwatch = () => () => number;

export interface Measurement {
  /** M instructions/s of each timed sample. */
  readonly rates: number[];
  /** Of the instructions executed (warm-up included), the share that ran in WebAssembly (vm.wasmInsns). */
  readonly wasmShare: number;
  /** r0 of the last run, hex (0x…). */
  readonly r0: string;
  /** Runs per timed sample (MeasureOptions.minSampleMs). */
  readonly batch: number;
  /** Warm-up runs made (at least `warm`, and as many as `warmMs` took). */
  readonly warmUpRuns: number;
  /**
   * Running time (ms, clock of the runs only) before the first run at 90 % of the timed runs'
   * median or faster: how long this engine took to reach its steady speed.
   */
  readonly steadyAfterMs: number;
  /** A run that did not exit with the expected r0 and count: the measurement stops there. */
  readonly error?: string;
}

/** The median (the mean of the middle two of an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

/** How a program is measured: timed samples after a warm-up. */
export interface MeasureOptions {
  /** Timed samples. */
  readonly runs: number;
  /** Warm-up runs, at least. */
  readonly warm: number;
  /** And at least this many ms of warm-up running (0: none). */
  readonly warmMs?: number;
  /**
   * Then more warm-up while the last STEADY_SPAN_MS of running was more than 5 % faster than the
   * span before it, until this many ms of warm-up in all (0 or absent: none).
   */
  readonly steadyMaxMs?: number;
  /**
   * Shortest timed sample, ms (0: one run a sample). Runs shorter than that are timed in
   * batches: the browser's clock reads to 5 µs, and a WebAssembly run can last 70 µs.
   */
  readonly minSampleMs?: number;
}

/**
 * Warm-up runs — at least `warm`, and until `warmMs` of running has passed — then `runs` timed
 * samples of one run each, or of as many runs as fill `minSampleMs` (judged by the last warm-up
 * run), each on its own clock. vm.reset() before a sample is outside its clock, those between
 * the runs of a batch inside.
 */
export function measureRuns(program: MeasuredProgram, tier: VmTier, stopwatch: Stopwatch, o: MeasureOptions): Measurement {
  const { insns } = decodeProgram(program.bytes);
  const vm = createRawVm(insns, { ...(program.mem ? { mem: program.mem } : {}), tier });
  const rates: number[] = [];
  /** Every sample's [ms of running before it began, M insns/s]. */
  const history: [number, number][] = [];
  let bad: string | undefined;
  let executed = 0;
  let warmedNs = 0;
  let warmUpRuns = 0;
  let batch = 1;
  let run = 0;
  // Warm-up running in spans of STEADY_SPAN_MS: the current one's instructions and ns, and the
  // rates of the last two complete ones (rising while the later is > 5 % above the earlier).
  let spanCount = 0;
  let spanNs = 0;
  let earlier = 0;
  let later = 0;
  let rising = true;
  const check = (): boolean => {
    if (vm.status === 'exited' && vm.reg(0) === program.expectedR0 && vm.count === program.insns) return true;
    bad = `run ${run}: status ${vm.status}, r0 0x${vm.reg(0).toString(16)}, insns ${vm.count} (expected 0x${program.expectedR0.toString(16)}, ${program.insns})${vm.faultInfo ? `: ${vm.faultInfo.message}` : ''}`;
    return false;
  };
  while (rates.length < o.runs && bad === undefined) {
    const warming = run < o.warm || warmedNs < (o.warmMs ?? 0) * 1e6 || (rising && warmedNs < (o.steadyMaxMs ?? 0) * 1e6);
    const k = warming ? 1 : batch;
    vm.reset();
    const elapsed = stopwatch();
    let count = 0;
    for (let j = 0; j < k; j++, run++) {
      if (j > 0) vm.reset();
      vm.run();
      if (!check()) break;
      count += vm.count;
    }
    const ns = elapsed();
    if (bad !== undefined) break;
    executed += count;
    const rate = (count / ns) * 1000;
    history.push([warmedNs / 1e6, rate]);
    warmedNs += ns;
    if (warming) {
      warmUpRuns++;
      spanCount += count;
      spanNs += ns;
      if (spanNs >= STEADY_SPAN_MS * 1e6) {
        earlier = later;
        later = spanCount / spanNs;
        rising = earlier === 0 || later > STILL_RISING * earlier;
        spanCount = 0;
        spanNs = 0;
      }
      batch = Math.max(1, Math.ceil(((o.minSampleMs ?? 0) * 1e6) / Math.max(ns, 1)));
    } else rates.push(rate);
  }
  const steady = 0.9 * median(rates);
  const steadyAfterMs = history.find(([, rate]) => rate >= steady)?.[0] ?? 0;
  return { rates, batch, wasmShare: executed ? vm.wasmInsns / executed : 0, r0: `0x${vm.reg(0).toString(16)}`, warmUpRuns, steadyAfterMs, ...(bad ? { error: bad } : {}) };
}
