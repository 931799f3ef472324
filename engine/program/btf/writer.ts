// Builds .BTF and .BTF.ext bytes: add types (each call returns the new type id), strings and
// func_info / line_info / CO-RE records, then build() lays them out as clang does. Arguments out
// of their field's range are collected and reported by build(), not thrown.

import {
  BTF_EXT_HEADER_LEN,
  BTF_HEADER_LEN,
  BTF_KIND,
  BTF_LINKAGES,
  BTF_MAGIC,
  BTF_VERSION,
  CORE_RELO_KINDS,
  type BtfCoreRelo,
  type BtfEnumValue,
  type BtfKind,
  type BtfLineInfo,
  type BtfLinkage,
  type BtfParam,
  type BtfSecinfo,
} from './btf.ts';

export interface MemberSpec {
  readonly name: string;
  readonly type: number;
  readonly bitOffset: number;
  readonly bitfieldSize?: number;
}

/** A libbpf map: `key`/`value` as type ids (__type) or `keySize`/`valueSize` in bytes (__uint). */
export interface MapSpec {
  readonly name: string;
  readonly type: number;
  readonly key?: number;
  readonly keySize?: number;
  readonly value?: number;
  readonly valueSize?: number;
  readonly maxEntries: number;
  readonly flags?: number;
}

type ExtRecords<R> = Map<string, R[]>;

const encoder = new TextEncoder();

export class BtfBuilder {
  private readonly words: number[] = [];
  /** Index in `words` of each type's record, by id - 1. */
  private readonly starts: number[] = [];
  private count = 0;
  private readonly strings = new Map<string, number>([['', 0]]);
  private readonly stringBytes: Uint8Array[] = [new Uint8Array(1)];
  private stringLen = 1;
  private readonly problems: string[] = [];
  private readonly funcInfo: ExtRecords<{ insnOff: number; typeId: number }> = new Map();
  private readonly lineInfo: ExtRecords<BtfLineInfo> = new Map();
  private readonly coreRelos: ExtRecords<BtfCoreRelo> = new Map();
  private mapInt = 0;
  private mapIndex = 0;

  /** Offset of `s` in the string section, adding it once. */
  addString(s: string): number {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    if (s.includes('\0')) this.problems.push(`string ${JSON.stringify(s)} contains NUL`);
    const bytes = encoder.encode(`${s}\0`);
    const off = this.stringLen;
    this.strings.set(s, off);
    this.stringBytes.push(bytes);
    this.stringLen += bytes.length;
    return off;
  }

  addInt(name: string, size: number, opts: { signed?: boolean; char?: boolean; bool?: boolean; bits?: number; bitOffset?: number } = {}): number {
    const encoding = (opts.signed ? 1 : 0) | (opts.char ? 2 : 0) | (opts.bool ? 4 : 0);
    const bits = this.field(opts.bits ?? size * 8, 0xff, 'int bits');
    const bitOffset = this.field(opts.bitOffset ?? 0, 0xff, 'int bit offset');
    return this.type(name, 'int', 0, false, size, [(encoding << 24) | (bitOffset << 16) | bits]);
  }

  addPtr(type: number): number {
    return this.type('', 'ptr', 0, false, type);
  }
  /**
   * Points a reference type already added (ptr, typedef, const, volatile, restrict, type tag)
   * at `type`: for a pointer made before its target, as in a struct that points to its own kind.
   */
  setReferencedType(id: number, type: number): void {
    const start = this.starts[id - 1];
    const kind = start === undefined ? undefined : ((this.words[start + 1] ?? 0) >>> 24) & 0x1f;
    const references: readonly number[] = [BTF_KIND.ptr, BTF_KIND.typedef, BTF_KIND.const, BTF_KIND.volatile, BTF_KIND.restrict, BTF_KIND.type_tag];
    if (start === undefined || kind === undefined || !references.includes(kind)) {
      this.problems.push(`type [${id}] is not a reference type to point elsewhere`);
      return;
    }
    this.words[start + 2] = this.field(type, 0xffffffff, `type [${id}] target`);
  }

  addTypedef(name: string, type: number): number {
    return this.type(name, 'typedef', 0, false, type);
  }
  addConst(type: number): number {
    return this.type('', 'const', 0, false, type);
  }
  addVolatile(type: number): number {
    return this.type('', 'volatile', 0, false, type);
  }
  addRestrict(type: number): number {
    return this.type('', 'restrict', 0, false, type);
  }
  /** `btf_type_tag(name)`, e.g. "kptr" in `struct bpf_cpumask __kptr *`. */
  addTypeTag(name: string, type: number, attr = false): number {
    return this.type(name, 'type_tag', 0, attr, type);
  }
  addDeclTag(name: string, type: number, componentIdx = -1): number {
    return this.type(name, 'decl_tag', 0, false, type, [componentIdx >>> 0]);
  }
  addFwd(name: string, union = false): number {
    return this.type(name, 'fwd', 0, union, 0);
  }
  addFloat(name: string, size: number): number {
    return this.type(name, 'float', 0, false, size);
  }

  /** Arrays index with an int; clang's is `__ARRAY_SIZE_TYPE__`, which `indexType` defaults to. */
  addArray(type: number, nelems: number, indexType = this.arrayIndexType()): number {
    return this.type('', 'array', 0, false, 0, [type, indexType, nelems]);
  }

  addStruct(name: string, size: number, members: readonly MemberSpec[]): number {
    return this.composite('struct', name, size, members);
  }
  addUnion(name: string, size: number, members: readonly MemberSpec[]): number {
    return this.composite('union', name, size, members);
  }

  addEnum(name: string, size: number, values: readonly BtfEnumValue<number>[], signed = values.some((v) => v.value < 0)): number {
    const words = values.flatMap((v) => [this.addString(v.name), v.value >>> 0]);
    return this.type(name, 'enum', values.length, signed, size, words);
  }

  addEnum64(name: string, size: number, values: readonly BtfEnumValue<bigint>[], signed = values.some((v) => v.value < 0n)): number {
    const words = values.flatMap((v) => {
      const raw = BigInt.asUintN(64, v.value);
      return [this.addString(v.name), Number(raw & 0xffffffffn), Number(raw >> 32n)];
    });
    return this.type(name, 'enum64', values.length, signed, size, words);
  }

  addFuncProto(returnType: number, params: readonly BtfParam[]): number {
    const words = params.flatMap((p) => [this.addString(p.name), p.type]);
    return this.type('', 'func_proto', params.length, false, returnType, words);
  }

  addFunc(name: string, proto: number, linkage: BtfLinkage = 'global'): number {
    return this.type(name, 'func', BTF_LINKAGES.indexOf(linkage), false, proto);
  }

  addVar(name: string, type: number, linkage: BtfLinkage = 'global'): number {
    return this.type(name, 'var', 0, false, type, [BTF_LINKAGES.indexOf(linkage)]);
  }

  /** A section of variables, e.g. `.maps` or `.ksyms`; sizes may be 0 as in clang's output (libbpf fills them). */
  addDatasec(name: string, size: number, vars: readonly BtfSecinfo[]): number {
    const words = vars.flatMap((v) => [v.type, v.offset, v.size]);
    return this.type(name, 'datasec', vars.length, false, size, words);
  }

  /**
   * The anonymous struct of `struct { __uint(type, …); __type(key, …); … } name SEC(".maps")`
   * and its VAR; returns the VAR id for the caller's `.maps` DATASEC.
   */
  addMapDefinition(spec: MapSpec): number {
    const members: MemberSpec[] = [];
    const uint = (name: string, n: number) => members.push({ name, type: this.addPtr(this.addArray(this.mapIntType(), n)), bitOffset: members.length * 64 });
    const typed = (name: string, type: number) => members.push({ name, type: this.addPtr(type), bitOffset: members.length * 64 });
    uint('type', spec.type);
    if (spec.key !== undefined) typed('key', spec.key);
    else if (spec.keySize !== undefined) uint('key_size', spec.keySize);
    if (spec.value !== undefined) typed('value', spec.value);
    else if (spec.valueSize !== undefined) uint('value_size', spec.valueSize);
    uint('max_entries', spec.maxEntries);
    if (spec.flags !== undefined) uint('map_flags', spec.flags);
    const def = this.addStruct('', members.length * 8, members);
    return this.addVar(spec.name, def, 'global');
  }

  /** `insnOff` is a byte offset in the program section, as in object files. */
  addFuncInfo(section: string, insnOff: number, typeId: number): void {
    push(this.funcInfo, section, { insnOff, typeId });
  }
  addLineInfo(section: string, record: BtfLineInfo): void {
    if (record.col > 0x3ff || record.line > 0x3fffff) this.problems.push(`line_info ${record.line}:${record.col} does not fit line_col`);
    push(this.lineInfo, section, record);
  }
  addCoreRelo(section: string, record: BtfCoreRelo): void {
    push(this.coreRelos, section, record);
  }

  /**
   * The .BTF bytes, and the .BTF.ext bytes when there is at least one record (libbpf refuses a
   * .BTF.ext that holds only its header: "BTF.ext has no data").
   */
  build(): { ok: true; btf: Uint8Array; ext: Uint8Array | undefined } | { ok: false; error: { message: string } } {
    // Strings first: ext records add their names to the same string section.
    const ext = this.buildExt();
    if (this.problems.length > 0) return { ok: false, error: { message: this.problems.join('; ') } };
    const typeLen = this.words.length * 4;
    const out = new Uint8Array(BTF_HEADER_LEN + typeLen + this.stringLen);
    const view = new DataView(out.buffer);
    view.setUint16(0, BTF_MAGIC, true);
    view.setUint8(2, BTF_VERSION);
    view.setUint32(4, BTF_HEADER_LEN, true);
    view.setUint32(8, 0, true);
    view.setUint32(12, typeLen, true);
    view.setUint32(16, typeLen, true);
    view.setUint32(20, this.stringLen, true);
    this.words.forEach((w, i) => view.setUint32(BTF_HEADER_LEN + i * 4, w, true));
    let at = BTF_HEADER_LEN + typeLen;
    for (const s of this.stringBytes) {
      out.set(s, at);
      at += s.length;
    }
    return { ok: true, btf: out, ext };
  }

  private buildExt(): Uint8Array | undefined {
    if (this.funcInfo.size + this.lineInfo.size + this.coreRelos.size === 0) return undefined;
    const blocks = [
      this.block(this.funcInfo, 8, (r) => [r.insnOff, r.typeId]),
      this.block(this.lineInfo, 16, (r) => [r.insnOff, this.addString(r.fileName), this.addString(r.lineText), ((r.line << 10) | r.col) >>> 0]),
      this.block(this.coreRelos, 16, (r) => [r.insnOff, r.typeId, this.addString(r.access), CORE_RELO_KINDS.indexOf(r.kind)]),
    ];
    const words = [(BTF_VERSION << 16) | BTF_MAGIC, BTF_EXT_HEADER_LEN];
    let off = 0;
    for (const b of blocks) {
      words.push(off, b.length * 4);
      off += b.length * 4;
    }
    const all = [...words, ...blocks.flat()];
    const out = new Uint8Array(all.length * 4);
    const view = new DataView(out.buffer);
    all.forEach((w, i) => view.setUint32(i * 4, w, true));
    return out;
  }

  /** One info block; records sorted by instruction within each section, as the kernel requires. */
  private block<R extends { insnOff: number }>(records: ExtRecords<R>, recSize: number, encode: (r: R) => number[]): number[] {
    if (records.size === 0) return [];
    const words = [recSize];
    for (const [section, list] of records) {
      words.push(this.addString(section), list.length);
      for (const r of [...list].sort((a, b) => a.insnOff - b.insnOff)) words.push(...encode(r));
    }
    return words;
  }

  private composite(kind: 'struct' | 'union', name: string, size: number, members: readonly MemberSpec[]): number {
    const bitfields = members.some((m) => (m.bitfieldSize ?? 0) > 0);
    const words = members.flatMap((m) => {
      const bits = m.bitfieldSize ?? 0;
      if (bitfields) this.field(m.bitOffset, 0xffffff, `member '${m.name}' bit offset`);
      return [this.addString(m.name), m.type, bitfields ? ((this.field(bits, 0xff, 'bitfield size') << 24) | m.bitOffset) >>> 0 : m.bitOffset];
    });
    return this.type(name, kind, members.length, bitfields, size, words);
  }

  private type(name: string, kind: BtfKind, vlen: number, kflag: boolean, sizeOrType: number, extra: readonly number[] = []): number {
    this.field(vlen, 0xffff, `${kind} '${name}' vlen`);
    const info = ((kflag ? 1 << 31 : 0) | (BTF_KIND[kind] << 24) | vlen) >>> 0;
    this.field(sizeOrType, 0xffffffff, `${kind} '${name}' size or type`);
    for (const w of extra) this.field(w, 0xffffffff, `${kind} '${name}' field`);
    this.starts.push(this.words.length);
    this.words.push(this.addString(name), info, sizeOrType);
    for (const w of extra) this.words.push(w);
    return ++this.count;
  }

  /** Records a problem when `n` is not an integer in [0, max]; returns it unchanged. */
  private field(n: number, max: number, what: string): number {
    if (!Number.isInteger(n) || n < 0 || n > max) this.problems.push(`${what} ${n} is outside 0..${max}`);
    return n;
  }

  private mapIntType(): number {
    if (this.mapInt === 0) this.mapInt = this.addInt('int', 4, { signed: true });
    return this.mapInt;
  }

  private arrayIndexType(): number {
    if (this.mapIndex === 0) this.mapIndex = this.addInt('__ARRAY_SIZE_TYPE__', 4);
    return this.mapIndex;
  }
}

function push<R>(records: ExtRecords<R>, section: string, record: R): void {
  const list = records.get(section);
  if (list) list.push(record);
  else records.set(section, [record]);
}
