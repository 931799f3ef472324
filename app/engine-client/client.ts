// The only UI code that knows a worker exists. Wraps the engine worker with Comlink, races
// every call against a timeout, and recovers from a stuck or crashed worker by terminating it
// and starting a fresh one (Comlink never settles calls in flight when a worker dies). Snapshots
// come as deltas against what the client holds (a ViewCache) and leave here whole.

import * as Comlink from 'comlink';
import { ViewCache } from '../../engine/worker/view-cache.ts';
import type {
  DebugSnapshot,
  EngineApi,
  HeldSnapshot,
  LoadReply,
  MapEntryView,
  MapPageQuery,
  MapPageReply,
  PacketDetail,
  PcapSelection,
  ProgramImage,
  RunProgress,
  RunSettings,
  TrafficProgress,
  TrafficReport,
  TraceAlongReply,
  VerifyReply,
  CounterexampleReply,
  GradeResult,
  LessonSpec,
  OpenObjectReply,
  ExportObjectRequest,
  ExportObjectReply,
} from '../../engine/worker/protocol.ts';

export type CallFailure = { readonly ok: false; readonly reason: 'timeout' | 'stopped' | 'crashed' | 'error'; readonly message: string };
export type CallResult<T> = { readonly ok: true; readonly value: T } | CallFailure;

export interface ClientEvents {
  /** The worker was replaced: why, in words for the user. */
  onRestart(reason: string): void;
}

/** Quiet time after which a call is taken for stuck: runs report progress every few ms. */
const DEFAULT_TIMEOUT_MS = 8_000;
/** A lesson's Check runs a program many times (each hidden input, each kernel profile and CPU count). */
export const GRADE_TIMEOUT_MS = 30_000;

interface Pending {
  settle(r: CallFailure): void;
}

export class EngineClient {
  private worker!: Worker;
  private api!: Comlink.Remote<EngineApi>;
  private readonly pending = new Set<Pending>();
  /** What the current worker has loaded (a new worker must load it again). */
  private loadedKey: string | undefined;
  private lastImage: { image: ProgramImage; settings: RunSettings; key: string } | undefined;
  private generation = 0;
  /** Times of recent crashes, and whether the client gave up respawning until the next call. */
  private crashes: number[] = [];
  private dead = false;
  /** What the UI holds of the kernel's views: each snapshot carries only what changed since. */
  private readonly views = new ViewCache();

  constructor(
    private readonly events: ClientEvents,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
    /** Starts the worker: the engine's by default; live verification has one of its own (verify.worker.ts). */
    private readonly startWorker: () => Worker = () => new Worker(new URL('../../engine/worker/worker.ts', import.meta.url), { type: 'module' }),
  ) {
    this.spawn();
  }

  private spawn(): void {
    // Written inline (in the constructor's default) so Vite sees and bundles the worker (ui-stack.md §2.3).
    this.worker = this.startWorker();
    this.api = Comlink.wrap<EngineApi>(this.worker);
    this.loadedKey = undefined;
    // A new worker holds none of what the old one sent.
    this.views.clear();
    const generation = ++this.generation;
    this.worker.addEventListener('error', (e) => {
      if (generation !== this.generation) return;
      e.preventDefault();
      this.restart('crashed', `The engine crashed (${e.message || 'worker error'}); it was restarted. Your program is safe.`);
    });
  }

  private restart(reason: CallFailure['reason'], message: string): void {
    this.worker.terminate();
    for (const p of [...this.pending]) p.settle({ ok: false, reason, message });
    this.pending.clear();
    // A worker that cannot even start would crash again at once: after a few crashes in a
    // short time, wait for the next call before trying again instead of looping.
    const now = Date.now();
    this.crashes = this.crashes.filter((t) => now - t < 10_000);
    if (reason === 'crashed') this.crashes.push(now);
    if (this.crashes.length >= 3) {
      this.dead = true;
      this.events.onRestart('The engine keeps crashing as it starts; it will be tried again on your next action. Your program is safe.');
      return;
    }
    this.spawn();
    this.events.onRestart(message);
  }

  /** Stops whatever runs: terminates the worker and starts a fresh one. */
  stop(): void {
    this.restart('stopped', 'Stopped: the engine was restarted. Your program is safe.');
  }

  /**
   * Runs `fn` against the worker, raced against a timeout that `touch()` (called on every
   * progress report) pushes back. On timeout the worker is replaced.
   */
  private call<T>(fn: (api: Comlink.Remote<EngineApi>, touch: () => void) => Promise<T>, timeoutMs = this.timeoutMs): Promise<CallResult<T>> {
    if (this.dead) {
      this.dead = false;
      this.crashes = [];
      this.spawn();
    }
    return new Promise((resolve) => {
      let done = false;
      let timer: ReturnType<typeof setTimeout>;
      const pending: Pending = {
        settle: (r) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve(r);
        },
      };
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          if (done) return;
          this.pending.delete(pending);
          pending.settle({ ok: false, reason: 'timeout', message: `The engine did not answer for ${Math.round(timeoutMs / 1000)} s; it was stopped and restarted.` });
          this.restart('timeout', `The engine did not answer for ${Math.round(timeoutMs / 1000)} s and was restarted. Your program is safe.`);
        }, timeoutMs);
      };
      this.pending.add(pending);
      arm();
      fn(this.api, arm).then(
        (value) => {
          this.pending.delete(pending);
          if (!done) {
            done = true;
            clearTimeout(timer);
            resolve({ ok: true, value });
          }
        },
        (e: unknown) => {
          this.pending.delete(pending);
          pending.settle({ ok: false, reason: 'error', message: `The engine failed: ${e instanceof Error ? e.message : String(e)}` });
        },
      );
    });
  }

  ping(): Promise<CallResult<string>> {
    return this.call((api) => api.ping(), 3_000);
  }

  /**
   * Loads a program unless the worker already has exactly this one. The bytecode buffer is
   * transferred; the client keeps its own copy so a restarted worker can load it again.
   */
  async load(image: ProgramImage, settings: RunSettings, key: string): Promise<CallResult<LoadReply>> {
    const copyOf = (img: ProgramImage): ProgramImage => ({ ...img, sections: img.sections.map((s) => ({ ...s, bytecode: s.bytecode.slice() })) });
    this.lastImage = { image: copyOf(image), settings, key };
    const sent = copyOf(image);
    const input = settings.input?.slice();
    // A replayed capture can be megabytes: send a copy by transfer rather than cloning it.
    const pcap = settings.pcap?.slice();
    const transfer: Transferable[] = sent.sections.map((s) => s.bytecode.buffer);
    if (input) transfer.push(input.buffer);
    if (pcap) transfer.push(pcap.buffer);
    const r = await this.call<LoadReply>((api) => api.load(Comlink.transfer(sent, transfer), { ...settings, ...(input ? { input } : {}), ...(pcap ? { pcap } : {}) }));
    if (r.ok && r.value.ok) this.loadedKey = key;
    return r;
  }

  /**
   * What BPF_PROG_LOAD would answer for a program (the checks and the verifier, with the
   * explanation of a refusal), nothing run. The bytecode is copied, then transferred.
   */
  verify(image: ProgramImage, settings: RunSettings, lines?: readonly number[], states = false, deferLog = false): Promise<CallResult<VerifyReply>> {
    const sent: ProgramImage = { ...image, sections: image.sections.map((s) => ({ ...s, bytecode: s.bytecode.slice() })) };
    return this.call((api) => api.verify(Comlink.transfer(sent, sent.sections.map((s) => s.bytecode.buffer)), settings, lines, states, deferLog));
  }

  /** A concrete input that shows a refusal's danger (the verifier worker's counterexample search). */
  counterexample(image: ProgramImage, settings: RunSettings, lines?: readonly number[]): Promise<CallResult<CounterexampleReply>> {
    const sent: ProgramImage = { ...image, sections: image.sections.map((s) => ({ ...s, bytecode: s.bytecode.slice() })) };
    return this.call((api) => api.counterexample(Comlink.transfer(sent, sent.sections.map((s) => s.bytecode.buffer)), settings, lines));
  }

  /**
   * The program run unverified on the settings' input in a kernel of its own, its registers at
   * the first visit of each of `pcs` (the Verifier panel's "Compare with a run").
   */
  traceAlong(image: ProgramImage, settings: RunSettings, pcs: readonly number[], follow = false): Promise<CallResult<TraceAlongReply>> {
    const sent: ProgramImage = { ...image, sections: image.sections.map((s) => ({ ...s, bytecode: s.bytecode.slice() })) };
    return this.call((api) => api.traceAlong(Comlink.transfer(sent, sent.sections.map((s) => s.bytecode.buffer)), settings, [...pcs], follow));
  }

  /**
   * A graded lesson's Check: the grader verifies the learner's source under the lesson's
   * profiles and runs it on the lesson's hidden inputs (NIC runs among them), so it has longer
   * than other calls before it is taken for stuck (GRADE_TIMEOUT_MS); the page never waits on it.
   */
  gradeLesson(spec: LessonSpec, source: string): Promise<CallResult<GradeResult>> {
    return this.call((api) => api.gradeLesson(spec, source), GRADE_TIMEOUT_MS);
  }

  /** Reads a clang-built object (.o) in the worker: programs, maps, license and C lines. The bytes are copied, then transferred. */
  openObject(bytes: Uint8Array): Promise<CallResult<OpenObjectReply>> {
    const sent = bytes.slice();
    // Comlink's Remote spreads the union reply into a union of promises: one promise of the union.
    return this.call((api): Promise<OpenObjectReply> => api.openObject(Comlink.transfer(sent, [sent.buffer])));
  }

  /** Writes the program as an object file in the worker (the simulated kernel's declarations live there). */
  exportObject(request: ExportObjectRequest): Promise<CallResult<ExportObjectReply>> {
    return this.call((api): Promise<ExportObjectReply> => api.exportObject(request));
  }

  /** Whether the worker holds the program with this key (false after a restart). */
  isLoaded(key: string): boolean {
    return this.loadedKey === key;
  }

  /** Loads again what was last loaded, after the worker was replaced. */
  async reload(): Promise<CallResult<LoadReply> | undefined> {
    const last = this.lastImage;
    return last ? this.load(last.image, last.settings, last.key) : undefined;
  }

  /** A snapshot call, told what the client holds, its answer merged into whole views. */
  private async snapshotCall(fn: (api: Comlink.Remote<EngineApi>, touch: () => void, view: ReturnType<ViewCache['request']>) => Promise<DebugSnapshot>): Promise<CallResult<HeldSnapshot>> {
    const generation = this.generation;
    const r = await this.call((api, touch) => fn(api, touch, this.views.request()));
    if (!r.ok) return r;
    // A snapshot from a worker since replaced would not match what the cache now holds.
    if (generation !== this.generation) return { ok: false, reason: 'stopped', message: 'The engine was restarted.' };
    return { ok: true, value: this.views.merge(r.value) };
  }

  run(breakpoints: readonly number[], onProgress: (p: RunProgress) => void): Promise<CallResult<HeldSnapshot>> {
    return this.snapshotCall((api, touch, view) =>
      api.run(
        [...breakpoints],
        Comlink.proxy((p: RunProgress) => {
          touch();
          onProgress(p);
        }),
        view,
      ),
    );
  }

  continue(breakpoints: readonly number[], onProgress: (p: RunProgress) => void): Promise<CallResult<HeldSnapshot>> {
    return this.snapshotCall((api, touch, view) =>
      api.continue(
        [...breakpoints],
        Comlink.proxy((p: RunProgress) => {
          touch();
          onProgress(p);
        }),
        view,
      ),
    );
  }

  step(): Promise<CallResult<HeldSnapshot>> {
    return this.snapshotCall((api, _touch, view) => api.step(view));
  }

  stepOver(): Promise<CallResult<HeldSnapshot>> {
    return this.snapshotCall((api, _touch, view) => api.stepOver(view));
  }

  reset(): Promise<CallResult<HeldSnapshot>> {
    return this.snapshotCall((api, _touch, view) => api.reset(view));
  }

  snapshot(): Promise<CallResult<HeldSnapshot>> {
    return this.snapshotCall((api, _touch, view) => api.snapshot(view));
  }

  /**
   * Another page of a map (or the page that starts at a key): the snapshot held, with that page
   * in place of the one before; a message when the key is not there or the page is of a past run.
   */
  async mapPage(query: MapPageQuery): Promise<CallResult<HeldSnapshot>> {
    const r = await this.call<MapPageReply>((api) => api.mapPage(query));
    if (!r.ok) return r;
    if (!r.value.ok) return { ok: false, reason: 'error', message: r.value.error };
    if (r.value.map.page?.missing) return { ok: false, reason: 'error', message: `map ${query.map} has no key ${query.key ?? ''}` };
    const held = this.views.mergePage(r.value);
    return held ? { ok: true, value: held } : { ok: false, reason: 'error', message: 'The program ran again since; the map shows the new run.' };
  }

  /** One entry of a map with `valueBytes` of its value (a value shown whole), not kept in the views. */
  async mapEntry(map: string, key: string, valueBytes: number): Promise<CallResult<MapEntryView>> {
    const r = await this.call<MapPageReply>((api) => api.mapPage({ map, key, limit: 1, valueBytes }));
    if (!r.ok) return r;
    if (!r.value.ok) return { ok: false, reason: 'error', message: r.value.error };
    const entry = r.value.map.page?.entries[0];
    return entry ? { ok: true, value: entry } : { ok: false, reason: 'error', message: `map ${map} no longer holds key ${key}` };
  }

  /** Runs the whole traffic through the NIC and the XDP program; every progress report pushes the timeout back. */
  runTraffic(onProgress: (p: TrafficProgress) => void): Promise<CallResult<TrafficReport>> {
    return this.call((api, touch) =>
      api.runTraffic(
        Comlink.proxy((p: TrafficProgress) => {
          touch();
          onProgress(p);
        }),
      ),
    );
  }

  /** One packet of the last traffic run, in full (undefined beyond the packets the engine keeps). */
  packetDetail(index: number): Promise<CallResult<PacketDetail | undefined>> {
    return this.call((api) => api.packetDetail(index));
  }

  /** The last run's packets as a pcap file. */
  exportPcap(which: PcapSelection): Promise<CallResult<Uint8Array>> {
    return this.call((api) => api.exportPcap(which));
  }

  dispose(): void {
    this.generation++;
    this.worker.terminate();
    for (const p of [...this.pending]) p.settle({ ok: false, reason: 'stopped', message: 'closed' });
  }
}
