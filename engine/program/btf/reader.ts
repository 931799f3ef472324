// Reads a .BTF section into typed records (include/uapi/linux/btf.h; the checks follow libbpf's
// btf_parse_hdr, btf_parse_str_sec, btf_parse_type_sec and btf_validate_type). Every length is
// checked against the buffer before it is used, so hostile bytes give an error with an offset.

import {
  BTF_HEADER_LEN,
  BTF_KIND,
  BTF_LINKAGES,
  BTF_MAGIC,
  BTF_VERSION,
  type Btf,
  type BtfError,
  type BtfKind,
  type BtfType,
} from './btf.ts';
import { BtfFormatError } from './format-error.ts';
import { StringTable } from './strings.ts';

export { readBtfExt } from './ext-reader.ts';

const KIND_NAMES = new Map<number, BtfKind>(Object.entries(BTF_KIND).map(([name, kind]) => [kind, name as BtfKind]));

/** Bits of `info` that are neither vlen (0-15), kind (24-28) nor kind_flag (31); btf.c rejects them. */
const INFO_RESERVED = 0x60ff0000;
/** BTF_MAX_NAME_OFFSET, and the largest string section libbpf accepts. */
const MAX_NAME_OFFSET = 0xffffff;
const TYPE_RECORD_LEN = 12;
/** Kinds the kernel requires to be nameless (btf_ref_type_check_meta, btf_array_check_meta, btf_func_proto_check_meta). */
const ANONYMOUS = new Set<BtfKind>(['ptr', 'volatile', 'const', 'restrict', 'array', 'func_proto']);

export function readBtf(bytes: Uint8Array): { ok: true; btf: Btf } | { ok: false; error: BtfError } {
  try {
    return { ok: true, btf: parse(bytes) };
  } catch (e) {
    if (e instanceof BtfFormatError) return { ok: false, error: { offset: e.offset, message: e.message } };
    throw e;
  }
}

function parse(bytes: Uint8Array): Btf {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < BTF_HEADER_LEN) throw new BtfFormatError(0, `BTF header needs ${BTF_HEADER_LEN} bytes, section has ${bytes.length}`);
  const magic = view.getUint16(0, true);
  if (magic === 0x9feb) throw new BtfFormatError(0, 'big-endian BTF is not supported');
  if (magic !== BTF_MAGIC) throw new BtfFormatError(0, `bad BTF magic 0x${magic.toString(16)} (expected 0xeb9f)`);
  const version = view.getUint8(2);
  if (version !== BTF_VERSION) throw new BtfFormatError(2, `unsupported BTF version ${version}`);
  const flags = view.getUint8(3);
  const hdrLen = view.getUint32(4, true);
  if (hdrLen < BTF_HEADER_LEN) throw new BtfFormatError(4, `BTF header length ${hdrLen} is below ${BTF_HEADER_LEN}`);
  if (hdrLen > bytes.length) throw new BtfFormatError(4, `BTF header length ${hdrLen} is beyond the section (${bytes.length} bytes)`);
  const typeOff = view.getUint32(8, true);
  const typeLen = view.getUint32(12, true);
  const strOff = view.getUint32(16, true);
  const strLen = view.getUint32(20, true);
  const dataLen = bytes.length - hdrLen;
  if (typeOff % 4 !== 0) throw new BtfFormatError(8, `type section offset ${typeOff} is not 4-byte aligned`);
  if (typeOff + typeLen > strOff) throw new BtfFormatError(8, `type section [${typeOff}, ${typeOff + typeLen}) overlaps the string section at ${strOff}`);
  if (strOff + strLen > dataLen) throw new BtfFormatError(16, `string section [${strOff}, ${strOff + strLen}) is beyond the data (${dataLen} bytes)`);
  const strStart = hdrLen + strOff;
  if (strLen === 0 || strLen - 1 > MAX_NAME_OFFSET) throw new BtfFormatError(20, `string section length ${strLen} is out of range`);
  if (bytes[strStart] !== 0) throw new BtfFormatError(strStart, 'string section does not start with an empty string');
  if (bytes[strStart + strLen - 1] !== 0) throw new BtfFormatError(strStart + strLen - 1, 'string section does not end with NUL');
  const strings = bytes.slice(strStart, strStart + strLen);
  const types = readTypes(view, hdrLen + typeOff, hdrLen + typeOff + typeLen, new StringTable(strings));
  validateReferences(types);
  return { types, strings, flags };
}

function readTypes(view: DataView, start: number, end: number, strings: StringTable): BtfType[] {
  const types: BtfType[] = [{ kind: 'void', id: 0, name: '', offset: 0 }];
  const u32 = (at: number) => view.getUint32(at, true);
  const name = (at: number): string => {
    const s = strings.at(u32(at));
    if (!s.ok) throw new BtfFormatError(at, s.message);
    return s.value;
  };
  let pos = start;
  while (pos < end) {
    const id = types.length;
    const offset = pos;
    if (end - pos < TYPE_RECORD_LEN) throw new BtfFormatError(pos, `type [${id}] is truncated: ${end - pos} bytes left of ${TYPE_RECORD_LEN}`);
    const info = u32(pos + 4);
    const vlen = info & 0xffff;
    const kflag = info >>> 31 === 1;
    const kindNumber = (info >>> 24) & 0x1f;
    const kind = KIND_NAMES.get(kindNumber);
    if (kind === undefined) throw new BtfFormatError(pos + 4, `type [${id}] has unknown kind ${kindNumber}`);
    if (info & INFO_RESERVED) throw new BtfFormatError(pos + 4, `type [${id}] sets reserved bits in info 0x${(info >>> 0).toString(16)}`);
    const extra = extraLength(kind, vlen);
    if (end - pos - TYPE_RECORD_LEN < extra) throw new BtfFormatError(pos, `type [${id}] (${kind}) runs past the end of the type section`);
    const n = name(pos);
    if (n !== '' && ANONYMOUS.has(kind)) throw new BtfFormatError(pos, `${kind} [${id}] has a name ('${n}'); the kernel refuses one`);
    const sizeOrType = u32(pos + 8);
    const body = pos + TYPE_RECORD_LEN;
    const base = { id, name: n, offset };
    switch (kind) {
      case 'int': {
        const enc = u32(body);
        const bits = enc & 0xff;
        const bitOffset = (enc >>> 16) & 0xff;
        const encoding = (enc >>> 24) & 0xf;
        if (![1, 2, 4, 8, 16].includes(sizeOrType)) throw new BtfFormatError(pos + 8, `int [${id}] has size ${sizeOrType}`);
        if (bits === 0 || bitOffset + bits > sizeOrType * 8) throw new BtfFormatError(body, `int [${id}] has ${bits} bits at bit ${bitOffset} in ${sizeOrType} bytes`);
        types.push({ ...base, kind, size: sizeOrType, signed: (encoding & 1) !== 0, char: (encoding & 2) !== 0, bool: (encoding & 4) !== 0, bitOffset, bits });
        break;
      }
      case 'ptr':
      case 'typedef':
      case 'volatile':
      case 'const':
      case 'restrict':
        types.push({ ...base, kind, type: sizeOrType });
        break;
      case 'type_tag':
        types.push({ ...base, kind, type: sizeOrType, attr: kflag });
        break;
      case 'array':
        types.push({ ...base, kind, type: u32(body), indexType: u32(body + 4), nelems: u32(body + 8) });
        break;
      case 'struct':
      case 'union': {
        const members = [];
        for (let i = 0; i < vlen; i++) {
          const at = body + i * 12;
          const off = u32(at + 8);
          members.push({
            name: name(at),
            type: u32(at + 4),
            bitOffset: kflag ? off & 0xffffff : off,
            bitfieldSize: kflag ? off >>> 24 : 0,
          });
        }
        types.push({ ...base, kind, size: sizeOrType, members });
        break;
      }
      case 'enum': {
        const values = [];
        for (let i = 0; i < vlen; i++) {
          const at = body + i * 8;
          values.push({ name: name(at), value: kflag ? view.getInt32(at + 4, true) : u32(at + 4) });
        }
        types.push({ ...base, kind, size: sizeOrType, signed: kflag, values });
        break;
      }
      case 'enum64': {
        const values = [];
        for (let i = 0; i < vlen; i++) {
          const at = body + i * 12;
          const raw = (BigInt(u32(at + 8)) << 32n) | BigInt(u32(at + 4));
          values.push({ name: name(at), value: kflag ? BigInt.asIntN(64, raw) : raw });
        }
        types.push({ ...base, kind, size: sizeOrType, signed: kflag, values });
        break;
      }
      case 'fwd':
        types.push({ ...base, kind, union: kflag });
        break;
      case 'func': {
        const linkage = BTF_LINKAGES[vlen];
        if (linkage === undefined) throw new BtfFormatError(pos + 4, `func [${id}] has unknown linkage ${vlen}`);
        types.push({ ...base, kind, type: sizeOrType, linkage });
        break;
      }
      case 'func_proto': {
        const params = [];
        for (let i = 0; i < vlen; i++) params.push({ name: name(body + i * 8), type: u32(body + i * 8 + 4) });
        types.push({ ...base, kind, returnType: sizeOrType, params });
        break;
      }
      case 'var': {
        const linkage = BTF_LINKAGES[u32(body)];
        if (linkage === undefined) throw new BtfFormatError(body, `var [${id}] has unknown linkage ${u32(body)}`);
        types.push({ ...base, kind, type: sizeOrType, linkage });
        break;
      }
      case 'datasec': {
        const vars = [];
        for (let i = 0; i < vlen; i++) {
          const at = body + i * 12;
          vars.push({ type: u32(at), offset: u32(at + 4), size: u32(at + 8) });
        }
        types.push({ ...base, kind, size: sizeOrType, vars });
        break;
      }
      case 'float':
        if (![2, 4, 8, 12, 16].includes(sizeOrType)) throw new BtfFormatError(pos + 8, `float [${id}] has size ${sizeOrType}`);
        types.push({ ...base, kind, size: sizeOrType });
        break;
      case 'decl_tag': {
        const componentIdx = view.getInt32(body, true);
        if (componentIdx < -1) throw new BtfFormatError(body, `decl_tag [${id}] has component index ${componentIdx}`);
        types.push({ ...base, kind, type: sizeOrType, componentIdx });
        break;
      }
    }
    pos = body + extra;
  }
  return types;
}

/** Bytes that follow the 12-byte `struct btf_type` for each kind. */
function extraLength(kind: BtfKind, vlen: number): number {
  switch (kind) {
    case 'int':
    case 'var':
    case 'decl_tag':
      return 4;
    case 'array':
      return 12;
    case 'struct':
    case 'union':
    case 'datasec':
    case 'enum64':
      return vlen * 12;
    case 'enum':
    case 'func_proto':
      return vlen * 8;
    default:
      return 0;
  }
}

/** Every type id a record mentions must exist, and a few kinds must point at a given kind (libbpf's btf_validate_type). */
function validateReferences(types: readonly BtfType[]): void {
  const check = (from: BtfType, id: number, what: string) => {
    if (id >= types.length) throw new BtfFormatError(from.offset, `${from.kind} [${from.id}] ${what} refers to type [${id}], but the last type is [${types.length - 1}]`);
  };
  for (const t of types) {
    switch (t.kind) {
      case 'void':
      case 'int':
      case 'enum':
      case 'enum64':
      case 'fwd':
      case 'float':
        break;
      case 'ptr':
      case 'typedef':
      case 'volatile':
      case 'const':
      case 'restrict':
      case 'type_tag':
      case 'var':
      case 'decl_tag':
        check(t, t.type, 'type');
        break;
      case 'func':
        check(t, t.type, 'type');
        if (types[t.type]?.kind !== 'func_proto') throw new BtfFormatError(t.offset, `func [${t.id}] '${t.name}' has type [${t.type}], which is not a func_proto`);
        break;
      case 'array':
        check(t, t.type, 'element type');
        check(t, t.indexType, 'index type');
        break;
      case 'struct':
      case 'union':
        for (const m of t.members) check(t, m.type, `member '${m.name}'`);
        break;
      case 'func_proto':
        check(t, t.returnType, 'return type');
        for (const p of t.params) check(t, p.type, `parameter '${p.name}'`);
        break;
      case 'datasec':
        for (const v of t.vars) check(t, v.type, 'variable');
        break;
    }
  }
}
