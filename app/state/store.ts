// The UI's state in one zustand store: plain data only (the document, the assembled program,
// snapshots from the engine), never live objects. Actions that talk to the worker live in
// app/actions.ts; this file holds state and pure updates.

import { create } from 'zustand';
import type { HeldSnapshot, TraceLineView } from '../../engine/worker/protocol.ts';
import { DEFAULT_DOCUMENT, type PlaygroundDocument } from './document.ts';
import { DEFAULT_SETTINGS, type Settings } from './persistence.ts';
import { assembleDocument, type AssembledProgram, type ProblemView } from './program.ts';
import { EMPTY_NIC, type NicState } from './traffic.ts';

export type Busy = 'idle' | 'running' | 'stepping' | 'loading';

export interface Notice {
  readonly id: number;
  readonly kind: 'info' | 'warning' | 'error';
  readonly text: string;
  /** An optional action button (e.g. "Download file" when a link is too long). */
  readonly action?: { readonly label: string; readonly run: () => void };
}

export interface PlaygroundState {
  readonly doc: PlaygroundDocument;
  readonly settings: Settings;
  readonly program: AssembledProgram;
  /** 1-based source lines with a breakpoint. */
  readonly breakpoints: readonly number[];
  /** The last snapshot, its kernel views whole (the engine client merges the worker's deltas). */
  readonly debug: HeldSnapshot | undefined;
  /** Problems found by the worker (load refusals, faults), by line. */
  readonly runtimeProblems: readonly ProblemView[];
  readonly busy: Busy;
  /** Instruction count and trace lines streamed while a run is under way. */
  readonly live: { readonly insns: number; readonly trace: readonly TraceLineView[] } | undefined;
  readonly notices: readonly Notice[];
  /** Where the document came from; a link is not saved as the draft until the user edits. */
  readonly origin: 'link' | 'draft' | 'default' | 'example';
  readonly editedSinceOpen: boolean;
  /** The document's source when it was last shared (to say "changed since shared"). */
  readonly sharedSource: string | undefined;
  readonly embed: { readonly enabled: boolean; readonly readOnly: boolean; readonly panel?: string };
  /** Bumped whenever the document is replaced (not edited): the editor then takes its text. */
  readonly docVersion: number;
  /** The open lesson and its step. */
  readonly lesson: { readonly id: string; readonly step: number } | undefined;
  /** The emulated NIC: the last traffic run, its progress, the open packet, a capture to replay (not in the document). */
  readonly nic: NicState;
}

const initialDoc: PlaygroundDocument = { ...DEFAULT_DOCUMENT };

export const useStore = create<PlaygroundState>(() => ({
  doc: initialDoc,
  settings: DEFAULT_SETTINGS,
  program: assembleDocument(initialDoc),
  breakpoints: [],
  debug: undefined,
  runtimeProblems: [],
  busy: 'idle',
  live: undefined,
  notices: [],
  origin: 'default',
  editedSinceOpen: false,
  sharedSource: undefined,
  embed: { enabled: false, readOnly: false },
  lesson: undefined,
  docVersion: 0,
  nic: EMPTY_NIC,
}));

let noticeId = 0;

export const store = {
  get: useStore.getState,
  set: useStore.setState,

  /** Replaces the document (opening a link, an example, a file); assembles it. */
  openDocument(doc: PlaygroundDocument, origin: PlaygroundState['origin']): void {
    useStore.setState((s) => ({
      doc,
      docVersion: s.docVersion + 1,
      origin,
      editedSinceOpen: false,
      program: assembleDocument(doc),
      breakpoints: [],
      debug: undefined,
      runtimeProblems: [],
      live: undefined,
      // Another program: the last traffic run no longer applies (a capture to replay stays).
      nic: { ...EMPTY_NIC, pcap: s.nic.pcap },
    }));
  },

  /** A change the user made (text or a setting): marks the document edited. */
  updateDocument(patch: Partial<PlaygroundDocument>): void {
    performance.mark('bpfp:update');
    const s = useStore.getState();
    const doc = { ...s.doc, ...patch };
    // Everything but the open panel changes what runs (the key the worker compares).
    const onlyPanel = Object.keys(patch).every((k) => k === 'panel');
    const program = onlyPanel ? s.program : assembleDocument(doc);
    // Breakpoints on lines that no longer exist go away.
    const lines = doc.source.split('\n').length;
    performance.mark('bpfp:assembled');
    useStore.setState({ doc, program, editedSinceOpen: true, breakpoints: s.breakpoints.filter((l) => l <= lines) });
    performance.mark('bpfp:rendered');
  },

  toggleBreakpoint(line: number): void {
    const bps = useStore.getState().breakpoints;
    useStore.setState({ breakpoints: bps.includes(line) ? bps.filter((l) => l !== line) : [...bps, line].sort((a, b) => a - b) });
  },

  notify(kind: Notice['kind'], text: string, action?: Notice['action']): number {
    const id = ++noticeId;
    useStore.setState((s) => ({ notices: [...s.notices.slice(-3), { id, kind, text, ...(action ? { action } : {}) }] }));
    return id;
  },

  dismiss(id: number): void {
    useStore.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
  },
};

/** Every problem of the program: the assembler's and the worker's. */
export function allProblems(s: PlaygroundState): ProblemView[] {
  return [...s.program.problems, ...s.runtimeProblems].sort((a, b) => a.line - b.line || a.col - b.col);
}
