import { describe, expect, it } from 'vitest';
import type { Frame } from './frames.ts';
import { buildFrame, type L4Spec } from './packet/build.ts';
import { parsePacket } from './packet/parse.ts';
import { RSS_INPUT_MAX, rssInputFast } from './packet/rss.ts';
import { DEFAULT_XSK, MAX_FRAME, MICROSOFT_RSS_KEY, type Flow, type TrafficProfile } from './profile.ts';
import { DEFAULT_TCP_FLAGS, TrafficGenerator, generateFrames, weightedIndex, type GeneratedFrame } from './traffic.ts';
import { Xoshiro128 } from './rng.ts';

function flow(fields: Partial<Flow> = {}): Flow {
  return { proto: 'udp', ipv6: false, src: '10.0.0.1', dst: '10.0.0.2', sport: 1234, dport: 8080, size: 64, weight: 1, srcMac: '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02', ...fields };
}

function profile(flows: readonly Flow[], fields: Partial<TrafficProfile> = {}): TrafficProfile {
  return {
    seed: 1,
    packets: 100,
    ratePps: 1_000_000,
    queues: 4,
    nic: { driver: 'full', rssKey: MICROSOFT_RSS_KEY, indirection: Array.from({ length: 128 }, (_, i) => i % 4), timestamps: 'all', vlanStrip: true },
    flows,
    xsk: DEFAULT_XSK,
    ...fields,
  };
}

const V6 = { ipv6: true, src: '2001:db8::1', dst: '2001:db8::2' } as const;

/** Every combination of protocol, IP version and tag, with sizes that reach both frame limits. */
const MIXED = profile(
  [
    flow({ size: [60, 1514] }),
    flow({ proto: 'tcp', size: 'imix', vlan: 10 }),
    flow({ proto: 'icmp', size: [60, 300] }),
    flow({ ...V6, size: 'imix' }),
    flow({ ...V6, proto: 'tcp', vlan: 4094, size: [60, 1514], tcpFlags: 0x18 }),
    flow({ ...V6, proto: 'icmp', vlan: 1, size: 64 }),
    flow({ proto: 'udp', vlan: 59, size: 1514, weight: 0.5 }),
  ],
  { seed: 42, packets: 3000 },
);

const u16 = (b: Uint8Array, at: number): number => (b[at] << 8) | b[at + 1];
const u32 = (b: Uint8Array, at: number): number => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

function shares(frames: readonly GeneratedFrame[], key: (f: GeneratedFrame) => number): Map<number, number> {
  const counts = new Map<number, number>();
  for (const f of frames) counts.set(key(f), (counts.get(key(f)) ?? 0) + 1);
  return new Map([...counts].map(([k, n]) => [k, n / frames.length]));
}

describe('TrafficGenerator', () => {
  it('gives `packets` frames, indexed from 0, then reports the end', () => {
    const g = new TrafficGenerator(profile([flow()], { packets: 5 }));
    expect(g.total).toBe(5);
    expect(g.error).toBeUndefined();
    const frame: Frame = { bytes: new Uint8Array(MAX_FRAME), length: 0, index: -1, flow: -1, tsNs: 0 };
    const indexes: number[] = [];
    while (g.next(frame)) indexes.push(frame.index);
    expect(indexes).toEqual([0, 1, 2, 3, 4]);
    expect(g.next(frame)).toBe(false);
  });

  it('stamps frame i at 1e9 + round(i * 1e9 / rate_pps) ns, an exact integer', () => {
    const frames = generateFrames(profile([flow()], { ratePps: 3_000_000, packets: 1000 }));
    frames.forEach((f, i) => {
      expect(f.tsNs).toBe(1e9 + Math.round((i * 1e9) / 3_000_000));
      expect(Number.isInteger(f.tsNs)).toBe(true);
    });
    expect(frames[3].tsNs).toBe(1_000_001_000);
  });

  it('stamps frames the same way when 1e9 / rate_pps is a whole number (no division per packet there)', () => {
    for (const ratePps of [10_000_000, 1_000_000_000, 1, 250]) {
      const frames = generateFrames(profile([flow()], { ratePps, packets: 300 }));
      frames.forEach((f, i) => expect(f.tsNs).toBe(1e9 + Math.round((i * 1e9) / ratePps)));
    }
  });

  it('keeps the frames a profile and seed gave in earlier versions (a digest of 3,000 frames, times and flows)', () => {
    // Share links replay traffic: a change here changes what every shared link shows.
    let h = 0x811c9dc5;
    const mix = (v: number): void => {
      h = Math.imul(h ^ (v & 0xff), 0x01000193);
    };
    for (const f of generateFrames(MIXED, 3000)) {
      f.bytes.forEach(mix);
      mix(f.flow);
      for (let t = f.tsNs; t > 0; t = Math.floor(t / 256)) mix(t % 256);
    }
    expect((h >>> 0).toString(16)).toBe('7b47b0eb');
  });

  it('is deterministic: the same profile and seed give byte-identical frames and times', () => {
    const a = generateFrames(MIXED, 500);
    const b = generateFrames(MIXED, 500);
    expect(b).toEqual(a);
  });

  it('gives other frames for another seed', () => {
    const a = generateFrames(MIXED, 500);
    const c = generateFrames({ ...MIXED, seed: 43 }, 500);
    expect(c.map((f) => f.flow)).not.toEqual(a.map((f) => f.flow));
    expect(c.some((f, i) => f.bytes.length !== a[i].bytes.length || f.bytes.some((x, k) => x !== a[i].bytes[k]))).toBe(true);
  });

  it('picks flows by weight (3:1:1 over 30,000 packets, each share within 0.015)', () => {
    const frames = generateFrames(profile([flow({ weight: 3 }), flow({ sport: 2 }), flow({ sport: 3 })], { seed: 9, packets: 30_000 }));
    const share = shares(frames, (f) => f.flow);
    expect(Math.abs((share.get(0) ?? 0) - 0.6)).toBeLessThan(0.015);
    expect(Math.abs((share.get(1) ?? 0) - 0.2)).toBeLessThan(0.015);
    expect(Math.abs((share.get(2) ?? 0) - 0.2)).toBeLessThan(0.015);
  });

  it('never picks a flow of weight 0', () => {
    const frames = generateFrames(profile([flow({ weight: 0 }), flow({ weight: 1 }), flow({ weight: 0 })], { packets: 2000 }));
    expect(new Set(frames.map((f) => f.flow))).toEqual(new Set([1]));
  });

  it('draws IMIX sizes 64, 576 and 1500 in the proportions 7:4:1 (24,000 packets, within 0.015)', () => {
    const frames = generateFrames(profile([flow({ size: 'imix' })], { seed: 5, packets: 24_000 }));
    const share = shares(frames, (f) => f.bytes.length);
    expect([...share.keys()].sort((x, y) => x - y)).toEqual([64, 576, 1500]);
    expect(Math.abs((share.get(64) ?? 0) - 7 / 12)).toBeLessThan(0.015);
    expect(Math.abs((share.get(576) ?? 0) - 4 / 12)).toBeLessThan(0.015);
    expect(Math.abs((share.get(1500) ?? 0) - 1 / 12)).toBeLessThan(0.015);
  });

  it('draws range sizes uniformly with both bounds included', () => {
    const frames = generateFrames(profile([flow({ size: [100, 103] })], { packets: 4000 }));
    const share = shares(frames, (f) => f.bytes.length);
    expect([...share.keys()].sort((x, y) => x - y)).toEqual([100, 101, 102, 103]);
    for (const s of share.values()) expect(Math.abs(s - 0.25)).toBeLessThan(0.03);
    const wide = generateFrames(profile([flow({ size: [60, 1514] })], { packets: 30_000 })).map((f) => f.bytes.length);
    expect(Math.min(...wide)).toBe(60);
    expect(Math.max(...wide)).toBe(1514);
  });

  it('gives a fixed size exactly', () => {
    for (const size of [60, 64, 1000, 1514]) {
      expect(new Set(generateFrames(profile([flow({ size })]), 50).map((f) => f.bytes.length))).toEqual(new Set([size]));
    }
  });

  it('makes a frame of the header length when the headers do not fit the size (IPv6 + 802.1Q + TCP: 78 bytes)', () => {
    const fixed = generateFrames(profile([flow({ ...V6, proto: 'tcp', vlan: 5, size: 64 })]), 10);
    expect(new Set(fixed.map((f) => f.bytes.length))).toEqual(new Set([78]));
    const imix = generateFrames(profile([flow({ ...V6, proto: 'tcp', vlan: 5, size: 'imix' })]), 500);
    expect(new Set(imix.map((f) => f.bytes.length))).toEqual(new Set([78, 576, 1500]));
    for (const f of fixed) expect(parsePacket(f.bytes).error).toBeUndefined();
  });

  it('builds frames that parse without error and with every checksum good', () => {
    const frames = generateFrames(MIXED);
    expect(new Set(frames.map((f) => f.flow)).size).toBe(MIXED.flows.length);
    for (const f of frames) {
      const p = parsePacket(f.bytes);
      expect(p.error, `frame of flow ${f.flow}`).toBeUndefined();
      const checksums = p.layers.flatMap((l) => l.fields.filter((x) => x.name === 'checksum').map((x) => `${l.name}: ${x.value}`));
      // IPv4 header + L4 for IPv4; L4 alone for IPv6.
      expect(checksums).toHaveLength(MIXED.flows[f.flow].ipv6 ? 1 : 2);
      for (const c of checksums) expect(c).toMatch(/\(good\)$/);
      expect(p.layers.some((l) => l.fields.some((x) => x.bad))).toBe(false);
    }
  });

  it('builds the same bytes as buildFrame from the same fields (lengths and checksums included)', () => {
    for (const f of generateFrames(MIXED, 400)) {
      const fl = MIXED.flows[f.flow];
      const b = f.bytes;
      const l3 = fl.vlan === undefined ? 14 : 18;
      const l4 = l3 + (fl.ipv6 ? 40 : 20);
      const flags = fl.tcpFlags ?? DEFAULT_TCP_FLAGS;
      const spec: L4Spec =
        fl.proto === 'udp'
          ? { proto: 'udp', sport: fl.sport, dport: fl.dport }
          : fl.proto === 'tcp'
            ? { proto: 'tcp', sport: fl.sport, dport: fl.dport, seq: u32(b, l4 + 4), ack: u32(b, l4 + 8), flags }
            : { proto: 'icmp', id: fl.sport, seq: u16(b, l4 + 6) };
      const header = l4 + (fl.proto === 'tcp' ? 20 : 8);
      const expected = buildFrame({
        eth: { src: fl.srcMac, dst: fl.dstMac, ...(fl.vlan === undefined ? {} : { vlan: { id: fl.vlan } }) },
        ip: fl.ipv6 ? { version: 6, src: fl.src, dst: fl.dst } : { version: 4, src: fl.src, dst: fl.dst, id: u16(b, l3 + 4) },
        l4: spec,
        payload: b.slice(header),
        minLength: 0,
      });
      expect(b).toEqual(expected);
    }
  });

  it('tags frames of a VLAN flow with 802.1Q (its id, priority 0)', () => {
    const [f] = generateFrames(profile([flow({ vlan: 59 })]), 1);
    expect(u16(f.bytes, 12)).toBe(0x8100);
    expect(u16(f.bytes, 14)).toBe(59);
    expect(u16(f.bytes, 16)).toBe(0x0800);
    expect(parsePacket(f.bytes).vlanTci).toBe(59);
    const [untagged] = generateFrames(profile([flow()]), 1);
    expect(u16(untagged.bytes, 12)).toBe(0x0800);
  });

  it('builds IPv6 frames with the flow addresses and the payload length', () => {
    const [f] = generateFrames(profile([flow({ ...V6, size: 200 })]), 1);
    expect(u16(f.bytes, 12)).toBe(0x86dd);
    const p = parsePacket(f.bytes);
    expect(p.ip?.version).toBe(6);
    expect(p.layers.find((l) => l.name === 'IPv6')?.fields.find((x) => x.name === 'src')?.value).toBe('2001:db8::1');
    expect(u16(f.bytes, 14 + 4)).toBe(200 - 14 - 40);
    expect(f.bytes[14 + 6]).toBe(17);
  });

  it('sends ICMP echo requests over IPv4 and ICMPv6 echo requests over IPv6, id = sport, seq counting up', () => {
    const v4 = generateFrames(profile([flow({ proto: 'icmp', sport: 777 })]), 3);
    for (const [k, f] of v4.entries()) {
      expect(f.bytes[14 + 9]).toBe(1);
      expect(f.bytes[34]).toBe(8);
      expect(u16(f.bytes, 34 + 4)).toBe(777);
      expect(u16(f.bytes, 34 + 6)).toBe(k);
    }
    const v6 = generateFrames(profile([flow({ ...V6, proto: 'icmp', sport: 777 })]), 2);
    for (const f of v6) {
      expect(f.bytes[14 + 6]).toBe(58);
      expect(f.bytes[54]).toBe(128);
      expect(parsePacket(f.bytes).layers.some((l) => l.name === 'ICMPv6')).toBe(true);
    }
  });

  it('sets TCP flags: ACK by default, the flow tcpFlags when given (no ACK number without ACK)', () => {
    const [ack] = generateFrames(profile([flow({ proto: 'tcp' })]), 1);
    expect(ack.bytes[34 + 13]).toBe(0x10);
    const [syn] = generateFrames(profile([flow({ proto: 'tcp', tcpFlags: 0x02 })]), 1);
    expect(syn.bytes[34 + 13]).toBe(0x02);
    expect(u32(syn.bytes, 34 + 8)).toBe(0);
  });

  it('varies per packet — IPv4 id, TCP sequence by payload length, frame index in the payload — with the RSS input fixed per flow', () => {
    const frames = generateFrames(profile([flow({ proto: 'tcp', size: [100, 200] }), flow({ sport: 9 })], { packets: 200 }));
    const tcp = frames.filter((f) => f.flow === 0);
    for (let k = 1; k < tcp.length; k++) {
      expect(u16(tcp[k].bytes, 18)).toBe((u16(tcp[k - 1].bytes, 18) + 1) & 0xffff);
      expect(u32(tcp[k].bytes, 38)).toBe((u32(tcp[k - 1].bytes, 38) + tcp[k - 1].bytes.length - 54) >>> 0);
    }
    frames.forEach((f, i) => expect(u32(f.bytes, f.flow === 0 ? 54 : 42)).toBe(i));
    const inputs = new Map<number, string>();
    const input = new Uint8Array(RSS_INPUT_MAX);
    for (const f of frames) {
      const code = rssInputFast(f.bytes, f.bytes.length, input);
      const key = `${code}:${input.join(',')}`;
      expect(inputs.get(f.flow) ?? key).toBe(key);
      inputs.set(f.flow, key);
    }
  });

  it('writes whole frames into a buffer the previous packet left dirty', () => {
    const g = new TrafficGenerator(MIXED);
    const frame: Frame = { bytes: new Uint8Array(MAX_FRAME), length: 0, index: 0, flow: 0, tsNs: 0 };
    const expected = generateFrames(MIXED, 200);
    for (const e of expected) {
      frame.bytes.fill(0xee);
      expect(g.next(frame)).toBe(true);
      expect(frame.bytes.slice(0, frame.length)).toEqual(e.bytes);
    }
  });

  it('reports a profile without a flow of positive weight as an error, with no frames', () => {
    const g = new TrafficGenerator(profile([flow({ weight: 0 })]));
    expect(g.error).toMatch(/no flow with a positive weight/);
    expect(g.total).toBe(0);
    expect(g.next({ bytes: new Uint8Array(MAX_FRAME), length: 0, index: 0, flow: 0, tsNs: 0 })).toBe(false);
    expect(() => generateFrames(profile([]))).toThrow(/positive weight/);
  });

  it('generateFrames gives the first `count` frames, copies of the right length', () => {
    const all = generateFrames(MIXED, 50);
    expect(all).toHaveLength(50);
    expect(generateFrames(MIXED, 10)).toEqual(all.slice(0, 10));
    expect(all[0].bytes.buffer).not.toBe(all[1].bytes.buffer);
  });
});

describe('weightedIndex', () => {
  /** What a binary search over the cumulative weights answers. */
  function bisect(cumulative: Float64Array, x: number): number {
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (x < (cumulative[mid] ?? 0)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  it('answers as a binary search does, for even, uneven and zero weights (seeded)', () => {
    const rng = new Xoshiro128(7);
    const shapes = [[1], [1, 1, 1, 1], Array(64).fill(1), [5, 0, 0, 1, 30, 0, 2], [0, 0, 3], [1000, 1, 1, 1], [0.5, 0.25, 0.125, 2.5]];
    for (const weights of shapes) {
      const cumulative = new Float64Array(weights.length);
      let sum = 0;
      weights.forEach((w, k) => (cumulative[k] = sum += w));
      for (let i = 0; i < 2_000; i++) {
        const x = rng.nextFloat() * sum;
        expect(weightedIndex(cumulative, sum, x)).toBe(bisect(cumulative, x));
      }
      // The edges: 0, the cumulative values themselves, and just below the total.
      for (const x of [0, ...cumulative.filter((c) => c < sum), sum * (1 - 2 ** -32)]) expect(weightedIndex(cumulative, sum, x)).toBe(bisect(cumulative, x));
    }
  });
});
