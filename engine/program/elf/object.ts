// A relocatable BPF ELF object as readElf returns it, and the numbers of the ELF format
// (System V gABI; include/uapi/linux/elf.h; llvm/BinaryFormat/ELFRelocs/BPF.def) that name its fields.

/** ELF64 header field values this reader and writer use. */
export const ELF = {
  /** e_ident[EI_CLASS] of a 64-bit object. */
  CLASS64: 2,
  /** e_ident[EI_DATA] of a little-endian object. */
  DATA_LSB: 1,
  VERSION_CURRENT: 1,
  ET_REL: 1,
  EM_BPF: 247,
  HEADER_SIZE: 64,
  SECTION_HEADER_SIZE: 64,
  SYMBOL_SIZE: 24,
  REL_SIZE: 16,
} as const;

/** Section types (sh_type). */
export const SHT = {
  NULL: 0,
  PROGBITS: 1,
  SYMTAB: 2,
  STRTAB: 3,
  RELA: 4,
  NOBITS: 8,
  REL: 9,
  /** llvm's address-significance table: symbol indices, for the linker's identical-code folding. */
  LLVM_ADDRSIG: 0x6fff4c03,
} as const;

/** Section flags (sh_flags). */
export const SHF = {
  WRITE: 0x1,
  ALLOC: 0x2,
  EXECINSTR: 0x4,
  MERGE: 0x10,
  STRINGS: 0x20,
  INFO_LINK: 0x40,
  EXCLUDE: 0x80000000,
} as const;

/** Special section indices (st_shndx). Indices from SHN_LORESERVE up name no section header. */
export const SHN = {
  UNDEF: 0,
  LORESERVE: 0xff00,
  ABS: 0xfff1,
  COMMON: 0xfff2,
  XINDEX: 0xffff,
} as const;

/** Symbol types (low nibble of st_info). */
export const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4 } as const;

/** Symbol bindings (high nibble of st_info). */
export const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;

/** Symbol visibilities (low two bits of st_other). */
export const STV = { DEFAULT: 0, INTERNAL: 1, HIDDEN: 2, PROTECTED: 3 } as const;

/**
 * BPF relocation types (llvm/BinaryFormat/ELFRelocs/BPF.def; libbpf's bpf_program__record_reloc
 * reads 64_64 on ld_imm64 and 64_32 on calls, the rest are for .BTF, .BTF.ext and DWARF).
 */
export const R_BPF = {
  NONE: 0,
  /** ld_imm64 of a map, a global variable or a subprogram address. */
  R_BPF_64_64: 1,
  R_BPF_64_ABS64: 2,
  R_BPF_64_ABS32: 3,
  /** Like ABS32 but not applied by a dynamic loader; used in .BTF and .BTF.ext. */
  R_BPF_64_NODYLD32: 4,
  /** A call: BPF-to-BPF, or to a kfunc extern. */
  R_BPF_64_32: 10,
} as const;

export interface ElfHeader {
  /** e_ident[EI_OSABI]. */
  readonly osabi: number;
  readonly type: number;
  readonly machine: number;
  readonly version: number;
  readonly entry: number;
  readonly flags: number;
  /** Index of the section holding the section names, or 0 for none. */
  readonly shstrndx: number;
  /** File offset of the section header table. */
  readonly shoff: number;
  readonly shnum: number;
}

export interface ElfSection {
  /** Index in the section header table (0 is the null section). */
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  /** File offset of the section's bytes (meaningless for SHT_NOBITS and SHT_NULL). */
  readonly offset: number;
  /** sh_size: for SHT_NOBITS the size in memory, which the file does not hold. */
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** The section's bytes: a view into the file, empty for SHT_NOBITS and SHT_NULL. */
  readonly data: Uint8Array;
  /** File offset of this section's header, for messages. */
  readonly headerOffset: number;
}

export interface ElfSymbol {
  /** Index in .symtab (0 is the null symbol). */
  readonly index: number;
  readonly name: string;
  readonly value: number;
  readonly size: number;
  readonly type: number;
  readonly binding: number;
  readonly visibility: number;
  /** st_shndx: a section header index, or SHN_UNDEF / SHN_ABS / SHN_COMMON. */
  readonly section: number;
  /** File offset of this symbol's entry, for messages. */
  readonly fileOffset: number;
}

export interface ElfRelocation {
  /** r_offset: the byte offset in the target section the relocation patches. */
  readonly offset: number;
  /** Index in .symtab of the symbol whose address is applied. */
  readonly symbol: number;
  readonly type: number;
  /** File offset of this entry, for messages. */
  readonly fileOffset: number;
}

/** One SHT_REL section: the relocations it holds for its target section. */
export interface ElfRelocationTable {
  /** Index of the SHT_REL section itself. */
  readonly section: number;
  /** Index of the section it applies to (sh_info). */
  readonly target: number;
  readonly relocations: readonly ElfRelocation[];
}

export interface ElfObject {
  readonly header: ElfHeader;
  /** Every section, by header index; sections[0] is the null section when there are any. */
  readonly sections: readonly ElfSection[];
  /** The .symtab entries, by index (symbols[0] is the null symbol); empty without a .symtab. */
  readonly symbols: readonly ElfSymbol[];
  /** Index of the .symtab section, or 0 when there is none. */
  readonly symtab: number;
  readonly relocations: readonly ElfRelocationTable[];
}

/** What is wrong with a file, at the byte offset where it is wrong. */
export interface ElfReadError {
  readonly offset: number;
  readonly message: string;
}

export type ElfReadResult = { readonly ok: true; readonly elf: ElfObject } | { readonly ok: false; readonly error: ElfReadError };
