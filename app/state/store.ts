// The UI's state in one zustand store: plain data only (the document, the assembled program,
// snapshots from the engine), never live objects. Actions that talk to the worker live in
// app/actions.ts; this file holds state and pure updates.

import { create } from 'zustand';
import type { GradeResult, HeldSnapshot, StrictAccess, TraceLineView } from '../../engine/worker/protocol.ts';
import { EMPTY_CATALOG, type Catalog } from '../lessons/catalog.ts';
import { EMPTY_PROGRESS, type ProgressMap } from '../lessons/progress.ts';
import { DEFAULT_DOCUMENT, type PlaygroundDocument } from './document.ts';
import type { OpenedOrigin } from './drafts.ts';
import { DEFAULT_SETTINGS, type Settings } from './persistence.ts';
import { assembleInBackground, assemblesInBackground } from './assembly.ts';
import { assembleDocument, pendingProgram, type AssembledProgram, type ProblemView } from './program.ts';
import { EMPTY_NIC, type NicState } from './traffic.ts';
import { NO_VERDICT, refusalsOf, verdictProblems, type Verdict } from './verdict.ts';

export type Busy = 'idle' | 'running' | 'stepping' | 'loading';

export interface NoticeAction {
  readonly label: string;
  readonly run: () => void;
  /** The notice stays after the button is used (a download does not settle "not saved"). */
  readonly keepOpen?: boolean;
}

export interface Notice {
  readonly id: number;
  readonly kind: 'info' | 'warning' | 'error';
  readonly text: string;
  /** Buttons beside the text (e.g. "Download file" when a link is too long, "Restore your draft"). */
  readonly actions: readonly NoticeAction[];
  /** A notice with a key replaces the one shown with the same key (e.g. the state of autosave). */
  readonly key?: string;
  /** 'run': about a run (a refusal, a fault, a restart); the next run that succeeds clears it. */
  readonly topic?: 'run';
  /** Stays until dismissed (info notices otherwise go after a few seconds). */
  readonly sticky?: boolean;
}

export interface NoticeOptions {
  readonly actions?: readonly NoticeAction[];
  readonly key?: string;
  readonly topic?: 'run';
  readonly sticky?: boolean;
}

/** Notices shown at once; older ones give way. */
export const MAX_NOTICES = 4;

export type DocOrigin = 'draft' | 'default' | OpenedOrigin;

export interface SavedIndex {
  /** When the user's draft was saved; undefined while there is none. */
  readonly own: number | undefined;
  /** Newest first. */
  readonly opened: readonly { readonly id: string; readonly origin: OpenedOrigin; readonly title: string; readonly savedAt: number }[];
}

export const NOTHING_SAVED: SavedIndex = Object.freeze({ own: undefined, opened: Object.freeze([]) });

/** Whether edits of a document from `origin` go to the user's own draft. */
export function isOwn(origin: DocOrigin): origin is 'draft' | 'default' {
  return origin === 'draft' || origin === 'default';
}

/** The last Check of a graded lesson: the source it checked and what the grader said. */
export interface LessonCheck {
  readonly status: 'checking' | 'done' | 'failed';
  readonly id: string;
  readonly source: string;
  readonly result?: GradeResult;
  /** Why there is no result (the worker timed out, crashed or failed). */
  readonly error?: string;
}

/** The graded lessons (app/lessons/graded.ts): the pane beside the editor, the index, the open lesson, the learner's progress. */
export interface CourseState {
  /** What the lesson pane shows. */
  readonly pane: 'closed' | 'index' | 'lesson';
  readonly catalog: Catalog;
  /**
   * The graded lesson whose code the editor holds: open while the document is the one the
   * lesson opened (`docVersion`); opening anything else closes it (its code is kept).
   */
  readonly open: { readonly id: string; readonly docVersion: number } | undefined;
  readonly progress: ProgressMap;
  readonly check: LessonCheck | undefined;
  /** The solution is shown (read-only) in the pane. */
  readonly solution: boolean;
}

export const NO_COURSE: CourseState = Object.freeze({ pane: 'closed', catalog: EMPTY_CATALOG, open: undefined, progress: EMPTY_PROGRESS, check: undefined, solution: false });

/** Whether the editor holds a graded lesson's code (its edits are saved with the lesson, never as a document). */
export function isLessonDocument(s: Pick<PlaygroundState, 'course' | 'docVersion'>): boolean {
  return s.course.open !== undefined && s.course.open.docVersion === s.docVersion;
}

export interface PlaygroundState {
  readonly doc: PlaygroundDocument;
  readonly settings: Settings;
  readonly program: AssembledProgram;
  /** 1-based source lines with a breakpoint. */
  readonly breakpoints: readonly number[];
  /** The last snapshot, its kernel views whole (the engine client merges the worker's deltas). */
  readonly debug: HeldSnapshot | undefined;
  /**
   * The program changed while it was stopped inside (paused, at a breakpoint, stepped): the
   * snapshot belongs to the old text, and the next Step or Continue starts from the beginning.
   */
  readonly debugStale: boolean;
  /** Problems found by the worker (load refusals, faults), by line. */
  readonly runtimeProblems: readonly ProblemView[];
  readonly busy: Busy;
  /** Instruction count and trace lines streamed while a run is under way. */
  readonly live: { readonly insns: number; readonly trace: readonly TraceLineView[] } | undefined;
  readonly notices: readonly Notice[];
  /**
   * Where the document came from. The user's draft ('draft', or 'default' before there is one)
   * saves as the draft; what a link, an example, a lesson or a file opened saves under an
   * entry of its own once edited (`slot`), so it never overwrites the draft (state/drafts.ts).
   */
  readonly origin: DocOrigin;
  /** What the Document menu and the notices call the document ("Your draft", "Example: Hello"). */
  readonly docTitle: string;
  /** The saved entry an opened document's edits go to; given at the first edit. */
  readonly slot: string | undefined;
  /** What is saved (for the Document menu): the draft's time and the opened documents kept. */
  readonly saved: SavedIndex;
  readonly editedSinceOpen: boolean;
  /** The document's source when it was last shared (to say "changed since shared"). */
  readonly sharedSource: string | undefined;
  readonly embed: { readonly enabled: boolean; readonly readOnly: boolean; readonly panel?: string };
  /** Bumped whenever the document is replaced (not edited): the editor then takes its text. */
  readonly docVersion: number;
  /** The open tour (app/lessons/lessons.ts) and its step. */
  readonly lesson: { readonly id: string; readonly step: number } | undefined;
  /** The graded lessons: the pane, the index, the open lesson, the progress. */
  readonly course: CourseState;
  /** The emulated NIC: the last traffic run, its progress, the open packet, a capture to replay (not in the document). */
  readonly nic: NicState;
  /**
   * false: Run loads without the verifier ("run unverified", to study the interpreter on a
   * program Linux refuses). Never saved: every visit starts verified.
   */
  readonly verify: boolean;
  /**
   * Set by "Run it unverified" on a verifier counterexample: runs unverified stop at the first
   * access outside the packet (RunSettings.strictPacket). Cleared when Verify is turned back on.
   */
  readonly strictPacket: boolean;
  /** With strictPacket: the counterexample's refused access and the area its pointer is into (RunSettings.strictAccess). */
  readonly strictAccess?: (StrictAccess & { readonly code: string }) | undefined;
  /** Live verification: what Linux (the document's profile) would answer for the program (app/live-verify.ts). */
  readonly verdict: Verdict;
}

const initialDoc: PlaygroundDocument = { ...DEFAULT_DOCUMENT };

export const useStore = create<PlaygroundState>(() => ({
  doc: initialDoc,
  settings: DEFAULT_SETTINGS,
  verify: true,
  strictPacket: false,
  verdict: NO_VERDICT,
  program: assembleDocument(initialDoc),
  breakpoints: [],
  debug: undefined,
  debugStale: false,
  runtimeProblems: [],
  busy: 'idle',
  live: undefined,
  notices: [],
  origin: 'default',
  docTitle: 'Your draft',
  slot: undefined,
  saved: NOTHING_SAVED,
  editedSinceOpen: false,
  sharedSource: undefined,
  embed: { enabled: false, readOnly: false },
  lesson: undefined,
  course: NO_COURSE,
  docVersion: 0,
  nic: EMPTY_NIC,
}));

let noticeId = 0;
let assemblies = 0;

/**
 * The program of `doc`: assembled now when it is small; a large one is assembled in the
 * background and the store takes it when it comes, unless the document changed again.
 */
function programOf(doc: PlaygroundDocument, previous: AssembledProgram): AssembledProgram {
  const ticket = ++assemblies;
  if (!assemblesInBackground(doc)) return assembleDocument(doc);
  void assembleInBackground(doc).then((program) => {
    if (ticket === assemblies) useStore.setState({ program });
  });
  return pendingProgram(previous.dialect);
}

/** Settles once the program in the store is assembled (at once unless a large one is in the background). */
export function programReady(): Promise<void> {
  if (!useStore.getState().program.pending) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = useStore.subscribe((s) => {
      if (s.program.pending) return;
      stop();
      resolve();
    });
  });
}

/** The program is stopped inside (not before its start, not after its end). */
export function stoppedInside(d: HeldSnapshot | undefined): boolean {
  return d !== undefined && d.status !== 'empty' && d.status !== 'exited' && d.status !== 'fault';
}

export const store = {
  get: useStore.getState,
  set: useStore.setState,

  /**
   * Replaces the document (opening a link, an example, a file, a saved document); assembles
   * it. `title` names it in the Document menu; `slot` is the saved entry it was reopened from.
   */
  openDocument(doc: PlaygroundDocument, origin: DocOrigin, meta: { readonly title?: string; readonly slot?: string } = {}): void {
    useStore.setState((s) => ({
      doc,
      docVersion: s.docVersion + 1,
      origin,
      docTitle: meta.title ?? (isOwn(origin) ? 'Your draft' : 'A document'),
      slot: meta.slot,
      editedSinceOpen: false,
      program: programOf(doc, s.program),
      breakpoints: [],
      debug: undefined,
      debugStale: false,
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
    const program = onlyPanel ? s.program : programOf(doc, s.program);
    // Breakpoints on lines that no longer exist go away.
    const lines = s.breakpoints.length ? doc.source.split('\n').length : 0;
    performance.mark('bpfp:assembled');
    const stale = s.debugStale || (program.key !== s.program.key && stoppedInside(s.debug));
    useStore.setState({ doc, program, editedSinceOpen: true, debugStale: stale, breakpoints: s.breakpoints.filter((l) => l <= lines) });
    performance.mark('bpfp:rendered');
  },

  toggleBreakpoint(line: number): void {
    const bps = useStore.getState().breakpoints;
    useStore.setState({ breakpoints: bps.includes(line) ? bps.filter((l) => l !== line) : [...bps, line].sort((a, b) => a - b) });
  },

  /**
   * Shows a notice. The same text again (a second Share) does not stack: the older copy goes
   * and the new one takes the last place; so does an older notice with the same key.
   */
  notify(kind: Notice['kind'], text: string, options: NoticeOptions = {}): number {
    const id = ++noticeId;
    const notice: Notice = { id, kind, text, actions: options.actions ?? [], ...(options.key ? { key: options.key } : {}), ...(options.topic ? { topic: options.topic } : {}), ...(options.sticky ? { sticky: true } : {}) };
    useStore.setState((s) => {
      const others = s.notices.filter((n) => !(n.kind === kind && n.text === text) && !(options.key !== undefined && n.key === options.key));
      return { notices: [...others.slice(-(MAX_NOTICES - 1)), notice] };
    });
    return id;
  },

  dismiss(id: number): void {
    useStore.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
  },

  /** Removes the notice with this key, if one is shown. */
  dismissKey(key: string): void {
    if (useStore.getState().notices.some((n) => n.key === key)) useStore.setState((s) => ({ notices: s.notices.filter((n) => n.key !== key) }));
  },

  /** A run went well: notices about earlier runs (a refusal, a fault, a restart) no longer apply. */
  clearRunNotices(): void {
    if (useStore.getState().notices.some((n) => n.topic === 'run')) useStore.setState((s) => ({ notices: s.notices.filter((n) => n.topic !== 'run') }));
  },
};

let refusals: { verdict: Verdict; key: string; section: PlaygroundState['program']['section']; verify: boolean; problems: readonly ProblemView[] } | undefined;

/**
 * The live verdict's problems for the program shown (none while it is checked again, none
 * while Verify is off: the user runs unverified on purpose, and the toolbar still says what
 * Linux would do); the same array while nothing changes.
 */
export function verdictProblemsOf(s: PlaygroundState): readonly ProblemView[] {
  const { verdict, verify } = s;
  const { key, section } = s.program;
  if (refusals && refusals.verdict === verdict && refusals.key === key && refusals.section === section && refusals.verify === verify) return refusals.problems;
  const problems = verify ? verdictProblems(refusalsOf(verdict, key, section)) : [];
  refusals = { verdict, key, section, verify, problems: problems.length ? problems : NO_PROBLEMS };
  return refusals.problems;
}

const NO_PROBLEMS: readonly ProblemView[] = Object.freeze([]);

let merged: { program: readonly ProblemView[]; runtime: readonly ProblemView[]; live: readonly ProblemView[]; all: readonly ProblemView[] } | undefined;

/**
 * Every problem of the program: the assembler's, the live verdict's and the worker's, by
 * position; the same array while none changes. A Run's refusal that says what the live verdict
 * already says at the same line is shown once (the live one, which knows where it began).
 */
export function allProblems(s: PlaygroundState): readonly ProblemView[] {
  const live = verdictProblemsOf(s);
  if (merged && merged.program === s.program.problems && merged.runtime === s.runtimeProblems && merged.live === live) return merged.all;
  const said = new Set(live.map((p) => `${p.line}:${p.message}`));
  const runtime = s.runtimeProblems.filter((p) => !said.has(`${p.line}:${p.message}`));
  const all = [...s.program.problems, ...live, ...runtime].sort((a, b) => a.line - b.line || a.col - b.col);
  merged = { program: s.program.problems, runtime: s.runtimeProblems, live, all };
  return all;
}

/** Whether a problem is a note on where another began (an editor marker; Problems shows it under its problem). */
export function isRelatedNote(p: ProblemView): boolean {
  return p.source === 'verifier' && p.code === 'related';
}

/** How many problems there are in all (the assembler's beyond those kept included; notes on where one began not counted). */
export function problemTotal(s: PlaygroundState): number {
  const notes = verdictProblemsOf(s).filter(isRelatedNote).length;
  return s.program.problemCount + allProblems(s).length - s.program.problems.length - notes;
}
