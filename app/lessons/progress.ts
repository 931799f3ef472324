// What a learner has done in the graded lessons, in localStorage under keys of their own — never
// in `bpfp.draft`, so no lesson can touch the user's draft and the draft's five kept documents
// are not pushed out by lessons:
//   `bpfp.lessons`            the progress of every lesson (versioned): passed, tries, failed
//                             Checks, hints revealed, whether the solution was shown;
//   `bpfp.lesson-code.<id>`   the learner's code for one lesson (the starter until the first edit).
// Every read and write answers with a value: an unreadable progress record is copied to
// `bpfp.lessons.corrupt` before anything can overwrite it, and a write the browser refuses
// (quota, private mode) leaves the progress in memory with the reason.

import { isPlainObject } from '../state/document.ts';
import { safeGet, safeSet, type SaveResult, type Storage } from '../state/storage.ts';

export const PROGRESS_KEY = 'bpfp.lessons';
export const PROGRESS_CORRUPT_KEY = 'bpfp.lessons.corrupt';
export const PROGRESS_VERSION = 1;
export const CODE_KEY_PREFIX = 'bpfp.lesson-code.';
/** Failed Checks after which the solution is offered. */
export const SOLUTION_AFTER_FAILURES = 3;

export interface LessonProgress {
  readonly passed: boolean;
  /** Checks run. */
  readonly tries: number;
  /** Checks that failed. */
  readonly failures: number;
  /** Hints revealed (the first `hints` of the lesson's). */
  readonly hints: number;
  /** The learner chose to see the solution. */
  readonly solutionSeen: boolean;
  /** When it first passed (ms since the epoch). */
  readonly passedAt?: number;
}

export type ProgressMap = Readonly<Record<string, LessonProgress>>;

export const NO_PROGRESS: LessonProgress = Object.freeze({ passed: false, tries: 0, failures: 0, hints: 0, solutionSeen: false });
export const EMPTY_PROGRESS: ProgressMap = Object.freeze({});

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const count = (x: unknown): number => (typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < 1e9 ? x : 0);

function entryOf(x: unknown): LessonProgress | undefined {
  if (!isPlainObject(x)) return undefined;
  const passedAt = typeof x.passedAt === 'number' && Number.isFinite(x.passedAt) && x.passedAt > 0 ? { passedAt: x.passedAt } : {};
  return { passed: x.passed === true, tries: count(x.tries), failures: count(x.failures), hints: Math.min(count(x.hints), 100), solutionSeen: x.solutionSeen === true, ...passedAt };
}

export type ProgressRead =
  | { readonly kind: 'ok'; readonly progress: ProgressMap }
  /** Unreadable: set aside under PROGRESS_CORRUPT_KEY (`rescued`, unless storage refused); the learner starts afresh in memory. */
  | { readonly kind: 'corrupt'; readonly error: string; readonly rescued: boolean };

/** Reads the progress of every lesson; an entry that is not one is dropped, an unreadable record set aside. */
export function readProgress(storage: Storage): ProgressRead {
  const raw = safeGet(storage, PROGRESS_KEY);
  if (raw === null) return { kind: 'ok', progress: EMPTY_PROGRESS };
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return corrupt(storage, raw, 'it is not JSON');
  }
  if (!isPlainObject(v) || !isPlainObject(v.lessons)) return corrupt(storage, raw, 'it is not a record of lessons');
  if (v.version !== PROGRESS_VERSION) return corrupt(storage, raw, `it has version ${String(v.version)}, not ${PROGRESS_VERSION}`);
  const progress: Record<string, LessonProgress> = {};
  for (const [id, e] of Object.entries(v.lessons)) {
    const p = ID.test(id) ? entryOf(e) : undefined;
    if (p) progress[id] = p;
  }
  return { kind: 'ok', progress };
}

function corrupt(storage: Storage, raw: string, error: string): ProgressRead {
  const rescued = safeGet(storage, PROGRESS_CORRUPT_KEY) === raw || safeSet(storage, PROGRESS_CORRUPT_KEY, raw).ok;
  return { kind: 'corrupt', error, rescued };
}

export function writeProgress(storage: Storage, progress: ProgressMap): SaveResult {
  const r = safeSet(storage, PROGRESS_KEY, JSON.stringify({ version: PROGRESS_VERSION, lessons: progress }));
  return r.ok ? { ok: true } : { ok: false, error: r.error };
}

export type CodeRead = { readonly kind: 'none' } | { readonly kind: 'ok'; readonly source: string } | { readonly kind: 'corrupt'; readonly rescued: boolean };

/** The learner's code for a lesson; an unreadable record is copied to `<key>.corrupt` first (the starter then opens). */
export function readCode(storage: Storage, id: string): CodeRead {
  const key = CODE_KEY_PREFIX + id;
  const raw = safeGet(storage, key);
  if (raw === null) return { kind: 'none' };
  try {
    const v: unknown = JSON.parse(raw);
    if (isPlainObject(v) && typeof v.source === 'string') return { kind: 'ok', source: v.source };
  } catch {
    // Unreadable: set aside below.
  }
  const aside = `${key}.corrupt`;
  return { kind: 'corrupt', rescued: safeGet(storage, aside) === raw || safeSet(storage, aside, raw).ok };
}

export function writeCode(storage: Storage, id: string, source: string, now = Date.now()): SaveResult {
  const r = safeSet(storage, CODE_KEY_PREFIX + id, JSON.stringify({ v: 1, source, savedAt: now }));
  return r.ok ? { ok: true } : { ok: false, error: r.error };
}

/** The progress after a Check. */
export function afterCheck(p: LessonProgress, passed: boolean, now = Date.now()): LessonProgress {
  return {
    ...p,
    tries: p.tries + 1,
    failures: p.failures + (passed ? 0 : 1),
    passed: p.passed || passed,
    ...(passed && !p.passed ? { passedAt: now } : {}),
  };
}

/** Whether "Show solution" is offered. */
export function solutionOffered(p: LessonProgress): boolean {
  return p.failures >= SOLUTION_AFTER_FAILURES || p.solutionSeen;
}
