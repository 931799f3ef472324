// Superinstructions must not change any result: generated programs (loops, pointer idioms,
// every ALU and jump kind) give the same r0 and instruction count with and without them.

import { describe, expect, it } from 'vitest';
import { encodeProgram } from '../isa/index.ts';
import { runRaw } from '../vm/index.ts';
import { generateProgram, PROGRAM_KINDS } from './kernel/generate.ts';
import { rawProgram } from './kernel/harness.ts';

describe('superinstructions', () => {
  it('agree with single-instruction dispatch on 3,000 generated programs', () => {
    for (let seed = 1; seed <= 3_000; seed++) {
      const kind = PROGRAM_KINDS[seed % PROGRAM_KINDS.length] ?? 'mixed';
      const bytes = encodeProgram(rawProgram(generateProgram(seed, kind)));
      const fused = runRaw(bytes);
      const plain = runRaw(bytes, { superinstructions: false });
      expect(fused, `seed ${seed} (${kind})`).toEqual(plain);
    }
  });
});
