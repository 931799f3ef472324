// Loading a clang-built BPF object the way libbpf does, from what the ELF and BTF readers give:
// every program section by its SEC() name, the subprograms of .text appended to each program
// that calls them (BPF-to-BPF calls and callback addresses relocated), BTF-defined maps and the
// global data sections (.data, .rodata, .bss as one-entry array maps reached through
// BPF_PSEUDO_MAP_VALUE), kfunc externs resolved by name, the license, and the BTF line info per
// instruction. The result is what the playground loads from assembly: programs, map
// declarations and initial map contents. Errors are values naming the section and offset.

import type { KptrField, MapDecl, MapType } from '../program/program.ts';
import { MAP_TYPES, sectionKind } from '../program/program.ts';
import { MAP_TYPE_IDS } from '../kernel/maps/types.ts';
import { kfuncByName } from '../kernel/kfuncs/ids.ts';
import { toHex } from '../program/hex.ts';
import { fieldOf, structLayout, type FieldType } from '../kernel/btf/layouts.ts';

/** SHF_EXECINSTR. */
const SHF_EXECINSTR = 0x4;
/** SHT_NOBITS (.bss). */
const SHT_NOBITS = 8;
/** R_BPF_64_64: an ld_imm64's 64-bit immediate. */
const R_BPF_64_64 = 1;
/** R_BPF_64_32: a call's 32-bit immediate. */
const R_BPF_64_32 = 10;
/** BPF_F_RDONLY_PROG: .rodata, as libbpf creates it (include/uapi/linux/bpf.h). */
const BPF_F_RDONLY_PROG = 1 << 7;
/** BPF_F_MMAPABLE: libbpf's global data maps. */
const BPF_F_MMAPABLE = 1 << 10;
const INSN = 8;
/** The largest global data section loaded (4 MiB). */
const MAX_GLOBAL_DATA = 4 << 20;
const LD_IMM64 = 0x18;
const CALL = 0x85;

export interface ObjectSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  /** Its bytes (for SHT_NOBITS, `size` zero bytes are meant). */
  readonly bytes: Uint8Array;
  readonly size: number;
}

export interface ObjectSymbol {
  readonly name: string;
  readonly value: number;
  readonly kind: 'func' | 'object' | 'section' | 'notype' | 'other';
  readonly global: boolean;
  /** The section it is defined in; 0 for an undefined (extern) symbol. */
  readonly section: number;
}

export interface ObjectRelocation {
  /** The section the relocation applies to. */
  readonly section: number;
  readonly offset: number;
  readonly symbol: number;
  readonly type: number;
}

/** A BTF-defined map of the `.maps` section (its name is its variable's). */
export interface ObjectMap {
  readonly name: string;
  /** enum bpf_map_type. */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly kptrs: readonly KptrField[];
}

/** BTF line info of one instruction: its C source line. */
export interface ObjectLine {
  /** Byte offset of the instruction in its section. */
  readonly insnOff: number;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly text: string;
}

/**
 * A CO-RE field relocation (BPF_CORE_FIELD_BYTE_OFFSET) as the object's BTF describes it: the
 * instruction, and the access path from a struct through named members (array indexes as
 * numbers), which is resolved against the simulated kernel's struct layouts.
 */
export interface ObjectCoreRelocation {
  readonly section: string;
  readonly insnOff: number;
  /** The struct the access starts from, as the object's BTF names it (flavour suffix `___x` ignored). */
  readonly struct: string;
  readonly path: readonly (string | number)[];
  /** enum bpf_core_relo_kind; only 0 (field byte offset) is resolved. */
  readonly kind: number;
}

export interface ObjectInput {
  readonly sections: readonly ObjectSection[];
  readonly symbols: readonly ObjectSymbol[];
  readonly relocations: readonly ObjectRelocation[];
  readonly maps: readonly ObjectMap[];
  /** Section name → its instructions' lines. */
  readonly lines?: ReadonlyMap<string, readonly ObjectLine[]>;
  readonly core?: readonly ObjectCoreRelocation[];
}

export interface ObjectProgram {
  /** Its SEC() name. */
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Per instruction slot: its C line, when the object has line info. */
  readonly lines: readonly (ObjectLine | undefined)[];
}

export interface LoadedObject {
  readonly programs: readonly ObjectProgram[];
  readonly maps: readonly MapDecl[];
  /** Initial contents of the global data maps, in the `--maps` format. */
  readonly mapContents: Readonly<Record<string, readonly { key: string; value: string }[]>>;
  readonly license?: string;
  /** Program sections left out, with why (a SEC() name the playground does not run). */
  readonly skipped: readonly string[];
}

export type ObjectLoad = { readonly ok: true; readonly object: LoadedObject } | { readonly ok: false; readonly error: string };

const MAP_TYPE_BY_ID = new Map<number, MapType>(MAP_TYPES.map((t) => [MAP_TYPE_IDS[t], t]));
const GLOBAL_DATA = ['.data', '.rodata', '.bss'];

const isGlobalData = (name: string): boolean => GLOBAL_DATA.some((g) => name === g || name.startsWith(`${g}.`));

/** Loads an object's programs and maps as libbpf would. Never throws. */
export function loadObject(input: ObjectInput): ObjectLoad {
  try {
    return load(input);
  } catch (e) {
    return { ok: false, error: `the object could not be loaded: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function load(input: ObjectInput): ObjectLoad {
  const byIndex = new Map(input.sections.map((s) => [s.index, s]));
  const fail = (error: string): ObjectLoad => ({ ok: false, error });

  // Maps: the BTF-defined ones, then one per global data section, in section order.
  const maps: MapDecl[] = [];
  for (const m of input.maps) {
    const type = MAP_TYPE_BY_ID.get(m.type);
    if (!type) return fail(`map '${m.name}': map type ${m.type} is not one the playground simulates (${MAP_TYPES.join(', ')})`);
    maps.push({ name: m.name, type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, kptrs: m.kptrs, line: 0 });
  }
  const dataMap = new Map<number, number>();
  const mapContents: Record<string, { key: string; value: string }[]> = {};
  for (const s of input.sections) {
    if (!isGlobalData(s.name) || s.size === 0) continue;
    if (s.size > MAX_GLOBAL_DATA) return fail(`${s.name}: ${s.size} bytes of global data; the playground's maps hold at most ${MAX_GLOBAL_DATA} (the kernel's array value limit is in the same range)`);
    if (s.type !== SHT_NOBITS && s.bytes.length < s.size) return fail(`${s.name}: its ${s.size} bytes are not in the file`);
    dataMap.set(s.index, maps.length);
    const name = s.name;
    maps.push({ name, type: 'array', keySize: 4, valueSize: s.size, maxEntries: 1, flags: BPF_F_MMAPABLE | (name.startsWith('.rodata') ? BPF_F_RDONLY_PROG : 0), kptrs: [], line: 0 });
    const value = s.type === SHT_NOBITS ? new Uint8Array(s.size) : s.bytes.subarray(0, s.size);
    if (value.some((b) => b !== 0)) mapContents[name] = [{ key: '00000000', value: toHex(value) }];
  }
  const mapByName = new Map(maps.map((m, i) => [m.name, i]));

  const licenseSection = input.sections.find((s) => s.name === 'license');
  const license = licenseSection ? new TextDecoder().decode(licenseSection.bytes.subarray(0, Math.max(0, licenseSection.bytes.indexOf(0) < 0 ? licenseSection.bytes.length : licenseSection.bytes.indexOf(0)))) : undefined;

  const text = input.sections.find((s) => s.name === '.text' && s.flags & SHF_EXECINSTR);
  const programs: ObjectProgram[] = [];
  const skipped: string[] = [];
  for (const s of input.sections) {
    if (!(s.flags & SHF_EXECINSTR) || s === text || s.size === 0) continue;
    if (sectionKind(s.name).progType === 'unknown') {
      skipped.push(`${s.name}: not a program type the playground runs (xdp, tc, socket, syscall, tp_btf/…)`);
      continue;
    }
    const p = program(s, text, input, byIndex, mapByName, dataMap);
    if (typeof p === 'string') return fail(p);
    programs.push(p);
  }
  if (!programs.length) return fail(`no program the playground runs${skipped.length ? `: ${skipped.join('; ')}` : ' (no executable section besides .text)'}`);
  return { ok: true, object: { programs, maps, mapContents, ...(license === undefined ? {} : { license }), skipped } };
}

/** A function of .text: its byte range. */
interface TextFunction {
  readonly start: number;
  readonly end: number;
}

/**
 * The functions of .text a program reaches from its section, by calls and function addresses
 * and then from those functions on (with or without a relocation: clang writes a call between
 * static functions of .text as a bare pc-relative call), in .text order. libbpf appends only
 * these to the program, so the functions only another program uses stay out of it. .text is
 * split at its FUNC symbols, as libbpf splits it into subprograms (as one function when it has none).
 */
function textFunctionsUsed(s: ObjectSection, text: ObjectSection, own: readonly ObjectRelocation[], textRelocs: readonly ObjectRelocation[], symbols: readonly ObjectSymbol[]): TextFunction[] {
  const starts = new Set([0]);
  for (const x of symbols) if (x.section === text.index && x.kind === 'func' && x.value % INSN === 0 && x.value < text.size) starts.add(x.value);
  const bounds = [...starts].sort((a, b) => a - b);
  const functions: TextFunction[] = bounds.map((start, i) => ({ start, end: bounds[i + 1] ?? text.size }));
  const used = new Set<TextFunction>();
  const pending: TextFunction[] = [];
  const reach = (off: number): void => {
    const f = functions.find((x) => off >= x.start && off < x.end);
    if (f && !used.has(f)) {
      used.add(f);
      pending.push(f);
    }
  };
  const follow = (relocs: readonly ObjectRelocation[], code: Uint8Array, from: number, to: number): void => {
    const dv = new DataView(code.buffer, code.byteOffset, code.byteLength);
    for (const r of relocs) {
      const sym = symbols[r.symbol];
      if (r.offset < from || r.offset + INSN > to || sym?.section !== text.index) continue;
      const imm = dv.getInt32(r.offset + 4, true);
      reach(code[r.offset] === CALL ? sym.value + (imm + 1) * INSN : sym.value + imm);
    }
  };
  follow(own, s.bytes, 0, s.size);
  const relocated = new Set(textRelocs.map((r) => r.offset));
  const dv = new DataView(text.bytes.buffer, text.bytes.byteOffset, text.bytes.byteLength);
  for (let f = pending.pop(); f; f = pending.pop()) {
    follow(textRelocs, text.bytes, f.start, f.end);
    for (const off of bareCalls(text, f, relocated)) reach(off + (dv.getInt32(off + 4, true) + 1) * INSN);
  }
  return functions.filter((f) => used.has(f));
}

/** The offsets of the BPF-to-BPF calls in `f` that no relocation names (pc-relative within .text). */
function bareCalls(text: ObjectSection, f: TextFunction, relocated: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let off = f.start; off + INSN <= f.end; off += text.bytes[off] === LD_IMM64 ? 2 * INSN : INSN) {
    if (text.bytes[off] === CALL && (text.bytes[off + 1] ?? 0) >> 4 === 1 && !relocated.has(off)) out.push(off);
  }
  return out;
}

/**
 * One program: its section, then the functions of .text it uses (textFunctionsUsed), with every
 * relocation applied.
 */
function program(s: ObjectSection, text: ObjectSection | undefined, input: ObjectInput, byIndex: ReadonlyMap<number, ObjectSection>, mapByName: ReadonlyMap<string, number>, dataMap: ReadonlyMap<number, number>): ObjectProgram | string {
  for (const sec of text ? [s, text] : [s]) {
    if (sec.size % INSN) return `${sec.name}: its size (${sec.size} bytes) is not a whole number of instructions`;
    if (sec.bytes.length < sec.size) return `${sec.name}: its ${sec.size} bytes of instructions are not in the file`;
  }
  const own = input.relocations.filter((r) => r.section === s.index);
  const textRelocs = text ? input.relocations.filter((r) => r.section === text.index) : [];
  for (const r of [...own, ...textRelocs]) {
    const sec = r.section === s.index ? s : text;
    if (r.offset % INSN || r.offset + INSN > (sec?.size ?? 0)) return `${sec?.name ?? ''} at offset 0x${r.offset.toString(16)}: a relocation outside the instructions`;
  }
  // Each used function of .text, and where it starts in this program.
  const placed: (TextFunction & { readonly slot: number })[] = [];
  let total = s.size / INSN;
  for (const f of text ? textFunctionsUsed(s, text, own, textRelocs, input.symbols) : []) {
    placed.push({ ...f, slot: total });
    total += (f.end - f.start) / INSN;
  }
  const textSlot = (off: number): number | undefined => {
    const f = off % INSN ? undefined : placed.find((x) => off >= x.start && off < x.end);
    return f && f.slot + (off - f.start) / INSN;
  };
  /** The slot in this program of byte `off` of section `section`, when it is in the program. */
  const slotOf = (section: number, off: number): number | undefined => {
    if (section === s.index) return off % INSN === 0 && off >= 0 && off < s.size ? off / INSN : undefined;
    return section === text?.index ? textSlot(off) : undefined;
  };
  const bytes = new Uint8Array(total * INSN);
  bytes.set(s.bytes.subarray(0, s.size));
  if (text) for (const f of placed) bytes.set(text.bytes.subarray(f.start, f.end), f.slot * INSN);
  const dv = new DataView(bytes.buffer);
  const relocs = [
    ...own.map((r) => ({ r, slot: r.offset / INSN })),
    ...textRelocs.flatMap((r) => {
      const slot = textSlot(r.offset);
      return slot === undefined ? [] : [{ r, slot }];
    }),
  ];
  for (const { r, slot } of relocs) {
    const where = `${r.section === s.index ? s.name : '.text'} at offset 0x${r.offset.toString(16)}`;
    const o = slot * INSN;
    const sym = input.symbols[r.symbol];
    if (!sym) return `${where}: relocation against symbol ${r.symbol}, which does not exist`;
    const code = bytes[o] ?? 0;
    const target = byIndex.get(sym.section);
    if (code === CALL && (r.type === R_BPF_64_32 || r.type === R_BPF_64_64 || r.type === 2 || r.type === 3 || r.type === 4)) {
      if (sym.section === 0) {
        const k = kfuncByName(sym.name);
        if (!k) return `${where}: call to '${sym.name}', which is neither a kfunc nor a function of the object`;
        setSrc(bytes, o, 2);
        dv.setInt32(o + 4, k.id, true);
        continue;
      }
      if (sym.section !== s.index && sym.section !== text?.index) return `${where}: call into section ${target?.name ?? sym.section}, which is not .text`;
      // libbpf: the callee is at sym.value / 8 + imm + 1 in its section (imm -1 for a global function).
      const at = sym.value + (dv.getInt32(o + 4, true) + 1) * INSN;
      const callee = slotOf(sym.section, at);
      if (callee === undefined) return `${where}: call to offset 0x${at.toString(16)} of ${target?.name ?? sym.section}, outside its instructions`;
      setSrc(bytes, o, 1);
      dv.setInt32(o + 4, callee - (slot + 1), true);
      continue;
    }
    if (code !== LD_IMM64) return `${where}: relocation type ${r.type} on an instruction that is neither ld_imm64 nor call (opcode 0x${code.toString(16)})`;
    if (o + 2 * INSN > bytes.length) return `${where}: ld_imm64 without its second half`;
    if (sym.section === 0) return `${where}: '${sym.name}' is an extern variable (a __ksym variable), which the playground does not resolve`;
    if (target?.name === '.maps') {
      const index = mapByName.get(sym.name);
      if (index === undefined) return `${where}: '${sym.name}' is in .maps but has no BTF map definition`;
      setSrc(bytes, o, 1);
      dv.setInt32(o + 4, index, true);
      dv.setInt32(o + 12, 0, true);
      continue;
    }
    const data = dataMap.get(sym.section);
    if (data !== undefined) {
      // BPF_PSEUDO_MAP_VALUE: the map, and the offset into its value (the symbol's, plus the addend already in imm).
      const off = (sym.kind === 'section' ? 0 : sym.value) + dv.getInt32(o + 4, true);
      setSrc(bytes, o, 2);
      dv.setInt32(o + 4, data, true);
      dv.setInt32(o + 12, off, true);
      continue;
    }
    if (target && target.flags & SHF_EXECINSTR && (sym.section === s.index || sym.section === text?.index)) {
      // The address of a function (a callback): BPF_PSEUDO_FUNC, relative to the next instruction.
      // libbpf: at sym.value + imm bytes in its section (a static function's symbol is its section's).
      const at = sym.value + dv.getInt32(o + 4, true);
      const fn = slotOf(sym.section, at);
      if (fn === undefined) return `${where}: the address of offset 0x${at.toString(16)} of ${target.name}, outside its instructions`;
      setSrc(bytes, o, 4);
      dv.setInt32(o + 4, fn - (slot + 1), true);
      continue;
    }
    return `${where}: ld_imm64 of '${sym.name}' in section ${target?.name ?? sym.section}, which is neither a map, global data nor a function`;
  }
  if (text) {
    // Calls between functions of .text without a relocation: pc-relative in .text, so moved with their callees.
    const relocated = new Set(textRelocs.map((r) => r.offset));
    const tv = new DataView(text.bytes.buffer, text.bytes.byteOffset, text.bytes.byteLength);
    for (const f of placed) {
      for (const off of bareCalls(text, f, relocated)) {
        const slot = f.slot + (off - f.start) / INSN;
        const at = off + (tv.getInt32(off + 4, true) + 1) * INSN;
        const callee = textSlot(at);
        if (callee === undefined) return `.text at offset 0x${off.toString(16)}: call to offset 0x${at.toString(16)}, outside the functions of .text`;
        dv.setInt32(slot * INSN + 4, callee - (slot + 1), true);
      }
    }
  }
  for (const c of input.core ?? []) {
    const where = `${c.section} at offset 0x${c.insnOff.toString(16)}`;
    const sec = c.section === s.name ? s : c.section === text?.name ? text : undefined;
    if (!sec) continue;
    if (c.insnOff % INSN || c.insnOff + INSN > sec.size) return `${where}: a CO-RE relocation outside the instructions`;
    const slot = slotOf(sec.index, c.insnOff);
    // A record for a function of .text this program does not use.
    if (slot === undefined) continue;
    const o = slot * INSN;
    if (c.kind !== 0) return `${where}: CO-RE relocation kind ${c.kind} (only field byte offsets are resolved)`;
    const off = coreOffset(c.struct, c.path);
    if (typeof off === 'string') return `${where}: CO-RE: ${off}`;
    // A load or store takes the offset in `off`; `rX += off` (or a mov of it) in `imm`.
    const cls = (bytes[o] ?? 0) & 0x07;
    if (cls === 0x01 || cls === 0x02 || cls === 0x03) dv.setInt16(o + 2, off, true);
    else dv.setInt32(o + 4, off, true);
  }
  const lines: (ObjectLine | undefined)[] = new Array<ObjectLine | undefined>(total).fill(undefined);
  for (const sec of text ? [s, text] : [s]) {
    for (const l of input.lines?.get(sec.name) ?? []) {
      const slot = slotOf(sec.index, l.insnOff);
      if (slot !== undefined) lines[slot] = l;
    }
  }
  // Slots without their own line take the line before them (as line info covers ranges).
  for (let i = 1; i < total; i++) lines[i] ??= lines[i - 1];
  return { name: s.name, bytes, lines };
}

/** The byte offset of a member path in the simulated kernel's layout of `struct`, or why there is none. */
function coreOffset(struct: string, path: readonly (string | number)[]): number | string {
  let name = struct.replace(/___\w+$/, '');
  let off = 0;
  let type: FieldType | undefined = { kind: 'struct', name };
  for (const step of path) {
    if (typeof step === 'number') {
      if (type?.kind !== 'array') {
        if (step === 0) continue;
        return `index ${step} into ${name}, which is not an array`;
      }
      const elem: FieldType = type.of;
      off += step * fieldTypeSize(elem);
      type = elem;
      continue;
    }
    if (type?.kind !== 'struct') return `'.${step}' of something that is not a struct`;
    name = type.name;
    const f = fieldOf(name, step);
    if (!f) return `struct ${name} has no field '${step}' in the simulated kernel (${(structLayout(name)?.fields ?? []).map((x) => x.name).join(', ') || 'no such struct'})`;
    off += f.offset;
    type = f.type;
  }
  return off;
}

function fieldTypeSize(t: FieldType): number {
  switch (t.kind) {
    case 'int':
      return t.size;
    case 'ptr':
      return 8;
    case 'array':
      return t.count * fieldTypeSize(t.of);
    case 'struct':
      return structLayout(t.name)?.size ?? 0;
  }
}

function setSrc(bytes: Uint8Array, o: number, src: number): void {
  bytes[o + 1] = ((bytes[o + 1] ?? 0) & 0x0f) | (src << 4);
}

