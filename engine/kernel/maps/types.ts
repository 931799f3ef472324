// The shape every map shares: the operations helpers call, the plain-data view the maps panel
// and `bpfp test-run` show, and the UAPI numbers (include/uapi/linux/bpf.h) the maps check.

import type { RedirectMap } from './redirect-maps.ts';
import type { MapMemory } from './limits.ts';
import { ERRNO } from '../services.ts';
import type { MapDecl, MapType } from '../../program/program.ts';
import type { GuestMemory, Region } from '../../vm/index.ts';

/** bpf_map_update_elem flags. */
export const BPF_ANY = 0n;
export const BPF_NOEXIST = 1n;
export const BPF_EXIST = 2n;
export const BPF_F_LOCK = 4n;

/** map_flags at creation. */
export const MAP_FLAG = {
  NO_PREALLOC: 1 << 0,
  NO_COMMON_LRU: 1 << 1,
  NUMA_NODE: 1 << 2,
  RDONLY: 1 << 3,
  WRONLY: 1 << 4,
  ZERO_SEED: 1 << 6,
  RDONLY_PROG: 1 << 7,
  WRONLY_PROG: 1 << 8,
  MMAPABLE: 1 << 10,
  INNER_MAP: 1 << 12,
} as const;
/** BPF_F_ACCESS_MASK. */
export const ACCESS_FLAGS = MAP_FLAG.RDONLY | MAP_FLAG.WRONLY | MAP_FLAG.RDONLY_PROG | MAP_FLAG.WRONLY_PROG;

export const ENODEV = ERRNO.ENODEV;
export const EOVERFLOW = ERRNO.EOVERFLOW;

/** The UAPI enum bpf_map_type value of each map type (written into the map header). */
export const MAP_TYPE_IDS: Readonly<Record<MapType, number>> = {
  hash: 1,
  array: 2,
  prog_array: 3,
  percpu_hash: 5,
  percpu_array: 6,
  lru_hash: 9,
  lru_percpu_hash: 10,
  devmap: 14,
  cpumap: 16,
  xskmap: 17,
  devmap_hash: 25,
  ringbuf: 27,
};

export interface MapSetOptions {
  /** For per-CPU maps (1..4096). */
  readonly nrCpus: number;
  /** The CPU the program currently runs on. */
  readonly cpu: () => number;
  /** Called when a map drops a kptr it held (overwrite, delete, map freed): the dtor, which releases the object. */
  readonly dropKptr: (ptr: bigint, map: string) => void;
  /** Optional: names the object a kptr points to in views (e.g. "bpf_cpumask #3"). */
  readonly describeKptr?: (ptr: bigint) => string | undefined;
  /** Guest memory the maps may use together (default MAP_MEMORY_BUDGET; tests use less). */
  readonly memoryBudget?: number;
}

/** How much of each entry a view shows: values cut to `valueBytes`, per-CPU maps to the first `cpus` copies. */
export interface ValueLimits {
  readonly valueBytes: number;
  readonly cpus: number;
}

/** No limits: every byte of every copy (the command line's `test-run`). */
export const WHOLE_VALUES: ValueLimits = { valueBytes: Infinity, cpus: Infinity };

/** One page of a map's entries: the first `limit` worth showing from a position on, or from a key. */
export interface PageRequest extends ValueLimits {
  /** Position of the first slot to look at: an array's index, a hash map's place in its order. */
  readonly start?: number;
  /** Or the page that starts at this key (its bytes). */
  readonly key?: Uint8Array;
  readonly limit: number;
}

export interface MapPage {
  /** The position the page starts at. */
  readonly start: number;
  readonly entries: readonly MapEntryView[];
  /** Where the next page starts; absent when no entry follows. */
  readonly next?: number;
  /** Positions there are (max_entries for arrays, the elements held for hash maps). */
  readonly positions: number;
  /** The key asked for is not in the map (the page is empty). */
  readonly missing?: boolean;
  /** Ring buffers: the records to read, from the page's start on. */
  readonly ringbuf?: RingbufView;
}

/** Where the values of a region sit: `count` values of `stride` bytes from `first`. */
export interface ValueLayout {
  readonly first: number;
  readonly stride: number;
  readonly count: number;
}

/** What a map needs from the set it belongs to. */
export interface MapContext extends MapSetOptions {
  readonly mem: GuestMemory;
  /** The guest memory budget the maps share; maps that allocate on insert take from it. */
  readonly memory: MapMemory;
  /** Registers a region of values, so bpf_kptr_xchg can find the map behind a pointer. */
  own(region: Region, map: BpfMap, layout: ValueLayout): void;
  /** Stores a kptr slot (arena offset), keeping the set's index of the slots that hold objects. */
  setKptr(offset: number, ptr: bigint): void;
}

/** One element as bpf_for_each_map_elem visits it. */
export interface ForEachEntry {
  readonly key: Uint8Array;
  /** Guest address of the key, when the element stores it (hash maps); else the helper provides one. */
  readonly keyPtr?: bigint;
  readonly valuePtr: bigint;
  /** False once the element was deleted (by the callback): the walk skips it. */
  live(): boolean;
}

/** An entry of the initial contents, parsed and sized for its map. */
export interface InitialEntry {
  /** "map 'counts' entry 2", for messages. */
  readonly where: string;
  readonly key: Uint8Array;
  /** One value per CPU for per-CPU maps, else one value. */
  readonly values: readonly Uint8Array[];
  /** prog_array: the program's section name. */
  readonly prog?: string;
}

export interface KptrView {
  readonly offset: number;
  /** For per-CPU maps: the CPU whose copy holds it. */
  readonly cpu?: number;
  readonly ptr: string | null;
  /** What the pointer points to, when MapSetOptions.describeKptr names it. */
  readonly object?: string;
}

export interface MapEntryView {
  readonly key: string;
  /** Arrays and other u32-keyed maps: the index. */
  readonly index?: number;
  /** Hex bytes; one per CPU for per-CPU maps; the section name for prog_array. */
  readonly value: string | readonly string[];
  readonly kptrs?: readonly KptrView[];
  /** Only when `value` was cut (a paged view): the value's whole length in bytes. */
  readonly valueLength?: number;
  /** Only when a per-CPU value shows the first copies alone (a paged view): how many CPUs have one. */
  readonly cpuCount?: number;
}

export interface RingbufView {
  /** Submitted records not yet consumed, oldest first (hex); a paged view holds a page of them, each cut to its value limit. */
  readonly records: readonly string[];
  /** Paged views only: the submitted records there are in all. */
  readonly submitted?: number;
  readonly producer: number;
  readonly consumer: number;
  /** Records reserved and neither submitted nor discarded. */
  readonly busy: number;
  /** Discarded records not yet skipped by the consumer. */
  readonly discarded: number;
}

export interface MapView {
  readonly name: string;
  readonly type: MapType;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly entries: readonly MapEntryView[];
  /** Elements the map holds (an array always holds max_entries). */
  readonly count: number;
  /** Arrays: entries left out of `entries` because every byte is zero. */
  readonly omitted?: number;
  readonly ringbuf?: RingbufView;
}

/** The operations every map type offers (the kernel's struct bpf_map_ops, as helpers use them). */
export interface BpfMap {
  readonly decl: MapDecl;
  readonly index: number;
  readonly name: string;
  readonly type: MapType;
  /** The map's read-only header (struct bpf_map): what `r1 = MAP ll` points at. */
  readonly header: Region;
  /**
   * This map when it is a devmap, devmap_hash, cpumap or xskmap (what bpf_redirect_map takes),
   * else undefined. Per-packet code asks this rather than `instanceof RedirectMap`, which V8
   * compiled there into a generic InstanceOf call (two property lookups per packet).
   */
  asRedirect(): RedirectMap | undefined;
  /** Pointer to the value (the current CPU's copy for per-CPU maps), or 0n for NULL. */
  lookup(key: Uint8Array): bigint;
  /** From a program: 0 or -errno. */
  update(key: Uint8Array, value: Uint8Array, flags: bigint): number;
  /** 0 or -errno. */
  delete(key: Uint8Array): number;
  /** Elements for bpf_for_each_map_elem (made as the walk reaches them), or undefined when the type has no for_each. */
  forEachEntries(): Iterable<ForEachEntry> | undefined;
  /** Keys in iteration order (BPF_MAP_GET_NEXT_KEY), made as they are read. */
  keys(): Iterable<Uint8Array>;
  /** Stores an initial-contents entry (syscall semantics); an error message, or undefined. */
  load(entry: InitialEntry): string | undefined;
  /** Empties the map, dropping every kptr it holds. */
  clear(): void;
  /** Everything the map holds, every byte of it (what `bpfp test-run` prints). */
  view(): MapView;
  /** One page of entries, each value cut to the limits (what the playground's Maps panel shows). */
  page(request: PageRequest): MapPage;
  /** Elements held (an array always holds max_entries; a ring buffer counts its unread records). */
  count(): number;
  /**
   * Bumped by every change made through the map (update, delete, initial contents, a kptr
   * exchanged, a record committed) and, while value pointers are out, at every stop (MapSet.settle).
   */
  readonly generation: number;
  /** The map's name for the entry whose value holds arena offset `offset` ("4242", or the key in hex). */
  entryNameAt(offset: number): string | undefined;
  /** Counts a change made from outside the map's own operations (a kptr exchanged). */
  markChanged(): void;
  /** A stop of the program: values reachable through pointers it holds count as changed; `running` false ends that. */
  settle(running: boolean): void;
  /** End of a run: memory of deleted elements may be reused now (the RCU grace period ended). */
  endOfRun(): void;
  /** Map teardown: drops every kptr and frees the map's memory. */
  free(): void;
}
