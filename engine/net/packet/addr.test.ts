import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6, formatMac, parseIp, parseIpv4, parseIpv6, parseMac } from './addr.ts';

const hex = (b: Uint8Array | null): string | null => (b === null ? null : Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(''));

describe('IPv4 addresses', () => {
  it('round-trips dotted quads', () => {
    for (const text of ['0.0.0.0', '10.0.0.1', '192.168.100.254', '255.255.255.255']) expect(formatIpv4(parseIpv4(text) ?? new Uint8Array(4))).toBe(text);
    expect(hex(parseIpv4('161.142.100.80'))).toBe('a18e6450');
  });

  it('refuses what is not a dotted quad', () => {
    for (const text of ['10.0.0.300', '10.0.0', '10.0.0.1.2', '010.0.0.1', '10.0.0.-1', '10.0.0.a', '', ' 10.0.0.1', '1e1.0.0.1']) expect(parseIpv4(text)).toBeNull();
  });
});

describe('IPv6 addresses', () => {
  it('parses the RFC 4291 §2.2 forms', () => {
    expect(hex(parseIpv6('2001:db8::1'))).toBe('20010db8000000000000000000000001');
    expect(hex(parseIpv6('::'))).toBe('0'.repeat(32));
    expect(hex(parseIpv6('::1'))).toBe('0'.repeat(31) + '1');
    expect(hex(parseIpv6('fe80::'))).toBe('fe80' + '0'.repeat(28));
    expect(hex(parseIpv6('2001:DB8:0:0:8:800:200C:417A'))).toBe('20010db80000000000080800200c417a');
    expect(hex(parseIpv6('::ffff:10.0.0.1'))).toBe('00000000000000000000ffff0a000001');
    expect(hex(parseIpv6('::10.0.0.1'))).toBe('0000000000000000000000000a000001');
    expect(hex(parseIpv6('1:2:3:4:5:6:1.2.3.4'))).toBe('00010002000300040005000601020304');
    expect(hex(parseIpv6('1::1.2.3.4'))).toBe('00010000000000000000000001020304');
  });

  it('refuses malformed text', () => {
    for (const text of ['2001:db8::1::2', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4::5:6:7:8', '12345::', 'g::1', ':1', '1:', '::1.2.3', '1:2:3:4:5:6:7:1.2.3.4', 'fe80::1%eth0', '10.0.0.1', ''])
      expect(parseIpv6(text), text).toBeNull();
  });

  it('formats canonically (RFC 5952 §4)', () => {
    const canon = (text: string): string => formatIpv6(parseIpv6(text) ?? new Uint8Array(16));
    expect(canon('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(canon('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1'); // a single zero group stays
    expect(canon('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1'); // the longest run
    expect(canon('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1'); // the first of equal runs
    expect(canon('0:0:0:0:0:0:0:0')).toBe('::');
    expect(canon('fe80:0:0:0:0:0:0:0')).toBe('fe80::');
    expect(canon('3ffe:501:8::260:97ff:fe40:efab')).toBe('3ffe:501:8:0:260:97ff:fe40:efab');
  });

  it('parseIp picks the family from the text', () => {
    expect(parseIp('10.0.0.1')?.length).toBe(4);
    expect(parseIp('2001:db8::1')?.length).toBe(16);
    expect(parseIp('host')).toBeNull();
  });
});

describe('MAC addresses', () => {
  it('round-trips', () => {
    expect(hex(parseMac('02:00:00:00:00:01'))).toBe('020000000001');
    expect(hex(parseMac('AA-bb-CC-dd-EE-ff'))).toBe('aabbccddeeff');
    expect(formatMac(Uint8Array.from([2, 0, 0, 0xab, 0, 0x0c]))).toBe('02:00:00:ab:00:0c');
  });

  it('refuses malformed text', () => {
    for (const text of ['02:00:00:00:00', '02:00:00:00:00:01:02', '02-00:00:00:00:01', '0g:00:00:00:00:01', '2:0:0:0:0:1']) expect(parseMac(text)).toBeNull();
  });
});
