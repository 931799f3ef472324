// The maps of one loaded program, in declaration order (the index is the imm of `r1 = MAP ll`):
// built from the program's `.map` declarations, checked as BPF_MAP_CREATE would check them,
// filled from the initial-contents contract, and shown as plain data. Helpers find a map from
// the pointer in r1, a kptr slot from any pointer into a value, a ring buffer from a sample.

import type { KptrField, MapDecl } from '../../program/program.ts';
import { PERM_READ, type GuestMemory, type Region } from '../../vm/index.ts';
import { ArrayMap, arrayBytes, checkArrayDecl } from './array-map.ts';
import { checkHashDecl, HashMap } from './hash-map.ts';
import { MAX_CONTENT_ERRORS, parseContents } from './initial-contents.ts';
import { bytesText, footprint, MapMemory, shapeProblem } from './limits.ts';
import { MAP_HEADER_SIZE, MapBase } from './map-base.ts';
import { checkProgArrayDecl, ProgArrayMap } from './prog-array.ts';
import { checkRedirectDecl, redirectBytes, RedirectMap } from './redirect-maps.ts';
import { checkRingbufDecl, ringbufBytes, RingbufMap, type OutstandingRecord } from './ringbuf-map.ts';
import type { BpfMap, InitialEntry, MapContext, MapEntryView, MapPage, MapSetOptions, MapView, PageRequest, ValueLayout } from './types.ts';

export type { BpfMap, MapEntryView, MapPage, MapSetOptions, MapView, KptrView, PageRequest, RingbufView, ForEachEntry, ValueLimits } from './types.ts';
export { WHOLE_VALUES } from './types.ts';
export { parseKey } from './initial-contents.ts';
export type { OutstandingRecord } from './ringbuf-map.ts';
export type { RedirectEntry } from './redirect-maps.ts';
export { ArrayMap, HashMap, ProgArrayMap, RedirectMap, RingbufMap };
export { MAP_MEMORY_BUDGET } from './limits.ts';

/** A refused declaration as plain fields (it may have arrived malformed, over the worker boundary). */
function refusedDecl(decl: MapDecl): MapDecl {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    name: typeof decl.name === 'string' ? decl.name : '',
    type: typeof decl.type === 'string' ? decl.type : ('' as MapDecl['type']),
    keySize: num(decl.keySize),
    valueSize: num(decl.valueSize),
    maxEntries: num(decl.maxEntries),
    flags: num(decl.flags),
    kptrs: [],
    line: num(decl.line),
  };
}

/** Stands in for a map the kernel would refuse to create, so later maps keep their index. */
class RefusedMap extends MapBase<never> {
  keys(): Uint8Array[] {
    return [];
  }
  load(entry: InitialEntry): string | undefined {
    return `${entry.where}: the map was not created`;
  }
  clear(): void {}
  count(): number {
    return 0;
  }
  protected positions(): number {
    return 0;
  }
  protected positionOf(): undefined {
    return undefined;
  }
  protected *walk(): Iterable<readonly [number, never]> {}
  entryView(entry: never): MapEntryView {
    return entry;
  }
  free(): void {
    this.ctx.mem.free(this.header);
  }
}

function checkDecl(decl: MapDecl): string | undefined {
  switch (decl.type) {
    case 'array':
    case 'percpu_array':
      return checkArrayDecl(decl);
    case 'hash':
    case 'lru_hash':
    case 'percpu_hash':
    case 'lru_percpu_hash':
      return checkHashDecl(decl);
    case 'prog_array':
      return checkProgArrayDecl(decl);
    case 'ringbuf':
      return checkRingbufDecl(decl);
    case 'devmap':
    case 'devmap_hash':
    case 'cpumap':
    case 'xskmap':
      return checkRedirectDecl(decl);
  }
}

/**
 * Guest memory a declaration maps when it is created (arrays, rings and the redirect arrays);
 * hash maps and devmap_hash map their elements as they are inserted, so declaring any size the
 * kernel allows costs nothing up front. Checked only after the kernel's own rules passed.
 */
function upfrontBytes(decl: MapDecl, nrCpus: number): number {
  const header = footprint(MAP_HEADER_SIZE);
  switch (decl.type) {
    case 'array':
    case 'percpu_array':
      return header + arrayBytes(decl, nrCpus);
    case 'ringbuf':
      return header + ringbufBytes(decl);
    case 'devmap':
    case 'devmap_hash':
    case 'cpumap':
    case 'xskmap':
      return header + redirectBytes(decl);
    default:
      return header;
  }
}

/** The field to lower when a declaration does not fit the maps' memory. */
function budgetProblem(decl: MapDecl, bytes: number, memory: MapMemory, nrCpus: number): string {
  const used = memory.used > 0 ? `; the maps declared before it take ${bytesText(memory.used)}` : '';
  const what =
    decl.type === 'ringbuf'
      ? `a ring of max_entries=${decl.maxEntries} bytes (mapped twice, as the kernel maps its pages)`
      : decl.type === 'array' || decl.type === 'percpu_array'
        ? `max_entries=${decl.maxEntries} values of value=${decl.valueSize} bytes${decl.type === 'percpu_array' ? ` on each of ${nrCpus} CPUs` : ''}`
        : `max_entries=${decl.maxEntries} slots of 8 bytes`;
  const lower = decl.type === 'array' || decl.type === 'percpu_array' ? 'lower max_entries or value' : 'lower max_entries';
  return `map '${decl.name}' (${decl.type}): ${what} take ${bytesText(bytes)} of guest memory, more than the ${bytesText(memory.budget)} the playground gives all maps together${used}; ${lower}`;
}

function createMap(ctx: MapContext, decl: MapDecl, index: number): BpfMap {
  switch (decl.type) {
    case 'array':
    case 'percpu_array':
      return new ArrayMap(ctx, decl, index);
    case 'hash':
    case 'lru_hash':
    case 'percpu_hash':
    case 'lru_percpu_hash':
      return new HashMap(ctx, decl, index);
    case 'prog_array':
      return new ProgArrayMap(ctx, decl, index);
    case 'ringbuf':
      return new RingbufMap(ctx, decl, index);
    case 'devmap':
    case 'devmap_hash':
    case 'cpumap':
    case 'xskmap':
      return new RedirectMap(ctx, decl, index);
  }
}

/** A kptr slot inside a map value, as bpf_kptr_xchg finds it. */
export interface KptrSlot {
  readonly map: BpfMap;
  /** Arena offset of the 8-byte slot. */
  readonly offset: number;
  readonly field: KptrField;
}

interface Owned {
  readonly map: BpfMap;
  readonly region: Region;
  readonly layout: ValueLayout;
}

export class MapSet {
  readonly maps: readonly BpfMap[];
  /** Declarations the kernel would refuse (BPF_MAP_CREATE errors): the loader must not run the program. */
  readonly errors: readonly string[];
  /** The source line of each refused declaration, in the order of `errors`. */
  readonly errorLines: readonly number[];
  /** The guest memory budget all these maps share. */
  readonly memory: MapMemory;
  private readonly owned = new Map<number, Owned>();
  /** The first map of each name (names come from the user: a Map, so "__proto__" is one too). */
  private readonly byNames = new Map<string, BpfMap>();
  private readonly headers = new Map<number, BpfMap>();
  /** Arena offsets of the kptr slots that hold an object, with the pointer: who holds what, without walking the maps. */
  private readonly kptrs = new Map<number, bigint>();
  /** Read-only key buffers for bpf_for_each_map_elem on arrays, one per nesting level. */
  private readonly scratch: Region[] = [];
  private forEachDepth = 0;

  constructor(
    private readonly mem: GuestMemory,
    decls: readonly MapDecl[],
    private readonly options: MapSetOptions,
  ) {
    this.memory = new MapMemory(options.memoryBudget);
    const ctx: MapContext = {
      ...options,
      mem,
      memory: this.memory,
      own: (region, map, layout) => this.owned.set(region.id, { map, region, layout }),
      setKptr: (offset, ptr) => this.setKptr(offset, ptr),
    };
    const errors: string[] = [];
    const errorLines: number[] = [];
    this.maps = decls.map((decl, index) => {
      // The shape first: no rule below may read a field that is not what union bpf_attr holds.
      let problem = shapeProblem(decl) ?? checkDecl(decl);
      if (!problem) {
        const bytes = upfrontBytes(decl, options.nrCpus);
        if (!this.memory.take(bytes)) problem = budgetProblem(decl, bytes, this.memory, options.nrCpus);
      }
      if (problem) {
        errors.push(problem);
        errorLines.push(typeof decl.line === 'number' && Number.isInteger(decl.line) && decl.line > 0 ? decl.line : 0);
      }
      const map = problem ? new RefusedMap(ctx, refusedDecl(decl), index) : createMap(ctx, decl, index);
      this.headers.set(map.header.start, map);
      if (typeof decl.name === 'string' && !this.byNames.has(decl.name)) this.byNames.set(decl.name, map);
      return map;
    });
    this.errors = errors;
    this.errorLines = errorLines;
  }

  /** The guest address of map `index` (what `r1 = MAP ll` loads), 0n for no such map. */
  pointerOf(index: number): bigint {
    const map = this.maps[index];
    if (!map) return 0n;
    const a = this.mem.addressOf(map.header);
    return (BigInt(a.hi >>> 0) << 32n) | BigInt(a.lo >>> 0);
  }

  /** BPF_PSEUDO_MAP_VALUE: the address `offset` bytes into the value of a one-element array (global data). */
  valuePointer(index: number, offset: number): bigint | undefined {
    const map = this.maps[index];
    return map instanceof ArrayMap ? map.directValue(offset) : undefined;
  }

  /** The map a helper's map argument points to. */
  byPointer(lo: number, hi: number): BpfMap | undefined {
    const off = this.mem.offsetOf(lo, hi);
    if (off < 0) return undefined;
    // A call site passes the same map packet after packet: the last answer first.
    if (off === this.lastHeader && this.lastMap !== undefined) return this.lastMap;
    const map = this.headers.get(off);
    this.lastHeader = off;
    this.lastMap = map;
    return map;
  }
  private lastHeader = -1;
  private lastMap: BpfMap | undefined;

  byName(name: string): BpfMap | undefined {
    return this.byNames.get(name);
  }

  /** The kptr slot a pointer points at, or undefined when it is not the start of one. */
  kptrSlot(lo: number, hi: number): KptrSlot | undefined {
    const off = this.mem.offsetOf(lo, hi);
    const region = off < 0 ? undefined : this.mem.regionAt(off);
    const owned = region ? this.owned.get(region.id) : undefined;
    if (!owned) return undefined;
    const rel = off - owned.region.start - owned.layout.first;
    if (rel < 0 || Math.floor(rel / owned.layout.stride) >= owned.layout.count) return undefined;
    const field = owned.map.decl.kptrs.find((k) => k.offset === rel % owned.layout.stride);
    return field ? { map: owned.map, offset: off, field } : undefined;
  }

  /** Stores a kptr slot; the map it belongs to counts a change. */
  private setKptr(offset: number, ptr: bigint): void {
    this.mem.dv.setBigUint64(offset, ptr, true);
    if (ptr === 0n) this.kptrs.delete(offset);
    else this.kptrs.set(offset, ptr);
    const region = this.mem.regionAt(offset);
    if (region) this.owned.get(region.id)?.map.markChanged();
  }

  /** bpf_kptr_xchg's store: `next` into the slot; the pointer it held before. */
  exchangeKptr(slot: KptrSlot, next: bigint): bigint {
    const old = this.mem.dv.getBigUint64(slot.offset, true);
    this.setKptr(slot.offset, next);
    return old;
  }

  /** Every kptr slot that holds an object: the object's address and the slot as `map[entry]`. */
  *kptrHolders(): Iterable<{ readonly ptr: bigint; readonly holder: string }> {
    for (const [offset, ptr] of this.kptrs) {
      const region = this.mem.regionAt(offset);
      const map = region ? this.owned.get(region.id)?.map : undefined;
      if (map) yield { ptr, holder: `${map.name}[${map.entryNameAt(offset) ?? '?'}]` };
    }
  }

  /** A stop of the program: see BpfMap.settle. */
  settle(running: boolean): void {
    for (const m of this.maps) m.settle(running);
  }

  /** A page of map `name`, or undefined when there is no such map. */
  page(name: string, request: PageRequest): MapPage | undefined {
    return this.byName(name)?.page(request);
  }

  /** The ring buffer whose data a pointer points into, with the arena offset. */
  ringbufAt(lo: number, hi: number): { map: RingbufMap; offset: number } | undefined {
    const off = this.mem.offsetOf(lo, hi);
    if (off < 0) return undefined;
    for (const m of this.maps) if (m instanceof RingbufMap && m.holds(off)) return { map: m, offset: off };
    return undefined;
  }

  /** bpf_for_each_map_elem brackets its walk with these; the depth picks a key buffer. */
  enterForEach(): number {
    return this.forEachDepth++;
  }
  leaveForEach(): void {
    this.forEachDepth = Math.max(0, this.forEachDepth - 1);
  }

  /** Guest address of a read-only copy of `key` for a for_each callback at nesting `depth`. */
  scratchKey(depth: number, key: Uint8Array): bigint {
    let r = this.scratch[depth];
    if (!r || r.size < key.length) {
      r = this.mem.map(`for_each key (level ${depth})`, 'map-key', Math.max(8, key.length), PERM_READ);
      this.scratch[depth] = r;
    }
    this.mem.bytes.fill(0, r.start, r.start + r.size);
    this.mem.bytes.set(key, r.start);
    const a = this.mem.addressOf(r);
    return (BigInt(a.hi >>> 0) << 32n) | BigInt(a.lo >>> 0);
  }

  /**
   * Sets the contents of every map (maps not named are emptied) from the initial-contents JSON.
   * Nothing changes unless all of it is valid; an entry refused while loading empties all maps.
   */
  initialize(contents: unknown): { ok: true } | { ok: false; errors: string[] } {
    if (this.errors.length) return { ok: false, errors: [...this.errors] };
    const parsed = parseContents(contents, this.maps, this.options.nrCpus);
    if (parsed.errors.length) return { ok: false, errors: [...parsed.errors] };
    for (const m of this.maps) m.clear();
    const errors: string[] = [];
    let more = 0;
    for (const [map, entries] of parsed.entries) {
      for (const e of entries) {
        const problem = map.load(e);
        if (problem && errors.length < MAX_CONTENT_ERRORS) errors.push(problem);
        else if (problem) more++;
      }
    }
    if (!errors.length) return { ok: true };
    for (const m of this.maps) m.clear();
    if (more) errors.push(`… and ${more.toLocaleString('en-US')} more problems like these`);
    return { ok: false, errors };
  }

  /** What each map holds now, in full (plain data: what `bpfp test-run` prints). */
  view(): MapView[] {
    return this.maps.map((m) => m.view());
  }

  /** Ring buffer records reserved and neither submitted nor discarded (a leak at program exit). */
  outstanding(): OutstandingRecord[] {
    return this.maps.flatMap((m) => (m instanceof RingbufMap ? m.outstanding() : []));
  }

  /** The run ended: memory of elements deleted during it may be reused (the RCU grace period). */
  endOfRun(): void {
    this.forEachDepth = 0;
    for (const m of this.maps) m.endOfRun();
  }

  /** Frees every map (map teardown): each kptr still held is dropped through dropKptr. */
  free(): void {
    for (const m of this.maps) m.free();
    for (const r of this.scratch) this.mem.free(r);
    this.owned.clear();
    this.headers.clear();
    this.kptrs.clear();
    this.lastHeader = -1;
    this.lastMap = undefined;
  }
}
