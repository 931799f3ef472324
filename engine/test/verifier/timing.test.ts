// The one-second check's re-timing: an outlier is timed again in a fresh process and judged by
// the fastest of that process's runs (a cold one, then warm ones).

import { describe, expect, it } from 'vitest';
import { assemble } from '../../asm/index.ts';
import type { PipelineRequest } from '../../load/load.ts';
import { overLimit, retimeFresh } from './timing.ts';

function request(): PipelineRequest {
  const a = assemble('.section xdp\nr0 = 2\nexit\n');
  const s = a.sections[0];
  if (!a.ok || !s) throw new Error('does not assemble');
  return { sections: [{ name: s.name, kind: s.kind, bytes: s.bytes }], entry: s.name, maps: [], profile: 'linux-6.18', cpus: 2, isa: 4, maxInsns: 1_000_000 };
}

describe('timing of the one-second check', () => {
  it('does not re-time what is within the limit', () => {
    expect(overLimit({ cpuMs: 10, wallMs: 10 }, 1000, () => { throw new Error('must not be asked'); })).toBeUndefined();
  });

  it('re-times an outlier in a fresh process and clears it when the fresh process’s fastest run is within the limit', () => {
    const fresh = retimeFresh(request());
    expect('error' in fresh ? fresh.error : fresh.cold.value).toBe(true);
    expect(overLimit({ cpuMs: 5000, wallMs: 5000 }, 1000, request)).toBeUndefined();
  });

  it('reports an outlier the fresh process confirms, with its cold and warm timings', () => {
    expect(overLimit({ cpuMs: 5000, wallMs: 5000 }, -1, request)).toMatch(/^took 5000 ms of CPU \(5000 ms wall\) in the test process; in a fresh process \d+ ms of CPU \(\d+ ms wall\) cold, then \d+ ms of CPU \(\d+ ms wall\), \d+ ms of CPU \(\d+ ms wall\) warm$/);
  });
});
