// Runs a surface's cases on worker threads under a watchdog: each worker writes the index of
// the case it runs into shared memory; a case still running after the time limit is a hang —
// the worker is terminated, the case recorded, and a fresh worker takes the rest of the chunk.
// A worker that dies (out of memory, an uncaught error) records a crash the same way.

import { Worker } from 'node:worker_threads';
import type { FindingKind } from './case.ts';
import type { ToMain, ToWorker } from './messages.ts';
import { removeScratch } from './scratch.ts';

export interface CaseFinding {
  readonly surface: string;
  readonly seed: number;
  readonly index: number;
  readonly kind: FindingKind;
  readonly detail: string;
}

export interface SurfaceReport {
  readonly surface: string;
  readonly seed: number;
  /** Cases run (all of them, unless a worker could not start). */
  cases: number;
  /** Wall-clock time of the whole surface, ms. */
  ms: number;
  readonly findings: CaseFinding[];
  /** Hangs that did not happen again when the case ran alone (a loaded machine): listed, not failures. */
  readonly unconfirmed: CaseFinding[];
  slowest: { index: number; ms: number };
}

/** Worker heap cap: a case that needs more dies alone and is recorded as a crash. */
const HEAP_MB = 1536;
const POLL_MS = 25;

interface Job {
  readonly surface: string;
  readonly seed: number;
  readonly from: number;
  readonly to: number;
  readonly report: SurfaceReport;
  readonly done: (outcome: Outcome) => void;
  seenStarted: number;
  lastChange: number;
}

type Outcome = { readonly kind: 'done' } | { readonly kind: 'stopped'; readonly index: number };

class Thread {
  readonly worker: Worker;
  readonly slot: Int32Array;
  readonly ready: Promise<void>;
  job: Job | undefined;
  dead = false;

  constructor(private readonly pool: Pool) {
    const progress = new SharedArrayBuffer(12);
    this.slot = new Int32Array(progress);
    this.slot[0] = -1;
    this.worker = new Worker(new URL('./thread.mjs', import.meta.url), { workerData: { progress }, execArgv: [], resourceLimits: { maxOldGenerationSizeMb: HEAP_MB } });
    this.ready = new Promise((resolve, reject) => {
      const first = (m: ToMain): void => {
        if (m.type === 'ready') {
          this.worker.off('message', first);
          resolve();
        }
      };
      this.worker.on('message', first);
      this.worker.once('error', reject);
    });
    // Keep a rejected start from being unhandled; start() awaits and reports it.
    this.ready.catch(() => undefined);
    this.worker.on('message', (m: ToMain) => this.onMessage(m));
    this.worker.on('error', (e) => this.onDeath(`the worker died: ${e.message}`));
    this.worker.on('exit', (code) => this.onDeath(`the worker exited with status ${code}`));
  }

  private onMessage(m: ToMain): void {
    const job = this.job;
    if (!job) return;
    if (m.type === 'finding') job.report.findings.push({ surface: m.surface, seed: job.seed, index: m.index, kind: m.kind, detail: m.detail });
    else if (m.type === 'done') {
      if (m.slowest.ms > job.report.slowest.ms) job.report.slowest = { ...m.slowest };
      this.finish({ kind: 'done' });
    } else if (m.type === 'failed') this.onDeath(`the worker failed: ${m.error}`);
  }

  private onDeath(why: string): void {
    if (this.dead) return;
    this.dead = true;
    const job = this.job;
    if (!job) return;
    const index = this.current(job);
    job.report.findings.push({ surface: job.surface, seed: job.seed, index, kind: 'crash', detail: why });
    this.finish({ kind: 'stopped', index });
  }

  /** The case running now, or the last one started (between cases, or while generating the next). */
  current(job: Job): number {
    const i = Atomics.load(this.slot, 0);
    return i >= 0 ? i : Math.max(job.from, Math.min(job.to - 1, Atomics.load(this.slot, 2)));
  }

  start(job: Job): void {
    this.job = job;
    Atomics.store(this.slot, 1, 0);
    Atomics.store(this.slot, 2, job.from);
    job.seenStarted = 0;
    job.lastChange = performance.now();
    const m: ToWorker = { type: 'chunk', surface: job.surface, seed: job.seed, from: job.from, to: job.to, limitMs: this.pool.limitMs };
    this.worker.postMessage(m);
  }

  /** Called by the watchdog: true when the running case is over the limit (the worker is then stopped). */
  watch(now: number): boolean {
    const job = this.job;
    if (!job || this.dead) return false;
    const started = Atomics.load(this.slot, 1);
    if (started !== job.seenStarted) {
      job.seenStarted = started;
      job.lastChange = now;
      return false;
    }
    if (Atomics.load(this.slot, 0) < 0 || now - job.lastChange <= this.pool.limitMs) return false;
    const index = this.current(job);
    job.report.findings.push({ surface: job.surface, seed: job.seed, index, kind: 'hang', detail: `still running after ${Math.round(now - job.lastChange)} ms (limit ${this.pool.limitMs} ms); the worker was stopped` });
    this.dead = true;
    void this.worker.terminate();
    this.finish({ kind: 'stopped', index });
    return true;
  }

  private finish(outcome: Outcome): void {
    const job = this.job;
    this.job = undefined;
    job?.done(outcome);
  }
}

export class Pool {
  private threads: Thread[] = [];
  /** A worker started ahead, so that replacing a stopped one does not wait for a start-up. */
  private spare: Thread | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly jobs: number,
    readonly limitMs: number,
  ) {}

  /** Starts every worker (so that start-up is not counted in the first surface's time). */
  async start(): Promise<void> {
    await Promise.all(Array.from({ length: this.jobs }, (_, i) => this.thread(i)));
  }

  private async thread(i: number): Promise<Thread> {
    let t = this.threads[i];
    if (!t || t.dead) {
      const replacing = t !== undefined;
      t = this.spare && !this.spare.dead ? this.spare : new Thread(this);
      this.spare = undefined;
      this.threads[i] = t;
      // The first replacement shows that workers get stopped here: keep one ready from now on.
      if (replacing) this.spare = new Thread(this);
    }
    await t.ready;
    return t;
  }

  private watchdog(): void {
    this.timer ??= setInterval(() => {
      const now = performance.now();
      for (const t of this.threads) t.watch(now);
    }, POLL_MS);
  }

  /** Runs cases [from, from + count) of `surface` (and rechecks each hang alone). */
  async run(surface: string, seed: number, count: number, onChunk?: (done: number) => void, from = 0): Promise<SurfaceReport> {
    const report: SurfaceReport = { surface, seed, cases: 0, ms: 0, findings: [], unconfirmed: [], slowest: { index: from, ms: 0 } };
    const t0 = performance.now();
    await this.runRange(report, seed, from, from + count, onChunk);
    report.ms = performance.now() - t0;
    await this.confirmHangs(report);
    return report;
  }

  private async runRange(report: SurfaceReport, seed: number, from: number, to: number, onChunk?: (done: number) => void): Promise<void> {
    const size = Math.max(1, Math.min(200, Math.ceil((to - from) / (this.jobs * 6))));
    const queue: [number, number][] = [];
    for (let a = from; a < to; a += size) queue.push([a, Math.min(to, a + size)]);
    this.watchdog();
    const lane = async (i: number): Promise<void> => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [a, b] = next;
        const t = await this.thread(i);
        const outcome = await new Promise<Outcome>((done) => t.start({ surface: report.surface, seed, from: a, to: b, report, done, seenStarted: 0, lastChange: 0 }));
        if (outcome.kind === 'done') report.cases += b - a;
        else {
          report.cases += outcome.index + 1 - a;
          if (outcome.index + 1 < b) queue.unshift([outcome.index + 1, b]);
        }
        onChunk?.(report.cases);
      }
    };
    await Promise.all(Array.from({ length: this.jobs }, (_, i) => lane(i)));
  }

  /** Runs each hung case again alone; one that now finishes in time was the machine, not the product. */
  private async confirmHangs(report: SurfaceReport): Promise<void> {
    const hangs = report.findings.filter((f) => f.kind === 'hang');
    for (const h of hangs) {
      const again: SurfaceReport = { ...report, cases: 0, findings: [], unconfirmed: [], slowest: { index: h.index, ms: 0 } };
      await this.runRange(again, h.seed, h.index, h.index + 1);
      if (!again.findings.some((f) => f.kind === 'hang' || f.kind === 'crash')) {
        report.findings.splice(report.findings.indexOf(h), 1);
        report.unconfirmed.push(h);
      }
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.threads, ...(this.spare ? [this.spare] : [])].map((t) => t.worker.terminate()));
    this.threads = [];
    this.spare = undefined;
    removeScratch();
  }

  /** Runs one case alone, up to `waitMs`; what the worker answered, or that it was still running. */
  async replay(surface: string, seed: number, index: number, waitMs: number): Promise<Extract<ToMain, { type: 'replayed' }> | { type: 'stuck'; ms: number } | { type: 'died'; error: string }> {
    const progress = new SharedArrayBuffer(12);
    const worker = new Worker(new URL('./thread.mjs', import.meta.url), { workerData: { progress }, execArgv: [], resourceLimits: { maxOldGenerationSizeMb: HEAP_MB } });
    try {
      return await new Promise((resolve) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        worker.on('message', (m: ToMain) => {
          if (m.type === 'ready') {
            const job: ToWorker = { type: 'replay', surface, seed, index };
            worker.postMessage(job);
            const t0 = performance.now();
            timer = setTimeout(() => resolve({ type: 'stuck', ms: performance.now() - t0 }), waitMs);
          } else if (m.type === 'replayed') {
            clearTimeout(timer);
            resolve(m);
          } else if (m.type === 'failed') resolve({ type: 'died', error: m.error });
        });
        worker.on('error', (e) => resolve({ type: 'died', error: e.message }));
      });
    } finally {
      await worker.terminate();
    }
  }
}
