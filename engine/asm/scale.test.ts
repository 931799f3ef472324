// The assembler's work stays linear in its input (issue 11, finding 6): diagnostics are capped,
// "did you mean" searches are bounded, and name lookups do not rescan lists. Work is counted,
// never timed: the "did you mean" work through AssembleOptions.work, list scans by counting the
// elements Array.prototype methods visit during one assembly. Ten times the input may cost at
// most twelve times the work.

import { afterEach, describe, expect, it } from 'vitest';
import { DiagnosticSink, MAX_DIAGNOSTICS, MAX_DIAGNOSTICS_PER_LINE } from './diagnostic-sink.ts';
import { assemble, type AssembleOptions } from './index.ts';
import { HINT_BUDGET, type SuggestionWork } from './symbols.ts';

const lines = (n: number, line: (i: number) => string): string => Array.from({ length: n }, (_, i) => line(i)).join('\n');
const MiB = 1 << 20;

type Method = 'find' | 'findIndex' | 'findLast' | 'findLastIndex' | 'some' | 'every' | 'filter' | 'map' | 'flatMap' | 'forEach' | 'reduce' | 'indexOf' | 'includes' | 'slice';
const METHODS: readonly Method[] = ['find', 'findIndex', 'findLast', 'findLastIndex', 'some', 'every', 'filter', 'map', 'flatMap', 'forEach', 'reduce', 'indexOf', 'includes', 'slice'];
const originals = new Map(METHODS.map((m) => [m, Array.prototype[m]]));

function restoreArrays(): void {
  for (const [m, f] of originals) Object.defineProperty(Array.prototype, m, { value: f, writable: true, configurable: true });
}
afterEach(restoreArrays);

/** Elements visited by Array.prototype searches and copies while `run` runs (synchronously). */
function arrayWork(run: () => void): number {
  let visited = 0;
  for (const [m, f] of originals) {
    const counted = function (this: unknown[], ...args: unknown[]): unknown {
      const result: unknown = Reflect.apply(f, this, args);
      // Searches may stop early; charging the whole array is an upper bound, and an honest one
      // for a search that misses. slice is charged what it copies.
      visited += m === 'slice' ? (result as unknown[]).length : this.length;
      return result;
    };
    Object.defineProperty(Array.prototype, m, { value: counted, writable: true, configurable: true });
  }
  try {
    run();
  } finally {
    restoreArrays();
  }
  return visited;
}

/** Asserts that `make(10 n)` costs at most 12 × what `make(n)` costs, counted by `measure`. */
function expectLinear(small: number, make: (n: number) => string, measure: (text: string) => number): void {
  const a = measure(make(small));
  // A counter that counts nothing bounds nothing.
  expect(a).toBeGreaterThan(0);
  const b = measure(make(small * 10));
  expect(b).toBeLessThanOrEqual(12 * a);
}

const freshWork = (): SuggestionWork => ({ queries: 0, candidates: 0, cells: 0 });

/** Levenshtein distance by the full table: the reference the hints must agree with. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
/** The first candidate at the smallest distance ≤ 2, as the hints have always chosen. */
function referenceHint(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = 3;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestDist) [best, bestDist] = [c, d];
  }
  return best;
}

describe('diagnostics are capped', () => {
  it('1 MiB of backticks on one line is one diagnostic', () => {
    const r = assemble('`'.repeat(MiB));
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ line: 1, col: 1, endCol: MiB + 1, message: "unexpected characters '````````````````…' (1,048,576 in a row)" });
  });

  it(`1 MiB of bad lines gives the first ${MAX_DIAGNOSTICS} errors in source order and one summary at the first left out`, () => {
    for (const text of [lines(MiB / 65, () => '`'.repeat(64)), '`\n'.repeat(MiB / 2), 'goto nowhere\n'.repeat(MiB / 13)]) {
      const r = assemble(text);
      const total = text.split('\n').filter((l) => l.length > 0).length;
      expect(r.diagnostics).toHaveLength(MAX_DIAGNOSTICS + 1);
      const kept = r.diagnostics.slice(0, MAX_DIAGNOSTICS);
      expect(kept.map((d) => d.line)).toEqual(Array.from({ length: MAX_DIAGNOSTICS }, (_, i) => i + 1));
      const summary = r.diagnostics[MAX_DIAGNOSTICS];
      expect(summary).toMatchObject({ severity: 'error', code: 'too-many-errors', line: MAX_DIAGNOSTICS + 1, col: kept[0]?.col });
      expect(summary?.message).toBe(`… and ${(total - MAX_DIAGNOSTICS).toLocaleString('en-US')} more errors; fix the ones above first`);
    }
  });

  it(`one bad line gives at most ${MAX_DIAGNOSTICS_PER_LINE} diagnostics, its leftmost, plus the summary`, () => {
    const cases = [
      '`a'.repeat(100_000),
      `.map m ${'x '.repeat(100_000)}`,
      `${lines(1, () => Array.from({ length: 10_000 }, () => 'a:').join(' '))} exit`,
      `r0 = 1 ${'` '.repeat(1000)}`,
    ];
    for (const text of cases) {
      const r = assemble(text);
      expect(r.diagnostics.length, text.slice(0, 20)).toBe(MAX_DIAGNOSTICS_PER_LINE + 1);
      const kept = r.diagnostics.slice(0, -1);
      const cols = kept.map((d) => d.col);
      expect(cols).toEqual([...cols].sort((a, b) => a - b));
      expect(r.diagnostics.at(-1)?.code).toBe('too-many-errors');
      // Nothing left out lies left of the last one kept on that line.
      expect(r.diagnostics.at(-1)?.col).toBeGreaterThan(cols.at(-1) ?? 0);
    }
  });

  it('keeps warnings the same way, apart from errors, and works out a message only for what it keeps', () => {
    const sink = new DiagnosticSink();
    let worked = 0;
    for (let line = 1000; line >= 1; line--) {
      sink.add({ severity: 'warning', code: 'w', line, col: 1, endCol: 2, message: () => `warning ${++worked}` });
      sink.add({ severity: 'error', code: 'e', line, col: 2, endCol: 3, message: `error on ${line}` });
    }
    const out = sink.finish();
    expect(worked).toBe(MAX_DIAGNOSTICS);
    expect(out).toHaveLength(2 * MAX_DIAGNOSTICS + 2);
    expect(out.filter((d) => d.code === 'e').map((d) => d.line)).toEqual(Array.from({ length: MAX_DIAGNOSTICS }, (_, i) => i + 1));
    expect(out.filter((d) => d.code === 'w').map((d) => d.line)).toEqual(Array.from({ length: MAX_DIAGNOSTICS }, (_, i) => i + 1));
    expect(out.slice(-2).map((d) => [d.severity, d.line, d.message])).toEqual([
      ['error', MAX_DIAGNOSTICS + 1, '… and 900 more errors; fix the ones above first'],
      ['warning', MAX_DIAGNOSTICS + 1, '… and 900 more warnings; fix the ones above first'],
    ]);
  });
});

describe('"did you mean" searches are bounded', () => {
  const unknownJumps = (n: number): string => `${lines(n, (i) => `lbl_${i}: goto lbl${i}x`)}\nexit`;
  const run = (text: string, options: AssembleOptions = {}): { work: SuggestionWork; messages: string[] } => {
    const work = freshWork();
    const r = assemble(text, { ...options, work });
    return { work, messages: r.diagnostics.map((d) => d.message) };
  };

  it('grows at most linearly with the number of labels (3,000 → 30,000 unknown jumps)', () => {
    expectLinear(3_000, unknownJumps, (t) => run(t).work.candidates);
    expectLinear(3_000, unknownJumps, (t) => run(t).work.cells);
    const big = run(unknownJumps(30_000)).work;
    expect(big.candidates).toBeLessThanOrEqual(HINT_BUDGET + 30_000);
    expect(big.cells).toBeLessThanOrEqual(5 * 12 * big.candidates);
  });

  it('gives the first errors the same hints as the full search', () => {
    const n = 3_000;
    const { messages } = run(unknownJumps(n));
    const labels = Array.from({ length: n }, (_, i) => `lbl_${i}`);
    expect(messages).toHaveLength(MAX_DIAGNOSTICS + 1);
    messages.slice(0, MAX_DIAGNOSTICS).forEach((m, i) => {
      const hint = referenceHint(`lbl${i}x`, labels);
      expect(m).toBe(`unknown label 'lbl${i}x'${hint ? ` (did you mean '${hint}'?)` : ''}`);
    });
    // And on the largest input, as far as the budget goes, the same hints still.
    const big = run(unknownJumps(30_000)).messages;
    const bigLabels = Array.from({ length: 30_000 }, (_, i) => `lbl_${i}`);
    for (let i = 0; i < 10; i++) expect(big[i]).toBe(`unknown label 'lbl${i}x' (did you mean '${referenceHint(`lbl${i}x`, bigLabels)}'?)`);
  });

  it('a long unknown name near a long label costs a band of the table, not all of it', () => {
    const long = 'x'.repeat(200_000);
    const { work, messages } = run(`${long}a:\n  goto ${long}b\n  exit`);
    expect(messages[0]).toContain("did you mean '");
    expect(work.cells).toBeLessThanOrEqual(5 * 200_002);
  });
});

describe('name lookups do not rescan lists', () => {
  const visited = (options: AssembleOptions = {}) => (text: string): number => arrayWork(() => assemble(text, options));
  it('.section lines (5,000 → 50,000)', () => {
    expectLinear(5_000, (n) => lines(n, (i) => `.section s${i}\nexit`), visited());
  });
  it('.map declarations and their uses (2,000 → 20,000)', () => {
    expectLinear(2_000, (n) => `${lines(n, (i) => `.map m${i} type=array key=4 value=8 max_entries=1`)}\n${lines(n, (i) => `r1 = m${i} ll`)}\nexit`, visited());
  });
  it('ubpf jumps to the implicit exit label (3,000 → 30,000)', () => {
    expectLinear(3_000, (n) => `${lines(n, () => 'ja exit')}\nexit`, visited({ dialect: 'ubpf' }));
  });
  it('labels on one line (10,000 → 100,000)', () => {
    expectLinear(10_000, (n) => `${Array.from({ length: n }, (_, i) => `a${i}:`).join(' ')} exit`, visited());
  });
  it('bad lines (10,000 → 100,000)', () => {
    expectLinear(10_000, (n) => lines(n, (i) => (i % 2 ? '`' : `goto nowhere${i}`)), visited());
  });
});

describe('number literals', () => {
  it('a literal of a million digits is refused without BigInt-parsing it', () => {
    const r = assemble(`r0 = ${'9'.repeat(1_000_000)} ll\nexit`);
    expect(r.diagnostics.map((d) => d.message)).toEqual(["'999999999999999999999999…' (1,000,000 characters) is too large for any field (at most 64 bits)"]);
    expect(assemble(`r0 = 0x${'0'.repeat(100_000)}1 ll\nexit`).ok).toBe(true);
  });
});
