// The corpus itself: every entry assembles, names its section, has a unique name and says which
// verdict it means.

import { describe, expect, it } from 'vitest';
import { assemble } from '../../../asm/index.ts';
import { expectedVerdict } from './build.ts';
import { VERIFIER_CORPUS } from './index.ts';

describe('verifier corpus', () => {
  it('has unique names', () => {
    const seen = new Set<string>();
    const dup = VERIFIER_CORPUS.map((e) => e.name).filter((n) => (seen.has(n) ? true : (seen.add(n), false)));
    expect(dup).toEqual([]);
  });

  it('assembles every entry, with its section and one section only', () => {
    const bad: string[] = [];
    for (const e of VERIFIER_CORPUS) {
      const r = assemble(e.source);
      const errors = r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}: ${d.message}`);
      if (!r.ok) bad.push(`${e.name}: ${errors.join('; ')}`);
      else if (r.sections.length !== 1 || (e.section !== undefined && r.sections[0]?.name !== e.section)) bad.push(`${e.name}: sections ${r.sections.map((s) => s.name).join(', ')}`);
    }
    expect(bad).toEqual([]);
  });

  it('says which verdict each entry means, about half of each', () => {
    const verdicts = VERIFIER_CORPUS.map((e) => expectedVerdict(e.source));
    expect(verdicts.filter((v) => v === undefined)).toEqual([]);
    const accepted = verdicts.filter((v) => v === 'accept').length;
    expect(accepted).toBeGreaterThan(VERIFIER_CORPUS.length * 0.3);
    expect(accepted).toBeLessThan(VERIFIER_CORPUS.length * 0.7);
  });
});
