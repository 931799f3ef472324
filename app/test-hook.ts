// A test hook on window (`window.__playground`): end-to-end tests set and read the program and
// drive the playground through it instead of typing into Monaco (ui-stack.md §3.2). Harmless
// for users: everything it does, the UI does too.

import type { NicCounters, PacketSummary } from '../engine/worker/protocol.ts';
import { ACTIONS, lastSharedUrl, openPacket, runTraffic } from './actions.ts';
import type { EditorHandle } from './editor/index.ts';
import { openExample, openPanel } from './commands.ts';
import type { PlaygroundDocument } from './state/document.ts';
import { allProblems, isLessonDocument, store } from './state/store.ts';
import { checkLesson } from './lessons/graded.ts';
import { verdictText } from './state/verdict.ts';

let editor: () => EditorHandle | undefined = () => undefined;

export function registerEditor(get: () => EditorHandle | undefined): void {
  editor = get;
}

export interface PlaygroundHook {
  ready: boolean;
  getValue(): string;
  setValue(text: string): void;
  monacoReady(): boolean;
  /** Puts the cursor at the start of a line and focuses the editor. */
  focusLine(line: number): void;
  /** Where the editor's cursor is (1-based line and column). */
  cursor(): { line: number; col: number } | undefined;
  markers(): { severity: string; message: string; line: number; source: string; related?: { line: number; message: string }[] }[];
  /** The live verdict: its status, what the toolbar says, and the refusal's message. */
  verdict(): { status: string; text: string; accepted?: boolean; message?: string };
  problems(): { severity: string; message: string; line: number; source: string }[];
  run(): Promise<void>;
  step(): Promise<void>;
  stepOver(): Promise<void>;
  continue(): Promise<void>;
  reset(): Promise<void>;
  stop(): void;
  share(): Promise<string | undefined>;
  setBreakpoints(lines: number[]): void;
  /** The breakpoints, as assembly lines. */
  breakpoints(): readonly number[];
  openPanel(id: string): void;
  openExample(id: string): void;
  /** The document as it would be shared (program text and settings). */
  document(): PlaygroundDocument;
  state(): { status: string; pc: number; insns: number; r0?: string; busy: string; trace: string[]; fault?: string; panel: string; source: string; packet?: { packet: number; total: number } };
  /** Runs the traffic through the NIC and the XDP program (what Run does for an XDP program). */
  runTraffic(): Promise<void>;
  /** The last traffic run: its counters and first 100 packets, and the packet open in the Packets panel. */
  nic(): { counters: NicCounters; packets: PacketSummary[]; total: number; driver: string; deviceBound: boolean; pcap?: string; warnings: readonly string[]; stopped?: string; detail?: { index: number; status: string; error?: string } } | undefined;
  /** Opens one packet of the last run in the Packets panel (waits for its detail). */
  openPacket(index: number): Promise<void>;
  /** The graded lessons: the pane, the index as read, the open lesson, its last Check and progress. */
  lessons(): {
    pane: string;
    catalog: string;
    lessons: { id: string; track: string; kind: string; title: string; passed: boolean }[];
    skipped: readonly string[];
    open?: string;
    check?: { status: string; passed?: boolean; checks?: { name: string; passed: boolean; message: string; line?: number }[]; error?: string };
    progress?: { passed: boolean; tries: number; failures: number; hints: number; solutionSeen: boolean };
  };
  /** Runs the open lesson's Check (what the Check button does) and waits for its answer. */
  checkLesson(): Promise<void>;
}

/** Resolves once the engine is idle (at most 10 s). */
async function whenIdle(): Promise<void> {
  for (let i = 0; i < 200 && store.get().busy !== 'idle'; i++) await new Promise((r) => setTimeout(r, 50));
}

export function installTestHook(): void {
  const hook: PlaygroundHook = {
    ready: true,
    getValue: () => editor()?.getValue() ?? store.get().doc.source,
    setValue: (text) => {
      const e = editor();
      if (e) e.setValue(text);
      store.updateDocument({ source: text });
    },
    monacoReady: () => editor()?.isMonacoReady() ?? false,
    focusLine: (line) => {
      editor()?.revealLine(line);
      editor()?.focus();
    },
    cursor: () => editor()?.cursor(),
    markers: () =>
      (editor()?.markers() ?? []).map((m) => ({ severity: m.severity, message: m.message, line: m.line, source: m.source, ...(m.related?.length ? { related: m.related.map((r) => ({ line: r.line, message: r.message })) } : {}) })),
    verdict: () => {
      const v = store.get().verdict;
      const reply = v.status === 'done' ? v.reply : undefined;
      const message = reply?.errors[0]?.message ?? v.message;
      return { status: v.status, text: verdictText(v), ...(reply ? { accepted: reply.accepted } : {}), ...(message ? { message } : {}) };
    },
    problems: () => allProblems(store.get()).map((p) => ({ severity: p.severity, message: p.message, line: p.line, source: p.source })),
    // As a person waits for Run to be enabled again: an action asked while the engine is busy would do nothing.
    run: async () => whenIdle().then(() => ACTIONS.run.perform()),
    step: async () => whenIdle().then(() => ACTIONS.step.perform()),
    stepOver: async () => whenIdle().then(() => ACTIONS.stepOver.perform()),
    continue: async () => whenIdle().then(() => ACTIONS.continue.perform()),
    reset: async () => whenIdle().then(() => ACTIONS.reset.perform()),
    stop: () => ACTIONS.stop.perform(),
    share: async () => {
      await ACTIONS.share.perform();
      return lastSharedUrl();
    },
    setBreakpoints: (lines) => store.set({ breakpoints: [...lines].sort((a, b) => a - b) }),
    breakpoints: () => store.get().breakpoints,
    openPanel,
    openExample,
    document: () => store.get().doc,
    state: () => {
      const s = store.get();
      const d = s.debug;
      return {
        status: d?.status ?? 'empty',
        pc: d?.pc ?? 0,
        insns: d?.insns ?? 0,
        ...(d?.r0 ? { r0: d.r0 } : {}),
        busy: s.busy,
        trace: (s.live?.trace ?? d?.trace ?? []).map((l) => l.text),
        ...(d?.fault ? { fault: d.fault.message } : {}),
        panel: s.doc.panel,
        source: s.doc.source,
        ...(d?.nic ? { packet: { packet: d.nic.packet, total: d.nic.total } } : {}),
      };
    },
    runTraffic,
    nic: () => {
      const n = store.get().nic;
      const r = n.report;
      if (!r) return undefined;
      const d = n.detail;
      return {
        counters: r.counters,
        packets: r.packets.slice(0, 100),
        total: r.total,
        driver: r.driver,
        deviceBound: r.deviceBound,
        ...(n.reportPcap ? { pcap: n.reportPcap } : {}),
        warnings: r.warnings,
        ...(r.stopped ? { stopped: r.stopped } : {}),
        ...(d ? { detail: { index: d.index, status: d.status, ...(d.status === 'error' ? { error: d.error } : {}) } } : {}),
      };
    },
    openPacket,
    lessons: () => {
      const s = store.get();
      const c = s.course;
      const open = isLessonDocument(s) ? c.open?.id : undefined;
      const check = c.check;
      const p = open ? c.progress[open] : undefined;
      return {
        pane: c.pane,
        catalog: c.catalog.status,
        lessons: c.catalog.lessons.map((l) => ({ id: l.spec.id, track: l.spec.track, kind: l.spec.kind, title: l.spec.title, passed: c.progress[l.spec.id]?.passed ?? false })),
        skipped: c.catalog.skipped,
        ...(open ? { open } : {}),
        ...(check ? { check: { status: check.status, ...(check.result ? { passed: check.result.passed, checks: check.result.checks.map((x) => ({ ...x })) } : {}), ...(check.error ? { error: check.error } : {}) } } : {}),
        ...(p ? { progress: { passed: p.passed, tries: p.tries, failures: p.failures, hints: p.hints, solutionSeen: p.solutionSeen } } : {}),
      };
    },
    checkLesson,
  };
  (window as unknown as { __playground: PlaygroundHook }).__playground = hook;
}
