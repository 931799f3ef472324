// The sizes BPF_MAP_CREATE accepts, as the kernel checks them (each rule cites its source), the
// shape every declaration must have before any map code reads it (declarations also arrive over
// the worker boundary, not only from the assembler), and the guest memory all maps share.

import { MAP_TYPES, type MapDecl } from '../../program/program.ts';
import { describeValue } from '../../util/values.ts';

/** include/linux/slab.h KMALLOC_MAX_SIZE on x86-64: 1 << (MAX_PAGE_ORDER 10 + PAGE_SHIFT 12). */
export const KMALLOC_MAX_SIZE = 1 << 22;
/** sizeof(struct htab_elem) on x86-64 (kernel/bpf/hashtab.c). */
export const HTAB_ELEM_SIZE = 48;
/** include/linux/percpu.h PCPU_MIN_UNIT_SIZE: the largest per-CPU value (arraymap.c, hashtab.c). */
export const PCPU_MIN_UNIT_SIZE = 32768;
/** arraymap.c array_map_alloc_check: "avoid overflow on round_up(map->value_size)" — value_size > INT_MAX is -E2BIG. */
export const INT_MAX = 0x7fff_ffff;
/**
 * hashtab.c htab_map_alloc: max_entries > 1UL << 31 is -E2BIG, and so is n_buckets =
 * roundup_pow_of_two(max_entries) > U32_MAX / sizeof(struct bucket) (16 bytes), which leaves 2^27.
 */
export const HTAB_MAX_ENTRIES = 1 << 27;
/** devmap.c dev_map_init_map: a DEVMAP_HASH with max_entries > 1UL << 31 is -EINVAL. */
export const DEVMAP_HASH_MAX_ENTRIES = 2 ** 31;
/** kernel/bpf/btf.c BTF_FIELDS_MAX: special fields (kptrs) a map value may have; more is -E2BIG. */
export const BTF_FIELDS_MAX = 11;
export const U32_MAX = 0xffff_ffff;

/**
 * The guest memory all maps of a program may use together. Guest memory is one ArrayBuffer with
 * a permission byte per byte, addressed by 32-bit offsets (4 GiB at most); a browser tab must
 * hold it twice over while it grows, so maps get 64 MiB of it. The kernel's limit is the
 * machine's memory (-ENOMEM); this is the playground's machine.
 */
export const MAP_MEMORY_BUDGET = 64 << 20;

/** Guest bytes a region of `size` bytes takes: 16-byte alignment and the 64-byte gap after it (engine/vm/memory.ts). */
export function footprint(size: number): number {
  return Math.ceil(size / 16) * 16 + 64;
}

/** "64 MiB", "1.5 KiB", "12 bytes". */
export function bytesText(n: number): string {
  if (n >= 2 ** 30) return `${+(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${+(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${+(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} byte${n === 1 ? '' : 's'}`;
}

/** The budget shared by the maps of one MapSet: regions mapped up front and elements mapped on insert. */
export class MapMemory {
  used = 0;
  constructor(readonly budget = MAP_MEMORY_BUDGET) {}

  /** Takes `bytes` of the budget; false, and nothing taken, when they do not fit. */
  take(bytes: number): boolean {
    if (!(bytes <= this.budget - this.used)) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  /** What an insert that found the budget used up says (the kernel's allocation failure, -ENOMEM). */
  get fullText(): string {
    return `the playground's ${bytesText(this.budget)} of guest memory for maps is used up (-ENOMEM)`;
  }
}

const TYPES: ReadonlySet<string> = new Set(MAP_TYPES);

function u32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= U32_MAX;
}

/**
 * A declaration's fields as BPF_MAP_CREATE's union bpf_attr holds them: a known type, u32 sizes
 * and flags, kptr fields inside the value. Undefined when it has that shape, else the message.
 */
export function shapeProblem(decl: MapDecl): string | undefined {
  const d = decl as unknown as Record<string, unknown>;
  const name = d.name;
  if (typeof name !== 'string' || name.length === 0) return `a map declaration needs a name, not ${describeValue(name)}`;
  const where = `map '${name}'`;
  if (typeof d.type !== 'string' || !TYPES.has(d.type)) return `${where}: type=${typeof d.type === 'string' ? d.type : describeValue(d.type)} is not a map type the playground knows (${MAP_TYPES.join(', ')})`;
  const fields: readonly [string, unknown][] = [
    ['key', d.keySize],
    ['value', d.valueSize],
    ['max_entries', d.maxEntries],
    ['flags', d.flags],
  ];
  for (const [field, v] of fields) {
    if (!u32(v)) return `${where} (${d.type}): ${field}=${describeValue(v)} is not a whole number from 0 to ${U32_MAX} (union bpf_attr holds it as a u32)`;
  }
  if (!Array.isArray(d.kptrs)) return `${where} (${d.type}): kptr fields must be a list`;
  const kptrs = d.kptrs as readonly unknown[];
  if (kptrs.length > BTF_FIELDS_MAX) return `${where} (${d.type}): ${kptrs.length} kptr fields; a map value may have at most ${BTF_FIELDS_MAX} (BTF_FIELDS_MAX, kernel/bpf/btf.c; -E2BIG)`;
  const offsets = new Set<number>();
  for (const k of kptrs) {
    const field = (typeof k === 'object' && k !== null ? k : {}) as Record<string, unknown>;
    const off = field.offset;
    if (!u32(off) || off % 8 !== 0 || off + 8 > decl.valueSize) return `${where} (${d.type}): kptr at offset ${describeValue(off)} must be at an 8-byte aligned offset inside the ${decl.valueSize}-byte value`;
    if (typeof field.type !== 'string' || field.type.length === 0) return `${where} (${d.type}): kptr=${off}: needs a type, e.g. kptr=${off}:bpf_cpumask`;
    if (offsets.has(off)) return `${where} (${d.type}): two kptr fields at offset ${off}`;
    offsets.add(off);
  }
  return undefined;
}
