// The corpus benchmark's measuring (measure.ts), on a clock the test drives: the warm-up lasts
// at least `warm` runs and at least `warmMs` of running, the timed runs follow, and
// steadyAfterMs is the running time before the first run at 90 % of the timed median.

import { describe, expect, it } from 'vitest';
import { measureRuns, median, type Stopwatch } from './measure.ts';

/** r0 = 7; exit — two instructions a run. */
const PROGRAM = { bytes: Uint8Array.of(0xb7, 0, 0, 0, 7, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0), expectedR0: 7n, insns: 2 };

/** A clock on which run i takes durations[i] ms (the last one for every run after). */
function scripted(durationsMs: readonly number[]): Stopwatch {
  let i = 0;
  return () => {
    const ms = durationsMs[Math.min(i++, durationsMs.length - 1)] ?? 1;
    return () => ms * 1e6;
  };
}

describe('measureRuns', () => {
  it('warms up for at least the runs asked and at least the time asked, then times the runs asked', () => {
    // Runs of 10 ms: two runs are not 30 ms, three are; the fourth run is the first timed one.
    const m = measureRuns(PROGRAM, 'interpreter', scripted([10, 10, 10, 10, 10, 1]), { runs: 4, warm: 2, warmMs: 30 });
    expect(m.error).toBeUndefined();
    expect(m.warmUpRuns).toBe(3);
    expect(m.rates).toHaveLength(4);
    // Runs 3 and 4 are the last slow ones (2 insns in 10 ms: 0.0002 M/s), then two of 1 ms.
    const expected = [0.0002, 0.0002, 0.002, 0.002];
    m.rates.forEach((r, i) => expect(r).toBeCloseTo(expected[i] ?? -1, 9));
    expect(m.r0).toBe('0x7');
  });

  it('with no time asked, warms up for exactly the runs asked', () => {
    const m = measureRuns(PROGRAM, 'interpreter', scripted([5]), { runs: 3, warm: 2 });
    expect(m.warmUpRuns).toBe(2);
    expect(m.rates).toHaveLength(3);
  });

  it('reports when the engine reached 90 % of its steady speed, in ms of running before that run', () => {
    // 4 runs of 10 ms, then runs of 1 ms: the first fast run starts after 40 ms of running.
    const m = measureRuns(PROGRAM, 'interpreter', scripted([10, 10, 10, 10, 1]), { runs: 5, warm: 0, warmMs: 50 });
    expect(median(m.rates)).toBeCloseTo(0.002);
    expect(m.steadyAfterMs).toBe(40);
  });

  it('times runs shorter than the shortest sample in batches that fill it, judged by the last warm-up run', () => {
    // Warm-up runs of 1 ms then 0.5 ms: the last says 4 runs make 2 ms; a sample's clock is read once.
    const m = measureRuns(PROGRAM, 'interpreter', scripted([1, 0.5]), { runs: 3, warm: 2, minSampleMs: 2 });
    expect(m.batch).toBe(4);
    expect(m.warmUpRuns).toBe(2);
    // 4 runs of 2 instructions in one 0.5 ms reading of the scripted clock.
    m.rates.forEach((r) => expect(r).toBeCloseTo(8 / 0.5e6 * 1000, 9));
    expect(m.batch * m.rates.length + m.warmUpRuns).toBe(14);
  });

  it('warms up on while a span of running is more than 5 % faster than the one before, then times the steady speed', () => {
    // Spans of 250 ms: 25 runs of 10 ms, 50 of 5 ms, 250 of 1 ms (each span faster), then 1 ms
    // runs: the fourth span is no faster than the third, so warm-up ends with it.
    const durations = [...Array<number>(25).fill(10), ...Array<number>(50).fill(5), 1];
    const m = measureRuns(PROGRAM, 'interpreter', scripted(durations), { runs: 3, warm: 0, warmMs: 100, steadyMaxMs: 5000 });
    expect(m.warmUpRuns).toBe(25 + 50 + 250 + 250);
    m.rates.forEach((r) => expect(r).toBeCloseTo(0.002, 9));
    // Without steadyMaxMs the same engine is timed after 100 ms, still at its first speed.
    expect(measureRuns(PROGRAM, 'interpreter', scripted(durations), { runs: 3, warm: 0, warmMs: 100 }).rates[0]).toBeCloseTo(0.0002, 9);
  });

  it('stops warming up at steadyMaxMs of running even while the speed still rises', () => {
    const durations = [...Array<number>(25).fill(10), ...Array<number>(50).fill(5), 1];
    // 250 ms of 10 ms runs, then 30 runs of 5 ms reach 400 ms.
    const m = measureRuns(PROGRAM, 'interpreter', scripted(durations), { runs: 2, warm: 0, warmMs: 100, steadyMaxMs: 400 });
    expect(m.warmUpRuns).toBe(25 + 30);
  });

  it('stops at a wrong result and says which run', () => {
    const m = measureRuns({ ...PROGRAM, expectedR0: 8n }, 'interpreter', scripted([1]), { runs: 3, warm: 1 });
    expect(m.error).toMatch(/^run 0: status exited, r0 0x7/);
    expect(m.rates).toHaveLength(0);
  });

  it('takes the median of an even count as the mean of the middle two', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([])).toBe(0);
  });
});
