// Scenario.concurrentWrites: another CPU (or user space) writing a map while the program runs,
// just before its Nth helper or kfunc call — what the verifier's NULL check on every lookup is
// for, since nothing stops a hash map from changing between two lookups.

import { describe, expect, it } from 'vitest';
import { loadProgram } from '../../load/load.ts';
import type { VmTier } from '../../vm/index.ts';
import { loadProgram as loadNic } from '../../kernel/loader.ts';
import { runWholeTraffic, startTraffic, trafficSetup } from '../../worker/nic-session.ts';
import { loadRequestOf } from '../../worker/session.ts';
import { imageOf } from '../xdp/nic-harness.ts';
import { parseScenario } from '../../kernel/scenario.ts';
import { prepare, requestFor, bytesOf } from '../verifier/corpus-mutants.ts';

/** An XDP program with a hash map m whose key 0 is on the stack at r10 - 4. */
const HEAD = `.section xdp
.license "GPL"
.map m type=hash key=4 value=8 max_entries=4
r1 = 0
*(u32 *)(r10 - 4) = r1
`;
/** `helper`(m, &key 0). */
const ON_KEY0 = (helper: string): string => `r1 = m ll\nr2 = r10\nr2 += -4\ncall ${helper}\n`;

// Two lookups of key 0 in a hash map; r0 = (first found) + 2 * (second found).
const SOURCE = `${HEAD}${ON_KEY0('bpf_map_lookup_elem')}r6 = r0
${ON_KEY0('bpf_map_lookup_elem')}r7 = 0
if r6 == 0 goto second
r7 = 1
second:
if r0 == 0 goto out
r7 += 2
out:
r0 = r7
exit
`;

function run(scenario: unknown, mapContents?: unknown, tier: VmTier = 'interpreter') {
  const p = prepare({ name: 'two lookups', source: SOURCE, section: 'xdp' });
  if ('skipped' in p) throw new Error(p.skipped);
  const req = requestFor(p, bytesOf(p.insns));
  const loaded = loadProgram({ ...req, verify: false, tier, ...(tier === 'interpreter' ? { compile: false } : {}), inputs: { data: new Uint8Array(64) }, scenario, ...(mapContents ? { mapContents } : {}) });
  if (!loaded.ok) return { problems: loaded.problems.map((x) => x.message) };
  const { vm } = loaded.program;
  const status = vm.run();
  const first = loaded.program.finish();
  // A second run of the same load: the calls are counted from 1 again.
  vm.reset();
  vm.run();
  return { status, r0: Number(first.r0), again: Number(vm.reg(0)) };
}

const INSERT = { concurrentWrites: [{ beforeCall: 2, map: 'm', key: '00000000', value: '0100000000000000' }] };

describe('concurrent writes to maps (Scenario.concurrentWrites)', () => {
  it('an empty map stays empty for both lookups without them', () => {
    expect(run({})).toMatchObject({ status: 'exited', r0: 0 });
  });

  for (const tier of ['interpreter', 'compiled', 'wasm'] as const) {
    it(`inserts the key between the two lookups: the first finds nothing, the second finds it (${tier})`, () => {
      expect(run(INSERT, undefined, tier)).toMatchObject({ status: 'exited', r0: 2 });
    });
  }

  it('deletes the key between them: the first finds it, the second does not; and counts calls per run', () => {
    const r = run({ concurrentWrites: [{ beforeCall: 2, map: 'm', key: '00000000' }] }, { m: [{ key: '00000000', value: '0000000000000000' }] });
    expect(r).toMatchObject({ status: 'exited', r0: 1 });
    // The second run starts with the entry deleted (the write happened), and no write comes before its first call.
    expect(r.again).toBe(0);
  });

  it('a write before the first call is seen by both', () => {
    expect(run({ concurrentWrites: [{ beforeCall: 1, map: 'm', key: '00000000', value: '0100000000000000' }] })).toMatchObject({ r0: 3 });
  });

  it("refuses a write to a map the program does not have, or of the wrong key or value size, saying which", () => {
    expect(run({ concurrentWrites: [{ beforeCall: 1, map: 'nope', key: '00000000' }] })).toEqual({ problems: ["scenario: concurrentWrites[0]: the program has no map 'nope'"] });
    expect(run({ concurrentWrites: [{ beforeCall: 1, map: 'm', key: '0000' }] })).toEqual({ problems: ['scenario: concurrentWrites[0]: map m has 4-byte keys, not 2'] });
    expect(run({ concurrentWrites: [{ beforeCall: 1, map: 'm', key: '00000000', value: '00' }] })).toEqual({ problems: ['scenario: concurrentWrites[0]: map m has 8-byte values, not 1'] });
  });

  it('checks the shape of each write', () => {
    const bad = (w: unknown) => {
      const r = parseScenario({ concurrentWrites: w }, 4);
      return r.ok ? 'ok' : r.error;
    };
    expect(bad({})).toMatch(/^concurrentWrites must be a list of writes like/);
    expect(bad([{ beforeCall: 0, map: 'm', key: '00' }])).toMatch(/^concurrentWrites\[0\]\.beforeCall must be/);
    expect(bad([{ beforeCall: 1, map: '', key: '00' }])).toMatch(/^concurrentWrites\[0\]\.map must name/);
    expect(bad([{ beforeCall: 1, map: 'm', key: 'xyz' }])).toMatch(/^concurrentWrites\[0\]\.key must be/);
    expect(bad([{ beforeCall: 1, map: 'm', key: '00', value: 5 }])).toMatch(/^concurrentWrites\[0\]\.value must be/);
    expect(bad(Array.from({ length: 65 }, () => ({ beforeCall: 1, map: 'm', key: '00' })))).toMatch(/at most 64/);
    expect(bad([{ beforeCall: 3, map: 'm', key: 'AB CD' }])).toBe('ok');
    const r = parseScenario({ concurrentWrites: [{ beforeCall: 3, map: 'm', key: 'AB CD' }] }, 4);
    expect(r.ok && r.scenario.concurrentWrites).toEqual([{ beforeCall: 3, map: 'm', key: 'abcd' }]);
  });
});

describe('concurrent writes on the emulated NIC', () => {
  // Two lookups of key 0, then its deletion: each packet is a run of its own, so the write before
  // the 2nd call lands between the lookups for every packet (XDP_DROP), not only the first.
  const NIC_PROGRAM = `${HEAD}${ON_KEY0('bpf_map_lookup_elem')}${ON_KEY0('bpf_map_lookup_elem')}r6 = 2
if r0 == 0 goto del
r6 = 1
del:
${ON_KEY0('bpf_map_delete_elem')}r0 = r6
exit
`;

  it('counts the calls of each packet from 1', () => {
    const image = imageOf(NIC_PROGRAM);
    const traffic = { seed: 1, packets: 20, rate_pps: 1_000_000, queues: 1, flows: [{ proto: 'udp', src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, size: 64 }] };
    const settings = { isa: 4 as const, profile: 'linux-6.18' as const, cpus: 2, maxInsns: 100_000, traffic, scenario: INSERT };
    const setup = trafficSetup(traffic, undefined);
    if (!setup.ok) throw new Error(setup.errors.join('; '));
    const loaded = loadNic(loadRequestOf(image, settings));
    if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('; '));
    const started = startTraffic(loaded.program, setup.setup);
    if (!started.ok) throw new Error(started.errors.join('; '));
    const report = runWholeTraffic(started.run, setup.setup, false);
    expect(report.counters).toMatchObject({ actions: { XDP_DROP: 20, XDP_PASS: 0 } });
  });
});
