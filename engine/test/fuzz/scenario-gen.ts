// Seeded generator of scenario JSON (engine/kernel/scenario.ts, README "The scenario"): tasks with
// parents in any order (chains, cycles, missing parents), cgroup paths deep, odd or named after
// Object.prototype, CPU lists right and wrong, conntrack seeds, sockets, other CPUs' map writes,
// a tc skb's shape, memory running short, and junk in any field. `check`
// parses a case and loads a program on it; nothing may throw and every message is text.

import { loadProgram } from '../../kernel/loader.ts';
import { parseScenario } from '../../kernel/scenario.ts';
import { sectionKind } from '../../program/program.ts';
import type { Rng } from '../kernel/rng.ts';
import { PROTOTYPE_NAMES } from './maps-gen.ts';

export interface ScenarioCase {
  /** The scenario as JSON.parse gives it. */
  readonly json: unknown;
  readonly cpus: number;
}

const JUNK: readonly unknown[] = [null, true, 0, -1, 1.5, 1e300, '', 'x', [], {}, [1, 2], { pid: 1 }];
const NAMES = ['systemd', 'nginx', 'w', 'a-very-long-command-name', '\u00e9t\u00e9', '\u{1f600}', ...PROTOTYPE_NAMES];
const CPU_LISTS = ['all', 'none', '', '0', '0-3', '0,2,4-5', '3-1', '7', '4095', '0-4095', '0,0,0,0', 'x', ' 1 - 2 ', '1-', '-1', '99999999999999999999'];

/** A path that is usually valid (up to the playground's depth), sometimes deep, odd or wrong. */
function pathOf(rng: Rng, size: number, valid: boolean): string {
  if (!valid && rng.chance(0.3)) {
    switch (rng.below(3)) {
      case 0:
        return `/${rng.pick(NAMES)}`.repeat(8 + rng.below(Math.max(1, size * 100)));
      case 1:
        return rng.pick(['/a/./b', '/a/../b', 'relative', '/a\nb', `/${'n'.repeat(256)}`]);
      default:
        return '/'.repeat(rng.below(4));
    }
  }
  const depth = rng.below(8);
  let p = rng.chance(0.1) ? '/' : '';
  for (let i = 0; i < depth; i++) p += `/${rng.pick(NAMES)}${rng.below(3)}${rng.chance(0.05) ? '/' : ''}`;
  return p || '/';
}

function cpuList(rng: Rng, cpus: number, valid: boolean): string {
  if (!valid && rng.chance(0.3)) return rng.pick(CPU_LISTS);
  const a = rng.below(cpus);
  const b = a + rng.below(cpus - a);
  return rng.pick(['all', 'none', `${a}`, `${a}-${b}`, `${b},${a}`, `0-${cpus - 1},${a}`]);
}

/** Tasks with unique pids; parents point anywhere in the list (chains, trees, cycles, missing ones). */
function tasks(rng: Rng, n: number, cpus: number, size: number, valid: boolean): Record<string, unknown>[] {
  const shape = rng.below(4);
  const out = Array.from({ length: n }, (_, i): Record<string, unknown> => {
    const pid = i + 1;
    const t: Record<string, unknown> = { pid };
    if (rng.chance(0.8)) t.comm = rng.pick(NAMES).slice(0, 15);
    if (rng.chance(0.7)) t.cpus = cpuList(rng, cpus, valid);
    // 0: a chain (pid k's parent is k - 1), 1: a tree, 2: random parents (cycles), 3: none.
    const parent = shape === 0 ? pid - 1 : shape === 1 ? rng.below(pid) : shape === 2 ? 1 + rng.below(n + 2) : 0;
    if (parent > 0) t.parent = parent;
    if (rng.chance(0.4)) t.cgroup = pathOf(rng, size, valid);
    if (rng.chance(0.1)) t.tgid = 1 + rng.below(n);
    return t;
  });
  // Often youngest first, so that children come before their parents.
  return rng.chance(0.5) ? out.reverse() : out;
}

function conntrack(rng: Rng): unknown {
  const e: Record<string, unknown> = {
    proto: rng.pick(['tcp', 'udp', 'udp', 'icmp']),
    src: rng.pick(['10.0.0.1', 'fd00::1', '10.0.0.300', 'x']),
    dst: rng.pick(['10.0.0.2', 'fd00::2', '10.0.0.3', '']),
    sport: rng.pick([0, 80, 65535, 65536, -1, 1.5]),
    dport: rng.pick([0, 443, 70000]),
  };
  for (const k of ['zone', 'status', 'timeoutMs', 'mark']) if (rng.chance(0.2)) e[k] = rng.pick([0, 1, 65535, 65536, 0xffffffff, -1, 'x', 1.5]);
  return e;
}

function socket(rng: Rng): unknown {
  const addr = (): string => rng.pick(['10.0.0.1:80', '0.0.0.0:53', '[::1]:443', '[::]:80', '[::ffff:10.0.0.1]:8080', '10.0.0.1:0', '10.0.0.1:65536', '1.2.3:4', '[::1]', 'x', '']);
  const e: Record<string, unknown> = { proto: rng.pick(['tcp', 'udp', 'udp', 'sctp']), local: addr() };
  if (rng.chance(0.4)) e.remote = addr();
  if (rng.chance(0.3)) e.steer = rng.pick([true, false, 1, 'yes']);
  return e;
}

function concurrentWrite(rng: Rng): unknown {
  const e: Record<string, unknown> = { beforeCall: rng.pick([1, 2, 3, 0, -1, 1.5, 1_000_001]), map: rng.pick(['m', 'counts', '', 'constructor']), key: rng.pick(['00000000', '00', 'zz', '', '0']) };
  if (rng.chance(0.6)) e.value = rng.pick(['0000000000000000', '01', 'x', '']);
  return e;
}

function skb(rng: Rng): unknown {
  const e: Record<string, unknown> = {};
  if (rng.chance(0.5)) e.meta = rng.pick(['00000000', '01020304'.repeat(8), '00'.repeat(256), '010203', 'zz', '']);
  if (rng.chance(0.5)) e.linear = rng.pick([14, 13, 64, 65535, 65536, 1.5, -1]);
  if (rng.chance(0.4)) e.cloned = rng.pick([true, false, 'yes']);
  if (rng.chance(0.1)) e.linar = 14;
  return e;
}

/** Puts a junk value somewhere in a JSON value (one place, so most of the case stays valid). */
function corrupt(rng: Rng, v: unknown): unknown {
  if (Array.isArray(v) && v.length > 0) {
    const copy = [...v];
    const i = rng.below(copy.length);
    copy[i] = rng.chance(0.3) ? rng.pick(JUNK) : corrupt(rng, copy[i]);
    return copy;
  }
  if (typeof v === 'object' && v !== null) {
    const o = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    const k = rng.chance(0.1) || keys.length === 0 ? rng.pick([...PROTOTYPE_NAMES, 'pid', 'path']) : rng.pick(keys);
    o[k] = rng.chance(0.4) ? rng.pick(JUNK) : corrupt(rng, o[k]);
    return o;
  }
  return rng.pick(JUNK);
}

/**
 * A scenario; `size` scales the number of tasks, cgroups and conntrack seeds (a tenth of cases
 * take 20 times more). Most cases are valid, so that they reach the world the kernel builds.
 */
export function generate(rng: Rng, size: number): ScenarioCase {
  const cpus = rng.pick([1, 2, 8, 64, 4096]);
  if (rng.chance(0.02)) return { json: rng.pick(JUNK), cpus };
  const valid = rng.chance(0.7);
  const n = rng.chance(0.1) ? size * 20 : rng.below(size + 1);
  const s: Record<string, unknown> = {};
  if (rng.chance(0.8)) s.seed = rng.below(1000);
  const list = tasks(rng, n, cpus, size, valid);
  if (rng.chance(0.95)) s.tasks = list;
  if (rng.chance(0.7)) s.cgroups = Array.from({ length: rng.below(size + 1) }, () => pathOf(rng, size, valid));
  if (list.length) s.current = rng.chance(0.95) ? list[rng.below(list.length)]?.pid : n + 5;
  if (rng.chance(0.6)) s.newtask = { pid: rng.chance(0.9) ? n + 1 : 1, comm: rng.pick(NAMES).slice(0, 15), cpus: cpuList(rng, cpus, valid), parent: 1 + rng.below(n + 1), ...(rng.chance(0.5) ? { clone_flags: rng.pick([0, 0x3d0f00, -1, 1.5]) } : {}) };
  if (rng.chance(0.5)) s.mkdir = { path: pathOf(rng, size, valid) };
  if (rng.chance(0.3)) s.conntrack = Array.from({ length: rng.below(size + 1) }, () => conntrack(rng));
  if (rng.chance(0.2)) s.sockets = Array.from({ length: rng.below(size + 1) }, () => socket(rng));
  if (rng.chance(0.2)) s.concurrentWrites = Array.from({ length: rng.below(size + 1) }, () => concurrentWrite(rng));
  if (rng.chance(0.2)) s.skb = skb(rng);
  if (rng.chance(0.1)) s.failAllocationsAfter = rng.pick([0, 1, 3, -1, 1.5, 'x']);
  const json = valid ? s : corrupt(rng, s);
  return { json: JSON.parse(JSON.stringify(json)) as unknown, cpus };
}

const EXIT = Uint8Array.from([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);

/** Parses and loads a case; returns what went wrong (nothing for an acceptance or a clear refusal). */
export function check(c: ScenarioCase): string[] {
  try {
    const parsed = parseScenario(c.json, c.cpus);
    if (!parsed.ok) return typeof parsed.error === 'string' && parsed.error.length > 0 ? [] : [`a refusal that is not text: ${String(parsed.error)}`];
    const r = loadProgram({ sections: [{ name: 'tp_btf/task_newtask', kind: sectionKind('tp_btf/task_newtask'), bytes: EXIT }], entry: 'tp_btf/task_newtask', maps: [], profile: 'linux-6.18', cpus: c.cpus, isa: 4, maxInsns: 100, scenario: c.json, compile: false });
    if (!r.ok) return r.problems.flatMap((p) => (typeof p.message === 'string' && p.message.length > 0 && !p.message.includes('internal error') ? [] : [`a load problem that is not a plain message: ${String(p.message)}`]));
    r.program.vm.run();
    r.program.finish();
    return [];
  } catch (e) {
    return [`exception: ${e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e)}`];
  }
}
