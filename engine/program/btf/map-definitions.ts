// libbpf's BTF-defined maps: each VAR of the `.maps` DATASEC is a struct whose members encode the
// map attributes as bpf_helpers.h's __uint/__type do (libbpf's parse_btf_map_def), plus the kptr
// fields of the value type that the kernel finds when it creates the map (btf_find_kptr).

import type { Btf, BtfMember, BtfTypeOf } from './btf.ts';
import { resolve, typeById, typeSize } from './layout.ts';

export type KptrTag = 'kptr' | 'kptr_ref' | 'kptr_untrusted' | 'percpu_kptr';
const KPTR_TAGS: readonly string[] = ['kptr', 'kptr_ref', 'kptr_untrusted', 'percpu_kptr'] satisfies KptrTag[];

export interface BtfKptrField {
  readonly name: string;
  /** Byte offset in the value. */
  readonly offset: number;
  readonly tag: KptrTag;
  /** Name of the pointed-to struct (a FWD when the object only declares it). */
  readonly pointee: string;
  readonly pointeeType: number;
}

export interface BtfMapDefinition {
  readonly name: string;
  /** The VAR's type id. */
  readonly varId: number;
  /** `enum bpf_map_type` number (BPF_MAP_TYPE_HASH = 1, ARRAY = 2, …); 0 when unset. */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  /** Type ids from `__type(key, …)` / `__type(value, …)`; 0 when only a size was given. */
  readonly keyType: number;
  readonly valueType: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly numaNode: number;
  readonly mapExtra: number;
  readonly pinning: number;
  readonly kptrs: readonly BtfKptrField[];
}

export interface BtfMapError {
  readonly map: string;
  readonly message: string;
}

const INT_FIELDS = {
  type: 'type',
  max_entries: 'maxEntries',
  map_flags: 'flags',
  numa_node: 'numaNode',
  key_size: 'keySize',
  value_size: 'valueSize',
  map_extra: 'mapExtra',
  pinning: 'pinning',
} as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function mapDefinitions(btf: Btf): { maps: BtfMapDefinition[]; errors: BtfMapError[] } {
  const maps: BtfMapDefinition[] = [];
  const errors: BtfMapError[] = [];
  for (const sec of btf.types) {
    if (sec.kind !== 'datasec' || sec.name !== '.maps') continue;
    for (const info of sec.vars) {
      const v = typeById(btf, info.type);
      if (v?.kind !== 'var') {
        errors.push({ map: '', message: `.maps entry [${info.type}] is a ${v?.kind ?? 'missing type'}, not a VAR` });
        continue;
      }
      const parsed = parseMap(btf, v);
      if (parsed.ok) maps.push(parsed.map);
      else errors.push({ map: v.name, message: parsed.message });
    }
  }
  return { maps, errors };
}

function parseMap(btf: Btf, v: BtfTypeOf<'var'>): { ok: true; map: BtfMapDefinition } | { ok: false; message: string } {
  if (v.linkage === 'extern') return { ok: false, message: 'an extern map has no definition' };
  const def = resolve(btf, v.type);
  if (def?.kind !== 'struct') return { ok: false, message: `the map definition is a ${def?.kind ?? 'broken type'}, not a struct` };
  const map: Mutable<BtfMapDefinition> = {
    name: v.name, varId: v.id, type: 0, keySize: 0, valueSize: 0, keyType: 0, valueType: 0,
    maxEntries: 0, flags: 0, numaNode: 0, mapExtra: 0, pinning: 0, kptrs: [],
  };
  for (const m of def.members) {
    if (m.name in INT_FIELDS) {
      const n = arrayLength(btf, m);
      if (n === undefined) return { ok: false, message: `'${m.name}' is not a pointer to an array (__uint)` };
      const field = INT_FIELDS[m.name as keyof typeof INT_FIELDS];
      if ((field === 'keySize' && map.keyType) || (field === 'valueSize' && map.valueType)) {
        if (map[field] !== n) return { ok: false, message: `'${m.name}' ${n} conflicts with the type's size ${map[field]}` };
      }
      map[field] = n;
    } else if (m.name === 'key' || m.name === 'value') {
      const p = resolve(btf, m.type);
      if (p?.kind !== 'ptr') return { ok: false, message: `'${m.name}' is not a pointer (__type)` };
      const size = typeSize(btf, p.type);
      if (size === undefined) return { ok: false, message: `the ${m.name} type [${p.type}] has no size` };
      const sizeField = m.name === 'key' ? 'keySize' : 'valueSize';
      if (map[sizeField] && map[sizeField] !== size) return { ok: false, message: `'${m.name}' of ${size} bytes conflicts with ${m.name}_size ${map[sizeField]}` };
      map[sizeField] = size;
      if (m.name === 'key') map.keyType = p.type;
      else map.valueType = p.type;
    } else if (m.name === 'values') {
      // Map-in-map and prog-array initial values: libbpf fills them from relocations, not BTF sizes.
      continue;
    } else {
      return { ok: false, message: `unknown field '${m.name}'` };
    }
  }
  if (map.valueType) map.kptrs = kptrFields(btf, map.valueType);
  return { ok: true, map };
}

/** `int (*name)[N]` gives N (libbpf's get_map_field_int). */
function arrayLength(btf: Btf, m: BtfMember): number | undefined {
  const p = typeById(btf, m.type);
  if (p?.kind !== 'ptr') return undefined;
  const a = typeById(btf, p.type);
  return a?.kind === 'array' ? a.nelems : undefined;
}

/**
 * Top-level members `T __kptr *name`: a pointer whose target is a type tag naming a kptr kind,
 * over a struct (kernel/bpf/btf.c btf_find_kptr). Other tags (rcu, user, percpu) are not kptrs.
 */
function kptrFields(btf: Btf, valueType: number): BtfKptrField[] {
  const value = resolve(btf, valueType);
  if (value?.kind !== 'struct') return [];
  const fields: BtfKptrField[] = [];
  for (const m of value.members) {
    const p = resolve(btf, m.type);
    if (p?.kind !== 'ptr') continue;
    const tag = typeById(btf, p.type);
    if (tag?.kind !== 'type_tag' || !KPTR_TAGS.includes(tag.name)) continue;
    const pointee = resolve(btf, tag.type);
    if (pointee === undefined) continue;
    fields.push({ name: m.name, offset: Math.floor(m.bitOffset / 8), tag: tag.name as KptrTag, pointee: pointee.name, pointeeType: pointee.id });
  }
  return fields;
}
