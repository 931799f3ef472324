// The views benchmark (issue 11, finding 6): what a run and a step cost the worker, and what it
// posts to the UI, for the big cases — 65,536 array values of 512 bytes, 32 hash values of
// 1 MiB, 100,000 bpf_cpumask create/release, 3,000 tasks on 4,096 CPUs. Each case runs in
// fresh processes (views-child.ts); medians over them. Timings move with the machine's load;
// the bytes do not.
// Usage: node --import tsx engine/test/bench/views.ts [--processes N] [--only CASE] [--json]

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median } from './measure.ts';
import { VIEW_CASES, type ViewCase, type ViewResult } from './views-child.ts';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./views-child.ts', import.meta.url));

function options(argv: string[]): { processes: number; only?: ViewCase; json: boolean } {
  const o: { processes: number; only?: ViewCase; json: boolean } = { processes: 3, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--json') o.json = true;
    else if (a === '--processes' && v) {
      o.processes = Math.max(1, Number(v));
      i++;
    } else if (a === '--only' && v && (VIEW_CASES as readonly string[]).includes(v)) {
      o.only = v as ViewCase;
      i++;
    } else throw new Error(`unknown option ${a} (known: --processes N, --only ${VIEW_CASES.join('|')}, --json)`);
  }
  return o;
}

const o = options(process.argv.slice(2));
const cases = o.only ? [o.only] : VIEW_CASES;
if (!o.json) {
  console.log(`views: median over ${o.processes} fresh processes; a step is the median of 5 steps after the run stopped`);
  console.log('| case | run ms | step ms | run snapshot bytes | step snapshot bytes | objects kept | peak RSS MB |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
}
for (const c of cases) {
  const results: ViewResult[] = [];
  for (let i = 0; i < o.processes; i++) {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, c], { maxBuffer: 1 << 20 });
    results.push(JSON.parse(stdout) as ViewResult);
  }
  const row = {
    case: c,
    runMs: median(results.map((r) => r.runMs)),
    stepMs: median(results.map((r) => median(r.stepMs))),
    runBytes: median(results.map((r) => r.runBytes)),
    stepBytes: median(results.map((r) => median(r.stepBytes))),
    objects: results[0]?.objects,
    peakRssMb: median(results.map((r) => r.peakRssMb)),
  };
  if (o.json) console.log(JSON.stringify(row));
  else console.log(`| ${c} | ${row.runMs.toFixed(0)} | ${row.stepMs.toFixed(1)} | ${row.runBytes.toLocaleString('en-US')} | ${row.stepBytes.toLocaleString('en-US')} | ${row.objects ?? '–'} | ${row.peakRssMb.toFixed(0)} |`);
}
