// The scenario: which tasks exist (with their CPU affinity), which cgroups, which task is
// current, and the event a tracepoint program sees — a new task for tp_btf/task_newtask, a new
// cgroup for tp_btf/cgroup_mkdir. Plain JSON, shared by the UI, the CLI and share links;
// `parseScenario` validates it and says what is wrong, never throws.

import type { ConntrackSeed } from './conntrack.ts';

export interface TaskSpec {
  readonly pid: number;
  readonly tgid?: number;
  readonly comm: string;
  /** CPU list: "all", "0-3", "0,2,4-5". */
  readonly cpus: string;
  readonly parent?: number;
  /** Path of its cgroup (default "/"). */
  readonly cgroup?: string;
}

export interface Scenario {
  readonly seed: number;
  readonly tasks: readonly TaskSpec[];
  /** Cgroup paths; parents are created as needed. "/" always exists. */
  readonly cgroups: readonly string[];
  /** pid of the task the program runs in (bpf_get_current_pid_tgid…). */
  readonly current: number;
  /** tp_btf/task_newtask: the task being created, and its clone flags. */
  readonly newtask: TaskSpec & { readonly clone_flags?: number };
  /** tp_btf/cgroup_mkdir: the cgroup being created. */
  readonly mkdir: { readonly path: string };
  /** Conntrack entries that exist before the run. */
  readonly conntrack?: readonly ConntrackSeed[];
}

export const DEFAULT_SCENARIO: Scenario = {
  seed: 1,
  tasks: [
    { pid: 1, comm: 'systemd', cpus: 'all' },
    { pid: 812, comm: 'sshd', cpus: 'all', parent: 1, cgroup: '/system.slice' },
    { pid: 1200, comm: 'nginx', cpus: '0-3', parent: 1, cgroup: '/system.slice/nginx' },
  ],
  cgroups: ['/', '/system.slice', '/system.slice/nginx', '/user.slice'],
  current: 1200,
  newtask: { pid: 4242, comm: 'worker', cpus: '0,2', parent: 1200, cgroup: '/system.slice/nginx', clone_flags: 0x3d0f00 },
  mkdir: { path: '/system.slice/nginx/web' },
};

/** The CPUs of a list that exist among `nrCpus` ("0-3" on 2 CPUs is "0-1"). */
function clipCpuList(text: string, nrCpus: number): string {
  if (text.trim() === 'all') return 'all';
  const kept = text
    .split(',')
    .map((part) => /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[1]) < nrCpus)
    .map((m) => {
      const a = Number(m[1]);
      const b = Math.min(m[2] === undefined ? a : Number(m[2]), nrCpus - 1);
      return a === b ? `${a}` : `${a}-${b}`;
    });
  return kept.length ? kept.join(',') : '0';
}

/**
 * The default scenario for a CPU count: its affinities are cut to the CPUs that exist, so
 * choosing 2 CPUs keeps nginx on "0-1" and the new task on "0" instead of refusing to run.
 * (A scenario the user writes is checked strictly: a CPU that does not exist is an error.)
 */
export function defaultScenario(nrCpus: number): Scenario {
  const d = DEFAULT_SCENARIO;
  return {
    ...d,
    tasks: d.tasks.map((t) => ({ ...t, cpus: clipCpuList(t.cpus, nrCpus) })),
    newtask: { ...d.newtask, cpus: clipCpuList(d.newtask.cpus, nrCpus) },
  };
}

export type ScenarioResult = { ok: true; scenario: Scenario } | { ok: false; error: string };

/** Parses a CPU list ("all", "0-3", "0,2,4-5") against `nrCpus`. */
export function parseCpuList(text: string, nrCpus: number): { ok: true; cpus: number[] } | { ok: false; error: string } {
  const t = text.trim();
  if (t === 'all') return { ok: true, cpus: Array.from({ length: nrCpus }, (_, i) => i) };
  if (t === '' || t === 'none') return { ok: true, cpus: [] };
  const out = new Set<number>();
  for (const part of t.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) return { ok: false, error: `'${part.trim()}' is not a CPU or a range (write "0-3" or "0,2,5")` };
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) return { ok: false, error: `the range ${a}-${b} runs backwards` };
    if (b >= nrCpus) return { ok: false, error: `CPU ${b} does not exist: the kernel has ${nrCpus} CPU${nrCpus === 1 ? '' : 's'} (0-${nrCpus - 1})` };
    for (let c = a; c <= b; c++) out.add(c);
  }
  return { ok: true, cpus: [...out].sort((x, y) => x - y) };
}

/** "0-3,6" for display. */
export function formatCpuList(cpus: readonly number[], nrCpus: number): string {
  if (cpus.length === nrCpus && nrCpus > 0) return 'all';
  if (cpus.length === 0) return 'none';
  const parts: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === (cpus[j] ?? 0) + 1) j++;
    parts.push(i === j ? `${cpus[i]}` : `${cpus[i]}-${cpus[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function task(x: unknown, where: string): TaskSpec | string {
  if (!isObject(x)) return `${where} must be an object like {"pid": 10, "comm": "worker", "cpus": "0-3"}`;
  const pid = x['pid'];
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 1 || pid > 4194304) return `${where}.pid must be a whole number from 1 to 4194304`;
  const comm = x['comm'] ?? `task${pid}`;
  if (typeof comm !== 'string' || comm.length === 0 || comm.length > 15) return `${where}.comm must be a name of 1 to 15 characters (TASK_COMM_LEN is 16 with the NUL)`;
  const cpus = x['cpus'] ?? 'all';
  if (typeof cpus !== 'string') return `${where}.cpus must be a CPU list such as "all", "0-3" or "0,2"`;
  const parent = x['parent'];
  if (parent !== undefined && (typeof parent !== 'number' || !Number.isInteger(parent))) return `${where}.parent must be a pid`;
  const cgroup = x['cgroup'];
  if (cgroup !== undefined && (typeof cgroup !== 'string' || !cgroup.startsWith('/'))) return `${where}.cgroup must be a path such as "/user.slice"`;
  const tgid = x['tgid'];
  if (tgid !== undefined && (typeof tgid !== 'number' || !Number.isInteger(tgid))) return `${where}.tgid must be a pid`;
  return { pid, comm, cpus, ...(parent === undefined ? {} : { parent }), ...(cgroup === undefined ? {} : { cgroup }), ...(tgid === undefined ? {} : { tgid }) };
}

/** Validates a scenario (missing parts take the defaults); checks CPU lists against `nrCpus`. */
export function parseScenario(x: unknown, nrCpus: number): ScenarioResult {
  if (x === undefined || x === null) return { ok: true, scenario: defaultScenario(nrCpus) };
  if (!isObject(x)) return { ok: false, error: 'the scenario must be a JSON object' };
  const fallback = defaultScenario(nrCpus);
  const seed = x['seed'] ?? fallback.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) return { ok: false, error: 'seed must be a whole number' };
  const tasksIn = x['tasks'] ?? fallback.tasks;
  if (!Array.isArray(tasksIn)) return { ok: false, error: 'tasks must be a list' };
  const tasks: TaskSpec[] = [];
  for (const [i, t] of tasksIn.entries()) {
    const r = task(t, `tasks[${i}]`);
    if (typeof r === 'string') return { ok: false, error: r };
    if (tasks.some((o) => o.pid === r.pid)) return { ok: false, error: `tasks[${i}]: pid ${r.pid} appears twice` };
    tasks.push(r);
  }
  const cgroupsIn = x['cgroups'] ?? fallback.cgroups;
  if (!Array.isArray(cgroupsIn) || cgroupsIn.some((c) => typeof c !== 'string' || !c.startsWith('/'))) return { ok: false, error: 'cgroups must be a list of paths such as "/user.slice"' };
  const newtaskIn = x['newtask'] ?? fallback.newtask;
  const nt = task(newtaskIn, 'newtask');
  if (typeof nt === 'string') return { ok: false, error: nt };
  const cf = isObject(newtaskIn) ? (newtaskIn['clone_flags'] ?? 0) : 0;
  if (typeof cf !== 'number' || !Number.isInteger(cf) || cf < 0) return { ok: false, error: 'newtask.clone_flags must be a non-negative whole number' };
  if (tasks.some((t) => t.pid === nt.pid)) return { ok: false, error: `newtask.pid ${nt.pid} is already a task` };
  const mkdirIn = x['mkdir'] ?? fallback.mkdir;
  if (!isObject(mkdirIn) || typeof mkdirIn['path'] !== 'string' || !mkdirIn['path'].startsWith('/') || mkdirIn['path'] === '/') {
    return { ok: false, error: 'mkdir must be {"path": "/some/new/cgroup"}' };
  }
  const current = x['current'] ?? (tasks[tasks.length - 1]?.pid ?? 1);
  if (typeof current !== 'number' || !tasks.some((t) => t.pid === current)) return { ok: false, error: `current must be the pid of one of the tasks` };
  for (const t of [...tasks, nt]) {
    const c = parseCpuList(t.cpus, nrCpus);
    if (!c.ok) return { ok: false, error: `task ${t.pid}: ${c.error}` };
  }
  const conntrack = x['conntrack'];
  const entryShape = '{"proto": "tcp", "src": "10.0.0.1", "dst": "10.0.0.2", "sport": 1234, "dport": 80}';
  if (conntrack !== undefined && !Array.isArray(conntrack)) return { ok: false, error: `conntrack must be a list of entries like ${entryShape}` };
  for (const [i, e] of (conntrack ?? []).entries()) {
    const ok = isObject(e) && (e['proto'] === 'tcp' || e['proto'] === 'udp') && typeof e['src'] === 'string' && typeof e['dst'] === 'string' && typeof e['sport'] === 'number' && typeof e['dport'] === 'number';
    if (!ok) return { ok: false, error: `conntrack[${i}] must look like ${entryShape}` };
  }
  return {
    ok: true,
    scenario: {
      seed,
      tasks,
      cgroups: cgroupsIn as string[],
      current,
      newtask: { ...nt, clone_flags: cf },
      mkdir: { path: mkdirIn['path'] },
      ...(conntrack ? { conntrack: conntrack as ConntrackSeed[] } : {}),
    },
  };
}
