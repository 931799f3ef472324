// The learner's progress and code in storage: read field by field (a bad entry dropped, bad
// numbers zero), an unreadable record set aside before anything can overwrite it, a Check's
// effect on the counts, and when the solution is offered.

import { describe, expect, it } from 'vitest';
import type { Storage } from '../state/storage.ts';
import { afterCheck, CODE_KEY_PREFIX, NO_PROGRESS, PROGRESS_CORRUPT_KEY, PROGRESS_KEY, readCode, readProgress, solutionOffered, writeCode, writeProgress } from './progress.ts';

function memory(): Storage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

describe('lesson progress', () => {
  it('round-trips, and reads a hostile record field by field', () => {
    const st = memory();
    expect(readProgress(st)).toEqual({ kind: 'ok', progress: {} });
    const p = afterCheck(afterCheck(NO_PROGRESS, false, 5), true, 9);
    expect(p).toEqual({ passed: true, tries: 2, failures: 1, hints: 0, solutionSeen: false, passedAt: 9 });
    expect(writeProgress(st, { a: p })).toEqual({ ok: true });
    expect(readProgress(st)).toEqual({ kind: 'ok', progress: { a: p } });
    st.setItem(PROGRESS_KEY, JSON.stringify({ version: 1, lessons: { ok: { passed: 'yes', tries: -3, failures: 1.5, hints: 1e12, __proto__: 1 }, 'Bad Id': { passed: true }, x: 7 } }));
    expect(readProgress(st)).toEqual({ kind: 'ok', progress: { ok: { passed: false, tries: 0, failures: 0, hints: 0, solutionSeen: false } } });
  });

  it('sets an unreadable record aside', () => {
    for (const raw of ['{', '[]', '{"version":9,"lessons":{}}', '{"version":1}']) {
      const st = memory();
      st.setItem(PROGRESS_KEY, raw);
      expect(readProgress(st), raw).toMatchObject({ kind: 'corrupt', rescued: true });
      expect(st.getItem(PROGRESS_CORRUPT_KEY)).toBe(raw);
    }
  });

  it('keeps code per lesson, and sets unreadable code aside', () => {
    const st = memory();
    expect(readCode(st, 'a')).toEqual({ kind: 'none' });
    writeCode(st, 'a', 'r0 = 1\n');
    expect(readCode(st, 'a')).toEqual({ kind: 'ok', source: 'r0 = 1\n' });
    st.setItem(`${CODE_KEY_PREFIX}b`, 'garbage');
    expect(readCode(st, 'b')).toEqual({ kind: 'corrupt', rescued: true });
    expect(st.getItem(`${CODE_KEY_PREFIX}b.corrupt`)).toBe('garbage');
  });

  it('offers the solution after three failed Checks, or once seen', () => {
    expect(solutionOffered({ ...NO_PROGRESS, failures: 2 })).toBe(false);
    expect(solutionOffered({ ...NO_PROGRESS, failures: 3 })).toBe(true);
    expect(solutionOffered({ ...NO_PROGRESS, solutionSeen: true })).toBe(true);
  });
});
