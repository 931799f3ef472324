// `npm run fuzz`: seeded, bounded fuzzing of every input surface on worker threads, with a
// watchdog for hangs, then the scaling checks. Prints per surface the cases, the failures by
// kind, cases/s and a one-line reproducer per failure; exits 1 on any failure.
//
//   npm run fuzz -- [--surface NAME[,NAME…]|all|none] [--count N] [--from I] [--seed S] [--jobs J] [--timeout MS]
//                   [--scaling|--no-scaling] [--replay SURFACE:SEED:INDEX]

import { availableParallelism } from 'node:os';
import { caseRng } from './case.ts';
import { Pool, type SurfaceReport } from './pool.ts';
import { printReports } from './report.ts';
import { runScalingChecks, printScaling } from './scaling.ts';
import { surfaceByName, SURFACES } from './surfaces/index.ts';

interface Options {
  surfaces: string[];
  count: number;
  /** The first case's index: a long run can be split into ranges (on several machines) and stay the same cases. */
  from: number;
  seed: number;
  jobs: number;
  limitMs: number;
  scaling: boolean | undefined;
  replay?: { surface: string; seed: number; index: number };
}

const USAGE = `usage: npm run fuzz -- [--surface NAME[,NAME…]|all|none] [--count N] [--from I] [--seed S] [--jobs J] [--timeout MS] [--scaling|--no-scaling]
       npm run fuzz -- --replay SURFACE:SEED:INDEX
surfaces: ${SURFACES.map((s) => s.name).join(', ')}`;

function parse(argv: readonly string[]): Options | string {
  const o: Options = { surfaces: SURFACES.map((s) => s.name), count: 1000, from: 0, seed: 1, jobs: Math.max(1, Math.min(2, availableParallelism())), limitMs: 1000, scaling: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => inline ?? argv[++i] ?? '';
    const whole = (what: string, min: number): number | string => {
      const v = value();
      return /^\d+$/.test(v) && Number(v) >= min && Number.isSafeInteger(Number(v)) ? Number(v) : `${what} must be a whole number ≥ ${min}, not '${v}'`;
    };
    switch (flag) {
      case '--surface': {
        const v = value();
        if (v === 'all') o.surfaces = SURFACES.map((s) => s.name);
        else if (v === 'none') o.surfaces = [];
        else {
          const names = v.split(',');
          const unknown = names.find((n) => !surfaceByName(n));
          if (unknown !== undefined) return `no surface '${unknown}'`;
          o.surfaces = names;
        }
        break;
      }
      case '--count':
      case '--from':
      case '--seed':
      case '--jobs':
      case '--timeout': {
        const n = whole(flag, flag === '--seed' || flag === '--from' ? 0 : 1);
        if (typeof n === 'string') return n;
        if (flag === '--count') o.count = n;
        else if (flag === '--from') o.from = n;
        else if (flag === '--seed') o.seed = n;
        else if (flag === '--jobs') o.jobs = n;
        else o.limitMs = n;
        break;
      }
      case '--scaling':
        o.scaling = true;
        break;
      case '--no-scaling':
        o.scaling = false;
        break;
      case '--replay': {
        const m = /^([\w-]+):(\d+):(\d+)$/.exec(value());
        if (!m || !surfaceByName(m[1] ?? '')) return '--replay takes SURFACE:SEED:INDEX, e.g. asm-llvm:1:42';
        o.replay = { surface: m[1] ?? '', seed: Number(m[2]), index: Number(m[3]) };
        break;
      }
      case '--help':
      case '-h':
        return USAGE;
      default:
        return `unknown argument '${arg}'`;
    }
  }
  return o;
}

async function replay(o: Options, target: NonNullable<Options['replay']>): Promise<number> {
  const surface = surfaceByName(target.surface);
  if (!surface) return 2;
  const input = surface.generate(caseRng(surface.name, target.seed, target.index), target.index);
  console.log(`case ${target.surface}:${target.seed}:${target.index} — ${surface.about}`);
  console.log(surface.show(input));
  console.log('--- running it (alone, on a worker thread) ---');
  const pool = new Pool(1, o.limitMs);
  const waitMs = Math.max(10_000, o.limitMs * 5);
  const r = await pool.replay(target.surface, target.seed, target.index, waitMs);
  await pool.close();
  if (r.type === 'stuck') {
    console.log(`[hang] still running after ${Math.round(r.ms)} ms (limit ${o.limitMs} ms)`);
    return 1;
  }
  if (r.type === 'died') {
    console.log(`[crash] ${r.error}`);
    return 1;
  }
  const findings = [...r.findings];
  if (r.ms > o.limitMs) findings.push({ kind: 'hang', detail: `took ${Math.round(r.ms)} ms (limit ${o.limitMs} ms)` });
  console.log(`took ${r.ms.toFixed(1)} ms; the product answered: ${r.answer}`);
  for (const f of findings) console.log(`[${f.kind}] ${f.detail}`);
  if (!findings.length) console.log('no finding');
  return findings.length ? 1 : 0;
}

async function main(argv: readonly string[]): Promise<number> {
  const o = parse(argv);
  if (typeof o === 'string') {
    console.error(o === USAGE ? o : `fuzz: ${o}\n${USAGE}`);
    return o === USAGE ? 0 : 2;
  }
  if (o.replay) return replay(o, o.replay);
  console.log(`fuzz: ${o.surfaces.length} surface${o.surfaces.length === 1 ? '' : 's'} × ${o.count.toLocaleString('en-US')} cases${o.from ? ` from index ${o.from.toLocaleString('en-US')}` : ''}, seed ${o.seed}, ${o.jobs} worker thread${o.jobs === 1 ? '' : 's'}, hang limit ${o.limitMs} ms`);
  const pool = new Pool(o.jobs, o.limitMs);
  const reports: SurfaceReport[] = [];
  try {
    await pool.start();
    for (const name of o.surfaces) {
      const tty = process.stderr.isTTY;
      // Off a terminal (a long run into a log), a progress line a minute instead.
      let said = Date.now();
      const r = await pool.run(
        name,
        o.seed,
        o.count,
        (done) => {
          if (tty) process.stderr.write(`\r${name}: ${done.toLocaleString('en-US')} / ${o.count.toLocaleString('en-US')}   `);
          else if (Date.now() - said >= 60_000) {
            said = Date.now();
            console.error(`${name}: ${done.toLocaleString('en-US')} / ${o.count.toLocaleString('en-US')}`);
          }
        },
        o.from,
      );
      if (tty) process.stderr.write('\r\x1b[K');
      console.log(`${name}: ${r.cases.toLocaleString('en-US')} cases in ${(r.ms / 1000).toFixed(1)} s, ${r.findings.length} failure${r.findings.length === 1 ? '' : 's'}`);
      reports.push(r);
    }
  } finally {
    await pool.close();
  }
  console.log('');
  let failures = printReports(reports, (l) => console.log(l));
  // The scaling checks run with a whole run (all surfaces), or when asked for.
  if (o.scaling ?? o.surfaces.length === SURFACES.length) {
    console.log('');
    const rows = await runScalingChecks({ quick: false, log: (l) => console.log(l) });
    printScaling(rows, (l) => console.log(l));
    failures += rows.filter((r) => r.flagged).length;
  }
  console.log('');
  console.log(failures ? `FAILED: ${failures} finding${failures === 1 ? '' : 's'}` : 'no findings');
  return failures ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
