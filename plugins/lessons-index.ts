// The lessons index for the browser: every lesson under public/lessons (each folder a lesson.json
// beside its starter and solution, read by engine/lessons/load-dir.ts) as one JSON file at
// `lessons/index.json`, so a new lesson is a new folder and no code changes. The dev server
// builds it on each request (a lesson written a moment ago is there on the next reload); the
// build emits it as an asset. Folders that are not valid lessons are left out, with a warning.

import type { Plugin } from 'vite';
import { loadLessonsFrom } from '../engine/lessons/load-dir.ts';
import type { LessonSpec } from '../engine/lessons/spec.ts';

/** Where the index is served, relative to the site's base. */
export const LESSONS_INDEX_PATH = 'lessons/index.json';
export const LESSONS_INDEX_VERSION = 1;

/** What the browser fetches: each lesson's spec and the texts of its starter and solution. */
export interface LessonsIndex {
  readonly version: number;
  readonly lessons: readonly { readonly spec: LessonSpec; readonly starterText: string; readonly solutionText: string }[];
}

/** The index of the lessons in `dir`, and the folders left out (with why). */
export function buildLessonsIndex(dir: string): { json: string; errors: readonly string[] } {
  const { lessons, errors } = loadLessonsFrom(dir);
  const index: LessonsIndex = { version: LESSONS_INDEX_VERSION, lessons: lessons.map((l) => ({ spec: l.spec, starterText: l.starterText, solutionText: l.solutionText })) };
  return { json: JSON.stringify(index), errors };
}

export function lessonsIndex(dir: string): Plugin {
  let base = '/';
  return {
    name: 'bpfp-lessons-index',
    configResolved(config) {
      base = config.base.endsWith('/') ? config.base : `${config.base}/`;
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0];
        if (path !== `${base}${LESSONS_INDEX_PATH}`) return next();
        const { json, errors } = buildLessonsIndex(dir);
        for (const e of errors) server.config.logger.warn(`lessons: ${e}`, { timestamp: true });
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('Cache-Control', 'no-store');
        res.end(json);
      });
    },
    generateBundle() {
      const { json, errors } = buildLessonsIndex(dir);
      for (const e of errors) this.warn(`lessons: ${e}`);
      this.emitFile({ type: 'asset', fileName: LESSONS_INDEX_PATH, source: json });
    },
  };
}
