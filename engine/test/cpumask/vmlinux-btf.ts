// The running kernel's BTF ids of its functions, read from /sys/kernel/btf/vmlinux, so that a
// program assembled with the playground's stand-in kfunc ids can be loaded by the real kernel.
// Format: Documentation/bpf/btf.rst — a header, then the type section (each type a 12-byte
// struct btf_type and kind-specific data after it) and the string section. A type's id is its
// position in the type section, counted from 1 (id 0 is void).

import { readFileSync } from 'node:fs';

export const VMLINUX_BTF = '/sys/kernel/btf/vmlinux';

const BTF_MAGIC = 0xeb9f;
/** enum btf_kind values (include/uapi/linux/btf.h). */
export const KIND = {
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

/** Bytes that follow struct btf_type for a type of `kind` with `vlen` members. */
export function extraBytes(kind: number, vlen: number): number | undefined {
  switch (kind) {
    case KIND.INT:
    case KIND.VAR:
    case KIND.DECL_TAG:
      return 4;
    case KIND.ARRAY:
      return 12;
    case KIND.STRUCT:
    case KIND.UNION:
    case KIND.DATASEC:
    case KIND.ENUM64:
      return 12 * vlen;
    case KIND.ENUM:
    case KIND.FUNC_PROTO:
      return 8 * vlen;
    case KIND.PTR:
    case KIND.FWD:
    case KIND.TYPEDEF:
    case KIND.VOLATILE:
    case KIND.CONST:
    case KIND.RESTRICT:
    case KIND.FUNC:
    case KIND.FLOAT:
    case KIND.TYPE_TAG:
      return 0;
    default:
      return undefined;
  }
}

export interface VmlinuxFuncs {
  /** BTF id of the function `name` (BTF_KIND_FUNC), or undefined. */
  readonly funcId: (name: string) => number | undefined;
  /** Number of types read. */
  readonly types: number;
  /** BTF id of the typedef `name` (BTF_KIND_TYPEDEF, e.g. tp_btf's `btf_trace_<tracepoint>`), or undefined. */
  readonly typedefId?: (name: string) => number | undefined;
}

/** Parses a BTF blob; throws with the reason when it is not one this reader understands. */
export function parseFuncIds(blob: Uint8Array): VmlinuxFuncs {
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (blob.length < 24 || dv.getUint16(0, true) !== BTF_MAGIC) throw new Error('not little-endian BTF (bad magic)');
  const hdrLen = dv.getUint32(4, true);
  const typeOff = hdrLen + dv.getUint32(8, true);
  const typeLen = dv.getUint32(12, true);
  const strOff = hdrLen + dv.getUint32(16, true);
  const strLen = dv.getUint32(20, true);
  if (typeOff + typeLen > blob.length || strOff + strLen > blob.length) throw new Error('BTF sections run past the end of the blob');
  const decoder = new TextDecoder();
  const nameAt = (off: number): string => {
    const start = strOff + off;
    let end = start;
    while (end < strOff + strLen && blob[end] !== 0) end++;
    return decoder.decode(blob.subarray(start, end));
  };
  const funcs = new Map<string, number>();
  const typedefs = new Map<string, number>();
  let id = 0;
  for (let at = typeOff; at < typeOff + typeLen; ) {
    id++;
    const nameOff = dv.getUint32(at, true);
    const info = dv.getUint32(at + 4, true);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const extra = extraBytes(kind, vlen);
    if (extra === undefined) throw new Error(`type ${id} has unknown kind ${kind}`);
    // A name may appear more than once (static functions); the first id is as good as any.
    if (kind === KIND.FUNC && nameOff !== 0) {
      const name = nameAt(nameOff);
      if (!funcs.has(name)) funcs.set(name, id);
    } else if (kind === KIND.TYPEDEF && nameOff !== 0) {
      const name = nameAt(nameOff);
      if (!typedefs.has(name)) typedefs.set(name, id);
    }
    at += 12 + extra;
  }
  return { funcId: (name) => funcs.get(name), types: id, typedefId: (name) => typedefs.get(name) };
}

/** The running kernel's function ids, or why they cannot be read. */
export function vmlinuxFuncs(path = VMLINUX_BTF): VmlinuxFuncs | { unavailable: string } {
  let blob: Uint8Array;
  try {
    blob = readFileSync(path);
  } catch (e) {
    return { unavailable: `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}` };
  }
  try {
    return parseFuncIds(blob);
  } catch (e) {
    return { unavailable: `${path}: ${e instanceof Error ? e.message : String(e)}` };
  }
}
