// Sizes and offsets from BTF: resolving modifier chains, type sizes and the CO-RE field access
// strings ("0:1:2"). Chains are followed iteratively with libbpf's depth limit, so a cyclic or
// endless chain in hostile BTF ends in `undefined` or an error value, never a hang.

import type { Btf, BtfType } from './btf.ts';

/** libbpf's MAX_RESOLVE_DEPTH (tools/lib/bpf/btf.c). */
export const MAX_RESOLVE_DEPTH = 32;
/** libbpf's BPF_CORE_SPEC_MAX_LEN (tools/lib/bpf/relo_core.h). */
const MAX_ACCESS_LEN = 64;
const UINT32_MAX = 0xffffffff;
const POINTER_SIZE = 8;

export function typeById(btf: Btf, id: number): BtfType | undefined {
  return Number.isInteger(id) && id >= 0 ? btf.types[id] : undefined;
}

/** The type under typedefs and modifiers (const, volatile, restrict, type tags), as libbpf's skip_mods_and_typedefs. */
export function resolve(btf: Btf, id: number): BtfType | undefined {
  let t = typeById(btf, id);
  for (let depth = 0; t !== undefined && depth <= MAX_RESOLVE_DEPTH; depth++) {
    switch (t.kind) {
      case 'typedef':
      case 'volatile':
      case 'const':
      case 'restrict':
      case 'type_tag':
        t = btf.types[t.type];
        break;
      default:
        return t;
    }
  }
  return undefined;
}

/** Byte size of a type as btf__resolve_size computes it; undefined for void, functions, forward declarations and loops. */
export function typeSize(btf: Btf, id: number): number | undefined {
  let nelems = 1;
  let t = typeById(btf, id);
  for (let depth = 0; t !== undefined && depth <= MAX_RESOLVE_DEPTH; depth++) {
    let size: number;
    switch (t.kind) {
      case 'int':
      case 'struct':
      case 'union':
      case 'enum':
      case 'enum64':
      case 'datasec':
      case 'float':
        size = t.size;
        break;
      case 'ptr':
        size = POINTER_SIZE;
        break;
      case 'typedef':
      case 'volatile':
      case 'const':
      case 'restrict':
      case 'type_tag':
      case 'var':
      case 'decl_tag':
        t = btf.types[t.type];
        continue;
      case 'array':
        if (nelems !== 0 && t.nelems > UINT32_MAX / nelems) return undefined;
        nelems *= t.nelems;
        t = btf.types[t.type];
        continue;
      default:
        return undefined;
    }
    const total = nelems * size;
    return total > UINT32_MAX ? undefined : total;
  }
  return undefined;
}

export interface FieldLocation {
  /** Offset of the field from the base pointer, in bytes (rounded down for bitfields). */
  readonly byteOffset: number;
  readonly bitOffset: number;
  /** Bitfield width, 0 for an ordinary field. */
  readonly bitfieldSize: number;
  /** The field's type id, modifiers included. */
  readonly type: number;
}

/**
 * Where a CO-RE field access string leads from `rootId` (libbpf's bpf_core_parse_spec): the first
 * index steps over whole root objects, as `p[i]`; each later one picks a struct or union member
 * or an array element. A flexible array (0 elements) at the end accepts any index.
 */
export function memberOffset(btf: Btf, rootId: number, access: string): { ok: true; field: FieldLocation } | { ok: false; message: string } {
  const parts = access.split(':');
  if (parts.length > MAX_ACCESS_LEN) return { ok: false, message: `access string has ${parts.length} steps, more than ${MAX_ACCESS_LEN}` };
  const indices: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,10}$/.test(p)) return { ok: false, message: `access string "${access}" has a bad step "${p}"` };
    indices.push(Number(p));
  }
  let type = rootId;
  let bitOffset = 0;
  let bitfieldSize = 0;
  const first = indices[0] ?? 0;
  if (first !== 0) {
    const size = typeSize(btf, rootId);
    if (size === undefined) return { ok: false, message: `type [${rootId}] has no size for index ${first}` };
    bitOffset = first * size * 8;
  }
  for (let i = 1; i < indices.length; i++) {
    const idx = indices[i] ?? 0;
    const t = resolve(btf, type);
    if (t === undefined) return { ok: false, message: `type [${type}] does not resolve` };
    if (t.kind === 'struct' || t.kind === 'union') {
      const member = t.members[idx];
      if (member === undefined) return { ok: false, message: `${t.kind} '${t.name}' has no member #${idx}` };
      bitOffset += member.bitOffset;
      bitfieldSize = member.bitfieldSize;
      type = member.type;
    } else if (t.kind === 'array') {
      if (t.nelems !== 0 && idx >= t.nelems) return { ok: false, message: `index ${idx} is beyond the array of ${t.nelems}` };
      const size = typeSize(btf, t.type);
      if (size === undefined) return { ok: false, message: `array element type [${t.type}] has no size` };
      bitOffset += idx * size * 8;
      bitfieldSize = 0;
      type = t.type;
    } else {
      return { ok: false, message: `step ${i} of "${access}" enters a ${t.kind}, not a struct, union or array` };
    }
  }
  return { ok: true, field: { byteOffset: Math.floor(bitOffset / 8), bitOffset, bitfieldSize, type } };
}
