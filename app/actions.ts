// Every user command as one object: its label, shortcut, when it is enabled and what it does.
// The toolbar, the keyboard, the editor's key bindings and the test hook all go through these.

import type { DebugSnapshot } from '../engine/worker/protocol.ts';
import { EngineClient, type CallResult } from './engine-client/client.ts';
import { createShareLink } from './share/codec.ts';
import { documentFileName, downloadBlob, shareDocumentFile, sourceFileName } from './share/files.ts';
import { imageOf, lineOfPc, pcsOfLines, problemsAtLines, runSettingsOf, type ProblemView } from './state/program.ts';
import { store, type PlaygroundState } from './state/store.ts';

export interface Action {
  readonly id: string;
  readonly label: string;
  /** Shortcut as shown to users. */
  readonly shortcut?: string;
  readonly enabled: (s: PlaygroundState) => boolean;
  readonly perform: () => Promise<void> | void;
}

let client: EngineClient | undefined;

function engine(): EngineClient {
  client ??= new EngineClient({
    onRestart: (reason) => {
      store.set({ busy: 'idle', live: undefined });
      store.notify('warning', reason);
    },
  });
  return client;
}

function openPanel(id: string): void {
  const s = store.get();
  if (s.doc.panel !== id) store.set({ doc: { ...s.doc, panel: id } });
}

/** Loads the current program into the worker unless it already holds it. */
async function ensureLoaded(): Promise<boolean> {
  const s = store.get();
  const p = s.program;
  const image = imageOf(p);
  if (!p.ok || !image) {
    store.notify('error', 'The program has problems: fix them first (see Problems).');
    openPanel('problems');
    return false;
  }
  const c = engine();
  const key = `${p.key}:${s.settings.budget}`;
  if (c.isLoaded(key)) return true;
  store.set({ busy: 'loading' });
  const r = await c.load(image, runSettingsOf(s.doc, s.settings.budget), key);
  store.set({ busy: 'idle' });
  if (!r.ok) {
    store.notify('error', r.message);
    return false;
  }
  if (!r.value.ok) {
    store.set({ runtimeProblems: problemsAtLines(p.section, r.value.problems, 'loader'), debug: undefined });
    store.notify('error', `The program was refused: ${r.value.problems[0]?.message ?? 'see Problems'}`);
    openPanel('problems');
    return false;
  }
  store.set({ runtimeProblems: [] });
  return true;
}

/** Takes a snapshot (or a failure) from the worker into the store. */
function receive(r: CallResult<DebugSnapshot>): void {
  store.set({ busy: 'idle', live: undefined });
  if (!r.ok) {
    if (r.reason !== 'stopped') store.notify(r.reason === 'error' ? 'error' : 'warning', r.message);
    return;
  }
  const snap = r.value;
  const section = store.get().program.section;
  const runtime: ProblemView[] = [];
  if (snap.fault) {
    const line = lineOfPc(section, snap.fault.pc) ?? 1;
    const span = section?.spans[snap.fault.pc];
    runtime.push({ severity: 'error', message: snap.fault.message, code: snap.fault.kind, source: 'runtime', line, col: span?.col ?? 1, endLine: line, endCol: span?.endCol ?? 2 });
  }
  store.set({ debug: snap, runtimeProblems: runtime });
}

function breakpointPcs(): number[] {
  const s = store.get();
  return pcsOfLines(s.program.section, s.breakpoints);
}

function progress(p: { insns: number; trace: readonly { seq: number }[] }): void {
  const live = store.get().live;
  const trace = [...(live?.trace ?? []), ...(p.trace as NonNullable<PlaygroundState['live']>['trace'])].slice(-5000);
  store.set({ live: { insns: p.insns, trace } });
}

const idle = (s: PlaygroundState): boolean => s.busy === 'idle';
const finished = (s: PlaygroundState): boolean => !s.debug || s.debug.status === 'exited' || s.debug.status === 'fault' || s.debug.status === 'empty';

async function run(): Promise<void> {
  if (!idle(store.get()) || !(await ensureLoaded())) return;
  store.set({ busy: 'running', live: { insns: 0, trace: [] } });
  receive(await engine().run(breakpointPcs(), progress));
}

async function continueRun(): Promise<void> {
  if (!idle(store.get()) || !(await ensureLoaded())) return;
  if (finished(store.get())) return run();
  store.set({ busy: 'running', live: { insns: store.get().debug?.insns ?? 0, trace: store.get().debug?.trace ?? [] } });
  receive(await engine().continue(breakpointPcs(), progress));
}

async function stepWith(kind: 'step' | 'stepOver'): Promise<void> {
  if (!idle(store.get()) || !(await ensureLoaded())) return;
  store.set({ busy: 'stepping' });
  // Stepping before any run, or after the end, starts again: stop at the first instruction.
  if (finished(store.get())) return receive(await engine().reset());
  receive(await (kind === 'step' ? engine().step() : engine().stepOver()));
}

async function reset(): Promise<void> {
  if (!idle(store.get())) return;
  if (!(await ensureLoaded())) return;
  receive(await engine().reset());
}

function stop(): void {
  engine().stop();
}

async function share(): Promise<void> {
  const doc = store.get().doc;
  const link = await createShareLink(doc, window.location.href);
  if (!link.ok) {
    store.notify('error', `Could not make a link: ${link.error}`);
    return;
  }
  const url = link.url;
  store.set({ sharedSource: doc.source });
  let copied = false;
  try {
    await navigator.clipboard.writeText(url);
    copied = true;
  } catch {
    copied = false;
  }
  const download = { label: 'Download as a file', run: () => void downloadBlob(documentFileName(doc), shareDocumentFile(doc), 'application/json') };
  if (link.tooLong) {
    store.notify('warning', `The link is ${url.length.toLocaleString('en-US')} characters long; chat apps may cut it. ${copied ? 'It was copied anyway.' : ''} A file keeps everything.`, download);
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
} satisfies Record<string, Action>;

export type ActionId = keyof typeof ACTIONS;
