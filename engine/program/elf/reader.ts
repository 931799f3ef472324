// Reads a relocatable BPF object (ELF64, little-endian, ET_REL, EM_BPF) as clang -target bpf
// writes it: header, sections, .symtab and SHT_REL tables. Every offset, size and count is checked
// against the file before use, so a hostile file yields an error naming a byte offset, never a
// throw, a huge allocation or an unbounded loop.

import {
  ELF,
  SHN,
  SHT,
  type ElfHeader,
  type ElfObject,
  type ElfReadResult,
  type ElfRelocation,
  type ElfRelocationTable,
  type ElfSection,
  type ElfSymbol,
} from './object.ts';

/** Thrown only inside this module and turned into an ElfReadError by readElf. */
class ElfFormatError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const MACHINES: Readonly<Record<number, string>> = { 3: 'x86 (EM_386)', 40: 'ARM (EM_ARM)', 62: 'x86-64 (EM_X86_64)', 183: 'AArch64 (EM_AARCH64)', 243: 'RISC-V (EM_RISCV)' };
const FILE_TYPES: Readonly<Record<number, string>> = { 0: 'a file of no type (ET_NONE)', 2: 'an executable (ET_EXEC)', 3: 'a shared object or position-independent executable (ET_DYN)', 4: 'a core dump (ET_CORE)' };

const utf8 = new TextDecoder('utf-8');

/** The longest section or symbol name read; the kernel's own limit on a symbol is KSYM_NAME_LEN (512). */
const MAX_NAME = 4096;

export function readElf(bytes: Uint8Array): ElfReadResult {
  try {
    return { ok: true, elf: new ElfFile(bytes).read() };
  } catch (e) {
    if (e instanceof ElfFormatError) return { ok: false, error: { offset: e.offset, message: e.message } };
    throw e;
  }
}

/** The file's bytes with bounds-checked little-endian reads. */
class ElfFile {
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  read(): ElfObject {
    const header = this.readHeader();
    const sections = this.readSections(header);
    const symtab = this.findSymtab(sections);
    const symbols = symtab === 0 ? [] : this.readSymbols(sections, sections[symtab]);
    const relocations = sections.filter((s) => s.type === SHT.REL).map((s) => this.readRelocations(sections, s, symtab, symbols.length));
    return { header, sections, symbols, symtab, relocations };
  }

  private readHeader(): ElfHeader {
    const b = this.bytes;
    if (b.length < 4 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) {
      throw new ElfFormatError(0, 'not an ELF file: it does not start with the magic bytes 7f 45 4c 46 ("\\x7fELF")');
    }
    if (b.length < ELF.HEADER_SIZE) throw new ElfFormatError(0, `the file is ${count(b.length)} bytes, too short for the 64-byte ELF64 header`);
    if (b[4] !== ELF.CLASS64) {
      throw new ElfFormatError(4, b[4] === 1 ? 'a 32-bit ELF file (ELFCLASS32): BPF objects are 64-bit (ELFCLASS64)' : `unknown ELF class ${b[4]}: BPF objects are 64-bit (ELFCLASS64 = 2)`);
    }
    if (b[5] !== ELF.DATA_LSB) {
      throw new ElfFormatError(5, b[5] === 2 ? 'a big-endian ELF file (ELFDATA2MSB, e.g. clang -target bpfeb): only little-endian BPF objects (bpfel) are supported' : `unknown ELF data encoding ${b[5]}: expected little-endian (ELFDATA2LSB = 1)`);
    }
    if (b[6] !== ELF.VERSION_CURRENT) throw new ElfFormatError(6, `unknown ELF version ${b[6]} in e_ident: expected 1 (EV_CURRENT)`);

    const type = this.u16(16);
    if (type !== ELF.ET_REL) {
      throw new ElfFormatError(16, `${FILE_TYPES[type] ?? `ELF file type ${type}`}, not a relocatable object (ET_REL): load the .o that clang -c writes`);
    }
    const machine = this.u16(18);
    if (machine !== ELF.EM_BPF) {
      throw new ElfFormatError(18, `an object for ${MACHINES[machine] ?? `machine ${machine}`}, not BPF (EM_BPF = 247): compile with clang -target bpf`);
    }
    const shoff = this.u64(40, 'the ELF header', 'e_shoff');
    const shentsize = this.u16(58);
    const shnum = this.u16(60);
    const shstrndx = this.u16(62);
    if (shnum === 0 && shoff !== 0) {
      throw new ElfFormatError(60, 'e_shnum is 0 with a section header table present: extended section numbering (65,280 sections or more) is not supported');
    }
    if (shnum > 0 && shentsize !== ELF.SECTION_HEADER_SIZE) {
      throw new ElfFormatError(58, `e_shentsize is ${shentsize}: ELF64 section headers are ${ELF.SECTION_HEADER_SIZE} bytes`);
    }
    if (shoff + shnum * ELF.SECTION_HEADER_SIZE > b.length) {
      throw new ElfFormatError(40, `the section header table (offset ${hex(shoff)}, ${count(shnum)} headers of 64 bytes) runs past the end of the ${count(b.length)}-byte file`);
    }
    if (shstrndx !== SHN.UNDEF && shstrndx >= shnum) {
      throw new ElfFormatError(62, shstrndx === SHN.XINDEX ? 'e_shstrndx is SHN_XINDEX: extended section numbering is not supported' : `e_shstrndx is ${shstrndx} but there are only ${shnum} sections`);
    }
    return {
      osabi: b[7],
      type,
      machine,
      version: this.u32(20),
      entry: this.u64(24, 'the ELF header', 'e_entry'),
      flags: this.u32(48),
      shstrndx,
      shoff,
      shnum,
    };
  }

  private readSections(header: ElfHeader): ElfSection[] {
    const raw: Omit<ElfSection, 'name'>[] = [];
    for (let index = 0; index < header.shnum; index++) raw.push(this.readSectionHeader(header.shoff + index * ELF.SECTION_HEADER_SIZE, index));
    const names = header.shstrndx === SHN.UNDEF ? undefined : raw[header.shstrndx];
    if (names !== undefined && names.type !== SHT.STRTAB) {
      throw new ElfFormatError(62, `e_shstrndx names section ${names.index} (section header at offset ${hex(names.headerOffset)}), which is not a string table (its type is ${names.type})`);
    }
    return raw.map((s) => {
      const nameOffset = this.u32(s.headerOffset);
      const name = names === undefined ? '' : this.string(names, nameOffset, `section header ${s.index} at offset ${hex(s.headerOffset)}: its name`);
      return { ...s, name };
    });
  }

  private readSectionHeader(at: number, index: number): Omit<ElfSection, 'name'> {
    const what = `section header ${index} at offset ${hex(at)}`;
    const type = this.u32(at + 4);
    const offset = this.u64(at + 24, what, 'sh_offset');
    const size = this.u64(at + 32, what, 'sh_size');
    const inFile = type !== SHT.NOBITS && type !== SHT.NULL;
    if (inFile && offset + size > this.bytes.length) {
      throw new ElfFormatError(at, `${what}: its data (offset ${hex(offset)}, ${count(size)} bytes) runs past the end of the ${count(this.bytes.length)}-byte file`);
    }
    return {
      index,
      type,
      flags: this.u64(at + 8, what, 'sh_flags'),
      addr: this.u64(at + 16, what, 'sh_addr'),
      offset,
      size,
      link: this.u32(at + 40),
      info: this.u32(at + 44),
      addralign: this.u64(at + 48, what, 'sh_addralign'),
      entsize: this.u64(at + 56, what, 'sh_entsize'),
      data: inFile ? this.bytes.subarray(offset, offset + size) : this.bytes.subarray(0, 0),
      headerOffset: at,
    };
  }

  /** Index of the one SHT_SYMTAB section, or 0. libbpf refuses an object with two (libbpf.c, bpf_object__elf_collect). */
  private findSymtab(sections: readonly ElfSection[]): number {
    const found = sections.filter((s) => s.type === SHT.SYMTAB);
    if (found.length > 1) throw new ElfFormatError(found[1].headerOffset, `section ${found[1].index} (${quote(found[1].name)}) is a second symbol table; there may be only one`);
    return found.length === 0 ? 0 : found[0].index;
  }

  private readSymbols(sections: readonly ElfSection[], symtab: ElfSection): ElfSymbol[] {
    const what = `the symbol table ${quote(symtab.name)} (section header at offset ${hex(symtab.headerOffset)})`;
    this.checkTable(symtab, what, ELF.SYMBOL_SIZE, 'symbol');
    const strtab = this.linkedSection(sections, symtab, what);
    if (strtab.type !== SHT.STRTAB) throw new ElfFormatError(symtab.headerOffset, `${what}: its sh_link ${strtab.index} is not a string table`);
    const symbols: ElfSymbol[] = [];
    for (let index = 0; index < symtab.size / ELF.SYMBOL_SIZE; index++) {
      const at = symtab.offset + index * ELF.SYMBOL_SIZE;
      const where = `symbol ${index} at offset ${hex(at)}`;
      const info = this.bytes[at + 4];
      const section = this.u16(at + 6);
      if (section !== SHN.UNDEF && section < SHN.LORESERVE && section >= sections.length) {
        throw new ElfFormatError(at, `${where}: its section index ${section} is past the last section (${sections.length - 1})`);
      }
      if (section === SHN.XINDEX) throw new ElfFormatError(at, `${where}: its section index is SHN_XINDEX: extended section numbering is not supported`);
      symbols.push({
        index,
        name: this.string(strtab, this.u32(at), `${where}: its name`),
        value: this.u64(at + 8, where, 'st_value'),
        size: this.u64(at + 16, where, 'st_size'),
        type: info & 0xf,
        binding: info >> 4,
        visibility: this.bytes[at + 5] & 0x3,
        section,
        fileOffset: at,
      });
    }
    return symbols;
  }

  private readRelocations(sections: readonly ElfSection[], rel: ElfSection, symtab: number, symbolCount: number): ElfRelocationTable {
    const what = `the relocation section ${quote(rel.name)} (section header at offset ${hex(rel.headerOffset)})`;
    this.checkTable(rel, what, ELF.REL_SIZE, 'relocation');
    if (symtab === 0 || rel.link !== symtab) {
      throw new ElfFormatError(rel.headerOffset, `${what}: its sh_link ${rel.link} is not the symbol table${symtab === 0 ? ' (the file has none)' : ` (section ${symtab})`}`);
    }
    if (rel.info === SHN.UNDEF || rel.info >= sections.length) {
      throw new ElfFormatError(rel.headerOffset, `${what}: the section it applies to (sh_info ${rel.info}) does not exist`);
    }
    const relocations: ElfRelocation[] = [];
    for (let i = 0; i < rel.size / ELF.REL_SIZE; i++) {
      const at = rel.offset + i * ELF.REL_SIZE;
      const where = `relocation ${i} of ${quote(rel.name)} at offset ${hex(at)}`;
      // ELF64_R_SYM is the high word of r_info, ELF64_R_TYPE the low word.
      const symbol = this.u32(at + 12);
      if (symbol >= symbolCount) throw new ElfFormatError(at, `${where}: its symbol index ${symbol} is past the end of the symbol table (${count(symbolCount)} symbols)`);
      relocations.push({ offset: this.u64(at, where, 'r_offset'), symbol, type: this.u32(at + 8), fileOffset: at });
    }
    return { section: rel.index, target: rel.info, relocations };
  }

  /** Checks a table section's entry size and that its size is a whole number of entries. */
  private checkTable(s: ElfSection, what: string, entsize: number, entry: string): void {
    if (s.entsize !== entsize) throw new ElfFormatError(s.headerOffset, `${what}: its entry size is ${s.entsize}, expected ${entsize}`);
    if (s.size % entsize !== 0) throw new ElfFormatError(s.headerOffset, `${what}: its size ${count(s.size)} is not a whole number of ${entsize}-byte ${entry} entries`);
  }

  private linkedSection(sections: readonly ElfSection[], s: ElfSection, what: string): ElfSection {
    if (s.link === SHN.UNDEF || s.link >= sections.length) throw new ElfFormatError(s.headerOffset, `${what}: its sh_link ${s.link} names no section`);
    return sections[s.link];
  }

  /** The NUL-terminated string at `offset` in string table `table`. */
  private string(table: Pick<ElfSection, 'data' | 'index'>, offset: number, what: string): string {
    const data = table.data;
    if (offset >= data.length) {
      if (offset === 0) return '';
      throw new ElfFormatError(this.stringTableOffset(table), `${what} (offset ${hex(offset)} in string table section ${table.index}) lies past the end of the ${count(data.length)}-byte table`);
    }
    // Bounded so that many names pointing into one long unterminated run cost linear, not quadratic, time.
    const end = data.subarray(offset, offset + MAX_NAME + 1).indexOf(0);
    if (end < 0) {
      const problem = offset + MAX_NAME < data.length ? `is longer than ${count(MAX_NAME)} bytes` : 'has no terminating NUL before the end of the table';
      throw new ElfFormatError(this.stringTableOffset(table) + offset, `${what} (offset ${hex(offset)} in string table section ${table.index}) ${problem}`);
    }
    return utf8.decode(data.subarray(offset, offset + end));
  }

  private stringTableOffset(table: Pick<ElfSection, 'data'>): number {
    return table.data.byteOffset - this.bytes.byteOffset;
  }

  private u16(at: number): number {
    return this.view.getUint16(at, true);
  }

  private u32(at: number): number {
    return this.view.getUint32(at, true);
  }

  /** A 64-bit field as a number; a value of 2^53 or more is an error rather than a rounded number. */
  private u64(at: number, what: string, field: string): number {
    const lo = this.view.getUint32(at, true);
    const hi = this.view.getUint32(at + 4, true);
    if (hi >= 0x200000) throw new ElfFormatError(at, `${what}: its ${field} 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} is too large (2^53 or more)`);
    return hi * 0x1_0000_0000 + lo;
  }
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function quote(name: string): string {
  return name === '' ? '(unnamed)' : name;
}
