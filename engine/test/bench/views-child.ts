// One process of the views benchmark (views.ts): one case, timed, with the structured-clone
// size of what the worker would post to the UI (v8.serialize is the format postMessage uses)
// and the process's peak RSS. Prints one JSON object.
// Usage: views-child.ts CASE   (CASE: array-64k | hash-1mib | cpumask-100k | tasks-3000)

import { serialize } from 'node:v8';
import { assemble } from '../../asm/index.ts';
import type { DebugSnapshot, ProgramImage, RunSettings } from '../../worker/protocol.ts';
import { loadProgram } from '../../kernel/loader.ts';
import { loadRequestOf, Session } from '../../worker/session.ts';
import { ViewCache } from '../../worker/view-cache.ts';

export const VIEW_CASES = ['array-64k', 'hash-1mib', 'cpumask-100k', 'tasks-3000'] as const;
export type ViewCase = (typeof VIEW_CASES)[number];

export interface ViewResult {
  readonly case: ViewCase;
  /** ms of Session.run (reset, run to exit, snapshot). */
  readonly runMs: number;
  /** ms of each Session.step after the run stopped at the breakpoint. */
  readonly stepMs: readonly number[];
  /** Structured-clone bytes of the run's snapshot and of each step's. */
  readonly runBytes: number;
  readonly stepBytes: readonly number[];
  /** cpumask-100k: kernel objects the object table holds once the program has run to its end. */
  readonly objects?: number;
  /** Peak RSS of the process, MB. */
  readonly peakRssMb: number;
}

const SETTINGS: RunSettings = { isa: 4, profile: 'linux-6.18', cpus: 8, maxInsns: 10_000_000 };

/** Ends each case: a few instructions to step through after the breakpoint. */
const TAIL = `
done:
  r0 = 0
  r0 += 1
  r0 += 1
  r0 += 1
  r0 += 1
  r0 += 1
  exit
`;

const PROGRAMS: Record<ViewCase, string> = {
  // Every one of 65,536 values of 512 bytes written (none is left all zero).
  'array-64k': `.section syscall
.map big type=array key=4 value=512 max_entries=65536
  r6 = 0
loop:
  *(u32 *)(r10 - 4) = r6
  r1 = big ll
  r2 = r10
  r2 += -4
  call bpf_map_lookup_elem
  if r0 == 0 goto done
  r7 = r6
  r7 += 1
  *(u32 *)(r0 + 0) = r7
  r6 += 1
  if r6 < 65536 goto loop
${TAIL}`,
  // 32 elements of 1 MiB each, copied from a 1 MiB array value.
  'hash-1mib': `.section syscall
.map src type=array key=4 value=1048576 max_entries=1
.map h type=hash key=4 value=1048576 max_entries=32
  r6 = 0
  *(u32 *)(r10 - 4) = r6
  r1 = src ll
  r2 = r10
  r2 += -4
  call bpf_map_lookup_elem
  if r0 == 0 goto done
  r7 = r0
  r1 = 0x5555
  *(u64 *)(r7 + 0) = r1
loop:
  *(u32 *)(r10 - 8) = r6
  r1 = h ll
  r2 = r10
  r2 += -8
  r3 = r7
  r4 = 0
  call bpf_map_update_elem
  r6 += 1
  if r6 < 32 goto loop
${TAIL}`,
  // 100,000 masks made and released (linux-6.3 frees each at once).
  'cpumask-100k': `.section tp_btf/task_newtask
  r6 = 0
loop:
  call bpf_cpumask_create
  if r0 == 0 goto done
  r1 = r0
  call bpf_cpumask_release
  r6 += 1
  if r6 < 100000 goto loop
${TAIL}`,
  // Nothing but the tail: the kernel holds 3,000 tasks on 4,096 CPUs.
  'tasks-3000': `.section syscall
  goto done
${TAIL}`,
};

function settingsOf(c: ViewCase): RunSettings {
  if (c === 'cpumask-100k') return { ...SETTINGS, profile: 'linux-6.3' };
  if (c === 'tasks-3000') {
    const tasks = Array.from({ length: 3000 }, (_, i) => ({ pid: 100 + i, comm: `t${i}`, cpus: 'all' }));
    return { ...SETTINGS, cpus: 4096, scenario: { tasks, current: 100, newtask: { pid: 99, comm: 'new', cpus: 'all' } } };
  }
  return SETTINGS;
}

function imageOf(text: string): ProgramImage {
  const r = assemble(text);
  const s = r.sections[0];
  if (!r.ok || !s) throw new Error(r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('; '));
  return { sections: r.sections.filter((x) => x.insns.length).map((x) => ({ name: x.name, progType: x.kind.progType, bytecode: x.bytes })), entry: s.name, maps: r.maps };
}

function ms(from: bigint): number {
  return Number(process.hrtime.bigint() - from) / 1e6;
}

/** The object table's size after the program ran to its end (the same load the session does). */
function tableSize(image: ProgramImage, settings: RunSettings): number {
  const r = loadProgram(loadRequestOf(image, settings));
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  r.program.vm.run();
  r.program.end();
  return r.program.kernel.objects.size;
}

export function runCase(c: ViewCase): ViewResult {
  const text = PROGRAMS[c];
  const session = new Session();
  const loaded = session.load(imageOf(text), settingsOf(c));
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('; '));
  // The UI's side of the protocol: what it holds, so the worker sends only what changed.
  const cache = new ViewCache();
  const breakAt = imageOf(text).sections[0]?.bytecode.length ?? 0;
  // The pc of `done:` is 7 slots before the end (the tail is 7 instructions).
  const bp = breakAt / 8 - 7;
  let t = process.hrtime.bigint();
  let snap: DebugSnapshot = session.run([bp], undefined, cache.request());
  const runMs = ms(t);
  if (snap.status !== 'breakpoint') throw new Error(`${c}: stopped with ${snap.status} at pc ${snap.pc}${snap.fault ? `: ${snap.fault.message}` : ''}`);
  const runBytes = serialize(snap).length;
  snap = cache.merge(snap);
  const stepMs: number[] = [];
  const stepBytes: number[] = [];
  for (let i = 0; i < 5; i++) {
    t = process.hrtime.bigint();
    const s = session.step(cache.request());
    stepMs.push(ms(t));
    stepBytes.push(serialize(s).length);
    snap = cache.merge(s);
  }
  // The peak before the second load tableSize makes.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const objects = c === 'cpumask-100k' ? tableSize(imageOf(text), settingsOf(c)) : undefined;
  return { case: c, runMs, stepMs, runBytes, stepBytes, ...(objects === undefined ? {} : { objects }), peakRssMb };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const c = process.argv[2] as ViewCase;
  if (!VIEW_CASES.includes(c)) throw new Error(`usage: views-child.ts ${VIEW_CASES.join('|')}`);
  console.log(JSON.stringify(runCase(c)));
}
