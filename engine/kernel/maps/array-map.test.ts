import { describe, expect, it } from 'vitest';
import { ERRNO } from '../services.ts';
import { ArrayMap } from './array-map.ts';
import { bytesAt, mapDecl, mapFixture, offsetOf, u32 } from './map-fixtures.ts';
import { BPF_ANY, BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST } from './types.ts';

function arrayFixture(type: 'array' | 'percpu_array' = 'array', valueSize = 4, maxEntries = 4) {
  const f = mapFixture([mapDecl('a', type, 4, valueSize, maxEntries)], 3);
  const map = f.maps.maps[0];
  if (!(map instanceof ArrayMap)) throw new Error('not an array');
  return Object.assign(f, { map });
}

describe('array map', () => {
  it('keeps values contiguous, rounded up to 8 bytes, zero-initialised', () => {
    const { map, mem } = arrayFixture('array', 4, 4);
    const p0 = map.lookup(u32(0));
    const p3 = map.lookup(u32(3));
    expect(p3 - p0).toBe(24n);
    expect(bytesAt(mem, p3, 4)).toEqual(new Uint8Array(4));
  });

  it('returns NULL for an index out of range', () => {
    const { map } = arrayFixture();
    expect(map.lookup(u32(4))).toBe(0n);
    expect(map.lookup(u32(0xffffffff))).toBe(0n);
  });

  it('updates with BPF_ANY and BPF_EXIST', () => {
    const { map, mem } = arrayFixture();
    expect(map.update(u32(1), new Uint8Array([1, 2, 3, 4]), BPF_ANY)).toBe(0);
    expect(map.update(u32(2), new Uint8Array([5, 6, 7, 8]), BPF_EXIST)).toBe(0);
    expect(bytesAt(mem, map.lookup(u32(1)), 4)).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(bytesAt(mem, map.lookup(u32(2)), 4)).toEqual(new Uint8Array([5, 6, 7, 8]));
  });

  it('refuses BPF_NOEXIST with -EEXIST: every element exists', () => {
    const { map } = arrayFixture();
    expect(map.update(u32(0), new Uint8Array(4), BPF_NOEXIST)).toBe(-ERRNO.EEXIST);
  });

  it('refuses an index out of range with -E2BIG', () => {
    const { map } = arrayFixture();
    expect(map.update(u32(4), new Uint8Array(4), BPF_ANY)).toBe(-ERRNO.E2BIG);
  });

  it('checks unknown flags first, then the index, then BPF_NOEXIST', () => {
    const { map } = arrayFixture();
    expect(map.update(u32(0), new Uint8Array(4), 8n)).toBe(-ERRNO.EINVAL);
    expect(map.update(u32(0), new Uint8Array(4), BPF_NOEXIST | BPF_EXIST)).toBe(-ERRNO.EINVAL);
    expect(map.update(u32(9), new Uint8Array(4), 8n)).toBe(-ERRNO.EINVAL);
    expect(map.update(u32(9), new Uint8Array(4), BPF_NOEXIST)).toBe(-ERRNO.E2BIG);
  });

  it('refuses BPF_F_LOCK: no value holds a spin lock', () => {
    const { map } = arrayFixture();
    expect(map.update(u32(0), new Uint8Array(4), BPF_F_LOCK)).toBe(-ERRNO.EINVAL);
  });

  it('refuses delete with -EINVAL', () => {
    const { map } = arrayFixture();
    expect(map.delete(u32(0))).toBe(-ERRNO.EINVAL);
    expect(map.delete(u32(99))).toBe(-ERRNO.EINVAL);
  });

  it('views only the non-zero entries, with a count of the rest', () => {
    const { map } = arrayFixture('array', 4, 1000);
    map.update(u32(7), new Uint8Array([9, 0, 0, 0]), BPF_ANY);
    const v = map.view();
    expect(v.entries).toEqual([{ key: '07000000', index: 7, value: '09000000' }]);
    expect(v.count).toBe(1000);
    expect(v.omitted).toBe(999);
  });

  it('gives a one-element array a direct value address (BPF_PSEUDO_MAP_VALUE)', () => {
    const one = arrayFixture('array', 16, 1).map;
    expect(one.directValue(8)).toBe(one.lookup(u32(0)) + 8n);
    expect(one.directValue(16)).toBeUndefined();
    expect(arrayFixture('array', 16, 2).map.directValue(0)).toBeUndefined();
  });

  it('walks every index for for_each', () => {
    const { map } = arrayFixture();
    const entries = [...map.forEachEntries()];
    expect(entries.map((e) => e.key)).toEqual([u32(0), u32(1), u32(2), u32(3)]);
    expect(entries[2]?.valuePtr).toBe(map.lookup(u32(2)));
  });
});

describe('per-CPU array map', () => {
  it('gives each CPU its own copy', () => {
    const f = arrayFixture('percpu_array', 8, 2);
    const p0 = f.map.lookup(u32(1));
    f.cpu = 2;
    const p2 = f.map.lookup(u32(1));
    expect(p2).not.toBe(p0);
    f.map.update(u32(1), new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0]), BPF_ANY);
    expect(f.mem.bytes[offsetOf(f.mem, p2)]).toBe(7);
    expect(f.mem.bytes[offsetOf(f.mem, p0)]).toBe(0);
  });

  it('views every CPU copy of an entry', () => {
    const f = arrayFixture('percpu_array', 4, 2);
    f.cpu = 1;
    f.map.update(u32(0), new Uint8Array([1, 0, 0, 0]), BPF_ANY);
    expect(f.map.view().entries).toEqual([{ key: '00000000', index: 0, value: ['00000000', '01000000', '00000000'] }]);
  });

  it('loads per-CPU values even when mapping a CPU block grows the arena', () => {
    const f = mapFixture([mapDecl('big', 'percpu_array', 4, 4096, 4)], 8);
    const values = Array.from({ length: 8 }, (_, cpu) => (cpu + 1).toString(16).padStart(2, '0').repeat(4096));
    expect(f.maps.initialize({ big: [{ key: 3, values }] })).toEqual({ ok: true });
    const view = f.maps.view()[0]?.entries[0]?.value;
    expect(Array.isArray(view) && view.map((v) => v.slice(0, 4))).toEqual(['0101', '0202', '0303', '0404', '0505', '0606', '0707', '0808']);
  });

  it('has no direct value address', () => {
    expect(arrayFixture('percpu_array', 8, 1).map.directValue(0)).toBeUndefined();
  });
});

describe('array declarations', () => {
  it('are refused with the kernel rule in words', () => {
    const f = mapFixture([mapDecl('a', 'array', 8, 4, 4), mapDecl('b', 'percpu_array', 4, 40000, 1), mapDecl('c', 'array', 4, 0, 1), mapDecl('d', 'percpu_array', 4, 8, 1, { flags: 1 << 10 })]);
    expect(f.maps.errors).toEqual([
      "map 'a' (array): key=8 is refused; array maps need key=4 (BPF_MAP_CREATE fails with -EINVAL)",
      "map 'b' (percpu_array): per-CPU values are limited to 32768 bytes (-E2BIG)",
      "map 'c' (array): value=0 is refused (BPF_MAP_CREATE fails with -EINVAL)",
      "map 'd' (percpu_array): flags 0x400 are not allowed for percpu_array maps (BPF_MAP_CREATE fails with -EINVAL)",
    ]);
  });
});
