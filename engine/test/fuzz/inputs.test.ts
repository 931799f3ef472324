// A short seeded slice of the input fuzzers (map declarations and contents, scenarios, traffic
// profiles, pcaps): nothing may throw, every message is text, every checked input loads. Each
// failure prints its seed; FUZZ_SEED and FUZZ_CASES replay or widen a run, e.g.
//   FUZZ_SEED=1234 FUZZ_CASES=1 npx vitest run engine/test/fuzz/inputs.test.ts

import { describe, expect, it } from 'vitest';
import { envInt, Rng } from '../kernel/rng.ts';
import * as maps from './maps-gen.ts';
import * as pcap from './pcap-gen.ts';
import * as scenario from './scenario-gen.ts';
import * as traffic from './traffic-gen.ts';

interface Surface {
  readonly name: string;
  readonly cases: number;
  readonly size: number;
  readonly generate: (rng: Rng, size: number) => unknown;
  readonly check: (input: never) => string[];
}

const SURFACES: readonly Surface[] = [
  { name: 'map declarations and starting contents', cases: 300, size: 8, generate: maps.generate, check: maps.check },
  { name: 'scenarios', cases: 300, size: 40, generate: scenario.generate, check: scenario.check },
  { name: 'traffic profiles', cases: 200, size: 16, generate: traffic.generate, check: traffic.check },
  { name: 'pcap files', cases: 200, size: 16, generate: pcap.generate, check: pcap.check },
];

const first = envInt('FUZZ_SEED', 1);

describe('input fuzz (seeded, bounded)', () => {
  for (const s of SURFACES) {
    it(`${s.name}: no exception, no internal error, every message text`, () => {
      const count = envInt('FUZZ_CASES', s.cases);
      const failures: string[] = [];
      for (let seed = first; seed < first + count && failures.length < 5; seed++) {
        const input = s.generate(new Rng(seed), s.size);
        const problems = s.check(input as never);
        if (problems.length) failures.push(`seed ${seed} (replay: FUZZ_SEED=${seed} FUZZ_CASES=1): ${problems.join('; ').slice(0, 600)}`);
      }
      expect(failures).toEqual([]);
    });
  }
});
