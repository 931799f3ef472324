// The C view's model, read back from the assembly made of real clang-built objects.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// The test reads the objects as the worker does (the app itself only calls it through the client).
// eslint-disable-next-line no-restricted-imports
import { Session } from '../../engine/worker/session.ts';
import { tokenizeC } from '../editor/c-tokens.ts';
import { cDigest, cLineOfAsm, cViewOf, cViewState, hasBreakpoint, stepStops, toggleCBreakpoint } from './c-view.ts';
import { objectSource } from '../../engine/asm/index.ts';

const DIR = fileURLToPath(new URL('../../public/examples/c/', import.meta.url));

function opened(name: string): { text: string; c: string } {
  const r = new Session().openObject(new Uint8Array(readFileSync(join(DIR, `${name}.o`))));
  if (!r.ok) throw new Error(r.error);
  return { text: objectSource(`${name}.o`, r).text, c: readFileSync(join(DIR, `${name}.c`), 'utf8') };
}

describe('the C view of an object', () => {
  const { text, c } = opened('cpumask-set-clear');
  const asm = text.split('\n');

  it('puts every instruction under the C line its comment names, in order', () => {
    const m = cViewOf(text, 'cpumask-set-clear.c');
    if (!m) throw new Error('no C view');
    expect(m.file).toBe('cpumask-set-clear.c');
    const create = m.lines[35];
    expect(create?.text).toBe('cpumask = bpf_cpumask_create();');
    expect(create?.asm.map((l) => asm[l - 1]?.trim())).toEqual(['call bpf_cpumask_create', 'r6 = r0']);
    // Each instruction line of the text has exactly one C line (or none).
    const instructions = asm.flatMap((l, i) => (/^\s+[^#\s.]/.test(l) ? [i + 1] : []));
    const covered = [...m.lines, ...m.others].flatMap((l) => l.asm);
    expect(new Set(covered).size).toBe(covered.length);
    expect(covered.length + m.uncovered).toBe(instructions.length);
    expect(m.covered).toBe(covered.length);
    for (const l of covered) expect(cLineOfAsm(m, l)?.asm).toContain(l);
  });

  it('shows the whole .c file when it is given, and only the lines with instructions otherwise', () => {
    const whole = cViewOf(text, 'cpumask-set-clear.c', c);
    const known = cViewOf(text);
    expect(whole?.lines.length).toBe(c.replace(/\n$/, '').split('\n').length);
    expect(whole?.lines[0]?.text).toBe('// SPDX-License-Identifier: GPL-2.0');
    expect(known?.lines[0]?.text).toBeUndefined();
    expect(known?.lines[35]?.text).toBe('cpumask = bpf_cpumask_create();');
    // The file's own text keeps its indentation.
    expect(whole?.lines[35]?.text).toBe('\tcpumask = bpf_cpumask_create();');
  });

  it('sets a breakpoint on a C line at the first instruction of each of its groups, and clears it from all of them', () => {
    const m = cViewOf(text);
    const line = m?.lines[39];
    if (!line) throw new Error('no line 40');
    const on = toggleCBreakpoint(line, [3]);
    expect(on).toEqual([3, ...line.starts].sort((a, b) => a - b));
    expect(hasBreakpoint(line, on)).toBe(true);
    // A breakpoint set on any of its instructions (in the assembly) is cleared too.
    expect(toggleCBreakpoint(line, [3, ...line.asm])).toEqual([3]);
    const idle = m?.lines[27];
    expect(idle?.asm).toEqual([]);
    expect(idle && toggleCBreakpoint(idle, [3])).toEqual([3]);
  });

  it('steps to the first instruction of any group of another line', () => {
    const m = cViewOf(text);
    if (!m) throw new Error('no C view');
    const from = m.lines[39];
    const stops = stepStops(m, from);
    for (const s of from?.starts ?? []) expect(stops).not.toContain(s);
    expect(stops).toContain(m.lines[40]?.starts[0]);
    expect(stops).toEqual([...stops].sort((a, b) => a - b));
  });

  it('is offered while the text is the one opened', () => {
    const info = { file: 'cpumask-set-clear.c', digest: cDigest(text), view: 'c' as const };
    expect(cViewState({ source: text, c: info })?.available).toBe(true);
    expect(cViewState({ source: `${text}\n  r0 = 0`, c: info })?.available).toBe(false);
    expect(cViewState({ source: text })).toBeUndefined();
    expect(cDigest('a')).not.toBe(cDigest('b'));
    expect(cDigest('')).toMatch(/^[0-9a-f]{8}$/);
  });

  it('has no C view for assembly without C comments', () => {
    expect(cViewOf('.section xdp\n  r0 = 2\n  exit\n')).toBeUndefined();
  });

  it('keeps lines of headers apart from the file shown', () => {
    const m = cViewOf('.section xdp\n  # prog.c:3: int x = f();\n  r0 = 1\n  # helpers.h:10: return 2;\n  r0 += 2\n  # prog.c:4: return x;\n  exit\n');
    expect(m?.file).toBe('prog.c');
    expect(m?.lines.map((l) => l.asm)).toEqual([[], [], [3], [7]]);
    expect(m?.others.map((l) => [l.file, l.line, l.asm])).toEqual([['helpers.h', 10, [5]]]);
  });
});

describe('the C highlighter', () => {
  it('colors keywords, types, calls, members, numbers, strings and comments', () => {
    const { spans, state } = tokenizeC('\tif (!bpf_cpumask_test_cpu(0, task->cpus_ptr)) /* no */ return "x"; // done', 'code');
    const of = (type: string) => spans.filter((s) => s.type === type).map((s) => s.text);
    expect(of('keyword')).toEqual(['if', 'return']);
    expect(of('function')).toEqual(['bpf_cpumask_test_cpu']);
    expect(of('field')).toEqual(['cpus_ptr']);
    expect(of('number')).toEqual(['0']);
    expect(of('string')).toEqual(['"x"']);
    expect(of('comment')).toEqual(['/* no */', '// done']);
    expect(spans.map((s) => s.text).join('')).toBe('\tif (!bpf_cpumask_test_cpu(0, task->cpus_ptr)) /* no */ return "x"; // done');
    expect(state).toBe('code');
  });

  it('carries a block comment across lines, and takes a preprocessor line whole', () => {
    const a = tokenizeC('int x; /* begins', 'code');
    expect(a.state).toBe('comment');
    const b = tokenizeC('still */ u32 y;', a.state);
    expect(b.spans[0]).toEqual({ type: 'comment', text: 'still */' });
    expect(b.spans.find((s) => s.text === 'u32')?.type).toBe('type');
    expect(tokenizeC('#include <bpf/bpf_helpers.h>', 'code').spans).toEqual([{ type: 'directive', text: '#include <bpf/bpf_helpers.h>' }]);
  });

  it('gives back every character of any line (seeded)', () => {
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const alphabet = 'ab_1x0 \t"\'/*#()[]{};,.-><=!&|^~?:\\é';
    for (let n = 0; n < 2000; n++) {
      const line = Array.from({ length: next() % 40 }, () => alphabet[next() % alphabet.length]).join('');
      const r = tokenizeC(line, next() % 2 ? 'code' : 'comment');
      expect(r.spans.map((s) => s.text).join('')).toBe(line);
    }
  });
});
