import { describe, expect, it } from 'vitest';
import { SpanViews } from './span-views.ts';

describe('SpanViews', () => {
  it('gives the span asked for, the same view object on a repeat, and a fresh one for another array', () => {
    const a = Uint8Array.from({ length: 100 }, (_, i) => i);
    const views = new SpanViews();
    const v = views.of(a, 10, 20);
    expect([...v]).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
    expect(views.of(a, 10, 20)).toBe(v);
    // Colliding and different spans still give the right bytes.
    for (let s = 0; s < 90; s += 7) expect([...views.of(a, s, s + 5)]).toEqual([s, s + 1, s + 2, s + 3, s + 4]);
    const b = new Uint8Array(100).fill(9);
    expect([...views.of(b, 10, 12)]).toEqual([9, 9]);
    expect(views.of(a, 10, 20)).not.toBe(views.of(b, 10, 20));
  });
});
