// The scenario: which tasks exist (with their CPU affinity), which cgroups, which task is
// current, and the event a tracepoint program sees — a new task for tp_btf/task_newtask, a new
// cgroup for tp_btf/cgroup_mkdir. Plain JSON, shared by the UI, the CLI and share links;
// `parseScenario` validates it and says what is wrong, never throws.

import type { ConntrackSeed } from './conntrack.ts';
import { socketsOf, type SocketSpec } from './socket-spec.ts';
import { parseHex, toHex } from './maps/hex.ts';

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
  /**
   * Memory runs short: the first `failAllocationsAfter` allocations a run asks for succeed and
   * every later one fails (bpf_cpumask_create returns NULL, as bpf_mem_cache_alloc does under
   * memory pressure; bpf_*_ct_alloc NULL with -ENOMEM); 0: every one fails. What a NULL check after an allocation is for.
   */
  readonly failAllocationsAfter?: number;
  /**
   * Writes to maps by another CPU or by user space while the program runs: just before the
   * program's `beforeCall`-th helper or kfunc call of a run (1 = the first), the entry `key` of
   * `map` is updated with `value` (BPF_ANY), or deleted when there is no value. Nothing stops a
   * hash map from changing between two lookups; this is how a run shows it.
   */
  readonly concurrentWrites?: readonly ConcurrentWrite[];
  /** How the stack hands a tc program its skb (BPF_PROG_TEST_RUN's is linear, not cloned, without metadata). */
  readonly skb?: SkbSpec;
  /**
   * Sockets in the program's network namespace, for bpf_sk_lookup_tcp/udp and
   * bpf_skc_lookup_tcp to find (socket-spec.ts): {"proto": "tcp", "local": "10.0.0.1:80"}
   * listens, with "remote": "IP:PORT" it is established (UDP: connected), "steer": true has an
   * sk_lookup program hand it every lookup of its protocol and family. Absent: no sockets.
   */
  readonly sockets?: readonly SocketSpec[];
}

/** Scenario.skb: for tc (sched_cls) programs run on a given packet. */
export interface SkbSpec {
  /**
   * Hex bytes in front of the MAC header, as an XDP program that called bpf_xdp_adjust_meta and
   * returned XDP_PASS leaves them; tc reads them from __sk_buff->data_meta. A multiple of 4, at
   * most the profile's maximum (32 bytes on linux-6.3, 252 on linux-6.18).
   */
  readonly meta?: string;
  /**
   * A non-linear skb: only the first `linear` bytes (at least ETH_HLEN, 14) are in the head,
   * with no tailroom, the rest in page fragments. data..data_end covers the head; len the whole
   * packet. At or past the packet's length the skb is linear.
   */
  readonly linear?: number;
  /** skb_cloned() (TCP's transmitted segments are clones, as tc egress sees them). */
  readonly cloned?: boolean;
}

export interface ConcurrentWrite {
  readonly beforeCall: number;
  readonly map: string;
  /** The key, hex. */
  readonly key: string;
  /** The value, hex; absent: the entry is deleted. */
  readonly value?: string;
}

/** Concurrent writes a scenario may list. */
export const MAX_CONCURRENT_WRITES = 64;

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

/**
 * Tasks a scenario may list. The kernel's own bound is pid_max (at most PID_MAX_LIMIT,
 * 4,194,304, include/linux/threads.h); each task here is a task_struct and a css_set in guest
 * memory (about 700 bytes) and a row in the views, so the playground stops at 16,384.
 */
export const MAX_TASKS = 16_384;
/** Cgroups, counting the parents a path creates (the kernel's cgroup.max.descendants is unlimited by default). */
export const MAX_CGROUPS = 16_384;
/**
 * The deepest cgroup level. The kernel's struct cgroup ends in a flexible ancestors[] and
 * cgroup.max.depth is unlimited by default; the playground's struct cgroup (btf/layouts.ts)
 * has ancestors[0..7], so its tree is 7 levels below the root at most.
 */
export const MAX_CGROUP_LEVEL = 7;
/** NAME_MAX (include/uapi/linux/limits.h): the longest cgroup directory name, in bytes. */
export const CGROUP_NAME_MAX = 255;
/** Conntrack entries a scenario may seed (each is an nf_conn in guest memory). */
export const MAX_CONNTRACK = 16_384;

/** A cgroup path made canonical ("/a//b/" is "/a/b"), with its level, or what is wrong with it. */
export function cgroupPath(text: string): { ok: true; path: string; level: number } | { ok: false; error: string } {
  if (!text.startsWith('/')) return { ok: false, error: `must be a path from the root such as "/user.slice", not ${JSON.stringify(text.slice(0, 40))}` };
  const parts = text.split('/').filter((p) => p !== '');
  if (parts.length > MAX_CGROUP_LEVEL) {
    return { ok: false, error: `is ${parts.length} levels below the root; the playground's struct cgroup keeps ancestors for levels 0 to ${MAX_CGROUP_LEVEL}, so cgroups go ${MAX_CGROUP_LEVEL} levels deep at most` };
  }
  for (const name of parts) {
    if (name === '.' || name === '..') return { ok: false, error: `has a '${name}' component; write the path without it` };
    // cgroup_mkdir (kernel/cgroup/cgroup.c) refuses a newline in a name with -EINVAL.
    if (name.includes('\n')) return { ok: false, error: 'has a newline in a name (cgroup_mkdir refuses it with -EINVAL)' };
    const bytes = new TextEncoder().encode(name).length;
    if (bytes > CGROUP_NAME_MAX) return { ok: false, error: `has a ${bytes}-byte name; a name is at most ${CGROUP_NAME_MAX} bytes (NAME_MAX)` };
  }
  return { ok: true, path: `/${parts.join('/')}`, level: parts.length };
}

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

/**
 * The ranges [first, last] of a CPU list ("all", "0-3", "0,2,4-5") checked against `nrCpus`,
 * sorted and merged. Linear in the text; nothing is built per CPU.
 */
export function cpuRanges(text: string, nrCpus: number): { ok: true; ranges: [number, number][] } | { ok: false; error: string } {
  const t = text.trim();
  if (t === 'all') return { ok: true, ranges: nrCpus > 0 ? [[0, nrCpus - 1]] : [] };
  if (t === '' || t === 'none') return { ok: true, ranges: [] };
  const ranges: [number, number][] = [];
  for (const part of t.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) return { ok: false, error: `'${part.trim().slice(0, 40)}' is not a CPU or a range (write "0-3" or "0,2,5")` };
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) return { ok: false, error: `the range ${a}-${b} runs backwards` };
    if (b >= nrCpus) return { ok: false, error: `CPU ${b} does not exist: the kernel has ${nrCpus} CPU${nrCpus === 1 ? '' : 's'} (0-${nrCpus - 1})` };
    ranges.push([a, b]);
  }
  ranges.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return { ok: true, ranges: merged };
}

/** Parses a CPU list ("all", "0-3", "0,2,4-5") against `nrCpus`. */
export function parseCpuList(text: string, nrCpus: number): { ok: true; cpus: number[] } | { ok: false; error: string } {
  const r = cpuRanges(text, nrCpus);
  if (!r.ok) return r;
  const cpus: number[] = [];
  for (const [a, b] of r.ranges) for (let c = a; c <= b; c++) cpus.push(c);
  return { ok: true, cpus };
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
  const cgroupIn = x['cgroup'];
  let cgroup: string | undefined;
  if (cgroupIn !== undefined) {
    if (typeof cgroupIn !== 'string') return `${where}.cgroup must be a path such as "/user.slice"`;
    const c = cgroupPath(cgroupIn);
    if (!c.ok) return `${where}.cgroup ${c.error}`;
    cgroup = c.path;
  }
  const tgid = x['tgid'];
  if (tgid !== undefined && (typeof tgid !== 'number' || !Number.isInteger(tgid))) return `${where}.tgid must be a pid`;
  return { pid, comm, cpus, ...(parent === undefined ? {} : { parent }), ...(cgroup === undefined ? {} : { cgroup }), ...(tgid === undefined ? {} : { tgid }) };
}

/** Validates a scenario (missing parts take the defaults); checks CPU lists against `nrCpus`. Linear in its size. */
export function parseScenario(x: unknown, nrCpus: number): ScenarioResult {
  if (x === undefined || x === null) return { ok: true, scenario: defaultScenario(nrCpus) };
  if (!isObject(x)) return { ok: false, error: 'the scenario must be a JSON object' };
  const fallback = defaultScenario(nrCpus);
  const seed = x['seed'] ?? fallback.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) return { ok: false, error: 'seed must be a whole number' };
  const tasksIn = x['tasks'] ?? fallback.tasks;
  if (!Array.isArray(tasksIn)) return { ok: false, error: 'tasks must be a list' };
  if (tasksIn.length > MAX_TASKS) return { ok: false, error: `tasks lists ${tasksIn.length.toLocaleString('en-US')} tasks; the playground simulates at most ${MAX_TASKS.toLocaleString('en-US')}` };
  const tasks: TaskSpec[] = [];
  const pids = new Set<number>();
  for (const [i, t] of tasksIn.entries()) {
    const r = task(t, `tasks[${i}]`);
    if (typeof r === 'string') return { ok: false, error: r };
    if (pids.has(r.pid)) return { ok: false, error: `tasks[${i}]: pid ${r.pid} appears twice` };
    pids.add(r.pid);
    tasks.push(r);
  }
  const cgroupsIn = x['cgroups'] ?? fallback.cgroups;
  if (!Array.isArray(cgroupsIn)) return { ok: false, error: 'cgroups must be a list of paths such as "/user.slice"' };
  const cgroups: string[] = [];
  for (const [i, c] of cgroupsIn.entries()) {
    if (typeof c !== 'string') return { ok: false, error: `cgroups[${i}] must be a path such as "/user.slice"` };
    const p = cgroupPath(c);
    if (!p.ok) return { ok: false, error: `cgroups[${i}] ${p.error}` };
    cgroups.push(p.path);
  }
  const newtaskIn = x['newtask'] ?? fallback.newtask;
  const nt = task(newtaskIn, 'newtask');
  if (typeof nt === 'string') return { ok: false, error: nt };
  const cf = isObject(newtaskIn) ? (newtaskIn['clone_flags'] ?? 0) : 0;
  if (typeof cf !== 'number' || !Number.isInteger(cf) || cf < 0) return { ok: false, error: 'newtask.clone_flags must be a non-negative whole number' };
  if (pids.has(nt.pid)) return { ok: false, error: `newtask.pid ${nt.pid} is already a task` };
  const mkdirIn = x['mkdir'] ?? fallback.mkdir;
  const mkdirShape = 'mkdir must be {"path": "/some/new/cgroup"}';
  if (!isObject(mkdirIn) || typeof mkdirIn['path'] !== 'string') return { ok: false, error: mkdirShape };
  const mkdir = cgroupPath(mkdirIn['path']);
  if (!mkdir.ok) return { ok: false, error: `mkdir.path ${mkdir.error}` };
  if (mkdir.level === 0) return { ok: false, error: mkdirShape };
  // Every cgroup the scenario makes, parents included.
  const made = new Set<string>(['/']);
  for (const path of [...cgroups, ...tasks.map((t) => t.cgroup ?? '/'), nt.cgroup ?? '/', mkdir.path]) {
    for (let at = path.length; at > 0 && !made.has(path.slice(0, at)); at = path.lastIndexOf('/', at - 1)) made.add(path.slice(0, at));
    if (made.size > MAX_CGROUPS) return { ok: false, error: `the scenario makes more than ${MAX_CGROUPS.toLocaleString('en-US')} cgroups (counting parents); the playground simulates at most that many` };
  }
  const current = x['current'] ?? (tasks[tasks.length - 1]?.pid ?? 1);
  if (typeof current !== 'number' || !pids.has(current)) return { ok: false, error: `current must be the pid of one of the tasks` };
  for (const t of [...tasks, nt]) {
    const c = cpuRanges(t.cpus, nrCpus);
    if (!c.ok) return { ok: false, error: `task ${t.pid}: ${c.error}` };
  }
  const conntrack = x['conntrack'];
  const entryShape = '{"proto": "tcp", "src": "10.0.0.1", "dst": "10.0.0.2", "sport": 1234, "dport": 80}';
  if (conntrack !== undefined && !Array.isArray(conntrack)) return { ok: false, error: `conntrack must be a list of entries like ${entryShape}` };
  if (conntrack && conntrack.length > MAX_CONNTRACK) return { ok: false, error: `conntrack lists ${conntrack.length.toLocaleString('en-US')} entries; the playground seeds at most ${MAX_CONNTRACK.toLocaleString('en-US')}` };
  for (const [i, e] of (conntrack ?? []).entries()) {
    const ok = isObject(e) && (e['proto'] === 'tcp' || e['proto'] === 'udp') && typeof e['src'] === 'string' && typeof e['dst'] === 'string' && typeof e['sport'] === 'number' && typeof e['dport'] === 'number';
    if (!ok) return { ok: false, error: `conntrack[${i}] must look like ${entryShape}` };
    for (const [field, max] of [['zone', 0xffff], ['status', 0xffff_ffff], ['timeoutMs', 0xffff_ffff], ['mark', 0xffff_ffff]] as const) {
      const v = e[field];
      if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max)) return { ok: false, error: `conntrack[${i}].${field} must be a whole number from 0 to ${max}` };
    }
  }
  const writes = concurrentWritesOf(x['concurrentWrites']);
  if (typeof writes === 'string') return { ok: false, error: writes };
  const skb = skbSpecOf(x['skb']);
  if (typeof skb === 'string') return { ok: false, error: skb };
  const sockets = socketsOf(x['sockets']);
  if (typeof sockets === 'string') return { ok: false, error: sockets };
  const failAfter = x['failAllocationsAfter'];
  if (failAfter !== undefined && !(typeof failAfter === 'number' && Number.isInteger(failAfter) && failAfter >= 0)) return { ok: false, error: 'failAllocationsAfter must be a whole number of allocations that succeed before every later one fails (0: all fail)' };
  return {
    ok: true,
    scenario: {
      seed,
      tasks,
      cgroups,
      current,
      newtask: { ...nt, clone_flags: cf },
      mkdir: { path: mkdir.path },
      ...(conntrack ? { conntrack: conntrack as ConntrackSeed[] } : {}),
      ...(failAfter === undefined ? {} : { failAllocationsAfter: failAfter }),
      ...(writes ? { concurrentWrites: writes } : {}),
      ...(skb ? { skb } : {}),
      ...(sockets ? { sockets } : {}),
    },
  };
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** The scenario's concurrentWrites, checked (the maps and key sizes are checked when the program's maps exist); an error in words. */
function concurrentWritesOf(x: unknown): ConcurrentWrite[] | undefined | string {
  if (x === undefined) return undefined;
  const shape = '{"beforeCall": 2, "map": "counts", "key": "00000000", "value": "0100000000000000"} (no value: the entry is deleted)';
  if (!Array.isArray(x)) return `concurrentWrites must be a list of writes like ${shape}`;
  if (x.length > MAX_CONCURRENT_WRITES) return `concurrentWrites lists ${x.length} writes; the playground takes at most ${MAX_CONCURRENT_WRITES}`;
  const out: ConcurrentWrite[] = [];
  for (const [i, w] of x.entries()) {
    if (!isObject(w)) return `concurrentWrites[${i}] must look like ${shape}`;
    const { beforeCall, map, key, value } = w;
    if (!(typeof beforeCall === 'number' && Number.isInteger(beforeCall) && beforeCall >= 1 && beforeCall <= 1_000_000)) return `concurrentWrites[${i}].beforeCall must be the number of the helper or kfunc call the write comes before (1 = the first, at most 1,000,000)`;
    if (typeof map !== 'string' || !map) return `concurrentWrites[${i}].map must name a map of the program`;
    if (typeof key !== 'string' || !HEX.test(key.replace(/\s/g, '')) || !key.trim()) return `concurrentWrites[${i}].key must be the key's bytes in hex`;
    if (value !== undefined && (typeof value !== 'string' || !HEX.test(value.replace(/\s/g, '')) || !value.trim())) return `concurrentWrites[${i}].value must be the value's bytes in hex (leave it out to delete the entry)`;
    out.push({ beforeCall, map, key: key.replace(/\s/g, '').toLowerCase(), ...(typeof value === 'string' ? { value: value.replace(/\s/g, '').toLowerCase() } : {}) });
  }
  return out;
}

/** The most metadata any profile keeps in front of a packet (xdp_metalen_invalid: 255, to a multiple of 4). */
const SKB_META_MAX = 252;

/** The scenario's skb, checked (the profile's metadata maximum is checked when the context is built); an error in words. */
function skbSpecOf(x: unknown): SkbSpec | undefined | string {
  if (x === undefined) return undefined;
  const shape = '{"meta": "01020304", "linear": 14, "cloned": true} (each optional)';
  if (!isObject(x)) return `skb must be an object like ${shape}`;
  const unknown = Object.keys(x).find((key) => key !== 'meta' && key !== 'linear' && key !== 'cloned');
  if (unknown !== undefined) return `skb has no field ${JSON.stringify(unknown.slice(0, 40))}: it takes meta, linear and cloned, as in ${shape}`;
  const { meta, linear, cloned } = x;
  let metaHex: string | undefined;
  if (meta !== undefined) {
    const bytes = typeof meta === 'string' ? parseHex(meta) : undefined;
    if (!bytes) return 'skb.meta must be the metadata\'s bytes in hex, such as "01020304"';
    if (bytes.length % 4 !== 0 || bytes.length > SKB_META_MAX) return `skb.meta is ${bytes.length} bytes; metadata is a multiple of 4 bytes, at most ${SKB_META_MAX} (32 on linux-6.3), as bpf_xdp_adjust_meta allows`;
    if (bytes.length) metaHex = toHex(bytes);
  }
  if (linear !== undefined && !(typeof linear === 'number' && Number.isInteger(linear) && linear >= 14 && linear <= 65535)) {
    return 'skb.linear must be a whole number of bytes from 14 to 65535: the bytes in the skb\'s head (eth_type_trans needs the 14-byte Ethernet header there), the rest of the packet in page fragments';
  }
  if (cloned !== undefined && typeof cloned !== 'boolean') return 'skb.cloned must be true or false';
  if (metaHex === undefined && linear === undefined && cloned !== true) return undefined;
  return { ...(metaHex === undefined ? {} : { meta: metaHex }), ...(linear === undefined ? {} : { linear }), ...(cloned === true ? { cloned } : {}) };
}
