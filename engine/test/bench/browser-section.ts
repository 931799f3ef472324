// `npm run bench`'s browser section (issue 16: "in the browser, the same programs run at least as
// fast as in Node"): the built benchmark page (dist/bench.html, engine/test/bench/browser/) served
// by `vite preview` and opened in Debian's Chromium, headless, through Playwright. Each corpus
// program on each tier is measured in as many rounds as the Node side has fresh processes, each a
// fresh Node process and then a fresh dedicated worker, with the same warm-up and timed runs and
// the same code (measure.ts); the table sets the medians side by side and gives the median of the
// rounds' ratios. The page is served cross-origin isolated (COOP + COEP), so
// performance.now() reads to 5 µs rather than 100 µs: the WebAssembly tier runs a corpus program
// in about 0.1–0.5 ms. A slower browser is a "no" in the table; only a wrong result fails.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../e2e/chromium.ts';
import { REPO_ROOT } from '../shared.ts';
import type { BrowserBenchRequest, BrowserBenchResult } from './browser/protocol.ts';
import type { BenchProgram } from './corpus.ts';
import { CORPUS_MIN_SAMPLE_MS, CORPUS_WARM_UP_MAX_MS, CORPUS_WARM_UP_MS, CORPUS_WARM_UP_RUNS, median } from './measure.ts';

/** The tiers the corpus benchmark measures (main.ts's). */
export type BenchTier = 'interpreter' | 'compiled' | 'wasm';
export const BROWSER_TIERS: readonly BenchTier[] = ['interpreter', 'compiled', 'wasm'];

/** A Node measurement as main.ts's ours() gives it: median of per-process medians. */
export interface NodeSide {
  readonly median: number;
  readonly perProcess: readonly number[];
  /** ms of running before the first run at 90 % of the steady speed (median over the processes). */
  readonly steadyAfterMs: number;
  readonly error?: string;
}

export interface BrowserSectionOptions {
  /** Fresh workers per program and tier (main.ts's --processes: as many as Node's fresh processes). */
  readonly processes: number;
  /** Timed runs per worker (--runs), after CORPUS_WARM_UP_RUNS warm-up runs lasting at least CORPUS_WARM_UP_MS (more while still speeding up). */
  readonly runs: number;
  readonly json: boolean;
}

const DIST = join(REPO_ROOT, 'dist');
const PAGE = join(DIST, 'bench.html');
/** Where the benchmark's own preview server listens first (the next free port if taken). */
const PORT = Number(process.env['BPFP_BENCH_PORT'] ?? 4190);

/** The newest modification time under `dir` (its .ts files). */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) t = Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return t;
}

function request(p: BenchProgram, tier: BenchTier, runs: number): BrowserBenchRequest {
  return { bytes: [...p.bytes], ...(p.mem ? { mem: [...p.mem] } : {}), expectedR0: `0x${p.expectedR0.toString(16)}`, insns: p.insns, tier, runs, warm: CORPUS_WARM_UP_RUNS, warmMs: CORPUS_WARM_UP_MS, steadyMaxMs: CORPUS_WARM_UP_MAX_MS, minSampleMs: CORPUS_MIN_SAMPLE_MS };
}

interface BrowserSide {
  median: number;
  perWorker: number[];
  /** The lowest share of instructions run in WebAssembly over the workers. */
  wasmShare: number;
  steadyAfterMs: number[];
  isolated: boolean;
  error?: string;
}

/**
 * Prints the section (or `skipped: <reason>`); `node` measures the Node side of a program and
 * tier in one fresh process (child.ts), once per round, right before the round's browser worker.
 * True when a result was wrong.
 */
export async function reportBrowser(programs: readonly BenchProgram[], o: BrowserSectionOptions, node: (p: BenchProgram, tier: BenchTier) => Promise<NodeSide>): Promise<boolean> {
  const skip = (reason: string): false => {
    console.log(o.json ? JSON.stringify({ section: 'browser', skipped: reason }) : `\nBrowser (Chromium worker) vs Node — skipped: ${reason}`);
    return false;
  };
  if (!existsSync(CHROMIUM)) return skip(`Debian's Chromium not found at ${CHROMIUM} (apt-get install chromium; BPFP_CHROMIUM names another)`);
  if (!existsSync(PAGE)) return skip(`no build with the benchmark page (${PAGE}): run \`npx vite build\` first`);
  const stale = ['engine/vm', 'engine/isa', 'engine/program', 'engine/test/bench/browser'].some((d) => newest(join(REPO_ROOT, d)) > statSync(PAGE).mtimeMs);

  const [{ chromium }, { preview }] = await Promise.all([import('@playwright/test'), import('vite')]);
  let server: Awaited<ReturnType<typeof preview>> | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    try {
      server = await preview({
        root: REPO_ROOT,
        logLevel: 'silent',
        // Cross-origin isolation for the page and its worker: performance.now() to 5 µs.
        preview: { host: '127.0.0.1', port: PORT, strictPort: false, open: false, headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
      });
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });
    } catch (e) {
      return skip(`could not start the preview server or Chromium: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
    const base = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${PORT}/`;
    const page = await browser.newPage();
    await page.goto(new URL('bench.html', base).href);
    await page.waitForFunction(() => window.__bpfpBench !== undefined);
    const measure = (r: BrowserBenchRequest): Promise<BrowserBenchResult> =>
      page.evaluate((req) => {
        const hook = window.__bpfpBench;
        if (!hook) throw new Error('no window.__bpfpBench');
        return hook.measure(req);
      }, r);

    if (!o.json) {
      console.log('');
      console.log(
        `Browser (Chromium ${browser.version()} headless, a fresh dedicated worker per measurement) vs Node ${process.version} (a fresh process per measurement): median M insns/s over ${o.processes} workers / processes × ${o.runs} timed samples (each one run, or a batch of runs lasting ≥ ${CORPUS_MIN_SAMPLE_MS} ms: the browser's clock reads to 5 µs) after ${CORPUS_WARM_UP_RUNS} warm-up runs and at least ${CORPUS_WARM_UP_MS / 1000} s of them (more while the speed still rises, up to ${CORPUS_WARM_UP_MAX_MS / 1000} s), measured by the same code (engine/test/bench/measure.ts), every r0 and count checked`,
      );
      if (stale) console.log('note: dist/ is older than the VM sources: `npx vite build` measures the current VM in the browser');
    }
    let failed = false;
    let header = false;
    for (const p of programs) {
      for (const tier of BROWSER_TIERS) {
        // In rounds: a Node process, then a browser worker, so that the host's slower spells
        // (minutes long on these machines) fall on both alike; the ratio is taken per round.
        const b: BrowserSide = { median: 0, perWorker: [], wasmShare: 1, steadyAfterMs: [], isolated: true };
        const nodeRounds: NodeSide[] = [];
        const ratios: number[] = [];
        for (let i = 0; i < o.processes && !b.error; i++) {
          const one = await node(p, tier);
          nodeRounds.push(one);
          if (one.error) break;
          const r = await measure(request(p, tier, o.runs));
          b.isolated &&= r.crossOriginIsolated;
          if (r.error) b.error = r.error;
          else {
            const rate = median(r.rates);
            b.perWorker.push(rate);
            b.steadyAfterMs.push(r.steadyAfterMs);
            b.wasmShare = Math.min(b.wasmShare, r.wasmShare);
            const nodeRate = one.perProcess[0] ?? one.median;
            if (nodeRate > 0) ratios.push(rate / nodeRate);
          }
        }
        b.median = median(b.perWorker);
        const nodeError = nodeRounds.find((x) => x.error)?.error;
        const nodePerProcess = nodeRounds.flatMap((x) => x.perProcess);
        const n: NodeSide = { median: median(nodePerProcess), perProcess: nodePerProcess, steadyAfterMs: median(nodeRounds.map((x) => x.steadyAfterMs)), ...(nodeError ? { error: nodeError } : {}) };
        if (b.error || n.error) failed = true;
        const ratio = !b.error && !n.error && ratios.length > 0 ? median(ratios) : null;
        const atLeast = ratio === null ? null : ratio >= 1;
        if (o.json) {
          console.log(
            JSON.stringify({
              section: 'browser',
              program: p.name,
              tier,
              browser: Math.round(b.median),
              browserPerWorker: b.perWorker.map(Math.round),
              ...(tier === 'wasm' ? { browserWasmShare: Number(b.wasmShare.toFixed(4)) } : {}),
              crossOriginIsolated: b.isolated,
              browserSteadyAfterMs: Math.round(median(b.steadyAfterMs)),
              node: Math.round(n.median),
              nodeSteadyAfterMs: Math.round(n.steadyAfterMs),
              nodePerProcess: n.perProcess.map(Math.round),
              ratio: ratio === null ? null : Number(ratio.toFixed(2)),
              ratioPerRound: ratios.map((x) => Number(x.toFixed(2))),
              browserAtLeastNode: atLeast,
              ...(b.error ? { error: `browser: ${b.error}` } : n.error ? { error: `node: ${n.error}` } : {}),
            }),
          );
          continue;
        }
        if (!header) {
          if (!b.isolated) console.log('note: the page was not cross-origin isolated: performance.now() reads to 100 µs, too coarse for the WebAssembly tier');
          console.log('| program | tier | browser M/s (per-worker medians) | in wasm (browser) | Node M/s (per-process medians) | browser / Node (paired: median of the rounds) | browser ≥ Node? | at 90 % after (browser / Node) |');
          console.log('| --- | --- | ---: | ---: | ---: | ---: | :---: | ---: |');
          header = true;
        }
        const spread = (xs: readonly number[]) => (xs.length ? ` (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})` : '');
        const bCell = b.error ? `ERROR ${b.error}` : `${Math.round(b.median)}${spread(b.perWorker)}`;
        const nCell = n.error ? `ERROR ${n.error}` : `${Math.round(n.median)}${spread(n.perProcess)}`;
        const share = tier === 'wasm' && !b.error ? `${(b.wasmShare * 100).toFixed(b.wasmShare > 0.999 && b.wasmShare < 1 ? 2 : 0)} %` : '–';
        const after = b.error || n.error ? '–' : `${Math.round(median(b.steadyAfterMs))} / ${Math.round(n.steadyAfterMs)} ms`;
        const ratioCell = ratio === null ? '–' : `${ratio.toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
        console.log(`| ${p.name} | ${tier} | ${bCell} | ${share} | ${nCell} | ${ratioCell} | ${atLeast === null ? '–' : atLeast ? 'yes' : 'no'} | ${after} |`);
      }
    }
    return failed;
  } finally {
    await browser?.close();
    await server?.close();
  }
}
