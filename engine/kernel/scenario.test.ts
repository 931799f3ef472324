import { describe, expect, it } from 'vitest';
import { GuestMemory } from '../vm/index.ts';
import { ObjectTable } from './objects.ts';
import { World } from './world.ts';
import { DEFAULT_SCENARIO, defaultScenario, formatCpuList, MAX_CGROUPS, MAX_TASKS, parseCpuList, parseScenario } from './scenario.ts';

describe('scenario', () => {
  it('parses CPU lists against the CPU count and formats them back', () => {
    expect(parseCpuList('0-3,6', 8)).toEqual({ ok: true, cpus: [0, 1, 2, 3, 6] });
    expect(parseCpuList('all', 3)).toEqual({ ok: true, cpus: [0, 1, 2] });
    expect(parseCpuList('none', 3)).toEqual({ ok: true, cpus: [] });
    expect(parseCpuList('3-1', 8)).toEqual({ ok: false, error: 'the range 3-1 runs backwards' });
    expect(parseCpuList('8', 8)).toEqual({ ok: false, error: 'CPU 8 does not exist: the kernel has 8 CPUs (0-7)' });
    expect(parseCpuList('x', 8)).toMatchObject({ ok: false });
    expect(formatCpuList([0, 1, 2, 3, 6], 8)).toBe('0-3,6');
    expect(formatCpuList([0, 1, 2], 3)).toBe('all');
  });

  it('cuts the default scenario to the CPUs that exist, and checks a written one strictly', () => {
    const two = parseScenario(undefined, 2);
    expect(two.ok && two.scenario.newtask.cpus).toBe('0');
    expect(two.ok && two.scenario.tasks.find((t) => t.pid === 1200)?.cpus).toBe('0-1');
    expect(defaultScenario(8)).toEqual(DEFAULT_SCENARIO);
    // Parts left out of a written scenario also take the cut defaults.
    const partial = parseScenario({ seed: 5 }, 2);
    expect(partial.ok && partial.scenario.newtask.cpus).toBe('0');
    expect(parseScenario({ tasks: [{ pid: 1200, cpus: '0-3' }], current: 1200 }, 2)).toEqual({ ok: false, error: 'task 1200: CPU 3 does not exist: the kernel has 2 CPUs (0-1)' });
  });

  it('takes failAllocationsAfter as a whole number of allocations that succeed', () => {
    const r = parseScenario({ failAllocationsAfter: 2 }, 8);
    expect(r.ok && r.scenario.failAllocationsAfter).toBe(2);
    const none = parseScenario({}, 8);
    expect(none.ok && 'failAllocationsAfter' in none.scenario).toBe(false);
    for (const bad of [-1, 1.5, 'yes', true]) expect(parseScenario({ failAllocationsAfter: bad }, 8)).toMatchObject({ ok: false, error: expect.stringContaining('failAllocationsAfter must be a whole number') });
  });

  it('names what is wrong', () => {
    expect(parseScenario([], 8)).toEqual({ ok: false, error: 'the scenario must be a JSON object' });
    expect(parseScenario({ tasks: [{ pid: 0 }] }, 8)).toMatchObject({ error: 'tasks[0].pid must be a whole number from 1 to 4194304' });
    expect(parseScenario({ tasks: [{ pid: 5 }, { pid: 5 }], current: 5 }, 8)).toMatchObject({ error: 'tasks[1]: pid 5 appears twice' });
    expect(parseScenario({ current: 99 }, 8)).toMatchObject({ error: 'current must be the pid of one of the tasks' });
    expect(parseScenario({ newtask: { pid: 1 } }, 8)).toMatchObject({ error: 'newtask.pid 1 is already a task' });
    expect(parseScenario({ mkdir: { path: '/' } }, 8)).toMatchObject({ error: 'mkdir must be {"path": "/some/new/cgroup"}' });
    expect(parseScenario({ tasks: [{ pid: 3, comm: 'a-very-long-name-here' }], current: 3 }, 8)).toMatchObject({ error: expect.stringMatching(/TASK_COMM_LEN/) });
    expect(parseScenario({ conntrack: [{ proto: 'icmp' }] }, 8)).toMatchObject({ ok: false, error: expect.stringMatching(/^conntrack\[0\] must look like/) });
  });
});

describe('scenario limits', () => {
  it('refuses more tasks than the playground simulates, naming the field', () => {
    const tasks = Array.from({ length: MAX_TASKS + 1 }, (_, i) => ({ pid: i + 1 }));
    expect(parseScenario({ tasks, current: 1 }, 8)).toEqual({ ok: false, error: 'tasks lists 16,385 tasks; the playground simulates at most 16,384' });
  });

  it('makes cgroup paths canonical and checks each name', () => {
    const r = parseScenario({ cgroups: ['/a//b/', '/c'], tasks: [{ pid: 3, cgroup: '//c//' }], current: 3 }, 8);
    expect(r.ok && r.scenario.cgroups).toEqual(['/a/b', '/c']);
    expect(r.ok && r.scenario.tasks[0]?.cgroup).toBe('/c');
    expect(parseScenario({ cgroups: ['/a\nb'] }, 8)).toEqual({ ok: false, error: 'cgroups[0] has a newline in a name (cgroup_mkdir refuses it with -EINVAL)' });
    expect(parseScenario({ cgroups: [`/${'n'.repeat(256)}`] }, 8)).toEqual({ ok: false, error: 'cgroups[0] has a 256-byte name; a name is at most 255 bytes (NAME_MAX)' });
    expect(parseScenario({ cgroups: ['/ok', 'relative'] }, 8)).toEqual({ ok: false, error: 'cgroups[1] must be a path from the root such as "/user.slice", not "relative"' });
    expect(parseScenario({ cgroups: ['/ok', 7] }, 8)).toEqual({ ok: false, error: 'cgroups[1] must be a path such as "/user.slice"' });
  });

  it('counts the parents a path makes against the cgroup limit', () => {
    const cgroups = Array.from({ length: MAX_CGROUPS / 2 }, (_, i) => `/p${i}/c`);
    expect(parseScenario({ cgroups }, 8)).toEqual({ ok: false, error: 'the scenario makes more than 16,384 cgroups (counting parents); the playground simulates at most that many' });
  });

  it('checks the optional fields of conntrack entries', () => {
    const e = { proto: 'tcp', src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 };
    expect(parseScenario({ conntrack: [e, { ...e, zone: 70000 }] }, 8)).toEqual({ ok: false, error: 'conntrack[1].zone must be a whole number from 0 to 65535' });
    expect(parseScenario({ conntrack: [{ ...e, mark: '1' }] }, 8)).toEqual({ ok: false, error: 'conntrack[0].mark must be a whole number from 0 to 4294967295' });
  });
});

describe('Object.prototype names in a scenario', () => {
  it.each(Object.getOwnPropertyNames(Object.prototype))('%s works as a comm, a cgroup name and an unknown key', (name) => {
    const json = JSON.stringify({
      [name]: { pid: 9 },
      tasks: [{ pid: 5, comm: name.slice(0, 15), cgroup: `/${name}`, [name]: 1 }],
      cgroups: ['/', `/${name}/${name}`],
      current: 5,
      newtask: { pid: 6, comm: name.slice(0, 15), parent: 5, cgroup: `/${name}/${name}` },
      mkdir: { path: `/${name}/new` },
    });
    const r = parseScenario(JSON.parse(json), 8);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.tasks).toEqual([{ pid: 5, comm: name.slice(0, 15), cpus: 'all', cgroup: `/${name}` }]);
    expect(r.scenario.cgroups).toEqual(['/', `/${name}/${name}`]);
    expect(r.scenario.mkdir.path).toBe(`/${name}/new`);
    const mem = new GuestMemory();
    const w = new World(new ObjectTable(mem, true), mem, r.scenario, 8);
    expect(w.taskByPid(5)?.cgroup.path).toBe(`/${name}`);
    expect(w.cgroups.get(`/${name}/${name}`)?.level).toBe(2);
    expect(w.mkdir.parent?.path).toBe(`/${name}`);
  });
});
