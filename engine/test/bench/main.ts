// `npm run bench`: our interpreter on the ../shared/bench corpus, median M instructions/s over
// fresh processes, next to the kernel's JIT on the same programs in the same run
// (BPF_PROG_TEST_RUN with repeat), with the ratio. Every run's r0 is checked.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { kernelOracle } from '../kernel/oracle.ts';
import { BENCH_DIR, sharedAvailable } from '../shared.ts';
import { loadCorpus, type BenchProgram } from './corpus.ts';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const NIC_CHILD = fileURLToPath(new URL('./nic-child.ts', import.meta.url));
const TARGET = 200;
/** Packets/s the NIC benchmark aims at (issue 5): generator + NIC + the ~40-instruction metadata program. */
const NIC_TARGET = 2_000_000;

interface Options {
  nicPackets: number;
  processes: number;
  runs: number;
  kernelLoads: number;
  kernelRepeat: number;
  json: boolean;
  only?: string;
}

function options(argv: string[]): Options {
  const o: Options = { nicPackets: 1_000_000, processes: 7, runs: 15, kernelLoads: 5, kernelRepeat: 200, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    const take = (): string => {
      i++;
      return v ?? '';
    };
    if (a === '--json') o.json = true;
    else if (a === '--processes' && v) o.processes = Number(take());
    else if (a === '--runs' && v) o.runs = Number(take());
    else if (a === '--only' && v) o.only = take();
    else if (a === '--kernel-loads' && v) o.kernelLoads = Number(take());
    else if (a === '--nic-packets' && v) o.nicPackets = Number(take());
    else throw new Error(`unknown option ${a} (known: --processes N, --runs N, --kernel-loads N, --nic-packets N (0: no NIC benchmark), --only NAME, --json)`);
  }
  return o;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

async function ours(p: BenchProgram, o: Options): Promise<{ median: number; perProcess: number[]; error?: string }> {
  const perProcess: number[] = [];
  for (let i = 0; i < o.processes; i++) {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, p.name, String(o.runs), '10'], { maxBuffer: 1 << 20 });
    const r = JSON.parse(stdout) as { rates: number[]; error?: string };
    if (r.error) return { median: 0, perProcess, error: r.error };
    perProcess.push(median(r.rates));
  }
  return { median: median(perProcess), perProcess };
}

type KernelSide = { median: number; loads: number[] } | { unavailable: string } | { error: string };

async function kernel(programs: BenchProgram[], o: Options): Promise<Map<string, KernelSide>> {
  const out = new Map<string, KernelSide>();
  const oracle = await kernelOracle();
  if ('unavailable' in oracle) {
    for (const p of programs) out.set(p.name, { unavailable: oracle.unavailable });
    return out;
  }
  try {
    for (const p of programs) {
      const loads: number[] = [];
      let error: string | undefined;
      // Each load is a fresh program (fresh JIT image); test_run reports ns per run itself.
      for (let i = 0; i < o.kernelLoads && !error; i++) {
        const r = await oracle.run({ prog: p.xdpBytes, type: 'xdp', data: p.mem ?? new Uint8Array(64), repeat: o.kernelRepeat });
        if (!r.ok) error = `${r.stage}: ${r.error}${r.log ? `\n${r.log}` : ''}`;
        else if (BigInt(r.retval >>> 0) !== p.expectedR0) error = `kernel r0 0x${(r.retval >>> 0).toString(16)}, expected 0x${p.expectedR0.toString(16)}`;
        else loads.push((p.insnsXdp / r.durationNs) * 1000);
      }
      out.set(p.name, error ? { error } : { median: median(loads), loads });
    }
  } finally {
    await oracle.close();
  }
  return out;
}

/** The NIC: median packets/s over fresh processes (3 timed runs each after one warm-up run). */
async function nic(o: Options): Promise<{ median: number; perProcess: number[]; insns: number }> {
  const perProcess: number[] = [];
  let insns = 0;
  for (let i = 0; i < Math.max(3, Math.min(o.processes, 5)); i++) {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', NIC_CHILD, String(o.nicPackets), '3'], { maxBuffer: 1 << 20 });
    const r = JSON.parse(stdout) as { pps: number[]; insns: number };
    perProcess.push(median(r.pps));
    insns = r.insns;
  }
  return { median: median(perProcess), perProcess, insns };
}

function reportNic(r: { median: number; perProcess: number[]; insns: number }, o: Options): void {
  const row = { program: 'nic:xdp-metadata', packets: o.nicPackets, insnsPerPacket: r.insns, pps: Math.round(r.median), ppsPerProcess: r.perProcess.map(Math.round), meetsTarget: r.median >= NIC_TARGET };
  if (o.json) console.log(JSON.stringify(row));
  else {
    console.log('');
    console.log(`NIC: generator + NIC + public/examples/xdp-metadata.bpf.s (${r.insns} instructions per packet, adjust_meta, rx_timestamp, rx_hash, redirect to AF_XDP), ${o.nicPackets.toLocaleString('en-US')} 64-byte frames per run, median over ${r.perProcess.length} fresh processes × 3 runs`);
    console.log(`| packets/s (per-process medians) | target | met? |`);
    console.log('| ---: | ---: | :---: |');
    console.log(`| ${row.pps.toLocaleString('en-US')} (${Math.round(Math.min(...r.perProcess)).toLocaleString('en-US')}–${Math.round(Math.max(...r.perProcess)).toLocaleString('en-US')}) | ${NIC_TARGET.toLocaleString('en-US')} | ${row.meetsTarget ? 'yes' : 'no'} |`);
  }
}

async function main(): Promise<number> {
  const o = options(process.argv.slice(2));
  if (!sharedAvailable(BENCH_DIR)) {
    console.log(`skipped: benchmark corpus not found at ${BENCH_DIR}`);
    return 0;
  }
  const programs = loadCorpus().filter((p) => !o.only || p.name === o.only);
  const k = await kernel(programs, o);
  const rows: Record<string, unknown>[] = [];
  let failed = false;
  if (!o.json) {
    console.log(`interpreter: median M insns/s over ${o.processes} fresh processes × ${o.runs} timed runs (10 warm-up); kernel: ${o.kernelLoads} loads × test_run repeat ${o.kernelRepeat}`);
    console.log('| program | insns/run | ours M/s (per-process medians) | Linux JIT M/s | JIT / ours | ≥ 200? |');
    console.log('| --- | ---: | ---: | ---: | ---: | :---: |');
  }
  for (const p of programs) {
    const r = await ours(p, o);
    const ks = k.get(p.name);
    const kMed = ks && 'median' in ks ? ks.median : undefined;
    const ok = !r.error && r.median >= TARGET;
    if (r.error || !p.matchesLlvmBin) failed = true;
    const row = {
      program: p.name,
      insns: p.insns,
      ours: Math.round(r.median),
      oursPerProcess: r.perProcess.map(Math.round),
      kernel: kMed === undefined ? null : Math.round(kMed),
      kernelNote: ks && !('median' in ks) ? ('unavailable' in ks ? `skipped: ${ks.unavailable}` : `error: ${ks.error}`) : null,
      ratio: kMed === undefined || !r.median ? null : Number((kMed / r.median).toFixed(1)),
      meetsTarget: ok,
      assemblyMatchesLlvm: p.matchesLlvmBin,
      ...(r.error ? { error: r.error } : {}),
    };
    rows.push(row);
    if (o.json) console.log(JSON.stringify(row));
    else {
      const kCell = row.kernel ?? (row.kernelNote ?? '–');
      const spread = r.perProcess.length ? ` (${Math.round(Math.min(...r.perProcess))}–${Math.round(Math.max(...r.perProcess))})` : '';
      console.log(`| ${p.name} | ${p.insns.toLocaleString('en-US')} | ${r.error ? `ERROR ${r.error}` : `${row.ours}${spread}`} | ${kCell} | ${row.ratio ?? '–'} | ${ok ? 'yes' : 'no'} |`);
    }
  }
  if (!o.json) {
    for (const v of k.values()) {
      if ('unavailable' in v) {
        console.log(`kernel side skipped: ${v.unavailable}`);
        break;
      }
      if ('error' in v) console.log(`kernel side: ${v.error}`);
    }
    if (programs.some((p) => !p.matchesLlvmBin)) console.log('ERROR: our assembly of a corpus .s differs from llvm-mc\'s .bin');
  }
  if (o.nicPackets > 0 && !o.only) reportNic(await nic(o), o);
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
