// What all map types share: the read-only header a map pointer points at (standing in for
// struct bpf_map), the guest addresses of values, and the kptr rules — an update copies a value
// but not its kptr slots and then releases what the slots held (copy_map_value followed by
// bpf_obj_free_fields in kernel/bpf/arraymap.c and hashtab.c) — and how a map is shown: whole
// (the command line) or one page at a time with values cut short (the playground), both built
// entry by entry by the same `entryView`.

import type { MapDecl, MapType } from '../../program/program.ts';
import { PERM_READ, PERM_WRITE, type Region } from '../../vm/index.ts';
import { ERRNO } from '../services.ts';
import { pointerHex, toHex } from './hex.ts';
import type { RedirectMap } from './redirect-maps.ts';
import {
  MAP_FLAG,
  MAP_TYPE_IDS,
  WHOLE_VALUES,
  type BpfMap,
  type ForEachEntry,
  type InitialEntry,
  type KptrView,
  type MapContext,
  type MapEntryView,
  type MapPage,
  type MapView,
  type PageRequest,
  type ValueLimits,
} from './types.ts';

/**
 * The header's layout (a compact stand-in for struct bpf_map): map_type @0, key_size @4,
 * value_size @8, max_entries @12, map_flags @16, id @20, name[16] @24.
 */
export const MAP_HEADER_SIZE = 40;

/** round_up(n, 8) in plain arithmetic: value sizes reach INT_MAX, past what 32-bit bit operations hold. */
export function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/**
 * The common part of every map type. `H` is what a map's walk hands to `entryView` for one
 * entry (an index, a hash element), so a page builds the views of the entries it shows and no others.
 */
export abstract class MapBase<H = number> implements BpfMap {
  readonly header: Region;
  generation = 0;
  /**
   * Pointers into values are out (a lookup, for_each, a global-data address): the program may
   * write values without the map seeing it, so every stop counts as a change until the run ends.
   */
  protected exposed = false;

  constructor(
    protected readonly ctx: MapContext,
    readonly decl: MapDecl,
    readonly index: number,
  ) {
    this.header = ctx.mem.map(`struct bpf_map ${decl.name}`, 'kernel-object', MAP_HEADER_SIZE, PERM_READ);
    const dv = ctx.mem.dv;
    const at = this.header.start;
    const typeId = Object.hasOwn(MAP_TYPE_IDS, decl.type) ? MAP_TYPE_IDS[decl.type] : 0;
    [typeId, decl.keySize, decl.valueSize, decl.maxEntries, decl.flags, index + 1].forEach((v, i) => dv.setUint32(at + i * 4, v >>> 0, true));
    ctx.mem.bytes.set(new TextEncoder().encode(decl.name).subarray(0, 15), at + 24);
  }

  get name(): string {
    return this.decl.name;
  }
  get type(): MapType {
    return this.decl.type;
  }

  /** Guest address (u64) of an arena offset. */
  protected pointer(offset: number): bigint {
    const a = this.ctx.mem.address(offset);
    return (BigInt(a.hi >>> 0) << 32n) | BigInt(a.lo >>> 0);
  }

  lookup(_key: Uint8Array): bigint {
    return 0n;
  }
  update(_key: Uint8Array, _value: Uint8Array, _flags: bigint): number {
    return -ERRNO.EINVAL;
  }
  delete(_key: Uint8Array): number {
    return -ERRNO.EINVAL;
  }
  forEachEntries(): Iterable<ForEachEntry> | undefined {
    return undefined;
  }
  endOfRun(): void {}
  asRedirect(): RedirectMap | undefined {
    return undefined;
  }

  abstract keys(): Iterable<Uint8Array>;
  abstract load(entry: InitialEntry): string | undefined;
  abstract clear(): void;
  abstract free(): void;
  abstract count(): number;
  /** Positions a page can start at (max_entries for arrays, the elements held for hash maps). */
  protected abstract positions(): number;
  /** The entries worth showing from position `start` on, in order, with their positions. */
  protected abstract walk(start: number): Iterable<readonly [number, H]>;
  /** The position of the entry with this key, when the map holds it. */
  protected abstract positionOf(key: Uint8Array): number | undefined;
  /** The view of one entry the walk gave, its values cut to `limits`. */
  abstract entryView(entry: H, limits: ValueLimits): MapEntryView;

  markChanged(): void {
    this.generation++;
  }

  /** A stop: values reachable through pointers the program holds may have changed. */
  settle(running: boolean): void {
    if (!this.exposed) return;
    this.generation++;
    if (!running) this.exposed = false;
  }

  entryNameAt(_offset: number): string | undefined {
    return undefined;
  }

  view(): MapView {
    const entries: MapEntryView[] = [];
    for (const [, entry] of this.walk(0)) entries.push(this.entryView(entry, WHOLE_VALUES));
    return this.viewOf(entries, this.count());
  }

  page(request: PageRequest): MapPage {
    const positions = this.positions();
    let start = Math.max(0, Math.floor(request.start ?? 0));
    if (request.key) {
      const at = this.positionOf(request.key);
      if (at === undefined) return { start: 0, entries: [], positions, missing: true };
      start = at;
    }
    const entries: MapEntryView[] = [];
    let next: number | undefined;
    for (const [at, entry] of this.walk(start)) {
      if (entries.length >= request.limit) {
        next = at;
        break;
      }
      entries.push(this.entryView(entry, request));
    }
    return { start, entries, positions, ...(next === undefined ? {} : { next }) };
  }

  /**
   * The value at arena offset `off` in hex, cut to `limits.valueBytes`. Its kptr fields read as
   * zero, as a lookup from user space reads them (bpf_map_copy_value: copy_map_value skips the
   * special fields and check_and_init_map_value zeroes them); the kptr column names the object.
   */
  protected valueHex(off: number, limits: ValueLimits): string {
    const shown = Math.min(this.decl.valueSize, limits.valueBytes);
    const bytes = this.ctx.mem.bytes.subarray(off, off + shown);
    if (this.decl.kptrs.length === 0) return toHex(bytes);
    const copy = bytes.slice();
    for (const k of this.decl.kptrs) if (k.offset < shown) copy.fill(0, k.offset, Math.min(shown, k.offset + 8));
    return toHex(copy);
  }

  /** An all-zero value in hex, cut as valueHex cuts (a per-CPU copy never written). */
  protected zeroHex(limits: ValueLimits): string {
    return '00'.repeat(Math.min(this.decl.valueSize, limits.valueBytes));
  }

  /** The fields a cut entry view adds: the value's whole length, the number of per-CPU copies. */
  protected cutFields(limits: ValueLimits, copies: number): Pick<MapEntryView, 'valueLength' | 'cpuCount'> {
    return {
      ...(this.decl.valueSize > limits.valueBytes ? { valueLength: this.decl.valueSize } : {}),
      ...(copies > limits.cpus ? { cpuCount: copies } : {}),
    };
  }

  /** Permissions of value memory: BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG as the verifier enforces them. */
  protected valuePerms(): number {
    if (this.decl.flags & MAP_FLAG.RDONLY_PROG) return PERM_READ;
    if (this.decl.flags & MAP_FLAG.WRONLY_PROG) return PERM_WRITE;
    return PERM_READ | PERM_WRITE;
  }

  /** Maps a zeroed region of values and registers it with the set (for bpf_kptr_xchg). */
  protected mapValues(label: string, first: number, stride: number, count: number, perms = this.valuePerms()): Region {
    const region = this.ctx.mem.map(label, 'map-value', first + stride * count, perms);
    this.ctx.own(region, this, { first, stride, count });
    return region;
  }

  /** copy_map_value: the value's bytes, except its kptr slots, into the value at `off`. */
  protected writeValue(off: number, value: Uint8Array): void {
    const bytes = this.ctx.mem.bytes;
    const size = Math.min(value.length, this.decl.valueSize);
    if (!this.decl.kptrs.length) {
      bytes.set(value.subarray(0, size), off);
      return;
    }
    // The bytes between the kptr slots, slot by slot (at most BTF_FIELDS_MAX of them).
    let from = 0;
    for (const k of [...this.decl.kptrs].sort((a, b) => a.offset - b.offset)) {
      if (k.offset > from) bytes.set(value.subarray(from, Math.min(k.offset, size)), off + from);
      from = Math.max(from, k.offset + 8);
      if (from >= size) return;
    }
    bytes.set(value.subarray(from, size), off + from);
  }

  /** bpf_obj_free_fields: every kptr slot of the value at `off` becomes NULL; its object goes to the dtor. */
  protected dropKptrs(off: number): void {
    for (const k of this.decl.kptrs) {
      const ptr = this.ctx.mem.dv.getBigUint64(off + k.offset, true);
      if (ptr === 0n) continue;
      this.ctx.setKptr(off + k.offset, 0n);
      this.ctx.dropKptr(ptr, this.decl.name);
    }
  }

  protected kptrViews(off: number, cpu?: number): KptrView[] {
    return this.decl.kptrs.map((k) => {
      const ptr = this.ctx.mem.dv.getBigUint64(off + k.offset, true);
      const object = ptr === 0n ? undefined : this.ctx.describeKptr?.(ptr);
      return { offset: k.offset, ...(cpu === undefined ? {} : { cpu }), ptr: ptr === 0n ? null : pointerHex(ptr), ...(object === undefined ? {} : { object }) };
    });
  }

  protected viewOf(entries: MapEntryView[], count: number, extra: Partial<Pick<MapView, 'omitted' | 'ringbuf'>> = {}): MapView {
    const d = this.decl;
    return { name: d.name, type: d.type, keySize: d.keySize, valueSize: d.valueSize, maxEntries: d.maxEntries, entries, count, ...extra };
  }
}

/** Errors of a declaration the kernel would refuse at BPF_MAP_CREATE, named for the learner. */
export function sizeRule(decl: MapDecl, rule: { key?: readonly number[]; value?: readonly number[]; flags: number; what: string }): string | undefined {
  const where = `map '${decl.name}' (${decl.type})`;
  if (rule.key && !rule.key.includes(decl.keySize)) return `${where}: key=${decl.keySize} is refused; ${rule.what} need key=${rule.key.join(' or ')} (BPF_MAP_CREATE fails with -EINVAL)`;
  if (rule.value && !rule.value.includes(decl.valueSize)) return `${where}: value=${decl.valueSize} is refused; ${rule.what} need value=${rule.value.join(' or ')} (BPF_MAP_CREATE fails with -EINVAL)`;
  if (decl.maxEntries === 0) return `${where}: max_entries must be at least 1`;
  const bad = decl.flags & ~rule.flags;
  if (bad) return `${where}: flags 0x${bad.toString(16)} are not allowed for ${rule.what} (BPF_MAP_CREATE fails with -EINVAL)`;
  if ((decl.flags & MAP_FLAG.RDONLY_PROG) && (decl.flags & MAP_FLAG.WRONLY_PROG)) return `${where}: BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together are refused`;
  if (decl.kptrs.length && !['hash', 'array', 'percpu_hash', 'percpu_array', 'lru_hash', 'lru_percpu_hash'].includes(decl.type)) {
    return `${where}: kptr fields are only supported in hash and array maps (and their per-CPU and LRU variants)`;
  }
  return undefined;
}
