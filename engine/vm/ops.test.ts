// The definitions of engine/isa/ops.ts and what is generated from them.

import { describe, expect, it } from 'vitest';
import { ALU_DEFS, COND_DEFS, MEM_DEFS } from '../isa/ops.ts';
import { checkedInCases, interpreterCases } from './gen-interpreter.ts';
import { OP, SUPERINSTRUCTIONS } from './interpreter.ts';

describe('instruction definitions', () => {
  it('name handlers of the OP table', () => {
    for (const name of [...Object.keys(ALU_DEFS), ...Object.keys(COND_DEFS), ...Object.keys(MEM_DEFS)]) expect(Object.keys(OP), name).toContain(name);
    for (const [fused, a, b] of SUPERINSTRUCTIONS) {
      expect(OP[fused], fused).toBeGreaterThan(0);
      expect(ALU_DEFS[a] ?? MEM_DEFS[a], `${fused}: ${a}`).toBeDefined();
      expect(ALU_DEFS[b] ?? COND_DEFS[b] ?? MEM_DEFS[b] ?? (b === 'JA' ? true : undefined), `${fused}: ${b}`).toBeDefined();
    }
  });

  it('the interpreter\'s generated cases are up to date (else: node --import tsx engine/vm/gen-interpreter.ts)', () => {
    expect(checkedInCases()).toBe(interpreterCases());
  });
});
