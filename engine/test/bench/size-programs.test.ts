// The benchmark's size pair (size-programs.ts): the large program has exactly 4,096 instruction
// slots, the two execute the same amount of work within 1 %, and the WebAssembly tier runs both
// wholly in WebAssembly to the interpreter's r0 — so the bench's size row compares sizes only.

import { describe, expect, it } from 'vitest';
import { decodeProgram } from '../../isa/index.ts';
import { createRawVm } from '../../vm/index.ts';
import { SIZE_PROGRAMS, sizeProgram } from './size-programs.ts';

describe('the size pair', () => {
  const [small, large] = SIZE_PROGRAMS.map((p) => sizeProgram(p.name));

  it('is a small loop and a program of exactly 4,096 instruction slots', () => {
    expect(small?.slots).toBeLessThan(32);
    expect(large?.slots).toBe(4096);
  });

  it('executes the same number of instructions within 1 %', () => {
    expect(Math.abs((large?.insns ?? 0) / (small?.insns ?? 1) - 1)).toBeLessThan(0.01);
  });

  it('runs wholly in WebAssembly to the r0 and count the interpreter gives', () => {
    for (const p of [small, large]) {
      if (!p) throw new Error('missing size program');
      const vm = createRawVm(decodeProgram(p.bytes).insns, { tier: 'wasm', maxInsns: 10_000_000 });
      expect(vm.run()).toBe('exited');
      expect(vm.reg(0)).toBe(p.expectedR0);
      expect(vm.count).toBe(p.insns);
      expect(vm.wasmInsns).toBe(vm.count);
    }
  });
});
