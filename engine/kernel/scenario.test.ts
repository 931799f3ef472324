import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO, defaultScenario, formatCpuList, parseCpuList, parseScenario } from './scenario.ts';

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
