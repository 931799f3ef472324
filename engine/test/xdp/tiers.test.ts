// The emulated NIC gives the same results on every VM tier: the same traffic through the same
// program on the interpreter, the compiled tier, the WebAssembly tier and the engine's own
// choice ('auto') leaves the same counters and, packet by packet, the same queue, timestamp,
// hash, action, instruction count and metadata bytes (the report's packet summaries, which the
// playground and `bpfp xdp --json` print). Only the timing fields differ.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadProgram } from '../../kernel/loader.ts';
import type { VmTier } from '../../vm/index.ts';
import { runWholeTraffic, startTraffic, trafficSetup } from '../../worker/nic-session.ts';
import { loadRequestOf } from '../../worker/session.ts';
import { imageOf } from './nic-harness.ts';

const TIERS: readonly VmTier[] = ['interpreter', 'compiled', 'wasm', 'auto'];

/** 64-byte UDP datagrams to port 8080 and a few to other ports and protocols, over 4 queues. */
function traffic(packets: number): Record<string, unknown> {
  return {
    seed: 7,
    packets,
    rate_pps: 1_000_000,
    queues: 4,
    flows: [
      ...Array.from({ length: 16 }, (_, i) => ({ proto: 'udp', src: `10.0.${i}.1`, dst: '10.0.0.2', sport: 1024 + i, dport: 8080, size: 64 + i * 8, weight: 4 })),
      { proto: 'udp', src: '10.1.0.1', dst: '10.0.0.2', sport: 53, dport: 53, size: 120, weight: 1 },
      { proto: 'tcp', src: '10.2.0.1', dst: '10.0.0.2', sport: 443, dport: 9000, size: 200, weight: 1 },
    ],
  };
}

/** A device-bound program with a loop over the packet's bytes (so the WebAssembly tier runs a loop) and the metadata kfuncs. */
const LOOP_PROGRAM = `
.section xdp
.license "GPL"
rx:
        r6 = r1
        r2 = *(u32 *)(r6 + xdp_md.data)
        r3 = *(u32 *)(r6 + xdp_md.data_end)
        r4 = r2
        r4 += 64
        if r4 > r3 goto pass
        r0 = 0
        r5 = 0
sum:
        r7 = r2
        r7 += r5
        r8 = *(u8 *)(r7 + 0)
        r0 *= 31
        r0 += r8
        r5 += 1
        if r5 < 64 goto sum
        r9 = r0
        r1 = r6
        r2 = r10
        r2 += -8
        call bpf_xdp_metadata_rx_timestamp
        r0 = r9
        r0 &= 3
        if r0 == 0 goto pass
        exit
pass:
        r0 = 2
        exit
`;

function run(source: string, tier: VmTier, packets: number): { report: unknown; wasmInsns: number } {
  const image = imageOf(source);
  const settings = { isa: 4 as const, profile: 'linux-6.18' as const, cpus: 4, maxInsns: 1_000_000, traffic: traffic(packets) };
  const setup = trafficSetup(settings.traffic, undefined);
  if (!setup.ok) throw new Error(setup.errors.join('; '));
  const loaded = loadProgram({ ...loadRequestOf(image, settings), ...(tier === 'auto' ? {} : { tier }) });
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('; '));
  const started = startTraffic(loaded.program, setup.setup);
  if (!started.ok) throw new Error(started.errors.join('; '));
  const { durationMs: _ms, pps: _pps, ...report } = runWholeTraffic(started.run, setup.setup, loaded.program.deviceBound);
  return { report, wasmInsns: loaded.program.vm.wasmInsns };
}

describe('the NIC on every tier', () => {
  const programs: [string, string][] = [
    ['the 40-instruction metadata program of the benchmark', readFileSync(new URL('../bench/xdp-metadata-40.bpf.s', import.meta.url), 'utf8')],
    ['the xdp-metadata example (VLAN, IPv6, IPv4 options)', readFileSync(new URL('../../../public/examples/xdp-metadata.bpf.s', import.meta.url), 'utf8')],
    ['a loop over the packet and a metadata kfunc', LOOP_PROGRAM],
  ];
  for (const [name, source] of programs) {
    it(`${name}: the same counters and packets on every tier`, () => {
      const runs = TIERS.map((tier) => run(source, tier, 3_000));
      const [first] = runs.map((r) => r.report);
      expect(first).toMatchObject({ total: 3_000 });
      for (const [i, r] of runs.entries()) expect(r.report, TIERS[i]).toEqual(first);
      // The tier asked for ran: WebAssembly only on its own tier (and where 'auto' chose it).
      expect(runs[0]?.wasmInsns).toBe(0);
      expect(runs[1]?.wasmInsns).toBe(0);
      expect(runs[2]?.wasmInsns).toBeGreaterThan(3_000);
    });
  }
});
