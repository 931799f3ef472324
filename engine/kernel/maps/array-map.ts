// BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY (kernel/bpf/arraymap.c): max_entries values
// of round_up(value_size, 8) bytes, contiguous and zero-initialised, indexed by a u32 key. Every
// element always exists, so BPF_NOEXIST fails and delete is refused. A per-CPU array keeps one
// such block per CPU; a program sees the copy of the CPU it runs on.

import type { MapDecl } from '../../program/program.ts';
import type { Region } from '../../vm/index.ts';
import { ERRNO } from '../services.ts';
import { isZero, leBytes, toHex, u32At, zeroAt } from './hex.ts';
import { footprint, INT_MAX, PCPU_MIN_UNIT_SIZE } from './limits.ts';
import { MapBase, roundUp8, sizeRule } from './map-base.ts';
import { ACCESS_FLAGS, BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST, MAP_FLAG, WHOLE_VALUES, type ForEachEntry, type InitialEntry, type MapContext, type MapEntryView, type MapView, type ValueLimits } from './types.ts';

/** PCPU_MIN_UNIT_SIZE: the largest per-CPU value (arraymap.c, hashtab.c). */
export const PCPU_MAX_VALUE = PCPU_MIN_UNIT_SIZE;

/** array_map_alloc_check (arraymap.c), in the order it checks. */
export function checkArrayDecl(decl: MapDecl): string | undefined {
  const percpu = decl.type === 'percpu_array';
  const flags = MAP_FLAG.NUMA_NODE | ACCESS_FLAGS | (percpu ? 0 : MAP_FLAG.MMAPABLE | MAP_FLAG.INNER_MAP);
  const rule = sizeRule(decl, { key: [4], flags, what: `${decl.type} maps` });
  if (rule) return rule;
  if (decl.valueSize === 0) return `map '${decl.name}' (${decl.type}): value=0 is refused (BPF_MAP_CREATE fails with -EINVAL)`;
  if (decl.valueSize > INT_MAX) return `map '${decl.name}' (${decl.type}): value=${decl.valueSize} is more than INT_MAX (${INT_MAX}) (-E2BIG)`;
  if (percpu && roundUp8(decl.valueSize) > PCPU_MAX_VALUE) return `map '${decl.name}' (percpu_array): per-CPU values are limited to ${PCPU_MAX_VALUE} bytes (-E2BIG)`;
  return undefined;
}

/** Guest memory an array maps: every value, for every CPU of a per-CPU array (array_map_alloc allocates them all). */
export function arrayBytes(decl: MapDecl, nrCpus: number): number {
  return (decl.type === 'percpu_array' ? nrCpus : 1) * footprint(decl.maxEntries * roundUp8(decl.valueSize));
}

export class ArrayMap extends MapBase {
  /** round_up(value_size, 8): the stride between values. */
  readonly elemSize: number;
  readonly percpu: boolean;
  /** One block of all values per CPU (per-CPU arrays map them on first use), or one block. */
  private readonly blocks: (Region | undefined)[];

  constructor(ctx: MapContext, decl: MapDecl, index: number) {
    super(ctx, decl, index);
    this.elemSize = roundUp8(decl.valueSize);
    this.percpu = decl.type === 'percpu_array';
    this.blocks = new Array<Region | undefined>(this.percpu ? ctx.nrCpus : 1).fill(undefined);
    if (!this.percpu) this.block(0);
  }

  private block(cpu: number): Region {
    const i = this.percpu ? cpu : 0;
    let r = this.blocks[i];
    if (!r) {
      const label = this.percpu ? `map ${this.name} values (cpu ${cpu})` : `map ${this.name} values`;
      r = this.mapValues(label, 0, this.elemSize, this.decl.maxEntries);
      this.blocks[i] = r;
    }
    return r;
  }

  /** Arena offset of value `index` in the copy of `cpu`. */
  private valueOffset(index: number, cpu: number): number {
    return this.block(cpu).start + index * this.elemSize;
  }

  /** BPF_PSEUDO_MAP_VALUE: only a one-element array has a direct value address (array_map_direct_value_addr). */
  directValue(offset: number): bigint | undefined {
    if (this.percpu || this.decl.maxEntries !== 1 || offset < 0 || offset >= this.decl.valueSize) return undefined;
    // The program writes its global data through this address whenever it likes.
    this.exposed = true;
    return this.pointer(this.valueOffset(0, 0) + offset);
  }

  override lookup(key: Uint8Array): bigint {
    const index = u32At(key);
    if (index >= this.decl.maxEntries) return 0n;
    this.exposed = true;
    return this.pointer(this.valueOffset(index, this.ctx.cpu()));
  }

  override update(key: Uint8Array, value: Uint8Array, flags: bigint): number {
    const index = u32At(key);
    // The order of these checks is array_map_update_elem's.
    if ((flags & ~BPF_F_LOCK) > BPF_EXIST) return -ERRNO.EINVAL;
    if (index >= this.decl.maxEntries) return -ERRNO.E2BIG;
    if (flags & BPF_NOEXIST) return -ERRNO.EEXIST;
    // No value here can hold a bpf_spin_lock, so BPF_F_LOCK is always refused.
    if (flags & BPF_F_LOCK) return -ERRNO.EINVAL;
    // From a program a per-CPU array updates only this CPU's copy.
    const off = this.valueOffset(index, this.ctx.cpu());
    this.writeValue(off, value);
    this.dropKptrs(off);
    this.generation++;
    return 0;
  }

  override delete(_key: Uint8Array): number {
    return -ERRNO.EINVAL;
  }

  /** Made one at a time: the callback's instruction budget, not max_entries, bounds the walk. */
  override *forEachEntries(): Generator<ForEachEntry> {
    const cpu = this.ctx.cpu();
    this.exposed = true;
    for (let i = 0; i < this.decl.maxEntries; i++) yield { key: leBytes(i, 4), valuePtr: this.pointer(this.valueOffset(i, cpu)), live: () => true };
  }

  *keys(): Generator<Uint8Array> {
    for (let i = 0; i < this.decl.maxEntries; i++) yield leBytes(i, 4);
  }

  load(entry: InitialEntry): string | undefined {
    const index = u32At(entry.key);
    if (index >= this.decl.maxEntries) return `${entry.where}: index ${index} is out of range (max_entries ${this.decl.maxEntries})`;
    // Per-CPU entries often repeat one value object for every CPU: test each object once.
    const zero = new Map<Uint8Array, boolean>();
    const count = this.percpu ? entry.values.length : Math.min(1, entry.values.length);
    for (let cpu = 0; cpu < count; cpu++) {
      const value = entry.values[cpu];
      if (!value) continue;
      let z = zero.get(value);
      if (z === undefined) zero.set(value, (z = isZero(value)));
      // A per-CPU block is mapped on first use; an all-zero value needs none.
      if (this.percpu && !this.blocks[cpu] && z) continue;
      // The offset first: mapping a block may grow the arena and replace mem.bytes.
      const off = this.valueOffset(index, cpu);
      this.ctx.mem.bytes.set(value, off);
    }
    this.generation++;
    return undefined;
  }

  clear(): void {
    this.blocks.forEach((block) => {
      if (!block) return;
      if (this.decl.kptrs.length) for (let i = 0; i < this.decl.maxEntries; i++) this.dropKptrs(block.start + i * this.elemSize);
      this.ctx.mem.bytes.fill(0, block.start, block.start + block.size);
    });
    this.generation++;
  }

  count(): number {
    return this.decl.maxEntries;
  }

  protected positions(): number {
    return this.decl.maxEntries;
  }

  protected positionOf(key: Uint8Array): number | undefined {
    const index = u32At(key);
    return index < this.decl.maxEntries ? index : undefined;
  }

  /** Indexes from `start` whose value is not all zero in some CPU's copy (the others are not shown). */
  protected *walk(start: number): Iterable<readonly [number, number]> {
    const bytes = this.ctx.mem.bytes;
    const size = this.decl.valueSize;
    for (let i = start; i < this.decl.maxEntries; i++) {
      const at = i * this.elemSize;
      if (this.blocks.some((b) => b !== undefined && !zeroAt(bytes, b.start + at, size))) yield [i, i];
    }
  }

  entryView(index: number, limits: ValueLimits): MapEntryView {
    // A per-CPU array shows the first copies only when cut; the kptrs of the copies shown.
    const copies = this.percpu ? this.blocks.slice(0, Math.min(this.blocks.length, limits.cpus)) : this.blocks;
    const values = copies.map((b) => (b ? this.valueHex(b.start + index * this.elemSize, limits) : this.zeroHex(limits)));
    const kptrs = this.decl.kptrs.length ? copies.flatMap((b, cpu) => (b ? this.kptrViews(b.start + index * this.elemSize, this.percpu ? cpu : undefined) : [])) : undefined;
    return {
      key: toHex(leBytes(index, 4)),
      index,
      value: this.percpu ? values : (values[0] ?? ''),
      ...(kptrs ? { kptrs } : {}),
      ...this.cutFields(limits, this.blocks.length),
    };
  }

  override entryNameAt(offset: number): string | undefined {
    const b = this.blocks.find((r) => r !== undefined && offset >= r.start && offset < r.start + r.size);
    return b ? String(Math.floor((offset - b.start) / this.elemSize)) : undefined;
  }

  override view(): MapView {
    const entries: MapEntryView[] = [];
    for (const [, index] of this.walk(0)) entries.push(this.entryView(index, WHOLE_VALUES));
    return this.viewOf(entries, this.decl.maxEntries, { omitted: this.decl.maxEntries - entries.length });
  }

  free(): void {
    this.clear();
    for (const b of this.blocks) if (b) this.ctx.mem.free(b);
    this.ctx.mem.free(this.header);
  }
}
