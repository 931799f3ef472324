// The maps bpf_redirect_map sends packets through: DEVMAP and DEVMAP_HASH (kernel/bpf/devmap.c:
// struct bpf_devmap_val {u32 ifindex; union {int fd; u32 id} bpf_prog}), CPUMAP (cpumap.c:
// struct bpf_cpumap_val {u32 qsize; union {int fd; u32 id} bpf_prog}) and XSKMAP (xskmap.c:
// AF_XDP sockets; until the NIC registers sockets an entry holds the socket's queue id).
// Entries live in read-only 8-byte slots (one region for the array kinds, a region per entry for
// devmap_hash), so a devmap or xskmap lookup from a program returns a real pointer, as the
// kernel's does (devmap forces BPF_F_RDONLY_PROG).

import type { MapDecl } from '../../program/program.ts';
import { PERM_READ, type Region } from '../../vm/index.ts';
import { NR_CPUS } from '../profiles.ts';
import { ERRNO } from '../services.ts';
import { leBytes, toHex, u32At } from './hex.ts';
import { DEVMAP_HASH_MAX_ENTRIES, footprint } from './limits.ts';
import { MapBase, sizeRule } from './map-base.ts';
import { BPF_EXIST, BPF_NOEXIST, ENODEV, EOVERFLOW, MAP_FLAG, type InitialEntry, type MapContext, type MapEntryView, type ValueLimits } from './types.ts';

/** What an entry of a redirect map sends packets to. */
export type RedirectEntry =
  | { readonly kind: 'dev'; readonly ifindex: number; readonly progId: number }
  | { readonly kind: 'cpu'; readonly cpu: number; readonly qsize: number; readonly progId: number }
  | { readonly kind: 'xsk'; readonly queue: number };

/** cpumap.c: "sanity limit on qsize". */
const MAX_QSIZE = 16384;
const SLOT = 8;

/** dev_map_init_map (devmap.c), cpu_map_alloc (cpumap.c), xsk_map_alloc (xskmap.c). */
export function checkRedirectDecl(decl: MapDecl): string | undefined {
  const base = MAP_FLAG.NUMA_NODE | MAP_FLAG.RDONLY | MAP_FLAG.WRONLY;
  switch (decl.type) {
    case 'devmap':
    case 'devmap_hash': {
      const r = sizeRule(decl, { key: [4], value: [4, 8], flags: base, what: `${decl.type} maps (value: ifindex, or struct bpf_devmap_val)` });
      if (r) return r;
      return decl.type === 'devmap_hash' && decl.maxEntries > DEVMAP_HASH_MAX_ENTRIES ? `map '${decl.name}' (devmap_hash): max_entries=${decl.maxEntries} is more than 2^31, whose power-of-two bucket count overflows (-EINVAL)` : undefined;
    }
    case 'cpumap': {
      const r = sizeRule(decl, { key: [4], value: [4, 8], flags: MAP_FLAG.NUMA_NODE, what: 'cpumap maps (value: qsize, or struct bpf_cpumap_val)' });
      if (r) return r;
      return decl.maxEntries > NR_CPUS ? `map '${decl.name}' (cpumap): max_entries ${decl.maxEntries} is more than NR_CPUS (${NR_CPUS}) (-E2BIG)` : undefined;
    }
    default:
      return sizeRule(decl, { key: [4], value: [4], flags: base, what: 'xskmap maps (value: an AF_XDP socket)' });
  }
}

/** Guest memory a redirect map maps up front: the array kinds' slot per index (the kernel's pointer array); devmap_hash maps a slot per entry as it is inserted. */
export function redirectBytes(decl: MapDecl): number {
  return decl.type === 'devmap_hash' ? 0 : footprint(decl.maxEntries * SLOT);
}

/** A shown entry: its key and its slot. */
type Shown = readonly [key: number, slot: number];

export class RedirectMap extends MapBase<Shown> {
  /** Array kinds: one slot per index, in one region. */
  private readonly slots: Region | undefined;
  /** devmap_hash: one region per slot, mapped as entries arrive and reused after a delete. */
  private readonly slotRegions: Region[] = [];
  private readonly freeSlots: number[] = [];
  /** The entry in each slot. */
  private readonly entries: (RedirectEntry | undefined)[];
  /** devmap_hash: key → slot, in insertion order. */
  private readonly byKey = new Map<number, number>();
  /** Entries held. */
  private held = 0;

  /** devmap or devmap_hash: bpf_redirect_map takes BPF_F_BROADCAST and BPF_F_EXCLUDE_INGRESS (fields: read per packet). */
  readonly toDevices: boolean;
  private readonly hashed: boolean;

  constructor(ctx: MapContext, decl: MapDecl, index: number) {
    super(ctx, decl, index);
    this.toDevices = decl.type === 'devmap' || decl.type === 'devmap_hash';
    this.hashed = decl.type === 'devmap_hash';
    this.entries = this.hashed ? [] : new Array<RedirectEntry | undefined>(decl.maxEntries).fill(undefined);
    this.slots = this.hashed ? undefined : ctx.mem.map(`map ${decl.name} entries`, 'map-value', decl.maxEntries * SLOT, PERM_READ);
  }

  private slotOf(key: number): number | undefined {
    if (this.hashed) return this.byKey.get(key);
    return key < this.decl.maxEntries ? key : undefined;
  }

  /** Arena offset of a slot. */
  private slotAt(slot: number): number {
    return this.slots ? this.slots.start + slot * SLOT : (this.slotRegions[slot]?.start ?? 0);
  }

  override asRedirect(): RedirectMap {
    return this;
  }

  /** The target at `key` (u32, as __bpf_xdp_redirect_map's lookup takes it), or undefined. */
  redirectTarget(key: number): RedirectEntry | undefined {
    const slot = this.slotOf(key >>> 0);
    return slot === undefined ? undefined : this.entries[slot];
  }

  override lookup(key: Uint8Array): bigint {
    const slot = this.slotOf(u32At(key));
    if (slot === undefined || !this.entries[slot]) return 0n;
    return this.pointer(this.slotAt(slot));
  }

  private set(slot: number, entry: RedirectEntry | undefined): void {
    this.held += (entry ? 1 : 0) - (this.entries[slot] ? 1 : 0);
    this.entries[slot] = entry;
    this.generation++;
    const dv = this.ctx.mem.dv;
    const at = this.slotAt(slot);
    const [a, b] = !entry ? [0, 0] : entry.kind === 'dev' ? [entry.ifindex, entry.progId] : entry.kind === 'cpu' ? [entry.qsize, entry.progId] : [entry.queue, 0];
    dv.setUint32(at, a >>> 0, true);
    dv.setUint32(at + 4, b >>> 0, true);
  }

  /** devmap_hash: a free slot, mapped now if none is left over; undefined past the maps' memory. */
  private newSlot(): number | undefined {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    if (!this.ctx.memory.take(footprint(SLOT))) return undefined;
    this.slotRegions.push(this.ctx.mem.map(`map ${this.decl.name} entry`, 'map-value', SLOT, PERM_READ));
    this.entries.push(undefined);
    return this.slotRegions.length - 1;
  }

  override update(keyBytes: Uint8Array, value: Uint8Array, flags: bigint): number {
    const key = u32At(keyBytes);
    const first = u32At(value);
    // The program half of the value (bpf_prog.fd): attaching programs to entries is not simulated.
    const progFd = value.length >= 8 ? u32At(value, 4) | 0 : 0;
    if (this.hashed) {
      // __dev_map_hash_update_elem
      if (flags > BPF_EXIST || first === 0) return -ERRNO.EINVAL;
      const old = this.byKey.get(key);
      if (old !== undefined && flags & BPF_NOEXIST) return -ERRNO.EEXIST;
      if (progFd > 0) return -ERRNO.EINVAL;
      let slot = old;
      if (slot === undefined) {
        if (this.byKey.size >= this.decl.maxEntries) return -ERRNO.E2BIG;
        slot = this.newSlot();
        if (slot === undefined) return -ERRNO.ENOMEM;
        this.byKey.set(key, slot);
      }
      this.set(slot, { kind: 'dev', ifindex: first, progId: 0 });
      return 0;
    }
    // __dev_map_update_elem, cpu_map_update_elem and xsk_map_update_elem share these checks.
    if (flags > BPF_EXIST) return -ERRNO.EINVAL;
    if (key >= this.decl.maxEntries) return -ERRNO.E2BIG;
    if (flags === BPF_NOEXIST) return -ERRNO.EEXIST;
    switch (this.decl.type) {
      case 'devmap':
        // ifindex 0 empties the slot; a program fd with it is refused.
        if (progFd > 0) return -ERRNO.EINVAL;
        this.set(key, first === 0 ? undefined : { kind: 'dev', ifindex: first, progId: 0 });
        return 0;
      case 'cpumap':
        if (first > MAX_QSIZE) return -EOVERFLOW;
        if (key >= this.ctx.nrCpus) return -ENODEV;
        if (progFd > 0) return -ERRNO.EINVAL;
        // qsize 0 is "same as deleting".
        this.set(key, first === 0 ? undefined : { kind: 'cpu', cpu: key, qsize: first, progId: 0 });
        return 0;
      default:
        this.set(key, { kind: 'xsk', queue: first });
        return 0;
    }
  }

  override delete(keyBytes: Uint8Array): number {
    const key = u32At(keyBytes);
    if (this.hashed) {
      const slot = this.byKey.get(key);
      if (slot === undefined) return -ERRNO.ENOENT;
      this.byKey.delete(key);
      this.set(slot, undefined);
      this.freeSlots.push(slot);
      return 0;
    }
    if (key >= this.decl.maxEntries) return -ERRNO.EINVAL;
    this.set(key, undefined);
    return 0;
  }

  *keys(): Generator<Uint8Array> {
    if (this.hashed) for (const k of this.byKey.keys()) yield leBytes(k, 4);
    else for (let i = 0; i < this.decl.maxEntries; i++) yield leBytes(i, 4);
  }

  /** Entries held (the xskmap the NIC fills when the program left it empty). */
  get size(): number {
    return this.held;
  }

  load(entry: InitialEntry): string | undefined {
    const value = entry.values[0] ?? new Uint8Array(this.decl.valueSize);
    const key = u32At(entry.key);
    if (this.hashed && this.byKey.has(key)) return `${entry.where}: key ${key} appears twice`;
    const first = u32At(value);
    const progFd = value.length >= 8 ? u32At(value, 4) : 0;
    // The kernel accepts these and stores nothing: an entry that would vanish is refused here, so none does silently.
    if (first === 0 && progFd === 0 && key < this.decl.maxEntries) {
      if (this.decl.type === 'devmap') return `${entry.where}: ifindex 0 stores nothing — the kernel takes it as emptying slot ${key} (__dev_map_update_elem, kernel/bpf/devmap.c, stores NULL and returns 0); give the ifindex of a device (eth0 is 2, veth0 3) or leave the entry out`;
      if (this.decl.type === 'cpumap' && key < this.ctx.nrCpus) return `${entry.where}: qsize 0 stores nothing — the kernel takes it as deleting CPU ${key}'s entry (cpu_map_update_elem, kernel/bpf/cpumap.c); give a qsize from 1 to ${MAX_QSIZE} or leave the entry out`;
    }
    const r = this.update(entry.key, value, 0n);
    if (r === 0) return undefined;
    const what = this.decl.type === 'cpumap' ? 'qsize' : this.decl.type === 'xskmap' ? 'queue id' : 'ifindex';
    if (r === -ERRNO.E2BIG) return `${entry.where}: ${this.hashed ? `the map is full (max_entries ${this.decl.maxEntries})` : `index ${key} is out of range (max_entries ${this.decl.maxEntries})`}`;
    if (r === -ERRNO.ENOMEM) return `${entry.where}: ${this.ctx.memory.fullText}`;
    if (r === -EOVERFLOW) return `${entry.where}: qsize ${first} is more than ${MAX_QSIZE} (-EOVERFLOW)`;
    if (r === -ENODEV) return `${entry.where}: CPU ${key} does not exist (${this.ctx.nrCpus} CPUs) (-ENODEV)`;
    if (progFd !== 0) return `${entry.where}: programs on ${this.decl.type} entries (bpf_prog.fd) are not simulated; leave the second u32 zero`;
    return `${entry.where}: the ${what} must not be 0 (-EINVAL)`;
  }

  clear(): void {
    this.byKey.clear();
    if (this.slots) {
      this.entries.fill(undefined);
      this.held = 0;
      this.generation++;
      this.ctx.mem.bytes.fill(0, this.slots.start, this.slots.start + this.slots.size);
      return;
    }
    this.freeSlots.length = 0;
    for (let i = this.slotRegions.length - 1; i >= 0; i--) {
      this.set(i, undefined);
      this.freeSlots.push(i);
    }
  }

  count(): number {
    return this.held;
  }

  protected positions(): number {
    return this.hashed ? this.byKey.size : this.decl.maxEntries;
  }

  protected positionOf(keyBytes: Uint8Array): number | undefined {
    const key = u32At(keyBytes);
    if (!this.hashed) return key < this.decl.maxEntries ? key : undefined;
    let at = 0;
    for (const k of this.byKey.keys()) {
      if (k === key) return at;
      at++;
    }
    return undefined;
  }

  /** Array kinds: the filled slots from index `start`; devmap_hash: the keys in insertion order. */
  protected *walk(start: number): Iterable<readonly [number, Shown]> {
    if (this.hashed) {
      let at = 0;
      for (const [key, slot] of this.byKey) {
        if (at >= start) yield [at, [key, slot]];
        at++;
      }
      return;
    }
    for (let i = start; i < this.entries.length; i++) if (this.entries[i]) yield [i, [i, i]];
  }

  entryView([key, slot]: Shown, limits: ValueLimits): MapEntryView {
    return { key: toHex(leBytes(key, 4)), index: key, value: this.valueHex(this.slotAt(slot), limits), ...this.cutFields(limits, 1) };
  }

  free(): void {
    this.clear();
    if (this.slots) this.ctx.mem.free(this.slots);
    for (const r of this.slotRegions) {
      this.ctx.mem.free(r);
      this.ctx.memory.give(footprint(r.size));
    }
    this.ctx.mem.free(this.header);
  }
}
