// Loading an object as libbpf does, on a hand-made object: a map reference, a global variable,
// a call into .text, a kfunc extern, a callback's address, the license and line info; and two
// programs that each take only their own functions of .text.

import { describe, expect, it } from 'vitest';
import { kfuncByName } from '../kernel/kfuncs/ids.ts';
import { fieldOf } from '../kernel/btf/layouts.ts';
import { loadObject, type ObjectInput } from './object.ts';

/** One instruction: opcode, dst, src, off, imm. */
function insn(op: number, dst: number, src: number, off: number, imm: number): number[] {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  b[0] = op;
  b[1] = (src << 4) | dst;
  dv.setInt16(2, off, true);
  dv.setInt32(4, imm, true);
  return [...b];
}
const bytes = (...xs: number[][]): Uint8Array => Uint8Array.from(xs.flat());
const EXIT = insn(0x95, 0, 0, 0, 0);

const prog = bytes(
  insn(0x18, 1, 0, 0, 0), insn(0, 0, 0, 0, 0), // r1 = counts ll
  insn(0x18, 2, 0, 0, 4), insn(0, 0, 0, 0, 0), // r2 = &.data + 4
  insn(0x85, 0, 1, 0, -1), // call helper_fn (in .text)
  insn(0x85, 0, 1, 0, -1), // call bpf_cpumask_create (extern)
  insn(0x18, 3, 0, 0, 0), insn(0, 0, 0, 0, 0), // r3 = cb ll (a callback in .text)
  EXIT,
);
const text = bytes(insn(0xb7, 0, 0, 0, 1), EXIT, insn(0xb7, 0, 0, 0, 2), EXIT);
const data = Uint8Array.from([1, 0, 0, 0, 7, 0, 0, 0]);

const OBJECT: ObjectInput = {
  sections: [
    { index: 2, name: '.text', type: 1, flags: 0x6, bytes: text, size: text.length },
    { index: 3, name: 'xdp', type: 1, flags: 0x6, bytes: prog, size: prog.length },
    { index: 4, name: '.data', type: 1, flags: 0x3, bytes: data, size: data.length },
    { index: 5, name: '.maps', type: 1, flags: 0x3, bytes: new Uint8Array(32), size: 32 },
    { index: 6, name: 'license', type: 1, flags: 0x3, bytes: Uint8Array.from([71, 80, 76, 0]), size: 4 },
    { index: 7, name: '.bss', type: 8, flags: 0x3, bytes: new Uint8Array(0), size: 16 },
  ],
  symbols: [
    { name: '', value: 0, kind: 'notype', global: false, section: 0 },
    { name: 'counts', value: 0, kind: 'object', global: true, section: 5 },
    { name: '.data', value: 0, kind: 'section', global: false, section: 4 },
    { name: 'helper_fn', value: 16, kind: 'func', global: true, section: 2 },
    { name: 'bpf_cpumask_create', value: 0, kind: 'notype', global: true, section: 0 },
    { name: 'cb', value: 0, kind: 'func', global: false, section: 2 },
  ],
  relocations: [
    { section: 3, offset: 0, symbol: 1, type: 1 },
    { section: 3, offset: 16, symbol: 2, type: 1 },
    { section: 3, offset: 32, symbol: 3, type: 10 },
    { section: 3, offset: 40, symbol: 4, type: 10 },
    { section: 3, offset: 48, symbol: 5, type: 1 },
  ],
  maps: [{ name: 'counts', type: 2, keySize: 4, valueSize: 8, maxEntries: 16, flags: 0, kptrs: [] }],
  lines: new Map([
    ['xdp', [{ insnOff: 0, file: 'p.c', line: 10, col: 3, text: 'x = counts;' }, { insnOff: 32, file: 'p.c', line: 12, col: 2, text: 'helper_fn();' }]],
    ['.text', [{ insnOff: 16, file: 'p.c', line: 4, col: 9, text: 'return 2;' }]],
  ]),
};

describe('loadObject', () => {
  it('relocates maps, global data, calls into .text, kfunc externs and callbacks as libbpf does', () => {
    const r = loadObject(OBJECT);
    if (!r.ok) throw new Error(r.error);
    const { programs, maps, mapContents, license } = r.object;
    expect(license).toBe('GPL');
    expect(maps.map((m) => [m.name, m.type, m.valueSize, m.maxEntries])).toEqual([
      ['counts', 'array', 8, 16],
      ['.data', 'array', 8, 1],
      ['.bss', 'array', 16, 1],
    ]);
    expect(mapContents).toEqual({ '.data': [{ key: '00000000', value: '0100000007000000' }] });
    const p = programs[0];
    if (!p) throw new Error('no program');
    expect(p.name).toBe('xdp');
    // .text appended after the program's 9 slots.
    expect(p.bytes.length).toBe((9 + 4) * 8);
    const dv = new DataView(p.bytes.buffer);
    const src = (slot: number) => (p.bytes[slot * 8 + 1] ?? 0) >> 4;
    const imm = (slot: number) => dv.getInt32(slot * 8 + 4, true);
    expect([src(0), imm(0), imm(1)]).toEqual([1, 0, 0]); // BPF_PSEUDO_MAP_FD, map 0
    expect([src(2), imm(2), imm(3)]).toEqual([2, 1, 4]); // BPF_PSEUDO_MAP_VALUE, map 1 (.data) + 4
    expect([src(4), imm(4)]).toEqual([1, 9 + 2 - 5]); // helper_fn: .text slot 2 → program slot 11
    expect([src(5), imm(5)]).toEqual([2, kfuncByName('bpf_cpumask_create')?.id]);
    expect([src(6), imm(6)]).toEqual([4, 9 - 7]); // BPF_PSEUDO_FUNC to cb (program slot 9)
    // Each slot takes the line of the last line record at or before it (.text's first two slots have none of their own).
    expect(p.lines.map((l) => l?.line)).toEqual([10, 10, 10, 10, 12, 12, 12, 12, 12, 12, 12, 4, 4]);
  });

  it('appends to each program only the functions of .text it reaches, moving bare calls between them', () => {
    // .text: f calls g with no relocation (clang's call between static functions), then h.
    const fns = bytes(insn(0x85, 0, 1, 0, 1), EXIT, insn(0xb7, 0, 0, 0, 7), EXIT, insn(0xb7, 0, 0, 0, 9), EXIT);
    const a = bytes(insn(0x85, 0, 1, 0, -1), EXIT); // call f
    const b = bytes(insn(0x85, 0, 1, 0, 3), EXIT); // call h, against the .text section symbol (imm: its slot - 1)
    const r = loadObject({
      sections: [
        { index: 1, name: '.text', type: 1, flags: 0x6, bytes: fns, size: fns.length },
        { index: 2, name: 'xdp', type: 1, flags: 0x6, bytes: a, size: a.length },
        { index: 3, name: 'syscall', type: 1, flags: 0x6, bytes: b, size: b.length },
      ],
      symbols: [
        { name: '', value: 0, kind: 'notype', global: false, section: 0 },
        { name: '.text', value: 0, kind: 'section', global: false, section: 1 },
        { name: 'f', value: 0, kind: 'func', global: false, section: 1 },
        { name: 'g', value: 16, kind: 'func', global: false, section: 1 },
        { name: 'h', value: 32, kind: 'func', global: false, section: 1 },
      ],
      relocations: [
        { section: 2, offset: 0, symbol: 2, type: 10 },
        { section: 3, offset: 0, symbol: 1, type: 10 },
      ],
      maps: [],
    });
    if (!r.ok) throw new Error(r.error);
    const [xdp, syscall] = r.object.programs;
    const dv = (p: Uint8Array) => new DataView(p.buffer, p.byteOffset, p.byteLength);
    // xdp: its 2 slots, f (slots 2-3), g (4-5); h stays out. f's call to g still lands on g.
    expect(xdp?.bytes.length).toBe(6 * 8);
    expect(xdp && [dv(xdp.bytes).getInt32(4, true), dv(xdp.bytes).getInt32(2 * 8 + 4, true), dv(xdp.bytes).getInt32(4 * 8 + 4, true)]).toEqual([1, 1, 7]);
    // syscall: its 2 slots and h alone.
    expect(syscall?.bytes.length).toBe(4 * 8);
    expect(syscall && [dv(syscall.bytes).getInt32(4, true), dv(syscall.bytes).getInt32(2 * 8 + 4, true)]).toEqual([1, 9]);
  });

  it("resolves a CO-RE field offset against the simulated kernel's layout, and names a field it lacks", () => {
    const ldx = bytes(insn(0x61, 0, 1, 999, 0), EXIT); // r0 = *(u32 *)(r1 + 999), CO-RE relocated
    const obj: ObjectInput = { ...OBJECT, sections: [{ index: 3, name: 'tp_btf/task_newtask', type: 1, flags: 0x6, bytes: ldx, size: ldx.length }], symbols: [], relocations: [], maps: [] };
    const pid = fieldOf('task_struct', 'pid')?.offset;
    const r = loadObject({ ...obj, core: [{ section: 'tp_btf/task_newtask', insnOff: 0, struct: 'task_struct___local', path: [0, 'pid'], kind: 0 }] });
    if (!r.ok) throw new Error(r.error);
    expect(new DataView(r.object.programs[0]!.bytes.buffer).getInt16(2, true)).toBe(pid);
    const missing = loadObject({ ...obj, core: [{ section: 'tp_btf/task_newtask', insnOff: 0, struct: 'task_struct', path: [0, 'no_such_field'], kind: 0 }] });
    expect(missing).toMatchObject({ ok: false, error: expect.stringMatching(/^tp_btf\/task_newtask at offset 0x0: CO-RE: struct task_struct has no field 'no_such_field' in the simulated kernel/) });
  });

  it('says what it cannot load, naming the section and offset', () => {
    const unknown = loadObject({ ...OBJECT, symbols: OBJECT.symbols.map((s) => (s.name === 'bpf_cpumask_create' ? { ...s, name: 'bpf_no_such_kfunc' } : s)) });
    expect(unknown).toEqual({ ok: false, error: "xdp at offset 0x28: call to 'bpf_no_such_kfunc', which is neither a kfunc nor a function of the object" });
    const badMap = loadObject({ ...OBJECT, maps: [{ ...OBJECT.maps[0]!, type: 21 }] });
    expect(badMap).toMatchObject({ ok: false, error: expect.stringContaining("map 'counts': map type 21 is not one the playground simulates") });
    const noProgram = loadObject({ ...OBJECT, sections: OBJECT.sections.map((s) => (s.name === 'xdp' ? { ...s, name: 'kprobe/foo' } : s)) });
    expect(noProgram).toMatchObject({ ok: false, error: expect.stringContaining('kprobe/foo: not a program type the playground runs') });
  });
});
