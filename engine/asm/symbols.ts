// Names the assembler resolves against the (simulated) kernel: helpers, kfuncs and the field
// offsets of kernel structures for `STRUCT.FIELD`.

import { HELPER_IDS, UAPI_HELPER_IDS } from '../kernel/helpers/ids.ts';
import { KFUNC_IDS } from '../kernel/kfuncs/ids.ts';
import { STRUCT_LAYOUTS, structLayout } from '../kernel/btf/layouts.ts';

export interface AsmSymbols {
  helperId(name: string): number | undefined;
  kfuncId(name: string): number | undefined;
  /** Offset of `field` in `struct`, or a message saying why there is none. */
  fieldOffset(struct: string, field: string): { offset: number } | { error: string };
  /** The helpers the simulated kernel implements: completions and "did you mean" hints. */
  helperNames(): readonly string[];
  kfuncNames(): readonly string[];
  structNames(): readonly string[];
}

export const kernelSymbols: AsmSymbols = {
  // Every helper Linux has assembles (the verifier and the loader then say what Linux says of
  // it); only the ones the simulated kernel runs are offered as names (helperNames).
  helperId: (name) => UAPI_HELPER_IDS[name] ?? UAPI_HELPER_IDS[`bpf_${name}`],
  kfuncId: (name) => KFUNC_IDS[name],
  fieldOffset(struct, field) {
    const layout = structLayout(struct);
    if (!layout) return { error: `unknown struct '${struct}'` };
    const f = layout.fields.find((x) => x.name === field);
    if (!f) return { error: `struct ${struct} has no field '${field}' (fields: ${layout.fields.map((x) => x.name).join(', ')})` };
    return { offset: f.offset };
  },
  helperNames: () => Object.keys(HELPER_IDS),
  kfuncNames: () => Object.keys(KFUNC_IDS),
  structNames: () => STRUCT_LAYOUTS.map((s) => s.name),
};

/** Work done by "did you mean" searches, counted for the tests that bound it (scale.test.ts). */
export interface SuggestionWork {
  /** Searches run. */
  queries: number;
  /** Candidate names looked at. */
  candidates: number;
  /** Edit-distance cells computed. */
  cells: number;
}

/** Hints name a candidate at most this many edits away. */
const MAX_EDITS = 2;

/**
 * Candidates the hints of one assembly may look at in all. Hints are worked out for the kept
 * diagnostics only, in source order, so a file with a few hundred names gets a hint on every
 * diagnostic shown, and one with 30,000 labels on its first thirty-odd.
 */
export const HINT_BUDGET = 1_000_000;

/**
 * " (did you mean 'x'?)" naming the closest candidate, or nothing — also nothing once `work`
 * has used up HINT_BUDGET. `candidates` is called only when the search runs.
 */
export function didYouMean(name: string, candidates: () => Iterable<string>, work: SuggestionWork): string {
  if (work.candidates >= HINT_BUDGET) return '';
  const best = closest(name, candidates(), work);
  return best ? ` (did you mean '${best}'?)` : '';
}

/**
 * The closest of `candidates` to `name` (edit distance ≤ 2), for "did you mean" hints: the first
 * candidate, in order, at the smallest distance. Each comparison computes only the band of the
 * distance table within the best distance so far and stops once a row exceeds it, so one search
 * costs O(total length of the candidates), whatever their lengths.
 */
export function closest(name: string, candidates: Iterable<string>, work?: SuggestionWork): string | undefined {
  let best: string | undefined;
  let bestDist = MAX_EDITS + 1;
  if (work) work.queries++;
  for (const c of candidates) {
    if (work) work.candidates++;
    if (Math.abs(c.length - name.length) >= bestDist) continue;
    const d = boundedDistance(name, c, bestDist, work);
    if (d < bestDist) {
      best = c;
      bestDist = d;
      if (d === 0) break;
    }
  }
  return best;
}

/** Two rows of the distance table, reused from one comparison to the next. */
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/**
 * Levenshtein distance of `a` and `b` if it is below `cap`, else `cap`. Only cells with
 * |i − j| < cap can hold a value below cap (a cell's value is at least |i − j|), so each row
 * computes at most 2·cap − 1 of them.
 */
function boundedDistance(a: string, b: string, cap: number, work?: SuggestionWork): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) >= cap) return cap;
  if (rowA.length <= m + 1) {
    rowA = new Int32Array(2 * (m + 1));
    rowB = new Int32Array(2 * (m + 1));
  }
  let prev = rowA;
  let cur = rowB;
  // Row 0 as far as row 1 reads it; every later cell is written before it is read.
  for (let j = 0; j <= Math.min(m, cap - 1); j++) prev[j] = j;
  if (cap <= m) prev[cap] = cap;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - cap + 1);
    const hi = Math.min(m, i + cap - 1);
    // The cell left of the band: column 0 holds i, anything else is out of the band.
    cur[lo - 1] = lo === 1 ? Math.min(i, cap) : cap;
    let rowMin = cur[lo - 1] ?? cap;
    const ai = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      const v = Math.min((prev[j] ?? cap) + 1, (cur[j - 1] ?? cap) + 1, (prev[j - 1] ?? cap) + (ai === b.charCodeAt(j - 1) ? 0 : 1), cap);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (work) work.cells += hi - lo + 1;
    // The cell right of the band is read by the next row as "above": it is out of the band.
    if (hi < m) cur[hi + 1] = cap;
    if (rowMin >= cap) return cap;
    [prev, cur] = [cur, prev];
  }
  return Math.min(prev[m] ?? cap, cap);
}
