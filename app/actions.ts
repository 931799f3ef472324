// Every user command as one object: its label, shortcut, when it is enabled and what it does.
// The toolbar, the keyboard, the editor's key bindings and the test hook all go through these.

import { scenarioChanges } from '../engine/util/scenario-note.ts';
import type { CounterexampleFound, HeldSnapshot, MapEntryView, MapPageQuery, OpenObjectReply, PcapSelection, TrafficProgress } from '../engine/worker/protocol.ts';
import { emptyCounters } from '../engine/net/types.ts';
import { EngineClient, type CallResult } from './engine-client/client.ts';
import { createShareLink } from './share/codec.ts';
import { parseHexBytes } from '../engine/asm/index.ts';
import { writePcap } from '../engine/net/pcap.ts';
import { documentFileName, downloadBlob, shareDocumentFile, sourceFileName } from './share/files.ts';
import { codeKey, imageOf, lineOfPc, pcsOfLines, problemsAtLines, runSettingsOf, type ProblemView } from './state/program.ts';
import { isLessonDocument, programReady, store, stoppedInside, type PlaygroundState } from './state/store.ts';
import { runTierOf } from './state/persistence.ts';
import { checkPcap, MAX_PCAP_BYTES, trafficKey, type NicState } from './state/traffic.ts';
import type { PlaygroundDocument } from './state/document.ts';
import { cLineOfAsm, cViewState, stepStops, type CViewModel } from './share/c-view.ts';

export interface Action {
  readonly id: string;
  readonly label: string;
  /** Shortcut as shown to users. */
  readonly shortcut?: string;
  readonly enabled: (s: PlaygroundState) => boolean;
  readonly perform: () => Promise<void> | void;
}

let client: EngineClient | undefined;
/** Counts runs: a progress report of an earlier run (still queued after Stop) is ignored. */
let runs = 0;

/** Replaces the engine client (tests drive the actions with a fake one); undefined starts over. */
export function setEngineClient(c: EngineClient | undefined): void {
  client = c;
}

function engine(): EngineClient {
  client ??= new EngineClient({
    onRestart: (reason) => {
      store.set({ busy: 'idle', live: undefined });
      store.notify('warning', reason, { topic: 'run' });
    },
  });
  return client;
}

/** Reads a clang-built object (.o) in the engine worker (commands.ts `openFile` turns it into a document). */
export function readObject(bytes: Uint8Array): Promise<CallResult<OpenObjectReply>> {
  return engine().openObject(bytes);
}

function openPanel(id: string): void {
  const s = store.get();
  if (s.doc.panel !== id) store.set({ doc: { ...s.doc, panel: id } });
}

/** Loads the current program into the worker unless it already holds it. */
async function ensureLoaded(): Promise<boolean> {
  // A large document may still be assembling in the background: run what the editor shows.
  if (store.get().program.pending) {
    store.set({ busy: 'loading' });
    await programReady();
    store.set({ busy: 'idle' });
  }
  const s = store.get();
  const p = s.program;
  const image = imageOf(p);
  if (!p.ok || !image) {
    store.notify('error', 'The program has problems: fix them first (see Problems).', { topic: 'run' });
    openPanel('problems');
    return false;
  }
  const c = engine();
  const strict = !s.verify && s.strictPacket;
  // The refused access is the counterexample's program's: an edited program has other instructions there.
  const access = strict && s.strictAccess?.code === codeKey(p) ? { pc: s.strictAccess.pc, area: s.strictAccess.area } : undefined;
  // The tier is in the key too: choosing another makes the next run load the program again on it.
  const key = `${trafficKey(p.key, s.nic.pcap)}:${s.settings.budget}:${s.settings.tier}:${s.verify ? 'verified' : strict ? `unverified-strict${access ? `-${access.pc}-${access.area}` : ''}` : 'unverified'}`;
  if (c.isLoaded(key)) return true;
  store.set({ busy: 'loading' });
  const r = await c.load(image, { ...runSettingsOf(s.doc, s.settings.budget, s.nic.pcap?.bytes, runTierOf(s.settings.tier)), ...(s.verify ? {} : { verify: false }), ...(strict ? { strictPacket: true, ...(access ? { strictAccess: access } : {}) } : {}) }, key);
  store.set({ busy: 'idle' });
  if (!r.ok) {
    store.notify('error', r.message, { topic: 'run' });
    return false;
  }
  if (!r.value.ok) {
    store.set({ runtimeProblems: problemsAtLines(p.section, r.value.problems, 'loader'), debug: undefined });
    store.notify('error', `The program was refused: ${r.value.problems[0]?.message ?? 'see Problems'}`, { topic: 'run' });
    openPanel('problems');
    return false;
  }
  store.set({ runtimeProblems: [] });
  return true;
}

/** Takes a snapshot (or a failure) from the worker into the store. */
function receive(r: CallResult<HeldSnapshot>): void {
  runs++;
  store.set({ busy: 'idle', live: undefined });
  if (!r.ok) {
    if (r.reason !== 'stopped') store.notify(r.reason === 'error' ? 'error' : 'warning', r.message, { topic: 'run' });
    return;
  }
  // The engine answered: what earlier runs were told (a refusal, a restart) no longer applies.
  store.clearRunNotices();
  const snap = r.value;
  const section = store.get().program.section;
  const runtime: ProblemView[] = [];
  if (snap.fault) {
    const line = lineOfPc(section, snap.fault.pc) ?? 1;
    const span = section?.spans[snap.fault.pc];
    runtime.push({ severity: 'error', message: snap.fault.message, code: snap.fault.kind, source: 'runtime', line, col: span?.col ?? 1, endLine: line, endCol: span?.endCol ?? 2 });
  }
  // References still held at exit: a warning on the line of each call that took one.
  for (const site of snap.kernel?.leakSites ?? []) {
    const line = lineOfPc(section, site.pc) ?? 1;
    const span = section?.spans[site.pc];
    const what = site.count === 1 ? `${site.object} is still held at exit` : `${site.count.toLocaleString('en-US')} references taken here are still held at exit (${site.object}, …)`;
    runtime.push({ severity: 'warning', message: `${what}: Unreleased reference alloc_insn=${site.pc} (from ${site.via})`, code: 'leak', source: 'runtime', line, col: span?.col ?? 1, endLine: line, endCol: span?.endCol ?? 2 });
  }
  store.set({ debug: snap, debugStale: false, runtimeProblems: runtime });
}

function breakpointPcs(): number[] {
  const s = store.get();
  return pcsOfLines(s.program.section, s.breakpoints);
}

/** The progress callback of one run: reports count only while that run is the one going on. */
function progressOf(run: number): (p: { insns: number; trace: readonly { seq: number }[] }) => void {
  return (p) => {
    if (run === runs && store.get().busy === 'running') progress(p);
  };
}

function progress(p: { insns: number; trace: readonly { seq: number }[] }): void {
  const live = store.get().live;
  const trace = [...(live?.trace ?? []), ...(p.trace as NonNullable<PlaygroundState['live']>['trace'])].slice(-5000);
  store.set({ live: { insns: p.insns, trace } });
}

const idle = (s: PlaygroundState): boolean => s.busy === 'idle';
/** Nothing to go on from: not started, ended, or the program changed since it stopped (debugStale). */
const finished = (s: PlaygroundState): boolean => s.debugStale || !stoppedInside(s.debug);

/** Run: an XDP program gets the whole traffic through the NIC; any other runs once, in the debugger. */
async function run(): Promise<void> {
  if (onNic(store.get())) return runTraffic();
  return debugRun();
}

async function debugRun(): Promise<void> {
  if (!idle(store.get()) || !(await ensureLoaded())) return;
  store.set({ busy: 'running', live: { insns: 0, trace: [] } });
  receive(await engine().run(breakpointPcs(), progressOf(++runs)));
}

async function continueRun(): Promise<void> {
  if (!idle(store.get()) || !(await ensureLoaded())) return;
  // Continue always debugs, for XDP programs too (the engine steps through the packets).
  if (finished(store.get())) return debugRun();
  store.set({ busy: 'running', live: { insns: store.get().debug?.insns ?? 0, trace: store.get().debug?.trace ?? [] } });
  receive(await engine().continue(breakpointPcs(), progressOf(++runs)));
}

async function stepWith(kind: 'step' | 'stepOver'): Promise<void> {
  if (!idle(store.get()) || !(await ensureLoaded())) return;
  // The C view steps by C line.
  const c = cViewState(store.get().doc);
  if (c?.view === 'c' && c.available && c.model && !finished(store.get())) return stepCLine(c.model, kind === 'stepOver');
  store.set({ busy: 'stepping' });
  // Stepping before any run, or after the end, starts again: stop at the first instruction.
  if (finished(store.get())) return receive(await engine().reset());
  receive(await (kind === 'step' ? engine().step() : engine().stepOver()));
}

/**
 * A step in the C view: on to the next C line — the first instruction of a group of any other
 * line, or a breakpoint, or the end — in one continue (a loop within one line runs on, as a
 * source debugger's step does). Step goes into a BPF-to-BPF callee's lines; Step over goes on
 * while the stop is deeper in calls than where it started (at most STEP_OVER_ROUNDS continues).
 */
async function stepCLine(model: CViewModel, over: boolean): Promise<void> {
  const s = store.get();
  const section = s.program.section;
  const at = lineOfPc(section, s.debug?.pc ?? 0);
  const from = at === undefined ? undefined : cLineOfAsm(model, at);
  const depth = s.debug?.depth ?? 0;
  const user = new Set(breakpointPcs());
  const stops = [...new Set([...pcsOfLines(section, stepStops(model, from)), ...user])];
  store.set({ busy: 'stepping' });
  let r = await engine().continue(stops, progressOf(++runs));
  for (let round = 1; over && round < STEP_OVER_ROUNDS && r.ok && r.value.status === 'breakpoint' && !user.has(r.value.pc) && r.value.depth > depth; round++) {
    r = await engine().continue(stops, progressOf(++runs));
  }
  // Stopped at a line's first instruction, not at a breakpoint the user set: a step.
  receive(r.ok && r.value.status === 'breakpoint' && !user.has(r.value.pc) ? { ...r, value: { ...r.value, status: 'step' } } : r);
}

/** Step over in the C view stops after this many line starts inside callees (a deep recursion). */
const STEP_OVER_ROUNDS = 10_000;

async function reset(): Promise<void> {
  if (!idle(store.get())) return;
  if (!(await ensureLoaded())) return;
  receive(await engine().reset());
}

function stop(): void {
  // No client yet: nothing was ever started, so nothing runs.
  client?.stop();
}

/**
 * Esc: stops the program while one runs (what the Stop button advertises); otherwise dismisses
 * the newest notice. Answers whether it did either, so an unused Esc keeps its default.
 */
export function escape(): boolean {
  const s = store.get();
  if (ACTIONS.stop.enabled(s)) {
    void ACTIONS.stop.perform();
    return true;
  }
  const n = s.notices.at(-1);
  if (!n) return false;
  store.dismiss(n.id);
  return true;
}

// ---- the emulated NIC -----------------------------------------------------------------------

function isXdp(s: PlaygroundState): boolean {
  return s.program.section?.kind.progType === 'xdp';
}

/** An XDP program runs on the NIC's traffic unless the document gives it a test_run frame (Input), as the worker decides. */
function onNic(s: PlaygroundState): boolean {
  return isXdp(s) && !runSettingsOf(s.doc, s.settings.budget).input?.length;
}

function setNic(patch: Partial<NicState>): void {
  store.set({ nic: { ...store.get().nic, ...patch } });
}

/** Progress reports can come faster than the panel needs them: keep at most ten a second. */
let progressShown = 0;
let progressTimer: ReturnType<typeof setTimeout> | undefined;
let progressLatest: TrafficProgress | undefined;
function trafficProgress(p: TrafficProgress): void {
  // A report still queued when the run stopped must not bring the progress back.
  if (store.get().busy !== 'running') return;
  progressLatest = p;
  const wait = 100 - (Date.now() - progressShown);
  if (wait <= 0) {
    progressShown = Date.now();
    setNic({ progress: p });
  } else if (progressTimer === undefined) {
    progressTimer = setTimeout(() => {
      progressTimer = undefined;
      progressShown = Date.now();
      if (store.get().busy === 'running') setNic({ progress: progressLatest });
    }, wait);
  }
}

const RESULT_PANELS = new Set(['packets', 'maps', 'trace', 'registers', 'stack']);

/** Runs the traffic profile (or the capture) through the NIC and the XDP program; the report goes to the Packets panel. */
export async function runTraffic(): Promise<void> {
  if (!idle(store.get())) return;
  if (!isXdp(store.get())) {
    store.notify('error', 'Traffic goes through XDP programs: this program is not one (.section xdp).', { topic: 'run' });
    return;
  }
  if (!onNic(store.get())) {
    store.notify('error', 'This XDP program is given a test_run frame (the document\'s input), so it runs once on that frame, not on the traffic.', { topic: 'run' });
    return;
  }
  if (!(await ensureLoaded())) return;
  const s = store.get();
  const key = trafficKey(s.program.key, s.nic.pcap);
  store.set({ busy: 'running', live: undefined });
  setNic({ progress: { packets: 0, total: 0, pps: 0, counters: emptyCounters() }, detail: undefined });
  const r = await engine().runTraffic(trafficProgress);
  clearTimeout(progressTimer);
  progressTimer = undefined;
  if (!r.ok) {
    store.set({ busy: 'idle' });
    setNic({ progress: undefined });
    if (r.reason !== 'stopped') store.notify(r.reason === 'error' ? 'error' : 'warning', r.message, { topic: 'run' });
    return;
  }
  store.clearRunNotices();
  setNic({ progress: undefined, report: r.value, reportKey: key, reportPcap: s.nic.pcap?.name, detail: undefined });
  if (r.value.stopped) store.notify('warning', `The traffic stopped early: ${r.value.stopped}`, { topic: 'run' });
  // Show the packets, unless a panel of the run's results is open (the maps, the trace, the registers).
  if (!RESULT_PANELS.has(store.get().doc.panel)) openPanel('packets');
  // The registers, maps and trace as the last packet left them.
  receive(await engine().snapshot());
}

/** Opens one packet of the last traffic run in the Packets panel. */
export async function openPacket(index: number): Promise<void> {
  const s = store.get();
  if (!s.nic.report || !idle(s)) return;
  setNic({ detail: { index, status: 'loading' } });
  openPanel('packets');
  const r = await engine().packetDetail(index);
  if (store.get().nic.detail?.index !== index) return;
  if (!r.ok) setNic({ detail: { index, status: 'error', error: r.message } });
  else if (!r.value) setNic({ detail: { index, status: 'error', error: `Packet ${index} is not kept: the engine keeps the first 10,000 packets of a run.` } });
  else setNic({ detail: { index, status: 'ok', detail: r.value } });
}

/**
 * Another page of a map in the Maps panel (a position, or the page that starts at a key). What
 * went wrong, in words, or undefined once the page is shown.
 */
export async function showMapPage(query: MapPageQuery): Promise<string | undefined> {
  if (!idle(store.get())) return 'Wait for the program to stop first.';
  const r = await engine().mapPage(query);
  if (!r.ok) return r.message;
  store.set({ debug: r.value });
  return undefined;
}

/** One entry of a map with up to `valueBytes` of its value (the Maps panel's "show all"). */
export async function fetchMapEntry(map: string, key: string, valueBytes: number): Promise<CallResult<MapEntryView>> {
  if (!idle(store.get())) return { ok: false, reason: 'error', message: 'Wait for the program to stop first.' };
  return engine().mapEntry(map, key, valueBytes);
}

export function closePacket(): void {
  setNic({ detail: undefined });
}

/** Saves the last run's packets (all received, or those with one fate) as traffic-WHICH.pcap. */
export async function downloadPcap(which: PcapSelection): Promise<void> {
  if (!store.get().nic.report || !idle(store.get())) return;
  const r = await engine().exportPcap(which);
  if (!r.ok) {
    if (r.reason !== 'stopped') store.notify('error', r.message);
    return;
  }
  if (r.value.length === 0) {
    store.notify('warning', `The engine gave no capture of the ${which} packets.`);
    return;
  }
  const saved = downloadBlob(`traffic-${which}.pcap`, r.value, 'application/vnd.tcpdump.pcap');
  if (!saved.ok) store.notify('error', `Could not save traffic-${which}.pcap: ${saved.error}`);
}

let pcapImports = 0;

/** Reads a capture to replay into the store (never the document); says at once when it is not a pcap. */
export async function importPcap(file: File): Promise<{ ok: true } | { ok: false; error: string }> {
  if (file.size > MAX_PCAP_BYTES) return { ok: false, error: `${file.name} is ${(file.size / 1e6).toFixed(1)} MB; captures up to ${MAX_PCAP_BYTES / (1024 * 1024)} MB can be replayed` };
  const bytes = new Uint8Array(await file.arrayBuffer());
  const c = checkPcap(bytes);
  if (!c.ok) return { ok: false, error: `${file.name}: ${c.error}` };
  setNic({ pcap: { id: `${++pcapImports}:${file.name}:${bytes.length}`, name: file.name, bytes, frames: c.frames, ...(c.note ? { note: c.note } : {}) } });
  return { ok: true };
}

/** Back to generated traffic. */
export function clearPcap(): void {
  setNic({ pcap: undefined });
}

async function share(): Promise<void> {
  const s = store.get();
  const doc = s.doc;
  // In a graded lesson the link names it: it opens that lesson with this code.
  const lesson = isLessonDocument(s) ? s.course.open?.id : undefined;
  const link = await createShareLink(doc, window.location.href, lesson);
  if (!link.ok) {
    const file = { label: 'Download .bpfp.json', run: () => void downloadBlob(documentFileName(doc), shareDocumentFile(doc), 'application/json') };
    if (link.tooLarge) store.notify('warning', link.error, { actions: [file] });
    else store.notify('error', `Could not make a link: ${link.error}`);
    return;
  }
  const url = link.url;
  store.set({ sharedSource: doc.source });
  // The address bar shows what was copied, until the next edit takes the link away again
  // (main.tsx): a reload then opens the saved draft, never an older link.
  if (link.url !== window.location.href) history.replaceState(history.state, '', link.url);
  let copied = false;
  try {
    await navigator.clipboard.writeText(url);
    copied = true;
  } catch {
    copied = false;
  }
  const download = { label: 'Download as a file', run: () => void downloadBlob(documentFileName(doc), shareDocumentFile(doc), 'application/json') };
  if (link.tooLong) {
    store.notify('warning', `The link is ${url.length.toLocaleString('en-US')} characters long; chat apps may cut it. ${copied ? 'It was copied anyway.' : ''} A file keeps everything.`, { actions: [download] });
  } else if (copied) {
    store.notify('info', 'Link copied to the clipboard.');
  } else {
    store.notify('info', `Copy this link: ${url}`);
  }
  lastShareUrl = url;
}

let lastShareUrl: string | undefined;

export function lastSharedUrl(): string | undefined {
  return lastShareUrl;
}

function saveSource(): void {
  const doc = store.get().doc;
  downloadBlob(sourceFileName(doc), new TextEncoder().encode(doc.source), 'text/plain');
}

function saveBytecode(): void {
  const section = store.get().program.section;
  if (!section) {
    store.notify('error', 'Nothing to save: the program does not assemble.');
    return;
  }
  downloadBlob(sourceFileName(store.get().doc).replace(/\.bpf\.s$/, '.bin'), section.bytes, 'application/octet-stream');
}

/**
 * Save .o: the program as a relocatable object that libbpf and `bpftool prog load` take (written
 * in the worker, as `bpfp asm FILE -o OUT.o` writes it); what cannot be written yet is said.
 */
async function saveObject(): Promise<void> {
  const { doc, program } = store.get();
  if (!program.ok) {
    store.notify('error', 'Nothing to save: the program has errors (see Problems).');
    return;
  }
  const r = await engine().exportObject({ source: doc.source, ...(doc.dialect === 'auto' ? {} : { dialect: doc.dialect }), isa: doc.isa, ...(doc.maps ? { maps: doc.maps } : {}) });
  if (!r.ok) {
    store.notify('error', r.message);
    return;
  }
  if (!r.value.ok) {
    store.notify('error', `The program cannot be saved as an object: ${r.value.error}`);
    return;
  }
  const name = sourceFileName(doc).replace(/\.bpf\.s$/, '.o');
  const saved = downloadBlob(name, r.value.bytes, 'application/x-elf');
  if (saved.ok) store.notify('info', `Saved ${name}: load it with bpftool prog loadall ${name} /sys/fs/bpf/NAME (or libbpf).`, { key: 'saved-object' });
  else store.notify('error', saved.error);
}

/**
 * "Run it unverified" on a verifier counterexample: the document takes its input (packet,
 * context, map contents), Verify goes off with runs stopping at the first access outside the
 * packet, and the program runs — faulting where the verifier said it could.
 */
export async function runCounterexample(found: CounterexampleFound): Promise<void> {
  const code = codeKey(store.get().program);
  const hex = (h: string): string => h.replace(/\s/g, '').toLowerCase();
  // A device-bound program runs on the emulated NIC only: its packet is replayed as a one-frame capture.
  const frame = found.nic ? parseHexBytes(found.input.data ?? '') : undefined;
  if (frame?.length) {
    const bytes = writePcap([{ tsNs: 0, data: frame }]);
    const c = checkPcap(bytes);
    if (c.ok) setNic({ pcap: { id: `${++pcapImports}:counterexample.pcap:${bytes.length}`, name: 'counterexample.pcap', bytes, frames: c.frames } });
  }
  const patch: Partial<PlaygroundDocument> = { input: frame?.length ? '' : hex(found.input.data ?? '') };
  if (found.input.ctx !== undefined) patch.ctx = hex(found.input.ctx);
  const maps = found.input.maps;
  if (typeof maps === 'object' && maps !== null && !Array.isArray(maps)) patch.maps = maps as Record<string, unknown>;
  // Memory running short (an allocation that fails) is part of the scenario.
  if (found.input.scenario) patch.scenario = found.input.scenario;
  store.updateDocument(patch);
  store.set({ verify: false, strictPacket: true, strictAccess: found.access ? { ...found.access, code } : undefined });
  const changes = scenarioChanges(found.input.scenario);
  const short = changes ? ` The scenario now sets ${changes}, in the Scenario panel.` : '';
  store.notify('info', `Running unverified on the counterexample input: Verify is off, and the run stops at the first access outside the packet. Turn Verify on again to run as Linux would load it.${short}`, { topic: 'run' });
  await ACTIONS.run.perform();
}

export const ACTIONS = {
  run: { id: 'run', label: 'Run', shortcut: 'Ctrl+Enter', enabled: idle, perform: run },
  step: { id: 'step', label: 'Step', shortcut: 'F11', enabled: idle, perform: () => stepWith('step') },
  stepOver: { id: 'stepOver', label: 'Step over', shortcut: 'F10', enabled: idle, perform: () => stepWith('stepOver') },
  continue: { id: 'continue', label: 'Continue', shortcut: 'F5', enabled: idle, perform: continueRun },
  reset: { id: 'reset', label: 'Reset', enabled: idle, perform: reset },
  stop: { id: 'stop', label: 'Stop', shortcut: 'Esc', enabled: (s) => s.busy !== 'idle', perform: stop },
  share: { id: 'share', label: 'Share', shortcut: 'Ctrl+S', enabled: () => true, perform: share },
  saveSource: { id: 'saveSource', label: 'Save .bpf.s', enabled: () => true, perform: saveSource },
  saveBytecode: { id: 'saveBytecode', label: 'Save .bin', enabled: (s) => s.program.ok, perform: saveBytecode },
  saveObject: { id: 'saveObject', label: 'Save .o', enabled: (s) => s.program.ok, perform: saveObject },
} satisfies Record<string, Action>;

export type ActionId = keyof typeof ACTIONS;
