// Reads a .BTF.ext section: func_info, line_info and CO-RE relocation records per program
// section, with their names from the .BTF string section (libbpf's btf_ext__new and
// btf_ext_parse_sec_info give the layout and the checks).

import {
  BTF_EXT_HEADER_LEN,
  BTF_MAGIC,
  CORE_RELO_KINDS,
  type Btf,
  type BtfCoreRelo,
  type BtfError,
  type BtfExt,
  type BtfExtSection,
  type BtfFuncInfo,
  type BtfLineInfo,
} from './btf.ts';
import { BtfFormatError } from './format-error.ts';
import { StringTable } from './strings.ts';

/** Header up to line_info_len, the least libbpf accepts (struct btf_ext_header). */
const EXT_HEADER_MIN = 24;

export function readBtfExt(bytes: Uint8Array, btf: Btf): { ok: true; ext: BtfExt } | { ok: false; error: BtfError } {
  try {
    return { ok: true, ext: parseExt(bytes, btf) };
  } catch (e) {
    if (e instanceof BtfFormatError) return { ok: false, error: { offset: e.offset, message: e.message } };
    throw e;
  }
}

type RecordReader<R> = (view: DataView, at: number, strings: (at: number) => string) => R;

function parseExt(bytes: Uint8Array, btf: Btf): BtfExt {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw new BtfFormatError(0, `.BTF.ext header needs at least 8 bytes, section has ${bytes.length}`);
  const magic = view.getUint16(0, true);
  if (magic !== BTF_MAGIC) throw new BtfFormatError(0, `bad .BTF.ext magic 0x${magic.toString(16)} (expected 0xeb9f)`);
  const version = view.getUint8(2);
  if (version !== 1) throw new BtfFormatError(2, `unsupported .BTF.ext version ${version}`);
  const hdrLen = view.getUint32(4, true);
  if (hdrLen < EXT_HEADER_MIN) throw new BtfFormatError(4, `.BTF.ext header length ${hdrLen} is below ${EXT_HEADER_MIN}`);
  if (hdrLen > bytes.length) throw new BtfFormatError(4, `.BTF.ext header length ${hdrLen} is beyond the section (${bytes.length} bytes)`);
  const table = new StringTable(btf.strings);
  const string = (at: number): string => {
    const s = table.at(view.getUint32(at, true));
    if (!s.ok) throw new BtfFormatError(at, s.message);
    return s.value;
  };
  const typeId = (at: number): number => {
    const id = view.getUint32(at, true);
    if (id >= btf.types.length) throw new BtfFormatError(at, `type id ${id} is beyond the last BTF type [${btf.types.length - 1}]`);
    return id;
  };
  const info = <R>(field: number, minRecord: number, read: RecordReader<R>) =>
    readInfo(view, hdrLen, field, minRecord, string, read);

  const funcInfo = info<BtfFuncInfo>(8, 8, (v, at) => ({ insnOff: v.getUint32(at, true), typeId: typeId(at + 4) }));
  const lineInfo = info<BtfLineInfo>(16, 16, (v, at, str) => {
    const lineCol = v.getUint32(at + 12, true);
    // BPF_LINE_INFO_LINE_NUM / BPF_LINE_INFO_LINE_COL: line in the top 22 bits, column in the low 10.
    return { insnOff: v.getUint32(at, true), fileName: str(at + 4), lineText: str(at + 8), line: lineCol >>> 10, col: lineCol & 0x3ff };
  });
  const coreRelos =
    hdrLen >= BTF_EXT_HEADER_LEN
      ? info<BtfCoreRelo>(24, 16, (v, at, str) => {
          const kindNumber = v.getUint32(at + 12, true);
          const kind = CORE_RELO_KINDS[kindNumber];
          if (kind === undefined) throw new BtfFormatError(at + 12, `unknown CO-RE relocation kind ${kindNumber}`);
          return { insnOff: v.getUint32(at, true), typeId: typeId(at + 4), access: str(at + 8), kind };
        })
      : [];
  return { funcInfo, lineInfo, coreRelos };
}

/**
 * One info block: `u32 rec_size`, then per section `{u32 sec_name_off; u32 num_info; records}`.
 * `field` is the header offset of the block's `off` (its `len` follows).
 */
function readInfo<R>(
  view: DataView,
  hdrLen: number,
  field: number,
  minRecord: number,
  string: (at: number) => string,
  read: RecordReader<R>,
): BtfExtSection<R>[] {
  const off = view.getUint32(field, true);
  const len = view.getUint32(field + 4, true);
  if (len === 0) return [];
  if (off % 4 !== 0) throw new BtfFormatError(field, `.BTF.ext block offset ${off} is not 4-byte aligned`);
  const start = hdrLen + off;
  const end = start + len;
  if (end > view.byteLength) throw new BtfFormatError(field, `.BTF.ext block [${start}, ${end}) is beyond the section (${view.byteLength} bytes)`);
  if (len < 4) throw new BtfFormatError(start, '.BTF.ext block has no record size');
  const recSize = view.getUint32(start, true);
  if (recSize < minRecord || recSize % 4 !== 0) throw new BtfFormatError(start, `.BTF.ext record size ${recSize} is invalid (at least ${minRecord}, a multiple of 4)`);
  const sections: BtfExtSection<R>[] = [];
  let pos = start + 4;
  while (pos < end) {
    if (end - pos < 8) throw new BtfFormatError(pos, '.BTF.ext section header is truncated');
    const section = string(pos);
    const count = view.getUint32(pos + 4, true);
    if (count === 0) throw new BtfFormatError(pos + 4, `.BTF.ext section '${section}' has no records`);
    // Divide rather than multiply: count × recSize can exceed 2^53 in a hostile header.
    if (count > (end - pos - 8) / recSize) throw new BtfFormatError(pos + 4, `.BTF.ext section '${section}' claims ${count} records of ${recSize} bytes, more than the block holds`);
    const records: R[] = [];
    for (let i = 0, at = pos + 8; i < count; i++, at += recSize) records.push(read(view, at, string));
    sections.push({ section, records });
    pos += 8 + count * recSize;
  }
  return sections;
}
