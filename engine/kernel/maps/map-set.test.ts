import { describe, expect, it } from 'vitest';
import { ERRNO } from '../services.ts';
import { bytesAt, mapDecl, mapFixture, offsetOf, u32 } from './map-fixtures.ts';
import { ProgArrayMap } from './map-set.ts';
import { BPF_ANY } from './types.ts';

const decls = [
  mapDecl('counts', 'array', 4, 8, 4),
  mapDecl('flows', 'hash', 8, 4, 4),
  mapDecl('per', 'percpu_array', 4, 4, 2),
  mapDecl('jumps', 'prog_array', 4, 4, 4),
  mapDecl('ports', 'devmap', 4, 4, 4),
  mapDecl('masks', 'hash', 4, 16, 4, { kptrs: [{ offset: 8, type: 'bpf_cpumask' }] }),
  mapDecl('events', 'ringbuf', 0, 0, 4096),
];

describe('MapSet pointers', () => {
  it('gives each map a read-only header like struct bpf_map, found again from its pointer', () => {
    const { maps, mem } = mapFixture(decls);
    const p = maps.pointerOf(1);
    const map = maps.byPointer(Number(p & 0xffffffffn) | 0, Number(p >> 32n) | 0);
    expect(map?.name).toBe('flows');
    const header = bytesAt(mem, p, 40);
    const dv = new DataView(header.buffer);
    expect([0, 4, 8, 12, 16, 20].map((o) => dv.getUint32(o, true))).toEqual([1, 8, 4, 4, 0, 2]);
    expect(new TextDecoder().decode(header.subarray(24, 29))).toBe('flows');
    expect(mem.write(Number(p & 0xffffffffn) | 0, Number(p >> 32n) | 0, new Uint8Array(1))).toBe(false);
    expect(p >> 32n).toBe(0xffff8881n);
  });

  it('answers undefined for pointers that are not maps, 0n for a missing index', () => {
    const { maps } = mapFixture(decls);
    const p = maps.pointerOf(0) + 8n;
    expect(maps.byPointer(Number(p & 0xffffffffn) | 0, Number(p >> 32n) | 0)).toBeUndefined();
    expect(maps.byPointer(0, 0)).toBeUndefined();
    expect(maps.pointerOf(99)).toBe(0n);
    expect(maps.byName('events')?.type).toBe('ringbuf');
  });

  it('finds a kptr slot from a pointer into a value, and nothing elsewhere', () => {
    const { maps } = mapFixture(decls);
    const masks = maps.byName('masks');
    masks?.update(u32(3), new Uint8Array(16), BPF_ANY);
    const v = masks?.lookup(u32(3)) ?? 0n;
    const at = (p: bigint) => maps.kptrSlot(Number(p & 0xffffffffn) | 0, Number(p >> 32n) | 0);
    const slot = at(v + 8n);
    expect(slot?.map === masks && slot?.field).toEqual({ offset: 8, type: 'bpf_cpumask' });
    expect(at(v)).toBeUndefined();
    expect(at(v + 4n)).toBeUndefined();
    expect(at(maps.byName('counts')?.lookup(u32(0)) ?? 0n)).toBeUndefined();
  });

  it('BPF_PSEUDO_MAP_VALUE works for one-element arrays only', () => {
    const f = mapFixture([mapDecl('data', 'array', 4, 16, 1), ...decls]);
    expect(f.maps.valuePointer(0, 4)).toBe((f.maps.maps[0]?.lookup(u32(0)) ?? 0n) + 4n);
    expect(f.maps.valuePointer(1, 0)).toBeUndefined();
    expect(f.maps.valuePointer(2, 0)).toBeUndefined();
  });
});

describe('MapSet.initialize', () => {
  it('loads every kind of entry the contract allows', () => {
    const f = mapFixture(decls, 2);
    const r = f.maps.initialize({
      counts: [{ key: 2, value: '01 00 00 00 00 00 00 00' }],
      flows: [{ key: '0a000001 00000050', value: 'ff000000' }, { key: 7, value: '01020304' }],
      per: [{ key: 0, value: '05000000' }, { key: 1, values: ['01000000', '02000000'] }],
      jumps: [{ key: 1, value: 'xdp/next' }],
      ports: [{ key: 0, value: 3 }, { key: 1, value: '04000000' }],
      masks: [{ key: '01000000', value: '00'.repeat(16) }],
    });
    expect(r).toEqual({ ok: true });
    const [counts, flows, per, jumps, ports] = f.maps.view();
    expect(counts?.entries).toEqual([{ key: '02000000', index: 2, value: '0100000000000000' }]);
    expect(flows?.entries.map((e) => e.key)).toEqual(['0a00000100000050', '0700000000000000']);
    expect(per?.entries).toEqual([
      { key: '00000000', index: 0, value: ['05000000', '05000000'] },
      { key: '01000000', index: 1, value: ['01000000', '02000000'] },
    ]);
    expect(jumps?.entries).toEqual([{ key: '01000000', index: 1, value: 'xdp/next' }]);
    expect(ports?.entries.map((e) => e.value)).toEqual(['03000000', '04000000']);
    const prog = f.maps.byName('jumps');
    expect(prog instanceof ProgArrayMap && prog.progAt(1)).toBe('xdp/next');
    expect(f.maps.byName('masks')?.view().entries[0]?.kptrs).toEqual([{ offset: 8, ptr: null }]);
  });

  it('names the map, the entry and the problem', () => {
    const { maps } = mapFixture(decls, 2);
    const r = maps.initialize({
      nope: [],
      counts: [{ key: 9, value: '00'.repeat(8) }, { key: '0100', value: '00'.repeat(8) }, { key: 1, value: 'zz' }, { key: 2, value: '00' }, { key: 3 }],
      flows: [{ key: 1, value: '00000000' }, { key: 1, value: '00000000' }],
      per: [{ key: 0, values: ['00000000', '00000000', '00000000'] }],
      jumps: [{ key: 0, value: 5 }],
      masks: [{ key: 1, value: '00'.repeat(8) + '01' + '00'.repeat(7) }],
      events: [{ key: 0, value: '' }],
      ports: 'all',
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([
      "unknown map 'nope' (the program declares 'counts', 'flows', 'per', 'jumps', 'ports', 'masks', 'events')",
      "map 'counts' entry 1: the key has 2 bytes, the map's are 4",
      "map 'counts' entry 2: the value 'zz' is not hex bytes",
      "map 'counts' entry 3: the value has 1 byte, the map's are 8",
      "map 'counts' entry 4: missing \"value\"",
      "map 'flows' entry 1: key 0100000000000000 appears twice",
      "map 'per' entry 0: 3 per-CPU values for 2 CPUs",
      "map 'jumps' entry 0: a prog_array value is the section name of a program, e.g. \"xdp/next\"",
      "map 'masks' entry 0: the kptr at offset 8 must be NULL (zero bytes); only bpf_kptr_xchg stores kptrs",
      "map 'events' record 0: a ring buffer record has no key",
      "map 'ports': expected a list of { \"key\": …, \"value\": … } entries",
    ]);
  });

  it('reports errors found while loading (index out of range, a full map) and leaves the maps empty', () => {
    const { maps } = mapFixture(decls);
    expect(maps.initialize({ counts: [{ key: 1, value: '01'.repeat(8) }] }).ok).toBe(true);
    const r = maps.initialize({
      counts: [{ key: 9, value: '00'.repeat(8) }],
      flows: [1, 2, 3, 4, 5].map((k) => ({ key: k, value: '00000000' })),
      ports: [{ key: 0, value: '02000000' }, { key: 1, value: 7 }],
    });
    expect(!r.ok && r.errors).toEqual(["map 'counts' entry 0: index 9 is out of range (max_entries 4)", "map 'flows' entry 4: the map is full (max_entries 4)"]);
    expect(maps.view().every((v) => v.type === 'array' || v.entries.length === 0)).toBe(true);
    expect(maps.byName('counts')?.view().entries).toEqual([]);
  });

  it('changes nothing when the contents do not parse', () => {
    const { maps } = mapFixture(decls);
    maps.initialize({ counts: [{ key: 1, value: '01'.repeat(8) }] });
    expect(maps.initialize({ counts: [{ key: 1, value: 'x' }] }).ok).toBe(false);
    expect(maps.byName('counts')?.view().entries.length).toBe(1);
    expect(maps.initialize(42)).toEqual({ ok: false, errors: ['initial map contents must be an object: { "MAPNAME": [ { "key": "HEX", "value": "HEX" } ] }'] });
  });

  it('empties maps not named, dropping their kptrs', () => {
    const f = mapFixture(decls);
    const masks = f.maps.byName('masks');
    masks?.update(u32(1), new Uint8Array(16), BPF_ANY);
    f.mem.dv.setBigUint64(offsetOf(f.mem, masks?.lookup(u32(1)) ?? 0n) + 8, 0xffff8881_00004000n, true);
    expect(f.maps.initialize({})).toEqual({ ok: true });
    expect(masks?.view().count).toBe(0);
    expect(f.dropped).toEqual([{ ptr: 0xffff8881_00004000n, map: 'masks' }]);
  });

  it('reports refused declarations from initialize too', () => {
    const { maps } = mapFixture([mapDecl('bad', 'array', 2, 4, 4), mapDecl('good', 'array', 4, 4, 4)]);
    expect(maps.maps.map((m) => m.name)).toEqual(['bad', 'good']);
    expect(maps.initialize({})).toEqual({ ok: false, errors: [maps.errors[0]] });
    expect(maps.maps[0]?.update(u32(0), new Uint8Array(4), BPF_ANY)).toBe(-ERRNO.EINVAL);
  });
});

describe('map views of kptr fields', () => {
  it('show the kptr bytes as zero, as a lookup from user space reads them, and name the object apart', () => {
    const f = mapFixture(decls);
    const obj = f.objects.create('bpf_cpumask', 'bpf_cpumask #1');
    const masks = f.maps.byName('masks');
    const value = new Uint8Array(16);
    value.fill(0xab, 0, 8);
    masks?.update(u32(1), value, BPF_ANY);
    const v = masks?.lookup(u32(1)) ?? 0n;
    f.mem.dv.setBigUint64(offsetOf(f.mem, v) + 8, f.objects.address(obj), true);
    const entry = masks?.view().entries[0];
    expect(entry?.value).toBe('ab'.repeat(8) + '00'.repeat(8));
    expect(entry?.kptrs?.[0]?.object).toBe('bpf_cpumask #1');
  });
});

describe('MapSet teardown', () => {
  it('frees every map: kptrs dropped, memory freed', () => {
    const f = mapFixture(decls);
    const obj = f.objects.create('bpf_cpumask', 'bpf_cpumask #1');
    const masks = f.maps.byName('masks');
    masks?.update(u32(1), new Uint8Array(16), BPF_ANY);
    const v = masks?.lookup(u32(1)) ?? 0n;
    f.mem.dv.setBigUint64(offsetOf(f.mem, v) + 8, f.objects.address(obj), true);
    expect(masks?.view().entries[0]?.kptrs?.[0]?.object).toBe('bpf_cpumask #1');
    f.maps.free();
    expect(obj.state).toBe('freed');
    expect(f.mem.read(Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0, 1)).toBeUndefined();
  });
});
