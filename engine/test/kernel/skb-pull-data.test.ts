// The verifier corpus's packet pointer used after bpf_skb_pull_data (engine/test/verifier/corpus/
// packet.ts), run unverified: on BPF_PROG_TEST_RUN's skb (linear, not cloned) the call moves
// nothing and the stale read reads the packet; when the scenario's skb is non-linear or cloned,
// the call reallocates the head and the read faults (engine/kernel/skb.test.ts tests the rest).

import { describe, expect, it } from 'vitest';
import { loadProgram } from '../../load/load.ts';
import { VERIFIER_CORPUS } from '../verifier/corpus/index.ts';
import { bytesOf, prepare, requestFor } from '../verifier/corpus-mutants.ts';

const PACKET = Uint8Array.from({ length: 64 }, (_, i) => i + 1);

describe('bpf_skb_pull_data and the verifier corpus', () => {
  it("the corpus's stale read after bpf_skb_pull_data faults, run unverified, on a non-linear or cloned skb — and runs clean on test_run's skb", () => {
    const entry = VERIFIER_CORPUS.find((e) => e.name === 'packet/tc packet pointer used after bpf_skb_pull_data (helper 39)');
    if (!entry) throw new Error('no corpus entry');
    const p = prepare(entry);
    if ('skipped' in p) throw new Error(p.skipped);
    const runWith = (scenario?: unknown) => {
      const r = loadProgram({ ...requestFor(p, bytesOf(p.insns)), inputs: { data: PACKET }, verify: false, ...(scenario === undefined ? {} : { scenario }) });
      if (!r.ok) throw new Error(r.problems.map((x) => x.message).join('; '));
      const status = r.program.vm.run();
      return status === 'exited' ? 'exited' : (r.program.vm.faultInfo?.message ?? status);
    };
    expect(runWith()).toBe('exited');
    expect(runWith({ skb: { linear: 14 } })).toMatch(/^pc 10: invalid read of 1 byte at .*: stale packet pointer \(offset 0 from the old skb->data\): the skb's old head, freed when bpf_skb_pull_data reallocated it at pc 9/);
    expect(runWith({ skb: { cloned: true } })).toMatch(/stale packet pointer .*given up when bpf_skb_pull_data reallocated it/);
  });
});
