// How long a verification took, for the "no program takes over 1 s to verify" checks. The limit
// is on this process's CPU time (user + system, from process.cpuUsage): the verifier's own cost,
// which another test file or a busy CI machine running beside it cannot inflate the way it
// inflates wall time. Both are reported.

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
