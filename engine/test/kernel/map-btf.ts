// A program's BTF object: the functions' BTF_KIND_FUNC types that BPF_PROG_LOAD's func_info
// names, and the map values with kptr fields that BPF_MAP_CREATE needs. One object serves both,
// as libbpf loads a clang object's .BTF once and passes the same fd as prog_btf_fd and as each
// map's btf_fd.
//
// func_info: without it the kernel refuses callbacks ("missing btf func_info",
// check_ld_imm) and tail calls or LD_ABS in subprograms ("... is not allowed in subprogs
// without BTF", check_subprogs). Each subprogram gets `FUNC sub_<pc>` (the first `main`, global
// linkage like a clang-built entry point; the others static, as callbacks must be) whose
// FUNC_PROTO returns int (check_btf_func refuses tail calls and LD_ABS in a function that
// does not return int) and takes no arguments: a static function's arguments are only compared
// with the caller's registers (btf_check_subprog_call), and a mismatch there is logged ("R1 is
// not a scalar") though not refused, so an empty list keeps the log what it is without BTF.
//
// Map values: BTF for map values with kptr fields, as BPF_MAP_CREATE needs it: the kernel finds a map's
// kptr fields only in the BTF of its value type (btf_parse_fields, kernel/bpf/btf.c), where a
// field is `PTR -> TYPE_TAG "kptr" -> STRUCT name`. The struct here is an empty one of the
// same name: btf_parse_kptr looks the name up in vmlinux BTF (bpf_find_btf_id) and uses the
// kernel's type, so only its name and kind matter — the way libbpf-built programs carry a
// `struct bpf_cpumask __kptr *` whose struct comes from vmlinux.h.
// Format: Documentation/bpf/btf.rst (struct btf_header, struct btf_type, the kinds' data).

import type { MapDecl } from '../../program/program.ts';

const BTF_MAGIC = 0xeb9f;
const KIND_INT = 1;
const KIND_PTR = 2;
const KIND_ARRAY = 3;
const KIND_STRUCT = 4;
const KIND_FUNC = 12;
const KIND_FUNC_PROTO = 13;
const KIND_TYPE_TAG = 18;
/** enum btf_func_linkage (include/uapi/linux/btf.h), a FUNC's vlen. */
const LINKAGE_STATIC = 0;
const LINKAGE_GLOBAL = 1;
/** BTF_INT_SIGNED (the encoding byte of an INT's data). */
const INT_SIGNED = 1;

export interface MapBtf {
  /** The blob for BPF_BTF_LOAD. */
  readonly blob: Uint8Array;
  /** Per map index (only maps with kptr fields): the key's and the value's type ids. */
  readonly ids: ReadonlyMap<number, { readonly key: number; readonly value: number }>;
}

class Writer {
  private readonly types: number[] = [];
  private readonly strings: number[] = [0];
  private readonly names = new Map<string, number>();
  private count = 0;

  name(text: string): number {
    let off = this.names.get(text);
    if (off === undefined) {
      off = this.strings.length;
      this.strings.push(...new TextEncoder().encode(text), 0);
      this.names.set(text, off);
    }
    return off;
  }

  /** Adds struct btf_type (name_off, info, size_or_type) and its data words; returns the id. */
  type(name: string, kind: number, vlen: number, sizeOrType: number, data: readonly number[] = []): number {
    this.types.push(name ? this.name(name) : 0, ((kind << 24) | vlen) >>> 0, sizeOrType, ...data);
    return ++this.count;
  }

  blob(): Uint8Array {
    const typeLen = this.types.length * 4;
    const out = new Uint8Array(24 + typeLen + this.strings.length);
    const dv = new DataView(out.buffer);
    dv.setUint16(0, BTF_MAGIC, true);
    dv.setUint8(2, 1); // version
    dv.setUint8(3, 0); // flags
    dv.setUint32(4, 24, true); // hdr_len
    dv.setUint32(8, 0, true); // type_off
    dv.setUint32(12, typeLen, true);
    dv.setUint32(16, typeLen, true); // str_off
    dv.setUint32(20, this.strings.length, true);
    this.types.forEach((w, i) => dv.setUint32(24 + i * 4, w >>> 0, true));
    out.set(this.strings, 24 + typeLen);
    return out;
  }
}

/** struct bpf_func_info: the instruction a function starts at and its FUNC type id. */
export interface FuncInfo {
  readonly insnOff: number;
  readonly typeId: number;
}

export interface ProgramBtf extends MapBtf {
  /** One record per subprogram, by ascending start; the first at 0. */
  readonly funcInfo: readonly FuncInfo[];
}

/** BTF for the maps of `maps` that have kptr fields, or undefined when none has. */
export function mapValueBtf(maps: readonly MapDecl[]): MapBtf | undefined {
  if (!maps.some((m) => m.kptrs.length > 0)) return undefined;
  const w = new Writer();
  const int = w.type('int', KIND_INT, 0, 4, [(INT_SIGNED << 24) | 32]);
  return { ids: addMapValues(w, maps, int), blob: w.blob() };
}

/**
 * The BTF object of a program whose subprograms start at `subprogStarts` (ascending, the first
 * 0; an empty list gives no func_info), with its maps' kptr value types: the blob, the maps'
 * type ids, and the func_info records for BPF_PROG_LOAD.
 */
export function programBtf(maps: readonly MapDecl[], subprogStarts: readonly number[]): ProgramBtf {
  const w = new Writer();
  const int = w.type('int', KIND_INT, 0, 4, [(INT_SIGNED << 24) | 32]);
  const funcInfo: FuncInfo[] = [];
  if (subprogStarts.length > 0) {
    const proto = w.type('', KIND_FUNC_PROTO, 0, int);
    for (const [i, pc] of subprogStarts.entries()) {
      const typeId = i === 0 ? w.type('main', KIND_FUNC, LINKAGE_GLOBAL, proto) : w.type(`sub_${pc}`, KIND_FUNC, LINKAGE_STATIC, proto);
      funcInfo.push({ insnOff: pc, typeId });
    }
  }
  const ids = addMapValues(w, maps, int);
  return { blob: w.blob(), ids, funcInfo };
}

/** The key and value types of the maps with kptr fields; `int` is a 4-byte signed INT's id. */
function addMapValues(w: Writer, maps: readonly MapDecl[], int: number): Map<number, { key: number; value: number }> {
  const ids = new Map<number, { key: number; value: number }>();
  if (!maps.some((m) => m.kptrs.length > 0)) return ids;
  const u8 = w.type('unsigned char', KIND_INT, 0, 1, [8]);
  const kptrPtr = new Map<string, number>();
  const ptrTo = (target: string): number => {
    let id = kptrPtr.get(target);
    if (id === undefined) {
      const struct = w.type(target, KIND_STRUCT, 0, 0);
      const tag = w.type('kptr', KIND_TYPE_TAG, 0, struct);
      id = w.type('', KIND_PTR, 0, tag);
      kptrPtr.set(target, id);
    }
    return id;
  };
  maps.forEach((m, index) => {
    if (m.kptrs.length === 0) return;
    // An array map's key must be a 4-byte int (array_map_check_btf); other maps take any type of
    // the key's size.
    const key = m.keySize === 4 ? int : w.type('', KIND_ARRAY, 0, 0, [u8, int, m.keySize]);
    const fields = [...m.kptrs].sort((a, b) => a.offset - b.offset).map((k) => ({ name: `kptr_${k.offset}`, type: ptrTo(k.type), bitOffset: k.offset * 8 }));
    const data = fields.flatMap((f) => [w.name(f.name), f.type, f.bitOffset]);
    const value = w.type(`map_value_${index}`, KIND_STRUCT, fields.length, m.valueSize, data);
    ids.set(index, { key, value });
  });
  return ids;
}
