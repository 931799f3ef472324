// Graded lessons through the app's own commands, against an in-memory localStorage, the site's
// lessons index (built from public/lessons, served by a stubbed fetch) and a fake grader: opening
// a lesson never touches the draft, its edits are saved with the lesson, Check counts tries and
// failures (the solution after three), hints are kept, another document closes the lesson with
// its code kept, a shared attempt is not saved until edited, and storage that fails is said.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fileURLToPath } from 'node:url';
import { buildLessonsIndex } from '../../plugins/lessons-index.ts';
import type { GradeResult } from '../../engine/worker/protocol.ts';
import type { CallResult } from '../engine-client/client.ts';
import { openExample } from '../commands.ts';
import { startLiveVerification, stopLiveVerification, type VerifyClient } from '../live-verify.ts';
import { DEFAULT_DOCUMENT } from '../state/document.ts';
import { DRAFT_KEY } from '../state/drafts.ts';
import type { Storage } from '../state/storage.ts';
import { isLessonDocument, store, useStore } from '../state/store.ts';
import { startWorkspace, watchEdits, flushSaves } from '../state/workspace.ts';
import { readLessonsIndex } from './catalog.ts';
import { checkLesson, flushLessonCode, openGradedLesson, resetLessons, revealHint, showSolution, startLessons, useSolution } from './graded.ts';
import { CODE_KEY_PREFIX, PROGRESS_KEY, readProgress } from './progress.ts';

class MemoryStorage implements Storage {
  readonly data = new Map<string, string>();
  full = false;
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (this.full) throw Object.assign(new Error('full'), { name: 'QuotaExceededError' });
    this.data.set(key, value);
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
}

const INDEX = buildLessonsIndex(fileURLToPath(new URL('../../public/lessons', import.meta.url))).json;
const LESSON = readLessonsIndex(JSON.parse(INDEX)).lessons.find((l) => l.spec.id === 'registers-and-exit');
if (!LESSON) throw new Error('registers-and-exit is missing from public/lessons');
const DRAFT = '# my draft\nr0 = 1\nexit\n';

const FAILED: GradeResult = { passed: false, checks: [{ name: 'assembles', passed: true, message: 'raw: 2 instructions' }, { name: 'a 10-byte input: r0', passed: false, message: 'r0 is 0x0 (0), expected 0x15 (21)', line: 4 }] };
const PASSED: GradeResult = { passed: true, checks: [{ name: 'assembles', passed: true, message: 'ok' }] };

let grades: GradeResult[] = [];
const client: VerifyClient = {
  verify: () => new Promise(() => undefined),
  counterexample: () => new Promise(() => undefined),
  gradeLesson: (): Promise<CallResult<GradeResult>> => Promise.resolve({ ok: true, value: grades.shift() ?? PASSED }),
};

const initial = useStore.getState();
let st: MemoryStorage;
let stops: (() => void)[] = [];

beforeEach(() => {
  useStore.setState(initial, true);
  resetLessons();
  vi.stubGlobal('fetch', () => Promise.resolve(new Response(INDEX)));
  st = new MemoryStorage();
  st.setItem(DRAFT_KEY, JSON.stringify({ version: 2, own: { doc: { ...DEFAULT_DOCUMENT, source: DRAFT }, savedAt: 1 }, opened: [], active: 'own' }));
  startWorkspace(st, { kind: 'ok', workspace: { own: { doc: { ...DEFAULT_DOCUMENT, source: DRAFT }, savedAt: 1 }, opened: [], active: 'own' }, dropped: [] }, 0);
  store.openDocument({ ...DEFAULT_DOCUMENT, source: DRAFT }, 'draft');
  stops = [watchEdits(), startLessons(st)];
  startLiveVerification(client);
  grades = [];
});

afterEach(() => {
  for (const s of stops) s();
  stopLiveVerification();
  vi.unstubAllGlobals();
});

const draftOf = (): string => JSON.parse(st.getItem(DRAFT_KEY) ?? '{}').own.doc.source;

describe('graded lessons', () => {
  it('open with the starter, save edits with the lesson, and never touch the draft', async () => {
    const before = st.getItem(DRAFT_KEY);
    expect(await openGradedLesson('registers-and-exit')).toBe(true);
    expect(store.get().doc.source).toBe(LESSON.starterText);
    expect(isLessonDocument(store.get())).toBe(true);
    expect(store.get().course.pane).toBe('lesson');
    store.updateDocument({ source: `${LESSON.starterText}# mine\n` });
    flushSaves();
    flushLessonCode();
    expect(st.getItem(DRAFT_KEY)).toBe(before);
    expect(JSON.parse(st.getItem(`${CODE_KEY_PREFIX}registers-and-exit`) ?? '{}').source).toBe(`${LESSON.starterText}# mine\n`);
    // Another document closes the lesson; its code comes back with it.
    openExample('hello');
    expect(store.get().course.open).toBeUndefined();
    expect(store.get().course.pane).toBe('closed');
    await openGradedLesson('registers-and-exit');
    expect(store.get().doc.source).toBe(`${LESSON.starterText}# mine\n`);
    expect(draftOf()).toBe(DRAFT);
  });

  it('counts Checks, keeps hints, and offers the solution after three failures', async () => {
    await openGradedLesson('registers-and-exit');
    grades = [FAILED, FAILED, FAILED, PASSED];
    await checkLesson();
    expect(store.get().course.check?.result).toEqual(FAILED);
    showSolution(true);
    expect(store.get().course.solution).toBe(false);
    await checkLesson();
    await checkLesson();
    revealHint();
    revealHint();
    showSolution(true);
    expect(store.get().course.solution).toBe(true);
    useSolution();
    expect(store.get().doc.source).toBe(LESSON.solutionText);
    expect(isLessonDocument(store.get())).toBe(true);
    expect(store.get().notices.at(-1)?.actions.map((a) => a.label)).toEqual(['Put my code back']);
    await checkLesson();
    const read = readProgress(st);
    expect(read.kind === 'ok' && read.progress['registers-and-exit']).toMatchObject({ passed: true, tries: 4, failures: 3, hints: 2, solutionSeen: true });
    expect(draftOf()).toBe(DRAFT);
  });

  it('a shared attempt opens with its code, saved only once edited', async () => {
    await openGradedLesson('registers-and-exit', { source: '.section raw\nr0 = 2\nexit\n' });
    expect(store.get().doc.source).toBe('.section raw\nr0 = 2\nexit\n');
    expect(store.get().notices.at(-1)?.text).toMatch(/shared attempt/);
    flushLessonCode();
    expect(st.getItem(`${CODE_KEY_PREFIX}registers-and-exit`)).toBeNull();
    store.updateDocument({ source: '.section raw\nr0 = 3\nexit\n' });
    flushLessonCode();
    expect(st.getItem(`${CODE_KEY_PREFIX}registers-and-exit`)).toContain('r0 = 3');
  });

  it('an unknown lesson opens the index and says so', async () => {
    expect(await openGradedLesson('no-such-lesson')).toBe(false);
    expect(store.get().course.pane).toBe('index');
    expect(store.get().notices.at(-1)?.text).toMatch(/no lesson 'no-such-lesson'/);
  });

  it('storage that refuses keeps the progress and code in memory and says so', async () => {
    await openGradedLesson('registers-and-exit');
    st.full = true;
    grades = [FAILED];
    await checkLesson();
    expect(store.get().course.progress['registers-and-exit']?.tries).toBe(1);
    expect(store.get().notices.some((n) => /lesson progress is not saved: the browser's storage for this site is full/.test(n.text))).toBe(true);
    store.updateDocument({ source: 'r0 = 5\n' });
    flushLessonCode();
    expect(store.get().notices.some((n) => /code for this lesson is not saved/.test(n.text))).toBe(true);
    expect(store.get().doc.source).toBe('r0 = 5\n');
    st.full = false;
    revealHint();
    expect(store.get().notices.some((n) => /lesson progress is not saved/.test(n.text))).toBe(false);
    expect(st.getItem(PROGRESS_KEY)).toContain('"tries":1');
  });

  it('unreadable progress is set aside and the lessons start afresh', () => {
    const other = new MemoryStorage();
    other.setItem(PROGRESS_KEY, '{oops');
    stops.push(startLessons(other));
    expect(other.getItem(`${PROGRESS_KEY}.corrupt`)).toBe('{oops');
    expect(store.get().course.progress).toEqual({});
    expect(store.get().notices.at(-1)?.text).toMatch(/could not be read/);
  });
});
