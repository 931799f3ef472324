// One process of the NIC benchmark: a metadata program (adjust_meta, rx_timestamp, rx_hash,
// redirect to the XSK of the queue) on generated traffic, through the generator, the NIC, the VM
// and the AF_XDP consumer. Prints {pps:[…], insns} as JSON. Every run must put every frame into
// an AF_XDP socket, as the metadata programs do with this traffic; `any-verdict` lifts that
// check for profiling other programs.
// Usage: nic-child.ts PACKETS RUNS [PROGRAM.bpf.s [compiled|interpreter [any-verdict]]]
// (default: the 40-instruction program of issue 5, on the compiled tier)

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { loadProgram } from '../../kernel/loader.ts';
import { runWholeTraffic, startTraffic, trafficSetup } from '../../worker/nic-session.ts';
import { loadRequestOf } from '../../worker/session.ts';
import { imageOf } from '../xdp/nic-harness.ts';

/** The workload issue 5 names: a 40-instruction metadata program. */
export const NIC_BENCH_PROGRAM = new URL('./xdp-metadata-40.bpf.s', import.meta.url);
/** The playground's example of the same contract, with VLAN, IPv6 and IPv4-option parsing (54 instructions). */
export const NIC_EXAMPLE_PROGRAM = new URL('../../../public/examples/xdp-metadata.bpf.s', import.meta.url);

/**
 * Runs before the timed ones. A fresh process gets faster over its first runs (1.5 M, 1.8 M,
 * then about 2.0 M packets/s for the 40-instruction program, measured) while V8 re-optimizes
 * the packet path around what each new run brings (new kernel objects, the arena growing); the
 * timed runs measure the steady state, as the corpus benchmark does after its 10 warm-up runs.
 */
export const WARM_UP_RUNS = 3;

/** 64-byte UDP datagrams to port 8080 from 64 flows (so RSS spreads them over 4 queues). */
export function benchTraffic(packets: number): Record<string, unknown> {
  return {
    seed: 1,
    packets,
    rate_pps: 10_000_000,
    queues: 4,
    flows: Array.from({ length: 64 }, (_, i) => ({ proto: 'udp', src: `10.0.${i}.1`, dst: '10.0.0.2', sport: 1024 + i, dport: 8080, size: 64, weight: 1 })),
  };
}

function main(): void {
  const packets = Number(process.argv[2] ?? 1_000_000);
  const runs = Number(process.argv[3] ?? 5);
  const file = process.argv[4] ?? NIC_BENCH_PROGRAM;
  const compile = process.argv[5] !== 'interpreter';
  const anyVerdict = process.argv[6] === 'any-verdict';
  const image = imageOf(readFileSync(file, 'utf8'));
  const settings = { isa: 4 as const, profile: 'linux-6.18' as const, cpus: 4, maxInsns: 1_000_000, traffic: benchTraffic(packets) };
  const setup = trafficSetup(settings.traffic, undefined);
  if (!setup.ok) throw new Error(setup.errors.join('; '));
  const pps: number[] = [];
  let insns = 0;
  for (let r = 0; r < WARM_UP_RUNS + runs; r++) {
    const loaded = loadProgram({ ...loadRequestOf(image, settings), compile });
    if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('; '));
    const started = startTraffic(loaded.program, setup.setup);
    if (!started.ok) throw new Error(started.errors.join('; '));
    const report = runWholeTraffic(started.run, setup.setup, loaded.program.deviceBound);
    if (report.stopped) throw new Error(report.stopped);
    if (!anyVerdict && report.counters.xsk !== packets) throw new Error(`expected every packet in an AF_XDP socket, got ${report.counters.xsk} of ${packets}`);
    insns = report.packets.reduce((a, p) => a + p.insns, 0) / report.packets.length;
    if (r >= WARM_UP_RUNS) pps.push(report.pps);
  }
  process.stdout.write(JSON.stringify({ pps, insns }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
