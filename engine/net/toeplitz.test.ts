import { describe, expect, it } from 'vitest';
import { MICROSOFT_RSS_KEY } from './profile.ts';
import { Toeplitz, toeplitzFor, toeplitzReference } from './toeplitz.ts';

// The published verification vectors (kernel-facts.md §8.3): the tables list the destination
// first, but the hash input is source address, destination address, source port, destination port.
const v4 = (a: string) => a.split('.').map(Number);
function v6(a: string): number[] {
  const [head = '', tail = ''] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const words = a.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return words.flatMap((w) => [parseInt(w, 16) >> 8, parseInt(w, 16) & 0xff]);
}
const port = (p: number) => [p >> 8, p & 0xff];

const IPV4: [string, number, string, number, number, number][] = [
  ['161.142.100.80', 1766, '66.9.149.187', 2794, 0x323e8fc2, 0x51ccc178],
  ['65.69.140.83', 4739, '199.92.111.2', 14230, 0xd718262a, 0xc626b0ea],
  ['12.22.207.184', 38024, '24.19.198.95', 12898, 0xd2d0a5de, 0x5c2b394a],
  ['209.142.163.6', 2217, '38.27.205.30', 48228, 0x82989176, 0xafc7327f],
  ['202.188.127.2', 1303, '153.39.163.191', 44251, 0x5d1809c5, 0x10e828a2],
];
const IPV6: [string, number, string, number, number, number][] = [
  ['3ffe:2501:200:3::1', 1766, '3ffe:2501:200:1fff::7', 2794, 0x2cc18cd5, 0x40207d3d],
  ['ff02::1', 4739, '3ffe:501:8::260:97ff:fe40:efab', 14230, 0x0f0c461c, 0xdde51bbf],
  ['fe80::200:f8ff:fe21:67cf', 38024, '3ffe:1900:4545:3:200:f8ff:fe21:67cf', 44251, 0x4b61e985, 0x02d1feef],
];

describe('Toeplitz hash', () => {
  const t = new Toeplitz(MICROSOFT_RSS_KEY);
  it.each(IPV4)('IPv4 %s:%d ← %s:%d', (dst, dport, src, sport, l3, l4) => {
    const two = Uint8Array.from([...v4(src), ...v4(dst)]);
    const four = Uint8Array.from([...two, ...port(sport), ...port(dport)]);
    expect(t.hash(two)).toBe(l3);
    expect(t.hash(four)).toBe(l4);
    expect(toeplitzReference(MICROSOFT_RSS_KEY, four)).toBe(l4);
  });
  it.each(IPV6)('IPv6 %s:%d ← %s:%d', (dst, dport, src, sport, l3, l4) => {
    const two = Uint8Array.from([...v6(src), ...v6(dst)]);
    const four = Uint8Array.from([...two, ...port(sport), ...port(dport)]);
    expect(two.length).toBe(32);
    expect(t.hash(two)).toBe(l3);
    expect(t.hash(four)).toBe(l4);
    expect(toeplitzReference(MICROSOFT_RSS_KEY, four)).toBe(l4);
  });
  it('the table form equals the bit-by-bit definition for other keys and inputs (seeded)', () => {
    let seed = 99;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24);
    for (let k = 0; k < 50; k++) {
      const key = Uint8Array.from({ length: 40 + (k % 13) }, rnd);
      const input = Uint8Array.from({ length: 1 + (k % 36) }, rnd);
      expect(new Toeplitz(key).hash(input)).toBe(toeplitzReference(key, input));
    }
  });
  it('refuses a key too short for 36-byte inputs', () => {
    expect(() => new Toeplitz(new Uint8Array(39))).toThrow('a Toeplitz key needs at least 40 bytes to hash 36-byte inputs, not 39');
  });
});

describe('toeplitzFor (tables kept for recent keys)', () => {
  it('hashes as a new Toeplitz does, reuses the table for an equal key, and is not changed by a later write to the key', () => {
    const key = Uint8Array.from({ length: 40 }, (_, i) => (i * 29 + 7) & 0xff);
    const input = Uint8Array.of(10, 0, 0, 1, 10, 0, 0, 2, 4, 210, 31, 144);
    const a = toeplitzFor(key);
    expect(a.hash(input)).toBe(new Toeplitz(key).hash(input));
    expect(toeplitzFor(Uint8Array.from(key))).toBe(a);
    const before = a.hash(input);
    key[0] ^= 0xff;
    expect(toeplitzFor(Uint8Array.from(key).map((b, i) => (i === 0 ? b ^ 0xff : b))).hash(input)).toBe(before);
    expect(toeplitzFor(key)).not.toBe(a);
  });
});
