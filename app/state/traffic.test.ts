import { describe, expect, it } from 'vitest';
import type { NicCounters, PacketFate, PacketSummary } from '../../engine/worker/protocol.ts';
import { writePcap } from '../../engine/net/pcap.ts';
import { emptyCounters } from '../../engine/net/types.ts';
import {
  bufferDescription,
  bufferRegions,
  changedRuns,
  changedSummary,
  counterBadges,
  dataRelative,
  autoLayout,
  decodeMeta,
  errnoText,
  hashTypeText,
  layoutOf,
  fateText,
  filterPackets,
  filterTerms,
  formatRate,
  hashText,
  hex32,
  hexRows,
  NO_FILTER,
  nicPositionText,
  pageCount,
  pageOf,
  rssBits,
  rssTypeName,
  rssTypeTitle,
} from '../components/packets/format.ts';
import { queueOf } from '../components/packets/NicPosition.tsx';
import {
  applyEdit,
  checkTraffic,
  checkTrafficText,
  DEFAULT_TRAFFIC,
  effectiveTraffic,
  formOf,
  getIn,
  checkPcap,
  isDefaultTraffic,
  isIpv4,
  isIpv6,
  issueText,
  parseAddress,
  parsePositive,
  parseVlan,
  parseWhole,
  pcapNote,
  setIn,
  sizeProblem,
  storedTraffic,
  trafficKey,
  trafficText,
} from './traffic.ts';

const errorsOf = (v: unknown): string[] => {
  const c = checkTraffic(v);
  return c.ok ? [] : c.errors.map(issueText);
};

describe('the default profile', () => {
  it('is valid, and is stored as nothing', () => {
    expect(checkTraffic(DEFAULT_TRAFFIC)).toMatchObject({ ok: true, warnings: [] });
    expect(storedTraffic(structuredClone(DEFAULT_TRAFFIC) as unknown as Record<string, unknown>)).toBeUndefined();
    expect(isDefaultTraffic({ ...DEFAULT_TRAFFIC, packets: 65 })).toBe(false);
    // Key order does not matter.
    const reordered = { flows: DEFAULT_TRAFFIC.flows, nic: { driver: 'full' }, queues: 4, rate_pps: 1e6, packets: 64, seed: 1 };
    expect(isDefaultTraffic(reordered)).toBe(true);
    expect(effectiveTraffic(undefined)).toBe(DEFAULT_TRAFFIC);
  });

  it('is what the JSON editor shows when the document has none, one flow per line', () => {
    const text = trafficText(undefined);
    expect(JSON.parse(text)).toEqual(DEFAULT_TRAFFIC);
    expect(text.split('\n')).toContain('    { "proto": "tcp", "src": "10.0.0.3", "dst": "10.0.0.2", "sport": 40000, "dport": 80, "size": [64, 1500], "weight": 1 },');
    expect(text.startsWith('{\n  "seed": 1,\n')).toBe(true);
    expect(trafficText({})).toBe('{}');
    expect(JSON.parse(trafficText({ a: { b: [1, { c: null }] }, flows: [] }))).toEqual({ a: { b: [1, { c: null }] }, flows: [] });
  });
});

describe('checkTraffic: each field, and what it may be', () => {
  it('names the field and what is allowed', () => {
    expect(errorsOf({ packets: 0 })).toEqual(['packets must be a whole number from 1 to 10,000,000, not 0']);
    expect(errorsOf({ packets: 1.5 })).toEqual(['packets must be a whole number from 1 to 10,000,000, not 1.5']);
    expect(errorsOf({ queues: 65 })).toEqual(['queues must be a whole number from 1 to 64, not 65']);
    expect(errorsOf({ seed: -1 })).toEqual(['seed must be a whole number from 0 to 4,294,967,295, not -1']);
    expect(errorsOf({ rate_pps: 0 })).toEqual(['rate_pps must be a number of packets per second above 0 (up to 1e12), not 0']);
    expect(errorsOf({ nic: { driver: 'fast' } })).toEqual(['nic.driver must be "full", "hash-only" or "none", not "fast"']);
    expect(errorsOf({ nic: { timestamps: 'some' } })).toEqual(['nic.timestamps must be "all", "ptp" or "none" (which frames get a hardware timestamp), not "some"']);
    expect(errorsOf({ nic: { vlan_strip: 'yes' } })).toEqual(['nic.vlan_strip must be true or false, not "yes"']);
    expect(errorsOf({ nic: { rss_key: 'abcd' } })).toEqual(['nic.rss_key must be the Toeplitz key as hex, at least 40 bytes (80 hex digits), not 2 bytes']);
    expect(errorsOf({ nic: { rss_key: '6d'.repeat(40) } })).toEqual([]);
    expect(errorsOf({ nic: { rss_key: Array(40).fill('6d').join(':') } })).toEqual([]);
    expect(errorsOf({ queues: 2, nic: { indirection: [0, 1, 2, 0] } })).toEqual(['nic.indirection[2] must be a queue from 0 to 1 (queues is 2), not 2']);
    expect(errorsOf({ nic: 'full' })).toEqual(['nic must be an object: { "driver": "full" }, not "full"']);
    expect(errorsOf({ xsk: { metadata_size: 300 } })).toEqual(['xsk.metadata_size must be a whole number from 0 to 256, not 300']);
    expect(errorsOf({ xsk: { frame_size: 1000 } })).toEqual(['xsk.frame_size must be 2048 or 4096 (a power of two from XDP_UMEM_MIN_CHUNK_SIZE to PAGE_SIZE), not 1000']);
    expect(errorsOf({ xsk: { metadata_size: 24, frame_size: 2048, frames: 64 } })).toEqual([]);
    expect(errorsOf([1])).toEqual(['traffic must be a JSON object: { "packets": 64, "flows": [ … ] }, not a list']);
  });

  it('checks flows: protocol, family, addresses, ports, VLAN, size, weight, MACs and TCP flags', () => {
    const flow = { proto: 'udp', src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 };
    expect(errorsOf({ flows: [] })).toEqual(['flows must be a list of 1 to 256 flows, not 0 flows']);
    expect(errorsOf({ flows: [{ ...flow, proto: 'sctp' }] })).toEqual(['flows[0].proto must be "udp", "tcp" or "icmp", not "sctp"']);
    expect(errorsOf({ flows: [{ ...flow, src: '2001:db8::1' }] })).toEqual(['flows[0].src must be an IPv4 address such as "10.0.0.1" (set "ipv6": true for IPv6), not "2001:db8::1"']);
    expect(errorsOf({ flows: [{ ...flow, ipv6: true }] })).toEqual([
      'flows[0].src must be an IPv6 address such as "2001:db8::1" (the flow is IPv6), not "10.0.0.1"',
      'flows[0].dst must be an IPv6 address such as "2001:db8::1" (the flow is IPv6), not "10.0.0.2"',
    ]);
    expect(errorsOf({ flows: [{ ...flow, sport: 70000 }] })).toEqual(['flows[0].sport must be a port from 0 to 65,535, not 70000']);
    expect(errorsOf({ flows: [{ proto: 'tcp', src: '10.0.0.1', dst: '10.0.0.2' }] })).toEqual(['flows[0].sport is missing: a tcp flow needs a port from 0 to 65,535', 'flows[0].dport is missing: a tcp flow needs a port from 0 to 65,535']);
    expect(errorsOf({ flows: [{ proto: 'icmp', src: '10.0.0.1', dst: '10.0.0.2' }] })).toEqual([]);
    expect(errorsOf({ flows: [{ ...flow, vlan: 4095 }] })).toEqual(['flows[0].vlan must be a VLAN id from 1 to 4,094 (or absent for untagged frames), not 4095']);
    expect(errorsOf({ flows: [{ ...flow, size: 59 }] })).toEqual(['flows[0].size must be a frame size from 60 to 1,514 bytes, a range [min, max] or "imix", not 59']);
    expect(errorsOf({ flows: [{ ...flow, size: [900, 10] }] })).toEqual(['flows[0].size must be a frame size from 60 to 1,514 bytes, a range [min, max] or "imix"; a range is two sizes from 60 to 1,514']);
    expect(errorsOf({ flows: [{ ...flow, size: [900, 800] }] })).toEqual(['flows[0].size is a range whose minimum 900 is above its maximum 800']);
    expect(errorsOf({ flows: [{ ...flow, weight: 0 }] })).toEqual(['flows[0].weight must be a share above 0 (up to 1,000,000), not 0']);
    expect(errorsOf({ flows: [{ ...flow, src_mac: '02:00:00:00:00' }] })).toEqual(['flows[0].src_mac must be a MAC address such as "02:00:00:00:00:01", not "02:00:00:00:00"']);
    expect(errorsOf({ flows: [{ ...flow, tcp_flags: 256 }] })).toEqual(['flows[0].tcp_flags must be TCP flags from 0 to 255 (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32, ECE 64, CWR 128), not 256']);
    expect(errorsOf({ flows: [flow, 3] })).toEqual(['flows[1] must be an object: { "proto": "udp", "src": …, "dst": … }, not 3']);
  });

  it('keeps unknown fields, with a warning', () => {
    const c = checkTraffic({ packts: 3, nic: { drivr: 'full' }, flows: [{ ...DEFAULT_TRAFFIC.flows[0], colour: 'red' }] });
    expect(c.ok).toBe(true);
    expect(c.warnings.map((w) => w.path)).toEqual(['packts', 'nic.drivr', 'flows[0].colour']);
    expect(issueText(c.warnings[0] ?? { path: '', message: '' })).toMatch(/^packts is not a field the NIC knows \(seed, packets/);
  });

  it('checks sizes on their own', () => {
    expect(sizeProblem('imix')).toBeUndefined();
    expect(sizeProblem(1514)).toBeUndefined();
    expect(sizeProblem([60, 60])).toBeUndefined();
    expect(sizeProblem('jumbo')).toMatch(/not "jumbo"$/);
  });
});

describe('addresses', () => {
  it('tells IPv4 from IPv6', () => {
    for (const a of ['10.0.0.1', '0.0.0.0', '255.255.255.255']) expect(isIpv4(a), a).toBe(true);
    for (const a of ['10.0.0', '256.0.0.1', '01.0.0.1', '1.2.3.4.5', '', 'a.b.c.d']) expect(isIpv4(a), a).toBe(false);
    for (const a of ['2001:db8::1', '::', '::1', 'fe80::', '1:2:3:4:5:6:7:8', '::ffff:10.0.0.1', '1:2:3:4:5:6:1.2.3.4']) expect(isIpv6(a), a).toBe(true);
    for (const a of ['2001:db8:::1', '1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', '12345::', '1:2:3:4:5:6:7', '::ffff:10.0.0', '10.0.0.1', '1:2:3:4:5:6:7:1.2.3.4']) expect(isIpv6(a), a).toBe(false);
  });
});

describe('the form ↔ the JSON', () => {
  it('shows the values of a profile, with defaults where absent', () => {
    const f = formOf(undefined);
    expect(f).toMatchObject({ seed: 1, packets: 64, ratePps: 1e6, queues: 4, driver: 'full', timestamps: 'all', metadataSize: 24 });
    expect(f.flows).toHaveLength(3);
    expect(f.flows[1]).toEqual({ proto: 'tcp', ipv6: false, src: '10.0.0.3', dst: '10.0.0.2', sport: 40000, dport: 80, vlan: undefined, size: [64, 1500], weight: 1 });
    expect(f.flows[2]).toMatchObject({ ipv6: true, vlan: 59, size: 'imix' });
    expect(formOf({ nic: { timestamps: 'ptp' }, xsk: { metadata_size: 32 } })).toMatchObject({ timestamps: 'ptp', metadataSize: 32, packets: 64 });
  });

  it('edits one field of the default profile into a profile of its own', () => {
    const v = applyEdit(undefined, { kind: 'set', path: ['packets'], value: 1000 });
    expect(v.packets).toBe(1000);
    expect(formOf(v).packets).toBe(1000);
    expect(v.flows).toEqual(DEFAULT_TRAFFIC.flows);
    // and back: the default again, stored as nothing
    expect(storedTraffic(applyEdit(v, { kind: 'set', path: ['packets'], value: 64 }))).toBeUndefined();
  });

  it('creates nested objects, keeps unknown fields, and drops a field set back to its default', () => {
    const base = { packets: 10, extra: { keep: true }, nic: { driver: 'none' } };
    const a = applyEdit(base, { kind: 'set', path: ['nic', 'timestamps'], value: 'ptp', dflt: 'all' });
    expect(a).toEqual({ packets: 10, extra: { keep: true }, nic: { driver: 'none', timestamps: 'ptp' } });
    const b = applyEdit(a, { kind: 'set', path: ['nic', 'timestamps'], value: 'all', dflt: 'all' });
    expect(b).toEqual(base);
    expect(applyEdit(base, { kind: 'set', path: ['xsk', 'metadata_size'], value: 32, dflt: 24 })).toMatchObject({ xsk: { metadata_size: 32 } });
    expect(applyEdit({ flows: [{ proto: 'udp', vlan: 5 }] }, { kind: 'set', path: ['flows', 0, 'vlan'], value: undefined }).flows).toEqual([{ proto: 'udp' }]);
    // the original is never changed
    expect(base).toEqual({ packets: 10, extra: { keep: true }, nic: { driver: 'none' } });
  });

  it('adds and removes flows', () => {
    const added = applyEdit(undefined, { kind: 'add-flow' });
    expect(added.flows).toHaveLength(4);
    expect(checkTraffic(added).ok).toBe(true);
    const removed = applyEdit(added, { kind: 'remove-flow', index: 0 });
    expect((removed.flows as unknown[])[0]).toEqual(DEFAULT_TRAFFIC.flows[1]);
  });

  it('switching a flow to IPv6 and back keeps it valid', () => {
    const v6 = applyEdit(undefined, { kind: 'ipv6', index: 0, ipv6: true });
    expect(getIn(v6, ['flows', 0])).toMatchObject({ ipv6: true, src: '2001:db8::1', dst: '2001:db8::2' });
    expect(checkTraffic(v6).ok).toBe(true);
    const v4 = applyEdit(v6, { kind: 'ipv6', index: 0, ipv6: false });
    expect(getIn(v4, ['flows', 0])).toEqual({ proto: 'udp', src: '10.0.0.1', dst: '10.0.0.2', sport: 1234, dport: 8080, size: 64, weight: 3 });
    expect(isDefaultTraffic(v4)).toBe(true);
  });

  it('a flow made UDP or TCP gets ports', () => {
    const icmp = { flows: [{ proto: 'icmp', src: '10.0.0.1', dst: '10.0.0.2' }] };
    const udp = applyEdit(icmp, { kind: 'proto', index: 0, proto: 'udp' });
    expect(getIn(udp, ['flows', 0])).toMatchObject({ proto: 'udp', sport: 1234, dport: 8080 });
    expect(checkTraffic(udp).ok).toBe(true);
  });

  it('setIn and getIn walk objects and lists', () => {
    expect(setIn(undefined, ['a', 1, 'b'], 2)).toEqual({ a: [undefined, { b: 2 }] });
    expect(getIn({ a: [0, { b: 2 }] }, ['a', 1, 'b'])).toBe(2);
    expect(getIn({ a: 1 }, ['a', 'b'])).toBeUndefined();
  });
});

describe('the form fields', () => {
  it('parse what is typed, or say what is allowed', () => {
    expect(parseWhole(' 1,000 ', 'packets', 1, 10_000_000)).toEqual({ ok: true, value: 1000 });
    expect(parseWhole('12a', 'packets', 1, 10_000_000)).toEqual({ ok: false, error: 'packets: a whole number from 1 to 10,000,000, not "12a"' });
    expect(parseWhole('', 'queues', 1, 64)).toEqual({ ok: false, error: 'queues: a whole number from 1 to 64' });
    expect(parseWhole('65', 'queues', 1, 64)).toEqual({ ok: false, error: 'queues: a whole number from 1 to 64, not 65' });
    expect(parsePositive('1e6', 'rate_pps', 1e12)).toEqual({ ok: true, value: 1e6 });
    expect(parsePositive('2.5', 'weight', 1e6)).toEqual({ ok: true, value: 2.5 });
    expect(parsePositive('0', 'weight', 1e6)).toEqual({ ok: false, error: 'weight: a number above 0 (up to 1,000,000), not "0"' });
    expect(parseVlan('', 'vlan')).toEqual({ ok: true, value: undefined });
    expect(parseVlan('59', 'vlan')).toEqual({ ok: true, value: 59 });
    expect(parseVlan('0', 'flow 1 vlan')).toEqual({ ok: false, error: 'flow 1 vlan: a VLAN id from 1 to 4,094, or empty for untagged frames' });
    expect(parseAddress(' 10.1.2.3', 'src', false)).toEqual({ ok: true, value: '10.1.2.3' });
    expect(parseAddress('10.1.2', 'src', false)).toEqual({ ok: false, error: 'src: an IPv4 address such as 10.0.0.1, not "10.1.2"' });
    expect(parseAddress('::1', 'src', false)).toEqual({ ok: false, error: 'src: an IPv4 address such as 10.0.0.1 (tick IPv6 for an IPv6 flow)' });
    expect(parseAddress('::1', 'src', true)).toEqual({ ok: true, value: '::1' });
  });
});

describe('checkTrafficText', () => {
  it('says where a syntax error is, then applies the profile rules', () => {
    expect(checkTrafficText('{\n  "packets": 64,\n}')).toEqual({ ok: false, errors: ['line 3, column 1: expected a property after \',\', found "}" (JSON allows no trailing comma)'] });
    expect(checkTrafficText('{"packets": 0}')).toEqual({ ok: false, errors: ['packets must be a whole number from 1 to 10,000,000, not 0'] });
    expect(checkTrafficText(trafficText(undefined))).toMatchObject({ ok: true, value: DEFAULT_TRAFFIC });
  });
});

function pcapHeader(magic: number[], linktype = 1): number[] {
  return [...magic, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, linktype, 0, 0, 0];
}
function record(len: number): number[] {
  return [0, 0, 0, 0, 0, 0, 0, 0, len, 0, 0, 0, len, 0, 0, 0, ...Array<number>(len).fill(0xab)];
}

describe('checkPcap (the engine\'s pcap reader)', () => {
  it('accepts classic pcap in both byte orders, micro- and nanoseconds, and counts the frames', () => {
    const le = Uint8Array.from([...pcapHeader([0xd4, 0xc3, 0xb2, 0xa1]), ...record(60), ...record(64)]);
    expect(checkPcap(le)).toEqual({ ok: true, frames: 2 });
    const ns = Uint8Array.from([...pcapHeader([0x4d, 0x3c, 0xb2, 0xa1]), ...record(60)]);
    expect(checkPcap(ns)).toEqual({ ok: true, frames: 1 });
    // big-endian: the header's fields and the record lengths are big-endian too
    const be = Uint8Array.from([0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 60, 0, 0, 0, 60, ...Array<number>(60).fill(1)]);
    expect(checkPcap(be)).toEqual({ ok: true, frames: 1 });
    // what the playground itself writes (Download pcap) reads back
    const written = writePcap([{ tsNs: 1e9, data: new Uint8Array(60) }, { tsNs: 1e9 + 1000, data: new Uint8Array(1514) }]);
    expect(checkPcap(written)).toEqual({ ok: true, frames: 2 });
  });

  it('says what is wrong at once, and at which byte: not a pcap, pcapng, cut short, not Ethernet, empty', () => {
    expect(checkPcap(new TextEncoder().encode('hello world, this is text'))).toEqual({
      ok: false,
      error: 'not a capture the NIC can replay: byte 0: unknown magic number 0x68656c6c: not a pcap file (a pcap starts with a1b2c3d4 or a1b23c4d, in either byte order)',
    });
    expect(checkPcap(Uint8Array.from([0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0]))).toMatchObject({ ok: false, error: expect.stringMatching(/^not a capture the NIC can replay: byte 0: this is a pcapng file .*editcap -F pcap/) });
    expect(checkPcap(Uint8Array.from([1, 2]))).toEqual({ ok: false, error: 'not a capture the NIC can replay: byte 0: the file is 2 bytes, too short for a pcap file header (24 bytes)' });
    expect(checkPcap(Uint8Array.from([0xd4, 0xc3, 0xb2, 0xa1, 0, 0]))).toEqual({ ok: false, error: 'not a capture the NIC can replay: byte 0: file header cut short (6 of 24 bytes)' });
    const cooked = Uint8Array.from([...pcapHeader([0xd4, 0xc3, 0xb2, 0xa1], 113), ...record(60)]);
    expect(checkPcap(cooked)).toMatchObject({ ok: false, error: expect.stringMatching(/^not a capture the NIC can replay: byte 20: link type 113 \(LINKTYPE_LINUX_SLL.*not Ethernet.*-i eth0/) });
    expect(checkPcap(Uint8Array.from(pcapHeader([0xd4, 0xc3, 0xb2, 0xa1])))).toEqual({ ok: false, error: 'the capture holds no frame: there is nothing to replay' });
    const firstCut = Uint8Array.from([...pcapHeader([0xd4, 0xc3, 0xb2, 0xa1]), ...record(64).slice(0, 30)]);
    expect(checkPcap(firstCut)).toEqual({ ok: false, error: 'not a capture the NIC can replay: byte 40: record 0 data cut short (14 of 64 bytes)' });
  });

  it('keeps the complete frames of a capture cut short, and says what the replay will change', () => {
    const cut = Uint8Array.from([...pcapHeader([0xd4, 0xc3, 0xb2, 0xa1]), ...record(60), ...record(64).slice(0, 30)]);
    expect(checkPcap(cut)).toEqual({ ok: true, frames: 1, note: 'the capture is cut short at byte 130: record 1 is incomplete (14 of 64 bytes); 1 records kept' });
    // present-day timestamps are moved to the virtual clock
    const now = writePcap([{ tsNs: 1.7e18, data: new Uint8Array(60) }]);
    expect(checkPcap(now)).toMatchObject({ ok: true, frames: 1, note: expect.stringMatching(/^timestamps shifted to the virtual clock/) });
  });

  it('words the note and keys the load by the capture', () => {
    expect(pcapNote({ name: 'capture.pcap', frames: 1234 })).toBe('replaying capture.pcap (1,234 frames) — not part of share links');
    expect(pcapNote({ name: 'one.pcap', frames: 1 })).toBe('replaying one.pcap (1 frame) — not part of share links');
    expect(trafficKey('k', undefined)).toBe('k');
    expect(trafficKey('k', { id: '1:a.pcap:40', name: 'a.pcap', bytes: new Uint8Array(0), frames: 0 })).toBe('k:pcap:1:a.pcap:40');
  });
});

describe('hash types', () => {
  it('names enum xdp_rss_hash_type values and shows their bits', () => {
    expect(rssTypeName(0)).toBe('NONE');
    expect(rssTypeName(41)).toBe('L4_IPV4_UDP');
    expect(rssTypeName(25)).toBe('L4_IPV4_TCP');
    expect(rssTypeName(42)).toBe('L4_IPV6_UDP');
    expect(rssTypeName(46)).toBe('L4_IPV6_UDP_EX');
    expect(rssTypeName(266)).toBe('L4_IPV6_ICMP');
    expect(rssTypeName(5)).toBe('L3_IPV4_OPT');
    expect(rssTypeName(8)).toBe('L4_ANY');
    // every named value is made of the bits its name says
    const named: [number, string][] = [[1, 'L3_IPV4'], [2, 'L3_IPV6'], [6, 'L3_IPV6_EX'], [73, 'L4_IPV4_SCTP'], [137, 'L4_IPV4_IPSEC'], [265, 'L4_IPV4_ICMP'], [26, 'L4_IPV6_TCP'], [74, 'L4_IPV6_SCTP'], [138, 'L4_IPV6_IPSEC'], [30, 'L4_IPV6_TCP_EX'], [78, 'L4_IPV6_SCTP_EX']];
    for (const [n, name] of named) expect(rssTypeName(n)).toBe(name);
    expect(rssBits(41)).toBe('L3_IPV4 | L4 | L4_UDP');
    expect(rssBits(46)).toBe('L3_IPV6 | L3_DYNHDR | L4 | L4_UDP');
    expect(rssTypeName(9)).toBe('L3_IPV4 | L4');
    expect(rssTypeName(0x1000)).toBe('0x1000');
    expect(rssTypeTitle(41)).toBe('XDP_RSS_TYPE_L4_IPV4_UDP = 41 (L3_IPV4 | L4 | L4_UDP)');
    expect(rssTypeTitle(9)).toBe('not a named XDP_RSS_TYPE = 9 (L3_IPV4 | L4)');
  });

  it('formats hashes as 0x%08x, or — where there is none', () => {
    expect(hex32(0x1f)).toBe('0x0000001f');
    expect(hex32(-1)).toBe('0xffffffff');
    expect(hashText({ rxHash: null })).toBe('—');
    expect(hashText({ rxHash: 0xdeadbeef })).toBe('0xdeadbeef');
  });
});

const zeroCounters: NicCounters = emptyCounters();

function packet(index: number, over: Partial<PacketSummary> = {}): PacketSummary {
  return { index, queue: index % 4, rxTimestamp: `${1000 + index}`, rxHash: 0x100 + index, rssType: 41, vlan: null, length: 64, flow: 0, action: 'XDP_PASS', retval: 2, fate: { kind: 'passed' }, insns: 10, metaLength: 0, ...over };
}

describe('packets: fates, filters, pages', () => {
  it('words every fate', () => {
    const fates: [PacketFate, string][] = [
      [{ kind: 'dropped', reason: 'redirect to empty xskmap slot 3' }, 'dropped: redirect to empty xskmap slot 3'],
      [{ kind: 'passed', tc: 'TC_ACT_OK' }, 'passed → tc: TC_ACT_OK'],
      [{ kind: 'passed' }, 'passed to the stack'],
      [{ kind: 'transmitted' }, 'sent back out of the NIC (XDP_TX)'],
      [{ kind: 'xsk', queue: 1, addr: '0x1100' }, '→ AF_XDP queue 1'],
      [{ kind: 'device', ifindex: 3, name: 'veth1', peerAction: 'XDP_PASS' }, '→ veth1 (ifindex 3), whose XDP program says XDP_PASS'],
      [{ kind: 'device', ifindex: 3, name: 'veth1' }, '→ veth1 (ifindex 3)'],
      [{ kind: 'cpu', cpu: 2, tc: 'TC_ACT_SHOT' }, '→ CPU 2 → tc: TC_ACT_SHOT'],
      [{ kind: 'fault', message: 'invalid read' }, 'fault: invalid read'],
    ];
    for (const [f, text] of fates) expect(fateText(f)).toBe(text);
  });

  it('filters by action, queue and every word of the text', () => {
    const ps = Array.from({ length: 40 }, (_, i) =>
      packet(i, i % 5 === 0 ? { action: 'XDP_REDIRECT', retval: 4, fate: { kind: 'xsk', queue: i % 4, addr: '0x0' } } : i % 7 === 0 ? { action: 'XDP_DROP', retval: 1, fate: { kind: 'dropped', reason: 'the program said so' }, vlan: 59, rxHash: null } : {}),
    );
    expect(filterPackets(ps, NO_FILTER)).toBe(ps);
    expect(filterPackets(ps, { ...NO_FILTER, action: 'XDP_REDIRECT' }).map((p) => p.index)).toEqual([0, 5, 10, 15, 20, 25, 30, 35]);
    expect(filterPackets(ps, { action: 'XDP_REDIRECT', queue: 1, text: '' }).map((p) => p.index)).toEqual([5, 25]);
    expect(filterPackets(ps, { ...NO_FILTER, text: 'af_xdp queue 2' }).map((p) => p.index)).toEqual([10, 30]);
    expect(filterPackets(ps, { ...NO_FILTER, text: 'VLAN 59' }).map((p) => p.index)).toEqual([7, 14, 21, 28]);
    expect(filterPackets(ps, { ...NO_FILTER, text: 'l4_ipv4_udp, dropped' })).toEqual([]);
    expect(filterPackets(ps, { ...NO_FILTER, text: 'XDP_DROP,  vlan   59' }).map((p) => p.index)).toEqual([7, 14, 21, 28]);
    // a number matches whole: queue 1 is not queue 10; #3 is not #30
    expect(filterPackets([packet(1, { queue: 1 }), packet(2, { queue: 10 })], { ...NO_FILTER, text: 'queue 1' }).map((p) => p.index)).toEqual([1]);
    expect(filterPackets(ps, { ...NO_FILTER, text: '#3' }).map((p) => p.index)).toEqual([3]);
    expect(filterTerms(' A,, b  c ,')).toEqual(['a', 'b c']);
    expect(filterPackets(ps, { ...NO_FILTER, text: '0x00000103' }).map((p) => p.index)).toEqual([3]);
    expect(filterPackets(ps, { ...NO_FILTER, text: '#12 ' }).map((p) => p.index)).toEqual([12]);
  });

  it('pages 10,000 rows 200 at a time', () => {
    expect(pageCount(10_000)).toBe(50);
    expect(pageCount(0)).toBe(1);
    expect(pageCount(201)).toBe(2);
    expect(pageOf(199)).toBe(0);
    expect(pageOf(200)).toBe(1);
    const many = Array.from({ length: 10_000 }, (_, i) => packet(i));
    const t0 = performance.now();
    expect(filterPackets(many, { ...NO_FILTER, text: 'queue 3' })).toHaveLength(2500);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('counts: a badge per action that happened, where packets went, errors', () => {
    const b = counterBadges({ ...zeroCounters, received: 5, actions: { ...zeroCounters.actions, XDP_PASS: 3, XDP_REDIRECT: 2 }, xsk: 2, tc: { TC_ACT_OK: 3 }, faults: 0 });
    expect(b.map((x) => `${x.label} ${x.value}`)).toEqual(['XDP_DROP 0', 'XDP_PASS 3', 'XDP_REDIRECT 2', 'to AF_XDP 2', 'to devices 0', 'to CPUs 0', 'tc TC_ACT_OK 3', 'redirect errors 0', 'faults 0']);
  });

  it('words the rate and the packet in the program', () => {
    expect(formatRate(0)).toBe('0');
    expect(formatRate(950)).toBe('950');
    expect(formatRate(12_345)).toBe('12 k');
    expect(formatRate(1_234_567)).toBe('1.23 M');
    expect(formatRate(12_345_678)).toBe('12.3 M');
    expect(nicPositionText({ packet: 3, total: 64 }, 1)).toBe('packet 3 of 64, queue 1');
    expect(nicPositionText({ packet: 3, total: 64 })).toBe('packet 3 of 64');
    const report = { packets: [packet(0), packet(1), packet(2), packet(3)] } as unknown as Parameters<typeof queueOf>[0];
    expect(queueOf(report, 3)).toBe(3);
    expect(queueOf(report, 9)).toBeUndefined();
    expect(queueOf(undefined, 0)).toBeUndefined();
  });
});

describe('one packet: the buffer to scale, the hex dump, the consumer metadata', () => {
  const d = { metaOffset: 232, dataOffset: 256, endOffset: 320 };

  it('cuts the buffer into its regions, with a text alternative', () => {
    const r = bufferRegions(d);
    expect(r.map((x) => [x.kind, x.start, x.end])).toEqual([
      ['xdp_frame', 0, 40],
      ['headroom', 40, 232],
      ['metadata', 232, 256],
      ['data', 256, 320],
    ]);
    expect(bufferDescription(r)).toBe('Frame buffer of 320 bytes from data_hard_start: struct xdp_frame 40 bytes (offset 0), headroom 192 bytes (offset 40), metadata 24 bytes (offset 232), data 64 bytes (offset 256).');
    // a program that pulled the data back into the headroom: no free headroom, still the frame
    expect(bufferRegions({ metaOffset: 20, dataOffset: 20, endOffset: 90 }).map((x) => [x.kind, x.start, x.end])).toEqual([
      ['xdp_frame', 0, 20],
      ['metadata', 20, 20],
      ['data', 20, 90],
    ]);
  });

  it('aligns hex rows on data and offsets them from it', () => {
    expect(hexRows(232, 290, 256)).toEqual([
      { start: 232, end: 240 },
      { start: 240, end: 256 },
      { start: 256, end: 272 },
      { start: 272, end: 288 },
      { start: 288, end: 290 },
    ]);
    expect(hexRows(256, 256, 256)).toEqual([]);
    expect(dataRelative(232, 256)).toBe('data-24');
    expect(dataRelative(270, 256)).toBe('data+14');
  });

  it('summarises the bytes the program changed', () => {
    const changed = new Uint8Array(320);
    changed.fill(1, 232, 256);
    changed[262] = 1;
    expect(changedRuns(changed, 232, 320)).toEqual([
      [232, 256],
      [262, 263],
    ]);
    expect(changedSummary(changed, 232, 320, 256)).toBe('25 bytes changed by the program: data-24…data-1, data+6.');
    expect(changedSummary(new Uint8Array(320), 232, 320, 256)).toBe('The program changed no byte of the metadata or the data.');
  });

  it('reads the xdp-metadata example’s struct xdp_meta, with -errno where a kfunc failed', () => {
    const m = new Uint8Array(24);
    const v = new DataView(m.buffer);
    v.setBigUint64(0, 1_000_001_000n, true);
    v.setUint32(8, 0xa5f9d34f, true);
    v.setInt32(12, 41, true);
    v.setUint32(16, 3, true);
    expect(decodeMeta(m, 'example')).toEqual([
      { name: 'rx_timestamp', type: '__u64', offset: 0, size: 8, value: '1000001000' },
      { name: 'rx_hash', type: '__u32', offset: 8, size: 4, value: '0xa5f9d34f' },
      { name: 'rx_hash_type', type: '__s32', offset: 12, size: 4, value: '41 (L4_IPV4_UDP)' },
      { name: 'rx_queue_index', type: '__u32', offset: 16, size: 4, value: '3' },
      { name: 'reserved', type: '__u32', offset: 20, size: 4, value: '0' },
    ]);
    // driver "none": no timestamp, no hash, rx_hash_type = -EOPNOTSUPP
    const none = new Uint8Array(24);
    new DataView(none.buffer).setInt32(12, -95, true);
    expect(decodeMeta(none, 'example').map((f) => f.value)).toEqual(['0 (no timestamp)', '0x00000000', '-95 (-EOPNOTSUPP)', '0', '0']);
    // the tc example writes the first 16 bytes; a view into a larger buffer reads from its own start
    const big = new Uint8Array(40);
    big.set(m, 16);
    expect(decodeMeta(big.subarray(16, 32), 'example').map((f) => f.name)).toEqual(['rx_timestamp', 'rx_hash', 'rx_hash_type']);
    expect(decodeMeta(m, 'bytes')).toEqual([]);
    expect(decodeMeta(new Uint8Array(3), 'example')).toEqual([]);
  });

  it('reads the selftest’s struct xdp_meta by its hint_valid bits', () => {
    const m = new Uint8Array(32);
    const v = new DataView(m.buffer);
    v.setBigUint64(0, 1_000_000_000n, true);
    v.setBigUint64(8, 1_000_000_123n, true);
    v.setUint32(16, 0xdeadbeef, true);
    v.setUint32(20, 42, true);
    v.setUint16(24, 0x8100, false);
    v.setUint16(26, (3 << 13) | 59, true);
    v.setUint32(28, 7, true);
    expect(decodeMeta(m, 'selftest').map((f) => `${f.type} ${f.name} = ${f.value}`)).toEqual([
      '__u64 rx_timestamp = 1000000000',
      '__u64 xdp_timestamp = 1000000123',
      '__u32 rx_hash = 0xdeadbeef',
      '__u32 rx_hash_type = 42 (L4_IPV6_UDP)',
      '__be16 rx_vlan_proto = 0x8100',
      '__u16 rx_vlan_tci = 0x603b (VLAN 59, priority 3)',
      '__u32 hint_valid = 7 (TS | RSS | VLAN_TAG)',
    ]);
    // no timestamp and no tag: the unions hold -errno
    v.setInt32(0, -95, true);
    v.setInt32(24, -61, true);
    v.setUint32(28, 2, true);
    expect(decodeMeta(m, 'selftest').map((f) => `${f.name} = ${f.value}`)).toEqual([
      'rx_timestamp_err = -95 (-EOPNOTSUPP)',
      'xdp_timestamp = 1000000123',
      'rx_hash = 0xdeadbeef',
      'rx_hash_type = 42 (L4_IPV6_UDP)',
      'rx_vlan_tag_err = -61 (-ENODATA)',
      'hint_valid = 2 (RSS)',
    ]);
  });

  it('guesses the struct from the size, and words errno values', () => {
    expect([0, 8, 16, 24, 31, 32, 64].map(autoLayout)).toEqual(['bytes', 'bytes', 'example', 'example', 'example', 'selftest', 'selftest']);
    expect(layoutOf('auto', 24)).toBe('example');
    expect(layoutOf('bytes', 24)).toBe('bytes');
    expect(errnoText(-95)).toBe('-95 (-EOPNOTSUPP)');
    expect(errnoText(-61)).toBe('-61 (-ENODATA)');
    expect(errnoText(-200)).toBe('-200 (an error)');
    expect(errnoText(0)).toBeUndefined();
    expect(errnoText(-5000)).toBeUndefined();
    expect(hashTypeText(-95)).toBe('-95 (-EOPNOTSUPP)');
    expect(hashTypeText(41)).toBe('41 (L4_IPV4_UDP)');
  });
});
