// Seeded generator of map declarations (MapDecl values, as the assembler or a worker message
// hands them to the kernel) and starting contents (the JSON contract of
// engine/kernel/maps/initial-contents.ts), and the check every generated case must pass: loading,
// running and viewing them never throws and every message is text. The fuzz script reuses it.

import { loadProgram, type LoadProblem } from '../../kernel/loader.ts';
import { MAP_TYPES, sectionKind, type KptrField, type MapDecl } from '../../program/program.ts';
import type { Rng } from '../kernel/rng.ts';

export interface MapsCase {
  readonly decls: MapDecl[];
  readonly contents: unknown;
  readonly cpus: number;
}

/** Names a map may have: ordinary ones, and every Object.prototype name (they must behave alike). */
export const PROTOTYPE_NAMES: readonly string[] = Object.getOwnPropertyNames(Object.prototype);
const NAMES = ['counts', 'm', 'jumps', 'ring', 'devs', 'cpus', 'xsks', 'a_b', ...PROTOTYPE_NAMES];

/** Sizes at and around the kernel's limits, and values a hand-written message could carry. */
const EDGE_SIZES = [
  0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 64, 511, 512, 513, 4096, 32767, 32768, 32769, 65536, 1 << 20, (1 << 22) - 49, 1 << 22, 0x7fffffff, 0x80000000, 0xffffffff,
  2 ** 32, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1e300,
];
const EDGE_ENTRIES = [
  0, 1, 2, 3, 4, 16, 64, 4095, 4096, 8192, 65536, 1 << 20, 1 << 24, (1 << 27) - 1, 1 << 27, (1 << 27) + 1, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff,
  2 ** 32, -1, 0.5, Number.NaN, 1e300,
];

function size(rng: Rng, small: readonly number[]): number {
  return rng.chance(0.7) ? rng.pick(small) : rng.pick(EDGE_SIZES);
}

function decl(rng: Rng, name: string): MapDecl {
  const type = rng.chance(0.97) ? rng.pick(MAP_TYPES) : ('bogus' as MapDecl['type']);
  let keySize = size(rng, [4, 4, 8, 1, 16]);
  let valueSize = size(rng, [4, 8, 8, 16, 64, 520]);
  let maxEntries = rng.chance(0.6) ? rng.pick([1, 2, 4, 16, 64, 256]) : rng.pick(EDGE_ENTRIES);
  if (type === 'ringbuf' && rng.chance(0.7)) {
    keySize = 0;
    valueSize = 0;
    // Mostly small rings: a large one maps twice its size (up to the 64 MiB budget).
    maxEntries = rng.chance(0.8) ? 4096 * 2 ** (rng.chance(0.9) ? rng.below(6) : rng.below(16)) : rng.pick(EDGE_ENTRIES);
  }
  const flags = rng.chance(0.7) ? 0 : rng.chance(0.5) ? 1 << rng.below(14) : rng.u32();
  const kptrs: KptrField[] = [];
  const nk = rng.chance(0.8) ? 0 : rng.below(4);
  for (let i = 0; i < nk; i++) kptrs.push({ offset: rng.chance(0.8) ? 8 * rng.below(8) : rng.pick([-8, 3, 4096, 0xffffffff]), type: rng.pick(['bpf_cpumask', 'task_struct', 'cgroup', 'nope']) });
  return { name, type, keySize, valueSize, maxEntries, flags, kptrs, line: 1 };
}

function hexBytes(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += rng.below(256).toString(16).padStart(2, '0');
  return s;
}

/** A key or a value as the contract writes them (often right for the map, sometimes not). */
function datum(rng: Rng, bytes: number, numeric: boolean): unknown {
  // Values of the map's size, except that big ones are written out in full only now and then.
  const n = !Number.isSafeInteger(bytes) || bytes < 0 ? 4 : bytes <= 4096 || rng.chance(0.05) ? Math.min(bytes, 1 << 16) : 8;
  switch (rng.below(10)) {
    case 0:
      return rng.pick([0, 1, 2, 3, 4095, 16384, 16385, 0xffffffff, 2 ** 53, -1, 0.5, 1e300]);
    case 1:
      return rng.pick([null, true, '', 'zz', [], {}, '0x', '00 00 00', 'de ad be ef']);
    case 2:
      return hexBytes(rng, rng.below(n + 3));
    case 3:
      return rng.pick(['raw', 'xdp', 'raw/second', ...PROTOTYPE_NAMES]);
    default:
      return numeric && rng.chance(0.5) ? rng.below(64) : hexBytes(rng, n);
  }
}

function entries(rng: Rng, d: MapDecl, cpus: number, count: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    if (rng.chance(0.03)) {
      out.push(rng.pick([null, 7, 'x', []]));
      continue;
    }
    const e: Record<string, unknown> = {};
    if (rng.chance(0.95)) e.key = datum(rng, d.keySize, true);
    if (rng.chance(0.1)) {
      const list: unknown[] = [];
      const k = rng.below(Math.min(cpus, 64) + 2);
      for (let c = 0; c < k; c++) list.push(datum(rng, d.valueSize, false));
      e[rng.chance(0.5) ? 'values' : 'value'] = list;
    } else if (rng.chance(0.97)) e.value = datum(rng, d.valueSize, true);
    out.push(e);
  }
  return out;
}

/**
 * A case: up to a few declarations and their starting contents, parsed from JSON text (so an
 * own `__proto__` key arrives as JSON.parse makes it). `size` scales the number of entries.
 */
export function generate(rng: Rng, size: number): MapsCase {
  const cpus = rng.chance(0.8) ? rng.pick([1, 2, 4, 8]) : rng.pick([3, 64, 1024, 4096]);
  const n = rng.below(4) + (rng.chance(0.1) ? 0 : 1);
  const decls: MapDecl[] = [];
  const used = new Set<string>();
  for (let i = 0; i < n; i++) {
    const name = rng.pick(NAMES);
    if (used.has(name)) continue;
    used.add(name);
    decls.push(decl(rng, name));
  }
  let text: string;
  if (rng.chance(0.05)) text = rng.pick(['null', '[]', '"maps"', '7', '{}']);
  else {
    const parts: string[] = [];
    for (const d of decls) {
      if (rng.chance(0.2)) continue;
      const count = rng.below(Math.max(1, size)) + (rng.chance(0.05) ? size * 10 : 0);
      parts.push(`${JSON.stringify(rng.chance(0.05) ? rng.pick(NAMES) : d.name)}: ${JSON.stringify(entries(rng, d, cpus, count))}`);
    }
    text = `{${parts.join(',')}}`;
  }
  return { decls, contents: JSON.parse(text) as unknown, cpus };
}

/** One instruction pair: r0 = 0; exit. */
const EXIT = Uint8Array.from([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);

function problemText(p: LoadProblem): string | undefined {
  return typeof p.message === 'string' && p.message.length > 0 && !p.message.includes('internal error') ? undefined : `a load problem that is not a plain message: ${String(p.message)}`;
}

/**
 * Loads a case as BPF_PROG_LOAD would (with two raw programs, so a prog_array slot can name one),
 * runs it, and reads the maps back. Returns what went wrong (nothing for a good outcome, accepted
 * or refused); exceptions are caught and reported, never thrown.
 */
export function check(c: MapsCase): string[] {
  try {
    const sections = [
      { name: 'raw', kind: sectionKind('raw'), bytes: EXIT },
      { name: 'raw/second', kind: sectionKind('raw'), bytes: EXIT },
    ];
    const r = loadProgram({ sections, entry: 'raw', maps: c.decls, profile: 'linux-6.18', cpus: c.cpus, isa: 4, maxInsns: 1000, mapContents: c.contents, compile: false });
    if (!r.ok) return r.problems.flatMap((p) => problemText(p) ?? []);
    r.program.vm.run();
    const report = r.program.finish();
    for (const m of report.maps) if (typeof m.name !== 'string') return [`a map view whose name is not text: ${String(m.name)}`];
    r.program.kernel.maps.free();
    return [];
  } catch (e) {
    return [`exception: ${e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e)}`];
  }
}
