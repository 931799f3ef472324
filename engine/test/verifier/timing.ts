// How long a verification took, for the "no program takes over 1 s to verify" checks. The limit
// is on this process's CPU time (user + system, from process.cpuUsage): the verifier's own cost,
// which another test file or a busy CI machine running beside it cannot inflate the way it
// inflates wall time. Both are reported. A verification over the limit is timed again in a
// fresh Node process (retimeFresh): the test runner's module wrappers slow every call between
// modules (about 1.8x here), which the playground's bundle and the CLI do not pay. The fresh
// process verifies the program three times (a cold run, then two warm ones, as a worker that has
// verified before does) and the fastest of its runs is judged, wall time: on a shared 2-core CI
// machine the other test files' processes and the JIT's own threads only ever add time, so the
// fastest run is the verifier's cost; a verifier that is really too slow is slow in every run.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PipelineRequest } from '../../load/load.ts';

export interface Timed<T> {
  readonly value: T;
  /** CPU time of this process, in ms (what the limit applies to). */
  readonly cpuMs: number;
  /** Wall time, in ms (for the report). */
  readonly wallMs: number;
}

export function timed<T>(f: () => T): Timed<T> {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const value = f();
  const wallMs = performance.now() - w0;
  const c = process.cpuUsage(c0);
  return { value, cpuMs: (c.user + c.system) / 1000, wallMs };
}

/** "took 1234 ms of CPU (1500 ms wall)". */
export function tookText(t: { readonly cpuMs: number; readonly wallMs: number }): string {
  return `took ${Math.round(t.cpuMs)} ms of CPU (${Math.round(t.wallMs)} ms wall)`;
}

/** A load request as JSON: sections as hex. */
export type FreshRequest = Omit<PipelineRequest, 'sections' | 'verify' | 'logLevel' | 'inputs' | 'mapContents' | 'scenario'> & {
  readonly sections: readonly { readonly name: string; readonly kind: PipelineRequest['sections'][number]['kind']; readonly hex: string }[];
};

const CHILD = fileURLToPath(new URL('./retime-child.ts', import.meta.url));

/** The request's verification timed in a fresh process: its cold first run, then warm ones. */
export function retimeFresh(req: PipelineRequest): { readonly cold: Timed<boolean>; readonly warm: readonly Timed<boolean>[] } | { readonly error: string } {
  const fresh: FreshRequest = {
    entry: req.entry,
    maps: req.maps,
    ...(req.license === undefined ? {} : { license: req.license }),
    profile: req.profile,
    cpus: req.cpus,
    isa: req.isa,
    maxInsns: req.maxInsns,
    sections: req.sections.map((s) => ({ name: s.name, kind: s.kind, hex: Buffer.from(s.bytes).toString('hex') })),
  };
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD], { input: JSON.stringify(fresh), encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) return { error: `the fresh process failed: ${r.stderr || r.error?.message || `exit ${r.status}`}` };
  const [cold, ...warm] = (JSON.parse(r.stdout) as { cpuMs: number; wallMs: number; ok: boolean }[]).map((t) => ({ value: t.ok, cpuMs: t.cpuMs, wallMs: t.wallMs }));
  if (!cold || !warm.length) return { error: 'the fresh process printed no times' };
  return { cold, warm };
}

/** The fastest run of a fresh process, wall time. */
function fastest(f: { readonly cold: Timed<boolean>; readonly warm: readonly Timed<boolean>[] }): number {
  return Math.min(f.cold.wallMs, ...f.warm.map((w) => w.wallMs));
}

/**
 * Over `limitMs` of CPU here: re-timed in a fresh process (up to three), and over the limit only
 * if every one's fastest run takes longer, wall time. Returns the problem's text, or undefined.
 */
export function overLimit(t: { readonly cpuMs: number; readonly wallMs: number }, limitMs: number, req: () => PipelineRequest): string | undefined {
  if (t.cpuMs <= limitMs) return undefined;
  // Up to three fresh processes: other test files share the machine's cores meanwhile, and a
  // verifier that is really too slow is too slow in all three.
  let f: ReturnType<typeof retimeFresh> = { error: 'not timed' };
  for (let attempt = 0; attempt < 3; attempt++) {
    f = retimeFresh(req());
    if ('error' in f) return `${tookText(t)} in the test process, and could not be re-timed: ${f.error}`;
    if (fastest(f) <= limitMs) return undefined;
  }
  if ('error' in f) return `${tookText(t)} in the test process, and could not be re-timed: ${f.error}`;
  const warm = f.warm.map((w) => tookText(w).replace('took ', '')).join(', ');
  return `${tookText(t)} in the test process; in a fresh process ${tookText(f.cold).replace('took ', '')} cold, then ${warm} warm`;
}
