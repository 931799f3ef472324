// The counterexample search on the cpumask and XDP examples (issue 13, point 5): the examples
// themselves load, so their refusals are those of seeded mutations of them — a NULL check or a
// release dropped, an access or a jump moved, a bounds check off by one or removed
// (engine/test/verifier/corpus-mutants.ts). Each distinct mutant our verifier refuses with a
// message about memory safety, NULL or bounds gets the same bounded search as the corpus's
// refusals (counterexample.test.ts); the test prints the share found, by example and category,
// and the ones not found with why.
//
// COUNTEREXAMPLE_EXAMPLE_MUTANTS (default 400) mutants, seed COUNTEREXAMPLE_SEED.

import { describe, expect, it } from 'vitest';
import { verifyProgram } from '../../load/load.ts';
import { categorize, findCounterexample, SEARCH } from '../../explain/counterexample.ts';
import { Rng, envInt } from '../kernel/rng.ts';
import { replay } from './replay.ts';
import { bytesOf, mutate, prepare, requestFor, type Prepared } from '../verifier/corpus-mutants.ts';
import { exampleSources } from '../verifier/mutant-differential.ts';

const SEED = envInt('COUNTEREXAMPLE_SEED', SEARCH.seed);
const COUNT = envInt('COUNTEREXAMPLE_EXAMPLE_MUTANTS', 400);
/** The tries decide where each search stops (its 10 s budget is there only against a hang), so the count does not depend on the machine. */
const MAX_TRIES = SEARCH.maxTries;
/**
 * Issue 13's target, 80 % (reached with seed 13 and 400 mutants: 60 of 72, 83 %); what is missed
 * is printed with why (mostly accesses no packet can make unsafe, and lookups of keys that always
 * exist).
 */
const FOUND_SHARE_FLOOR = 0.8;

interface Row {
  readonly example: string;
  readonly category: string;
  readonly message: string;
  readonly what: string;
  readonly found?: string;
  readonly none?: string;
  /** What the playground's replay of the counterexample gave ("fault@7: …"), and what the search said ("fault@7"). */
  readonly replayed?: string;
  readonly want?: string;
}

function search(): Row[] {
  const examples = exampleSources().filter((e) => /^example (cpumask|xdp)/.test(e.name) && (e.profile ?? 'linux-6.18') === 'linux-6.18');
  const prepared = examples.map((e) => ({ e, p: prepare(e) })).filter((x): x is { e: (typeof examples)[number]; p: Prepared } => !('skipped' in x.p));
  const seen = new Set<string>();
  const rows: Row[] = [];
  for (let i = 0; i < COUNT; i++) {
    const rng = new Rng(SEED * 1_000_003 + i);
    const pick = prepared[rng.below(prepared.length)];
    if (!pick) continue;
    const m = mutate(pick.p.insns, rng, pick.p.profile);
    const bytes = bytesOf(m.insns);
    const key = `${pick.e.name}:${Buffer.from(bytes).toString('hex')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const req = requestFor(pick.p, bytes);
    const v = verifyProgram({ ...req, logLevel: 0, explain: true });
    const err = v.verifier?.errors[0];
    if (v.ok || !err || v.problems[0]?.stage !== 'verifier') continue;
    const category = categorize(err.message);
    if (!category || category === 'leak') continue;
    const r = findCounterexample(req, err, { seed: SEED, budgetMs: SEARCH.budgetMs, maxTries: MAX_TRIES });
    rows.push({
      example: pick.e.name,
      category,
      message: err.message,
      what: m.mutations.join('; '),
      // Replayed as "Run it unverified" does (a device-bound program's frame goes to the NIC instead).
      ...('none' in r ? { none: r.none } : { found: r.fault, want: `${r.kind}@${r.pc}`, ...(r.nic ? {} : { replayed: replay(req, r) }) }),
    });
  }
  return rows;
}

describe('counterexamples for refused mutations of the cpumask and XDP examples', () => {
  it(`finds an input for at least ${FOUND_SHARE_FLOOR * 100}% of the memory-safety, NULL and bounds refusals (issue 13's target)`, () => {
    const rows = search();
    const found = rows.filter((r) => r.found);
    const by = <K extends string>(key: (r: Row) => K): string => {
      const groups = new Map<K, Row[]>();
      for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
      return [...groups].map(([k, g]) => `${k} ${g.filter((r) => r.found).length}/${g.length}`).join(', ');
    };
    console.log(
      `example counterexamples: ${found.length}/${rows.length} found (${Math.round((100 * found.length) / Math.max(1, rows.length))}%); by category: ${by((r) => r.category)}; by example: ${by((r) => r.example)}\n` +
        `not found:\n${rows
          .filter((r) => r.none)
          .map((r) => `  ${r.example} (${r.what}) [${r.category}] '${r.message}': ${r.none ?? ''}`)
          .join('\n')}`,
    );
    expect(rows.length, 'the mutants give refusals of these categories').toBeGreaterThan(50);
    expect(found.length / rows.length).toBeGreaterThanOrEqual(FOUND_SHARE_FLOOR);
    // Each one found goes wrong where the search said when the playground replays it.
    const replays = rows.filter((r) => r.replayed !== undefined);
    expect(replays.length).toBeGreaterThan(40);
    expect(replays.filter((r) => !r.replayed?.startsWith(r.want ?? '?')).map((r) => `${r.example} (${r.what}): want ${r.want}, got ${r.replayed?.slice(0, 160)}`)).toEqual([]);
  }, 300_000);
});
