// A clang-built object's bytes to the playground's programs and maps: the ELF reader's sections,
// symbols and relocations, the BTF reader's map definitions, line info and CO-RE relocations
// (their access strings turned into member names), handed to loadObject. Errors name the byte
// offset (in the file, or in the .BTF / .BTF.ext section).

import { readElf } from '../program/elf/reader.ts';
import { SHN, STB, STT } from '../program/elf/object.ts';
import { mapDefinitions, readBtf, readBtfExt, resolve, type Btf, type BtfCoreRelo, type BtfType } from '../program/btf/index.ts';
import { loadObject, type ObjectCoreRelocation, type ObjectInput, type ObjectLine, type ObjectLoad, type ObjectSymbol } from './object.ts';

const KIND: Readonly<Record<number, ObjectSymbol['kind']>> = { [STT.NOTYPE]: 'notype', [STT.OBJECT]: 'object', [STT.FUNC]: 'func', [STT.SECTION]: 'section' };

/** The member path of a CO-RE access string ("0:1:2") from its root type: the first index, then member names or array indexes. */
function corePath(btf: Btf, relo: BtfCoreRelo): { struct: string; path: (string | number)[] } | string {
  const parts = relo.access.split(':').map(Number);
  const root = resolve(btf, relo.typeId);
  if (!root || (root.kind !== 'struct' && root.kind !== 'union')) return `CO-RE relocation at 0x${relo.insnOff.toString(16)}: its root type ${relo.typeId} is not a struct`;
  const path: (string | number)[] = [parts[0] ?? 0];
  let t: BtfType = root;
  for (const idx of parts.slice(1)) {
    if (t.kind === 'struct' || t.kind === 'union') {
      const m = t.members[idx];
      if (!m) return `CO-RE relocation at 0x${relo.insnOff.toString(16)}: ${t.kind} ${t.name} has no member ${idx}`;
      path.push(m.name);
      const next = resolve(btf, m.type);
      if (!next) return `CO-RE relocation at 0x${relo.insnOff.toString(16)}: member ${m.name} has no type`;
      t = next;
    } else if (t.kind === 'array') {
      path.push(idx);
      const next = resolve(btf, t.type);
      if (!next) return `CO-RE relocation at 0x${relo.insnOff.toString(16)}: an array of no type`;
      t = next;
    } else return `CO-RE relocation at 0x${relo.insnOff.toString(16)}: step ${idx} into a ${t.kind}`;
  }
  return { struct: root.name, path };
}

/** Reads an object file and loads its programs and maps as libbpf would. Never throws. */
export function objectOfElf(bytes: Uint8Array): ObjectLoad {
  const r = readElf(bytes);
  if (!r.ok) return { ok: false, error: `offset 0x${r.error.offset.toString(16)}: ${r.error.message}` };
  const elf = r.elf;
  const btfSection = elf.sections.find((s) => s.name === '.BTF');
  const extSection = elf.sections.find((s) => s.name === '.BTF.ext');
  let btf: Btf | undefined;
  if (btfSection) {
    const b = readBtf(btfSection.data);
    if (!b.ok) return { ok: false, error: `.BTF at offset 0x${b.error.offset.toString(16)}: ${b.error.message}` };
    btf = b.btf;
  }
  const maps: ObjectInput['maps'][number][] = [];
  if (elf.sections.some((s) => s.name === '.maps')) {
    if (!btf) return { ok: false, error: 'the object has a .maps section but no .BTF to define its maps (compile with -g)' };
    const defs = mapDefinitions(btf);
    const bad = defs.errors[0];
    if (bad) return { ok: false, error: `map '${bad.map}': ${bad.message}` };
    for (const m of defs.maps) maps.push({ name: m.name, type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, kptrs: m.kptrs.map((k) => ({ offset: k.offset, type: k.pointee })) });
  }
  const lines = new Map<string, ObjectLine[]>();
  const core: ObjectCoreRelocation[] = [];
  if (btf && extSection) {
    const e = readBtfExt(extSection.data, btf);
    if (!e.ok) return { ok: false, error: `.BTF.ext at offset 0x${e.error.offset.toString(16)}: ${e.error.message}` };
    for (const sec of e.ext.lineInfo) lines.set(sec.section, sec.records.map((l) => ({ insnOff: l.insnOff, file: l.fileName, line: l.line, col: l.col, text: l.lineText })));
    for (const sec of e.ext.coreRelos) {
      for (const relo of sec.records) {
        if (relo.kind !== 'field_byte_offset') return { ok: false, error: `${sec.section} at offset 0x${relo.insnOff.toString(16)}: CO-RE relocation '${relo.kind}' (only field byte offsets are resolved)` };
        const p = corePath(btf, relo);
        if (typeof p === 'string') return { ok: false, error: `${sec.section}: ${p}` };
        core.push({ section: sec.section, insnOff: relo.insnOff, struct: p.struct, path: p.path, kind: 0 });
      }
    }
  }
  return loadObject({
    sections: elf.sections.map((s) => ({ index: s.index, name: s.name, type: s.type, flags: s.flags, bytes: s.data, size: s.size })),
    symbols: elf.symbols.map((s) => ({ name: s.name, value: s.value, kind: KIND[s.type] ?? 'other', global: s.binding !== STB.LOCAL, section: s.section === SHN.UNDEF ? 0 : s.section })),
    relocations: elf.relocations.flatMap((t) => t.relocations.map((x) => ({ section: t.target, offset: x.offset, symbol: x.symbol, type: x.type }))),
    maps,
    lines,
    core,
  });
}
