// The harness checks itself: a case that never returns is stopped and recorded as a hang (and
// the rest of its chunk still runs), a throw is an exception, an object where a message belongs
// is non-text, and the message walk flags what it should and nothing else.

import { afterAll, describe, expect, it } from 'vitest';
import { inspectAnswer, inspectLines } from './inspect.ts';
import { Pool } from './pool.ts';

describe('fuzz harness', () => {
  const pool = new Pool(1, 300);
  afterAll(() => pool.close());

  it('stops a case that never returns, and goes on with the rest of its chunk', async () => {
    const r = await pool.run('harness-selftest', 1, 3);
    expect(r.cases).toBe(3);
    const kinds = r.findings.map((f) => `${f.index}:${f.kind}`).sort();
    expect(kinds).toEqual(['0:hang', '1:exception', '2:non-text']);
    expect(r.findings.find((f) => f.index === 1)?.detail).toMatch(/^RangeError: thrown on purpose/);
  }, 60_000);

  it('flags messages that are not text, empty, stringified objects, internal errors; leaves user data alone', () => {
    const kinds = (v: unknown): string[] => inspectAnswer(v).map((f) => `${f.kind} ${f.detail.split(' ')[0]?.replace(/:$/, '') ?? ''}`);
    expect(kinds({ diagnostics: [{ message: String }] })).toEqual(['non-text diagnostics[0].message']);
    expect(kinds({ errors: ['', 'fine'] })).toEqual(['non-text errors[0]']);
    expect(kinds({ error: "unknown mnemonic 'function Object() { [native code] }'" })).toEqual(['non-text error']);
    expect(kinds({ load: { problems: [{ message: 'internal error while loading: x' }] } })).toEqual(['internal load.problems[0].message']);
    expect(kinds({ error: null, stopped: undefined, problems: [{ message: 'pc 3: invalid opcode' }] })).toEqual([]);
    expect(kinds({ doc: { message: 5 }, scenario: { error: {} } })).toEqual([]);
    expect(kinds({ problems: [{ message: 'function pointer to insn 9 is out of range' }] })).toEqual([]);
    expect(inspectLines('stderr', ['x.s:1:1: error: [object Object]', 'bpfp: internal error: boom', 'ok']).map((f) => f.kind)).toEqual(['non-text', 'internal']);
  });
});
