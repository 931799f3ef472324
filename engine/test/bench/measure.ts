// How one corpus program is measured on one tier, wherever it runs: a fresh Node process
// (child.ts) or a fresh Web Worker in Chromium (browser/bench.worker.ts). Warm-up runs, then
// each timed run on its own clock; every run's status, r0 and instruction count checked. Only
// the clock differs between the two (process.hrtime in Node, performance.now in the browser),
// so this module imports nothing of Node's or the DOM's.

import { decodeProgram } from '../../isa/index.ts';
import { createRawVm, type VmTier } from '../../vm/index.ts';

/** Warm-up runs before the timed runs of the corpus benchmark, in Node and in the browser alike. */
export const CORPUS_WARM_UP_RUNS = 10;

/** What a measurement needs of a corpus program (corpus.ts's BenchProgram has it all). */
export interface MeasuredProgram {
  readonly bytes: Uint8Array;
  /** The input: r1 points to it, r2 holds its length (pkt_csum's 1500-byte packet). */
  readonly mem?: Uint8Array;
  readonly expectedR0: bigint;
  /** Executed instructions per run. */
  readonly insns: number;
}

/** Starts a clock; the function it returns gives the nanoseconds elapsed since. */
export type Stopwatch = () => () => number;

export interface Measurement {
  /** M instructions/s of each timed run. */
  readonly rates: number[];
  /** Of the instructions executed (warm-up included), the share that ran in WebAssembly (vm.wasmInsns). */
  readonly wasmShare: number;
  /** r0 of the last run, hex (0x…). */
  readonly r0: string;
  /** A run that did not exit with the expected r0 and count: the measurement stops there. */
  readonly error?: string;
}

/** `warm` warm-up runs, then `runs` timed runs, each on its own clock (vm.reset() outside it). */
export function measureRuns(program: MeasuredProgram, tier: VmTier, runs: number, warm: number, stopwatch: Stopwatch): Measurement {
  const { insns } = decodeProgram(program.bytes);
  const vm = createRawVm(insns, { ...(program.mem ? { mem: program.mem } : {}), tier });
  const rates: number[] = [];
  let bad: string | undefined;
  let executed = 0;
  for (let i = 0; i < warm + runs; i++) {
    vm.reset();
    const elapsed = stopwatch();
    const status = vm.run();
    const ns = elapsed();
    if (status !== 'exited' || vm.reg(0) !== program.expectedR0 || vm.count !== program.insns) {
      bad = `run ${i}: status ${status}, r0 0x${vm.reg(0).toString(16)}, insns ${vm.count} (expected 0x${program.expectedR0.toString(16)}, ${program.insns})${vm.faultInfo ? `: ${vm.faultInfo.message}` : ''}`;
      break;
    }
    executed += vm.count;
    if (i >= warm) rates.push((vm.count / ns) * 1000);
  }
  return { rates, wasmShare: executed ? vm.wasmInsns / executed : 0, r0: `0x${vm.reg(0).toString(16)}`, ...(bad ? { error: bad } : {}) };
}
