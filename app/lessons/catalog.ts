// The graded lessons, as the site serves them: `lessons/index.json` (made from public/lessons by
// plugins/lessons-index.ts, so a new lesson is a new folder), fetched once when a lesson or the
// index is first wanted. Every entry is checked with the engine's own parseLesson: an entry that
// is not a lesson is left out and named (the index says so), never a crash.

import { parseLesson, TRACKS, type LessonKind, type LessonSpec, type TrackId } from '../../engine/lessons/spec.ts';
import { describeValue, isPlainObject } from '../state/document.ts';

export { TRACKS, type LessonKind, type LessonSpec, type TrackId };

/** One lesson as the playground holds it. */
export interface CatalogLesson {
  readonly spec: LessonSpec;
  readonly starterText: string;
  readonly solutionText: string;
}

export interface Catalog {
  readonly status: 'idle' | 'loading' | 'ready' | 'failed';
  /** In track order, then each track's order. */
  readonly lessons: readonly CatalogLesson[];
  /** Entries left out, each with why. */
  readonly skipped: readonly string[];
  /** Why the index could not be had (status 'failed'). */
  readonly error?: string;
}

export const EMPTY_CATALOG: Catalog = Object.freeze({ status: 'idle', lessons: Object.freeze([]), skipped: Object.freeze([]) });

/** Where the index is, relative to the site's base. */
export const LESSONS_INDEX = 'lessons/index.json';

export const KIND_NAMES: Readonly<Record<LessonKind, string>> = { write: 'write', fix: 'fix', 'spot-the-bug': 'spot the bug' };

/** Reads an index (already parsed JSON) of any shape: the valid lessons, and what was left out. */
export function readLessonsIndex(x: unknown): { readonly lessons: readonly CatalogLesson[]; readonly skipped: readonly string[] } {
  if (!isPlainObject(x) || !Array.isArray(x.lessons)) return { lessons: [], skipped: [`the lessons index is ${describeValue(x)}, not a list of lessons`] };
  const lessons: CatalogLesson[] = [];
  const skipped: string[] = [];
  const ids = new Set<string>();
  for (const [i, e] of x.lessons.entries()) {
    const name = isPlainObject(e) && isPlainObject(e.spec) && typeof e.spec.id === 'string' ? `“${e.spec.id.slice(0, 64)}”` : `entry ${i + 1}`;
    if (!isPlainObject(e)) {
      skipped.push(`${name}: it is ${describeValue(e)}`);
      continue;
    }
    const parsed = parseLesson(e.spec);
    if (!parsed.ok) {
      skipped.push(`${name}: ${parsed.error}`);
      continue;
    }
    if (typeof e.starterText !== 'string' || typeof e.solutionText !== 'string') {
      skipped.push(`${name}: its starter or solution text is missing`);
      continue;
    }
    if (ids.has(parsed.spec.id)) {
      skipped.push(`${name}: the id is taken by an earlier lesson`);
      continue;
    }
    ids.add(parsed.spec.id);
    lessons.push({ spec: parsed.spec, starterText: e.starterText, solutionText: e.solutionText });
  }
  const rank = (t: TrackId): number => TRACKS.findIndex((x) => x.id === t);
  lessons.sort((a, b) => rank(a.spec.track) - rank(b.spec.track) || a.spec.order - b.spec.order);
  return { lessons, skipped };
}

/** Fetches and reads the index under `base` (import.meta.env.BASE_URL); never throws. */
export async function fetchLessonsIndex(base: string, fetcher: typeof fetch = fetch): Promise<Catalog> {
  const url = `${base.endsWith('/') ? base : `${base}/`}${LESSONS_INDEX}`;
  try {
    const res = await fetcher(url, { cache: 'no-cache' });
    if (!res.ok) return { ...EMPTY_CATALOG, status: 'failed', error: `the lessons index could not be fetched (HTTP ${res.status})` };
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      return { ...EMPTY_CATALOG, status: 'failed', error: 'the lessons index is not JSON' };
    }
    const { lessons, skipped } = readLessonsIndex(json);
    return { status: 'ready', lessons, skipped };
  } catch (e) {
    return { ...EMPTY_CATALOG, status: 'failed', error: `the lessons index could not be fetched (${e instanceof Error ? e.message : String(e)})` };
  }
}

/** The lessons of each track, tracks in their order (empty tracks left out). */
export function lessonsByTrack(lessons: readonly CatalogLesson[]): { readonly id: TrackId; readonly title: string; readonly lessons: readonly CatalogLesson[] }[] {
  return TRACKS.map((t) => ({ id: t.id, title: t.title, lessons: lessons.filter((l) => l.spec.track === t.id) })).filter((t) => t.lessons.length > 0);
}

/** `#lesson` (the index) or `#lesson/<id>` (one lesson); undefined for any other hash. */
export function lessonLink(hash: string): { readonly id?: string } | undefined {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (h === 'lesson' || h === 'lesson/' || h === 'lessons') return {};
  const m = /^lessons?\/([A-Za-z0-9][A-Za-z0-9-]{0,63})\/?$/.exec(h);
  return m?.[1] ? { id: m[1].toLowerCase() } : undefined;
}

export function lessonHash(id?: string): string {
  return id ? `#lesson/${id}` : '#lesson';
}
