// One fresh process measuring one corpus program (or one of the size pair, `size:…`,
// size-programs.ts) on our VM — the compiled tier (default), the interpreter alone
// (`interpreter`) or the WebAssembly tier (`wasm`): warm up (at least `warm` runs and, with a
// fifth argument, that many ms), then time each run (or, with a sixth, batches of runs lasting
// at least that many ms; with a seventh, warm-up goes on while the speed still rises, up to that many
// ms in all) and print the rates as JSON, with the share of the executed instructions that ran in
// WebAssembly (vm.wasmInsns; the rest fell back to the interpreter). Fresh processes keep one
// program's JIT state (and code placement) from colouring another's numbers. The measuring
// itself is measure.ts's, shared with the browser benchmark's worker (browser/bench.worker.ts).

import type { VmTier } from '../../vm/index.ts';
import { loadCorpus } from './corpus.ts';
import { measureRuns, type MeasuredProgram, type Stopwatch } from './measure.ts';
import { sizeProgram } from './size-programs.ts';
import { readWasmBranchHints } from '../../vm/node-branch-hints.ts';

readWasmBranchHints();

const [name, runsArg, warmArg, tierArg, warmMsArg, minSampleMsArg, steadyMaxMsArg] = process.argv.slice(2);
const tier: VmTier = tierArg === 'interpreter' || tierArg === 'wasm' ? tierArg : 'compiled';
const runs = Number(runsArg ?? 20);
const warm = Number(warmArg ?? 10);
const program: MeasuredProgram | undefined = name?.startsWith('size:') ? sizeProgram(name) : loadCorpus().find((p) => p.name === name);
if (!program) {
  process.stderr.write(`unknown program ${name}\n`);
  process.exit(2);
}
const hrtime: Stopwatch = () => {
  const t0 = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - t0);
};
const m = measureRuns(program, tier, hrtime, { runs, warm, warmMs: Number(warmMsArg ?? 0), minSampleMs: Number(minSampleMsArg ?? 0), steadyMaxMs: Number(steadyMaxMsArg ?? 0) });
process.stdout.write(JSON.stringify({ name, tier, ...m }) + '\n');
