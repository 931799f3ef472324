// The browser benchmark's worker: one corpus program on one tier, measured exactly as child.ts
// measures it in a fresh Node process (measure.ts), with performance.now() as the clock. One
// request, one reply (protocol.ts); the page makes a fresh worker per measurement.

import { measureRuns, type Stopwatch } from '../measure.ts';
import type { BrowserBenchReply, BrowserBenchRequest } from './protocol.ts';

const now: Stopwatch = () => {
  const t0 = performance.now();
  return () => (performance.now() - t0) * 1e6;
};

function measure(r: BrowserBenchRequest): BrowserBenchReply {
  try {
    const program = { bytes: Uint8Array.from(r.bytes), ...(r.mem ? { mem: Uint8Array.from(r.mem) } : {}), expectedR0: BigInt(r.expectedR0), insns: r.insns };
    return { ...measureRuns(program, r.tier, now, { runs: r.runs, warm: r.warm, warmMs: r.warmMs ?? 0, steadyMaxMs: r.steadyMaxMs ?? 0, minSampleMs: r.minSampleMs ?? 0 }), crossOriginIsolated: self.crossOriginIsolated };
  } catch (e) {
    return { failed: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

self.onmessage = (e: MessageEvent<BrowserBenchRequest>) => self.postMessage(measure(e.data));
