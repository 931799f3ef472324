// Reads the lessons from a folder (public/lessons/<track>/<id>/lesson.json and the files it
// names) in Node: for `bpfp lesson`, the tests, and the build, which puts them in one index for
// the browser. A folder that is not a valid lesson is reported, never thrown.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseLesson, TRACKS, type Lesson } from './spec.ts';

/** A lesson with the paths of its files. */
export interface LessonOnDisk extends Lesson {
  readonly dir: string;
  readonly starterPath: string;
  readonly solutionPath: string;
}

export interface LessonsOnDisk {
  readonly lessons: readonly LessonOnDisk[];
  /** Folders that are not valid lessons, with why. */
  readonly errors: readonly string[];
}

/** The lessons folder of this checkout (public/lessons beside package.json). */
export function defaultLessonsDir(): string {
  return resolve(new URL('../../public/lessons', import.meta.url).pathname);
}

/** Every lesson under `root`, in track order then their `order`. */
export function loadLessonsFrom(root: string): LessonsOnDisk {
  const lessons: LessonOnDisk[] = [];
  const errors: string[] = [];
  if (!existsSync(root)) return { lessons, errors: [`${root}: no such folder`] };
  for (const track of readdirSync(root).sort()) {
    const trackDir = join(root, track);
    if (!statSync(trackDir).isDirectory()) continue;
    for (const id of readdirSync(trackDir).sort()) {
      const dir = join(trackDir, id);
      if (!statSync(dir).isDirectory()) continue;
      const file = join(dir, 'lesson.json');
      try {
        const parsed = parseLesson(JSON.parse(readFileSync(file, 'utf8')), id);
        if (!parsed.ok) {
          errors.push(`${file}: ${parsed.error}`);
          continue;
        }
        if (parsed.spec.track !== track) {
          errors.push(`${file}: its track is '${parsed.spec.track}' but it sits in ${track}/`);
          continue;
        }
        const starterPath = join(dir, parsed.spec.starter);
        const solutionPath = join(dir, parsed.spec.solution);
        lessons.push({ spec: parsed.spec, dir, starterPath, solutionPath, starterText: readFileSync(starterPath, 'utf8'), solutionText: readFileSync(solutionPath, 'utf8') });
      } catch (e) {
        errors.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  const ids = new Set<string>();
  for (const l of lessons) {
    if (ids.has(l.spec.id)) errors.push(`${l.dir}: the id '${l.spec.id}' is taken`);
    ids.add(l.spec.id);
  }
  const rank = (t: string): number => TRACKS.findIndex((x) => x.id === t);
  lessons.sort((a, b) => rank(a.spec.track) - rank(b.spec.track) || a.spec.order - b.spec.order);
  return { lessons, errors };
}
