// BPF_MAP_TYPE_PROG_ARRAY (kernel/bpf/arraymap.c, the fd_array maps): slots holding programs
// for bpf_tail_call. User space fills them (here: the initial contents, by section name); a
// program can only read them through bpf_tail_call — the verifier refuses the map helpers and
// the kernel has no update operation for programs, so an update from a program is -EINVAL.

import type { MapDecl } from '../../program/program.ts';
import { ERRNO } from '../services.ts';
import { leBytes, toHex, u32At } from './hex.ts';
import { MapBase, sizeRule } from './map-base.ts';
import { MAP_FLAG, type InitialEntry, type MapEntryView } from './types.ts';

export function checkProgArrayDecl(decl: MapDecl): string | undefined {
  // fd_array_map_alloc_check: value_size 4 and no BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG.
  return sizeRule(decl, { key: [4], value: [4], flags: MAP_FLAG.NUMA_NODE | MAP_FLAG.RDONLY | MAP_FLAG.WRONLY, what: 'prog_array maps' });
}

export class ProgArrayMap extends MapBase {
  /** Slot index → program (section name); slots hold programs only where the contents put one. */
  private readonly progs = new Map<number, string>();

  /** The program (section name) in slot `index`, for bpf_tail_call. */
  progAt(index: number): string | undefined {
    return this.progs.get(index);
  }

  /** fd_array_map_delete_elem. */
  override delete(key: Uint8Array): number {
    const index = u32At(key);
    if (index >= this.decl.maxEntries) return -ERRNO.E2BIG;
    if (!this.progs.delete(index)) return -ERRNO.ENOENT;
    this.generation++;
    return 0;
  }

  *keys(): Generator<Uint8Array> {
    for (let i = 0; i < this.decl.maxEntries; i++) yield leBytes(i, 4);
  }

  load(entry: InitialEntry): string | undefined {
    const index = u32At(entry.key);
    if (index >= this.decl.maxEntries) return `${entry.where}: index ${index} is out of range (max_entries ${this.decl.maxEntries})`;
    if (entry.prog === undefined) return `${entry.where}: a prog_array value is the section name of a program, e.g. "xdp/next"`;
    this.progs.set(index, entry.prog);
    this.generation++;
    return undefined;
  }

  clear(): void {
    this.progs.clear();
    this.generation++;
  }

  count(): number {
    return this.progs.size;
  }

  /** Filled slots in index order. */
  slots(): [number, string][] {
    return [...this.progs].sort((a, b) => a[0] - b[0]);
  }

  protected positions(): number {
    return this.decl.maxEntries;
  }

  protected positionOf(key: Uint8Array): number | undefined {
    const index = u32At(key);
    return index < this.decl.maxEntries ? index : undefined;
  }

  protected *walk(start: number): Iterable<readonly [number, number]> {
    for (const [i] of this.slots()) if (i >= start) yield [i, i];
  }

  /** A slot holds a program's section name, never cut. */
  entryView(index: number): MapEntryView {
    return { key: toHex(leBytes(index, 4)), index, value: this.progs.get(index) ?? '' };
  }

  free(): void {
    this.clear();
    this.ctx.mem.free(this.header);
  }
}
