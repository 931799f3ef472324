// A short seeded slice of `npm run fuzz` for `npm test`: every surface for a few dozen cases
// on worker threads, and the scaling checks at small sizes. Any finding fails, with its
// reproducer. The hang limit here is generous (a loaded machine must not fail it): it catches
// cases that never end; `npm run fuzz` holds cases to 1 s.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envInt } from '../kernel/rng.ts';
import { oneLine, reproducer } from './case.ts';
import { Pool } from './pool.ts';
import { printScaling, runScalingChecks } from './scaling.ts';
import { SURFACES } from './surfaces/index.ts';

const SEED = envInt('FUZZ_SEED', 1);
/** Cases per surface: the slow surfaces (whole programs per case) get fewer. */
const COUNT = new Map(Object.entries({ 'asm-llvm': 80, 'asm-ubpf': 120, bytecode: 200, conformance: 120, share: 80, 'bpfp-json': 100, pcap: 60, traffic: 80, scenario: 60, maps: 80, drafts: 80, cli: 80 }));
const HANG_MS = 5_000;

describe('fuzz slice (seeded)', () => {
  const pool = new Pool(2, HANG_MS);
  beforeAll(() => pool.start(), 120_000);
  afterAll(() => pool.close());

  for (const surface of SURFACES) {
    const count = COUNT.get(surface.name) ?? 40;
    it(`${surface.name}: ${count} cases, no exception, hang, non-text message or internal error`, async () => {
      const r = await pool.run(surface.name, SEED, count);
      const lines = r.findings.map((f) => `[${f.kind}] ${f.surface}:${f.seed}:${f.index} ${oneLine(f.detail, 160)} — ${reproducer(f.surface, f.seed, f.index)}`);
      expect(r.cases).toBe(count);
      expect(lines).toEqual([]);
    });
  }

  it('scaling at small sizes: 10× the input costs at most about 10× the time (generous slack)', async () => {
    const rows = await runScalingChecks({ quick: true });
    const table: string[] = [];
    printScaling(rows, (l) => table.push(l), false);
    expect(rows.filter((r) => r.flagged).map((r) => `${r.check}: ${r.why.join('; ')}`), table.join('\n')).toEqual([]);
  });
});
