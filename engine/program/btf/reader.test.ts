// The reader on clang-built objects (fixtures/*.c, rebuilt by fixtures/build.sh): every type
// against bpftool's raw dump, the maps, kfuncs and functions the C declares, line_info against
// the source text, CO-RE access strings against the field offsets, and refusals with offsets.

import { describe, expect, it } from 'vitest';
import type { Btf, BtfExt, BtfType } from './btf.ts';
import { bpftoolDump, loadFixture } from './fixtures/sections.ts';
import { functionNames, kfuncExterns } from './functions.ts';
import { memberOffset, resolve, typeSize } from './layout.ts';
import { mapDefinitions } from './map-definitions.ts';
import { readBtf, readBtfExt } from './reader.ts';

function read(name: string): { btf: Btf; ext: BtfExt; source: string; path: string } {
  const f = loadFixture(name);
  const r = readBtf(f.btf);
  if (!r.ok) throw new Error(`${name}: ${r.error.message} at ${r.error.offset}`);
  const e = readBtfExt(f.ext, r.btf);
  if (!e.ok) throw new Error(`${name}: ${e.error.message} at ${e.error.offset}`);
  return { btf: r.btf, ext: e.ext, source: f.source, path: f.path };
}

const byName = (btf: Btf, kind: BtfType['kind'], name: string): BtfType => {
  const t = btf.types.find((x) => x.kind === kind && x.name === name);
  if (!t) throw new Error(`no ${kind} ${name}`);
  return t;
};

/** One of our types in the shape of `bpftool -j btf dump … format raw` (tools/bpf/bpftool/btf.c dump_btf_type). */
function asBpftool(t: BtfType): Record<string, unknown> {
  const head = { id: t.id, kind: t.kind.toUpperCase(), name: t.name === '' ? '(anon)' : t.name };
  switch (t.kind) {
    case 'void':
      return head;
    case 'int': {
      const encoding = t.signed ? 'SIGNED' : t.char ? 'CHAR' : t.bool ? 'BOOL' : '(none)';
      return { ...head, size: t.size, bits_offset: t.bitOffset, nr_bits: t.bits, encoding };
    }
    case 'ptr':
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
    case 'type_tag':
      return { ...head, type_id: t.type };
    case 'array':
      return { ...head, type_id: t.type, index_type_id: t.indexType, nr_elems: t.nelems };
    case 'struct':
    case 'union':
      return {
        ...head,
        size: t.size,
        vlen: t.members.length,
        members: t.members.map((m) => ({ name: m.name || '(anon)', type_id: m.type, bits_offset: m.bitOffset, ...(m.bitfieldSize ? { bitfield_size: m.bitfieldSize } : {}) })),
      };
    case 'enum':
    case 'enum64':
      return {
        ...head,
        encoding: t.signed ? 'SIGNED' : 'UNSIGNED',
        size: t.size,
        vlen: t.values.length,
        values: t.values.map((v) => ({ name: v.name, val: Number(v.value) })),
      };
    case 'fwd':
      return { ...head, fwd_kind: t.union ? 'union' : 'struct' };
    case 'func':
    case 'var':
      return { ...head, type_id: t.type, linkage: t.linkage };
    case 'func_proto':
      return { ...head, ret_type_id: t.returnType, vlen: t.params.length, params: t.params.map((p) => ({ name: p.name || '(anon)', type_id: p.type })) };
    case 'datasec':
      return { ...head, size: t.size, vlen: t.vars.length, vars: t.vars.map((v) => ({ type_id: v.type, offset: v.offset, size: v.size })) };
    case 'float':
      return { ...head, size: t.size };
    case 'decl_tag':
      return { ...head, type_id: t.type, component_idx: t.componentIdx };
  }
}

describe('readBtf on clang objects', () => {
  for (const name of ['maps', 'core']) {
    it(`reads every type of ${name}.o as bpftool does`, ({ skip }) => {
      const { btf, path } = read(name);
      const dump = bpftoolDump(path);
      if (!dump.ok) {
        console.log(`skipped: bpftool cannot dump ${name}.o (${dump.reason})`);
        skip();
        return;
      }
      expect(btf.types.slice(1).map(asBpftool)).toEqual(dump.types);
    });
  }

  it('covers all nineteen kinds across the fixtures', () => {
    const kinds = new Set(['maps', 'core'].flatMap((n) => read(n).btf.types.map((t) => t.kind)));
    expect([...kinds].sort()).toEqual(
      ['array', 'const', 'datasec', 'decl_tag', 'enum', 'enum64', 'float', 'func', 'func_proto', 'fwd', 'int', 'ptr', 'restrict', 'struct', 'type_tag', 'typedef', 'union', 'var', 'void', 'volatile'],
    );
  });

  it('reads the values of enums, signed and 64-bit', () => {
    const { btf } = read('maps');
    const verdict = byName(btf, 'enum', 'verdict');
    expect(verdict.kind === 'enum' && verdict.values).toEqual([
      { name: 'VERDICT_DROP', value: 0 },
      { name: 'VERDICT_PASS', value: 2 },
      { name: 'VERDICT_BIG', value: -1 },
    ]);
    const wide = byName(read('core').btf, 'enum64', 'wide');
    expect(wide.kind === 'enum64' && wide.values).toEqual([
      { name: 'WIDE_SMALL', value: 1n },
      { name: 'WIDE_BIG', value: 0x100000000n },
    ]);
  });
});

describe('what maps.c declares', () => {
  const { btf, ext, source } = read('maps');

  it('finds both BTF-defined maps with their sizes and the kptr fields of the value', () => {
    const { maps, errors } = mapDefinitions(btf);
    expect(errors).toEqual([]);
    const masks = maps.find((m) => m.name === 'masks');
    const flows = maps.find((m) => m.name === 'flows');
    expect(masks).toMatchObject({ type: 2, keySize: 4, valueSize: 32, maxEntries: 4, flags: 0 });
    expect(btf.types[masks?.valueType ?? 0]?.name).toBe('mask_slot');
    expect(masks?.kptrs).toEqual([
      { name: 'mask', offset: 8, tag: 'kptr', pointee: 'bpf_cpumask', pointeeType: byName(btf, 'struct', 'bpf_cpumask').id },
      { name: 'peek', offset: 16, tag: 'kptr_untrusted', pointee: 'bpf_cpumask', pointeeType: byName(btf, 'struct', 'bpf_cpumask').id },
      // Only declared in the object, so the pointee is a FWD; the kernel resolves it by name.
      { name: 'owner', offset: 24, tag: 'kptr_ref', pointee: 'task_struct', pointeeType: byName(btf, 'fwd', 'task_struct').id },
    ]);
    expect(flows).toMatchObject({ type: 1, keySize: 12, valueSize: 8, keyType: 0, valueType: 0, maxEntries: 1024, flags: 1, kptrs: [] });
  });

  it('lists the kfuncs the program calls and its own functions', () => {
    // bpf_cpumask_first is declared but unused, so clang leaves it out.
    expect(kfuncExterns(btf).map((f) => f.name)).toEqual(['bpf_cpumask_create', 'bpf_cpumask_release']);
    expect(functionNames(btf).map((f) => [f.name, f.linkage])).toEqual([
      ['count_packets', 'global'],
      ['install_mask', 'static'],
      ['pick_slot', 'static'],
    ]);
  });

  it('points func_info at each function in its section', () => {
    const named = ext.funcInfo.map((s) => [s.section, s.records.map((r) => [r.insnOff, btf.types[r.typeId]?.name])]);
    expect(named).toEqual([
      ['xdp', [[0, 'count_packets']]],
      ['.text', [[0, 'install_mask'], [168, 'pick_slot']]],
    ]);
  });

  it('gives line_info whose text is the source line it names', () => {
    const lines = source.split('\n');
    const records = ext.lineInfo.flatMap((s) => s.records);
    expect(ext.lineInfo.map((s) => s.section)).toEqual(['xdp', '.text']);
    expect(records.length).toBeGreaterThan(20);
    for (const r of records) {
      expect(r.fileName).toBe('./maps.c');
      expect(r.lineText).toBe(lines[r.line - 1]);
      expect(r.col).toBeLessThanOrEqual(r.lineText.length + 1);
    }
    const firstOf = (section: string) => ext.lineInfo.find((s) => s.section === section)?.records[0];
    expect(firstOf('xdp')).toMatchObject({ insnOff: 0, lineText: 'int count_packets(struct xdp_md *ctx)', col: 0 });
    expect(records.some((r) => r.lineText.includes('bpf_kptr_xchg(&v->mask, mask)'))).toBe(true);
  });
});

describe('CO-RE in core.c', () => {
  const { btf, ext } = read('core');
  const task = byName(btf, 'struct', 'task_struct').id;

  it('reads each relocation and finds the field it names', () => {
    const relos = ext.coreRelos.flatMap((s) => s.records.map((r) => ({ section: s.section, ...r })));
    const fields = relos
      .filter((r) => r.kind === 'field_byte_offset')
      .map((r) => {
        const at = memberOffset(btf, r.typeId, r.access);
        return [btf.types[r.typeId]?.name, r.access, at.ok ? at.field.byteOffset : at.message];
      });
    // BPF_CORE_READ(task, real_parent, pid), (task, mm, total_vm), (task, cpus_ptr, bits[1]).
    expect(fields).toEqual([
      ['task_t', '0:3', 16],
      ['task_struct', '0:0', 0],
      ['task_struct', '0:4', 24],
      ['mm_struct', '0:0', 0],
      ['task_struct', '0:2', 8],
      ['cpumask', '0:0:1', 8],
    ]);
    expect(relos.filter((r) => r.kind !== 'field_byte_offset').map((r) => [r.section, r.typeId, r.access, r.kind])).toEqual([
      ['tp_btf/task_newtask', task, '0', 'type_size'],
      ['tp_btf/task_newtask', task, '0:1', 'field_exists'],
    ]);
  });

  it('sizes and resolves types through typedefs, modifiers and arrays', () => {
    expect(typeSize(btf, task)).toBe(48);
    const taskT = byName(btf, 'typedef', 'task_t').id;
    expect(resolve(btf, taskT)?.id).toBe(task);
    expect(typeSize(btf, taskT)).toBe(48);
    expect(typeSize(btf, byName(btf, 'union', 'either').id)).toBe(4);
    expect(typeSize(btf, byName(btf, 'func', 'parent_pid').id)).toBeUndefined();
    const comm = memberOffset(btf, task, '0:5:15');
    expect(comm.ok && comm.field).toMatchObject({ byteOffset: 47, bitOffset: 376 });
    expect(memberOffset(btf, task, '1:1')).toMatchObject({ ok: true, field: { byteOffset: 52 } });
    const bits = memberOffset(btf, byName(btf, 'struct', 'bits').id, '0:1');
    expect(bits.ok && bits.field).toMatchObject({ bitOffset: 3, bitfieldSize: 5, byteOffset: 0 });
    expect(memberOffset(btf, task, '0:6')).toMatchObject({ ok: false });
    expect(memberOffset(btf, task, '0:5:16')).toMatchObject({ ok: false });
    expect(memberOffset(btf, task, '0:0:0')).toMatchObject({ ok: false });
    expect(memberOffset(btf, task, '0:x')).toMatchObject({ ok: false });
  });
});

describe('refusals name the byte offset', () => {
  const { btf: good } = (() => {
    const f = loadFixture('maps');
    return { btf: f.btf };
  })();
  const patched = (at: number, bytes: number[]) => {
    const b = good.slice();
    b.set(bytes, at);
    return b;
  };
  const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];

  it.each([
    ['a truncated header', good.slice(0, 10), 0, /header needs 24/],
    ['a bad magic', patched(0, [0x12, 0x34]), 0, /magic/],
    ['big-endian BTF', patched(0, [0xeb, 0x9f]), 0, /big-endian/],
    ['version 2', patched(2, [2]), 2, /version 2/],
    ['a short header length', patched(4, u32(8)), 4, /below 24/],
    ['a string section past the end', patched(20, u32(0x7fffffff)), 16, /string section/],
    ['an unaligned type section', patched(8, u32(2)), 8, /aligned/],
    ['an unknown kind', patched(24 + 4, u32(25 << 24)), 28, /unknown kind 25/],
    ['a name beyond the strings', patched(24, u32(0xfffff0)), 24, /beyond the string section/],
    ['a pointer to a missing type', patched(24 + 8, u32(9999)), 24, /refers to type \[9999\]/],
  ])('refuses %s', (_what, bytes, offset, message) => {
    const r = readBtf(bytes);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.offset).toBe(offset);
      expect(r.error.message).toMatch(message);
    }
  });

  it('refuses .BTF.ext records that point at missing types or strings', () => {
    const f = loadFixture('maps');
    const r = readBtf(f.btf);
    if (!r.ok) throw new Error(r.error.message);
    // func_info starts after the 32-byte header: rec_size, then the first section's name and count.
    const firstTypeId = 32 + 4 + 8 + 4;
    const ext = f.ext.slice();
    new DataView(ext.buffer).setUint32(firstTypeId, 5000, true);
    expect(readBtfExt(ext, r.btf)).toEqual({ ok: false, error: { offset: firstTypeId, message: expect.stringMatching(/type id 5000/) } });
    const named = f.ext.slice();
    new DataView(named.buffer).setUint32(36, 0xffffff, true);
    expect(readBtfExt(named, r.btf)).toMatchObject({ ok: false, error: { offset: 36 } });
    const counted = f.ext.slice();
    new DataView(counted.buffer).setUint32(40, 0x7fffffff, true);
    expect(readBtfExt(counted, r.btf)).toMatchObject({ ok: false, error: { offset: 40, message: expect.stringMatching(/claims/) } });
  });
});
