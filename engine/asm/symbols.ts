// Names the assembler resolves against the (simulated) kernel: helpers, kfuncs and the field
// offsets of kernel structures for `STRUCT.FIELD`.

import { HELPER_IDS } from '../kernel/helpers/ids.ts';
import { KFUNC_IDS } from '../kernel/kfuncs/ids.ts';
import { STRUCT_LAYOUTS, structLayout } from '../kernel/btf/layouts.ts';

export interface AsmSymbols {
  helperId(name: string): number | undefined;
  kfuncId(name: string): number | undefined;
  /** Offset of `field` in `struct`, or a message saying why there is none. */
  fieldOffset(struct: string, field: string): { offset: number } | { error: string };
  helperNames(): readonly string[];
  kfuncNames(): readonly string[];
  structNames(): readonly string[];
}

export const kernelSymbols: AsmSymbols = {
  helperId: (name) => HELPER_IDS[name] ?? HELPER_IDS[`bpf_${name}`],
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

/** The closest of `candidates` to `name` (edit distance ≤ 2), for "did you mean" hints. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDist = 3;
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) >= bestDist) continue;
    const d = editDistance(name, c, bestDist);
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string, cap: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin >= cap) return cap;
    prev = cur;
  }
  return prev[b.length] ?? cap;
}
