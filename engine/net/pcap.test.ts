import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Frame } from './frames.ts';
import { PcapSource, readPcap, writePcap, type PcapReadResult } from './pcap.ts';
import { DEFAULT_XSK, MAX_FRAME, MICROSOFT_RSS_KEY, type Flow, type TrafficProfile } from './profile.ts';
import { generateFrames } from './traffic.ts';

function flow(fields: Partial<Flow> = {}): Flow {
  return { proto: 'udp', ipv6: false, src: '10.0.0.1', dst: '10.0.0.2', sport: 1234, dport: 8080, size: 64, weight: 1, srcMac: '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02', ...fields };
}

const PROFILE: TrafficProfile = {
  seed: 3,
  packets: 60,
  ratePps: 1_000_000,
  queues: 1,
  nic: { driver: 'full', rssKey: MICROSOFT_RSS_KEY, indirection: [0], timestamps: 'all', vlanStrip: true },
  flows: [
    flow({ size: [60, 400] }),
    flow({ proto: 'tcp', ipv6: true, src: '2001:db8::1', dst: '2001:db8::2', sport: 40000, dport: 80, vlan: 59, size: 'imix' }),
    flow({ proto: 'icmp', src: '10.0.0.3', size: 98 }),
  ],
  xsk: DEFAULT_XSK,
};

interface HandRecord {
  readonly sec: number;
  readonly frac: number;
  readonly data: Uint8Array;
  readonly origLen?: number;
  /** Captured length to claim instead of data.length. */
  readonly caplen?: number;
}

/** A pcap built field by field, independent of writePcap. */
function handPcap(opts: { little: boolean; magic?: number; major?: number; snaplen?: number; linktype?: number; records: readonly HandRecord[] }): Uint8Array {
  const size = 24 + opts.records.reduce((n, r) => n + 16 + r.data.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  const le = opts.little;
  v.setUint32(0, opts.magic ?? 0xa1b2c3d4, le);
  v.setUint16(4, opts.major ?? 2, le);
  v.setUint16(6, 4, le);
  v.setUint32(16, opts.snaplen ?? 65535, le);
  v.setUint32(20, opts.linktype ?? 1, le);
  let at = 24;
  for (const r of opts.records) {
    v.setUint32(at, r.sec, le);
    v.setUint32(at + 4, r.frac, le);
    v.setUint32(at + 8, r.caplen ?? r.data.length, le);
    v.setUint32(at + 12, r.origLen ?? r.data.length, le);
    out.set(r.data, at + 16);
    at += 16 + r.data.length;
  }
  return out;
}

const bytes = (n: number, fill = 0xab): Uint8Array => new Uint8Array(n).fill(fill);

function ok(r: PcapReadResult): Extract<PcapReadResult, { ok: true }> {
  if (!r.ok) throw new Error(r.error);
  return r;
}

function errorOf(r: PcapReadResult): string {
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

describe('writePcap / readPcap', () => {
  it('round-trips generated frames: same bytes, timestamps and lengths', () => {
    const frames = generateFrames(PROFILE);
    const file = writePcap(frames.map((f) => ({ tsNs: f.tsNs, data: f.bytes })));
    const r = ok(readPcap(file));
    expect(r.linktype).toBe(1);
    expect(r.nanos).toBe(true);
    expect(r.note).toBeUndefined();
    expect(r.frames.map((f) => f.tsNs)).toEqual(frames.map((f) => f.tsNs));
    expect(r.frames.map((f) => Array.from(f.data))).toEqual(frames.map((f) => Array.from(f.bytes)));
    expect(r.frames.map((f) => f.origLen)).toEqual(frames.map((f) => f.bytes.length));
  });

  it('writes the nanosecond magic little-endian, version 2.4, snap length 65535, Ethernet', () => {
    const file = writePcap([{ tsNs: 1_500_000_007, data: bytes(60), origLen: 100 }]);
    const v = new DataView(file.buffer);
    expect(Array.from(file.subarray(0, 4))).toEqual([0x4d, 0x3c, 0xb2, 0xa1]);
    expect([v.getUint16(4, true), v.getUint16(6, true), v.getUint32(16, true), v.getUint32(20, true)]).toEqual([2, 4, 65535, 1]);
    expect([v.getUint32(24, true), v.getUint32(28, true), v.getUint32(32, true), v.getUint32(36, true)]).toEqual([1, 500_000_007, 60, 100]);
    expect(file.length).toBe(24 + 16 + 60);
  });

  it('keeps present-day nanosecond times exact in seconds and nanoseconds', () => {
    const t = 1_700_000_000_123_456_768; // a double: an integer beyond 2^53
    const r = ok(readPcap(writePcap([{ tsNs: t, data: bytes(60) }])));
    expect(r.frames[0].tsSec).toBe(1_700_000_000);
    expect(r.frames[0].tsNsec).toBe(123_456_768);
    expect(r.frames[0].tsNs).toBe(t);
  });

  it('reads a microsecond little-endian file', () => {
    const r = ok(readPcap(handPcap({ little: true, records: [{ sec: 2, frac: 345_678, data: bytes(60) }, { sec: 3, frac: 1, data: bytes(70, 1), origLen: 90 }] })));
    expect(r.nanos).toBe(false);
    expect(r.frames.map((f) => f.tsNs)).toEqual([2_345_678_000, 3_000_001_000]);
    expect(r.frames.map((f) => [f.data.length, f.origLen])).toEqual([
      [60, 60],
      [70, 90],
    ]);
    expect(r.frames[1].data[0]).toBe(1);
  });

  it('reads big-endian files, microsecond and nanosecond', () => {
    const us = ok(readPcap(handPcap({ little: false, records: [{ sec: 1, frac: 5, data: bytes(64) }] })));
    expect(Array.from(handPcap({ little: false, records: [] }).subarray(0, 4))).toEqual([0xa1, 0xb2, 0xc3, 0xd4]);
    expect([us.nanos, us.frames[0].tsNs, us.frames[0].data.length]).toEqual([false, 1_000_005_000, 64]);
    const ns = ok(readPcap(handPcap({ little: false, magic: 0xa1b23c4d, records: [{ sec: 1, frac: 5, data: bytes(64) }] })));
    expect([ns.nanos, ns.frames[0].tsNs]).toEqual([true, 1_000_000_005]);
  });

  it('reads a sub-second field of a second or more as libpcap does, with a note naming the record and byte', () => {
    const us = ok(readPcap(handPcap({ little: true, records: [{ sec: 1000, frac: 5, data: bytes(60) }, { sec: 1000, frac: 1_500_000, data: bytes(60) }, { sec: 1001, frac: 999_999, data: bytes(60) }] })));
    expect(us.frames.map((f) => [f.tsSec, f.tsNsec, f.tsNs])).toEqual([
      [1000, 5_000, 1_000_000_005_000],
      [1001, 500_000_000, 1_001_500_000_000],
      [1001, 999_999_000, 1_001_999_999_000],
    ]);
    expect(us.note).toBe(
      'record 1 (byte 104): its microseconds field is 1500000, a second or more (the field counts up to 999,999); the time is read as the seconds plus that fraction, as libpcap hands it on; Wireshark may take such a file for another pcap variant: the capture may be damaged',
    );
    const ns = ok(readPcap(handPcap({ little: false, magic: 0xa1b23c4d, records: [{ sec: 7, frac: 0xffff_ffff, data: bytes(60) }, { sec: 9, frac: 1e9, data: bytes(60) }, { sec: 9, frac: 999_999_999, data: bytes(60) }] })));
    expect(ns.frames.map((f) => [f.tsSec, f.tsNsec])).toEqual([
      [11, 294_967_295],
      [10, 0],
      [9, 999_999_999],
    ]);
    expect(ns.note).toMatch(/^record 0 \(byte 28\): its nanoseconds field is 4294967295, a second or more \(the field counts up to 999,999,999\) \(and 1 more record like it\); the time is read as the seconds plus that fraction, as libpcap hands it on and Wireshark reads it/);
  });

  it('reads a file with no records as an empty capture', () => {
    expect(ok(readPcap(handPcap({ little: true, records: [] }))).frames).toEqual([]);
  });

  it('names a pcapng file and says how to convert it', () => {
    const ng = Uint8Array.from([0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, ...new Array<number>(20).fill(0)]);
    expect(errorOf(readPcap(ng))).toMatch(/^byte 0: this is a pcapng file .*editcap -F pcap in\.pcapng out\.pcap/);
  });

  it('rejects an unknown magic number at byte 0', () => {
    expect(errorOf(readPcap(new TextEncoder().encode('GIF89a and more bytes to fill the header')))).toBe(
      'byte 0: unknown magic number 0x47494638: not a pcap file (a pcap starts with a1b2c3d4 or a1b23c4d, in either byte order)',
    );
  });

  it('rejects files too short for the header', () => {
    expect(errorOf(readPcap(Uint8Array.from([0xd4, 0xc3])))).toBe('byte 0: the file is 2 bytes, too short for a pcap file header (24 bytes)');
    expect(errorOf(readPcap(handPcap({ little: true, records: [] }).subarray(0, 20)))).toBe('byte 0: file header cut short (20 of 24 bytes)');
  });

  it('rejects a version other than 2.x at byte 4', () => {
    expect(errorOf(readPcap(handPcap({ little: true, major: 3, records: [] })))).toBe('byte 4: pcap version 3.4 is not supported (libpcap writes 2.4)');
  });

  it('rejects a link type other than Ethernet at byte 20, naming it', () => {
    expect(errorOf(readPcap(handPcap({ little: true, linktype: 113, records: [] })))).toMatch(/^byte 20: link type 113 \(LINKTYPE_LINUX_SLL, Linux "cooked" capture\) is not Ethernet \(LINKTYPE_ETHERNET, 1\).*-i any/);
    expect(errorOf(readPcap(handPcap({ little: false, linktype: 101, records: [] })))).toMatch(/^byte 20: link type 101 \(LINKTYPE_RAW, raw IP\)/);
    expect(errorOf(readPcap(handPcap({ little: true, linktype: 999, records: [] })))).toMatch(/^byte 20: link type 999 is not Ethernet/);
  });

  it('rejects a record claiming more bytes than the snap length, at its length field', () => {
    const file = handPcap({ little: true, snaplen: 65535, records: [{ sec: 0, frac: 0, data: bytes(60) }, { sec: 0, frac: 0, data: bytes(10), caplen: 70000 }] });
    expect(errorOf(readPcap(file))).toBe('byte 108: record 1 claims 70000 captured bytes, more than the snap length 65535');
  });

  it('treats a snap length of 0 as no limit but the 262144-byte sanity bound', () => {
    expect(ok(readPcap(handPcap({ little: true, snaplen: 0, records: [{ sec: 0, frac: 0, data: bytes(3000) }] }))).frames[0].data.length).toBe(3000);
    const huge = handPcap({ little: true, snaplen: 0, records: [{ sec: 0, frac: 0, data: bytes(8), caplen: 300000 }] });
    expect(errorOf(readPcap(huge))).toBe('byte 32: record 0 claims 300000 captured bytes, more than the largest record a capture can hold (262144)');
  });

  it('fails when even the first record is cut short, naming the byte', () => {
    const whole = handPcap({ little: true, records: [{ sec: 0, frac: 0, data: bytes(60) }] });
    expect(errorOf(readPcap(whole.subarray(0, 32)))).toBe('byte 24: record header cut short (8 of 16 bytes)');
    expect(errorOf(readPcap(whole.subarray(0, 50)))).toBe('byte 40: record 0 data cut short (10 of 60 bytes)');
  });

  it('keeps the complete records of a file cut short and says so in the note', () => {
    const whole = handPcap({ little: true, records: [0, 1, 2].map((k) => ({ sec: k, frac: 0, data: bytes(60, k) })) });
    expect(whole.length).toBe(24 + 3 * 76);
    const inData = ok(readPcap(whole.subarray(0, 24 + 2 * 76 + 16 + 30)));
    expect(inData.frames).toHaveLength(2);
    expect(inData.frames[1].data[0]).toBe(1);
    expect(inData.note).toBe('the capture is cut short at byte 222: record 2 is incomplete (30 of 60 bytes); 2 records kept');
    const inHeader = ok(readPcap(whole.subarray(0, 24 + 76 + 5)));
    expect(inHeader.frames).toHaveLength(1);
    expect(inHeader.note).toBe('the capture is cut short at byte 105: record 1 is incomplete (its header has 5 of 16 bytes); 1 records kept');
  });
});

describe('PcapSource', () => {
  const frame = (): Frame => ({ bytes: new Uint8Array(MAX_FRAME), length: 0, index: -1, flow: 0, tsNs: 0 });

  it('replays frames in file order with their times, flow -1', () => {
    const frames = generateFrames(PROFILE, 10);
    const source = new PcapSource(writePcap(frames.map((f) => ({ tsNs: f.tsNs, data: f.bytes }))));
    expect(source.error).toBeUndefined();
    expect(source.note).toBeUndefined();
    expect(source.total).toBe(10);
    const out = frame();
    for (const [i, f] of frames.entries()) {
      expect(source.next(out)).toBe(true);
      expect([out.index, out.flow, out.tsNs, out.length]).toEqual([i, -1, f.tsNs, f.bytes.length]);
      expect(out.bytes.slice(0, out.length)).toEqual(f.bytes);
    }
    expect(source.next(out)).toBe(false);
  });

  it('cuts frames longer than 1514 bytes, gives runts as they are, and notes both', () => {
    const file = writePcap([
      { tsNs: 1, data: bytes(9000, 7) },
      { tsNs: 2, data: bytes(10, 8) },
      { tsNs: 3, data: bytes(60, 9), origLen: 1500 },
    ]);
    const source = new PcapSource(file);
    const out = frame();
    const lengths: number[] = [];
    while (source.next(out)) lengths.push(out.length);
    expect(lengths).toEqual([1514, 10, 60]);
    expect(source.note).toBe(
      '1 frame longer than 1514 bytes cut to 1514 (the first: record 0, 9000 bytes); 1 frame was captured short of its length on the wire (snap length 65535); 1 frame is shorter than an Ethernet header (14 bytes)',
    );
  });

  it('shifts present-day times to the virtual clock exactly, first frame at 1 s after boot', () => {
    const file = handPcap({
      little: true,
      magic: 0xa1b23c4d,
      records: [
        { sec: 1_700_000_000, frac: 999_999_999, data: bytes(60) },
        { sec: 1_700_000_001, frac: 3, data: bytes(60) },
      ],
    });
    const source = new PcapSource(file);
    const out = frame();
    const times: number[] = [];
    while (source.next(out)) times.push(out.tsNs);
    expect(times).toEqual([1_000_000_000, 1_000_000_004]);
    expect(source.note).toBe('timestamps shifted to the virtual clock: the capture\'s first frame (2023-11-14T22:13:20.999999999Z) arrives 1 s after boot');
  });

  it('carries the note of a file cut short', () => {
    const whole = writePcap([{ tsNs: 1, data: bytes(60) }, { tsNs: 2, data: bytes(60) }]);
    const source = new PcapSource(whole.subarray(0, whole.length - 1));
    expect(source.total).toBe(1);
    expect(source.note).toMatch(/^the capture is cut short at byte 175: record 1 is incomplete/);
  });

  it('reports an unreadable capture in `error`, with no frames', () => {
    const source = new PcapSource(Uint8Array.from([0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0]));
    expect(source.error).toMatch(/pcapng/);
    expect(source.total).toBe(0);
    expect(source.next(frame())).toBe(false);
  });
});

const hasTshark = spawnSync('sh', ['-c', 'command -v tshark'], { encoding: 'utf8' }).status === 0;
if (!hasTshark) console.log('skipped: tshark not installed');

describe('tshark reads the generated frames', () => {
  (hasTshark ? it : it.skip)('decodes IPv4 UDP, IPv6 TCP in a VLAN, ICMP and ICMPv6 with good checksums and nothing malformed', () => {
    const profile: TrafficProfile = {
      ...PROFILE,
      packets: 300,
      flows: [...PROFILE.flows, flow({ proto: 'icmp', ipv6: true, src: '2001:db8::7', dst: '2001:db8::8', vlan: 7, size: [60, 200] })],
    };
    const frames = generateFrames(profile);
    const dir = mkdtempSync(join(tmpdir(), 'bpfp-pcap-'));
    try {
      const file = join(dir, 'gen.pcap');
      writeFileSync(file, writePcap(frames.map((f) => ({ tsNs: f.tsNs, data: f.bytes }))));
      const checks = ['-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE'];
      // tshark warns on stderr when run as root; only stdout is read.
      const fields = ['frame.len', 'ip.src', 'ipv6.src', 'udp.dstport', 'tcp.dstport', 'vlan.id', 'icmp.type', 'icmpv6.type', 'ip.checksum.status', 'udp.checksum.status', 'tcp.checksum.status', 'icmp.checksum.status', 'icmpv6.checksum.status', '_ws.malformed'];
      const table = execFileSync('tshark', ['-n', '-r', file, ...checks, '-T', 'fields', '-E', 'separator=/t', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const rows = table.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
      expect(rows).toHaveLength(frames.length);
      const col = (row: readonly string[], name: string): string => row[fields.indexOf(name)];
      const expected: Readonly<Record<number, Partial<Record<string, string>>>> = {
        0: { 'ip.src': '10.0.0.1', 'udp.dstport': '8080', 'ip.checksum.status': '1', 'udp.checksum.status': '1' },
        1: { 'ipv6.src': '2001:db8::1', 'tcp.dstport': '80', 'vlan.id': '59', 'tcp.checksum.status': '1' },
        2: { 'ip.src': '10.0.0.3', 'icmp.type': '8', 'ip.checksum.status': '1', 'icmp.checksum.status': '1' },
        3: { 'ipv6.src': '2001:db8::7', 'icmpv6.type': '128', 'vlan.id': '7', 'icmpv6.checksum.status': '1' },
      };
      rows.forEach((row, i) => {
        expect(col(row, 'frame.len')).toBe(String(frames[i].bytes.length));
        expect(col(row, '_ws.malformed')).toBe('');
        for (const [name, value] of Object.entries(expected[frames[i].flow])) expect(col(row, name), `frame ${i} ${name}`).toBe(value);
      });
      expect(new Set(frames.map((f) => f.flow)).size).toBe(4);
      const verbose = execFileSync('tshark', ['-n', '-r', file, ...checks, '-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
      expect(verbose).not.toMatch(/\bBad\b|\[Malformed|incorrect/);
      // Every L4 checksum and every IPv4 header checksum checked and good.
      const ipv4 = frames.filter((f) => !profile.flows[f.flow].ipv6).length;
      expect(verbose.match(/\[(Checksum Status|Header checksum status): Good\]/g)?.length).toBe(frames.length + ipv4);
      expect(verbose).not.toMatch(/status: (Bad|Unverified)/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
