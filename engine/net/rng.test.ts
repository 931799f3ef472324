import { describe, expect, it } from 'vitest';
import { Xoshiro128, splitmix32 } from './rng.ts';

describe('xoshiro128**', () => {
  it('produces the reference outputs from the state {1, 2, 3, 4}', () => {
    // The first outputs of the authors' xoshiro128starstar.c from that state.
    const rng = new Xoshiro128(0);
    rng.setState([1, 2, 3, 4]);
    expect(Array.from({ length: 6 }, () => rng.nextU32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('is seeded through splitmix32 (values from an independent Python transcription)', () => {
    expect(splitmix32(1)).toEqual([0x96a0f96b, 0x9e3779ba]);
    const rng = new Xoshiro128(1);
    expect(Array.from({ length: 3 }, () => rng.nextU32())).toEqual([0x9190299e, 0xc1017b27, 0xe3af522f]);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const a = new Xoshiro128(42);
    const b = new Xoshiro128(42);
    const c = new Xoshiro128(43);
    const xs = Array.from({ length: 100 }, () => a.nextU32());
    expect(Array.from({ length: 100 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.nextU32())).not.toEqual(xs);
  });

  it('draws bounded integers evenly', () => {
    const rng = new Xoshiro128(7);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[rng.below(10)]++;
    for (const n of counts) expect(Math.abs(n - 10_000)).toBeLessThan(500);
    for (let i = 0; i < 1000; i++) {
      const f = rng.nextFloat();
      expect(f >= 0 && f < 1).toBe(true);
    }
  });

  it('never keeps the all-zero state', () => {
    const rng = new Xoshiro128(0);
    rng.setState([0, 0, 0, 0]);
    expect(Array.from({ length: 8 }, () => rng.nextU32()).some((x) => x !== 0)).toBe(true);
  });
});
