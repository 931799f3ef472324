// The shrinker keeps jumps on their targets while it removes instructions, and finds a small
// failing core.

import { describe, expect, it } from 'vitest';
import type { Insn } from '../../isa/index.ts';
import { lddw } from './generate.ts';
import { shrinkBody, withoutInsns } from './shrink.ts';

const add = (dst: number, imm: number): Insn => ({ kind: 'alu', width: 64, op: 'add', dst, src: { type: 'imm', imm } });
const jeq = (off: number): Insn => ({ kind: 'jcond', width: 64, cond: 'jeq', dst: 1, src: { type: 'imm', imm: 0 }, off });

describe('withoutInsns', () => {
  it('re-aims a jump over a removed lddw (two slots)', () => {
    const body = [jeq(3), lddw(2, 1n), add(1, 1), add(0, 1)];
    expect(withoutInsns(body, 1, 2)).toEqual([jeq(1), add(1, 1), add(0, 1)]);
  });

  it('lands a jump whose target was removed on the next survivor', () => {
    const body = [jeq(1), add(1, 1), add(2, 2), add(0, 1)];
    expect(withoutInsns(body, 2, 3)).toEqual([jeq(1), add(1, 1), add(0, 1)]);
  });

  it('leaves jumps that do not cross the cut alone, including one to the end', () => {
    const body = [add(3, 3), jeq(1), add(1, 1), add(0, 1)];
    expect(withoutInsns(body, 0, 1)).toEqual([jeq(1), add(1, 1), add(0, 1)]);
    const toEnd = [jeq(2), add(1, 1), add(0, 1)];
    expect(withoutInsns(toEnd, 1, 2)).toEqual([jeq(1), add(0, 1)]);
  });
});

describe('shrinkBody', () => {
  it('keeps only what the failure needs', async () => {
    const body = Array.from({ length: 40 }, (_, i) => add(i % 8, i));
    const needed = body[17] as Insn;
    const small = await shrinkBody(body, async (c) => c.includes(needed));
    expect(small).toEqual([needed]);
  });
});
