// Superinstructions must not change any result: generated programs (loops, pointer idioms,
// every ALU and jump kind) give the same r0 and instruction count with and without them.

import { describe, expect, it } from 'vitest';
import { decodeProgram, encodeProgram } from '../isa/index.ts';
import { fuse, predecode } from '../vm/interpreter.ts';
import { runRaw } from '../vm/index.ts';
import { generateProgram, PROGRAM_KINDS } from './kernel/generate.ts';
import { rawProgram } from './kernel/harness.ts';

describe('superinstructions', () => {
  it('agree with single-instruction dispatch on 3,000 generated programs', () => {
    let fusedPrograms = 0;
    for (let seed = 1; seed <= 3_000; seed++) {
      const kind = PROGRAM_KINDS[seed % PROGRAM_KINDS.length] ?? 'mixed';
      const bytes = encodeProgram(rawProgram(generateProgram(seed, kind)));
      const insns = decodeProgram(bytes, 4).insns;
      const pre = predecode(insns, (_pc, insn) => ({ lo: insn.imm, hi: insn.imm2 }));
      const ops = Int32Array.from({ length: insns.length }, (_, pc) => pre.code[pc * 8] ?? 0);
      if (fuse(ops).some((op, pc) => op !== ops[pc])) fusedPrograms++;
      // The interpreter: the superinstructions are its own (the default tier would compile the program).
      const fused = runRaw(bytes, { tier: 'interpreter' });
      const plain = runRaw(bytes, { tier: 'interpreter', superinstructions: false });
      expect(fused, `seed ${seed} (${kind})`).toEqual(plain);
    }
    // Nearly every program has a pair that fuses (2,994 of 3,000), or the comparison would say little.
    expect(fusedPrograms).toBeGreaterThan(1_500);
  });
});
