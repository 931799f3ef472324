import { describe, expect, it } from 'vitest';
import { ERRNO } from '../services.ts';
import { mapDecl, mapFixture, offsetOf } from './map-fixtures.ts';
import { RingbufMap } from './ringbuf-map.ts';

function ringFixture(size = 4096) {
  const f = mapFixture([mapDecl('rb', 'ringbuf', 0, 0, size)]);
  const map = f.maps.maps[0];
  if (!(map instanceof RingbufMap)) throw new Error('not a ring buffer');
  return Object.assign(f, { map });
}

describe('ring buffer', () => {
  it('reserves records of round_up(size + 8, 8) bytes until the ring is full, then NULL', () => {
    const { map } = ringFixture();
    const ptrs: bigint[] = [];
    for (;;) {
      const p = map.reserve(100n, 1);
      if (p === 0n) break;
      ptrs.push(p);
    }
    // 112 bytes each; the 37th would put the producer 4144 bytes ahead of the consumer.
    expect(ptrs.length).toBe(36);
    expect(ptrs[1]! - ptrs[0]!).toBe(112n);
    expect(map.view().ringbuf?.producer).toBe(36 * 112);
  });

  it('lets the producer run at most size - 1 bytes ahead', () => {
    const { map } = ringFixture();
    expect(map.reserve(4080n, 1)).not.toBe(0n);
    expect(map.reserve(0n, 1)).toBe(0n);
  });

  it('refuses a record larger than the ring', () => {
    const { map } = ringFixture();
    expect(map.reserve(4096n, 1)).toBe(0n);
    expect(map.reserve(1n << 40n, 1)).toBe(0n);
  });

  it('writes the header: len with the BUSY bit, then the DISCARD bit on discard', () => {
    const { map, mem } = ringFixture();
    const a = map.reserve(5n, 1);
    const b = map.reserve(3n, 1);
    const hdr = (p: bigint) => mem.dv.getUint32(offsetOf(mem, p) - 8, true);
    expect(hdr(a)).toBe(0x8000_0005);
    expect(map.commit(offsetOf(mem, a), false)).toBe(true);
    expect(map.commit(offsetOf(mem, b), true)).toBe(true);
    expect(hdr(a)).toBe(5);
    expect(hdr(b)).toBe(0x4000_0003);
  });

  it('accounts for submitted, discarded and outstanding records', () => {
    const { map, mem } = ringFixture();
    const a = map.reserve(2n, 10);
    const b = map.reserve(2n, 11);
    const c = map.reserve(2n, 12);
    mem.bytes.set([0xaa, 0xbb], offsetOf(mem, a));
    map.commit(offsetOf(mem, a), false);
    map.commit(offsetOf(mem, b), true);
    expect(map.view().ringbuf).toEqual({ records: ['aabb'], producer: 48, consumer: 0, busy: 1, discarded: 1 });
    expect(map.outstanding()).toEqual([{ map: 'rb', pc: 12, size: 2, ptr: c }]);
    expect(map.commit(offsetOf(mem, a), false)).toBe(false);
    expect(map.commit(offsetOf(mem, c) + 1, false)).toBe(false);
  });

  it('a busy record blocks the consumer; discarded ones are skipped', () => {
    const { map, mem } = ringFixture();
    const a = map.reserve(1n, 1);
    const b = map.reserve(1n, 1);
    const c = map.reserve(1n, 1);
    map.commit(offsetOf(mem, b), true);
    map.commit(offsetOf(mem, c), false);
    expect(map.consume()).toEqual([]);
    mem.bytes[offsetOf(mem, a)] = 7;
    map.commit(offsetOf(mem, a), false);
    expect(map.consume().map((r) => [...r])).toEqual([[7], [0]]);
    expect(map.view().ringbuf).toMatchObject({ consumer: 48, producer: 48, records: [] });
  });

  it('keeps a record that wraps around the end contiguous', () => {
    const { map, mem } = ringFixture();
    map.output(new Uint8Array(4000), 1);
    map.consume();
    // The producer is at 4008: the 100-byte sample runs 20 bytes past the end of the data.
    const p = map.reserve(100n, 1);
    const off = offsetOf(mem, p);
    for (let i = 0; i < 100; i++) mem.bytes[off + i] = i;
    map.commit(off, false);
    const [rec] = map.consume();
    expect([...(rec ?? [])]).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('output copies the data in one record, or fails with -EAGAIN', () => {
    const { map } = ringFixture();
    expect(map.output(new Uint8Array([1, 2, 3]), 1)).toBe(0);
    expect(map.view().ringbuf?.records).toEqual(['010203']);
    expect(map.output(new Uint8Array(4080), 1)).toBe(-ERRNO.EAGAIN);
  });
});

describe('ring buffer declarations', () => {
  it('need a power-of-two, page-aligned size and no key or value', () => {
    const f = mapFixture([mapDecl('a', 'ringbuf', 0, 0, 1000), mapDecl('b', 'ringbuf', 0, 0, 4096 * 3), mapDecl('c', 'ringbuf', 4, 0, 4096), mapDecl('d', 'ringbuf', 0, 0, 8192)]);
    expect(f.maps.errors).toEqual([
      "map 'a' (ringbuf): max_entries is the ring's size in bytes and must be a power of two and a multiple of 4096 (e.g. 262144), not 1000 (-EINVAL)",
      "map 'b' (ringbuf): max_entries is the ring's size in bytes and must be a power of two and a multiple of 4096 (e.g. 262144), not 12288 (-EINVAL)",
      "map 'c' (ringbuf): a ring buffer has no keys or values; declare key=0 value=0 (BPF_MAP_CREATE fails with -EINVAL)",
    ]);
    expect(f.maps.initialize({}).ok).toBe(false);
  });
});
