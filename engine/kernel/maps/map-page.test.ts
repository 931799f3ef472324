// Paged views of maps (what the playground's Maps panel shows): a page of entries from a
// position or a key, values cut with their whole length given, and the work bounded by the
// page — the per-entry view builder runs for the entries shown and no others. The generation
// moves with every change made through the map, and at each stop while value pointers are out.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { ArrayMap } from './array-map.ts';
import { HashMap } from './hash-map.ts';
import { mapDecl, mapFixture, u32 } from './map-fixtures.ts';
import { BPF_ANY, WHOLE_VALUES } from './types.ts';

const PAGE = { limit: 64, valueBytes: 64, cpus: 8 };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a page of an array map', () => {
  it('builds the views of the entries it shows and no others, on a 65,536-entry map', () => {
    const f = mapFixture([mapDecl('big', 'array', 4, 512, 65536)]);
    const map = f.maps.maps[0] as ArrayMap;
    const value = new Uint8Array(512).fill(0xab);
    for (let i = 0; i < 65536; i++) map.update(u32(i), value, BPF_ANY);
    const built = vi.spyOn(ArrayMap.prototype, 'entryView');
    const page = map.page({ ...PAGE, start: 1000 });
    expect(built).toHaveBeenCalledTimes(64);
    expect(page.entries.map((e) => e.index)).toEqual(Array.from({ length: 64 }, (_, i) => 1000 + i));
    expect(page).toMatchObject({ start: 1000, next: 1064, positions: 65536 });
    // Each value cut to 64 bytes, its whole length given.
    expect(page.entries[0]).toMatchObject({ value: 'ab'.repeat(64), valueLength: 512 });
    expect(JSON.stringify(page).length).toBeLessThan(20_000);
  });

  it('skips all-zero values, ends with no next page, and starts at a key', () => {
    const f = mapFixture([mapDecl('a', 'array', 4, 8, 100)]);
    const map = f.maps.maps[0] as ArrayMap;
    for (const i of [3, 50, 99]) map.update(u32(i), new Uint8Array(8).fill(i), BPF_ANY);
    expect(map.page({ ...PAGE, limit: 2 })).toMatchObject({ start: 0, next: 99, entries: [{ index: 3 }, { index: 50 }] });
    const last = map.page({ ...PAGE, limit: 2, start: 51 });
    expect(last.entries.map((e) => e.index)).toEqual([99]);
    expect(last.next).toBeUndefined();
    expect(map.page({ ...PAGE, key: u32(50) }).entries.map((e) => e.index)).toEqual([50, 99]);
    expect(map.page({ ...PAGE, key: u32(100) })).toMatchObject({ missing: true, entries: [] });
    // Not cut: no valueLength.
    expect(map.page(PAGE).entries[0]).toEqual({ key: '03000000', index: 3, value: '0303030303030303' });
  });

  it('shows the first 8 CPUs of a per-CPU value and says how many there are', () => {
    const f = mapFixture([mapDecl('p', 'percpu_array', 4, 8, 4)], 64);
    const map = f.maps.maps[0] as ArrayMap;
    f.cpu = 40;
    map.update(u32(1), new Uint8Array(8).fill(1), BPF_ANY);
    const [e] = map.page(PAGE).entries;
    expect(e?.value).toHaveLength(8);
    expect(e?.cpuCount).toBe(64);
    expect(map.view().entries[0]?.value).toHaveLength(64);
    expect(map.view().entries[0]?.cpuCount).toBeUndefined();
  });

  it('keeps the whole view for the command line: every entry, every byte', () => {
    const f = mapFixture([mapDecl('a', 'array', 4, 300, 4)]);
    const map = f.maps.maps[0] as ArrayMap;
    map.update(u32(2), new Uint8Array(300).fill(7), BPF_ANY);
    expect(map.view()).toEqual({ name: 'a', type: 'array', keySize: 4, valueSize: 300, maxEntries: 4, count: 4, omitted: 3, entries: [{ key: '02000000', index: 2, value: '07'.repeat(300) }] });
    expect(map.entryView(2, WHOLE_VALUES)).toEqual(map.view().entries[0]);
  });
});

describe('a page of a hash map', () => {
  it('pages in the map order, finds a key, and cuts 1 MiB values', () => {
    const f = mapFixture([mapDecl('h', 'hash', 4, 1 << 20, 32)]);
    const map = f.maps.maps[0] as HashMap;
    const value = new Uint8Array(1 << 20).fill(0x55);
    for (let i = 0; i < 32; i++) map.update(u32(i * 10), value, BPF_ANY);
    const built = vi.spyOn(HashMap.prototype, 'entryView');
    const page = map.page({ ...PAGE, limit: 8, start: 8 });
    expect(built).toHaveBeenCalledTimes(8);
    expect(page).toMatchObject({ start: 8, next: 16, positions: 32 });
    expect(page.entries[0]).toMatchObject({ key: u32hex(80), value: '55'.repeat(64), valueLength: 1 << 20 });
    expect(map.page({ ...PAGE, limit: 1, key: u32(310) })).toMatchObject({ start: 31, entries: [{ key: u32hex(310) }] });
    expect(map.page({ ...PAGE, key: u32(311) }).missing).toBe(true);
  });
});

describe('generations', () => {
  it('move with every change made through the map, and at stops while value pointers are out', () => {
    const f = mapFixture([mapDecl('a', 'array', 4, 8, 4), mapDecl('h', 'hash', 4, 8, 4)]);
    const [a, h] = f.maps.maps as [ArrayMap, HashMap];
    const g = () => [a.generation, h.generation];
    let before = g();
    f.maps.settle(true);
    expect(g()).toEqual(before);
    a.update(u32(1), new Uint8Array(8), BPF_ANY);
    h.update(u32(1), new Uint8Array(8), BPF_ANY);
    expect(g().map((x, i) => x > (before[i] ?? 0))).toEqual([true, true]);
    before = g();
    h.delete(u32(1));
    expect(h.generation).toBeGreaterThan(before[1] ?? 0);
    // A lookup hands out a writable pointer: every stop counts as a change until the run ends.
    a.lookup(u32(0));
    before = g();
    f.maps.settle(true);
    f.maps.settle(true);
    expect(a.generation).toBe((before[0] ?? 0) + 2);
    f.maps.settle(false);
    before = g();
    f.maps.settle(true);
    expect(g()).toEqual(before);
  });
});

function u32hex(n: number): string {
  return [...u32(n)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
