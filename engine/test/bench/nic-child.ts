// One process of the NIC benchmark: a metadata program (adjust_meta, rx_timestamp, rx_hash,
// redirect to the XSK of the queue) on generated traffic, through the generator, the NIC, the VM
// and the AF_XDP consumer. Prints {pps:[…], insns, split?} as JSON. Every run must put every
// frame into an AF_XDP socket, as the metadata programs do with this traffic; `any-verdict` lifts
// that check for profiling other programs. With `split`, after the timed runs, SPLIT_RUNS
// instrumented runs time each stage per packet (TrafficRun.runBatchTimed; the timers' own cost,
// measured here, is taken off) — separate runs, so the timers do not slow the timed ones.
// Usage: nic-child.ts PACKETS RUNS [PROGRAM.bpf.s [compiled|interpreter|wasm [any-verdict] [split]]]
// (default: the 40-instruction program of issue 5, on the compiled tier)

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { loadProgram } from '../../kernel/loader.ts';
import { runWholeTraffic, startTraffic, trafficSetup } from '../../worker/nic-session.ts';
import { loadRequestOf } from '../../worker/session.ts';
import { imageOf } from '../xdp/nic-harness.ts';
import { median } from './measure.ts';
import { readWasmBranchHints } from '../../vm/node-branch-hints.ts';

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

/** Instrumented runs after the timed ones, for the split per stage. */
export const SPLIT_RUNS = 2;

/** ns per packet of each stage (medians over SPLIT_RUNS instrumented runs, the timers' cost taken off). */
export interface NicSplit {
  /** The source making the frame: template copy, lengths, counters, checksums, timestamp. */
  readonly generator: number;
  /** The NIC receiving it: RSS (flow tuple, Toeplitz hash, queue), driver hints, XDP buff layout, VM reset. */
  readonly receive: number;
  /** The program: the VM run with its helper and kfunc calls. */
  readonly program: number;
  /** The verdict carried out: redirect, the XSKMAP lookup, the copy into the AF_XDP UMEM, counters and kept packets. */
  readonly verdict: number;
  /** What one performance.now() interval costs by itself (taken off each stage). */
  readonly timer: number;
  /** ns per packet of the instrumented runs, timers included. */
  readonly instrumented: number;
}

export const TIERS = ['compiled', 'interpreter', 'wasm'] as const;
export type NicTier = (typeof TIERS)[number];

function tierOf(arg: string | undefined): NicTier {
  const t = arg ?? 'compiled';
  const tier = TIERS.find((x) => x === t);
  if (!tier) throw new Error(`unknown tier ${t} (known: ${TIERS.join(', ')})`);
  return tier;
}

/** ns one performance.now() interval adds, as runBatchTimed takes them (four per packet). */
function timerCost(): number {
  const acc = new Float64Array(4);
  const rounds = 200_000;
  let best = Infinity;
  for (let k = 0; k < 5; k++) {
    acc.fill(0);
    let t0 = performance.now();
    for (let i = 0; i < rounds; i++) {
      const t1 = performance.now();
      const t2 = performance.now();
      acc[2] += t1 - t0;
      acc[3] += t2 - t1;
      const t3 = performance.now();
      acc[0] += t3 - t2;
      t0 = performance.now();
      acc[1] += t0 - t3;
    }
    best = Math.min(best, ((acc[0] + acc[1] + acc[2] + acc[3]) * 1e6) / (4 * rounds));
  }
  return best;
}

function main(): void {
  readWasmBranchHints();
  const packets = Number(process.argv[2] ?? 1_000_000);
  const runs = Number(process.argv[3] ?? 5);
  const file = process.argv[4] ?? NIC_BENCH_PROGRAM;
  const tier = tierOf(process.argv[5]);
  const anyVerdict = process.argv.slice(6).includes('any-verdict');
  const split = process.argv.slice(6).includes('split');
  const image = imageOf(readFileSync(file, 'utf8'));
  const settings = { isa: 4 as const, profile: 'linux-6.18' as const, cpus: 4, maxInsns: 1_000_000, traffic: benchTraffic(packets) };
  const setup = trafficSetup(settings.traffic, undefined);
  if (!setup.ok) throw new Error(setup.errors.join('; '));
  const start = () => {
    const loaded = loadProgram({ ...loadRequestOf(image, settings), tier });
    if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('; '));
    const started = startTraffic(loaded.program, setup.setup);
    if (!started.ok) throw new Error(started.errors.join('; '));
    return { program: loaded.program, run: started.run };
  };
  const check = (xsk: number) => {
    if (!anyVerdict && xsk !== packets) throw new Error(`expected every packet in an AF_XDP socket, got ${xsk} of ${packets}`);
  };
  const pps: number[] = [];
  let insns = 0;
  for (let r = 0; r < WARM_UP_RUNS + runs; r++) {
    const { program, run } = start();
    const report = runWholeTraffic(run, setup.setup, program.deviceBound);
    if (report.stopped) throw new Error(report.stopped);
    check(report.counters.xsk);
    insns = report.packets.reduce((a, p) => a + p.insns, 0) / report.packets.length;
    if (r >= WARM_UP_RUNS) pps.push(report.pps);
  }
  let stages: NicSplit | undefined;
  if (split) {
    const timer = timerCost();
    const per: number[][] = [[], [], [], []];
    const wall: number[] = [];
    for (let r = 0; r < SPLIT_RUNS; r++) {
      const { run } = start();
      const acc = new Float64Array(4);
      const w0 = performance.now();
      while (run.packetIndex !== undefined && !run.stopped) run.runBatchTimed(4_096, acc);
      if (run.stopped) throw new Error(run.stopped);
      check(run.counters.xsk);
      wall.push(((performance.now() - w0) * 1e6) / packets);
      for (let i = 0; i < 4; i++) per[i]?.push((acc[i] ?? 0) * 1e6 / packets - timer);
    }
    const [generator, receive, program, verdict] = per.map((xs) => Math.round(median(xs) * 10) / 10);
    stages = { generator: generator ?? 0, receive: receive ?? 0, program: program ?? 0, verdict: verdict ?? 0, timer: Math.round(timer * 10) / 10, instrumented: Math.round(median(wall) * 10) / 10 };
  }
  process.stdout.write(JSON.stringify({ pps, insns, ...(stages ? { split: stages } : {}) }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
