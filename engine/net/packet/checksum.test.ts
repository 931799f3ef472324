import { describe, expect, it } from 'vitest';
import { finishChecksum, foldSum, internetChecksum, ipv4HeaderChecksum, messageChecksum, onesSum, pseudoHeaderSum, udpWireChecksum, updateChecksum, verifyChecksum } from './checksum.ts';
import { buildFrame } from './build.ts';

const bytes = (...xs: number[]): Uint8Array => Uint8Array.from(xs);

describe('the Internet checksum (RFC 1071)', () => {
  it('sums the RFC 1071 §3 example to 0xddf2', () => {
    const data = bytes(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    expect(foldSum(onesSum(data, 0, 8))).toBe(0xddf2);
    expect(internetChecksum(data, 0, 8)).toBe(0x220d);
  });

  it('pads an odd last byte with zero (RFC 1071 §4.1)', () => {
    expect(onesSum(bytes(0x12, 0x34, 0x56), 0, 3)).toBe(0x1234 + 0x5600);
  });

  it('folds carries end-around', () => {
    expect(foldSum(0x1ffff)).toBe(0x0001);
    expect(foldSum(0x2fffd)).toBe(0x0000 + 0xffff);
    expect(finishChecksum(0xffff)).toBe(0);
  });

  it('verifies data that includes its checksum', () => {
    const data = bytes(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7, 0x22, 0x0d);
    expect(verifyChecksum(data, 0, 10)).toBe(true);
    data[0] = 1;
    expect(verifyChecksum(data, 0, 10)).toBe(false);
  });

  it('turns a computed UDP zero into 0xffff (RFC 768)', () => {
    expect(udpWireChecksum(0)).toBe(0xffff);
    expect(udpWireChecksum(0x1234)).toBe(0x1234);
  });

  it('updates incrementally as RFC 1624 §4 shows', () => {
    expect(updateChecksum(0xdd2f, 0x5555, 0x3285)).toBe(0x0000);
    // Agrees with recomputing from scratch.
    const data = bytes(0x45, 0x00, 0x00, 0x54, 0x12, 0x34, 0x40, 0x00, 0x40, 0x01, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2);
    const before = internetChecksum(data, 0, 20);
    data[4] = 0xab;
    data[5] = 0xcd;
    expect(updateChecksum(before, 0x1234, 0xabcd)).toBe(internetChecksum(data, 0, 20));
  });
});

// Expected values computed independently with Python's struct module (sum of '!H' words, folded, inverted).
describe('checksums of fixed frames match independently computed values', () => {
  it('IPv4 header and UDP over IPv4', () => {
    const f = buildFrame({
      eth: { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
      ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', id: 1 },
      l4: { proto: 'udp', sport: 1234, dport: 8080 },
      payload: new TextEncoder().encode('hello, world'),
    });
    expect((f[24] << 8) | f[25]).toBe(0x26c2);
    expect((f[40] << 8) | f[41]).toBe(0x8715);
    expect(ipv4HeaderChecksum(f, 14)).toBe(0x26c2);
    const pseudo = pseudoHeaderSum(f, 26, 30, 4, 17, 20);
    expect(messageChecksum(f, 34, 54, 40, pseudo)).toBe(0x8715);
    expect(verifyChecksum(f, 34, 54, pseudo)).toBe(true);
  });

  it('TCP over IPv6', () => {
    const f = buildFrame({
      eth: { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
      ip: { version: 6, src: '2001:db8::1', dst: '2001:db8::2' },
      l4: { proto: 'tcp', sport: 40000, dport: 80, seq: 1000, flags: 0x18 },
      payload: new TextEncoder().encode('GET /'),
    });
    expect((f[70] << 8) | f[71]).toBe(0xe974);
  });

  it('ICMP echo over IPv4 (no pseudo-header) and ICMPv6 echo (with one)', () => {
    const v4 = buildFrame({
      eth: { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
      ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2' },
      l4: { proto: 'icmp', id: 0x1234, seq: 1 },
      payload: new TextEncoder().encode('abcdefgh'),
    });
    expect((v4[36] << 8) | v4[37]).toBe(0x5435);
    const v6 = buildFrame({
      eth: { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
      ip: { version: 6, src: '2001:db8::1', dst: '2001:db8::2' },
      l4: { proto: 'icmp', id: 7, seq: 9 },
      payload: new TextEncoder().encode('xyz'),
    });
    expect((v6[56] << 8) | v6[57]).toBe(0x31bb);
  });
});
