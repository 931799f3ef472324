import { describe, expect, it } from 'vitest';
import { sectionKind } from '../program/program.ts';
import { GuestMemory } from '../vm/index.ts';
import { loadProgram } from './loader.ts';
import { ObjectTable } from './objects.ts';
import { DEFAULT_SCENARIO, parseScenario, type Scenario, type TaskSpec } from './scenario.ts';
import { World } from './world.ts';

/** Task specs whose every property read is counted: the work of building a world, in reads. */
function countedTasks(specs: readonly TaskSpec[]): { tasks: TaskSpec[]; reads: () => number } {
  let reads = 0;
  const tasks = specs.map((t) => new Proxy(t, { get: (target, key, receiver) => (reads++, Reflect.get(target, key, receiver) as unknown) }));
  return { tasks, reads: () => reads };
}

/** pid 1 is the root; pid k's parent is k - 1; listed youngest first (every parent after its child). */
function chain(n: number): TaskSpec[] {
  return Array.from({ length: n }, (_, i) => {
    const pid = n - i;
    return { pid, comm: `t${pid}`, cpus: 'all', ...(pid > 1 ? { parent: pid - 1 } : {}) };
  });
}

function world(scenario: Scenario, nrCpus = 8): { world: World; objects: ObjectTable; mem: GuestMemory } {
  const mem = new GuestMemory();
  const objects = new ObjectTable(mem, true);
  return { world: new World(objects, mem, scenario, nrCpus), objects, mem };
}

const EXIT = Uint8Array.from([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);

function load(scenario: unknown, cpus = 8) {
  return loadProgram({ sections: [{ name: 'raw', kind: sectionKind('raw'), bytes: EXIT }], entry: 'raw', maps: [], profile: 'linux-6.18', cpus, isa: 4, maxInsns: 100, scenario });
}

describe('building the world', () => {
  it('reads each task a bounded number of times, whatever order parents are listed in', () => {
    for (const n of [50, 200]) {
      const { tasks, reads } = countedTasks(chain(n));
      const { world: w, objects, mem } = world({ ...DEFAULT_SCENARIO, tasks, current: 1 });
      // Before: every step rescanned the pending list for each task (n^3 reads: 8,000,000 at n = 200).
      expect(reads()).toBeLessThan(40 * n);
      const child = w.taskByPid(n);
      const parent = w.taskByPid(n - 1);
      // real_parent (task_struct offset 24) points at the parent.
      expect(child && parent && objects.address(parent.object)).toBe(child && mem.dv.getBigUint64(child.object.region.start + 24, true));
    }
  });

  it('creates tasks in the order of the list, each after its parent', () => {
    const tasks: TaskSpec[] = [
      { pid: 10, comm: 'a', cpus: 'all', parent: 30 },
      { pid: 20, comm: 'b', cpus: 'all' },
      { pid: 30, comm: 'c', cpus: 'all' },
      { pid: 40, comm: 'd', cpus: 'all', parent: 40 },
    ];
    const { world: w } = world({ ...DEFAULT_SCENARIO, tasks, current: 20 });
    const order = [...w.tasks.values()].map((t) => t.pid);
    expect(order).toEqual([20, 30, 10, 40, DEFAULT_SCENARIO.newtask.pid]);
  });

  it('loads 16,384 tasks listed youngest first', () => {
    const r = load({ tasks: chain(16_384), current: 16_384, newtask: { pid: 20_000, parent: 16_384 } });
    expect(r.ok).toBe(true);
    const w = r.ok ? r.program.kernel.world : undefined;
    expect(w?.tasks.size).toBe(16_385);
    expect(w?.current.pid).toBe(16_384);
  });

  it('makes a cgroup path of any depth without recursion (levels stop at 7)', () => {
    const { world: w } = world(DEFAULT_SCENARIO);
    const deep = w.cgroup('/x'.repeat(12_000));
    expect(deep.level).toBe(7);
    expect(w.cgroups.size).toBeGreaterThan(12_000);
  });

  it('finds tasks and cgroups by object and id through an index', () => {
    const { world: w } = world(DEFAULT_SCENARIO);
    for (const t of w.tasks.values()) expect(w.taskByObject(t.object)).toBe(t);
    for (const c of w.cgroups.values()) {
      expect(w.cgroupByObject(c.object)).toBe(c);
      expect(w.cgroupById(c.id)).toBe(c);
      expect(w.taskByObject(c.object)).toBeUndefined();
    }
  });

  it('sets a task cpus_mask from ranges, whole bytes at once', () => {
    const tasks: TaskSpec[] = [{ pid: 7, comm: 'w', cpus: '3-20,0,40-63,2' }];
    const { world: w, mem } = world({ ...DEFAULT_SCENARIO, tasks, current: 7 }, 64);
    const t = w.taskByPid(7);
    expect(t && w.cpusAt(w.cpusMaskOf(t))).toEqual([0, ...Array.from({ length: 19 }, (_, i) => i + 2), ...Array.from({ length: 24 }, (_, i) => i + 40)]);
    // nr_cpus_allowed (offset 56) counts each CPU once.
    expect(t && mem.dv.getInt32(t.object.region.start + 56, true)).toBe(44);
  });
});

describe('a scenario too big or too deep for the playground', () => {
  it('a 20,000-deep cgroup path is refused, naming the field (it used to overflow the stack)', () => {
    const r = load({ cgroups: ['/', '/a'.repeat(20_000)] });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems[0]?.message).toBe("scenario: cgroups[1] is 20000 levels below the root; the playground's struct cgroup keeps ancestors for levels 0 to 7, so cgroups go 7 levels deep at most");
  });

  it('a task cgroup and the mkdir path are held to the same rule', () => {
    expect(parseScenario({ tasks: [{ pid: 3, cgroup: '/a/b/c/d/e/f/g/h' }], current: 3 }, 8)).toMatchObject({ error: expect.stringMatching(/^tasks\[0\]\.cgroup is 8 levels below the root/) });
    expect(parseScenario({ mkdir: { path: '/a/../b' } }, 8)).toEqual({ ok: false, error: "mkdir.path has a '..' component; write the path without it" });
  });
});
