import { describe, expect, it } from 'vitest';
import { buildFrame, buildFrameLayout, ipv4RouterAlert, IPV4_OPTION_NOP, tcpMssOption, type FrameSpec } from './build.ts';
import { parseIpv6 } from './addr.ts';
import { internetChecksum } from './checksum.ts';
import { parsePacket, type ParsedPacket } from './parse.ts';

const eth = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function names(p: ParsedPacket): string[] {
  return p.layers.map((l) => l.name);
}

function field(p: ParsedPacket, layer: string, name: string): string {
  const f = p.layers.find((l) => l.name === layer)?.fields.find((x) => x.name === name);
  if (f === undefined) throw new Error(`no ${layer}.${name} in ${JSON.stringify(p.layers)}`);
  return f.value;
}

function fieldAt(p: ParsedPacket, layer: string, name: string): [number, number] {
  const f = p.layers.find((l) => l.name === layer)?.fields.find((x) => x.name === name);
  return f === undefined ? [-1, -1] : [f.offset, f.length];
}

function fields(p: ParsedPacket, layer: string, name: string): string[] {
  return (p.layers.find((l) => l.name === layer)?.fields ?? []).filter((x) => x.name === name).map((x) => x.value);
}

const udp4: FrameSpec = {
  eth: { ...eth, vlan: { id: 59, pcp: 5 } },
  ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', id: 7, ttl: 63 },
  l4: { proto: 'udp', sport: 1234, dport: 8080 },
  payload: text('hello, world'),
};

describe('Ethernet, 802.1Q, IPv4 and UDP round-trip', () => {
  it('decodes every field the builder wrote, at its offset', () => {
    const p = parsePacket(buildFrame(udp4));
    expect(p.error).toBeUndefined();
    expect(names(p)).toEqual(['Ethernet', '802.1Q', 'IPv4', 'UDP', 'Payload', 'Ethernet padding']);
    expect(field(p, 'Ethernet', 'dst')).toBe('02:00:00:00:00:02');
    expect(field(p, 'Ethernet', 'src')).toBe('02:00:00:00:00:01');
    expect(field(p, 'Ethernet', 'type')).toBe('0x8100 (802.1Q)');
    expect(field(p, '802.1Q', 'vid')).toBe('59');
    expect(field(p, '802.1Q', 'pcp')).toBe('5');
    expect(field(p, '802.1Q', 'type')).toBe('0x0800 (IPv4)');
    expect(p.vlanTci).toBe((5 << 13) | 59);
    expect(field(p, 'IPv4', 'ihl')).toBe('5 (20 bytes)');
    expect(field(p, 'IPv4', 'length')).toBe('40');
    expect(field(p, 'IPv4', 'id')).toBe('0x0007 (7)');
    expect(field(p, 'IPv4', 'flags')).toBe('0x2 (DF)');
    expect(field(p, 'IPv4', 'ttl')).toBe('63');
    expect(field(p, 'IPv4', 'protocol')).toBe('17 (UDP)');
    expect(field(p, 'IPv4', 'checksum')).toMatch(/^0x[0-9a-f]{4} \(good\)$/);
    expect(p.layers[2].fields.find((f) => f.name === 'src')).toEqual({ name: 'src', value: '10.0.0.1', offset: 30, length: 4 });
    expect(field(p, 'IPv4', 'dst')).toBe('10.0.0.2');
    expect(field(p, 'UDP', 'sport')).toBe('1234');
    expect(field(p, 'UDP', 'dport')).toBe('8080');
    expect(fieldAt(p, 'UDP', 'dport')).toEqual([40, 2]);
    expect(field(p, 'UDP', 'length')).toBe('20');
    expect(field(p, 'UDP', 'checksum')).toMatch(/\(good\)$/);
    expect(field(p, 'Payload', 'data')).toBe('12 bytes');
    expect(p.ip).toMatchObject({ version: 4, offset: 18, l4Offset: 38, end: 58, dynhdr: false, fragment: false });
  });

  it('shows the padding of a short frame as its own layer', () => {
    const p = parsePacket(buildFrame({ ...udp4, eth, payload: text('hi') }));
    expect(names(p)).toEqual(['Ethernet', 'IPv4', 'UDP', 'Payload', 'Ethernet padding']);
    expect(p.layers[4]).toMatchObject({ offset: 44, length: 16 });
  });

  it('flags a bad checksum without stopping', () => {
    const f = buildFrame({ ...udp4, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', checksum: 0x1234 }, l4: { proto: 'udp', sport: 1, dport: 2, checksum: 0xbeef } });
    const good = buildFrame({ ...udp4, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2' }, l4: { proto: 'udp', sport: 1, dport: 2 } });
    const p = parsePacket(f);
    expect(p.error).toBeUndefined();
    const ipSum = ((good[28] << 8) | good[29]).toString(16).padStart(4, '0');
    const udpSum = ((good[44] << 8) | good[45]).toString(16).padStart(4, '0');
    expect(field(p, 'IPv4', 'checksum')).toBe(`0x1234 (bad, expected 0x${ipSum})`);
    expect(field(p, 'UDP', 'checksum')).toBe(`0xbeef (bad, expected 0x${udpSum})`);
    expect(p.layers[2].fields.find((x) => x.name === 'checksum')?.bad).toBe(true);
  });

  it('reads a zero UDP checksum as "none" over IPv4 and as bad over IPv6 (RFC 8200 §8.1)', () => {
    expect(field(parsePacket(buildFrame({ ...udp4, l4: { proto: 'udp', sport: 1, dport: 2, checksum: 0 } })), 'UDP', 'checksum')).toBe('0x0000 (none)');
    const v6 = parsePacket(buildFrame({ eth, ip: { version: 6, src: '::1', dst: '::2' }, l4: { proto: 'udp', sport: 1, dport: 2, checksum: 0 } }));
    expect(field(v6, 'UDP', 'checksum')).toMatch(/^0x0000 \(bad, expected 0x[0-9a-f]{4}\)$/);
  });
});

describe('IPv4 options', () => {
  it('round-trips Router Alert and NOP options (IHL 7)', () => {
    const options = Uint8Array.from([...ipv4RouterAlert(), IPV4_OPTION_NOP, 7, 3, 4]);
    const p = parsePacket(buildFrame({ ...udp4, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', options } }));
    expect(p.error).toBeUndefined();
    expect(field(p, 'IPv4', 'ihl')).toBe('7 (28 bytes)');
    expect(fields(p, 'IPv4', 'option')).toEqual(['148 (Router Alert), 4 bytes', '1 (No Operation)', '7 (Record Route), 3 bytes']);
    expect(field(p, 'IPv4', 'checksum')).toMatch(/\(good\)/);
    expect(field(p, 'UDP', 'checksum')).toMatch(/\(good\)/);
    expect(p.ip?.dynhdr).toBe(true);
  });

  it('marks a fragment and leaves its checksum unchecked', () => {
    const first = parsePacket(buildFrame({ ...udp4, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', moreFragments: true, dontFragment: false } }));
    expect(field(first, 'IPv4', 'flags')).toBe('0x1 (MF)');
    expect(field(first, 'UDP', 'checksum')).toMatch(/\(not checked: fragment\)$/);
    const later = parsePacket(buildFrame({ ...udp4, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', fragmentOffset: 185 } }));
    expect(field(later, 'IPv4', 'frag_offset')).toBe('185 (1480 bytes)');
    expect(names(later)).toEqual(['Ethernet', '802.1Q', 'IPv4', 'Fragment data', 'Ethernet padding']);
  });
});

describe('IPv6 and its extension headers', () => {
  it('walks hop-by-hop, destination options, routing and fragment headers', () => {
    const spec: FrameSpec = {
      eth,
      ip: {
        version: 6,
        src: '2001:db8::1',
        dst: '2001:db8::2',
        flowLabel: 0x12345,
        trafficClass: 0xb8,
        extensions: [
          { type: 'hop-by-hop', options: Uint8Array.from([5, 2, 0, 0]) },
          { type: 'destination' },
          { type: 'routing', routingType: 4, segmentsLeft: 0, data: Uint8Array.from([0, 0, 0, 0, ...(parseIpv6('2001:db8::2') ?? [])]) },
          { type: 'fragment', offset: 0, more: true, id: 0xdeadbeef },
        ],
      },
      l4: { proto: 'udp', sport: 5353, dport: 8080 },
      payload: text('payload'),
    };
    const built = buildFrameLayout(spec);
    const p = parsePacket(built.bytes);
    expect(p.error).toBeUndefined();
    expect(names(p)).toEqual(['Ethernet', 'IPv6', 'IPv6 Hop-by-Hop Options', 'IPv6 Destination Options', 'IPv6 Routing', 'IPv6 Fragment', 'UDP', 'Payload']);
    expect(field(p, 'IPv6', 'flow_label')).toBe('0x12345');
    expect(field(p, 'IPv6', 'traffic_class')).toBe('0xb8');
    expect(field(p, 'IPv6', 'next_header')).toBe('0 (Hop-by-Hop Options)');
    expect(field(p, 'IPv6', 'src')).toBe('2001:db8::1');
    expect(fields(p, 'IPv6 Hop-by-Hop Options', 'option')).toEqual(['5 (Router Alert), 4 bytes', '1 (PadN), 2 bytes']);
    expect(fields(p, 'IPv6 Destination Options', 'option')).toEqual(['1 (PadN), 6 bytes']);
    expect(field(p, 'IPv6 Routing', 'routing_type')).toBe('4 (Segment Routing)');
    expect(field(p, 'IPv6 Routing', 'segment')).toBe('2001:db8::2');
    expect(field(p, 'IPv6 Fragment', 'more')).toBe('1');
    expect(field(p, 'IPv6 Fragment', 'id')).toBe('0xdeadbeef');
    expect(field(p, 'IPv6 Fragment', 'next_header')).toBe('17 (UDP)');
    expect(field(p, 'UDP', 'checksum')).toMatch(/not checked: fragment/);
    expect(p.ip).toMatchObject({ version: 6, dynhdr: true, protocol: 17, l4Offset: built.l4Offset, fragment: true, laterFragment: false });
  });

  it('checks the checksum against the final destination of a routing header (RFC 8200 §8.1)', () => {
    // In transit: segments left 1, the final destination is the type 2 header's address.
    const home = parseIpv6('2001:db8::99') ?? new Uint8Array(16);
    const spec: FrameSpec = {
      eth,
      ip: { version: 6, src: '2001:db8::1', dst: '2001:db8::2', extensions: [{ type: 'routing', routingType: 2, segmentsLeft: 1, data: Uint8Array.from([0, 0, 0, 0, ...home]) }] },
      l4: { proto: 'tcp', sport: 1, dport: 2, options: tcpMssOption(1440) },
    };
    const p = parsePacket(buildFrame(spec));
    expect(field(p, 'IPv6 Routing', 'address')).toBe('2001:db8::99');
    expect(field(p, 'TCP', 'checksum')).toMatch(/\(good\)/);
    const unknown = parsePacket(buildFrame({ ...spec, ip: { version: 6, src: '::1', dst: '::2', extensions: [{ type: 'routing', routingType: 3, segmentsLeft: 1 }] } }));
    expect(field(unknown, 'TCP', 'checksum')).toMatch(/not checked: unknown routing header type/);
  });

  it('stops at a later fragment', () => {
    const p = parsePacket(buildFrame({ eth, ip: { version: 6, src: '::1', dst: '::2', extensions: [{ type: 'fragment', offset: 10, more: false, id: 1 }] }, l4: { proto: 'udp', sport: 1, dport: 2 } }));
    expect(names(p)).toEqual(['Ethernet', 'IPv6', 'IPv6 Fragment', 'Fragment data']);
    expect(p.ip?.laterFragment).toBe(true);
  });
});

describe('TCP, ICMP and ICMPv6 round-trip', () => {
  it('TCP with flags, data offset and options', () => {
    const options = Uint8Array.from([...tcpMssOption(1460), 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]);
    const p = parsePacket(buildFrame({ eth, ip: { version: 4, src: '10.0.0.3', dst: '10.0.0.2' }, l4: { proto: 'tcp', sport: 40000, dport: 80, seq: 0xfffffff0, ack: 5, flags: 0x12, window: 512, options }, payload: text('GET /') }));
    expect(p.error).toBeUndefined();
    expect(field(p, 'TCP', 'seq')).toBe(String(0xfffffff0));
    expect(field(p, 'TCP', 'ack')).toBe('5');
    expect(field(p, 'TCP', 'data_offset')).toBe('10 (40 bytes)');
    expect(field(p, 'TCP', 'flags')).toBe('0x12 (SYN, ACK)');
    expect(field(p, 'TCP', 'window')).toBe('512');
    expect(field(p, 'TCP', 'checksum')).toMatch(/\(good\)/);
    expect(fields(p, 'TCP', 'option')).toEqual(['MSS 1460', 'No-Operation', 'Window scale 7', 'SACK permitted, 2 bytes', 'Timestamps 1 2']);
    expect(field(p, 'Payload', 'data')).toBe('5 bytes');
  });

  it('ICMP echo reply and other types', () => {
    const p = parsePacket(buildFrame({ eth, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2' }, l4: { proto: 'icmp', type: 0, id: 0x42, seq: 3 }, payload: text('ping') }));
    expect(names(p)).toEqual(['Ethernet', 'IPv4', 'ICMP', 'Payload', 'Ethernet padding']);
    expect(field(p, 'ICMP', 'type')).toBe('0 (echo reply)');
    expect(field(p, 'ICMP', 'id')).toBe('0x0042 (66)');
    expect(field(p, 'ICMP', 'seq')).toBe('3');
    expect(field(p, 'ICMP', 'checksum')).toMatch(/\(good\)/);
    const unreachable = parsePacket(buildFrame({ eth, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2' }, l4: { proto: 'icmp', type: 3, code: 1 } }));
    expect(field(unreachable, 'ICMP', 'type')).toBe('3 (destination unreachable)');
    expect(field(unreachable, 'ICMP', 'rest')).toBe('0x00000000');
  });

  it('ICMPv6 echo request', () => {
    const p = parsePacket(buildFrame({ eth, ip: { version: 6, src: '2001:db8::1', dst: '2001:db8::2' }, l4: { proto: 'icmp', id: 9, seq: 1 } }));
    expect(names(p)).toEqual(['Ethernet', 'IPv6', 'ICMPv6']);
    expect(field(p, 'ICMPv6', 'type')).toBe('128 (echo request)');
    expect(field(p, 'ICMPv6', 'checksum')).toMatch(/\(good\)/);
  });

  it('other EtherTypes and IP protocols become payload', () => {
    expect(names(parsePacket(buildFrame({ eth: { ...eth, type: 0x0806 }, payload: new Uint8Array(28) })))).toEqual(['Ethernet', 'Payload']);
    const gre = parsePacket(buildFrame({ eth, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', protocol: 47 }, l4: { proto: 'raw' }, payload: new Uint8Array(30) }));
    expect(names(gre)).toEqual(['Ethernet', 'IPv4', 'Payload']);
  });
});

/** A frame edited after building, with its IPv4 header checksum fixed up. */
function edit(spec: FrameSpec, change: (f: Uint8Array) => void, length?: number): Uint8Array {
  const f = buildFrame(spec).slice(0, length);
  change(f);
  if (f.length >= 34 && f[12] === 8) {
    f[24] = f[25] = 0;
    const sum = internetChecksum(f, 14, 14 + (f[14] & 15) * 4);
    f[24] = sum >> 8;
    f[25] = sum & 0xff;
  }
  return f;
}

const plain4: FrameSpec = { eth, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2' }, l4: { proto: 'udp', sport: 1, dport: 2 }, payload: new Uint8Array(18) };
const tcp4: FrameSpec = { ...plain4, l4: { proto: 'tcp', sport: 1, dport: 2 } };
const plain6: FrameSpec = { eth, ip: { version: 6, src: '::1', dst: '::2' }, l4: { proto: 'udp', sport: 1, dport: 2 } };

describe('decoding errors name the byte and the problem', () => {
  const cases: [string, Uint8Array, string][] = [
    ['runt', new Uint8Array(10), 'byte 0: truncated Ethernet header: 10 of 14 bytes'],
    ['cut VLAN tag', buildFrame({ ...udp4 }).slice(0, 16), 'byte 14: truncated 802.1Q tag: 2 of 4 bytes'],
    ['cut IPv4 header', buildFrame(plain4).slice(0, 30), 'byte 14: truncated IPv4 header: 16 of 20 bytes'],
    ['IPv4 version', edit(plain4, (f) => (f[14] = 0x65)), 'byte 14: IPv4 version is 6, expected 4'],
    ['IHL 4', edit(plain4, (f) => (f[14] = 0x44)), 'byte 14: IPv4 header length 4 words is below the minimum of 5'],
    ['IHL past the frame', edit(plain4, (f) => (f[14] = 0x4f), 40), 'byte 14: truncated IPv4 header: 26 of 60 bytes'],
    ['total length below header', edit(plain4, (f) => (f[17] = 12)), 'byte 16: IPv4 total length 12 is below its 20-byte header'],
    ['total length past frame', edit(plain4, (f) => (f[16] = 5)), 'byte 16: IPv4 total length 1326 is more than the 46 bytes left in the frame'],
    ['option length 1', edit({ ...plain4, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', options: Uint8Array.from([1, 148, 1, 0]) } }, () => {}), 'byte 36: IPv4 option 148 has length 1; the minimum is 2'],
    ['option past header', edit({ ...plain4, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', options: Uint8Array.from([1, 148, 8, 0]) } }, () => {}), "byte 35: IPv4 option 148 of 8 bytes runs past the header's end at byte 38"],
    ['option without length', edit({ ...plain4, ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2', options: Uint8Array.from([1, 1, 1, 148]) } }, () => {}), 'byte 37: IPv4 option 148 has no length byte before the header ends'],
    ['cut IPv6 header', buildFrame(plain6).slice(0, 50), 'byte 14: truncated IPv6 header: 36 of 40 bytes'],
    ['IPv6 version', edit(plain6, (f) => (f[14] = 0x40)), 'byte 14: IPv6 version is 4, expected 6'],
    ['IPv6 payload length', edit(plain6, (f) => (f[19] = 200)), 'byte 18: IPv6 payload length 200 is more than the 8 bytes left in the frame'],
    [
      'cut extension header',
      edit({ ...plain6, ip: { version: 6, src: '::1', dst: '::2', extensions: [{ type: 'hop-by-hop' }] } }, (f) => (f[55] = 2)),
      'byte 54: truncated IPv6 Hop-by-Hop Options header: 16 of 24 bytes',
    ],
    ['IPv6 option past header', edit({ ...plain6, ip: { version: 6, src: '::1', dst: '::2', extensions: [{ type: 'destination', options: Uint8Array.from([7, 9]) }] } }, () => {}), "byte 56: IPv6 option 7 of 11 bytes runs past the header's end at byte 62"],
    ['cut UDP header', edit(plain4, (f) => (f[17] = 26)), 'byte 34: truncated UDP header: 6 of 8 bytes'],
    ['UDP length below 8', edit(plain4, (f) => (f[39] = 4)), 'byte 38: UDP length 4 is below the 8-byte header'],
    ['UDP length past IP', edit(plain4, (f) => (f[39] = 40)), 'byte 38: UDP length 40 is more than the 26 bytes of the IP payload'],
    ['cut TCP header', edit(tcp4, (f) => (f[17] = 36)), 'byte 34: truncated TCP header: 16 of 20 bytes'],
    ['TCP data offset', edit(tcp4, (f) => (f[46] = 0x40)), 'byte 46: TCP data offset 4 words is below the minimum of 5'],
    ['TCP options past the packet', edit(tcp4, (f) => (f[46] = 0xf0)), 'byte 34: truncated TCP header: 38 of 60 bytes'],
    ['TCP option length', edit({ ...tcp4, l4: { proto: 'tcp', sport: 1, dport: 2, options: Uint8Array.from([2, 1, 0, 0]) } }, () => {}), 'byte 55: TCP option 2 has length 1; the minimum is 2'],
    ['cut ICMP header', edit({ ...plain4, l4: { proto: 'icmp' } }, (f) => (f[17] = 24)), 'byte 34: truncated ICMP header: 4 of 8 bytes'],
  ];
  for (const [what, frame, message] of cases) {
    it(what, () => expect(parsePacket(frame).error).toBe(message));
  }

  it('keeps the layers decoded before the error', () => {
    const p = parsePacket(edit(plain4, (f) => (f[39] = 4)));
    expect(names(p)).toEqual(['Ethernet', 'IPv4', 'UDP']);
  });
});

describe('never throws', () => {
  it('on random bytes, truncations and single-byte corruptions of valid frames', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const frames = [buildFrame(udp4), buildFrame(tcp4), buildFrame(plain6), buildFrame({ ...plain6, ip: { version: 6, src: '::1', dst: '::2', extensions: [{ type: 'hop-by-hop' }, { type: 'routing', routingType: 4, segmentsLeft: 2, data: new Uint8Array(36) }, { type: 'fragment', offset: 0, more: true, id: 5 }] } })];
    for (let i = 0; i < 4000; i++) {
      const base = frames[i % frames.length];
      const f = base.slice(0, rand(base.length + 1));
      for (let k = rand(4); k > 0 && f.length > 0; k--) f[rand(f.length)] = rand(256);
      const p = parsePacket(f);
      for (const layer of p.layers) for (const x of layer.fields) expect(x.offset + x.length).toBeLessThanOrEqual(f.length);
    }
    for (let i = 0; i < 500; i++) parsePacket(Uint8Array.from({ length: rand(120) }, () => rand(256)));
  });
});
