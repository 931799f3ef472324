// Graded lessons: the index, opening a lesson with the learner's code (the starter the first
// time), Check (the grader in the verifier's worker, raced against a timeout: the page never
// waits on it), hints one at a time, the solution after three failed Checks, and what is kept —
// the code and the progress in localStorage under keys of their own (progress.ts), never in the
// user's draft. A lesson's document is opened like any other ('lesson' origin), but its edits go
// to the lesson's code, not to `bpfp.draft`; opening anything else closes the lesson (its code
// and progress stay). The address bar says `#lesson/<id>` while one is open, so a reload (or a
// link) opens it again; `#lesson` opens the index.

import { gradeInWorker } from '../live-verify.ts';
import { revealInEditor } from '../editor-bridge.ts';
import { DEFAULT_DOCUMENT, validateDocument, type PlaygroundDocument } from '../state/document.ts';
import type { Storage } from '../state/storage.ts';
import { isLessonDocument, NO_COURSE, store, useStore, type CourseState, type PlaygroundState } from '../state/store.ts';
import { leaving, stripLinkFromAddress, tellOpened } from '../state/workspace.ts';
import { EMPTY_CATALOG, fetchLessonsIndex, lessonHash, lessonLink, type Catalog, type CatalogLesson } from './catalog.ts';
import { afterCheck, NO_PROGRESS, readCode, readProgress, solutionOffered, writeCode, writeProgress, type LessonProgress } from './progress.ts';

/** Check's shortcut (the editor and the page answer to it while a lesson is open). */
export const CHECK_SHORTCUT = 'Ctrl+Shift+Enter';

/** Notice keys: one notice each, replaced rather than stacked. */
const PROGRESS_NOTICE = 'lesson-progress';
const CODE_NOTICE = 'lesson-code';
const SKIPPED_NOTICE = 'lessons-skipped';

let storage: Storage | undefined;
let catalogLoad: Promise<Catalog> | undefined;
/** Pauses in typing before the learner's code is saved. */
const SAVE_DELAY_MS = 300;
let pendingCode: { id: string; source: string } | undefined;
let saveTimer: ReturnType<typeof setTimeout> | undefined;

const course = (): CourseState => store.get().course;
function setCourse(patch: Partial<CourseState>): void {
  store.set({ course: { ...course(), ...patch } });
}

/** Where the site's files are (the index is fetched relative to it). */
function baseUrl(): string {
  return (import.meta.env?.BASE_URL as string | undefined) ?? '/';
}

/** The lessons index, fetched once (again after a failure). */
export function ensureCatalog(): Promise<Catalog> {
  const c = course().catalog;
  if (c.status === 'ready') return Promise.resolve(c);
  if (catalogLoad) return catalogLoad;
  setCourse({ catalog: { ...EMPTY_CATALOG, status: 'loading' } });
  catalogLoad = fetchLessonsIndex(baseUrl()).then((catalog) => {
    catalogLoad = undefined;
    setCourse({ catalog });
    if (catalog.skipped.length) {
      store.notify('warning', `${catalog.skipped.length === 1 ? 'One lesson' : `${catalog.skipped.length} lessons`} could not be read and ${catalog.skipped.length === 1 ? 'is' : 'are'} left out: ${catalog.skipped.slice(0, 3).join('; ')}${catalog.skipped.length > 3 ? '; …' : ''}`, { key: SKIPPED_NOTICE });
    }
    return catalog;
  });
  return catalogLoad;
}

export function lessonById(catalog: Catalog, id: string): CatalogLesson | undefined {
  return catalog.lessons.find((l) => l.spec.id === id);
}

/** The open graded lesson (its code in the editor), if any. */
export function openLessonOf(s: PlaygroundState): CatalogLesson | undefined {
  const open = s.course.open;
  return open && isLessonDocument(s) ? lessonById(s.course.catalog, open.id) : undefined;
}

export function progressOf(s: PlaygroundState, id: string): LessonProgress {
  return s.course.progress[id] ?? NO_PROGRESS;
}

function setAddress(hash: string): void {
  if (typeof window === 'undefined' || window.location.hash === hash) return;
  history.replaceState(history.state, '', window.location.pathname + window.location.search + hash);
}

/** Takes a lesson link (and only that) out of the address bar. */
function clearLessonAddress(): void {
  if (typeof window !== 'undefined' && lessonLink(window.location.hash)) stripLinkFromAddress();
}

/** Opens the index of every lesson in the pane beside the editor. */
export function openLessonIndex(): void {
  setCourse({ pane: 'index', solution: false });
  if (!course().open) setAddress(lessonHash());
  void ensureCatalog();
}

/** Hides the pane (a lesson's code stays in the editor, still saved with the lesson). */
export function closeLessonPane(): void {
  setCourse({ pane: 'closed', solution: false });
  if (!course().open) clearLessonAddress();
}

/** Back to the open lesson from the index. */
export function showOpenLesson(): void {
  if (course().open) setCourse({ pane: 'lesson' });
}

/** The document a lesson opens: its code, under the kernel, CPUs and first input of its grader. */
export function lessonDocument(lesson: CatalogLesson, source: string, current: PlaygroundDocument): PlaygroundDocument {
  const g = lesson.spec.grader;
  const run = g.runs[0];
  const base: PlaygroundDocument = {
    ...DEFAULT_DOCUMENT,
    source,
    profile: g.profiles?.[0] ?? DEFAULT_DOCUMENT.profile,
    cpus: g.cpus?.[0] ?? DEFAULT_DOCUMENT.cpus,
    // A lesson about the verifier's refusal opens beside the verifier's words.
    panel: lesson.spec.kind === 'write' ? current.panel : 'verifier',
  };
  // The first hidden run's input, so Run shows what the grader's first run sees.
  const withInput = { ...base, input: run?.data ?? '', ...(run?.ctx ? { ctx: run.ctx } : {}), ...(run?.traffic ? { traffic: run.traffic } : {}), ...(run?.scenario ? { scenario: run.scenario } : {}), ...(run?.maps ? { maps: run.maps } : {}) };
  const checked = validateDocument(withInput);
  return checked.ok ? checked.doc : base;
}

export interface OpenOptions {
  /** Code to open instead of the saved one (a shared attempt). */
  readonly source?: string;
  /** Said nothing (a reload bringing the lesson back). */
  readonly quiet?: boolean;
}

/** Opens a graded lesson by id (fetching the index first); false when there is no such lesson. */
export async function openGradedLesson(id: string, options: OpenOptions = {}): Promise<boolean> {
  const catalog = await ensureCatalog();
  const lesson = lessonById(catalog, id);
  if (!lesson) {
    store.notify('error', catalog.status === 'failed' ? `The lessons could not be loaded: ${catalog.error ?? 'unknown error'}.` : `There is no lesson '${id}'. Pick one from the index.`);
    openLessonIndex();
    return false;
  }
  flushLessonCode();
  const st = storage;
  const saved = st ? readCode(st, id) : ({ kind: 'none' } as const);
  if (saved.kind === 'corrupt') {
    store.notify('warning', `Your saved code for “${lesson.spec.title}” could not be read; ${saved.rescued ? 'it was set aside (not deleted) and ' : ''}the starter opens instead.`, { key: CODE_NOTICE });
  }
  const own = saved.kind === 'ok' ? saved.source : undefined;
  const shared = options.source !== undefined && options.source !== (own ?? lesson.starterText);
  const source = options.source ?? own ?? lesson.starterText;
  const left = leaving();
  const s = store.get();
  store.openDocument(lessonDocument(lesson, source, s.doc), 'lesson', { title: `Lesson: ${lesson.spec.title}` });
  const docVersion = store.get().docVersion;
  // A graded lesson replaces the tour, if one was open.
  store.set({ lesson: undefined, course: { ...course(), pane: 'lesson', open: { id, docVersion }, check: undefined, solution: false } });
  setAddress(lessonHash(id));
  if (shared) {
    store.notify('info', `Opened a shared attempt at the lesson “${lesson.spec.title}”. Your own code for it is kept until you edit this one (editing saves this code as yours).`, {
      key: 'opened',
      sticky: true,
      actions: [{ label: own !== undefined ? 'Open my code' : 'Open the starter', run: () => void openGradedLesson(id) }],
    });
  } else if (!options.quiet) {
    tellOpened(`Opened the lesson “${lesson.spec.title}”.`, left);
  }
  return true;
}

/** `#lesson` or `#lesson/<id>`: opens the index or the lesson; false when the hash is neither. */
export function openLessonLink(hash: string, quiet = false): boolean {
  const link = lessonLink(hash);
  if (!link) return false;
  if (link.id) void openGradedLesson(link.id, { quiet });
  else openLessonIndex();
  return true;
}

function persistProgress(next: CourseState['progress']): void {
  setCourse({ progress: next });
  if (!storage) return;
  const r = writeProgress(storage, next);
  if (r.ok) store.dismissKey(PROGRESS_NOTICE);
  else store.notify('warning', `Your lesson progress is not saved: ${r.error}. It is kept while this page stays open.`, { key: PROGRESS_NOTICE, sticky: true });
}

function updateProgress(id: string, f: (p: LessonProgress) => LessonProgress): void {
  const progress = course().progress;
  persistProgress({ ...progress, [id]: f(progress[id] ?? NO_PROGRESS) });
}

/** Runs the open lesson's grader on the code in the editor (in the verifier's worker). */
export async function checkLesson(): Promise<void> {
  const s = store.get();
  const lesson = openLessonOf(s);
  if (!lesson || s.course.check?.status === 'checking') return;
  const id = lesson.spec.id;
  const source = s.doc.source;
  setCourse({ check: { status: 'checking', id, source }, pane: 'lesson' });
  const r = await gradeInWorker(lesson.spec, source);
  // Another lesson opened meanwhile: this answer belongs to nothing on screen.
  if (course().check?.id !== id || course().check?.source !== source || course().check?.status !== 'checking') return;
  if ('error' in r) {
    setCourse({ check: { status: 'failed', id, source, error: r.error } });
    return;
  }
  setCourse({ check: { status: 'done', id, source, result: r.result } });
  updateProgress(id, (p) => afterCheck(p, r.result.passed));
}

/** Reveals the next hint of the open lesson. */
export function revealHint(): void {
  const lesson = openLessonOf(store.get());
  if (!lesson) return;
  updateProgress(lesson.spec.id, (p) => ({ ...p, hints: Math.min(lesson.spec.hints.length, p.hints + 1) }));
}

/** Shows (or hides) the solution, read-only, in the pane; offered after three failed Checks. */
export function showSolution(show: boolean): void {
  const s = store.get();
  const lesson = openLessonOf(s);
  if (!lesson) return;
  if (show && !solutionOffered(progressOf(s, lesson.spec.id))) return;
  setCourse({ solution: show });
  if (show) updateProgress(lesson.spec.id, (p) => (p.solutionSeen ? p : { ...p, solutionSeen: true }));
}

/**
 * Puts `text` into the editor as the lesson's code (the solution, or the starter again), saved
 * at once; a notice offers the code it replaced back.
 */
function replaceLessonCode(text: string, said: string): void {
  const s = store.get();
  const lesson = openLessonOf(s);
  if (!lesson) return;
  const before = s.doc.source;
  const id = lesson.spec.id;
  store.openDocument({ ...s.doc, source: text }, 'lesson', { title: s.docTitle });
  setCourse({ open: { id, docVersion: store.get().docVersion }, pane: 'lesson', solution: false });
  saveLessonCode(id, text);
  store.notify('info', said, { key: CODE_NOTICE, actions: [{ label: 'Put my code back', run: () => replaceLessonCode(before, 'Your code is back in the editor.') }] });
}

export function useSolution(): void {
  const lesson = openLessonOf(store.get());
  if (lesson) replaceLessonCode(lesson.solutionText, 'The solution is in the editor now, in place of your code.');
}

export function resetToStarter(): void {
  const lesson = openLessonOf(store.get());
  if (lesson) replaceLessonCode(lesson.starterText, 'The starter is in the editor again, in place of your code.');
}

/** Shows a line of the lesson's code in the editor (a check pinned to it). */
export function revealLessonLine(line: number): void {
  revealInEditor(line, 1);
}

function saveLessonCode(id: string, source: string): void {
  if (pendingCode?.id === id) pendingCode = undefined;
  if (!storage) return;
  const r = writeCode(storage, id, source);
  if (r.ok) store.dismissKey(`${CODE_NOTICE}-save`);
  else store.notify('warning', `Your code for this lesson is not saved: ${r.error}. It stays in the editor while this page is open; Save .bpf.s keeps a copy.`, { key: `${CODE_NOTICE}-save`, sticky: true });
}

/** Saves the learner's pending edit now (before something else opens, or the page goes away). */
export function flushLessonCode(): void {
  if (saveTimer !== undefined) clearTimeout(saveTimer);
  saveTimer = undefined;
  const p = pendingCode;
  pendingCode = undefined;
  if (p) saveLessonCode(p.id, p.source);
}

function scheduleLessonCode(id: string, source: string): void {
  if (pendingCode && pendingCode.id !== id) flushLessonCode();
  pendingCode = { id, source };
  if (saveTimer !== undefined) clearTimeout(saveTimer);
  saveTimer = setTimeout(flushLessonCode, SAVE_DELAY_MS);
}

/**
 * Starts the lessons: reads the progress (an unreadable record is set aside and said), then
 * saves the learner's edits to the open lesson's code, and closes the lesson when another
 * document replaces its code. Returns the unsubscribe.
 */
export function startLessons(st: Storage): () => void {
  storage = st;
  const read = readProgress(st);
  if (read.kind === 'corrupt') {
    store.notify('warning', `Your lesson progress could not be read (${read.error}); ${read.rescued ? 'it was set aside, not deleted, and' : ''} the lessons start afresh.`, { key: PROGRESS_NOTICE, sticky: true });
  }
  store.set({ course: { ...NO_COURSE, ...course(), progress: read.kind === 'ok' ? read.progress : {} } });
  return useStore.subscribe((s, prev) => {
    const open = s.course.open;
    if (!open) return;
    if (s.docVersion !== open.docVersion) {
      // Something else opened in place of the lesson's code: the lesson closes, its code kept.
      flushLessonCode();
      store.set({ course: { ...s.course, open: undefined, pane: s.course.pane === 'lesson' ? 'closed' : s.course.pane, check: undefined, solution: false } });
      return;
    }
    if (s.doc.source !== prev.doc.source && s.docVersion === prev.docVersion) {
      scheduleLessonCode(open.id, s.doc.source);
      // After Share put a link in the address bar, the next edit puts the lesson's back.
      setAddress(lessonHash(open.id));
    }
  });
}

/** Forgets everything (tests). */
export function resetLessons(): void {
  if (saveTimer !== undefined) clearTimeout(saveTimer);
  saveTimer = undefined;
  pendingCode = undefined;
  catalogLoad = undefined;
  storage = undefined;
  store.set({ course: NO_COURSE });
}
