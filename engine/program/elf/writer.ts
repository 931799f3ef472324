// Writes a relocatable BPF object (ELF64, little-endian, ET_REL, EM_BPF) that llvm-readelf and
// libbpf accept: the caller gives sections, symbols and relocations; the writer builds .rel<name>,
// .symtab, .strtab and .shstrtab, puts local symbols first, and aligns every table to 8 bytes.

import { ELF, SHF, SHN, SHT, STB, STT, STV } from './object.ts';

export interface ElfSectionInput {
  readonly name: string;
  readonly type: number;
  readonly flags?: number;
  /** The section's bytes; empty for SHT_NOBITS, whose size is `size`. */
  readonly data: Uint8Array;
  /** Only for SHT_NOBITS (.bss): the size in memory. */
  readonly size?: number;
  /** sh_addralign; 1 when absent. */
  readonly align?: number;
  /** sh_link, sh_info and sh_entsize, where the section type needs them (section indices as for ElfSymbolInput.section). */
  readonly link?: number;
  readonly info?: number;
  readonly entsize?: number;
}

export interface ElfSymbolInput {
  readonly name: string;
  readonly value?: number;
  readonly size?: number;
  readonly type?: number;
  readonly binding?: number;
  readonly visibility?: number;
  /**
   * The section header index the symbol is defined in: `sections[i]` is written as section i + 1
   * (0 is the null section). SHN.UNDEF for an extern (a kfunc or __ksym), SHN.ABS for a FILE symbol.
   */
  readonly section: number;
}

export interface ElfRelocationInput {
  /** Section header index of the section to patch (`sections[i]` is section i + 1). */
  readonly section: number;
  /** Byte offset in that section. */
  readonly offset: number;
  /** Index into ElfWriteInput.symbols. */
  readonly symbol: number;
  /** One of R_BPF. */
  readonly type: number;
}

export interface ElfWriteInput {
  /** Written as sections 1…n in this order, followed by the .rel sections, .symtab, .strtab and .shstrtab. */
  readonly sections: readonly ElfSectionInput[];
  /** Without the null symbol; the writer moves locals before the others, keeping each group's order. */
  readonly symbols: readonly ElfSymbolInput[];
  readonly relocations?: readonly ElfRelocationInput[];
  /** e_flags; 0 when absent. */
  readonly flags?: number;
}

const utf8 = new TextEncoder();

interface Layout {
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly data: Uint8Array;
  readonly size: number;
  readonly align: number;
  readonly link: number;
  readonly info: number;
  readonly entsize: number;
}

/**
 * The object file for `o`. A reference to a section or symbol that does not exist is a bug in the
 * caller, not bad user input, and throws a RangeError naming it.
 */
export function writeElf(o: ElfWriteInput): Uint8Array {
  const sectionCount = o.sections.length + 1;
  checkReferences(o, sectionCount);

  // Locals first: sh_info of .symtab is the index of the first non-local symbol (gABI "Symbol Table").
  const order = [...o.symbols.keys()].sort((a, b) => Number(isGlobal(o.symbols[a])) - Number(isGlobal(o.symbols[b])));
  const newIndex = new Array<number>(o.symbols.length);
  order.forEach((old, i) => (newIndex[old] = i + 1));
  const firstGlobal = 1 + order.filter((i) => !isGlobal(o.symbols[i])).length;

  const relTargets = [...new Set((o.relocations ?? []).map((r) => r.section))].sort((a, b) => a - b);
  const symtabIndex = sectionCount + relTargets.length;
  const strtabIndex = symtabIndex + 1;
  const shstrtabIndex = symtabIndex + 2;
  if (shstrtabIndex >= SHN.LORESERVE) throw new RangeError(`writeElf: ${shstrtabIndex + 1} sections are too many for an ELF file without extended numbering`);

  const sections: Layout[] = o.sections.map((s) => ({
    name: s.name,
    type: s.type,
    flags: s.flags ?? 0,
    data: s.type === SHT.NOBITS ? new Uint8Array(0) : s.data,
    size: s.type === SHT.NOBITS ? (s.size ?? 0) : s.data.length,
    align: s.align ?? 1,
    link: s.link ?? 0,
    info: s.info ?? 0,
    entsize: s.entsize ?? 0,
  }));
  for (const target of relTargets) {
    const rels = (o.relocations ?? []).filter((r) => r.section === target);
    const data = new Uint8Array(rels.length * ELF.REL_SIZE);
    const view = new DataView(data.buffer);
    rels.forEach((r, i) => {
      view.setBigUint64(i * ELF.REL_SIZE, BigInt(r.offset), true);
      view.setUint32(i * ELF.REL_SIZE + 8, r.type, true);
      view.setUint32(i * ELF.REL_SIZE + 12, newIndex[r.symbol], true);
    });
    const name = `.rel${o.sections[target - 1].name}`;
    sections.push({ name, type: SHT.REL, flags: SHF.INFO_LINK, data, size: data.length, align: 8, link: symtabIndex, info: target, entsize: ELF.REL_SIZE });
  }

  const strtab = new StringTable();
  const symtab = new Uint8Array((o.symbols.length + 1) * ELF.SYMBOL_SIZE);
  const symView = new DataView(symtab.buffer);
  order.forEach((old, i) => {
    const s = o.symbols[old];
    const at = (i + 1) * ELF.SYMBOL_SIZE;
    symView.setUint32(at, strtab.add(s.name), true);
    symView.setUint8(at + 4, ((s.binding ?? STB.LOCAL) << 4) | ((s.type ?? STT.NOTYPE) & 0xf));
    symView.setUint8(at + 5, (s.visibility ?? STV.DEFAULT) & 0x3);
    symView.setUint16(at + 6, s.section, true);
    symView.setBigUint64(at + 8, BigInt(s.value ?? 0), true);
    symView.setBigUint64(at + 16, BigInt(s.size ?? 0), true);
  });
  sections.push({ name: '.symtab', type: SHT.SYMTAB, flags: 0, data: symtab, size: symtab.length, align: 8, link: strtabIndex, info: firstGlobal, entsize: ELF.SYMBOL_SIZE });
  const strtabBytes = strtab.bytes();
  sections.push({ name: '.strtab', type: SHT.STRTAB, flags: 0, data: strtabBytes, size: strtabBytes.length, align: 1, link: 0, info: 0, entsize: 0 });

  const shstrtab = new StringTable();
  const nameOffsets = sections.map((s) => shstrtab.add(s.name));
  const shstrtabName = shstrtab.add('.shstrtab');
  const shstrtabBytes = shstrtab.bytes();
  nameOffsets.push(shstrtabName);
  sections.push({ name: '.shstrtab', type: SHT.STRTAB, flags: 0, data: shstrtabBytes, size: shstrtabBytes.length, align: 1, link: 0, info: 0, entsize: 0 });

  return layOut(sections, nameOffsets, shstrtabIndex, o.flags ?? 0);
}

/** Section data after the 64-byte header, each at its alignment, then the section header table. */
function layOut(sections: readonly Layout[], nameOffsets: readonly number[], shstrndx: number, flags: number): Uint8Array {
  let end = ELF.HEADER_SIZE;
  const offsets = sections.map((s) => {
    // SHT_NOBITS occupies no file space; its offset is only where it would start.
    if (s.type === SHT.NOBITS) return alignUp(end, s.align);
    end = alignUp(end, s.align) + s.data.length;
    return end - s.data.length;
  });
  const shoff = alignUp(end, 8);
  const shnum = sections.length + 1;
  const out = new Uint8Array(shoff + shnum * ELF.SECTION_HEADER_SIZE);
  const view = new DataView(out.buffer);

  out.set([0x7f, 0x45, 0x4c, 0x46, ELF.CLASS64, ELF.DATA_LSB, ELF.VERSION_CURRENT]);
  view.setUint16(16, ELF.ET_REL, true);
  view.setUint16(18, ELF.EM_BPF, true);
  view.setUint32(20, ELF.VERSION_CURRENT, true);
  view.setBigUint64(40, BigInt(shoff), true);
  view.setUint32(48, flags, true);
  view.setUint16(52, ELF.HEADER_SIZE, true);
  view.setUint16(58, ELF.SECTION_HEADER_SIZE, true);
  view.setUint16(60, shnum, true);
  view.setUint16(62, shstrndx, true);

  sections.forEach((s, i) => {
    out.set(s.data, offsets[i]);
    const at = shoff + (i + 1) * ELF.SECTION_HEADER_SIZE;
    view.setUint32(at, nameOffsets[i], true);
    view.setUint32(at + 4, s.type, true);
    view.setBigUint64(at + 8, BigInt(s.flags), true);
    view.setBigUint64(at + 24, BigInt(offsets[i]), true);
    view.setBigUint64(at + 32, BigInt(s.size), true);
    view.setUint32(at + 40, s.link, true);
    view.setUint32(at + 44, s.info, true);
    view.setBigUint64(at + 48, BigInt(s.align), true);
    view.setBigUint64(at + 56, BigInt(s.entsize), true);
  });
  return out;
}

function checkReferences(o: ElfWriteInput, sectionCount: number): void {
  o.symbols.forEach((s, i) => {
    if (s.section < 0 || s.section > 0xffff || (s.section >= sectionCount && s.section < SHN.LORESERVE)) throw new RangeError(`writeElf: symbol ${i} (${s.name}) is in section ${s.section}, which does not exist`);
  });
  (o.relocations ?? []).forEach((r, i) => {
    if (r.section < 1 || r.section >= sectionCount) throw new RangeError(`writeElf: relocation ${i} applies to section ${r.section}, which does not exist`);
    if (r.symbol < 0 || r.symbol >= o.symbols.length) throw new RangeError(`writeElf: relocation ${i} names symbol ${r.symbol}, which does not exist`);
  });
}

function isGlobal(s: ElfSymbolInput): boolean {
  return (s.binding ?? STB.LOCAL) !== STB.LOCAL;
}

function alignUp(n: number, align: number): number {
  return align > 1 ? Math.ceil(n / align) * align : n;
}

/** An ELF string table: "\0" first, each distinct string once. */
class StringTable {
  private readonly offsets = new Map<string, number>();
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private length = 1;

  add(s: string): number {
    if (s === '') return 0;
    const known = this.offsets.get(s);
    if (known !== undefined) return known;
    const encoded = utf8.encode(`${s}\0`);
    const offset = this.length;
    this.offsets.set(s, offset);
    this.parts.push(encoded);
    this.length += encoded.length;
    return offset;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
