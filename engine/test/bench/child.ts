// One fresh process measuring one corpus program on our VM — the compiled tier (default), the
// interpreter alone (`interpreter`) or the WebAssembly tier (`wasm`): warm up, then time each run
// and print the rates as JSON, with the share of the executed instructions that ran in
// WebAssembly (vm.wasmInsns; the rest fell back to the interpreter). Fresh processes keep one
// program's JIT state (and code placement) from colouring another's numbers.

import { decodeProgram } from '../../isa/index.ts';
import { createRawVm, type VmTier } from '../../vm/index.ts';
import { loadCorpus } from './corpus.ts';

const [name, runsArg, warmArg, tierArg] = process.argv.slice(2);
const tier: VmTier = tierArg === 'interpreter' || tierArg === 'wasm' ? tierArg : 'compiled';
const runs = Number(runsArg ?? 20);
const warm = Number(warmArg ?? 10);
const program = loadCorpus().find((p) => p.name === name);
if (!program) {
  process.stderr.write(`unknown program ${name}\n`);
  process.exit(2);
}
const { insns } = decodeProgram(program.bytes);
const vm = createRawVm(insns, { ...(program.mem ? { mem: program.mem } : {}), tier });
const rates: number[] = [];
let bad: string | undefined;
let executed = 0;
for (let i = 0; i < warm + runs; i++) {
  vm.reset();
  const t0 = process.hrtime.bigint();
  const status = vm.run();
  const ns = Number(process.hrtime.bigint() - t0);
  if (status !== 'exited' || vm.reg(0) !== program.expectedR0 || vm.count !== program.insns) {
    bad = `run ${i}: status ${status}, r0 0x${vm.reg(0).toString(16)}, insns ${vm.count} (expected 0x${program.expectedR0.toString(16)}, ${program.insns})`;
    break;
  }
  executed += vm.count;
  if (i >= warm) rates.push((vm.count / ns) * 1000);
}
process.stdout.write(JSON.stringify({ name, tier, rates, wasmShare: executed ? vm.wasmInsns / executed : 0, ...(bad ? { error: bad } : {}) }) + '\n');
