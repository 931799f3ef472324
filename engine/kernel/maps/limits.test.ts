import { describe, expect, it } from 'vitest';
import type { MapDecl } from '../../program/program.ts';
import { ERRNO } from '../services.ts';
import { HashMap, ProgArrayMap, RedirectMap } from './map-set.ts';
import { mapDecl, mapFixture, u32 } from './map-fixtures.ts';
import { BPF_ANY } from './types.ts';

/** A fixture's guest arena stays this small when a declaration maps nothing up front. */
const SMALL_ARENA = 1 << 20;

describe('map declarations the kernel refuses for their size', () => {
  it.each<[string, MapDecl, string]>([
    ['a hash map past 2^27 entries (the bucket array overflows u32)', mapDecl('h', 'hash', 4, 8, 2 ** 32 - 1), "map 'h' (hash): max_entries=4294967295 is more than 134217728 (2^27)"],
    ['an LRU hash map just past 2^27', mapDecl('h', 'lru_hash', 4, 8, 2 ** 27 + 1), 'max_entries=134217729 is more than 134217728'],
    ['a devmap_hash past 2^31', mapDecl('d', 'devmap_hash', 4, 4, 2 ** 31 + 1), "map 'd' (devmap_hash): max_entries=2147483649 is more than 2^31"],
    ['an array value past INT_MAX', mapDecl('a', 'array', 4, 2 ** 31, 1), "map 'a' (array): value=2147483648 is more than INT_MAX"],
  ])('%s', (_, decl, message) => {
    const { maps } = mapFixture([decl]);
    expect(maps.errors).toHaveLength(1);
    expect(maps.errors[0]).toContain(message);
  });
});

describe('map declarations past the playground memory for maps', () => {
  it.each<[string, MapDecl, number, string]>([
    ['an array of 2^24 8-byte values', mapDecl('big', 'array', 4, 8, 1 << 24), 2, "map 'big' (array): max_entries=16777216 values of value=8 bytes take 128 MiB of guest memory, more than the 64 MiB the playground gives all maps together; lower max_entries or value"],
    ['a per-CPU array on 4096 CPUs', mapDecl('per', 'percpu_array', 4, 1024, 16), 4096, "map 'per' (percpu_array): max_entries=16 values of value=1024 bytes on each of 4096 CPUs take 64.3 MiB"],
    ['a 1 GiB ring buffer', mapDecl('ring', 'ringbuf', 0, 0, 1 << 30), 2, "map 'ring' (ringbuf): a ring of max_entries=1073741824 bytes (mapped twice, as the kernel maps its pages) take 2 GiB"],
    ['a devmap of 2^24 slots', mapDecl('devs', 'devmap', 4, 4, 1 << 24), 2, "map 'devs' (devmap): max_entries=16777216 slots of 8 bytes take 128 MiB"],
    // round_up(INT_MAX, 8) is past what 32-bit bit operations hold (it once came out negative and was mapped).
    ['one value of INT_MAX bytes', mapDecl('a', 'array', 4, 2 ** 31 - 1, 1), 2, "map 'a' (array): max_entries=1 values of value=2147483647 bytes take 2 GiB"],
    ['2^27 + 1 values of INT_MAX bytes', mapDecl('a', 'array', 4, 2 ** 31 - 1, 2 ** 27 + 1), 2, 'take 268435458 GiB'],
  ])('%s is refused, naming the map and the field', (_, decl, cpus, message) => {
    const { maps, mem } = mapFixture([decl], cpus);
    expect(maps.errors).toHaveLength(1);
    expect(maps.errors[0]).toContain(message);
    expect(mem.bytes.length).toBeLessThan(SMALL_ARENA);
  });

  it('counts every map: the one that does not fit names what the others take', () => {
    const { maps } = mapFixture([mapDecl('a', 'array', 4, 8, 5 << 20), mapDecl('b', 'array', 4, 8, 5 << 20)]);
    expect(maps.errors).toEqual([
      "map 'b' (array): max_entries=5242880 values of value=8 bytes take 40 MiB of guest memory, more than the 64 MiB the playground gives all maps together; the maps declared before it take 40 MiB; lower max_entries or value",
    ]);
  });
});

describe('map declarations that map nothing up front', () => {
  it.each<[string, MapDecl]>([
    ['a hash map of 2^27 entries', mapDecl('h', 'hash', 4, 8, 2 ** 27)],
    ['a per-CPU LRU hash of 2^27 entries', mapDecl('h', 'lru_percpu_hash', 4, 32768, 2 ** 27)],
    ['a hash map with a 4 KiB key (allowed since Linux 5.11)', mapDecl('h', 'hash', 4096, 8, 1024)],
    ['a devmap_hash of 2^31 entries', mapDecl('d', 'devmap_hash', 4, 8, 2 ** 31)],
    ['a prog_array of 2^32 - 1 slots', mapDecl('p', 'prog_array', 4, 4, 2 ** 32 - 1)],
  ])('%s is declared at once, its memory mapped as entries arrive', (_, decl) => {
    const { maps, mem } = mapFixture([decl], 4096);
    expect(maps.errors).toEqual([]);
    expect(mem.bytes.length).toBeLessThan(SMALL_ARENA);
    expect(maps.view()[0]?.count).toBe(0);
  });

  it('a prog_array of 2^32 - 1 slots holds a program in its last slot', () => {
    const { maps } = mapFixture([mapDecl('p', 'prog_array', 4, 4, 2 ** 32 - 1)]);
    expect(maps.initialize({ p: [{ key: 2 ** 32 - 2, value: 'raw/next' }] })).toEqual({ ok: true });
    const p = maps.byName('p');
    expect(p instanceof ProgArrayMap && p.progAt(2 ** 32 - 2)).toBe('raw/next');
    expect(maps.view()[0]?.entries).toEqual([{ key: 'feffffff', index: 2 ** 32 - 2, value: 'raw/next' }]);
  });

  it('a devmap_hash of 2^31 entries stores and finds an entry', () => {
    const { maps } = mapFixture([mapDecl('d', 'devmap_hash', 4, 4, 2 ** 31)]);
    const d = maps.byName('d');
    expect(d instanceof RedirectMap && d.update(u32(0xfffffff0), u32(2), BPF_ANY)).toBe(0);
    expect(d instanceof RedirectMap && d.redirectTarget(0xfffffff0)).toEqual({ kind: 'dev', ifindex: 2, progId: 0 });
  });
});

describe('elements mapped as they are inserted', () => {
  it('a hash insert past the memory for maps fails with -ENOMEM, and memory freed by a delete is used again', () => {
    const { maps } = mapFixture([mapDecl('h', 'hash', 4, 64 << 10, 1000)], 2, 1 << 20);
    const h = maps.byName('h');
    if (!(h instanceof HashMap)) throw new Error('not a hash map');
    const value = new Uint8Array(64 << 10);
    let stored = 0;
    while (h.update(u32(stored), value, BPF_ANY) === 0) stored++;
    expect(stored).toBe(15);
    expect(h.update(u32(stored), value, BPF_ANY)).toBe(-ERRNO.ENOMEM);
    expect(h.delete(u32(0))).toBe(0);
    maps.endOfRun();
    expect(h.update(u32(stored), value, BPF_ANY)).toBe(0);
  });

  it('starting contents past the memory for maps are refused with the entry named', () => {
    // One element of a per-CPU hash on 4096 CPUs with 32 KiB values is 128 MiB.
    const { maps } = mapFixture([mapDecl('per', 'percpu_hash', 4, 32768, 4)], 4096);
    expect(maps.errors).toEqual([]);
    expect(maps.initialize({ per: [{ key: 1, value: '00'.repeat(32768) }] })).toEqual({
      ok: false,
      errors: ["map 'per' entry 0: the playground's 64 MiB of guest memory for maps is used up (-ENOMEM)"],
    });
  });

  it('a devmap_hash insert past the memory for maps fails with -ENOMEM', () => {
    const { maps } = mapFixture([mapDecl('d', 'devmap_hash', 4, 4, 2 ** 31)], 2, 80 * 10);
    const d = maps.byName('d');
    const results = Array.from({ length: 12 }, (_, k) => d?.update(u32(k), u32(2), BPF_ANY));
    expect(results.filter((r) => r === 0).length).toBeGreaterThan(0);
    expect(results.at(-1)).toBe(-ERRNO.ENOMEM);
  });
});

describe('malformed declarations (a worker message is not the assembler)', () => {
  const base = mapDecl('m', 'array', 4, 8, 4);
  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown type', { type: 'bogus' }, "map 'm': type=bogus is not a map type the playground knows"],
    ['an Object.prototype name as the type', { type: 'constructor' }, "map 'm': type=constructor is not a map type"],
    ['a name that is not text', { name: 42 }, 'a map declaration needs a name, not 42'],
    ['max_entries NaN', { maxEntries: Number.NaN }, "map 'm' (array): max_entries=NaN is not a whole number from 0 to 4294967295"],
    ['a fractional key size', { keySize: 4.5 }, "map 'm' (array): key=4.5 is not a whole number"],
    ['a negative value size', { valueSize: -8 }, "map 'm' (array): value=-8 is not a whole number"],
    ['max_entries past u32', { maxEntries: 2 ** 32 }, "map 'm' (array): max_entries=4294967296 is not a whole number from 0 to 4294967295"],
    ['flags that are not a number', { flags: 'x' }, "map 'm' (array): flags=\"x\" is not a whole number"],
    ['kptrs that are not a list', { kptrs: 'bpf_cpumask' }, "map 'm' (array): kptr fields must be a list"],
    ['twelve kptr fields', { valueSize: 96, kptrs: Array.from({ length: 12 }, (_, i) => ({ offset: 8 * i, type: 'bpf_cpumask' })) }, 'at most 11 (BTF_FIELDS_MAX'],
    ['a kptr past the value', { kptrs: [{ offset: 8, type: 'bpf_cpumask' }] }, "map 'm' (array): kptr at offset 8 must be at an 8-byte aligned offset inside the 8-byte value"],
    ['two kptrs at one offset', { valueSize: 16, kptrs: [{ offset: 0, type: 'bpf_cpumask' }, { offset: 0, type: 'task_struct' }] }, 'two kptr fields at offset 0'],
  ])('%s is refused with a message', (_, change, message) => {
    const decl = { ...base, ...change } as unknown as MapDecl;
    const { maps } = mapFixture([decl, mapDecl('ok', 'array', 4, 8, 4)]);
    expect(maps.errors).toHaveLength(1);
    expect(maps.errors[0]).toContain(message);
    expect(maps.maps.map((m) => m.index)).toEqual([0, 1]);
  });
});

describe('starting contents', () => {
  it('report the first 100 problems and count the rest', () => {
    const { maps } = mapFixture([mapDecl('a', 'array', 4, 8, 4)]);
    const r = maps.initialize({ a: Array.from({ length: 1000 }, () => ({ key: 0, value: 'zz' })) });
    expect(!r.ok && r.errors.length).toBe(101);
    expect(!r.ok && r.errors.at(-1)).toBe('… and 900 more problems like these');
  });

  it('give every CPU one shared value on 4096 CPUs', () => {
    const { maps } = mapFixture([mapDecl('per', 'percpu_array', 4, 8, 2)], 4096);
    expect(maps.initialize({ per: [{ key: 1, value: '2a00000000000000' }] })).toEqual({ ok: true });
    const v = maps.view()[0]?.entries[0]?.value;
    expect(Array.isArray(v) && v.length === 4096 && v.every((x) => x === '2a00000000000000')).toBe(true);
  });
});

describe('redirect map entries with value 0 (never dropped in silence)', () => {
  it.each<[string, MapDecl, unknown, string]>([
    ['a devmap ifindex 0', mapDecl('devs', 'devmap', 4, 4, 4), 0, "map 'devs' entry 0: ifindex 0 stores nothing — the kernel takes it as emptying slot 1 (__dev_map_update_elem"],
    ['a devmap bpf_devmap_val of zeros', mapDecl('devs', 'devmap', 4, 8, 4), '00'.repeat(8), 'ifindex 0 stores nothing'],
    ['a cpumap qsize 0', mapDecl('cpus', 'cpumap', 4, 4, 4), 0, "map 'cpus' entry 0: qsize 0 stores nothing — the kernel takes it as deleting CPU 1's entry (cpu_map_update_elem"],
    ['a devmap_hash ifindex 0', mapDecl('devs', 'devmap_hash', 4, 4, 4), 0, "map 'devs' entry 0: the ifindex must not be 0 (-EINVAL)"],
  ])('%s is refused with the kernel rule', (_, decl, value, message) => {
    const { maps } = mapFixture([decl], 4);
    const r = maps.initialize({ [decl.name]: [{ key: 1, value }] });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors[0]).toContain(message);
  });

  it('an xskmap queue 0 is stored', () => {
    const { maps } = mapFixture([mapDecl('xsks', 'xskmap', 4, 4, 4)]);
    expect(maps.initialize({ xsks: [{ key: 1, value: 0 }] })).toEqual({ ok: true });
    expect(maps.view()[0]?.entries).toEqual([{ key: '01000000', index: 1, value: '00000000' }]);
  });
});

describe('Object.prototype names are ordinary map names', () => {
  it.each(Object.getOwnPropertyNames(Object.prototype))('a map named %s is declared, filled from JSON and found by name', (name) => {
    const { maps } = mapFixture([mapDecl(name, 'array', 4, 4, 2), mapDecl('other', 'hash', 4, 4, 2)]);
    expect(maps.errors).toEqual([]);
    expect(maps.byName(name)?.name).toBe(name);
    const contents: unknown = JSON.parse(`{${JSON.stringify(name)}: [{ "key": 1, "value": "2a000000" }]}`);
    expect(maps.initialize(contents)).toEqual({ ok: true });
    expect(maps.byName(name)?.view().entries).toEqual([{ key: '01000000', index: 1, value: '2a000000' }]);
    const unknown = mapFixture([mapDecl('other', 'hash', 4, 4, 2)]).maps.initialize(contents);
    expect(unknown).toEqual({ ok: false, errors: [`unknown map '${name}' (the program declares 'other')`] });
  });
});
