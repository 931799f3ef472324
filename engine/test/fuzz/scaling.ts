// The scaling checks: each scalable input timed at n, 10n and 100n in a child process (so a
// runaway is killed and the peak memory is the check's own), flagged when 10× the size costs
// far more than 10× the time (or memory), and printed as a table.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../shared.ts';
import { SCALING_CHECKS, type ScalingCheck } from './scaling-checks.ts';
import { grewTooFast, type SizeResult } from './scaling-result.ts';

export interface ScalingRow {
  readonly check: string;
  readonly unit: string;
  readonly sizes: readonly { n: number; result?: SizeResult; timedOut?: boolean }[];
  readonly flagged: boolean;
  readonly why: readonly string[];
}

export interface ScalingOptions {
  /** Small sizes, generous slack, one child for all checks (npm test); no memory verdict. */
  readonly quick: boolean;
  readonly log?: (line: string) => void;
  /** Only these checks (names). */
  readonly only?: readonly string[];
}

/** Limits: 10× the size may cost up to MAX_RATIO× the time; below MIN_MS nothing is judged (noise). */
const LIMITS = {
  full: { maxRatio: 20, minMs: 50, floorMs: 5, timeoutMs: 60_000, runs: 3, memRatio: 20, memMinMb: 64, memFloorMb: 16 },
  quick: { maxRatio: 40, minMs: 1000, floorMs: 5, timeoutMs: 5_000, runs: 1, memRatio: Infinity, memMinMb: Infinity, memFloorMb: 16 },
};

const CHILD = fileURLToPath(new URL('./scaling-child.ts', import.meta.url));

/** Runs `names` in one child; on a size that exceeds the timeout, kills it and says which. */
function runChild(names: readonly string[], quick: boolean): Promise<{ lines: SizeResult[]; timedOut?: string }> {
  const limits = quick ? LIMITS.quick : LIMITS.full;
  return new Promise((resolve) => {
    const args = [quick ? 'QUICK' : 'FULL', String(limits.runs), String(limits.maxRatio), String(limits.minMs), String(limits.floorMs), names.join(',')];
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: SizeResult[] = [];
    let buffer = '';
    let stderr = '';
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut: string | undefined;
    // The first size of a check also pays for the child's start-up.
    const arm = (ms: number): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = names.find((n) => lines.filter((l) => l.check === n).length < 3);
        child.kill('SIGKILL');
      }, ms);
    };
    arm(limits.timeoutMs + 15_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const text = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          lines.push(JSON.parse(text) as SizeResult);
          arm(limits.timeoutMs);
        } catch {
          // A stray line from the product (a console.log) is not a result.
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0 && !timedOut) {
        const last = names.find((n) => lines.filter((l) => l.check === n).length < 3);
        if (last) lines.push({ check: last, n: 0, ms: Number.NaN, runs: 0, peakMb: 0, error: `the child exited with ${code}: ${stderr.trim().split('\n').pop() ?? ''}` });
      }
      resolve({ lines, ...(timedOut ? { timedOut } : {}) });
    });
  });
}

type Measured = Map<string, { lines: SizeResult[]; timedOut: boolean }>;

/** Times `checks` in child processes; a child that times out is killed and the next check goes on. */
async function measure(checks: readonly ScalingCheck[], options: ScalingOptions, isolate: boolean): Promise<Measured> {
  const results: Measured = new Map(checks.map((c) => [c.name, { lines: [], timedOut: false }]));
  const groups = isolate ? checks.map((c) => [c.name]) : [checks.map((c) => c.name)];
  for (const group of groups) {
    let left = [...group];
    while (left.length) {
      options.log?.(`scaling: ${left[0]}${left.length > 1 ? ` and ${left.length - 1} more` : ''}…`);
      const r = await runChild(left, options.quick);
      for (const l of r.lines) results.get(l.check)?.lines.push(l);
      const stuck = r.timedOut ?? r.lines.find((l) => l.error && l.n === 0)?.check;
      if (!stuck) break;
      const entry = results.get(stuck);
      if (entry && r.timedOut) entry.timedOut = true;
      left = left.slice(left.indexOf(stuck) + 1);
    }
  }
  return results;
}

/** The verdict on one check's sizes. */
function judge(c: ScalingCheck, entry: { lines: SizeResult[]; timedOut: boolean }, options: ScalingOptions): ScalingRow {
  const limits = options.quick ? LIMITS.quick : LIMITS.full;
  const n0 = options.quick ? c.quickBase : c.base;
  const sizes = [n0, n0 * 10, n0 * 100].map((n) => {
    const result = entry.lines.find((l) => l.n === n);
    return result ? { n, result } : { n, ...(entry.timedOut ? { timedOut: true } : {}) };
  });
  const why: string[] = [];
  for (const l of entry.lines) if (l.error) why.push(`${l.n ? `at ${l.n.toLocaleString('en-US')} ${c.unit}` : 'the check'}: ${l.error}`);
  const firstMissing = sizes.find((s) => !s.result);
  if (entry.timedOut && firstMissing) why.push(`${firstMissing.n.toLocaleString('en-US')} ${c.unit}: over ${limits.timeoutMs / 1000} s`);
  for (let i = 1; i < sizes.length; i++) {
    const a = sizes[i - 1]?.result;
    const b = sizes[i]?.result;
    if (!a || !b || a.error || b.error || b.skipped) continue;
    const ratio = b.ms / Math.max(a.ms, limits.floorMs);
    if (grewTooFast(a, b, limits.maxRatio, limits.minMs, limits.floorMs)) why.push(`time ×${ratio.toFixed(0)} from ${a.n.toLocaleString('en-US')} to ${b.n.toLocaleString('en-US')} ${c.unit} (limit ×${limits.maxRatio})`);
    const mem = b.peakMb / Math.max(a.peakMb, limits.memFloorMb);
    if (mem > limits.memRatio && b.peakMb > limits.memMinMb) why.push(`memory ×${mem.toFixed(0)} from ${a.n.toLocaleString('en-US')} to ${b.n.toLocaleString('en-US')} ${c.unit}`);
  }
  if (entry.lines.some((l) => l.skipped)) why.push('the larger size was skipped');
  return { check: c.name, unit: c.unit, sizes, flagged: why.length > 0, why };
}

/**
 * Runs the checks; a check flagged once is measured again alone, and stays flagged only if it is
 * flagged again — a shared machine's load can stall one measurement for hundreds of ms.
 */
export async function runScalingChecks(options: ScalingOptions): Promise<ScalingRow[]> {
  const checks = SCALING_CHECKS.filter((c) => !options.only || options.only.includes(c.name));
  // Full runs isolate each check (its own peak memory); the quick run shares one child.
  const first = await measure(checks, options, !options.quick);
  const rows = checks.map((c) => judge(c, first.get(c.name) ?? { lines: [], timedOut: false }, options));
  for (const [i, row] of rows.entries()) {
    const c = checks[i];
    if (!row.flagged || !c) continue;
    const again = await measure([c], options, true);
    const second = judge(c, again.get(c.name) ?? { lines: [], timedOut: false }, options);
    rows[i] = second.flagged ? { ...second, why: [...second.why, `(flagged twice; the first time: ${row.why.join('; ')})`] } : { ...second, why: [`flagged once, not when measured again (${row.why.join('; ')})`] };
  }
  return rows;
}

function cell(s: ScalingRow['sizes'][number] | undefined, what: 'ms' | 'mb'): string {
  if (!s) return '';
  if (!s.result) return s.timedOut ? 'timeout' : '—';
  if (s.result.skipped) return 'skipped';
  if (s.result.error) return 'error';
  return what === 'ms' ? (s.result.ms >= 1000 ? `${(s.result.ms / 1000).toFixed(1)} s` : `${s.result.ms.toFixed(1)} ms`) : `${s.result.peakMb.toFixed(0)} MB`;
}

export function printScaling(rows: readonly ScalingRow[], log: (line: string) => void, memory = true): void {
  log(`${'scaling check'.padEnd(36)}${'n'.padStart(8)}${'t(n)'.padStart(11)}${'t(10n)'.padStart(11)}${'t(100n)'.padStart(11)}${memory ? `${'mem(n)'.padStart(9)}${'mem(10n)'.padStart(10)}${'mem(100n)'.padStart(10)}` : ''}  verdict`);
  for (const r of rows) {
    const [a, b, c] = r.sizes;
    const mem = memory ? `${cell(a, 'mb').padStart(9)}${cell(b, 'mb').padStart(10)}${cell(c, 'mb').padStart(10)}` : '';
    log(`${r.check.padEnd(36)}${(a?.n ?? 0).toLocaleString('en-US').padStart(8)}${cell(a, 'ms').padStart(11)}${cell(b, 'ms').padStart(11)}${cell(c, 'ms').padStart(11)}${mem}  ${r.flagged ? `FLAGGED: ${r.why.join('; ')}` : r.why.length ? `ok (${r.why.join('; ')})` : 'ok'}`);
  }
}
