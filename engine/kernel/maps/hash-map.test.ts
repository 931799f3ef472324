import { describe, expect, it } from 'vitest';
import { ERRNO } from '../services.ts';
import { HashMap } from './hash-map.ts';
import { bytesAt, mapDecl, mapFixture, offsetOf, u32 } from './map-fixtures.ts';
import { BPF_ANY, BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST, MAP_FLAG } from './types.ts';

type HashType = 'hash' | 'lru_hash' | 'percpu_hash' | 'lru_percpu_hash';

function hashFixture(type: HashType = 'hash', maxEntries = 3, flags = 0, nrCpus = 2) {
  const f = mapFixture([mapDecl('h', type, 4, 8, maxEntries, { flags })], nrCpus);
  const map = f.maps.maps[0];
  if (!(map instanceof HashMap)) throw new Error('not a hash map');
  return Object.assign(f, { map });
}

const v8 = (n: number) => new Uint8Array([n, 0, 0, 0, 0, 0, 0, 0]);

describe('hash map', () => {
  it('stores, finds and overwrites elements', () => {
    const { map, mem } = hashFixture();
    expect(map.lookup(u32(5))).toBe(0n);
    expect(map.update(u32(5), v8(1), BPF_ANY)).toBe(0);
    const p = map.lookup(u32(5));
    expect(bytesAt(mem, p, 8)).toEqual(v8(1));
    expect(map.update(u32(5), v8(2), BPF_EXIST)).toBe(0);
    expect(bytesAt(mem, map.lookup(u32(5)), 8)).toEqual(v8(2));
  });

  it('lays an element out like htab_elem: the key, then the value', () => {
    const { map, mem } = hashFixture();
    map.update(u32(0xabcd), v8(1), BPF_ANY);
    const [e] = map.forEachEntries();
    expect(e?.keyPtr !== undefined && e.valuePtr - e.keyPtr).toBe(8n);
    expect(bytesAt(mem, e?.keyPtr ?? 0n, 4)).toEqual(u32(0xabcd));
  });

  it('refuses BPF_NOEXIST on an existing key with -EEXIST', () => {
    const { map } = hashFixture();
    map.update(u32(1), v8(1), BPF_ANY);
    expect(map.update(u32(1), v8(2), BPF_NOEXIST)).toBe(-ERRNO.EEXIST);
  });

  it('refuses BPF_EXIST on a missing key with -ENOENT', () => {
    const { map } = hashFixture();
    expect(map.update(u32(1), v8(1), BPF_EXIST)).toBe(-ERRNO.ENOENT);
    expect(map.size).toBe(0);
  });

  it('refuses unknown flags and BPF_F_LOCK with -EINVAL', () => {
    const { map } = hashFixture();
    expect(map.update(u32(1), v8(1), 3n)).toBe(-ERRNO.EINVAL);
    expect(map.update(u32(1), v8(1), BPF_F_LOCK)).toBe(-ERRNO.EINVAL);
  });

  it('refuses a new key in a full map with -E2BIG, but still updates existing keys', () => {
    const { map } = hashFixture('hash', 2);
    map.update(u32(1), v8(1), BPF_ANY);
    map.update(u32(2), v8(2), BPF_ANY);
    expect(map.update(u32(3), v8(3), BPF_ANY)).toBe(-ERRNO.E2BIG);
    expect(map.update(u32(2), v8(9), BPF_ANY)).toBe(0);
  });

  it('refuses deleting a missing key with -ENOENT', () => {
    const { map } = hashFixture();
    expect(map.delete(u32(1))).toBe(-ERRNO.ENOENT);
    map.update(u32(1), v8(1), BPF_ANY);
    expect(map.delete(u32(1))).toBe(0);
    expect(map.lookup(u32(1))).toBe(0n);
    expect(map.delete(u32(1))).toBe(-ERRNO.ENOENT);
  });

  it('keeps a deleted element readable until the run ends, then reuses its memory', () => {
    const { map, mem } = hashFixture('hash', 3, MAP_FLAG.NO_PREALLOC);
    map.update(u32(1), v8(7), BPF_ANY);
    const p = map.lookup(u32(1));
    map.delete(u32(1));
    map.update(u32(2), v8(8), BPF_ANY);
    expect(map.lookup(u32(2))).not.toBe(p);
    expect(mem.read(Number(p & 0xffffffffn) | 0, Number(p >> 32n) | 0, 8)).toEqual(v8(7));
    map.endOfRun();
    map.update(u32(3), v8(9), BPF_ANY);
    expect(map.lookup(u32(3))).toBe(p);
  });

  it('a preallocated map never holds more than max_entries + nr_cpus elements of memory', () => {
    const { map, mem } = hashFixture('hash', 2, 0, 1);
    const before = mem.allRegions().length;
    for (let i = 0; i < 50; i++) {
      expect(map.update(u32(i), v8(i), BPF_ANY)).toBe(0);
      expect(map.delete(u32(i))).toBe(0);
    }
    expect(mem.allRegions().length - before).toBe(3);
  });

  it('views keys and values in hex', () => {
    const { map } = hashFixture();
    map.update(u32(258), v8(3), BPF_ANY);
    expect(map.view()).toMatchObject({ count: 1, entries: [{ key: '02010000', value: '0300000000000000' }] });
  });
});

describe('LRU hash map', () => {
  it('evicts the least recently used element; lookups and updates count as use', () => {
    const { map } = hashFixture('lru_hash', 3);
    for (const k of [1, 2, 3]) map.update(u32(k), v8(k), BPF_ANY);
    map.lookup(u32(1));
    expect(map.update(u32(4), v8(4), BPF_ANY)).toBe(0);
    expect(map.lookup(u32(2))).toBe(0n);
    map.update(u32(3), v8(30), BPF_EXIST);
    map.update(u32(5), v8(5), BPF_NOEXIST);
    expect([...map.keys()].map((k) => k[0])).toEqual([4, 3, 5]);
  });

  it('drops the kptr of an evicted element', () => {
    const f = mapFixture([mapDecl('l', 'lru_hash', 4, 16, 1, { kptrs: [{ offset: 8, type: 'bpf_cpumask' }] })]);
    const map = f.maps.maps[0];
    if (!map) throw new Error('no map');
    map.update(u32(1), new Uint8Array(16), BPF_ANY);
    f.mem.dv.setBigUint64(offsetOf(f.mem, map.lookup(u32(1))) + 8, 0xffff8881_00001234n, true);
    map.update(u32(2), new Uint8Array(16), BPF_ANY);
    expect(f.dropped).toEqual([{ ptr: 0xffff8881_00001234n, map: 'l' }]);
  });
});

describe('per-CPU hash map', () => {
  it('a program update writes its CPU copy and zeroes the others in a new element', () => {
    const f = hashFixture('percpu_hash', 4, 0, 3);
    f.cpu = 1;
    f.map.update(u32(1), v8(5), BPF_ANY);
    expect(bytesAt(f.mem, f.map.lookup(u32(1)), 8)).toEqual(v8(5));
    f.cpu = 0;
    expect(bytesAt(f.mem, f.map.lookup(u32(1)), 8)).toEqual(v8(0));
    f.map.update(u32(1), v8(6), BPF_EXIST);
    expect(f.map.view().entries[0]?.value).toEqual(['0600000000000000', '0500000000000000', '0000000000000000']);
  });

  it('lru_percpu_hash evicts too', () => {
    const { map } = hashFixture('lru_percpu_hash', 1);
    map.update(u32(1), v8(1), BPF_ANY);
    expect(map.update(u32(2), v8(2), BPF_ANY)).toBe(0);
    expect([...map.keys()]).toEqual([u32(2)]);
  });
});

describe('kptr fields in hash maps', () => {
  const kptrs = [{ offset: 8, type: 'bpf_cpumask' }];
  function withKptr() {
    const f = mapFixture([mapDecl('k', 'hash', 4, 16, 4, { kptrs })]);
    const map = f.maps.maps[0];
    if (!map) throw new Error('no map');
    map.update(u32(1), new Uint8Array(16), BPF_ANY);
    const slot = offsetOf(f.mem, map.lookup(u32(1))) + 8;
    f.mem.dv.setBigUint64(slot, 0xffff8881_0000abc0n, true);
    return { ...f, map, slot };
  }

  it('an update copies the value but not the kptr, and drops the old kptr', () => {
    const { map, mem, slot, dropped } = withKptr();
    const value = new Uint8Array(16).fill(0xee);
    expect(map.update(u32(1), value, BPF_ANY)).toBe(0);
    expect(mem.bytes.slice(slot - 8, slot)).toEqual(new Uint8Array(8).fill(0xee));
    expect(mem.dv.getBigUint64(slot, true)).toBe(0n);
    expect(dropped).toEqual([{ ptr: 0xffff8881_0000abc0n, map: 'k' }]);
  });

  it('a delete drops the kptr at once', () => {
    const { map, dropped } = withKptr();
    map.delete(u32(1));
    expect(dropped.length).toBe(1);
  });

  it('freeing the map drops every kptr', () => {
    const { maps, dropped } = withKptr();
    maps.free();
    expect(dropped.length).toBe(1);
  });
});

describe('hash declarations', () => {
  it('are refused with the kernel rule in words', () => {
    const f = mapFixture([
      mapDecl('a', 'hash', 0, 4, 4),
      mapDecl('b', 'hash', 600, (1 << 22) - 600, 4),
      mapDecl('c', 'hash', 4, 4, 4, { flags: MAP_FLAG.NO_COMMON_LRU }),
      mapDecl('d', 'lru_hash', 4, 4, 4, { flags: MAP_FLAG.NO_PREALLOC }),
      mapDecl('e', 'hash', 4, 4, 4, { flags: 1 << 10 }),
    ]);
    expect(f.maps.errors).toEqual([
      "map 'a' (hash): key and value sizes must be at least 1 (BPF_MAP_CREATE fails with -EINVAL)",
      "map 'b' (hash): key=600 plus value=4193704 must stay below 4194256 bytes (KMALLOC_MAX_SIZE less struct htab_elem), so an element can be allocated (-E2BIG)",
      "map 'c' (hash): BPF_F_NO_COMMON_LRU is only for LRU maps (-EINVAL)",
      "map 'd' (lru_hash): LRU maps are always preallocated; BPF_F_NO_PREALLOC is refused (-ENOTSUPP)",
      "map 'e' (hash): flags 0x400 are not allowed for hash maps (BPF_MAP_CREATE fails with -EINVAL)",
    ]);
  });
});
