import { describe, expect, it } from 'vitest';
import { Session } from './session.ts';
import { warmUp, warmUpImages, WARMUP_ROUNDS } from './warmup.ts';
import type { RunSettings } from './protocol.ts';

const settings: RunSettings = { isa: 4, profile: 'linux-6.18', cpus: 8, maxInsns: 1_000_000 };

describe('the live verifier warm-up', () => {
  it('verifies programs of the usual shapes, each accepted and refused for the reason it means to show', () => {
    const images = warmUpImages();
    expect(images).toHaveLength(4);
    const replies = images.map((image) => new Session().verify(image, settings));
    expect(replies.map((r) => r.accepted)).toEqual([true, false, true, false]);
    expect(replies[1]?.errors[0]?.message).toMatch(/offset is outside of the packet/);
    expect(replies[3]?.errors[0]?.message).toMatch(/BPF_EXIT instruction in main prog would lead to reference leak|Unreleased reference/);
  });

  it('runs one verification per task, all rounds, and stops when told', async () => {
    let calls = 0;
    const stop = warmUp(() => calls++, settings, 0);
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(4 * WARMUP_ROUNDS);
    stop();
    let later = 0;
    const stopEarly = warmUp(() => later++, settings, 0);
    stopEarly();
    await new Promise((r) => setTimeout(r, 50));
    expect(later).toBe(0);
  });
});
