// The writer: fixture BTF rebuilt type by type reads back the same, a program's BTF built from
// scratch (maps with kptrs, functions, kfunc externs, line info) reads back as declared, and
// libbpf (through bpftool) opens objects carrying the written sections.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Btf, BtfExt } from './btf.ts';
import { rebuild } from './fixtures/rebuild.ts';
import { bpftoolDump, loadFixture } from './fixtures/sections.ts';
import { functionNames, kfuncExterns } from './functions.ts';
import { mapDefinitions } from './map-definitions.ts';
import { readBtf, readBtfExt } from './reader.ts';
import { BtfBuilder } from './writer.ts';

function read(btfBytes: Uint8Array, extBytes: Uint8Array): { btf: Btf; ext: BtfExt } {
  const r = readBtf(btfBytes);
  if (!r.ok) throw new Error(`${r.error.message} at ${r.error.offset}`);
  const e = readBtfExt(extBytes, r.btf);
  if (!e.ok) throw new Error(`${e.error.message} at ${e.error.offset}`);
  return { btf: r.btf, ext: e.ext };
}

function build(b: BtfBuilder): { btf: Uint8Array; ext: Uint8Array } {
  const out = b.build();
  if (!out.ok) throw new Error(out.error.message);
  if (!out.ext) throw new Error('no .BTF.ext records');
  return { btf: out.btf, ext: out.ext };
}

function readBuilt(b: BtfBuilder): { btf: Btf; ext: BtfExt } {
  const out = build(b);
  return read(out.btf, out.ext);
}

const withoutOffsets = (btf: Btf) => btf.types.map(({ offset: _offset, ...rest }) => rest);

/** A copy of fixture `name` with its .BTF and .BTF.ext replaced, or why llvm-objcopy could not make it. */
function objectWith(dir: string, name: string, sections: { btf: Uint8Array; ext: Uint8Array }): { ok: true; path: string } | { ok: false; reason: string } {
  const btfPath = join(dir, `${name}.btf`);
  const extPath = join(dir, `${name}.btf.ext`);
  const out = join(dir, `${name}.o`);
  writeFileSync(btfPath, sections.btf);
  writeFileSync(extPath, sections.ext);
  try {
    execFileSync('llvm-objcopy-19', [`--update-section=.BTF=${btfPath}`, `--update-section=.BTF.ext=${extPath}`, loadFixture(name).path, out], { stdio: 'pipe' });
    return { ok: true, path: out };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e) };
  }
}

describe('writer round trip', () => {
  for (const name of ['maps', 'core']) {
    it(`rebuilds every type and record of ${name}.o`, () => {
      const f = loadFixture(name);
      const original = read(f.btf, f.ext);
      const again = readBuilt(rebuild(original.btf, original.ext));
      expect(withoutOffsets(again.btf)).toEqual(withoutOffsets(original.btf));
      expect(again.ext).toEqual(original.ext);
      // The layout is clang's: same type section, same .BTF.ext size.
      expect(again.btf.types.at(-1)?.offset).toBe(original.btf.types.at(-1)?.offset);
      expect(build(rebuild(original.btf, original.ext)).ext.length).toBe(f.ext.length);
    });
  }

  it('writes no .BTF.ext without records', () => {
    const b = new BtfBuilder();
    b.addInt('int', 4, { signed: true });
    const out = b.build();
    expect(out.ok && out.ext).toBeUndefined();
    expect(out.ok && readBtf(out.btf)).toMatchObject({ ok: true, btf: { types: [{ kind: 'void' }, { kind: 'int', name: 'int' }] } });
  });

  it('points a pointer made before its target at it (a struct pointing to its own kind)', () => {
    const b = new BtfBuilder();
    const int = b.addInt('int', 4, { signed: true });
    const ptr = b.addPtr(0);
    const task = b.addStruct('task_struct', 16, [
      { name: 'pid', type: int, bitOffset: 0 },
      { name: 'real_parent', type: ptr, bitOffset: 64 },
    ]);
    b.setReferencedType(ptr, task);
    b.setReferencedType(int, task);
    const bad = b.build();
    expect(bad.ok ? '' : bad.error.message).toBe('type [1] is not a reference type to point elsewhere');
    const good = new BtfBuilder();
    const p = good.addPtr(0);
    good.setReferencedType(p, good.addStruct('s', 8, [{ name: 'next', type: p, bitOffset: 0 }]));
    const out = good.build();
    if (!out.ok) throw new Error(out.error.message);
    expect(readBtf(out.btf)).toMatchObject({ ok: true, btf: { types: [{ kind: 'void' }, { kind: 'ptr', type: 2 }, { kind: 'struct', name: 's', members: [{ name: 'next', type: 1 }] }] } });
  });

  it('reports arguments that do not fit their fields instead of writing them', () => {
    const b = new BtfBuilder();
    const int = b.addInt('int', 4, { signed: true });
    b.addStruct('huge', 4, Array.from({ length: 0x10000 }, (_, i) => ({ name: `m${i}`, type: int, bitOffset: 0 })));
    b.addLineInfo('xdp', { insnOff: 0, fileName: 'a.c', lineText: '', line: 1, col: 2000 });
    b.addArray(int, -1);
    const out = b.build();
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.error.message).toMatch(/vlen 65536/);
      expect(out.error.message).toMatch(/line_col/);
      expect(out.error.message).toMatch(/-1 is outside/);
    }
  });
});

/** The BTF of maps.c, written by hand: what an exporter of a playground program produces. */
function playgroundBtf(): BtfBuilder {
  const b = new BtfBuilder();
  const int = b.addInt('int', 4, { signed: true });
  const u32 = b.addInt('unsigned int', 4);
  const u64 = b.addInt('unsigned long long', 8);
  const ulong = b.addInt('unsigned long', 8);
  const cpumask = b.addStruct('cpumask', 16, [{ name: 'bits', type: b.addArray(ulong, 2), bitOffset: 0 }]);
  const bpfCpumask = b.addStruct('bpf_cpumask', 24, [
    { name: 'cpumask', type: cpumask, bitOffset: 0 },
    { name: 'usage', type: int, bitOffset: 128 },
  ]);
  const maskPtr = b.addPtr(bpfCpumask);
  const slot = b.addStruct('mask_slot', 32, [
    { name: 'generation', type: u64, bitOffset: 0 },
    { name: 'mask', type: b.addPtr(b.addTypeTag('kptr', bpfCpumask)), bitOffset: 64 },
    { name: 'peek', type: b.addPtr(b.addTypeTag('kptr_untrusted', bpfCpumask)), bitOffset: 128 },
    { name: 'owner', type: b.addPtr(b.addTypeTag('kptr_ref', b.addFwd('task_struct'))), bitOffset: 192 },
  ]);
  const flows = b.addMapDefinition({ name: 'flows', type: 1, keySize: 12, valueSize: 8, maxEntries: 1024, flags: 1 });
  const masks = b.addMapDefinition({ name: 'masks', type: 2, key: u32, value: slot, maxEntries: 4 });
  const xdpMd = b.addStruct('xdp_md', 24, ['data', 'data_end', 'data_meta', 'ingress_ifindex', 'rx_queue_index', 'egress_ifindex'].map((name, i) => ({ name, type: u32, bitOffset: i * 32 })));
  const countPackets = b.addFunc('count_packets', b.addFuncProto(int, [{ name: 'ctx', type: b.addPtr(xdpMd) }]), 'global');
  const installMask = b.addFunc('install_mask', b.addFuncProto(int, [{ name: 'slot', type: u32 }]), 'static');
  const pickSlot = b.addFunc('pick_slot', b.addFuncProto(u32, [{ name: 'hash', type: u32 }]), 'static');
  const create = b.addFunc('bpf_cpumask_create', b.addFuncProto(maskPtr, []), 'extern');
  const release = b.addFunc('bpf_cpumask_release', b.addFuncProto(0, [{ name: '', type: maskPtr }]), 'extern');
  b.addDatasec('.ksyms', 0, [create, release].map((type) => ({ type, offset: 0, size: 0 })));
  b.addDatasec('.maps', 0, [
    { type: flows, offset: 0, size: 40 },
    { type: masks, offset: 0, size: 32 },
  ]);
  b.addFuncInfo('xdp', 0, countPackets);
  b.addFuncInfo('.text', 168, pickSlot);
  b.addFuncInfo('.text', 0, installMask);
  b.addLineInfo('xdp', { insnOff: 0, fileName: 'maps.bpf.s', lineText: 'count_packets:', line: 1, col: 0 });
  b.addLineInfo('xdp', { insnOff: 8, fileName: 'maps.bpf.s', lineText: '  r6 = r1', line: 2, col: 3 });
  b.addLineInfo('.text', { insnOff: 0, fileName: 'maps.bpf.s', lineText: 'install_mask:', line: 30, col: 0 });
  b.addLineInfo('.text', { insnOff: 168, fileName: 'maps.bpf.s', lineText: 'pick_slot:', line: 60, col: 0 });
  return b;
}

describe('BTF written from scratch', () => {
  it('reads back as the maps, functions, kfuncs and lines it describes', () => {
    const { btf, ext } = readBuilt(playgroundBtf());
    const { maps, errors } = mapDefinitions(btf);
    expect(errors).toEqual([]);
    expect(maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags])).toEqual([
      ['flows', 1, 12, 8, 1024, 1],
      ['masks', 2, 4, 32, 4, 0],
    ]);
    expect(maps[1]?.kptrs.map((k) => [k.name, k.offset, k.tag, k.pointee])).toEqual([
      ['mask', 8, 'kptr', 'bpf_cpumask'],
      ['peek', 16, 'kptr_untrusted', 'bpf_cpumask'],
      ['owner', 24, 'kptr_ref', 'task_struct'],
    ]);
    expect(kfuncExterns(btf).map((f) => f.name)).toEqual(['bpf_cpumask_create', 'bpf_cpumask_release']);
    expect(functionNames(btf).map((f) => f.name)).toEqual(['count_packets', 'install_mask', 'pick_slot']);
    // Records are sorted by instruction within their section, as the kernel requires.
    expect(ext.funcInfo.map((s) => [s.section, s.records.map((r) => btf.types[r.typeId]?.name)])).toEqual([
      ['xdp', ['count_packets']],
      ['.text', ['install_mask', 'pick_slot']],
    ]);
    expect(ext.lineInfo[0]?.records[1]).toEqual({ insnOff: 8, fileName: 'maps.bpf.s', lineText: '  r6 = r1', line: 2, col: 3 });
    expect(ext.coreRelos).toEqual([]);
  });

  it('is accepted by libbpf in place of clang\'s sections', ({ skip }) => {
    const dir = mkdtempSync(join(tmpdir(), 'btf-writer-'));
    try {
      const obj = objectWith(dir, 'maps', build(playgroundBtf()));
      if (!obj.ok) {
        console.log(`skipped: llvm-objcopy-19 failed (${obj.reason})`);
        skip();
        return;
      }
      let skeleton: string;
      try {
        // bpf_object__open parses .maps from BTF, the .ksyms externs and .BTF.ext.
        skeleton = execFileSync('bpftool', ['gen', 'skeleton', obj.path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (/ENOENT/.test(message)) {
          console.log('skipped: no bpftool');
          skip();
          return;
        }
        throw e;
      }
      expect(skeleton).toMatch(/struct bpf_map \*masks;/);
      expect(skeleton).toMatch(/struct bpf_map \*flows;/);
      expect(skeleton).toMatch(/struct bpf_program \*count_packets;/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rebuilt core.o dumps the same in bpftool', ({ skip }) => {
    const dir = mkdtempSync(join(tmpdir(), 'btf-writer-'));
    try {
      const f = loadFixture('core');
      const original = read(f.btf, f.ext);
      const obj = objectWith(dir, 'core', build(rebuild(original.btf, original.ext)));
      const before = bpftoolDump(f.path);
      if (!obj.ok || !before.ok) {
        console.log(`skipped: ${obj.ok ? '' : obj.reason} ${before.ok ? '' : before.reason}`);
        skip();
        return;
      }
      expect(bpftoolDump(obj.path)).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
