// A playground program as the relocatable BPF object clang would write for it, for libbpf and
// bpftool: one executable section per program with a global FUNC symbol, the maps in `.maps`
// described in BTF as bpf_helpers.h's __uint/__type do (kptr fields as `__kptr` type tags),
// R_BPF_64_64 on each map ld_imm64, R_BPF_64_32 on each kfunc call against an undefined symbol
// declared in BTF as an extern FUNC of the `.ksyms` DATASEC, the license, `.BTF` and func_info.
// A program with BPF-to-BPF calls or callbacks (BPF_PSEUDO_FUNC) is split as clang splits C: its
// entry stays in its section, the functions it calls go to `.text` as static functions (a local
// FUNC symbol, a BTF FUNC of static linkage, a func_info record each), each call is `call -1` with
// R_BPF_64_32 against the callee's symbol, and each callback address an ld_imm64 of its offset in
// `.text` with R_BPF_64_64 against the `.text` section symbol (libbpf takes a function address
// only against a global FUNC or a section symbol). Each section's functions are its own copies,
// one after the other in `.text` in the program's order (engine/load/object.ts appends them back
// in that order). libbpf appends them depth first from the entry, in the order the calls come:
// the same layout when the functions are written in that order, else the kernel numbers the
// instructions differently (the same program).
// A `STRUCT.FIELD` of a kernel-memory struct becomes a CO-RE field relocation, as clang writes
// one for a preserve_access_index struct: `.BTF` holds the struct with the members used, at the
// simulated kernel's offsets (which the instructions hold), and `.BTF.ext` the record, so libbpf
// moves each offset to the running kernel's layout. UAPI structs (xdp_md, __sk_buff, …) are a
// stable ABI and get none, as with the UAPI headers. engine/load/elf-object.ts reads the result
// back into the same program.

import { BtfBuilder } from '../btf/writer.ts';
import type { MapDecl, MapType, Relocation } from '../program.ts';
import { sectionKind } from '../program.ts';
import { R_BPF, SHF, SHN, SHT, STB, STT } from './object.ts';
import { writeElf, type ElfRelocationInput, type ElfSectionInput, type ElfSymbolInput } from './writer.ts';

export interface ExportSection {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly relocations: readonly Relocation[];
  /** Label name to slot: a function of `.text` is named after the label at its first instruction. */
  readonly labels?: ReadonlyMap<string, number>;
}

export interface ExportInput {
  readonly sections: readonly ExportSection[];
  readonly maps: readonly MapDecl[];
  readonly license?: string;
  /**
   * Initial contents of maps, in the `--maps` format (hex `{key, value}` entries by map name):
   * what `.data` and `.rodata` hold when the object is loaded (others are not written).
   */
  readonly mapContents?: Readonly<Record<string, readonly { readonly key: string; readonly value: string }[]>>;
}

/**
 * A global data map — a section of global variables (`.data`, `.rodata`, `.bss`, and their
 * `.name` variants), as engine/load/object.ts makes one from an object: a one-entry array map
 * the program reaches through BPF_PSEUDO_MAP_VALUE. Exported as the section it came from.
 */
export function isGlobalDataMap(m: MapDecl): boolean {
  return /^\.(data|rodata|bss)(\.[\w.]*)?$/.test(m.name) && m.type === 'array' && m.keySize === 4 && m.maxEntries === 1 && m.valueSize > 0 && !m.kptrs.length;
}

/** A kfunc parameter or return type, as engine/kernel/decls.ts's KfuncType describes it. */
export type ExportKfuncType =
  | { readonly kind: 'void' }
  | { readonly kind: 'scalar' | 'mem_size'; readonly c: string }
  | { readonly kind: 'ptr' | 'ctx' | 'kptr_slot'; readonly btf: string; readonly const?: boolean }
  | { readonly kind: 'mem'; readonly pointee: string; readonly const: boolean; readonly size?: number };

/** A struct field's type, as engine/kernel/btf/layouts.ts's FieldType describes it. */
export type ExportFieldType =
  | { readonly kind: 'int'; readonly size: number; readonly signed: boolean }
  | { readonly kind: 'ptr'; readonly to: string }
  | { readonly kind: 'array'; readonly of: ExportFieldType; readonly count: number }
  | { readonly kind: 'struct'; readonly name: string };

/** A struct of the simulated kernel, as engine/kernel/btf/layouts.ts's StructLayout describes it. */
export interface ExportStruct {
  readonly size: number;
  /** A UAPI struct: its offsets are used as they are (no CO-RE relocation). */
  readonly uapi: boolean;
  readonly fields: readonly { readonly name: string; readonly offset: number; readonly type: ExportFieldType }[];
}

/**
 * What the export needs from the simulated kernel (engine/program does not import it): map type
 * numbers, kfunc prototypes by name and the sizes of their scalar types, and the struct layouts
 * that `STRUCT.FIELD` offsets come from.
 */
export interface ExportKernel {
  mapTypeId(type: MapType): number;
  kfunc(name: string): { readonly ret: ExportKfuncType; readonly args: readonly { readonly name: string; readonly type: ExportKfuncType }[] } | undefined;
  readonly scalars: Readonly<Record<string, { readonly size: number; readonly signed: boolean }>>;
  struct(name: string): ExportStruct | undefined;
}

export type ExportResult = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly error: string };

const INSN = 8;
const LD_IMM64 = 0x18;
const CALL = 0x85;
/** Instruction classes (the low 3 bits of the opcode). */
const CLASS = { ldx: 0x01, st: 0x02, stx: 0x03, alu: 0x04, jmp: 0x05, jmp32: 0x06, alu64: 0x07 } as const;
/** BPF_X: the source is a register, not `imm`. */
const SRC_REG = 0x08;
const BPF_PSEUDO_CALL = 1;
/** An ld_imm64 of a function's address (a callback), relative to the next instruction. */
const BPF_PSEUDO_FUNC = 4;
/** ld_imm64 src_reg: the address of a map value (global data). */
const BPF_PSEUDO_MAP_VALUE = 2;
/** Jump operations (the high 4 bits of a jmp/jmp32 opcode) that are not jumps. */
const OP_CALL = 0x80;
const OP_EXIT = 0x90;
/** Map types whose key and value the kernel accepts as BTF types (the others get __uint sizes). */
const TYPED_MAPS: ReadonlySet<string> = new Set(['hash', 'array', 'percpu_hash', 'percpu_array', 'lru_hash', 'lru_percpu_hash']);
const UNSIGNED: Readonly<Record<number, string>> = { 1: 'unsigned char', 2: 'unsigned short', 4: 'unsigned int', 8: 'unsigned long long' };

/** The object file for `input`, or why it cannot be written yet. Never throws. */
export function objectOfProgram(input: ExportInput, kernel: ExportKernel): ExportResult {
  try {
    return build(input, kernel);
  } catch (e) {
    return { ok: false, error: `the object could not be written: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** A C identifier for a section name: `tp_btf/task_newtask` → `tp_btf_task_newtask`. */
export function symbolName(section: string): string {
  const s = section.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(s) || s === '' ? `_${s}` : s;
}

function build(input: ExportInput, kernel: ExportKernel): ExportResult {
  const fail = (error: string): ExportResult => ({ ok: false, error });
  const sections = input.sections.filter((s) => s.bytes.length > 0);
  if (!sections.length) return fail('there is no program to export');
  const core = coreFields(sections, kernel);
  if (typeof core === 'string') return fail(core);
  const splits: Split[] = [];
  for (const s of sections) {
    const kind = sectionKind(s.name).progType;
    if (kind === 'raw' || kind === 'unknown') return fail(`not exported yet: section '${s.name}' names no program type libbpf knows (use xdp, tc, socket, syscall or tp_btf/…)`);
    const split = splitSection(s);
    if (typeof split === 'string') return fail(split);
    splits.push(split);
  }
  const functionNames = nameFunctions(sections, splits, input.maps);
  // .text, when a program has functions, right after the program sections.
  const textIndex = splits.some((x) => x.functions.length > 1) ? sections.length + 1 : 0;
  const btf = new BtfBuilder();
  const types = new TypeCache(btf, kernel, core);

  const elfSections: ElfSectionInput[] = [];
  const symbols: ElfSymbolInput[] = [];
  const relocations: ElfRelocationInput[] = [];
  const names = new Set<string>();
  const unique = (name: string, what: string): string | undefined => {
    if (names.has(name)) return `${what}: the symbol '${name}' is already used by another section or map`;
    names.add(name);
    return undefined;
  };

  // Maps first in name order of the input, so their indexes read back the same. Global data
  // maps become their sections (after .maps), each with a section symbol to relocate against.
  const btfMaps = input.maps.filter((m) => !isGlobalDataMap(m));
  const dataMaps = input.maps.filter(isGlobalDataMap);
  // The reader makes the BTF-defined maps first, then one per data section: a program whose
  // maps are in another order would read back with other indexes.
  const firstData = input.maps.findIndex(isGlobalDataMap);
  if (firstData >= 0 && input.maps.slice(firstData).some((m) => !isGlobalDataMap(m))) return fail(`not exported yet: the global data map '${input.maps[firstData]?.name ?? ''}' is declared before map '${input.maps.slice(firstData).find((m) => !isGlobalDataMap(m))?.name ?? ''}' (an object lists its BTF-defined maps first)`);
  const mapSymbol = new Map<string, number>();
  const mapsIndex = btfMaps.length ? sections.length + 1 + (textIndex ? 1 : 0) : 0;
  const dataIndex = sections.length + 1 + (textIndex ? 1 : 0) + (btfMaps.length ? 1 : 0);
  const dataSymbol = new Map<string, number>();
  for (const [k, m] of dataMaps.entries()) {
    const clash = unique(m.name, `map '${m.name}'`);
    if (clash) return fail(clash);
    dataSymbol.set(m.name, symbols.push({ name: '', value: 0, type: STT.SECTION, binding: STB.LOCAL, section: dataIndex + k }) - 1);
  }
  const mapVars: { type: number; offset: number; size: number }[] = [];
  let mapsSize = 0;
  for (const m of btfMaps) {
    const clash = unique(m.name, `map '${m.name}'`);
    if (clash) return fail(clash);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(m.name)) return fail(`not exported yet: map '${m.name}' is not named by a C identifier`);
    const typed = TYPED_MAPS.has(m.type) && m.keySize > 0 && m.valueSize > 0;
    if (m.kptrs.length && !typed) return fail(`not exported yet: map '${m.name}': kptr fields in a ${m.type} map`);
    const varId = btf.addMapDefinition({
      name: m.name,
      type: kernel.mapTypeId(m.type),
      ...(typed ? { key: types.sized(m.keySize), value: types.value(m) } : {}),
      ...(!typed && m.keySize > 0 ? { keySize: m.keySize } : {}),
      ...(!typed && m.valueSize > 0 ? { valueSize: m.valueSize } : {}),
      maxEntries: m.maxEntries,
      ...(m.flags ? { flags: m.flags } : {}),
    });
    // The definition struct: one 8-byte pointer per __uint/__type field.
    const size = 8 * (2 + (m.keySize > 0 ? 1 : 0) + (m.valueSize > 0 ? 1 : 0) + (m.flags ? 1 : 0));
    mapVars.push({ type: varId, offset: mapsSize, size });
    mapSymbol.set(m.name, symbols.length);
    symbols.push({ name: m.name, value: mapsSize, size, type: STT.OBJECT, binding: STB.GLOBAL, section: mapsIndex });
    mapsSize += size;
  }

  const kfuncSymbol = new Map<string, number>();
  const ksyms: { type: number; offset: number; size: number }[] = [];
  // `int name(void *ctx)`; tp_btf's as BPF_PROG writes it: `unsigned long long *ctx`.
  const protos = new Map<string, number>();
  const progProto = (kind: string): number => {
    let id = protos.get(kind);
    if (id === undefined) {
      id = btf.addFuncProto(types.int(4, true), [{ name: 'ctx', type: btf.addPtr(kind === 'tp_btf' ? types.int(8) : 0) }]);
      protos.set(kind, id);
    }
    return id;
  };
  // The functions of .text: `int NAME(void)`, static (the kernel verifies them in their caller's context).
  let staticProto = 0;
  const textSymbol = textIndex ? symbols.push({ name: '', value: 0, type: STT.SECTION, binding: STB.LOCAL, section: textIndex }) - 1 : -1;
  const text: Uint8Array[] = [];
  let textSize = 0;
  for (const [i, s] of sections.entries()) {
    const index = i + 1;
    const split = splits[i];
    const fnNames = functionNames[i];
    if (!split || !fnNames) return fail(`${s.name}: the section was not split into functions`);
    const kind = sectionKind(s.name).progType;
    const name = symbolName(s.name);
    const clash = unique(name, `section '${s.name}'`);
    if (clash) return fail(clash);
    const bytes = s.bytes.slice();
    const dv = new DataView(bytes.buffer);
    // The entry keeps its section; the functions after it go to .text, in order, from textSize on.
    const entryEnd = split.functions[1]?.start ?? bytes.length / INSN;
    const textBase = textSize;
    const place = (pc: number): { section: number; offset: number; name: string } =>
      pc < entryEnd ? { section: index, offset: pc * INSN, name: s.name } : { section: textIndex, offset: textBase + (pc - entryEnd) * INSN, name: '.text' };
    const fnSymbols = split.functions.map((f, k) => {
      if (k === 0) return -1;
      return symbols.push({ name: fnNames[k] ?? '', value: place(f.start).offset, size: (f.end - f.start) * INSN, type: STT.FUNC, binding: STB.LOCAL, section: textIndex }) - 1;
    });
    const relocated = new Set<number>();
    const coreRelocated = new Set<number>();
    for (const r of s.relocations) {
      const o = r.pc * INSN;
      const where = `${s.name}: instruction ${r.pc}`;
      if (o + INSN > bytes.length) return fail(`${where}: a relocation outside the program`);
      const at = place(r.pc);
      switch (r.kind) {
        case 'helper':
          continue;
        case 'func':
          // Every BPF_PSEUDO_FUNC ld_imm64 is relocated below, from the instructions.
          continue;
        case 'map': {
          const sym = mapSymbol.get(r.map);
          if (sym === undefined && dataSymbol.has(r.map)) return fail(`not exported yet: ${where}: the address of the global data map '${r.map}' itself (an object reaches global data through its variables, BPF_PSEUDO_MAP_VALUE)`);
          if (sym === undefined) return fail(`${where}: map '${r.map}' is not declared`);
          if (bytes[o] !== LD_IMM64 || o + 2 * INSN > bytes.length) return fail(`${where}: a map reference that is not an ld_imm64`);
          // As clang leaves it: src_reg 0, imm 0; libbpf sets BPF_PSEUDO_MAP_FD and the fd.
          setSrc(bytes, o, 0);
          dv.setInt32(o + 4, 0, true);
          dv.setInt32(o + 12, 0, true);
          relocations.push({ section: at.section, offset: at.offset, symbol: sym, type: R_BPF.R_BPF_64_64 });
          relocated.add(r.pc);
          continue;
        }
        case 'kfunc': {
          if (bytes[o] !== CALL) return fail(`${where}: a kfunc reference that is not a call`);
          let sym = kfuncSymbol.get(r.name);
          if (sym === undefined) {
            const proto = types.kfuncProto(r.name);
            if (typeof proto === 'string') return fail(`${where}: ${proto}`);
            const clash = unique(r.name, `kfunc '${r.name}'`);
            if (clash) return fail(clash);
            ksyms.push({ type: btf.addFunc(r.name, proto, 'extern'), offset: 0, size: 0 });
            sym = symbols.length;
            kfuncSymbol.set(r.name, sym);
            symbols.push({ name: r.name, type: STT.NOTYPE, binding: STB.GLOBAL, section: SHN.UNDEF });
          }
          setSrc(bytes, o, BPF_PSEUDO_CALL);
          dv.setInt32(o + 4, -1, true);
          relocations.push({ section: at.section, offset: at.offset, symbol: sym, type: R_BPF.R_BPF_64_32 });
          relocated.add(r.pc);
          continue;
        }
        case 'field': {
          const field = fieldPath(r.struct, r.path, kernel);
          if (typeof field === 'string') return fail(`${where}: ${field}`);
          // A UAPI struct's offsets are ABI: the instruction keeps them, with no CO-RE record.
          if (field.uapi) continue;
          const name = `${r.struct}.${r.path.join('.')}`;
          const bad = coreTarget(bytes, o, r.operand, field.offset);
          if (bad) return fail(`not exported yet: ${where}: ${name}: ${bad}`);
          if (coreRelocated.has(r.pc)) return fail(`not exported yet: ${where}: a second struct field in one instruction (libbpf relocates one field offset per instruction)`);
          coreRelocated.add(r.pc);
          const access = types.access(r.struct, r.path, r.operand === 'off');
          btf.addCoreRelo(at.name, { insnOff: at.offset, typeId: types.struct(r.struct), access, kind: 'field_byte_offset' });
          continue;
        }
      }
    }
    // BPF-to-BPF calls: `call -1` against the callee's symbol, as clang writes a call to a global
    // function (libbpf takes a call against any symbol of .text: the callee is at its value / 8 +
    // imm + 1). A callback's address: its offset in .text against the .text section symbol, as
    // clang writes a static function's (src_reg 0; libbpf sets BPF_PSEUDO_FUNC).
    for (const e of split.edges) {
      const o = e.pc * INSN;
      const at = place(e.pc);
      const callee = split.functions.findIndex((f) => f.start === e.target);
      const sym = fnSymbols[callee];
      if (callee < 1 || sym === undefined) return fail(`${s.name}: instruction ${e.pc}: the callee at instruction ${e.target} is not a function`);
      if (e.kind === 'call') {
        dv.setInt32(o + 4, -1, true);
        relocations.push({ section: at.section, offset: at.offset, symbol: sym, type: R_BPF.R_BPF_64_32 });
      } else {
        setSrc(bytes, o, 0);
        dv.setInt32(o + 4, place(e.target).offset, true);
        dv.setInt32(o + 12, 0, true);
        relocations.push({ section: at.section, offset: at.offset, symbol: textSymbol, type: R_BPF.R_BPF_64_64 });
        relocated.add(e.pc);
      }
    }
    for (let pc = 0; pc * INSN < bytes.length; pc++) {
      const o = pc * INSN;
      if (bytes[o] !== LD_IMM64) continue;
      const src = (bytes[o + 1] ?? 0) >> 4;
      if (src === BPF_PSEUDO_MAP_VALUE && !relocated.has(pc)) {
        // A global variable: as clang leaves it, imm the offset into its section and a
        // relocation against the section; libbpf puts back the map and the offset.
        const map = input.maps[dv.getInt32(o + 4, true)];
        const sym = map ? dataSymbol.get(map.name) : undefined;
        if (!map || sym === undefined) return fail(`not exported yet: ${s.name}: instruction ${pc}: BPF_PSEUDO_MAP_VALUE into ${map ? `map '${map.name}', which is not global data (.data, .rodata, .bss)` : 'a map that is not declared'}`);
        const offset = dv.getInt32(o + 12, true);
        if (offset < 0 || offset >= map.valueSize) return fail(`${s.name}: instruction ${pc}: offset ${offset} is outside '${map.name}' (${map.valueSize} bytes)`);
        const at = place(pc);
        setSrc(bytes, o, 0);
        dv.setInt32(o + 4, offset, true);
        dv.setInt32(o + 12, 0, true);
        relocations.push({ section: at.section, offset: at.offset, symbol: sym, type: R_BPF.R_BPF_64_64 });
        relocated.add(pc);
      }
      if (src !== 0 && !relocated.has(pc)) {
        const what = src === 6 ? 'global data (BPF_PSEUDO_MAP_IDX_VALUE)' : src === 4 ? 'a function address (BPF_PSEUDO_FUNC)' : `an ld_imm64 with src_reg ${src}`;
        return fail(`not exported yet: ${s.name}: instruction ${pc}: ${what}`);
      }
      pc++;
    }
    const entry = bytes.slice(0, entryEnd * INSN);
    elfSections.push({ name: s.name, type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR, data: entry, align: 8 });
    symbols.push({ name, value: 0, size: entry.length, type: STT.FUNC, binding: STB.GLOBAL, section: index });
    btf.addFuncInfo(s.name, 0, btf.addFunc(name, progProto(kind), 'global'));
    for (const [k, f] of split.functions.entries()) {
      if (k === 0) continue;
      if (!staticProto) staticProto = btf.addFuncProto(types.int(4, true), []);
      btf.addFuncInfo('.text', place(f.start).offset, btf.addFunc(fnNames[k] ?? '', staticProto, 'static'));
    }
    if (bytes.length > entry.length) {
      text.push(bytes.slice(entry.length));
      textSize += bytes.length - entry.length;
    }
  }
  if (textIndex) {
    const data = new Uint8Array(textSize);
    let at = 0;
    for (const t of text) {
      data.set(t, at);
      at += t.length;
    }
    elfSections.push({ name: '.text', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR, data, align: 8 });
  }

  if (btfMaps.length) {
    btf.addDatasec('.maps', mapsSize, mapVars);
    elfSections.push({ name: '.maps', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: new Uint8Array(mapsSize), align: 8 });
  }
  for (const m of dataMaps) {
    const bss = m.name.startsWith('.bss');
    const data = new Uint8Array(m.valueSize);
    const initial = input.mapContents?.[m.name]?.[0]?.value;
    if (initial !== undefined) {
      const bytes = hexBytes(initial);
      if (!bytes) return fail(`map '${m.name}': its contents are not hex bytes`);
      data.set(bytes.subarray(0, m.valueSize));
    }
    if (bss && data.some((b) => b !== 0)) return fail(`not exported yet: '${m.name}' holds bytes that are not zero (a .bss section starts zeroed)`);
    elfSections.push({ name: m.name, type: bss ? SHT.NOBITS : SHT.PROGBITS, flags: SHF.ALLOC | (m.name.startsWith('.rodata') ? 0 : SHF.WRITE), data: bss ? new Uint8Array(0) : data, ...(bss ? { size: m.valueSize } : {}), align: 8 });
  }
  if (ksyms.length) btf.addDatasec('.ksyms', 0, ksyms);
  if (input.license !== undefined) {
    if (input.license.includes('\0')) return fail('the license contains a NUL byte');
    elfSections.push({ name: 'license', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: new TextEncoder().encode(`${input.license}\0`), align: 1 });
  }
  const built = btf.build();
  if (!built.ok) return fail(`BTF: ${built.error.message}`);
  elfSections.push({ name: '.BTF', type: SHT.PROGBITS, data: built.btf, align: 4 });
  if (built.ext) elfSections.push({ name: '.BTF.ext', type: SHT.PROGBITS, data: built.ext, align: 4 });
  // In instruction order within each section, as clang writes them.
  relocations.sort((a, b) => a.section - b.section || a.offset - b.offset);
  return { ok: true, bytes: writeElf({ sections: elfSections, symbols, relocations }) };
}

/** A program section cut into functions: its entry and the functions it calls, with the edges between them. */
interface Split {
  /** Instruction ranges, ascending; the first is the entry (from 0), the others start at a callee. */
  readonly functions: readonly { readonly start: number; readonly end: number }[];
  /** Each BPF-to-BPF call and each BPF_PSEUDO_FUNC ld_imm64: its instruction and its callee. */
  readonly edges: readonly { readonly pc: number; readonly target: number; readonly kind: 'call' | 'func' }[];
}

/**
 * `s` cut at the instructions its calls and callback addresses lead to (the kernel's subprograms,
 * check_subprogs), or why an object cannot hold it: a callee outside the program or at its entry,
 * a function no call from the entry reaches, a jump from one function into another (the kernel
 * refuses the last two as well).
 */
function splitSection(s: ExportSection): Split | string {
  if (s.bytes.length % INSN) return `${s.name}: its size (${s.bytes.length} bytes) is not a whole number of instructions`;
  const n = s.bytes.length / INSN;
  const dv = new DataView(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength);
  const edges: { pc: number; target: number; kind: 'call' | 'func' }[] = [];
  const jumps: { pc: number; target: number }[] = [];
  for (let pc = 0; pc < n; pc++) {
    const o = pc * INSN;
    const code = s.bytes[o] ?? 0;
    const src = (s.bytes[o + 1] ?? 0) >> 4;
    const cls = code & 0x07;
    if (code === CALL && src === BPF_PSEUDO_CALL) edges.push({ pc, target: pc + 1 + dv.getInt32(o + 4, true), kind: 'call' });
    else if (code === LD_IMM64) {
      if (src === BPF_PSEUDO_FUNC) edges.push({ pc, target: pc + 1 + dv.getInt32(o + 4, true), kind: 'func' });
      pc++;
    } else if ((cls === CLASS.jmp || cls === CLASS.jmp32) && (code & 0xf0) !== OP_CALL && (code & 0xf0) !== OP_EXIT) {
      // gotol (BPF_JMP32 | BPF_JA) jumps by imm, the others by off.
      jumps.push({ pc, target: pc + 1 + (code === CLASS.jmp32 ? dv.getInt32(o + 4, true) : dv.getInt16(o + 2, true)) });
    }
  }
  for (const e of edges) {
    const what = e.kind === 'call' ? 'a call' : 'the address of a function';
    if (e.target <= 0 || e.target >= n) return `${s.name}: instruction ${e.pc}: ${what} at instruction ${e.target}, ${e.target === 0 ? "the program's entry (an object holds the entry in its section and the functions it calls in .text)" : 'outside the program'}`;
  }
  const starts = [...new Set(edges.map((e) => e.target))].sort((a, b) => a - b);
  const bounds = [0, ...starts];
  const functions = bounds.map((start, k) => ({ start, end: bounds[k + 1] ?? n }));
  const functionOf = (pc: number): number => {
    let k = 0;
    while (k + 1 < bounds.length && (bounds[k + 1] ?? n) <= pc) k++;
    return k;
  };
  const label = (k: number): string => {
    const start = functions[k]?.start ?? 0;
    const name = [...(s.labels ?? [])].find(([, pc]) => pc === start)?.[0];
    return k === 0 ? 'the entry' : `the function at instruction ${start}${name ? ` ('${name}')` : ''}`;
  };
  // Every function is reached from the entry by calls and callback addresses.
  const reached = new Set([0]);
  const pending = [0];
  for (let k = pending.pop(); k !== undefined; k = pending.pop()) {
    for (const e of edges) {
      const callee = functionOf(e.target);
      if (functionOf(e.pc) === k && !reached.has(callee)) {
        reached.add(callee);
        pending.push(callee);
      }
    }
  }
  const lost = functions.findIndex((_, k) => !reached.has(k));
  if (lost > 0) return `${s.name}: ${label(lost)} is called only from code the entry never calls (the kernel refuses unreachable instructions)`;
  for (const j of jumps) {
    if (j.target < 0 || j.target >= n) continue;
    const from = functionOf(j.pc);
    const to = functionOf(j.target);
    if (from !== to) return `${s.name}: instruction ${j.pc}: a jump from ${label(from)} into ${label(to)} (the kernel refuses jumps between functions)`;
  }
  return { functions, edges };
}

/**
 * The symbol of each function of each section (index 0, the entry, is the section's): the label
 * at its first instruction, or SECTION_subN; a name another symbol has (a map, a program, a kfunc,
 * the same function of another section) is followed by `__SECTION`, then by a number.
 */
function nameFunctions(sections: readonly ExportSection[], splits: readonly Split[], maps: readonly MapDecl[]): string[][] {
  const taken = new Set<string>([...maps.map((m) => m.name), ...sections.map((s) => symbolName(s.name))]);
  for (const s of sections) for (const r of s.relocations) if (r.kind === 'kfunc') taken.add(r.name);
  return sections.map((s, i) =>
    (splits[i]?.functions ?? []).map((f, k) => {
      if (k === 0) return symbolName(s.name);
      const label = [...(s.labels ?? [])].find(([, pc]) => pc === f.start)?.[0];
      const base = label ? symbolName(label) : `${symbolName(s.name)}_sub${f.start}`;
      let name = taken.has(base) ? `${base}__${symbolName(s.name)}` : base;
      for (let n = 2; taken.has(name); n++) name = `${base}__${symbolName(s.name)}_${n}`;
      taken.add(name);
      return name;
    }),
  );
}

function setSrc(bytes: Uint8Array, o: number, src: number): void {
  bytes[o + 1] = ((bytes[o + 1] ?? 0) & 0x0f) | (src << 4);
}

/** Where a member path from a struct leads: the byte offset, and whether the root struct is UAPI. */
function fieldPath(struct: string, path: readonly string[], kernel: ExportKernel): { offset: number; uapi: boolean } | string {
  const root = kernel.struct(struct);
  if (!root) return `struct ${struct} is not one the simulated kernel knows`;
  if (!path.length) return `a field of struct ${struct} with no member named`;
  let layout: ExportStruct = root;
  let name = struct;
  let offset = 0;
  for (const [i, step] of path.entries()) {
    const f = layout.fields.find((x) => x.name === step);
    if (!f) return `struct ${name} has no field '${step}'`;
    offset += f.offset;
    if (i === path.length - 1) break;
    const inner = f.type.kind === 'struct' ? kernel.struct(f.type.name) : undefined;
    if (f.type.kind !== 'struct' || !inner) return `${name}.${step} is not a struct, so it has no field '${path[i + 1] ?? ''}'`;
    layout = inner;
    name = f.type.name;
  }
  return { offset, uapi: root.uapi };
}

/**
 * The fields of kernel-memory structs the program uses, by struct (nested paths name the
 * embedded structs' members too): what the CO-RE structs of `.BTF` hold. Or why one is wrong.
 */
function coreFields(sections: readonly ExportSection[], kernel: ExportKernel): Map<string, Set<string>> | string {
  const used = new Map<string, Set<string>>();
  for (const s of sections) {
    for (const r of s.relocations) {
      if (r.kind !== 'field') continue;
      const field = fieldPath(r.struct, r.path, kernel);
      if (typeof field === 'string') return `${s.name}: instruction ${r.pc}: ${field}`;
      if (field.uapi) continue;
      let name = r.struct;
      for (const step of r.path) {
        let set = used.get(name);
        if (!set) used.set(name, (set = new Set()));
        set.add(step);
        const t = kernel.struct(name)?.fields.find((x) => x.name === step)?.type;
        name = t?.kind === 'struct' ? t.name : '';
      }
    }
  }
  return used;
}

/**
 * Why libbpf could not relocate the field offset `offset` held in the `operand` of the
 * instruction at byte `o`, or undefined when it can: the `off` of a load or store, or the
 * `imm` of an ALU instruction with an immediate or of an ld_imm64 (bpf_core_patch_insn).
 * libbpf also checks that the instruction holds the local offset, so a negated one cannot be.
 */
function coreTarget(bytes: Uint8Array, o: number, operand: 'off' | 'imm', offset: number): string | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const code = bytes[o] ?? 0;
  const cls = code & 0x07;
  const holds = (what: string, value: number): string | undefined =>
    value === offset ? undefined : `the ${what} is ${value}, not the field's offset ${offset} (libbpf relocates an offset as it is, not negated)`;
  if (operand === 'off') {
    if (cls !== CLASS.ldx && cls !== CLASS.st && cls !== CLASS.stx) return `a field offset in the 'off' of opcode 0x${code.toString(16)}, which is not a load or store`;
    return holds('offset', dv.getInt16(o + 2, true));
  }
  if ((cls === CLASS.alu || cls === CLASS.alu64) && !(code & SRC_REG)) return holds('immediate', dv.getInt32(o + 4, true));
  if (code === LD_IMM64 && (bytes[o + 1] ?? 0) >> 4 === 0 && o + 2 * INSN <= bytes.length) {
    return dv.getInt32(o + 12, true) === 0 ? holds('immediate', dv.getInt32(o + 4, true)) : `the 64-bit immediate is not the field's offset ${offset}`;
  }
  const what = cls === CLASS.st ? 'the value a store writes' : cls === CLASS.jmp || cls === CLASS.jmp32 ? 'the immediate of a jump' : `the immediate of opcode 0x${code.toString(16)}`;
  return `a field offset as ${what} (libbpf relocates a field offset in a load or store address, an ALU immediate or an ld_imm64 only)`;
}

/**
 * BTF types made once each: ints by size, named structs and enums, map values, kfunc
 * prototypes. A struct with fields in `core` is written with those members (at the simulated
 * kernel's offsets, in offset order), the others as `struct NAME {}`.
 */
class TypeCache {
  private readonly ints = new Map<string, number>();
  private readonly named = new Map<string, number>();
  /** The CO-RE structs' member names in the order written. */
  private readonly members = new Map<string, string[]>();
  /** CO-RE structs being written, and the pointers to them made meanwhile (pointed once written). */
  private readonly building = new Map<string, number[]>();
  private u8 = 0;

  constructor(
    private readonly btf: BtfBuilder,
    private readonly kernel: ExportKernel,
    private readonly core: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
  ) {}

  /**
   * The CO-RE access string of a field path from `struct` ("0:5": the object itself, then
   * member indexes in the structs written). With `element`, an array field is entered down to
   * its first element ("0:5:0"), as C reads an array only by element: a load or store at the
   * array's offset reads element 0, whose size libbpf checks (an array's may differ from the
   * kernel's, as a flexible array's does).
   */
  access(struct: string, path: readonly string[], element: boolean): string {
    let name = struct;
    let type: ExportFieldType | undefined;
    const steps = path.map((step) => {
      this.struct(name);
      const index = this.members.get(name)?.indexOf(step) ?? -1;
      if (index < 0) throw new RangeError(`struct ${name} was written without its field '${step}'`);
      type = this.kernel.struct(name)?.fields.find((f) => f.name === step)?.type;
      name = type?.kind === 'struct' ? type.name : '';
      return index;
    });
    for (let t = type; element && t?.kind === 'array'; t = t.of) steps.push(0);
    return [0, ...steps].join(':');
  }

  int(size: number, signed = false): number {
    const name = signed ? (size === 8 ? 'long long' : size === 4 ? 'int' : size === 2 ? 'short' : 'signed char') : (UNSIGNED[size] ?? 'unsigned char');
    let id = this.ints.get(name);
    if (id === undefined) {
      id = this.btf.addInt(name, size, { signed });
      this.ints.set(name, id);
    }
    return id;
  }

  /** An unsigned int of `size` bytes when there is one, else `unsigned char[size]`. */
  sized(size: number): number {
    if (UNSIGNED[size]) return this.int(size);
    return this.btf.addArray(this.byte(), size);
  }

  /**
   * `struct NAME {}` (or `enum NAME`): libbpf matches kfunc prototypes by kind, not layout. A
   * struct the program reads fields of holds those members, for its CO-RE relocations.
   */
  struct(name: string, kind: 'struct' | 'enum' = 'struct'): number {
    const key = `${kind} ${name}`;
    let id = this.named.get(key);
    if (id === undefined) {
      const fields = kind === 'struct' ? this.core.get(name) : undefined;
      id = fields ? this.coreStruct(name, fields) : kind === 'struct' ? this.btf.addStruct(name, 0, []) : this.btf.addEnum(name, 4, []);
      this.named.set(key, id);
    }
    return id;
  }

  /**
   * `struct NAME { the used fields }` at the simulated offsets, with member types libbpf finds
   * compatible with the kernel's (bpf_core_fields_are_compat): ints, pointers, arrays, structs.
   */
  private coreStruct(name: string, fields: ReadonlySet<string>): number {
    const layout = this.kernel.struct(name);
    if (!layout) throw new RangeError(`struct ${name} is not one the simulated kernel knows`);
    const used = layout.fields.map((f, i) => ({ f, i })).filter(({ f }) => fields.has(f.name));
    used.sort((a, b) => a.f.offset - b.f.offset || a.i - b.i);
    this.building.set(name, []);
    const members = used.map(({ f }) => ({ name: f.name, type: this.fieldType(f.type), bitOffset: f.offset * 8 }));
    const id = this.btf.addStruct(name, layout.size, members);
    for (const ptr of this.building.get(name) ?? []) this.btf.setReferencedType(ptr, id);
    this.building.delete(name);
    this.members.set(name, used.map(({ f }) => f.name));
    return id;
  }

  private fieldType(t: ExportFieldType): number {
    switch (t.kind) {
      case 'int':
        return this.int(t.size, t.signed);
      case 'ptr': {
        // A struct pointing to its own kind (task_struct.real_parent): the pointer first, pointed once the struct is written.
        const pending = this.named.has(`struct ${t.to}`) ? undefined : this.building.get(t.to);
        if (!pending) return this.btf.addPtr(this.struct(t.to));
        const ptr = this.btf.addPtr(0);
        pending.push(ptr);
        return ptr;
      }
      case 'array':
        return this.btf.addArray(this.fieldType(t.of), t.count);
      case 'struct':
        return this.struct(t.name);
    }
  }

  /** A map's value type: `struct NAME_value { … struct T __kptr *kptrN; … }` with u8 padding, or a plain size. */
  value(m: MapDecl): number {
    if (!m.kptrs.length) return this.sized(m.valueSize);
    const members: { name: string; type: number; bitOffset: number }[] = [];
    let at = 0;
    const pad = (to: number) => {
      if (to > at) members.push({ name: `__pad${members.length}`, type: this.btf.addArray(this.byte(), to - at), bitOffset: at * 8 });
      at = Math.max(at, to);
    };
    for (const [i, k] of [...m.kptrs].sort((a, b) => a.offset - b.offset).entries()) {
      if (k.offset < at || k.offset % 8 || k.offset + 8 > m.valueSize) throw new RangeError(`map '${m.name}': kptr at offset ${k.offset} does not fit its ${m.valueSize}-byte value`);
      pad(k.offset);
      members.push({ name: `kptr${i}`, type: this.btf.addPtr(this.btf.addTypeTag('kptr', this.struct(k.type))), bitOffset: at * 8 });
      at += 8;
    }
    pad(m.valueSize);
    return this.btf.addStruct(`${m.name}_value`, m.valueSize, members);
  }

  /** The FUNC_PROTO of a kfunc, shaped as the kernel's (libbpf checks kinds and arity against vmlinux BTF). */
  kfuncProto(name: string): number | string {
    const k = this.kernel.kfunc(name);
    if (!k) return `'${name}' is not a kfunc the playground knows`;
    const params = k.args.map((a) => ({ name: a.name, type: this.of(a.type) }));
    return this.btf.addFuncProto(this.of(k.ret), params);
  }

  private of(t: ExportKfuncType): number {
    switch (t.kind) {
      case 'void':
        return 0;
      case 'scalar':
      case 'mem_size':
        return this.scalar(t.c);
      case 'ptr':
      case 'ctx':
        return this.btf.addPtr(this.maybeConst(this.struct(t.btf), t.const ?? false));
      case 'kptr_slot':
        return this.btf.addPtr(this.btf.addPtr(this.struct(t.btf)));
      case 'mem': {
        const p = t.pointee.trim();
        let target: number;
        if (p === 'void') target = 0;
        else if (p.startsWith('struct ')) target = this.struct(p.slice(7).trim());
        else if (p.startsWith('enum ')) target = this.struct(p.slice(5).trim(), 'enum');
        else if (p in this.kernel.scalars) target = this.scalar(p);
        else target = this.int(t.size ?? 1);
        return this.btf.addPtr(this.maybeConst(target, t.const));
      }
    }
  }

  private scalar(c: string): number {
    const s = this.kernel.scalars[c];
    return s ? this.int(s.size, s.signed) : this.int(8);
  }

  private maybeConst(type: number, isConst: boolean): number {
    return isConst && type !== 0 ? this.btf.addConst(type) : type;
  }

  private byte(): number {
    if (this.u8 === 0) this.u8 = this.int(1);
    return this.u8;
  }
}

/** Hex text (spaces allowed) as bytes, or undefined when it is not hex. */
function hexBytes(text: string): Uint8Array | undefined {
  const t = text.replace(/\s+/g, '');
  if (t.length % 2 || /[^0-9a-fA-F]/.test(t)) return undefined;
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}
