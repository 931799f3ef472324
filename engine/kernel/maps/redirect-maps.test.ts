import { describe, expect, it } from 'vitest';
import type { MapType } from '../../program/program.ts';
import { ERRNO } from '../services.ts';
import { bytesAt, mapDecl, mapFixture, u32 } from './map-fixtures.ts';
import { RedirectMap } from './redirect-maps.ts';
import { BPF_ANY, BPF_EXIST, BPF_NOEXIST, ENODEV, EOVERFLOW } from './types.ts';

function redirectFixture(type: MapType, valueSize = 4, maxEntries = 4, nrCpus = 4) {
  const f = mapFixture([mapDecl('r', type, 4, valueSize, maxEntries)], nrCpus);
  const map = f.maps.maps[0];
  if (!(map instanceof RedirectMap)) throw new Error('not a redirect map');
  return Object.assign(f, { map });
}

const val = (a: number, b?: number) => (b === undefined ? u32(a) : new Uint8Array([...u32(a), ...u32(b)]));

describe('devmap', () => {
  it('holds ifindexes; a lookup points at a read-only struct bpf_devmap_val', () => {
    const { map, mem } = redirectFixture('devmap', 8);
    expect(map.update(u32(1), val(7, 0), BPF_ANY)).toBe(0);
    expect(map.redirectTarget(1)).toEqual({ kind: 'dev', ifindex: 7, progId: 0 });
    expect(map.redirectTarget(0)).toBeUndefined();
    const p = map.lookup(u32(1));
    expect(bytesAt(mem, p, 8)).toEqual(val(7, 0));
    expect(mem.write(Number(p & 0xffffffffn) | 0, Number(p >> 32n) | 0, new Uint8Array(1))).toBe(false);
    expect(map.lookup(u32(2))).toBe(0n);
  });

  it('follows __dev_map_update_elem: flags, range, BPF_NOEXIST, ifindex 0 empties', () => {
    const { map } = redirectFixture('devmap');
    expect(map.update(u32(0), val(3), 4n)).toBe(-ERRNO.EINVAL);
    expect(map.update(u32(4), val(3), BPF_ANY)).toBe(-ERRNO.E2BIG);
    expect(map.update(u32(0), val(3), BPF_NOEXIST)).toBe(-ERRNO.EEXIST);
    expect(map.update(u32(0), val(3), BPF_EXIST)).toBe(0);
    expect(map.update(u32(0), val(0), BPF_ANY)).toBe(0);
    expect(map.redirectTarget(0)).toBeUndefined();
  });

  it('refuses a program fd in the value (entry programs are not simulated) and deletes in range only', () => {
    const { map } = redirectFixture('devmap', 8);
    expect(map.update(u32(0), val(3, 5), BPF_ANY)).toBe(-ERRNO.EINVAL);
    expect(map.delete(u32(4))).toBe(-ERRNO.EINVAL);
    expect(map.delete(u32(3))).toBe(0);
  });
});

describe('devmap_hash', () => {
  it('keys by any u32, refuses ifindex 0, fills up, and deletes only what exists', () => {
    const { map } = redirectFixture('devmap_hash', 4, 2);
    expect(map.update(u32(1000), val(3), BPF_ANY)).toBe(0);
    expect(map.update(u32(7), val(4), BPF_ANY)).toBe(0);
    expect(map.redirectTarget(1000)).toEqual({ kind: 'dev', ifindex: 3, progId: 0 });
    expect(map.update(u32(5), val(0), BPF_ANY)).toBe(-ERRNO.EINVAL);
    expect(map.update(u32(5), val(5), BPF_ANY)).toBe(-ERRNO.E2BIG);
    expect(map.update(u32(7), val(6), BPF_NOEXIST)).toBe(-ERRNO.EEXIST);
    expect(map.update(u32(7), val(6), BPF_ANY)).toBe(0);
    expect(map.delete(u32(5))).toBe(-ERRNO.ENOENT);
    expect(map.delete(u32(1000))).toBe(0);
    expect(map.update(u32(5), val(5), BPF_ANY)).toBe(0);
    expect(map.view().entries.map((e) => e.index)).toEqual([7, 5]);
  });
});

describe('cpumap', () => {
  it('follows cpu_map_update_elem: qsize limit, possible CPUs, qsize 0 deletes', () => {
    const { map } = redirectFixture('cpumap', 4, 8, 4);
    expect(map.update(u32(1), val(192), BPF_ANY)).toBe(0);
    expect(map.redirectTarget(1)).toEqual({ kind: 'cpu', cpu: 1, qsize: 192, progId: 0 });
    expect(map.update(u32(1), val(16385), BPF_ANY)).toBe(-EOVERFLOW);
    expect(map.update(u32(5), val(64), BPF_ANY)).toBe(-ENODEV);
    expect(map.update(u32(8), val(64), BPF_ANY)).toBe(-ERRNO.E2BIG);
    expect(map.update(u32(1), val(0), BPF_ANY)).toBe(0);
    expect(map.redirectTarget(1)).toBeUndefined();
  });
});

describe('xskmap', () => {
  it('holds a socket per index (its queue id for now)', () => {
    const { map } = redirectFixture('xskmap');
    expect(map.update(u32(2), val(0), BPF_ANY)).toBe(0);
    expect(map.redirectTarget(2)).toEqual({ kind: 'xsk', queue: 0 });
    expect(map.lookup(u32(2))).not.toBe(0n);
    expect(map.update(u32(2), val(1), BPF_NOEXIST)).toBe(-ERRNO.EEXIST);
    expect(map.delete(u32(2))).toBe(0);
    expect(map.redirectTarget(2)).toBeUndefined();
  });
});

describe('redirect map declarations', () => {
  it('are refused with the kernel rule in words', () => {
    const f = mapFixture([mapDecl('a', 'devmap', 4, 6, 4), mapDecl('b', 'cpumap', 4, 4, 5000), mapDecl('c', 'xskmap', 4, 8, 4), mapDecl('d', 'devmap', 4, 8, 4)]);
    expect(f.maps.errors).toEqual([
      "map 'a' (devmap): value=6 is refused; devmap maps (value: ifindex, or struct bpf_devmap_val) need value=4 or 8 (BPF_MAP_CREATE fails with -EINVAL)",
      "map 'b' (cpumap): max_entries 5000 is more than NR_CPUS (4096) (-E2BIG)",
      "map 'c' (xskmap): value=8 is refused; xskmap maps (value: an AF_XDP socket) need value=4 (BPF_MAP_CREATE fails with -EINVAL)",
    ]);
  });
});
