// The kernel's cpumask selftests (tools/testing/selftests/bpf/progs/cpumask_success.c, as the
// rows of kernel-facts §5.1), translated to assembly in engine/test/cpumask/, and the
// documentation examples of Documentation/bpf/cpumasks.rst in public/examples/: each runs in the
// simulated kernel under every profile it belongs to and must return 0 (the selftest's `err`)
// without leaking a reference; the maps must hold what the program left there. Programs of one
// profile must be refused by the other, naming the kfunc that is missing.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MapView } from '../kernel/maps/types.ts';
import type { KernelProfile } from '../kernel/profiles.ts';
import { kptrContents, runSource, type KptrContents, type ProgramRun } from './cpumask/run-program.ts';
import { REPO_ROOT } from './shared.ts';

const SELFTESTS = join(REPO_ROOT, 'engine', 'test', 'cpumask');
const EXAMPLES = join(REPO_ROOT, 'public', 'examples');
const BOTH: readonly KernelProfile[] = ['linux-6.3', 'linux-6.18'];
const ONLY_63: readonly KernelProfile[] = ['linux-6.3'];
const ONLY_618: readonly KernelProfile[] = ['linux-6.18'];

interface Row {
  readonly name: string;
  readonly profiles: readonly KernelProfile[];
  /** A kfunc the other profile lacks: its refusal must name it. */
  readonly missing?: string;
  /** Map name → kptr offsets that must each hold a distinct empty mask with refcount 1. */
  readonly stored?: Readonly<Record<string, readonly number[]>>;
  /** Map name → kptr offsets that must be NULL after the run. */
  readonly emptied?: Readonly<Record<string, readonly number[]>>;
}

const range = (first: number, stride: number, n: number): number[] => Array.from({ length: n }, (_, i) => first + stride * i);

/** kernel-facts §5.1, one row per program (test_copy_any_anyand has one file per API). */
const ROWS: readonly Row[] = [
  { name: 'test_alloc_free_cpumask', profiles: BOTH },
  { name: 'test_set_clear_cpu', profiles: BOTH },
  { name: 'test_setall_clear_cpu', profiles: BOTH },
  { name: 'test_first_firstzero_cpu', profiles: BOTH },
  { name: 'test_firstand_nocpu', profiles: ONLY_618, missing: 'bpf_cpumask_first_and' },
  { name: 'test_test_and_set_clear', profiles: BOTH },
  { name: 'test_and_or_xor', profiles: BOTH },
  { name: 'test_intersects_subset', profiles: BOTH },
  { name: 'test_copy_any_anyand', profiles: ONLY_618, missing: 'bpf_cpumask_any_distribute' },
  { name: 'test_copy_any_anyand_63', profiles: ONLY_63, missing: 'bpf_cpumask_any' },
  { name: 'test_insert_leave', profiles: BOTH, stored: { __cpumask_map: [0] } },
  { name: 'test_insert_remove_release', profiles: BOTH, emptied: { __cpumask_map: [0] } },
  { name: 'test_insert_kptr_get_release', profiles: ONLY_63, missing: 'bpf_cpumask_kptr_get', stored: { __cpumask_map: [0] } },
  { name: 'test_global_mask_rcu', profiles: ONLY_618, stored: { global_mask: [0] } },
  { name: 'test_global_mask_array_one_rcu', profiles: ONLY_618, stored: { global_mask_array_one: [0] } },
  { name: 'test_global_mask_array_rcu', profiles: ONLY_618, stored: { global_mask_array: [0, 8] } },
  { name: 'test_global_mask_array_l2_rcu', profiles: ONLY_618, stored: { global_mask_array_l2: [0, 8] } },
  { name: 'test_global_mask_nested_rcu', profiles: ONLY_618, stored: { global_mask_nested: [0, 8] } },
  { name: 'test_global_mask_nested_deep_rcu', profiles: ONLY_618, stored: { global_mask_nested_deep: [8, 24, 32, 40, 48, 56, 64, 72] } },
  {
    name: 'test_global_mask_nested_deep_array_rcu',
    profiles: ONLY_618,
    stored: { global_mask_nested_deep_array_1: range(24, 8, 11), global_mask_nested_deep_array_2: range(32, 24, 11), global_mask_nested_deep_array_3: range(32, 32, 11) },
  },
  { name: 'test_cpumask_weight', profiles: ONLY_618, missing: 'bpf_cpumask_weight' },
  { name: 'test_refcount_null_tracking', profiles: ONLY_618 },
  { name: 'test_populate_reject_small_mask', profiles: ONLY_618, missing: 'bpf_cpumask_populate' },
  { name: 'test_populate_reject_unaligned', profiles: ONLY_618, missing: 'bpf_cpumask_populate' },
  { name: 'test_populate', profiles: ONLY_618, missing: 'bpf_cpumask_populate' },
];

/** nr_cpu_ids values every program runs with: one word, and more than two words of CPUs. */
const CPU_COUNTS = [8, 130] as const;

function source(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8');
}

/** The selftests' `int nr_cpus` global lives in the one-element array `bss`, when declared. */
function bssFor(text: string, cpus: number): unknown {
  if (!/^\.map bss /m.test(text)) return undefined;
  const value = Buffer.alloc(4);
  value.writeUInt32LE(cpus);
  return { bss: [{ key: 0, value: value.toString('hex') }] };
}

function exited(run: ProgramRun): Extract<ProgramRun, { kind: 'exited' }> {
  if (run.kind === 'refused') throw new Error(`refused: ${run.problems.map((p) => `pc ${p.pc}: ${p.message}`).join('; ')}`);
  if (run.kind === 'fault') throw new Error(`faulted at pc ${run.pc}: ${run.message}`);
  return run;
}

function mapNamed(maps: readonly MapView[], name: string): MapView {
  const m = maps.find((v) => v.name === name);
  if (!m) throw new Error(`no map ${name}`);
  return m;
}

/** What each listed kptr slot of slot 0 of `map` holds. */
function slotContents(run: Extract<ProgramRun, { kind: 'exited' }>, map: string, offsets: readonly number[]): (KptrContents | null)[] {
  const entry = mapNamed(run.report.maps, map).entries.find((e) => e.index === 0 || e.key === '00000000');
  return offsets.map((off) => {
    const k = entry?.kptrs?.find((x) => x.offset === off);
    return k ? kptrContents(run.kernel, k) : null;
  });
}

describe('cpumask selftests (cpumask_success.c) in the simulated kernel', () => {
  for (const row of ROWS) {
    const text = source(SELFTESTS, `${row.name}.bpf.s`);
    for (const profile of row.profiles) {
      for (const cpus of CPU_COUNTS) {
        it(`${row.name} under ${profile}, ${cpus} CPUs: err = 0, no reference leaked`, () => {
          const run = exited(runSource(text, { profile, cpus, mapContents: bssFor(text, cpus) }));
          expect(run.report.r0).toBe(0n);
          expect(run.report.leaks).toEqual([]);
          for (const [map, offsets] of Object.entries(row.stored ?? {})) {
            const held = slotContents(run, map, offsets);
            for (const h of held) expect(h).toMatchObject({ type: 'bpf_cpumask', refcount: 1, state: 'live', cpus: [] });
            expect(new Set(held.map((h) => h?.id)).size).toBe(offsets.length);
          }
          for (const [map, offsets] of Object.entries(row.emptied ?? {})) expect(slotContents(run, map, offsets)).toEqual(offsets.map(() => null));
        });
      }
    }
    const other = BOTH.find((p) => !row.profiles.includes(p));
    if (other && row.missing) {
      const missing = row.missing;
      it(`${row.name} is refused under ${other}, naming ${missing}`, () => {
        const run = runSource(text, { profile: other, mapContents: bssFor(text, 8) });
        expect(run.kind).toBe('refused');
        const messages = run.kind === 'refused' ? run.problems.map((p) => p.message) : [];
        expect(messages).toContain(`kfunc ${missing} does not exist in ${other} (it exists in ${row.profiles.join(', ')}); libbpf: extern (func ksym) '${missing}': not found in kernel or module BTFs`);
      });
    }
  }

  it('a selftest that needs nr_cpus says so when it is missing', () => {
    const run = exited(runSource(source(SELFTESTS, 'test_populate.bpf.s'), { profile: 'linux-6.18' }));
    expect(run.report.r0).toBe(99n);
  });

  it('the checks bite: test_set_clear_cpu fails with err 4 when clear_cpu is replaced by a no-op set', () => {
    const text = source(SELFTESTS, 'test_set_clear_cpu.bpf.s').replace('call bpf_cpumask_clear_cpu', 'call bpf_cpumask_set_cpu');
    const run = exited(runSource(text, { profile: 'linux-6.18' }));
    expect(run.report.r0).toBe(4n);
    expect(run.report.leaks).toEqual([]);
  });
});

describe('Documentation/bpf/cpumasks.rst examples in the simulated kernel', () => {
  /** The scenario's new task: pid 4242, "worker", CPUs 0 and 2. */
  const WORKER_PID = 4242;

  for (const profile of BOTH) {
    it(`cpumask-record-task (${profile}): prints the affinity line and stores the task's mask in slot ${WORKER_PID}`, () => {
      const run = exited(runSource(source(EXAMPLES, 'cpumask-record-task.bpf.s'), { profile }));
      expect(run.report.r0).toBe(0n);
      expect(run.report.leaks).toEqual([]);
      expect(run.report.trace.map((t) => t.text)).toEqual(['task worker has CPU affinity']);
      const map = mapNamed(run.report.maps, 'cpumask_map');
      expect(map.entries.map((e) => e.index)).toEqual([WORKER_PID]);
      const slot = map.entries[0]?.kptrs?.[0];
      expect(slot?.object).toMatch(/^bpf_cpumask #\d+ \(refcount 1, CPUs 0,2\)$/);
      expect(slot && kptrContents(run.kernel, slot)).toMatchObject({ type: 'bpf_cpumask', refcount: 1, state: 'live', cpus: [0, 2] });
    });

    it(`cpumask-set-clear (${profile}): prints that the worker can use CPU 0, returns 0`, () => {
      const run = exited(runSource(source(EXAMPLES, 'cpumask-set-clear.bpf.s'), { profile }));
      expect(run.report.r0).toBe(0n);
      expect(run.report.leaks).toEqual([]);
      expect(run.report.trace.map((t) => t.text)).toEqual(['task worker can use CPU 0']);
    });

    it(`cpumask-and-or-xor (${profile}): returns 0 with four masks released`, () => {
      const run = exited(runSource(source(EXAMPLES, 'cpumask-and-or-xor.bpf.s'), { profile }));
      expect(run.report.r0).toBe(0n);
      expect(run.report.leaks).toEqual([]);
      const masks = run.kernel.objects.all().filter((o) => o.type === 'bpf_cpumask');
      expect(masks).toHaveLength(4);
      for (const m of masks) expect(m.state).toBe('freed');
    });
  }

  it('cpumask-and-or-xor returns its code 4 when CPU 1 does not exist (1 CPU)', () => {
    const run = exited(runSource(source(EXAMPLES, 'cpumask-and-or-xor.bpf.s'), { profile: 'linux-6.18', cpus: 1 }));
    expect(run.report.r0).toBe(4n);
    expect(run.report.leaks).toEqual([]);
  });

  const kptrExamples: readonly { file: string; profile: KernelProfile; other: KernelProfile; missing?: string }[] = [
    { file: 'cpumask-kptr-rcu.bpf.s', profile: 'linux-6.18', other: 'linux-6.3' },
    { file: 'cpumask-kptr-get.bpf.s', profile: 'linux-6.3', other: 'linux-6.18', missing: 'bpf_cpumask_kptr_get' },
  ];
  for (const ex of kptrExamples) {
    it(`${ex.file} (${ex.profile}): returns 0 and leaves a full mask with refcount 1 in slot 0`, () => {
      const run = exited(runSource(source(EXAMPLES, ex.file), { profile: ex.profile }));
      expect(run.report.r0).toBe(0n);
      expect(run.report.leaks).toEqual([]);
      expect(run.report.trace).toEqual([]);
      expect(slotContents(run, 'cpumasks_kfunc_map', [0])).toEqual([expect.objectContaining({ type: 'bpf_cpumask', refcount: 1, state: 'live', cpus: [0, 1, 2, 3, 4, 5, 6, 7] })]);
      expect(mapNamed(run.report.maps, 'cpumasks_kfunc_map').entries[0]?.kptrs?.[0]?.object).toMatch(/\(refcount 1, CPUs all\)$/);
    });
    if (ex.missing) {
      const missing = ex.missing;
      it(`${ex.file} is refused under ${ex.other}, naming ${missing}`, () => {
        const run = runSource(source(EXAMPLES, ex.file), { profile: ex.other });
        expect(run.kind === 'refused' && run.problems.map((p) => p.message)).toEqual([`kfunc ${missing} does not exist in ${ex.other} (it exists in ${ex.profile}); libbpf: extern (func ksym) '${missing}': not found in kernel or module BTFs`]);
      });
    }
  }

  const queries: readonly { file: string; profile: KernelProfile; other: KernelProfile; lines: readonly string[]; missing: string }[] = [
    { file: 'cpumask-query-63.bpf.s', profile: 'linux-6.3', other: 'linux-6.18', lines: ['task worker: first CPU 0, first free CPU 1', 'bpf_cpumask_any picked CPU 0'], missing: 'bpf_cpumask_any' },
    {
      file: 'cpumask-query-618.bpf.s',
      profile: 'linux-6.18',
      other: 'linux-6.3',
      lines: ['task worker: first CPU 0, first free CPU 1', 'any_distribute picked CPU 2 of 2'],
      missing: 'bpf_cpumask_any_distribute',
    },
  ];
  for (const q of queries) {
    it(`${q.file} (${q.profile}): prints the answers and every check passes`, () => {
      const run = exited(runSource(source(EXAMPLES, q.file), { profile: q.profile }));
      expect(run.report.r0).toBe(0n);
      expect(run.report.leaks).toEqual([]);
      expect(run.report.trace.map((t) => t.text)).toEqual(q.lines);
    });
    it(`${q.file} is refused under ${q.other}, naming ${q.missing}`, () => {
      const run = runSource(source(EXAMPLES, q.file), { profile: q.other });
      expect(run.kind === 'refused' && run.problems.map((p) => p.message)).toContain(`kfunc ${q.missing} does not exist in ${q.other} (it exists in ${q.profile}); libbpf: extern (func ksym) '${q.missing}': not found in kernel or module BTFs`);
    });
  }

  it('every cpumask example is listed in index.json with its profile', () => {
    const index = JSON.parse(source(EXAMPLES, 'index.json')) as { id: string; file: string; profile?: string }[];
    const cpumask = index.filter((e) => e.file.startsWith('cpumask-'));
    expect(Object.fromEntries(cpumask.map((e) => [e.file, e.profile]))).toEqual({
      'cpumask-record-task.bpf.s': 'both',
      'cpumask-kptr-rcu.bpf.s': 'linux-6.18',
      'cpumask-kptr-get.bpf.s': 'linux-6.3',
      'cpumask-set-clear.bpf.s': 'both',
      'cpumask-and-or-xor.bpf.s': 'both',
      'cpumask-query-63.bpf.s': 'linux-6.3',
      'cpumask-query-618.bpf.s': 'linux-6.18',
    });
  });
});
