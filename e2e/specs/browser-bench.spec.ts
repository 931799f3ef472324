// The VM benchmark page (bench.html, engine/test/bench/browser/) in Chromium: corpus programs on
// every tier, each in a fresh dedicated worker, measured by the code child.ts uses in Node
// (engine/test/bench/measure.ts) — every run's r0 and instruction count right, and the
// WebAssembly tier really running in WebAssembly. Speeds are not asserted here: they belong to
// `npm run bench` (its "Browser (Chromium worker) vs Node" section). Tagged @timing so it runs
// alone, after the journeys.
import { expect, test } from '../fixtures/test.ts';
import { loadCorpus } from '../../engine/test/bench/corpus.ts';
import type { BrowserBenchRequest } from '../../engine/test/bench/browser/protocol.ts';
import { BENCH_DIR, sharedAvailable } from '../../engine/test/shared.ts';

const TIERS = ['interpreter', 'compiled', 'wasm'] as const;

test('the benchmark page runs corpus programs on every tier in a worker', { tag: '@timing' }, async ({ page }) => {
  test.skip(!sharedAvailable(BENCH_DIR), `the benchmark corpus is not at ${BENCH_DIR}`);
  // One program without input, and pkt_csum with its 1500-byte packet (r1 = the packet, r2 = 1500).
  const programs = loadCorpus().filter((p) => p.name === 'alu_xorshift' || p.name === 'pkt_csum');
  await page.goto('/bench.html');
  await page.waitForFunction(() => window.__bpfpBench !== undefined);
  for (const p of programs) {
    for (const tier of TIERS) {
      const request: BrowserBenchRequest = { bytes: [...p.bytes], ...(p.mem ? { mem: [...p.mem] } : {}), expectedR0: `0x${p.expectedR0.toString(16)}`, insns: p.insns, tier, runs: 2, warm: 1 };
      const r = await page.evaluate((req) => {
        const hook = window.__bpfpBench;
        if (!hook) throw new Error('no window.__bpfpBench');
        return hook.measure(req);
      }, request);
      const what = `${p.name} on the ${tier} tier`;
      expect(r.error, what).toBeUndefined();
      expect(r.r0, what).toBe(`0x${p.expectedR0.toString(16)}`);
      expect(r.rates, what).toHaveLength(2);
      for (const rate of r.rates) expect(rate, what).toBeGreaterThan(0);
      if (tier === 'wasm') expect(r.wasmShare, `${what}: the share of instructions run in WebAssembly`).toBeGreaterThan(0.9);
      else expect(r.wasmShare, what).toBe(0);
    }
  }
});
