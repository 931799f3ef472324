// Surfaces traffic and pcap: traffic profiles (engine/net/profile-json.ts, what the Traffic panel
// and `bpfp xdp --traffic` check) and captures (engine/net/pcap.ts), each then run through an
// XDP program on the emulated NIC by the Session: the whole run, packet details, every export.

import { MAX_FRAME } from '../../../net/profile.ts';
import { checkTraffic, parseTrafficProfile } from '../../../net/profile-json.ts';
import { readPcap } from '../../../net/pcap.ts';
import { TrafficGenerator } from '../../../net/traffic.ts';
import type { Frame } from '../../../net/frames.ts';
import type { ProgramImage, RunSettings } from '../../../worker/protocol.ts';
import type { Rng, Surface } from '../case.ts';
import { hex, mutateBytes, showJson } from '../mutate.ts';
import { play, playOptions, settingsOf, type PlayOptions } from '../play.ts';
import * as pcapGen from '../pcap-gen.ts';
import * as trafficGen from '../traffic-gen.ts';
import { trafficJson } from './json-inputs.ts';
import { xdpProgram } from './programs.ts';

/** Traffic runs of more packets are the work asked for, not the product being slow: loaded only. */
const MAX_RUN_PACKETS = 5_000;

interface NicCase<T> {
  readonly value: T;
  readonly program: string;
  readonly image: ProgramImage;
  readonly settings: RunSettings;
  readonly options: PlayOptions;
}

export const traffic: Surface<NicCase<unknown>> = {
  name: 'traffic',
  about: 'traffic profile JSON: checkTraffic, parseTrafficProfile, then Session.load + runTraffic + packet details + pcap exports',
  generate(rng) {
    // Half from fix-inputs' generator (engine/test/fuzz/traffic-gen.ts: every field at its edges).
    const value = rng.chance(0.5) ? trafficJson(rng) : trafficGen.generate(rng, 16);
    const { id, image } = xdpProgram(rng);
    const packets = typeof value === 'object' && value !== null && 'packets' in value ? value.packets : undefined;
    // A profile that asks for more packets than a case may run is loaded, not run.
    const loadOnly = typeof packets === 'number' && packets > MAX_RUN_PACKETS;
    return { value, program: id, image, settings: settingsOf(rng, { traffic: value }), options: { ...playOptions(rng), ...(loadOnly ? { loadOnly } : {}) } };
  },
  run(c) {
    const check = checkTraffic(c.value);
    const parsed = parseTrafficProfile(c.value);
    return { check: check.ok ? { ok: true, warnings: check.warnings } : check, parsed: parsed.ok ? { ok: true, warnings: parsed.warnings } : parsed, play: play(c.image, c.settings, c.options) };
  },
  show: (c) => `program ${c.program}, profile ${c.settings.profile}, cpus ${c.settings.cpus}, play ${showJson(c.options)}\n--- traffic profile ---\n${showJson(c.value)}`,
};

interface PcapRecordSpec {
  sec: number;
  frac: number;
  data: Uint8Array;
  caplen?: number;
  origLen?: number;
}

/** A classic pcap with every header field chosen, so that odd writers can be imitated. */
function pcapBytes(little: boolean, nanos: boolean, major: number, minor: number, snaplen: number, linktype: number, records: readonly PcapRecordSpec[]): Uint8Array {
  const size = 24 + records.reduce((n, r) => n + 16 + r.data.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, nanos ? 0xa1b23c4d : 0xa1b2c3d4, little);
  v.setUint16(4, major, little);
  v.setUint16(6, minor, little);
  v.setUint32(16, snaplen >>> 0, little);
  v.setUint32(20, linktype >>> 0, little);
  let at = 24;
  for (const r of records) {
    v.setUint32(at, r.sec >>> 0, little);
    v.setUint32(at + 4, r.frac >>> 0, little);
    v.setUint32(at + 8, (r.caplen ?? r.data.length) >>> 0, little);
    v.setUint32(at + 12, (r.origLen ?? r.data.length) >>> 0, little);
    out.set(r.data, at + 16);
    at += 16 + r.data.length;
  }
  return out;
}

/** Frames as the generator makes them (real headers), or random bytes of any length. */
function frames(rng: Rng, n: number): Uint8Array[] {
  const random = (): Uint8Array[] => Array.from({ length: n }, () => Uint8Array.from({ length: rng.chance(0.9) ? rng.below(200) : rng.pick([0, 1, 13, 14, 1514, 1515, 9000]) }, () => rng.below(256)));
  if (n === 0 || rng.chance(0.3)) return random();
  const parsed = parseTrafficProfile({ seed: rng.below(100), packets: n, flows: (trafficJson(rng, n) as { flows?: unknown } | null)?.flows });
  if (!parsed.ok) return random();
  const gen = new TrafficGenerator(parsed.profile);
  const frame: Frame = { bytes: new Uint8Array(MAX_FRAME + 64), length: 0, index: 0, flow: 0, tsNs: 0 };
  const out: Uint8Array[] = [];
  while (out.length < n && gen.next(frame)) out.push(frame.bytes.slice(0, frame.length));
  return out;
}

/** A capture: real or random frames, odd header fields now and then, sometimes damaged. */
export function pcapCase(rng: Rng): Uint8Array {
  const nanos = rng.chance(0.5);
  const n = rng.below(24);
  const base = rng.chance(0.5) ? 1_700_000_000 : rng.below(10);
  const records: PcapRecordSpec[] = frames(rng, n).map((data, i) => {
    const r: PcapRecordSpec = { sec: base + Math.floor(i / 4), frac: rng.below(nanos ? 1_000_000_000 : 1_000_000), data };
    if (rng.chance(0.05)) r.frac = rng.pick([999_999, 1_000_000, 999_999_999, 1_000_000_000, 0xffffffff]);
    if (rng.chance(0.05)) r.sec = rng.pick([0, 0xffffffff, 0x80000000]);
    if (rng.chance(0.05)) r.origLen = rng.pick([0, data.length - 1, data.length + 100, 0xffffffff]);
    if (rng.chance(0.03)) r.caplen = rng.pick([0, data.length + 1, 0xffffffff, 262145]);
    return r;
  });
  const odd = rng.chance(0.15);
  const bytes = pcapBytes(
    rng.chance(0.7),
    nanos,
    odd && rng.chance(0.3) ? rng.pick([1, 3, 0xffff]) : 2,
    odd && rng.chance(0.3) ? rng.pick([0, 3, 0xffff]) : 4,
    odd && rng.chance(0.5) ? rng.pick([0, 1, 64, 65535, 262144, 262145, 0xffffffff]) : 65535,
    odd && rng.chance(0.3) ? rng.pick([0, 101, 113, 276, 0x04000001, 0xffffffff]) : 1,
    records,
  );
  return rng.chance(0.35) ? mutateBytes(rng, bytes) : bytes;
}

export const pcap: Surface<NicCase<Uint8Array>> = {
  name: 'pcap',
  about: 'pcap files: readPcap, then replayed through the NIC by Session.load + runTraffic + packet details + pcap exports',
  generate(rng) {
    // Half from fix-inputs' generator (engine/test/fuzz/pcap-gen.ts).
    const value = rng.chance(0.5) ? pcapCase(rng) : pcapGen.generate(rng, 16);
    const { id, image } = xdpProgram(rng);
    return { value, program: id, image, settings: settingsOf(rng, { pcap: value }), options: playOptions(rng) };
  },
  run(c) {
    const read = readPcap(c.value);
    return { read: read.ok ? { ok: true, frames: read.frames.length, ...(read.note === undefined ? {} : { note: read.note }) } : read, play: play(c.image, c.settings, c.options) };
  },
  show: (c) => `program ${c.program}, profile ${c.settings.profile}, cpus ${c.settings.cpus}, play ${showJson(c.options)}\n--- pcap (${c.value.length} bytes) ---\n${hex(c.value).replace(/(.{64})/g, '$1\n')}`,
};
