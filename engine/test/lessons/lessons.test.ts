// Every lesson of public/lessons graded as Check grades it: its reference solution passes, its
// starter does not (a "fix" or "spot the bug" starter is refused by the verifier with the
// message the lesson names), and each of its wrong answers — the mistake the lesson is about —
// fails with a message that names the mistake. LESSON=<id> runs one lesson.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gradeLesson } from '../../lessons/grader.ts';
import { defaultLessonsDir, loadLessonsFrom } from '../../lessons/load-dir.ts';
import { TRACKS } from '../../lessons/spec.ts';

const { lessons, errors } = loadLessonsFrom(defaultLessonsDir());
const only = process.env['LESSON'];
const chosen = only ? lessons.filter((l) => l.spec.id === only) : lessons;

const failures = (r: ReturnType<typeof gradeLesson>): string =>
  r.checks
    .filter((c) => !c.passed)
    .map((c) => `${c.name}: ${c.message}${c.line ? ` (line ${c.line})` : ''}`)
    .join('\n');

describe('the lessons', () => {
  it('are all valid lesson folders', () => {
    expect(errors).toEqual([]);
  });

  it.skipIf(only !== undefined)('are at least 24, in the four tracks', () => {
    expect(lessons.length).toBeGreaterThanOrEqual(24);
    for (const t of TRACKS) expect(lessons.filter((l) => l.spec.track === t.id).length, t.id).toBeGreaterThanOrEqual(4);
    // Each track's order is 1, 2, 3, … without gaps.
    for (const t of TRACKS) {
      const orders = lessons.filter((l) => l.spec.track === t.id).map((l) => l.spec.order);
      expect(orders, t.id).toEqual(orders.map((_, i) => i + 1));
    }
  });
});

describe.each(chosen.map((l) => [l.spec.id, l] as const))('lesson %s', (_id, lesson) => {
  const spec = lesson.spec;
  it('passes its reference solution', () => {
    const r = gradeLesson(spec, lesson.solutionText);
    expect(failures(r)).toBe('');
    expect(r.passed).toBe(true);
  });

  it(`does not pass its starter${spec.grader.starterRefusal ? ', which the verifier refuses as the lesson says' : ''}`, () => {
    const r = gradeLesson(spec, lesson.starterText);
    expect(r.passed).toBe(false);
    if (spec.grader.starterRefusal) {
      // The verifier's refusal (at a line), or the load's (a prog_array slot a device-bound program cannot fill).
      const refusal = r.checks.find((c) => !c.passed && /(loads it|: loads)$/.test(c.name));
      expect(refusal?.message).toContain(spec.grader.starterRefusal);
      if (refusal?.name.endsWith('loads it')) expect(refusal.line).toBeGreaterThan(0);
    }
  });

  it.each(spec.wrong.map((w) => [w.file, w] as const))('fails the wrong answer %s with a message that names the mistake', (_file, w) => {
    const r = gradeLesson(spec, readFileSync(join(lesson.dir, w.file), 'utf8'));
    expect(r.passed, `${w.file} (${w.mistake}) passed`).toBe(false);
    const said = r.checks.filter((c) => !c.passed).map((c) => c.message);
    expect(said.some((m) => m.includes(w.expect)), `no failure says “${w.expect}”:\n${said.join('\n')}`).toBe(true);
  });
});
