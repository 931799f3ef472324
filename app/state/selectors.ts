// What the components read from the store, as named selectors. Components subscribe through
// zustand's useShallow (or by identity for primitives), so every selector must answer the same
// state with a shallowly equal value: a fresh array or object per call makes React re-render
// forever (error #185). selectors.test.ts calls each of these, and each panel's, twice.

import { lineOfPc, type ProblemView } from './program.ts';
import { allProblems, isLessonDocument, stoppedInside, type LessonCheck, type PlaygroundState } from './store.ts';

export const selectTheme = (s: PlaygroundState) => s.settings.theme;
export const selectEmbed = (s: PlaygroundState) => s.embed;
export const selectBusy = (s: PlaygroundState) => s.busy;
export const selectNotices = (s: PlaygroundState) => s.notices;
export const selectSplit = (s: PlaygroundState) => s.settings.split;
export const selectOpenPanel = (s: PlaygroundState) => s.doc.panel;
export const selectBreakpoints = (s: PlaygroundState) => s.breakpoints;

export const selectEditor = (s: PlaygroundState) => ({ docVersion: s.docVersion, source: s.doc.source, dialect: s.program.dialect, readOnly: s.embed.readOnly });

let withLesson: { all: readonly ProblemView[]; check: LessonCheck | undefined; source: string; out: readonly ProblemView[] } | undefined;

/**
 * The editor's markers: every problem, and the first failed check of a graded lesson's last
 * Check at its line, while the code is the one checked; the same array while none changes.
 */
export function selectProblems(s: PlaygroundState): readonly ProblemView[] {
  const all = allProblems(s);
  const check = isLessonDocument(s) ? s.course.check : undefined;
  if (withLesson && withLesson.all === all && withLesson.check === check && withLesson.source === s.doc.source) return withLesson.out;
  const failed = check?.status === 'done' && check.source === s.doc.source ? check.result?.checks.find((c) => !c.passed && c.line !== undefined) : undefined;
  const line = failed?.line;
  let out = all;
  if (failed && line !== undefined) {
    const text = s.doc.source.split('\n')[line - 1] ?? '';
    const col = text.length - text.trimStart().length + 1;
    const marker: ProblemView = { severity: 'warning', message: `Lesson check “${failed.name}” failed: ${failed.message}`, code: 'lesson', source: 'lesson', line, col, endLine: line, endCol: Math.max(col + 1, text.trimEnd().length + 1) };
    out = [...all, marker].sort((a, b) => a.line - b.line || a.col - b.col);
  }
  withLesson = { all, check, source: s.doc.source, out };
  return out;
}

/** The graded lessons' state (the lesson pane, the toolbar's picker). */
export const selectCourse = (s: PlaygroundState) => s.course;

/** The graded lesson open in the editor, by id (undefined while none is). */
export const selectOpenLessonId = (s: PlaygroundState) => (isLessonDocument(s) ? s.course.open?.id : undefined);

/** The line of the instruction about to run, while the program is stopped inside. */
export function selectCurrentLine(s: PlaygroundState): number | undefined {
  // A snapshot of a program since edited points into the old text: no line is current.
  if (s.debugStale || !stoppedInside(s.debug)) return undefined;
  return lineOfPc(s.program.section, s.debug?.pc ?? 0);
}

export const selectMapNames = (s: PlaygroundState) => s.program.maps.map((m) => m.name);

export const selectStatusBar = (s: PlaygroundState) => ({ busy: s.busy, live: s.live, program: s.program, debug: s.debug, stale: s.debugStale });

export const selectToolbar = (s: PlaygroundState) => ({ doc: s.doc, busy: s.busy, theme: s.settings.theme, budget: s.settings.budget, tier: s.settings.tier });

/** The live verdict and the document's profile (the toolbar says what that kernel would do). */
export const selectVerdict = (s: PlaygroundState) => s.verdict;

export const selectDocuments = (s: PlaygroundState) => ({ origin: s.origin, slot: s.slot, title: s.docTitle, saved: s.saved, lesson: isLessonDocument(s) });

/** Every selector above, by name, for the stability test. */
export const SELECTORS: Readonly<Record<string, (s: PlaygroundState) => unknown>> = {
  selectTheme,
  selectEmbed,
  selectBusy,
  selectNotices,
  selectSplit,
  selectOpenPanel,
  selectBreakpoints,
  selectEditor,
  selectProblems,
  selectCurrentLine,
  selectMapNames,
  selectStatusBar,
  selectToolbar,
  selectDocuments,
  selectVerdict,
  selectCourse,
  selectOpenLessonId,
};
