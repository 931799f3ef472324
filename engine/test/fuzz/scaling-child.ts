// A child process of the scaling checks: for each check named, builds the input at n, 10n and
// 100n and times the product on it (median of a few runs), printing one JSON line per size with
// the time and the peak resident memory above what the process held before that size's runs
// (a sampler thread reads the process's RSS every 2 ms while the product runs).
//
//   node --expose-gc --import tsx scaling-child.ts QUICK|FULL RUNS MAX_RATIO MIN_MS FLOOR_MS CHECK[,CHECK…]
//
// Once a size has cost over MAX_RATIO times the one before, the larger sizes are skipped:
// growth is shown, and a quadratic step at 100n could take minutes.

import { Worker } from 'node:worker_threads';
import { SCALING_CHECKS } from './scaling-checks.ts';
import { grewTooFast, type SizeResult } from './scaling-result.ts';


const [mode, runsText, maxRatioText, minMsText, floorMsText, names] = process.argv.slice(2);
const quick = mode === 'QUICK';
const runs = Number(runsText ?? 3);
const maxRatio = Number(maxRatioText ?? 20);
const minMs = Number(minMsText ?? 50);
const floorMs = Number(floorMsText ?? 2);
const gc = (globalThis as { gc?: () => void }).gc;

/** [0]: the highest RSS the sampler has seen since it was last reset, bytes. */
const peak = new Float64Array(new SharedArrayBuffer(8));
const sampler = new Worker(
  `const { workerData } = require('node:worker_threads');
   const peak = new Float64Array(workerData);
   setInterval(() => { const r = process.memoryUsage.rss(); if (r > peak[0]) peak[0] = r; }, 2);`,
  { eval: true, workerData: peak.buffer },
);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function tooFast(a: SizeResult, b: SizeResult): boolean {
  return grewTooFast(a, b, maxRatio, minMs, floorMs);
}

for (const name of (names ?? '').split(',')) {
  const check = SCALING_CHECKS.find((c) => c.name === name);
  if (!check) continue;
  const n0 = quick ? check.quickBase : check.base;
  // One untimed run at n, so the first timing is not the JIT's cold start.
  try {
    await check.run(check.build(n0));
  } catch {
    // Timed again below, where the error is reported.
  }
  let previous: SizeResult | undefined;
  let skip = false;
  for (const n of [n0, n0 * 10, n0 * 100]) {
    if (skip) {
      process.stdout.write(`${JSON.stringify({ check: name, n, ms: Number.NaN, runs: 0, peakMb: 0, skipped: true } satisfies SizeResult)}\n`);
      continue;
    }
    let line: SizeResult;
    try {
      const input = check.build(n);
      gc?.();
      const baseline = process.memoryUsage.rss();
      peak[0] = baseline;
      const times: number[] = [];
      // Short runs are noisy on a shared machine: the first is a warm-up at this size, then five;
      // a first run that takes seconds is enough alone (more would only say the same, slower).
      const t0 = performance.now();
      await check.run(input);
      const first = performance.now() - t0;
      const wanted = first < 200 ? Math.max(runs, 5) : first < 3000 ? runs - 1 : 0;
      if (wanted === 0) times.push(first);
      for (let r = 0; r < wanted; r++) {
        const t1 = performance.now();
        await check.run(input);
        times.push(performance.now() - t1);
      }
      const top = Math.max(peak[0] ?? 0, process.memoryUsage.rss());
      line = { check: name, n, ms: median(times), minMs: Math.min(...times), runs: times.length, peakMb: Math.max(0, (top - baseline) / 2 ** 20) };
    } catch (e) {
      line = { check: name, n, ms: Number.NaN, runs: 0, peakMb: 0, error: e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 200) : String(e) };
    }
    process.stdout.write(`${JSON.stringify(line)}\n`);
    if (previous && tooFast(previous, line)) skip = true;
    previous = line;
  }
}

await sampler.terminate();
