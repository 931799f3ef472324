// BPF_MAP_TYPE_HASH, LRU_HASH, PERCPU_HASH and LRU_PERCPU_HASH (kernel/bpf/hashtab.c). Each
// element is one region laid out like struct htab_elem: the key (rounded up to 8), then the
// value — or, per-CPU, one value per CPU. A full map refuses new keys with -E2BIG; an LRU map
// evicts its least recently used element instead (update and lookup both count as use; the
// kernel's LRU is an approximation of this strict order).
//
// Deleted elements stay readable until the run ends, as RCU guarantees in the kernel. A
// preallocated map (the default) has a pool of max_entries (+ nr_cpus for plain hash) elements
// and reuses deleted ones once the pool is exhausted, as the kernel's freelist does; a
// BPF_F_NO_PREALLOC map keeps them until endOfRun.

import type { MapDecl } from '../../program/program.ts';
import type { Region } from '../../vm/index.ts';
import { ERRNO } from '../services.ts';
import { toHex } from './hex.ts';
import { footprint, HTAB_ELEM_SIZE, HTAB_MAX_ENTRIES, KMALLOC_MAX_SIZE } from './limits.ts';
import { MapBase, roundUp8, sizeRule } from './map-base.ts';
import { PCPU_MAX_VALUE } from './array-map.ts';
import { ACCESS_FLAGS, BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST, MAP_FLAG, type ForEachEntry, type InitialEntry, type KptrView, type MapContext, type MapEntryView, type ValueLimits } from './types.ts';

/** htab_map_alloc_check, then htab_map_alloc's size checks (hashtab.c). */
export function checkHashDecl(decl: MapDecl): string | undefined {
  const lru = decl.type === 'lru_hash' || decl.type === 'lru_percpu_hash';
  const percpu = decl.type === 'percpu_hash' || decl.type === 'lru_percpu_hash';
  const where = `map '${decl.name}' (${decl.type})`;
  const rule = sizeRule(decl, { flags: MAP_FLAG.NO_PREALLOC | MAP_FLAG.NO_COMMON_LRU | MAP_FLAG.NUMA_NODE | ACCESS_FLAGS | MAP_FLAG.ZERO_SEED, what: 'hash maps' });
  if (rule) return rule;
  if (!lru && decl.flags & MAP_FLAG.NO_COMMON_LRU) return `${where}: BPF_F_NO_COMMON_LRU is only for LRU maps (-EINVAL)`;
  if (lru && decl.flags & MAP_FLAG.NO_PREALLOC) return `${where}: LRU maps are always preallocated; BPF_F_NO_PREALLOC is refused (-ENOTSUPP)`;
  if (decl.keySize === 0 || decl.valueSize === 0) return `${where}: key and value sizes must be at least 1 (BPF_MAP_CREATE fails with -EINVAL)`;
  // Since Linux 5.11 a key may be larger than the 512-byte stack (it can come from a map value).
  if (decl.keySize + decl.valueSize >= KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE) {
    return `${where}: key=${decl.keySize} plus value=${decl.valueSize} must stay below ${KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE} bytes (KMALLOC_MAX_SIZE less struct htab_elem), so an element can be allocated (-E2BIG)`;
  }
  if (percpu && roundUp8(decl.valueSize) > PCPU_MAX_VALUE) return `${where}: per-CPU values are limited to ${PCPU_MAX_VALUE} bytes (-E2BIG)`;
  if (decl.maxEntries > HTAB_MAX_ENTRIES) {
    return `${where}: max_entries=${decl.maxEntries} is more than ${HTAB_MAX_ENTRIES} (2^27): the kernel's bucket array (a power of two of 16-byte buckets) would not fit in a u32 (-E2BIG)`;
  }
  return undefined;
}

interface Elem {
  readonly key: Uint8Array;
  readonly region: Region;
}

export class HashMap extends MapBase<Elem> {
  readonly lru: boolean;
  readonly percpu: boolean;
  private readonly keyPart: number;
  private readonly elemSize: number;
  private readonly copies: number;
  /** Elements by key hex; for LRU maps in recency order, least recently used first. */
  private readonly elems = new Map<string, Elem>();
  /** Element memory ready for reuse, and memory of elements deleted during this run. */
  private readonly spare: Region[] = [];
  private pending: Region[] = [];
  private readonly all: Region[] = [];
  /** Size of the kernel's preallocated pool (Infinity for BPF_F_NO_PREALLOC). */
  private readonly pool: number;

  constructor(ctx: MapContext, decl: MapDecl, index: number) {
    super(ctx, decl, index);
    this.lru = decl.type === 'lru_hash' || decl.type === 'lru_percpu_hash';
    this.percpu = decl.type === 'percpu_hash' || decl.type === 'lru_percpu_hash';
    this.keyPart = roundUp8(decl.keySize);
    this.elemSize = roundUp8(decl.valueSize);
    this.copies = this.percpu ? ctx.nrCpus : 1;
    // prealloc_init: max_entries, plus one spare element per CPU for plain (not LRU, not per-CPU) maps.
    const extra = this.lru || this.percpu ? 0 : ctx.nrCpus;
    this.pool = decl.flags & MAP_FLAG.NO_PREALLOC ? Infinity : decl.maxEntries + extra;
  }

  private valueOffset(e: Elem, cpu: number): number {
    return e.region.start + this.keyPart + (this.percpu ? cpu * this.elemSize : 0);
  }

  /** Moves an element to the most recently used end. */
  private touch(hex: string, e: Elem): void {
    if (!this.lru) return;
    this.elems.delete(hex);
    this.elems.set(hex, e);
  }

  /** Memory for a new element: a reused one, or a new region while the maps' budget allows; undefined when it does not (-ENOMEM). */
  private allocate(key: Uint8Array): Region | undefined {
    let region = this.spare.pop();
    if (!region && this.all.length >= this.pool) region = this.pending.shift();
    if (!region) {
      if (!this.ctx.memory.take(footprint(this.keyPart + this.elemSize * this.copies))) return undefined;
      region = this.mapValues(`map ${this.name} element`, this.keyPart, this.elemSize, this.copies);
      this.all.push(region);
    }
    const bytes = this.ctx.mem.bytes;
    bytes.fill(0, region.start, region.start + region.size);
    bytes.set(key, region.start);
    region.note = `key ${toHex(key)}`;
    return region;
  }

  /** Unlinks an element: its kptrs go to the dtor now (free_htab_elem → check_and_free_fields). */
  private remove(hex: string, e: Elem, reuse: 'now' | 'after-run'): void {
    for (let cpu = 0; cpu < this.copies; cpu++) this.dropKptrs(this.valueOffset(e, cpu));
    this.elems.delete(hex);
    e.region.note = 'deleted element';
    (reuse === 'now' ? this.spare : this.pending).push(e.region);
    this.generation++;
  }

  override lookup(key: Uint8Array): bigint {
    const hex = toHex(key);
    const e = this.elems.get(hex);
    if (!e) return 0n;
    this.touch(hex, e);
    // The value may be written through the pointer; an LRU lookup also reorders the elements.
    this.exposed = true;
    return this.pointer(this.valueOffset(e, this.ctx.cpu()));
  }

  override update(key: Uint8Array, value: Uint8Array, flags: bigint): number {
    return this.store(key, [value], flags, this.ctx.cpu());
  }

  /**
   * htab_map_update_elem: `values` has one value (a program's update: this CPU's copy, the
   * others zeroed in a new element — pcpu_init_value) or one per CPU (initial contents).
   */
  private store(key: Uint8Array, values: readonly Uint8Array[], flags: bigint, cpu: number): number {
    const mode = flags & ~BPF_F_LOCK;
    if (mode > BPF_EXIST) return -ERRNO.EINVAL;
    // No value here can hold a bpf_spin_lock, so BPF_F_LOCK is always refused.
    if (flags & BPF_F_LOCK) return -ERRNO.EINVAL;
    const hex = toHex(key);
    const old = this.elems.get(hex);
    if (old && mode === BPF_NOEXIST) return -ERRNO.EEXIST;
    if (!old && mode === BPF_EXIST) return -ERRNO.ENOENT;
    // An existing element is updated in place (the kernel links a fresh copy and frees the
    // old one; only a pointer kept from before the update could tell the difference).
    let e = old;
    if (!e) {
      if (this.elems.size >= this.decl.maxEntries) {
        if (!this.lru) return -ERRNO.E2BIG;
        const [victimHex, victim] = this.elems.entries().next().value ?? [];
        if (victimHex === undefined || !victim) return -ERRNO.E2BIG;
        this.remove(victimHex, victim, 'now');
      }
      const region = this.allocate(key);
      // Elements are mapped as they are inserted (the kernel preallocates them); past the
      // playground's memory for maps an insert fails as a failed allocation does.
      if (!region) return -ERRNO.ENOMEM;
      e = { key: key.slice(), region };
      this.elems.set(hex, e);
    }
    if (values.length === 1) {
      const off = this.valueOffset(e, this.percpu ? cpu : 0);
      this.writeValue(off, values[0] ?? new Uint8Array());
      this.dropKptrs(off);
    } else {
      values.forEach((v, c) => {
        const off = this.valueOffset(e, c);
        this.writeValue(off, v);
        this.dropKptrs(off);
      });
    }
    this.touch(hex, e);
    this.generation++;
    return 0;
  }

  override delete(key: Uint8Array): number {
    const hex = toHex(key);
    const e = this.elems.get(hex);
    if (!e) return -ERRNO.ENOENT;
    this.remove(hex, e, 'after-run');
    return 0;
  }

  override forEachEntries(): readonly ForEachEntry[] {
    const cpu = this.ctx.cpu();
    this.exposed = true;
    return [...this.elems.entries()].map(([hex, e]) => ({
      key: e.key,
      keyPtr: this.pointer(e.region.start),
      valuePtr: this.pointer(this.valueOffset(e, cpu)),
      live: () => this.elems.get(hex) === e,
    }));
  }

  keys(): Uint8Array[] {
    return [...this.elems.values()].map((e) => e.key.slice());
  }

  /** Number of elements. */
  get size(): number {
    return this.elems.size;
  }

  load(entry: InitialEntry): string | undefined {
    const hex = toHex(entry.key);
    if (this.elems.has(hex)) return `${entry.where}: key ${hex} appears twice`;
    if (this.elems.size >= this.decl.maxEntries) return `${entry.where}: the map is full (max_entries ${this.decl.maxEntries})`;
    const r = this.store(entry.key, entry.values, BPF_NOEXIST, 0);
    if (r === -ERRNO.ENOMEM) return `${entry.where}: ${this.ctx.memory.fullText}`;
    return r === 0 ? undefined : `${entry.where}: update failed with ${r}`;
  }

  clear(): void {
    for (const [hex, e] of [...this.elems.entries()]) this.remove(hex, e, 'now');
    this.endOfRun();
  }

  override endOfRun(): void {
    this.spare.push(...this.pending);
    this.pending = [];
  }

  count(): number {
    return this.elems.size;
  }

  protected positions(): number {
    return this.elems.size;
  }

  protected positionOf(key: Uint8Array): number | undefined {
    const hex = toHex(key);
    if (!this.elems.has(hex)) return undefined;
    let at = 0;
    for (const k of this.elems.keys()) {
      if (k === hex) return at;
      at++;
    }
    return undefined;
  }

  /** The elements in the map's order (LRU: least recently used first) from position `start`. */
  protected *walk(start: number): Iterable<readonly [number, Elem]> {
    let at = 0;
    for (const e of this.elems.values()) {
      if (at >= start) yield [at, e];
      at++;
    }
  }

  entryView(e: Elem, limits: ValueLimits): MapEntryView {
    const values: string[] = [];
    const kptrs: KptrView[] = [];
    const shown = Math.min(this.copies, limits.cpus);
    for (let cpu = 0; cpu < shown; cpu++) {
      const off = this.valueOffset(e, cpu);
      values.push(this.valueHex(off, limits));
      kptrs.push(...this.kptrViews(off, this.percpu ? cpu : undefined));
    }
    return { key: toHex(e.key), value: this.percpu ? values : (values[0] ?? ''), ...(this.decl.kptrs.length ? { kptrs } : {}), ...this.cutFields(limits, this.percpu ? this.copies : 1) };
  }

  /** An element's region starts with its key. */
  override entryNameAt(offset: number): string | undefined {
    const region = this.ctx.mem.regionAt(offset);
    return region ? toHex(this.ctx.mem.bytes.subarray(region.start, region.start + this.decl.keySize)) : undefined;
  }

  free(): void {
    for (const e of this.elems.values()) for (let cpu = 0; cpu < this.copies; cpu++) this.dropKptrs(this.valueOffset(e, cpu));
    this.elems.clear();
    for (const r of this.all) {
      this.ctx.mem.free(r);
      this.ctx.memory.give(footprint(r.size));
    }
    this.all.length = 0;
    this.ctx.mem.free(this.header);
  }
}
