// writeElf: read → write → read keeps every section, symbol and relocation, and the files it
// writes are accepted by llvm-readelf-19 and by libbpf (through bpftool's linker and skeleton).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, fixture, installed, listingOf, readelfListing, writeInputOf } from './fixtures/fixtures.ts';
import { R_BPF, SHF, SHN, SHT, STB, STT, type ElfObject } from './object.ts';
import { readElf } from './reader.ts';
import { writeElf, type ElfWriteInput } from './writer.ts';

function read(bytes: Uint8Array): ElfObject {
  const r = readElf(bytes);
  if (!r.ok) throw new Error(`${r.error.message} (offset ${r.error.offset})`);
  return r.elf;
}

/** Sections, symbols and relocations by name, independent of where the writer put them. */
function content(elf: ElfObject): unknown {
  const written = new Set<number>([SHT.SYMTAB, SHT.REL, SHT.LLVM_ADDRSIG, SHT.NULL]);
  const sectionName = (i: number): string | number => (i === SHN.UNDEF || i >= SHN.LORESERVE ? i : elf.sections[i].name);
  return {
    sections: elf.sections
      .filter((s) => !written.has(s.type) && s.index !== elf.header.shstrndx && s.index !== elf.sections[elf.symtab].link)
      .map((s) => ({ name: s.name, type: s.type, flags: s.flags, size: s.size, align: s.addralign, entsize: s.entsize, data: Array.from(s.data) })),
    symbols: elf.symbols.map((s) => ({ name: s.name, value: s.value, size: s.size, type: s.type, binding: s.binding, visibility: s.visibility, section: sectionName(s.section) })),
    relocations: elf.relocations.map((t) => ({ target: elf.sections[t.target].name, entries: t.relocations.map((r) => [r.offset, r.symbol, r.type]) })),
  };
}

/** r1 = .bss ll; r0 = XDP_PASS; exit — with a license and the relocation of the ld_imm64. */
const TINY: ElfWriteInput = {
  sections: [
    { name: '.text', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR, data: new Uint8Array(0), align: 4 },
    { name: 'xdp', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR, data: Uint8Array.of(0x18, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xb7, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0), align: 8 },
    { name: 'license', type: SHT.PROGBITS, flags: SHF.WRITE | SHF.ALLOC, data: new TextEncoder().encode('GPL\0'), align: 1 },
    { name: '.bss', type: SHT.NOBITS, flags: SHF.WRITE | SHF.ALLOC, data: new Uint8Array(0), size: 8, align: 8 },
  ],
  // Globals listed first on purpose: the writer must move the locals ahead of them.
  symbols: [
    { name: 'pass', type: STT.FUNC, binding: STB.GLOBAL, section: 2, size: 32 },
    { name: 'LICENSE', type: STT.OBJECT, binding: STB.GLOBAL, section: 3, size: 4 },
    { name: 'tiny.c', type: STT.FILE, binding: STB.LOCAL, section: SHN.ABS },
    { name: '', type: STT.SECTION, binding: STB.LOCAL, section: 4 },
  ],
  relocations: [{ section: 2, offset: 0, symbol: 3, type: R_BPF.R_BPF_64_64 }],
};

const hasReadelf = installed('llvm-readelf-19');
if (!hasReadelf) console.log('skipped: llvm-readelf-19 not installed');
const hasBpftool = installed('bpftool');
if (!hasBpftool) console.log('skipped: bpftool not installed, libbpf does not check the written files');

const dir = mkdtempSync(join(tmpdir(), 'elf-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function saved(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('writeElf', () => {
  it('lays out a small object: null section and symbol, locals first, 8-byte aligned tables', () => {
    const elf = read(writeElf(TINY));
    expect(elf.sections.map((s) => s.name)).toEqual(['', '.text', 'xdp', 'license', '.bss', '.relxdp', '.symtab', '.strtab', '.shstrtab']);
    expect(elf.symbols.map((s) => s.name)).toEqual(['', 'tiny.c', '', 'pass', 'LICENSE']);
    const symtab = elf.sections[elf.symtab];
    expect(symtab).toMatchObject({ info: 3, link: 7, entsize: 24, addralign: 8 });
    expect(elf.sections[5]).toMatchObject({ type: SHT.REL, link: 6, info: 2, entsize: 16, flags: SHF.INFO_LINK });
    for (const s of elf.sections) expect(s.offset % Math.max(1, s.addralign)).toBe(0);
    expect(elf.header.shoff % 8).toBe(0);
    expect(elf.sections[4]).toMatchObject({ type: SHT.NOBITS, size: 8 });
    // The relocation names the .bss section symbol, now at index 2.
    expect(elf.relocations[0]).toMatchObject({ target: 2, relocations: [{ offset: 0, symbol: 2, type: R_BPF.R_BPF_64_64 }] });
    expect(content(read(writeElf(writeInputOf(elf))))).toEqual(content(elf));
  });

  it('throws on a reference to a section or symbol that does not exist (a caller bug)', () => {
    expect(() => writeElf({ ...TINY, symbols: [{ name: 'x', section: 9 }] })).toThrow(RangeError);
    expect(() => writeElf({ ...TINY, relocations: [{ section: 2, offset: 0, symbol: 4, type: 1 }] })).toThrow(RangeError);
  });

  for (const name of FIXTURES) {
    it(`${name}.o: read → write → read keeps sections, symbols and relocations`, () => {
      const original = read(fixture(name));
      const written = writeElf(writeInputOf(original));
      const again = read(written);
      expect(content(again)).toEqual(content(original));
      // Writing what was read back gives the same bytes: the layout is a function of the content.
      expect(writeElf(writeInputOf(again))).toEqual(written);
    });

    (hasReadelf ? it : it.skip)(`${name}.o written again: llvm-readelf-19 reads it without a warning, as readElf does`, () => {
      const written = writeElf(writeInputOf(read(fixture(name))));
      const theirs = readelfListing(saved(`${name}.o`, written));
      expect(theirs.stderr).toBe('');
      expect(theirs.status).toBe(0);
      const ours = listingOf(read(written));
      expect(ours).toEqual({ sections: theirs.sections, symbols: theirs.symbols, relocations: theirs.relocations });
    });

    (hasBpftool ? it : it.skip)(`${name}.o written again: libbpf opens it (bpftool gen skeleton) and links it (bpftool gen object)`, () => {
      const path = saved(`${name}.libbpf.o`, writeElf(writeInputOf(read(fixture(name)))));
      const skeleton = spawnSync('bpftool', ['gen', 'skeleton', path], { encoding: 'utf8' });
      expect(skeleton.stderr).toBe('');
      expect(skeleton.status).toBe(0);
      const linked = spawnSync('bpftool', ['gen', 'object', join(dir, `${name}.linked.o`), path], { encoding: 'utf8' });
      expect(linked.stderr).toBe('');
      expect(linked.status).toBe(0);
    });
  }

  (hasBpftool ? it : it.skip)('libbpf opens the small hand-made object (its linker would want .BTF)', () => {
    const skeleton = spawnSync('bpftool', ['gen', 'skeleton', saved('tiny.o', writeElf(TINY))], { encoding: 'utf8' });
    expect(skeleton.stderr).toBe('');
    expect(skeleton.status).toBe(0);
  });
});
