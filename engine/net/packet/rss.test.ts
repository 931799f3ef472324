import { describe, expect, it } from 'vitest';
import { buildFrame, ipv4RouterAlert, type FrameSpec } from './build.ts';
import { parsePacket } from './parse.ts';
import { RSS_FRAGMENT, RSS_INPUT_MAX, RSS_PTP, RSS_VLAN, rssInputFast, rssTuple, rssTupleFromCode, type RssTuple } from './rss.ts';
import { MICROSOFT_RSS_KEY } from '../profile.ts';

/** Toeplitz (kernel-facts.md §8.1), here only to check the input layout against the published vectors. */
function toeplitz(key: Uint8Array, input: Uint8Array): number {
  let hash = 0;
  let window = ((key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3]) >>> 0;
  for (let i = 0; i < input.length; i++) {
    for (let bit = 7; bit >= 0; bit--) {
      if ((input[i] >> bit) & 1) hash = (hash ^ window) >>> 0;
      window = ((window << 1) | ((key[i + 4] >> bit) & 1)) >>> 0;
    }
  }
  return hash;
}

const eth = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };

function fast(frame: Uint8Array): { code: number; tuple: RssTuple } {
  const out = new Uint8Array(RSS_INPUT_MAX);
  const code = rssInputFast(frame, frame.length, out);
  return { code, tuple: rssTupleFromCode(code, out) };
}

describe('the Toeplitz input matches the Microsoft verification vectors', () => {
  const v4: [string, number, string, number, number, number][] = [
    ['161.142.100.80', 1766, '66.9.149.187', 2794, 0x323e8fc2, 0x51ccc178],
    ['65.69.140.83', 4739, '199.92.111.2', 14230, 0xd718262a, 0xc626b0ea],
    ['12.22.207.184', 38024, '24.19.198.95', 12898, 0xd2d0a5de, 0x5c2b394a],
    ['209.142.163.6', 2217, '38.27.205.30', 48228, 0x82989176, 0xafc7327f],
    ['202.188.127.2', 1303, '153.39.163.191', 44251, 0x5d1809c5, 0x10e828a2],
  ];
  const v6: [string, number, string, number, number, number][] = [
    ['3ffe:2501:200:3::1', 1766, '3ffe:2501:200:1fff::7', 2794, 0x2cc18cd5, 0x40207d3d],
    ['ff02::1', 4739, '3ffe:501:8::260:97ff:fe40:efab', 14230, 0x0f0c461c, 0xdde51bbf],
    ['fe80::200:f8ff:fe21:67cf', 38024, '3ffe:1900:4545:3:200:f8ff:fe21:67cf', 44251, 0x4b61e985, 0x02d1feef],
  ];
  for (const [dst, dport, src, sport, l3, l4] of [...v4, ...v6]) {
    it(`${src}:${sport} → ${dst}:${dport}`, () => {
      const version = dst.includes(':') ? 6 : 4;
      const tcp = buildFrame({ eth, ip: { version, src, dst }, l4: { proto: 'tcp', sport, dport } });
      const t = rssTuple(parsePacket(tcp));
      expect(t.kind).toBe(version === 4 ? 'ipv4-l4' : 'ipv6-l4');
      expect(t.l4).toBe('tcp');
      expect(toeplitz(MICROSOFT_RSS_KEY, t.input)).toBe(l4);
      const icmp = buildFrame({ eth, ip: { version, src, dst }, l4: { proto: 'icmp' } });
      const u = rssTuple(parsePacket(icmp));
      expect(u).toMatchObject({ kind: version === 4 ? 'ipv4' : 'ipv6', l4: 'icmp' });
      expect(toeplitz(MICROSOFT_RSS_KEY, u.input)).toBe(l3);
      expect(fast(tcp).tuple).toEqual(t);
      expect(fast(icmp).tuple).toEqual(u);
    });
  }
});

const udp4: FrameSpec = { eth, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2' }, l4: { proto: 'udp', sport: 1234, dport: 8080 } };
const udp6: FrameSpec = { eth, ip: { version: 6, src: '2001:db8::1', dst: '2001:db8::2' }, l4: { proto: 'udp', sport: 5353, dport: 8080 } };

describe('tuple kinds', () => {
  const cases: [string, FrameSpec, Partial<RssTuple> & { length: number }][] = [
    ['UDP over IPv4', udp4, { kind: 'ipv4-l4', l4: 'udp', dynhdr: false, length: 12 }],
    ['UDP over IPv6 with a VLAN tag', { ...udp6, eth: { ...eth, vlan: { id: 59 } } }, { kind: 'ipv6-l4', l4: 'udp', dynhdr: false, length: 36 }],
    ['IPv4 options', { ...udp4, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', options: ipv4RouterAlert() } }, { kind: 'ipv4-l4', l4: 'udp', dynhdr: true, length: 12 }],
    ['a first IPv4 fragment hashes its ports', { ...udp4, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', moreFragments: true } }, { kind: 'ipv4-l4', l4: 'udp', length: 12 }],
    ['a later IPv4 fragment does not', { ...udp4, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', fragmentOffset: 1 } }, { kind: 'ipv4', l4: 'other', length: 8 }],
    ['IPv6 extension headers', { ...udp6, ip: { version: 6, src: '::1', dst: '::2', extensions: [{ type: 'hop-by-hop' }, { type: 'destination' }] } }, { kind: 'ipv6-l4', l4: 'udp', dynhdr: true, length: 36 }],
    ['a later IPv6 fragment', { ...udp6, ip: { version: 6, src: '::1', dst: '::2', extensions: [{ type: 'fragment', offset: 3, more: false, id: 1 }] } }, { kind: 'ipv6', l4: 'other', dynhdr: true, length: 32 }],
    ['ICMPv6', { ...udp6, l4: { proto: 'icmp' } }, { kind: 'ipv6', l4: 'icmp', length: 32 }],
    ['another IP protocol', { ...udp4, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', protocol: 47 }, l4: { proto: 'raw' } }, { kind: 'ipv4', l4: 'other', length: 8 }],
    ['ARP', { eth: { ...eth, type: 0x0806 }, payload: new Uint8Array(28) }, { kind: 'none', l4: null, dynhdr: false, length: 0 }],
  ];
  for (const [what, spec, want] of cases) {
    it(what, () => {
      const frame = buildFrame(spec);
      const t = rssTuple(parsePacket(frame));
      const { length, ...rest } = want;
      expect(t).toMatchObject(rest);
      expect(t.input.length).toBe(length);
      expect(fast(frame).tuple).toEqual(t);
    });
  }

  it('puts the source first', () => {
    const t = rssTuple(parsePacket(buildFrame(udp4)));
    expect(Array.from(t.input)).toEqual([10, 0, 0, 1, 10, 0, 0, 2, 0x04, 0xd2, 0x1f, 0x90]);
  });

  it('flags VLAN, PTP and fragments in the fast code', () => {
    expect(fast(buildFrame({ ...udp4, eth: { ...eth, vlan: { id: 5 } } })).code & RSS_VLAN).toBe(RSS_VLAN);
    expect(fast(buildFrame(udp4)).code & (RSS_VLAN | RSS_PTP | RSS_FRAGMENT)).toBe(0);
    expect(fast(buildFrame({ ...udp4, l4: { proto: 'udp', sport: 319, dport: 319 } })).code & RSS_PTP).toBe(RSS_PTP);
    expect(fast(buildFrame({ ...udp6, l4: { proto: 'udp', sport: 320, dport: 320 } })).code & RSS_PTP).toBe(RSS_PTP);
    expect(fast(buildFrame({ eth: { ...eth, type: 0x88f7 }, payload: new Uint8Array(44) })).code).toBe(RSS_PTP);
    expect(fast(buildFrame({ ...udp4, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', moreFragments: true } })).code & RSS_FRAGMENT).toBe(RSS_FRAGMENT);
  });

  it('reads only `length` bytes of the buffer', () => {
    const frame = buildFrame(udp4);
    const out = new Uint8Array(RSS_INPUT_MAX);
    expect(rssInputFast(frame, 36, out)).toBe(rssInputFast(frame.slice(0, 36), 36, out));
  });
});

describe('the fast path agrees with the parser', () => {
  it('on truncated and corrupted frames of every kind', () => {
    let seed = 99;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const specs: FrameSpec[] = [
      udp4,
      { ...udp4, eth: { ...eth, vlan: { id: 59 } }, l4: { proto: 'tcp', sport: 1, dport: 2 } },
      { ...udp4, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', options: ipv4RouterAlert(), moreFragments: true } },
      { ...udp4, l4: { proto: 'icmp' } },
      udp6,
      { ...udp6, ip: { version: 6, src: '::1', dst: '::2', extensions: [{ type: 'hop-by-hop' }, { type: 'routing', routingType: 4, segmentsLeft: 1, data: new Uint8Array(20) }, { type: 'fragment', offset: 0, more: true, id: 1 }, { type: 'destination' }] } },
      { ...udp6, eth: { ...eth, vlan: { id: 7 } }, l4: { proto: 'icmp' } },
    ];
    const frames = specs.map((s) => buildFrame({ ...s, payload: new Uint8Array(20) }));
    const out = new Uint8Array(RSS_INPUT_MAX);
    // Bytes where a change matters: EtherTypes, IP version/IHL/lengths/flags/protocol, extension headers, ports.
    for (let i = 0; i < 20000; i++) {
      const base = frames[i % frames.length];
      const f = base.slice(0, rand(4) === 0 ? rand(base.length + 1) : base.length);
      for (let k = rand(3); k > 0 && f.length > 0; k--) f[rand(Math.min(f.length, 140))] = rand(4) === 0 ? rand(256) : [0, 1, 6, 17, 43, 44, 58, 60, 0x45, 0x60, 0x81, 0x08, 0x86, 0xdd][rand(14)];
      const slow = rssTuple(parsePacket(f));
      const code = rssInputFast(f, f.length, out);
      expect(rssTupleFromCode(code, out), Array.from(f, (x) => x.toString(16).padStart(2, '0')).join('')).toEqual(slow);
    }
  });
});
