// One fresh process timing our verifier on one program of verifier-programs.ts at logLevel 0:
// untimed warm-up runs (at least 2, and at least 0.5 s of them), then RUNS timed runs; prints the times (ms), the verdict and the
// processed count as JSON. A fresh process per program, as for the VM (child.ts).

import { decodeProgram } from '../../isa/index.ts';
import { verify } from '../../verifier/index.ts';
import { verifierPrograms } from './verifier-programs.ts';

const [name, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const WARM_RUNS = 2;
const WARM_MS = 500;
const program = verifierPrograms().find((p) => p.name === name);
if (!program) {
  process.stderr.write(`unknown program ${name}\n`);
  process.exit(2);
}
const { insns } = decodeProgram(program.bytes);
const req = { insns, kind: { progType: program.progType }, maps: [], gpl: true, profile: 'linux-6.18', logLevel: 0 } as const;
const times: number[] = [];
// Warm-up until the JIT has settled: at least WARM_RUNS runs and WARM_MS of them (a 200-insn
// program needs hundreds of runs before its hot paths are compiled; the kernel's C needs none).
let last = verify(req);
const warmStart = performance.now();
for (let n = 1; n < WARM_RUNS || (performance.now() - warmStart < WARM_MS && n < 100_000); n++) last = verify(req);
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  last = verify(req);
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
process.stdout.write(
  JSON.stringify({ name, times, accepted: last.accepted, processed: last.stats.processed, ...(last.accepted ? {} : { message: last.errors[0]?.message ?? '' }) }) + '\n',
);
