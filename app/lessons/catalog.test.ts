// The lessons index: the one the build makes from public/lessons is read whole by the browser's
// reader (every lesson there is valid, in track order); a bad entry is left out and named, never
// a crash; and the `#lesson` links.

import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { buildLessonsIndex } from '../../plugins/lessons-index.ts';
import { fetchLessonsIndex, lessonHash, lessonLink, lessonsByTrack, readLessonsIndex, TRACKS } from './catalog.ts';

const DIR = fileURLToPath(new URL('../../public/lessons', import.meta.url));

describe('the lessons index', () => {
  it('holds every lesson of public/lessons, and the browser reads each of them', () => {
    const { json } = buildLessonsIndex(DIR);
    const read = readLessonsIndex(JSON.parse(json));
    expect(read.skipped).toEqual([]);
    expect(read.lessons.length).toBeGreaterThan(0);
    expect(read.lessons.map((l) => l.spec.id)).toContain('registers-and-exit');
    const ranks = read.lessons.map((l) => TRACKS.findIndex((t) => t.id === l.spec.track) * 1000 + l.spec.order);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    for (const l of read.lessons) expect(l.starterText.length, l.spec.id).toBeGreaterThan(0);
  });

  it('leaves out entries that are not lessons, and says which and why', () => {
    const good = JSON.parse(buildLessonsIndex(DIR).json).lessons[0];
    const read = readLessonsIndex({
      version: 1,
      lessons: [good, null, { spec: { ...good.spec, id: 'Bad Id' }, starterText: '', solutionText: '' }, { spec: good.spec }, { ...good }, { spec: { ...good.spec, id: 'x', track: 'nowhere' }, starterText: '', solutionText: '' }],
    });
    expect(read.lessons).toHaveLength(1);
    expect(read.skipped).toHaveLength(5);
    expect(read.skipped.join('\n')).toMatch(/entry 2: it is null/);
    expect(read.skipped.join('\n')).toMatch(/id must be/);
    expect(read.skipped.join('\n')).toMatch(/starter or solution text is missing/);
    expect(read.skipped.join('\n')).toMatch(/the id is taken/);
    expect(read.skipped.join('\n')).toMatch(/track must be/);
    for (const x of [null, 1, 'x', [], { lessons: 3 }]) expect(readLessonsIndex(x).lessons).toEqual([]);
  });

  it('groups lessons by track, in the tracks’ order', () => {
    const read = readLessonsIndex(JSON.parse(buildLessonsIndex(DIR).json));
    const tracks = lessonsByTrack(read.lessons);
    expect(tracks.map((t) => t.id)).toEqual(TRACKS.map((t) => t.id).filter((id) => read.lessons.some((l) => l.spec.track === id)));
  });

  it('fetches relative to the base and never throws', async () => {
    const seen: string[] = [];
    const ok = await fetchLessonsIndex('/play/', async (url) => {
      seen.push(String(url));
      return new Response(buildLessonsIndex(DIR).json);
    });
    expect(seen).toEqual(['/play/lessons/index.json']);
    expect(ok.status).toBe('ready');
    expect((await fetchLessonsIndex('/', async () => new Response('nope', { status: 404 }))).error).toMatch(/HTTP 404/);
    expect((await fetchLessonsIndex('/', async () => new Response('{'))).error).toMatch(/not JSON/);
    expect((await fetchLessonsIndex('/', () => Promise.reject(new Error('offline')))).error).toMatch(/offline/);
  });

  it('reads #lesson links', () => {
    expect(lessonLink('#lesson')).toEqual({});
    expect(lessonLink('#lesson/registers-and-exit')).toEqual({ id: 'registers-and-exit' });
    expect(lessonLink('lesson/Null-Checks/')).toEqual({ id: 'null-checks' });
    for (const h of ['', '#', '#v1/abc', '#example/hello', '#lesson/', '#lesson/a b', '#lesson/../x', '#lessonx']) expect(lessonLink(h), h).toEqual(h === '#lesson/' ? {} : undefined);
    expect(lessonHash('x')).toBe('#lesson/x');
    expect(lessonHash()).toBe('#lesson');
  });
});
