// Exporting the examples as object files: they read back into the same programs and maps,
// llvm-readelf reads them, and (with bpf() and a bpffs) bpftool loads them into this kernel,
// libbpf moving each kernel struct field to this kernel's offset by its CO-RE relocation.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// The test assembles the examples and knows which kfuncs bind a program to a device; the module
// under test itself takes the kernel's tables as an argument (engine/program builds on isa only).
// eslint-disable-next-line no-restricted-imports
import { assemble } from '../../asm/index.ts';
// eslint-disable-next-line no-restricted-imports
import { XDP_METADATA_KFUNCS } from '../../kernel/kfuncs/decls.ts';
// eslint-disable-next-line no-restricted-imports
import { EXPORT_KERNEL } from '../../cli/commands/asm.ts';
import { objectOfElf } from '../../load/elf-object.ts';
import { runCli } from '../../test/cli-harness.ts';
// eslint-disable-next-line no-restricted-imports
import { libbpfLoad } from '../../test/kernel/libbpf-load.ts';
// eslint-disable-next-line no-restricted-imports
import { buildRefusal, closeKernelLoader, deviceIfindex } from '../../test/verifier/kernel-load.ts';
import { readBtf, readBtfExt, type Btf, type BtfCoreRelo, type BtfType } from '../btf/index.ts';
import type { Relocation, Section } from '../program.ts';
import { isGlobalDataMap, objectOfProgram, symbolName } from './export.ts';
import { readElf } from './reader.ts';

const EXAMPLES = fileURLToPath(new URL('../../../public/examples/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bpfp-export-'));
// The kernel oracle buildRefusal asks keeps a helper process; stop it when done.
afterAll(closeKernelLoader);

interface Example {
  readonly file: string;
  readonly result: ReturnType<typeof assemble>;
}

/** The examples an object file can hold: not raw and no global data. */
const examples: Example[] = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.bpf.s'))
  .sort()
  .map((file) => ({ file, result: assemble(readFileSync(join(EXAMPLES, file), 'utf8'), { isa: 4 }) }))
  .filter((e) => e.result.ok && e.result.sections.some((s) => s.insns.length > 0) && e.result.sections.every((s) => s.insns.length === 0 || s.kind.progType !== 'raw'));

function exported(e: Example): Uint8Array {
  const r = objectOfProgram({ sections: e.result.sections, maps: e.result.maps, ...(e.result.license === undefined ? {} : { license: e.result.license }) }, EXPORT_KERNEL);
  if (!r.ok) throw new Error(`${e.file}: ${r.error}`);
  return r.bytes;
}

/** One line per instruction slot: opcode, registers, offset, imm (kfunc ids and map indexes included). */
function slots(bytes: Uint8Array): string[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  for (let o = 0; o + 8 <= bytes.length; o += 8) {
    const regs = bytes[o + 1] ?? 0;
    out.push(`${o / 8}: op=0x${(bytes[o] ?? 0).toString(16)} dst=${regs & 0xf} src=${regs >> 4} off=${dv.getInt16(o + 2, true)} imm=${dv.getInt32(o + 4, true)}`);
  }
  return out;
}

function tool(name: string): boolean {
  return spawnSync(name, ['--version'], { encoding: 'utf8' }).status === 0;
}

/** The fields of kernel-memory structs a program uses: the ones an object carries as CO-RE relocations. */
function coreFields(sections: readonly Section[]): Extract<Relocation, { kind: 'field' }>[] {
  return sections.flatMap((s) => s.relocations.flatMap((r) => (r.kind === 'field' && EXPORT_KERNEL.struct(r.struct)?.uapi === false ? [r] : [])));
}

/** An object's .BTF and its CO-RE records, with the raw .BTF.ext bytes. */
function coreOf(object: Uint8Array): { btf: Btf; ext: Uint8Array; relos: { section: string; relo: BtfCoreRelo }[] } {
  const elf = readElf(object);
  if (!elf.ok) throw new Error(elf.error.message);
  const section = (name: string) => elf.elf.sections.find((x) => x.name === name)?.data ?? new Uint8Array();
  const btf = readBtf(section('.BTF'));
  if (!btf.ok) throw new Error(btf.error.message);
  const ext = readBtfExt(section('.BTF.ext'), btf.btf);
  if (!ext.ok) throw new Error(ext.error.message);
  return { btf: btf.btf, ext: section('.BTF.ext'), relos: ext.ext.coreRelos.flatMap((x) => x.records.map((relo) => ({ section: x.section, relo }))) };
}

/** `struct NAME`'s members as "name@byte:kind", and the kinds their types lead to. */
function structOf(btf: Btf, id: number): { name: string; size: number; members: string[] } {
  const t = btf.types[id];
  if (t?.kind !== 'struct') throw new Error(`type ${id} is not a struct`);
  const kind = (type: number): string => {
    const m = btf.types[type];
    if (!m) return '?';
    if (m.kind === 'ptr') return `*${btf.types[m.type]?.name ?? 'void'}`;
    if (m.kind === 'array') return `${kind(m.type)}[${m.nelems}]`;
    if (m.kind === 'int') return `${m.signed ? 's' : 'u'}${m.size * 8}`;
    return `${m.kind} ${m.name}`;
  };
  return { name: t.name, size: t.size, members: t.members.map((m) => `${m.name}@${m.bitOffset / 8}:${kind(m.type)}`) };
}

function typeNamed(btf: Btf, name: string): BtfType & { kind: 'struct' } {
  const t = btf.types.find((x): x is BtfType & { kind: 'struct' } => x.kind === 'struct' && x.name === name);
  if (!t) throw new Error(`no struct ${name}`);
  return t;
}

/** A program that uses kernel struct fields every way an object can carry them, and one UAPI field. */
const FIELDS = `.section tp_btf/task_newtask
  r6 = *(u64 *)(r1 + 0)
  r2 = *(u64 *)(r6 + task_struct.cpus_ptr)
  r3 = r6
  r3 += task_struct.comm
  r4 = *(u8 *)(r6 + task_struct.comm)
  r5 = *(u64 *)(r6 + task_struct.real_parent)
  r5 = *(s32 *)(r5 + task_struct.pid)
  r7 = xdp_md.rx_queue_index
  r8 = *(u64 *)(r6 + task_struct.cgroups)
  r8 = *(u64 *)(r8 + css_set.dfl_cgrp)
  r8 = *(u64 *)(r8 + cgroup.ancestors)
  r0 = 0
  exit
.license "GPL"
`;

/**
 * BPF-to-BPF calls: a two-level chain in xdp (the second level reads a map), a function of the
 * same name in syscall, and a tp_btf function reading a kernel struct field (a CO-RE relocation
 * in .text). Each program's functions are written in the order libbpf appends them (depth first
 * from the entry), so the kernel numbers the instructions as the playground does.
 */
const CALLS = `.license "GPL"
.map counts type=array key=4 value=8 max_entries=1

.section xdp
        r6 = r1
        call count
        r0 = 2
        exit
count:
        call bump
        r0 = 0
        exit
bump:
        r1 = 0
        *(u32 *)(r10 - 4) = r1
        r2 = r10
        r2 += -4
        r1 = counts ll
        call bpf_map_lookup_elem
        if r0 == 0 goto out
        r1 = 1
        lock *(u64 *)(r0 + 0) += r1
out:
        r0 = 0
        exit

.section syscall
        call count
        r0 = 0
        exit
count:
        r0 = 7
        exit

.section tp_btf/task_newtask
        r1 = *(u64 *)(r1 + 0)
        call pid_of
        r0 = 0
        exit
pid_of:
        r0 = *(s32 *)(r1 + task_struct.pid)
        exit
`;

/** A callback: bpf_loop calls `step`, whose address the program loads (BPF_PSEUDO_FUNC); then a call. */
const CALLBACK = `.license "GPL"
.section xdp
        r1 = 4
        r2 = step ll
        r3 = 0
        r4 = 0
        call bpf_loop
        call finish
        exit
step:
        r0 = 0
        exit
finish:
        r0 = 2
        exit
`;

/** An object's functions, relocations (with the imm they patch) and func_info, one line each. */
function shapeOf(object: Uint8Array): { functions: string[]; relocations: string[]; funcInfo: string[] } {
  const r = readElf(object);
  if (!r.ok) throw new Error(r.error.message);
  const { sections, symbols } = r.elf;
  const section = (i: number) => sections[i]?.name ?? `#${i}`;
  const symbol = (i: number) => (symbols[i]?.type === 3 ? section(symbols[i]?.section ?? 0) : (symbols[i]?.name ?? `#${i}`));
  const functions = symbols.filter((s) => s.type === 2).map((s) => `${s.name} ${s.binding === 0 ? 'local' : 'global'} ${section(s.section)}+${s.value} (${s.size / 8} insns)`);
  const relocations = r.elf.relocations.flatMap((t) =>
    t.relocations.map((x) => {
      const data = sections[t.target]?.data ?? new Uint8Array();
      const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const type = x.type === 1 ? 'R_BPF_64_64' : x.type === 10 ? 'R_BPF_64_32' : String(x.type);
      return `${section(t.target)}+${x.offset} ${type} ${symbol(x.symbol)} src=${(data[x.offset + 1] ?? 0) >> 4} imm=${dv.getInt32(x.offset + 4, true)}`;
    }),
  );
  const btf = coreOf(object).btf;
  const ext = readBtfExt(sections.find((s) => s.name === '.BTF.ext')?.data ?? new Uint8Array(), btf);
  if (!ext.ok) throw new Error(ext.error.message);
  const funcInfo = ext.ext.funcInfo.flatMap((s) =>
    s.records.map((f) => {
      const t = btf.types[f.typeId];
      return `${s.section}+${f.insnOff} ${t?.name ?? '?'} ${t?.kind === 'func' ? t.linkage : '?'}`;
    }),
  );
  return { functions, relocations, funcInfo };
}

/** Each program read back from the object has the assembled program's instructions. */
function expectRoundTrip(r: ReturnType<typeof exportText>): void {
  if (!r.ok) throw new Error(r.error);
  const back = objectOfElf(r.bytes);
  if (!back.ok) throw new Error(back.error);
  const want = r.sections.filter((s) => s.insns.length > 0);
  expect(back.object.programs.map((p) => p.name)).toEqual(want.map((s) => s.name));
  want.forEach((s, i) => expect(slots(back.object.programs[i]?.bytes ?? new Uint8Array()), s.name).toEqual(slots(s.bytes)));
}

function exportText(text: string): ReturnType<typeof objectOfProgram> & { sections: readonly Section[] } {
  const a = assemble(text, { isa: 4 });
  if (!a.ok) throw new Error(a.diagnostics.map((d) => `${d.line}: ${d.message}`).join('; '));
  return { ...objectOfProgram({ sections: a.sections, maps: a.maps, ...(a.license === undefined ? {} : { license: a.license }) }, EXPORT_KERNEL), sections: a.sections };
}

/**
 * Global data as the playground shows it after opening a clang object (`int hits; const volatile
 * int limit = 3;`): the data sections as maps, each variable reached by BPF_PSEUDO_MAP_VALUE
 * (`ld_pseudo rD, 2, MAP`; the second slot's imm, the offset, written in the uBPF form).
 */
const GLOBALS = `.license "GPL"
.map counts type=array key=4 value=8 max_entries=4
.map .bss type=array key=4 value=16 max_entries=1 flags=0x400
.map .rodata type=array key=4 value=4 max_entries=1 flags=0x480
.section xdp
        ld_pseudo r1, 2, 1
        w2 = *(u32 *)(r1 + 0)
        w2 += 1
        *(u32 *)(r1 + 0) = w2
        ld_pseudo r4, 2, 2
        w4 = *(u32 *)(r4 + 0)
        r0 = 2
        if w4 > w2 goto +1
        r0 = 1
        exit
`;

describe('objectOfProgram', () => {
  it('writes global data as clang does: .bss (NOBITS) and .rodata sections, each variable an ld_imm64 of its offset against its section', () => {
    const a = assemble(GLOBALS, { isa: 4 });
    if (!a.ok) throw new Error(a.diagnostics.map((d) => d.message).join('; '));
    // The second variable of .bss, at offset 8: the offset lives in the second slot's imm.
    const section = a.sections[0];
    if (!section) throw new Error('no section');
    const bytes = section.bytes.slice();
    new DataView(bytes.buffer).setInt32(12, 8, true);
    const sections = [{ ...section, bytes }];
    expect(a.maps.map(isGlobalDataMap)).toEqual([false, true, true]);
    const r = objectOfProgram({ sections, maps: a.maps, ...(a.license === undefined ? {} : { license: a.license }), mapContents: { '.rodata': [{ key: '00000000', value: '03000000' }] } }, EXPORT_KERNEL);
    if (!r.ok) throw new Error(r.error);
    const elf = readElf(r.bytes);
    if (!elf.ok) throw new Error(elf.error.message);
    const bss = elf.elf.sections.find((x) => x.name === '.bss');
    const ro = elf.elf.sections.find((x) => x.name === '.rodata');
    expect([bss?.type, bss?.size, ro?.type, Array.from(ro?.data ?? [])]).toEqual([8, 16, 1, [3, 0, 0, 0]]);
    // Read back: the same instructions, the same maps, the same initial bytes.
    const back = objectOfElf(r.bytes);
    if (!back.ok) throw new Error(back.error);
    expect(slots(back.object.programs[0]?.bytes ?? new Uint8Array())).toEqual(slots(bytes));
    expect(back.object.maps.map((m) => [m.name, m.type, m.valueSize, m.flags])).toEqual(a.maps.map((m) => [m.name, m.type, m.valueSize, m.flags]));
    expect(back.object.mapContents).toEqual({ '.rodata': [{ key: '00000000', value: '03000000' }] });
  });

  it('refuses global data it cannot write: a map value address of an ordinary map, a .bss that is not zero, data maps before BTF maps', () => {
    const value = exportText('.license "GPL"\n.map counts type=array key=4 value=8 max_entries=4\n.section xdp\n  ld_pseudo r1, 2, 0\n  r0 = 2\n  exit\n');
    expect(value.ok ? '' : value.error).toBe("not exported yet: xdp: instruction 0: BPF_PSEUDO_MAP_VALUE into map 'counts', which is not global data (.data, .rodata, .bss)");
    const a = assemble(GLOBALS, { isa: 4 });
    const bss = objectOfProgram({ sections: a.sections, maps: a.maps, mapContents: { '.bss': [{ key: '00000000', value: '01' }] } }, EXPORT_KERNEL);
    expect(bss.ok ? '' : bss.error).toBe("not exported yet: '.bss' holds bytes that are not zero (a .bss section starts zeroed)");
    const order = objectOfProgram({ sections: a.sections, maps: [a.maps[1], a.maps[0], a.maps[2]].filter((m) => m !== undefined) }, EXPORT_KERNEL);
    expect(order.ok ? '' : order.error).toMatch(/^not exported yet: the global data map '\.bss' is declared before map 'counts'/);
  });

  it('bpftool prog loadall accepts global data, libbpf making its maps from the sections', () => {
    const bpffs = readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === '/sys/fs/bpf' && l.split(' ')[2] === 'bpf');
    const why = !tool('bpftool') ? 'bpftool is not installed' : process.getuid?.() !== 0 ? 'not root' : !bpffs ? '/sys/fs/bpf is not a mounted bpffs' : undefined;
    if (why) {
      console.log(`skipped: bpftool loadall of global data: ${why}`);
      return;
    }
    const r = exportText(GLOBALS);
    if (!r.ok) throw new Error(r.error);
    const path = join(dir, 'globals.o');
    writeFileSync(path, r.bytes);
    const pin = `/sys/fs/bpf/bpfp-export-globals-${process.pid}`;
    try {
      const l = spawnSync('bpftool', ['-d', 'prog', 'loadall', path, pin], { encoding: 'utf8', timeout: 10000, maxBuffer: 64 << 20 });
      expect(l.status === 0 ? '' : l.stderr.split('\n').slice(-25).join('\n')).toBe('');
      // libbpf found a data map for each variable's instruction.
      expect([...l.stderr.matchAll(/found data map \d+ \((\w+\.\w+), sec/g)].map((m) => (m[1] ?? '').replace(/^[^.]*/, ''))).toEqual(['.bss', '.rodata']);
      console.log(`globals: bpftool loaded ${readdirSync(pin).join(', ')}`);
    } finally {
      rmSync(pin, { recursive: true, force: true });
    }
  });

  it('finds the cpumask and XDP examples', () => {
    const names = examples.map((e) => e.file);
    expect(names).toContain('cpumask-kptr-rcu.bpf.s');
    expect(names).toContain('xdp-queue-counter.bpf.s');
    expect(names.some((n) => n.startsWith('hello') || n.startsWith('calls'))).toBe(false);
  });

  it.each(examples.map((e) => [e.file, e] as const))('%s reads back as the same programs and maps', (_file, e) => {
    const back = objectOfElf(exported(e));
    if (!back.ok) throw new Error(back.error);
    const want = e.result.sections.filter((s) => s.insns.length > 0);
    expect(back.object.programs.map((p) => p.name)).toEqual(want.map((s) => s.name));
    want.forEach((s, i) => expect(slots(back.object.programs[i]?.bytes ?? new Uint8Array())).toEqual(slots(s.bytes)));
    const maps = (m: readonly { name: string; type: string; keySize: number; valueSize: number; maxEntries: number; flags: number; kptrs: readonly { offset: number; type: string }[] }[]) =>
      m.map(({ name, type, keySize, valueSize, maxEntries, flags, kptrs }) => ({ name, type, keySize, valueSize, maxEntries, flags, kptrs }));
    expect(maps(back.object.maps)).toEqual(maps(e.result.maps));
    expect(back.object.license).toBe(e.result.license);
  });

  it('writes relocations as clang does: ld_imm64 of a map with src 0 imm 0, kfunc call with src 1 imm -1', () => {
    const e = examples.find((x) => x.file === 'cpumask-kptr-rcu.bpf.s');
    if (!e) throw new Error('example missing');
    const bytes = exported(e);
    const text = new TextDecoder('latin1').decode(bytes);
    expect(text).toContain('.reltp_btf/cgroup_mkdir');
    expect(text).toContain('.ksyms');
    expect(symbolName('tp_btf/cgroup_mkdir')).toBe('tp_btf_cgroup_mkdir');
  });

  it('carries each kernel struct field as a CO-RE field relocation, as clang does for preserve_access_index', () => {
    const r = exportText(FIELDS);
    if (!r.ok) throw new Error(r.error);
    const { btf, relos } = coreOf(r.bytes);
    const task = typeNamed(btf, 'task_struct');
    // The members used, at the simulated offsets (which the instructions hold), in offset order.
    expect(structOf(btf, task.id)).toEqual({
      name: 'task_struct',
      size: EXPORT_KERNEL.struct('task_struct')?.size,
      members: ['pid@16:s32', 'real_parent@24:*task_struct', 'cpus_ptr@48:*cpumask', 'comm@64:u8[16]', 'cgroups@80:*css_set'],
    });
    expect(structOf(btf, typeNamed(btf, 'css_set').id).members).toEqual(['dfl_cgrp@8:*cgroup']);
    expect(structOf(btf, typeNamed(btf, 'cgroup').id).members).toEqual(['ancestors@48:*cgroup[8]']);
    // One record per use; xdp_md is UAPI (a stable ABI) and gets none. A load or store of an
    // array field reads its element 0 ("0:3:0"), an add of its offset takes the array ("0:3").
    const name = (id: number) => btf.types[id]?.name;
    expect(relos.map(({ section, relo }) => `${section} ${relo.insnOff / 8} ${name(relo.typeId) ?? ''} ${relo.access} ${relo.kind}`)).toEqual([
      'tp_btf/task_newtask 1 task_struct 0:2 field_byte_offset',
      'tp_btf/task_newtask 3 task_struct 0:3 field_byte_offset',
      'tp_btf/task_newtask 4 task_struct 0:3:0 field_byte_offset',
      'tp_btf/task_newtask 5 task_struct 0:1 field_byte_offset',
      'tp_btf/task_newtask 6 task_struct 0:0 field_byte_offset',
      'tp_btf/task_newtask 8 task_struct 0:4 field_byte_offset',
      'tp_btf/task_newtask 9 css_set 0:0 field_byte_offset',
      'tp_btf/task_newtask 10 cgroup 0:0:0 field_byte_offset',
    ]);
    // And it reads back as the same program.
    const back = objectOfElf(r.bytes);
    if (!back.ok) throw new Error(back.error);
    expect(slots(back.object.programs[0]?.bytes ?? new Uint8Array())).toEqual(slots(r.sections[0]?.bytes ?? new Uint8Array()));
  });

  it('writes the .BTF.ext CO-RE block as libbpf reads it (struct btf_ext_header, bpf_core_relo)', () => {
    const r = exportText('.section xdp\n  r1 = *(u64 *)(r1 + 0)\n  r2 = *(u64 *)(r1 + task_struct.cpus_ptr)\n  r1 += task_struct.comm\n  r0 = 0\n  exit\n');
    if (!r.ok) throw new Error(r.error);
    const { btf, ext } = coreOf(r.bytes);
    const dv = new DataView(ext.buffer, ext.byteOffset, ext.byteLength);
    const word = (at: number) => dv.getUint32(at, true);
    const string = (off: number) => {
      let end = off;
      while (btf.strings[end] !== 0) end++;
      return new TextDecoder().decode(btf.strings.subarray(off, end));
    };
    // magic 0xeb9f, version 1, flags 0; hdr_len 32; func_info at 0 (rec_size, one section of one record: 20 bytes);
    // no line_info; core_relo right after func_info: rec_size, one section of two 16-byte records.
    expect([dv.getUint16(0, true), dv.getUint8(2), dv.getUint8(3), word(4)]).toEqual([0xeb9f, 1, 0, 32]);
    expect([word(8), word(12), word(16), word(20), word(24), word(28)]).toEqual([0, 20, 20, 0, 20, 4 + 8 + 2 * 16]);
    const core = 32 + 20;
    expect(ext.length).toBe(core + 4 + 8 + 2 * 16);
    expect([word(core), string(word(core + 4)), word(core + 8)]).toEqual([16, 'xdp', 2]);
    const task = typeNamed(btf, 'task_struct').id;
    const record = (i: number) => {
      const at = core + 12 + i * 16;
      return [word(at), word(at + 4), string(word(at + 8)), word(at + 12)];
    };
    // insn_off in bytes, the root struct's type id, the access string, BPF_CORE_FIELD_BYTE_OFFSET (0).
    expect(record(0)).toEqual([8, task, '0:0', 0]);
    expect(record(1)).toEqual([16, task, '0:1', 0]);
  });

  it('llvm-objdump-19 shows the CO-RE relocations', () => {
    if (!tool('llvm-objdump-19')) {
      console.log('skipped: llvm-objdump-19 is not installed');
      return;
    }
    const r = exportText(FIELDS);
    if (!r.ok) throw new Error(r.error);
    const path = join(dir, 'fields.o');
    writeFileSync(path, r.bytes);
    const d = spawnSync('llvm-objdump-19', ['-d', '-r', path], { encoding: 'utf8' });
    expect(d.stderr).toBe('');
    const { btf } = coreOf(r.bytes);
    const id = (n: string) => typeNamed(btf, n).id;
    const lines = d.stdout.split('\n').filter((l) => l.includes('CO-RE')).map((l) => l.trim().replace(/\s+/g, ' '));
    expect(lines).toEqual([
      `0000000000000008: CO-RE <byte_off> [${id('task_struct')}] struct task_struct::cpus_ptr (0:2)`,
      `0000000000000018: CO-RE <byte_off> [${id('task_struct')}] struct task_struct::comm (0:3)`,
      `0000000000000020: CO-RE <byte_off> [${id('task_struct')}] struct task_struct::comm[0] (0:3:0)`,
      `0000000000000028: CO-RE <byte_off> [${id('task_struct')}] struct task_struct::real_parent (0:1)`,
      `0000000000000030: CO-RE <byte_off> [${id('task_struct')}] struct task_struct::pid (0:0)`,
      `0000000000000040: CO-RE <byte_off> [${id('task_struct')}] struct task_struct::cgroups (0:4)`,
      `0000000000000048: CO-RE <byte_off> [${id('css_set')}] struct css_set::dfl_cgrp (0:0)`,
      `0000000000000050: CO-RE <byte_off> [${id('cgroup')}] struct cgroup::ancestors[0] (0:0:0)`,
    ]);
  });

  it('follows a nested field path through an embedded struct', () => {
    const a = assemble('.section tp_btf/task_newtask\n  r6 = *(u64 *)(r1 + 0)\n  r1 = *(u64 *)(r6 + 96)\n  r0 = 0\n  exit\n', { isa: 4 });
    const [s] = a.sections;
    if (!s) throw new Error('no section');
    // task_struct.cpus_mask (at 96) is a struct cpumask; its bits are at 0.
    const section = { ...s, relocations: [{ kind: 'field' as const, pc: 1, struct: 'task_struct', path: ['cpus_mask', 'bits'], operand: 'off' as const }] };
    const r = objectOfProgram({ sections: [section], maps: [] }, EXPORT_KERNEL);
    if (!r.ok) throw new Error(r.error);
    const { btf, relos } = coreOf(r.bytes);
    expect(structOf(btf, typeNamed(btf, 'task_struct').id).members).toEqual(['cpus_mask@96:struct cpumask']);
    expect(structOf(btf, typeNamed(btf, 'cpumask').id).members).toEqual([`bits@0:u64[${(EXPORT_KERNEL.struct('cpumask')?.size ?? 0) / 8}]`]);
    expect(relos.map((x) => x.relo.access)).toEqual(['0:0:0:0']);
    const back = objectOfElf(r.bytes);
    if (!back.ok) throw new Error(back.error);
    expect(slots(back.object.programs[0]?.bytes ?? new Uint8Array())).toEqual(slots(s.bytes));
  });

  it('refuses a field offset libbpf could not relocate, and leaves UAPI fields as they are', () => {
    const refusal = (line: string) => {
      const r = exportText(`.section tp_btf/task_newtask\n  r6 = *(u64 *)(r1 + 0)\n  ${line}\n  r0 = 0\n  exit\n`);
      return r.ok ? '' : r.error;
    };
    expect(refusal('r1 = *(s32 *)(r6 - task_struct.pid)')).toBe(
      "not exported yet: tp_btf/task_newtask: instruction 1: task_struct.pid: the offset is -16, not the field's offset 16 (libbpf relocates an offset as it is, not negated)",
    );
    expect(refusal('r1 += -task_struct.comm')).toMatch(/^not exported yet: .*instruction 1: task_struct\.comm: the immediate is -64, not the field's offset 64/);
    expect(refusal('if r6 > task_struct.comm goto +0')).toMatch(/^not exported yet: .*instruction 1: task_struct\.comm: a field offset as the immediate of a jump \(libbpf relocates/);
    expect(refusal('*(u64 *)(r10 - 8) = task_struct.comm')).toMatch(/^not exported yet: .*instruction 1: task_struct\.comm: a field offset as the value a store writes/);
    // A UAPI struct's offsets are ABI: used any way, with no CO-RE record.
    expect(refusal('if r6 > xdp_md.data_end goto +0')).toBe('');
    expect(refusal('r1 = *(u32 *)(r6 - xdp_md.data_end)')).toBe('');
    const uapi = exportText('.section xdp\n  r2 = *(u32 *)(r1 + xdp_md.data)\n  r3 = *(u32 *)(r1 + xdp_md.data_end)\n  r0 = 2\n  exit\n');
    if (!uapi.ok) throw new Error(uapi.error);
    expect(coreOf(uapi.bytes).relos).toEqual([]);
    expect(new TextDecoder('latin1').decode(uapi.bytes)).not.toContain('xdp_md');
  });

  it('carries the cpumask examples’ task_struct fields as CO-RE relocations that read back to the same offsets', () => {
    const relocated = examples.filter((e) => coreFields(e.result.sections).length > 0);
    expect(relocated.map((e) => e.file)).toEqual(expect.arrayContaining(['cpumask-query-618.bpf.s', 'cpumask-record-task.bpf.s', 'cpumask-set-clear.bpf.s']));
    for (const e of relocated) {
      const bytes = exported(e);
      const fields = coreFields(e.result.sections);
      const { relos } = coreOf(bytes);
      expect(relos.map((x) => `${x.section}@${x.relo.insnOff / 8}`), e.file).toEqual(fields.map((f) => `${e.result.sections.find((s) => s.relocations.includes(f))?.name ?? ''}@${f.pc}`));
      const back = objectOfElf(bytes);
      if (!back.ok) throw new Error(back.error);
      const s = e.result.sections.find((x) => x.insns.length > 0);
      expect(slots(back.object.programs[0]?.bytes ?? new Uint8Array()), e.file).toEqual(slots(s?.bytes ?? new Uint8Array()));
    }
  });

  it('splits a program with BPF-to-BPF calls as clang does: the entry in its section, the functions in .text', () => {
    const r = exportText(CALLS);
    if (!r.ok) throw new Error(r.error);
    const shape = shapeOf(r.bytes);
    // Static functions (local symbols, BTF linkage static), each section's own, in its order;
    // syscall's `count` is another function than xdp's, so it gets another name.
    expect(shape.functions).toEqual([
      'count local .text+0 (3 insns)',
      'bump local .text+24 (12 insns)',
      'count__syscall local .text+120 (2 insns)',
      'pid_of local .text+136 (2 insns)',
      'xdp global xdp+0 (4 insns)',
      'syscall global syscall+0 (3 insns)',
      'tp_btf_task_newtask global tp_btf/task_newtask+0 (4 insns)',
    ]);
    // Every call is `call -1` against its callee's symbol; the map and the helper as before.
    expect(shape.relocations).toEqual([
      'xdp+8 R_BPF_64_32 count src=1 imm=-1',
      'syscall+0 R_BPF_64_32 count__syscall src=1 imm=-1',
      'tp_btf/task_newtask+8 R_BPF_64_32 pid_of src=1 imm=-1',
      '.text+0 R_BPF_64_32 bump src=1 imm=-1',
      '.text+56 R_BPF_64_64 counts src=0 imm=0',
    ]);
    // func_info for every function, in the section that holds it.
    expect(shape.funcInfo).toEqual([
      'xdp+0 xdp global',
      '.text+0 count static',
      '.text+24 bump static',
      '.text+120 count__syscall static',
      '.text+136 pid_of static',
      'syscall+0 syscall global',
      'tp_btf/task_newtask+0 tp_btf_task_newtask global',
    ]);
    // The CO-RE relocation of pid_of's load is in .text, at its offset there.
    expect(coreOf(r.bytes).relos.map(({ section, relo }) => `${section}+${relo.insnOff} ${relo.access}`)).toEqual(['.text+136 0:0']);
    expectRoundTrip(r);
  });

  it('exports a callback as clang does: an ld_imm64 of its offset in .text against the .text section symbol', () => {
    const r = exportText(CALLBACK);
    if (!r.ok) throw new Error(r.error);
    const shape = shapeOf(r.bytes);
    expect(shape.functions).toEqual(['step local .text+0 (2 insns)', 'finish local .text+16 (2 insns)', 'xdp global xdp+0 (8 insns)']);
    // src_reg 0 as clang leaves it (libbpf sets BPF_PSEUDO_FUNC), imm the byte offset of `step`.
    expect(shape.relocations).toEqual(['xdp+8 R_BPF_64_64 .text src=0 imm=0', 'xdp+48 R_BPF_64_32 finish src=1 imm=-1']);
    expect(shape.funcInfo).toEqual(['xdp+0 xdp global', '.text+0 step static', '.text+16 finish static']);
    expectRoundTrip(r);
  });

  it('refuses what an object cannot hold: a call to the entry, unreachable functions, jumps between functions', () => {
    const refusal = (text: string) => {
      const r = exportText(`.section xdp\n${text}`);
      return r.ok ? '' : r.error;
    };
    expect(refusal('entry:\n  r0 = 0\n  call entry\n  exit\n')).toBe(
      "xdp: instruction 1: a call at instruction 0, the program's entry (an object holds the entry in its section and the functions it calls in .text)",
    );
    // A call past the end (bytes made by hand: the assembler resolves calls to labels).
    const [s] = assemble('.section xdp\n  call f\n  exit\nf:\n  exit\n', { isa: 4 }).sections;
    if (!s) throw new Error('no section');
    const bytes = s.bytes.slice();
    new DataView(bytes.buffer).setInt32(4, 5, true);
    const far = objectOfProgram({ sections: [{ ...s, bytes }], maps: [] }, EXPORT_KERNEL);
    expect(far.ok ? '' : far.error).toBe('xdp: instruction 0: a call at instruction 6, outside the program');
    expect(refusal('  r0 = 0\n  exit\na:\n  call b\n  exit\nb:\n  call a\n  exit\n')).toBe(
      "xdp: the function at instruction 2 ('a') is called only from code the entry never calls (the kernel refuses unreachable instructions)",
    );
    expect(refusal('  call f\n  if r0 == 0 goto end\n  exit\nf:\n  r0 = 0\nend:\n  exit\n')).toBe(
      "xdp: instruction 1: a jump from the entry into the function at instruction 3 ('f') (the kernel refuses jumps between functions)",
    );
  });

  it('says what it does not export yet', () => {
    const raw = assemble('.section raw\n  r0 = 0\n  exit\n', { isa: 4 });
    const q = objectOfProgram({ sections: raw.sections, maps: raw.maps }, EXPORT_KERNEL);
    expect(q.ok ? '' : q.error).toMatch(/^not exported yet: section 'raw'/);
  });

  it('llvm-objdump-19 and llvm-readelf-19 read the calls: static functions in .text, each call relocated against its callee', () => {
    if (!tool('llvm-objdump-19') || !tool('llvm-readelf-19')) {
      console.log('skipped: llvm-objdump-19 or llvm-readelf-19 is not installed');
      return;
    }
    const r = exportText(CALLS);
    const c = exportText(CALLBACK);
    if (!r.ok || !c.ok) throw new Error('not exported');
    const path = join(dir, 'calls.o');
    writeFileSync(path, r.bytes);
    const d = spawnSync('llvm-objdump-19', ['-d', '-r', path], { encoding: 'utf8' });
    expect(d.stderr).toBe('');
    const lines = d.stdout.split('\n').map((l) => l.trim().replace(/\s+/g, ' '));
    expect(lines.filter((l) => /^[0-9a-f]{16} <\w+>:$|R_BPF/.test(l))).toEqual([
      '0000000000000000 <xdp>:',
      '0000000000000008: R_BPF_64_32 count',
      '0000000000000000 <syscall>:',
      '0000000000000000: R_BPF_64_32 count__syscall',
      '0000000000000000 <tp_btf_task_newtask>:',
      '0000000000000008: R_BPF_64_32 pid_of',
      '0000000000000000 <count>:',
      '0000000000000000: R_BPF_64_32 bump',
      '0000000000000018 <bump>:',
      '0000000000000038: R_BPF_64_64 counts',
      '0000000000000078 <count__syscall>:',
      '0000000000000088 <pid_of>:',
    ]);
    expect(lines).toContain('1: 85 10 00 00 ff ff ff ff call -0x1');
    const s = spawnSync('llvm-readelf-19', ['-S', '-s', '-r', path], { encoding: 'utf8' });
    expect(s.stderr).toBe('');
    const symbols = s.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[3] === 'FUNC').map((f) => `${f[7] ?? ''} ${f[4] ?? ''}`);
    expect(symbols).toEqual(['count LOCAL', 'bump LOCAL', 'count__syscall LOCAL', 'pid_of LOCAL', 'xdp GLOBAL', 'syscall GLOBAL', 'tp_btf_task_newtask GLOBAL']);
    const cpath = join(dir, 'callback.o');
    writeFileSync(cpath, c.bytes);
    const cd = spawnSync('llvm-objdump-19', ['-d', '-r', cpath], { encoding: 'utf8' });
    expect(cd.stderr).toBe('');
    expect(cd.stdout.split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter((l) => /R_BPF/.test(l))).toEqual(['0000000000000008: R_BPF_64_64 .text', '0000000000000030: R_BPF_64_32 finish']);
  });

  it('llvm-readelf-19 reads every object', () => {
    if (!tool('llvm-readelf-19')) {
      console.log('skipped: llvm-readelf-19 is not installed');
      return;
    }
    for (const [i, e] of examples.entries()) {
      const path = join(dir, `readelf-${i}.o`);
      writeFileSync(path, exported(e));
      const r = spawnSync('llvm-readelf-19', ['-S', '-s', '-r', path], { encoding: 'utf8' });
      expect(r.stderr, e.file).toBe('');
      expect(r.status, e.file).toBe(0);
      expect(r.stdout).toContain('.BTF');
    }
  });

  it('libbpf loads the device-bound ones with their XDP programs bound to a device (bpftool 7.1 cannot bind)', async () => {
    const ifindex = deviceIfindex();
    for (const [n, e] of examples.entries()) {
      const kfuncs = e.result.sections.flatMap((s) => s.relocations.flatMap((r) => (r.kind === 'kfunc' ? [r.name] : [])));
      if (!kfuncs.some((k) => XDP_METADATA_KFUNCS.has(k))) continue;
      if (typeof ifindex !== 'number') {
        console.log(`${e.file}: skipped: ${ifindex.unavailable}`);
        continue;
      }
      // A helper or kfunc upstream allows but this kernel build refuses leaves the object out.
      const source = readFileSync(join(EXAMPLES, e.file), 'utf8');
      const refusals = (await Promise.all(e.result.sections.filter((s) => s.insns.length > 0).map((s) => buildRefusal(source, { section: s.name })))).filter((r) => r !== undefined);
      if (refusals.length > 0) {
        console.log(`${e.file}: left out: ${refusals.join('; ')}`);
        continue;
      }
      const path = join(dir, `bound-${n}.o`);
      writeFileSync(path, exported(e));
      const r = await libbpfLoad(path, ifindex);
      if ('unavailable' in r) {
        console.log(`${e.file}: skipped: ${r.unavailable}`);
        continue;
      }
      expect('loaded' in r ? '' : r.log.split('\n').slice(-25).join('\n'), e.file).toBe('');
      console.log(`${e.file}: libbpf loaded ${'loaded' in r ? r.loaded.join(', ') : ''} bound to ${process.env['BPFP_KERNEL_XDP_DEV'] ?? ''}`);
    }
  });

  it('bpftool prog loadall accepts the objects that are not device-bound', () => {
    const bpffs = readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === '/sys/fs/bpf' && l.split(' ')[2] === 'bpf');
    const why = !tool('bpftool') ? 'bpftool is not installed' : process.getuid?.() !== 0 ? 'not root' : !bpffs ? '/sys/fs/bpf is not a mounted bpffs' : undefined;
    if (why) {
      console.log(`skipped: bpftool loadall: ${why}`);
      return;
    }
    for (const [n, e] of examples.entries()) {
      const kfuncs = e.result.sections.flatMap((s) => s.relocations.flatMap((r) => (r.kind === 'kfunc' ? [r.name] : [])));
      const bound = kfuncs.find((k) => XDP_METADATA_KFUNCS.has(k));
      if (bound) {
        console.log(`${e.file}: skipped: calls ${bound}, so it must be bound to a device, which bpftool 7.1 cannot do (the libbpf test above binds it)`);
        continue;
      }
      const path = join(dir, `load-${n}.o`);
      writeFileSync(path, exported(e));
      const pin = `/sys/fs/bpf/bpfp-export-${process.pid}-${n}`;
      try {
        // -d: libbpf says what it does with each CO-RE relocation.
        const r = spawnSync('bpftool', ['-d', 'prog', 'loadall', path, pin], { encoding: 'utf8', timeout: 10000, maxBuffer: 64 << 20 });
        const missing = /extern \(func ksym\) '(\w+)': not found in kernel/.exec(r.stderr);
        if (r.status !== 0 && missing) {
          // The 6.3 examples: Linux removed bpf_cpumask_kptr_get (6.5) and renamed bpf_cpumask_any.
          console.log(`${e.file}: skipped: this kernel has no kfunc ${missing[1]}`);
          continue;
        }
        const tail = r.stderr.split('\n').filter((l) => !/^libbpf: sec '|^libbpf: elf:|^Warning:|^If it used/.test(l)).slice(-25).join('\n');
        expect(r.status === 0 ? '' : tail, e.file).toBe('');
        // Every kernel struct field was moved to this kernel's offset (the simulated ones are not it).
        const fields = coreFields(e.result.sections);
        const patched = [...r.stderr.matchAll(/relo #\d+: patched insn #(\d+) \((?:LDX\/ST\/STX|ALU\/ALU64)\) (?:off|imm) (-?\d+) -> (-?\d+)/g)];
        expect(patched.length, e.file).toBe(fields.length);
        const moved = patched.filter((m) => m[2] !== m[3]).length;
        console.log(`${e.file}: bpftool loaded ${readdirSync(pin).join(', ')}${fields.length ? `; libbpf patched ${patched.length} CO-RE field offsets (${moved} moved)` : ''}`);
      } finally {
        rmSync(pin, { recursive: true, force: true });
      }
    }
  });

  it('bpftool prog loadall accepts the calls and the callback, libbpf placing each function where the playground has it', () => {
    const bpffs = readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === '/sys/fs/bpf' && l.split(' ')[2] === 'bpf');
    const why = !tool('bpftool') ? 'bpftool is not installed' : process.getuid?.() !== 0 ? 'not root' : !bpffs ? '/sys/fs/bpf is not a mounted bpffs' : undefined;
    if (why) {
      console.log(`skipped: bpftool loadall: ${why}`);
      return;
    }
    // Where each function starts in its program, as assembled (and as libbpf appends it).
    const cases = [
      { text: CALLS, placed: ['bump@7', 'count@4', 'count__syscall@3', 'pid_of@4'] },
      { text: CALLBACK, placed: ['finish@10', 'step@8'] },
    ];
    for (const [n, { text, placed }] of cases.entries()) {
      const r = exportText(text);
      if (!r.ok) throw new Error(r.error);
      const path = join(dir, `calls-load-${n}.o`);
      writeFileSync(path, r.bytes);
      const pin = `/sys/fs/bpf/bpfp-export-calls-${process.pid}-${n}`;
      try {
        const l = spawnSync('bpftool', ['-d', 'prog', 'loadall', path, pin], { encoding: 'utf8', timeout: 10000, maxBuffer: 64 << 20 });
        const tail = l.stderr.split('\n').filter((x) => !/^libbpf: sec '|^libbpf: elf:|^Warning:|^If it used/.test(x)).slice(-25).join('\n');
        expect(l.status === 0 ? '' : tail).toBe('');
        const programs = r.sections.filter((s) => s.insns.length > 0);
        expect(readdirSync(pin).sort()).toEqual(programs.map((s) => symbolName(s.name)).sort());
        // libbpf appended each function to its program at the instruction the playground has it at.
        const seen = [...new Set([...l.stderr.matchAll(/points to subprog '(\w+)' \(now at (\d+) offset\)/g)].map((m) => `${m[1] ?? ''}@${m[2] ?? ''}`))].sort();
        expect(seen).toEqual(placed);
        console.log(`calls ${n}: bpftool loaded ${readdirSync(pin).join(', ')}; libbpf placed ${seen.join(', ')}`);
      } finally {
        rmSync(pin, { recursive: true, force: true });
      }
    }
  });

  it('bpfp asm FILE -o OUT.o writes the object; other extensions stay bytecode', () => {
    const file = join(EXAMPLES, 'xdp-queue-counter.bpf.s');
    const r = runCli(['asm', file, '-o', join(dir, 'q.o')]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const o = r.files.get(join(dir, 'q.o'));
    expect(o && Array.from(o.subarray(0, 4))).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    const back = o && objectOfElf(o);
    expect(back?.ok).toBe(true);
    const b = runCli(['asm', file, '-o', join(dir, 'q.bin')]);
    expect(b.files.get(join(dir, 'q.bin'))?.[0]).not.toBe(0x7f);
    const raw = join(dir, 'raw.bpf.s');
    writeFileSync(raw, '.section raw\n  r0 = 0\n  exit\n');
    const bad = runCli(['asm', raw, '-o', join(dir, 'raw.o')]);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toEqual([`${raw}: error: not exported yet: section 'raw' names no program type libbpf knows (use xdp, tc, socket, syscall or tp_btf/…)`]);
  });
});
