// Generators of the JSON inputs users write: traffic profiles, scenarios and map contents —
// mostly valid (so the run behind the check is reached), then mutated field by field. Amounts
// of work (packets, tasks, entries) stay small: a slow case must be the product's doing.

import type { Rng } from '../case.ts';
import { anyJson, mutateJson, PROTO_NAMES } from '../mutate.ts';

export const TRAFFIC_KEYS = ['seed', 'packets', 'rate_pps', 'queues', 'nic', 'flows', 'xsk', 'driver', 'rss_key', 'indirection', 'timestamps', 'vlan_strip', 'metadata_size', 'frame_size', 'frames', 'proto', 'ipv6', 'src', 'dst', 'sport', 'dport', 'vlan', 'size', 'weight', 'src_mac', 'dst_mac', 'tcp_flags'];
export const SCENARIO_KEYS = ['seed', 'tasks', 'cgroups', 'current', 'newtask', 'mkdir', 'conntrack', 'pid', 'tgid', 'comm', 'cpus', 'parent', 'cgroup', 'clone_flags', 'path', 'proto', 'src', 'dst', 'sport', 'dport'];
export const MAP_CONTENT_KEYS = ['key', 'value', 'values'];

function hexBytes(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += rng.below(256).toString(16).padStart(2, '0');
  return s;
}

function ipv4(rng: Rng): string {
  return rng.chance(0.98) ? `10.0.${rng.below(4)}.${1 + rng.below(254)}` : rng.pick(['0.0.0.0', '255.255.255.255', '10.0.0.256', '1.2.3', '::1', '10.0.0.01']);
}

function ipv6(rng: Rng): string {
  return rng.chance(0.98) ? `2001:db8::${(1 + rng.below(0xfffe)).toString(16)}` : rng.pick(['::', '::1', 'fe80::1%eth0', '2001:db8:::1', '1:2:3:4:5:6:7:8:9', '::ffff:10.0.0.1']);
}

function flow(rng: Rng): Record<string, unknown> {
  const v6 = rng.chance(0.3);
  const proto = rng.pick(['udp', 'udp', 'tcp', 'icmp']);
  const f: Record<string, unknown> = { proto, src: v6 ? ipv6(rng) : ipv4(rng), dst: v6 ? ipv6(rng) : ipv4(rng) };
  if (v6) f.ipv6 = true;
  if (proto !== 'icmp' || rng.chance(0.3)) {
    f.sport = rng.below(65536);
    f.dport = rng.chance(0.5) ? 8080 : rng.below(65536);
  }
  if (rng.chance(0.2)) f.vlan = 1 + rng.below(4094);
  if (rng.chance(0.6)) f.size = rng.chance(0.4) ? rng.between(60, 1514) : rng.chance(0.5) ? [rng.between(60, 200), rng.between(200, 1514)] : 'imix';
  if (rng.chance(0.5)) f.weight = rng.chance(0.8) ? 1 + rng.below(5) : rng.pick([0.001, 1e6, 0.5]);
  if (rng.chance(0.1)) f.src_mac = '02:00:00:00:00:0' + rng.below(10);
  if (rng.chance(0.1)) f.tcp_flags = rng.below(256);
  return f;
}

/** A traffic profile: a valid one most of the time, then mutated. */
export function trafficJson(rng: Rng, maxPackets = 64): unknown {
  const queues = 1 + rng.below(rng.chance(0.8) ? 8 : 64);
  const p: Record<string, unknown> = { seed: rng.below(1000), packets: 1 + rng.below(maxPackets) };
  if (rng.chance(0.5)) p.rate_pps = rng.pick([1000, 1_000_000, 14_880_952, 3, 1e9]);
  if (rng.chance(0.8)) p.queues = queues;
  if (rng.chance(0.7)) {
    const nic: Record<string, unknown> = { driver: rng.pick(['full', 'hash-only', 'none']) };
    if (rng.chance(0.2)) nic.rss_key = hexBytes(rng, rng.pick([40, 40, 52, 39]));
    if (rng.chance(0.3)) nic.indirection = Array.from({ length: rng.chance(0.9) ? rng.pick([1, 2, 4, 8, 64, 128, 256]) : rng.pick([3, 100, 0]) }, (_, i) => i % queues);
    if (rng.chance(0.3)) nic.timestamps = rng.pick(['all', 'ptp', 'none']);
    if (rng.chance(0.2)) nic.vlan_strip = rng.chance(0.5);
    p.nic = nic;
  }
  if (rng.chance(0.3)) p.xsk = { metadata_size: rng.pick([0, 4, 24, 32, 255, 256]), ...(rng.chance(0.5) ? { frame_size: rng.pick([2048, 4096]) } : {}), ...(rng.chance(0.3) ? { frames: rng.pick([1, 2, 64, 4096]) } : {}) };
  if (rng.chance(0.9)) p.flows = Array.from({ length: 1 + rng.below(4) }, () => flow(rng));
  if (rng.chance(0.55)) return p;
  if (rng.chance(0.05)) return anyJson(rng, 3);
  return mutateJson(rng, p, TRAFFIC_KEYS);
}

function cpuList(rng: Rng): string {
  return rng.chance(0.8) ? rng.pick(['all', '0', '0-3', '0,2', '1-2', '0-7', 'none', '']) : rng.pick(['7-0', '0-4096', '99', 'a', '0,,1', '0-1-2', ' 1 ', '-1']);
}

/** A scenario: tasks, cgroups, the current task, the tracepoints' events; valid, then mutated. */
export function scenarioJson(rng: Rng, maxTasks = 6): unknown {
  const tasks = Array.from({ length: rng.below(maxTasks + 1) }, (_, i) => {
    const t: Record<string, unknown> = { pid: i === 0 ? 1 : 100 + i * 7, comm: rng.pick(['systemd', 'worker', 'nginx', 'a', 'x'.repeat(15)]), cpus: cpuList(rng) };
    if (i > 0 && rng.chance(0.6)) t.parent = rng.chance(0.9) ? 1 : 9999;
    if (rng.chance(0.4)) t.cgroup = rng.pick(['/', '/system.slice', '/system.slice/nginx', '/user.slice/a/b', '/missing']);
    if (rng.chance(0.1)) t.tgid = 1;
    return t;
  });
  const cgroups = ['/', '/system.slice', '/system.slice/nginx', '/user.slice'].slice(0, rng.below(5));
  if (rng.chance(0.2)) cgroups.push(`/${Array.from({ length: 1 + rng.below(6) }, (_, i) => `d${i}`).join('/')}`);
  const s: Record<string, unknown> = {};
  if (rng.chance(0.8)) s.tasks = tasks;
  if (rng.chance(0.6)) s.cgroups = cgroups;
  if (rng.chance(0.6) && tasks.length) s.current = (tasks[rng.below(tasks.length)] as { pid: number }).pid;
  if (rng.chance(0.5)) s.newtask = { pid: 4242, comm: 'new', cpus: cpuList(rng), ...(rng.chance(0.5) ? { parent: 1 } : {}), ...(rng.chance(0.5) ? { cgroup: '/system.slice' } : {}), ...(rng.chance(0.5) ? { clone_flags: rng.pick([0, 0x3d0f00, 2 ** 40]) } : {}) };
  if (rng.chance(0.4)) s.mkdir = { path: rng.pick(['/system.slice/nginx/web', '/a', '/a/b/c/d', '/system.slice']) };
  if (rng.chance(0.3)) s.seed = rng.below(100);
  if (rng.chance(0.2)) s.conntrack = Array.from({ length: rng.below(3) }, () => ({ proto: rng.pick(['tcp', 'udp']), src: ipv4(rng), dst: ipv4(rng), sport: rng.below(65536), dport: rng.below(65536) }));
  if (rng.chance(0.5)) return s;
  if (rng.chance(0.05)) return anyJson(rng, 3);
  return mutateJson(rng, s, SCENARIO_KEYS);
}

const MAP_TYPES_DECL = ['array', 'hash', 'percpu_array', 'percpu_hash', 'lru_hash', 'lru_percpu_hash', 'prog_array', 'ringbuf', 'devmap', 'devmap_hash', 'cpumap', 'xskmap'];

/** A `.map` declaration with sizes from the everyday to the kernel's limits and past them. */
export function mapDeclLine(rng: Rng, name: string): { line: string; type: string; key: number; value: number; max: number } {
  const type = rng.chance(0.98) ? rng.pick(MAP_TYPES_DECL) : rng.pick(['queue', 'stack', '__proto__', '']);
  const sizes = (everyday: number[], edges: number[]): number => (rng.chance(0.9) ? rng.pick(everyday) : rng.pick(edges));
  // Sizes each type takes (kernel/bpf/arraymap.c, devmap.c, cpumap.c, xskmap.c): mostly those, so the run is reached.
  const fixedKey = /^(array|percpu_array|prog_array|devmap|devmap_hash|cpumap|xskmap)$/.test(type);
  const fixedValue: Readonly<Record<string, number[]>> = { prog_array: [4], devmap: [4, 8], devmap_hash: [4, 8], cpumap: [4, 8], xskmap: [4] };
  const key = type === 'ringbuf' ? 0 : sizes(fixedKey ? [4] : [4, 4, 8, 16], [0, 1, 2, 3, 64, 512, 513, 4096, 65536]);
  const value = type === 'ringbuf' ? 0 : sizes(Object.hasOwn(fixedValue, type) ? (fixedValue[type] ?? [4]) : [4, 8, 8, 16, 64], [0, 1, 3, 512, 4095, 4096, 65536, 1 << 20, 1 << 24]);
  const max = sizes(type === 'ringbuf' ? [4096, 8192] : [1, 2, 4, 16, 64], [0, 1000, 4096, 65536, 1 << 20, 1 << 24, 0x7fffffff, 4294967295, 4294967296]);
  let line = `.map ${name} type=${type} key=${key} value=${value} max_entries=${max}`;
  if (rng.chance(0.15) && (value >= 8 || rng.chance(0.15))) {
    // A kptr fits an 8-byte aligned slot inside the value (most of the time).
    const offset = rng.chance(0.85) ? (value >= 16 && rng.chance(0.5) ? 8 : 0) : rng.pick([4, 8, 4096]);
    line += ` kptr=${offset}:${rng.pick(['bpf_cpumask', 'bpf_cpumask', 'task_struct', 'cgroup', 'nope'])}`;
  }
  if (rng.chance(0.1)) line += ` flags=${rng.pick([0, 1, 2, 0x400, 0x1000, 0xffffffff])}`;
  return { line, type, key, value, max };
}

/** Starting contents for `decls`: entries that fit (mostly), then mutated. */
/** What the contents generator needs of a map (its type as written, which may be no real type). */
export interface MapShape {
  readonly name: string;
  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
}

export function mapContentsJson(rng: Rng, decls: readonly MapShape[], sections: readonly string[], maxEntries = 16): unknown {
  const out: Record<string, unknown> = {};
  for (const d of decls) {
    // A ring buffer takes no contents (now and then it is given some all the same).
    if (!rng.chance(0.7) || (d.type === 'ringbuf' && rng.chance(0.9))) continue;
    const n = rng.below(Math.min(maxEntries, Math.max(1, d.maxEntries)) + 1);
    const used = new Set<number>();
    const entries: unknown[] = [];
    for (let i = 0; i < n; i++) {
      let k = rng.below(Math.max(1, Math.min(d.maxEntries, 1 << 16)));
      if (used.has(k) && rng.chance(0.9)) continue;
      used.add(k);
      // Array-like maps take an index (a number, or its bytes); hash maps any key of their size.
      const indexed = /^(array|percpu_array|prog_array|devmap|cpumap|xskmap)$/.test(d.type);
      const key = (d.keySize === 4 || d.keySize === 8) && (indexed || rng.chance(0.6)) && rng.chance(0.95) ? k : hexBytes(rng, rng.chance(0.95) ? d.keySize : d.keySize + 1);
      const value = d.type === 'prog_array' ? (rng.chance(0.8) ? rng.pick(sections.length ? sections : ['xdp']) : rng.pick(PROTO_NAMES)) : /devmap|cpumap|xskmap/.test(d.type) && rng.chance(0.5) ? rng.below(8) : hexBytes(rng, Math.min(d.valueSize, 4096) + (rng.chance(0.95) ? 0 : 1));
      entries.push(/percpu/.test(d.type) && rng.chance(0.5) ? { key, values: [value, value] } : { key, value });
      k++;
    }
    out[d.name] = entries;
  }
  if (rng.chance(0.1)) out[rng.pick(PROTO_NAMES)] = [];
  if (rng.chance(0.6)) return out;
  return mutateJson(rng, out, [...MAP_CONTENT_KEYS, ...decls.map((d) => d.name)]);
}
