// readElf against llvm-readelf-19 on clang-compiled fixtures, and its refusals of files that are
// not relocatable little-endian 64-bit BPF objects or whose tables point outside the file.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPILE_FLAGS, FIXTURE_DIR, FIXTURES, fixture, installed, listingOf, readelfListing } from './fixtures/fixtures.ts';
import { ELF, R_BPF, SHN, SHT, STB, STT, type ElfObject, type ElfReadError } from './object.ts';
import { readElf } from './reader.ts';
import { writeElf } from './writer.ts';

function read(bytes: Uint8Array): ElfObject {
  const r = readElf(bytes);
  if (!r.ok) throw new Error(`${r.error.message} (offset ${r.error.offset})`);
  return r.elf;
}

function refusal(bytes: Uint8Array): ElfReadError {
  const r = readElf(bytes);
  if (r.ok) throw new Error('expected readElf to refuse the file');
  return r.error;
}

/** A fixture with little-endian fields patched. */
function patched(name: string, fields: readonly [offset: number, bytes: 1 | 2 | 4 | 8, value: number | bigint][]): Uint8Array {
  const b = fixture(name).slice();
  const view = new DataView(b.buffer);
  for (const [at, size, value] of fields) {
    if (size === 1) view.setUint8(at, Number(value));
    else if (size === 2) view.setUint16(at, Number(value), true);
    else if (size === 4) view.setUint32(at, Number(value), true);
    else view.setBigUint64(at, BigInt(value), true);
  }
  return b;
}

const hasReadelf = installed('llvm-readelf-19');
if (!hasReadelf) console.log('skipped: llvm-readelf-19 not installed');
const hasBpftool = installed('bpftool');

describe('readElf on the fixtures', () => {
  for (const name of FIXTURES) {
    (hasReadelf ? it : it.skip)(`${name}.o: sections, symbols and relocations as llvm-readelf-19 lists them`, () => {
      const theirs = readelfListing(join(FIXTURE_DIR, `${name}.o`));
      expect(theirs.status).toBe(0);
      const ours = listingOf(read(fixture(name)));
      expect(theirs.sections.length).toBeGreaterThan(5);
      expect(ours.sections).toEqual(theirs.sections);
      expect(ours.symbols).toEqual(theirs.symbols);
      expect(ours.relocations).toEqual(theirs.relocations);
    });
  }

  (hasReadelf && hasBpftool ? it : it.skip)('the same after the libbpf linker rewrote each fixture (bpftool gen object)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'elf-linked-'));
    try {
      for (const name of FIXTURES) {
        const out = join(dir, `${name}.o`);
        expect(spawnSync('bpftool', ['gen', 'object', out, join(FIXTURE_DIR, `${name}.o`)], { encoding: 'utf8' }).status).toBe(0);
        const theirs = readelfListing(out);
        const ours = listingOf(read(new Uint8Array(readFileSync(out))));
        expect(ours).toEqual({ sections: theirs.sections, symbols: theirs.symbols, relocations: theirs.relocations });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('xdp_map.o: the program, its map, the helper call and the license', () => {
    const elf = read(fixture('xdp_map'));
    expect(elf.header).toMatchObject({ type: ELF.ET_REL, machine: ELF.EM_BPF });
    const xdp = elf.sections.find((s) => s.name === 'xdp');
    expect(xdp).toMatchObject({ type: SHT.PROGBITS, addralign: 8 });
    // A section's data is a view into the file, not a copy.
    const bytes = fixture('xdp_map');
    const again = read(bytes).sections.find((s) => s.name === 'xdp');
    expect(again?.data.buffer).toBe(bytes.buffer);
    expect(new TextDecoder().decode(elf.sections.find((s) => s.name === 'license')?.data)).toBe('GPL\0');
    const counters = elf.symbols.find((s) => s.name === 'counters');
    expect(counters).toMatchObject({ type: STT.OBJECT, binding: STB.GLOBAL });
    expect(elf.sections[counters?.section ?? 0].name).toBe('.maps');
    const relxdp = elf.relocations.find((t) => elf.sections[t.target].name === 'xdp');
    expect(relxdp?.relocations.map((r) => [elf.symbols[r.symbol].name, r.type])).toEqual([['counters', R_BPF.R_BPF_64_64]]);
  });

  it('tp_btf_kfunc.o: kfuncs are undefined globals called through R_BPF_64_32', () => {
    const elf = read(fixture('tp_btf_kfunc'));
    const kfunc = elf.symbols.find((s) => s.name === 'bpf_cpumask_create');
    expect(kfunc).toMatchObject({ section: SHN.UNDEF, binding: STB.GLOBAL });
    const calls = elf.relocations.flatMap((t) => t.relocations).filter((r) => r.symbol === kfunc?.index);
    expect(calls.map((r) => r.type)).toContain(R_BPF.R_BPF_64_32);
  });

  it('globals_call.o: .data, .rodata, .bss and a call into .text', () => {
    const elf = read(fixture('globals_call'));
    const sectionOf = (name: string): string => elf.sections[elf.symbols.find((s) => s.name === name)?.section ?? 0].name;
    expect([sectionOf('min_len'), sectionOf('seen'), sectionOf('dropped'), sectionOf('too_short')]).toEqual(['.rodata', '.data', '.bss', '.text']);
    const bss = elf.sections.find((s) => s.name === '.bss');
    expect(bss?.type).toBe(SHT.NOBITS);
    expect(bss?.size).toBe(8);
    expect(bss?.data.length).toBe(0);
  });

  it('core_read.o: CO-RE records live in .BTF.ext, relocated by R_BPF_64_NODYLD32', () => {
    const elf = read(fixture('core_read'));
    const btfExt = elf.sections.find((s) => s.name === '.BTF.ext');
    const rel = elf.relocations.find((t) => t.target === btfExt?.index);
    expect(rel?.relocations.every((r) => r.type === R_BPF.R_BPF_64_NODYLD32)).toBe(true);
  });
});

describe('readElf refuses what is not a relocatable BPF object', () => {
  it('says which of magic, class, byte order, type and machine is wrong', () => {
    expect(refusal(new Uint8Array(0))).toMatchObject({ offset: 0, message: expect.stringContaining('not an ELF file') });
    expect(refusal(patched('xdp_map', [[4, 1, 1]]))).toMatchObject({ offset: 4, message: expect.stringContaining('32-bit') });
    expect(refusal(patched('xdp_map', [[5, 1, 2]]))).toMatchObject({ offset: 5, message: expect.stringContaining('big-endian') });
    expect(refusal(patched('xdp_map', [[16, 2, 2]]))).toMatchObject({ offset: 16, message: expect.stringContaining('an executable (ET_EXEC)') });
    expect(refusal(patched('xdp_map', [[18, 2, 62]]))).toMatchObject({ offset: 18, message: expect.stringContaining('x86-64') });
    expect(refusal(fixture('xdp_map').subarray(0, 40))).toMatchObject({ offset: 0, message: expect.stringContaining('too short') });
  });

  it('names the section header whose data runs past the end of the file', () => {
    const bytes = fixture('xdp_map');
    const shoff = Number(new DataView(bytes.buffer).getBigUint64(40, true));
    const at = shoff + 7 * 64;
    const error = refusal(patched('xdp_map', [[at + 24, 8, 0x4000], [at + 32, 8, 96]]));
    expect(error.offset).toBe(at);
    expect(error.message).toBe(`section header 7 at offset 0x${at.toString(16)}: its data (offset 0x4000, 96 bytes) runs past the end of the ${bytes.length.toLocaleString('en-US')}-byte file`);
  });

  it('checks the header table, string offsets, symbol sections and relocation symbols', () => {
    const bytes = fixture('xdp_map');
    const elf = read(bytes);
    const len = bytes.length;
    expect(refusal(patched('xdp_map', [[40, 8, len - 64]])).message).toContain('section header table');
    expect(refusal(patched('xdp_map', [[40, 8, 2n ** 60n]])).message).toContain('too large');
    expect(refusal(patched('xdp_map', [[60, 2, 0xffff]])).offset).toBe(40);
    expect(refusal(patched('xdp_map', [[62, 2, 2000]])).offset).toBe(62);
    const text = elf.sections[2];
    expect(refusal(patched('xdp_map', [[text.headerOffset, 4, 0xfffff]])).message).toMatch(/section header 2 at offset 0x[0-9a-f]+: its name \(offset 0xfffff in string table section 1\) lies past the end/);
    const sym = elf.symbols[elf.symbols.length - 1];
    expect(refusal(patched('xdp_map', [[sym.fileOffset + 6, 2, 500]]))).toMatchObject({ offset: sym.fileOffset, message: expect.stringContaining('section index 500') });
    const rel = elf.relocations[0].relocations[0];
    expect(refusal(patched('xdp_map', [[rel.fileOffset + 12, 4, 1e6]]))).toMatchObject({ offset: rel.fileOffset, message: expect.stringContaining('symbol index 1000000') });
    const symtab = elf.sections[elf.symtab];
    expect(refusal(patched('xdp_map', [[symtab.headerOffset + 56, 8, 16]])).message).toContain('entry size is 16, expected 24');
    expect(refusal(patched('xdp_map', [[symtab.headerOffset + 32, 8, symtab.size - 1]])).message).toContain('not a whole number of 24-byte symbol entries');
  });
});

describe('readElf stays linear on hostile string tables', () => {
  /** 20,000 symbols whose names all point into one pool section of `poolSize` bytes with a NUL every `nulEvery`. */
  function namePool(poolSize: number, nulEvery: number): Uint8Array {
    const pool = new Uint8Array(poolSize).fill(0x61);
    for (let i = nulEvery - 1; i < poolSize; i += nulEvery) pool[i] = 0;
    pool[poolSize - 1] = 0;
    const symbols = Array.from({ length: 20_000 }, (_, i) => ({ name: `s${i}`, section: 1 }));
    const bytes = writeElf({ sections: [{ name: '.pool', type: SHT.STRTAB, data: pool }], symbols });
    const elf = read(bytes);
    const view = new DataView(bytes.buffer);
    // The symbol table's strings are now the pool; symbol i's name starts at byte 29·i of it.
    view.setUint32(elf.sections[elf.symtab].headerOffset + 40, 1, true);
    for (const sym of elf.symbols.slice(1)) view.setUint32(sym.fileOffset, (sym.index * 29) % (poolSize - 1), true);
    return bytes;
  }

  it('refuses a name longer than 4,096 bytes', () => {
    expect(refusal(namePool(600_000, 600_000)).message).toContain('is longer than 4,096 bytes');
  });

  it('reads 20,000 names of nearly 4 KiB each quickly', () => {
    const bytes = namePool(600_000, 4000);
    const start = performance.now();
    expect(read(bytes).symbols.length).toBe(20_001);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

const hasClang = installed('clang-19');
if (!hasClang) console.log('skipped: clang-19 not installed, the fixtures are not recompiled');

describe('the fixtures are up to date', () => {
  (hasClang ? it : it.skip)('recompiling each source gives the same sections and symbols', () => {
    const dir = mkdtempSync(join(tmpdir(), 'elf-fixtures-'));
    try {
      for (const name of FIXTURES) {
        const out = join(dir, `${name}.o`);
        const cc = spawnSync('clang-19', [...COMPILE_FLAGS, join(FIXTURE_DIR, `${name}.c`), '-o', out], { encoding: 'utf8' });
        expect(cc.stderr).toBe('');
        const fresh = read(new Uint8Array(readFileSync(out)));
        const shipped = read(fixture(name));
        const shape = (elf: ElfObject): unknown => ({
          sections: elf.sections.filter((s) => !s.name.startsWith('.debug') && !s.name.startsWith('.rel.debug')).map((s) => [s.name, s.type, s.name.startsWith('.BTF') ? 0 : s.size]),
          symbols: elf.symbols.map((s) => [s.name, s.type, s.binding]),
        });
        expect(shape(fresh)).toEqual(shape(shipped));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
