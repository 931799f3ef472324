// Seeded generator of classic pcap files (engine/net/pcap.ts): both byte orders and time
// resolutions, odd headers, records with fractions of a second out of range, lengths past the
// snap length or the file, runts and jumbo frames, cut-short files and flipped bytes. `check`
// reads each, replays it on the NIC through the session, and reports any exception or message
// that is not text.

import { MAX_FRAME } from '../../net/profile.ts';
import { PcapSource, readPcap } from '../../net/pcap.ts';
import { trafficSetup } from '../../worker/nic-session.ts';
import { Session } from '../../worker/session.ts';
import type { Rng } from '../kernel/rng.ts';

const MAGICS = [0xa1b2c3d4, 0xa1b23c4d, 0xa1b23c4d, 0x0a0d0d0a, 0xdeadbeef];

/** A frame: mostly a plausible Ethernet/IPv4 start, any length from 0 to past MAX_FRAME. */
function frame(rng: Rng): Uint8Array {
  const length = rng.chance(0.9) ? 14 + rng.below(200) : rng.pick([0, 1, 13, MAX_FRAME, MAX_FRAME + 1, 9000]);
  const f = new Uint8Array(length);
  for (let i = 0; i < length; i++) f[i] = rng.below(256);
  if (length >= 34 && rng.chance(0.7)) {
    f[12] = 0x08;
    f[13] = 0x00;
    f[14] = 0x45;
  }
  return f;
}

/** A pcap of up to `size` records (a tenth of files ten times more). */
export function generate(rng: Rng, size: number): Uint8Array {
  const little = rng.chance(0.7);
  const magic = rng.pick(MAGICS);
  const nanos = magic === 0xa1b23c4d;
  const n = rng.chance(0.1) ? size * 10 : rng.below(size + 1);
  const records = Array.from({ length: n }, () => frame(rng));
  const total = 24 + records.reduce((sum, r) => sum + 16 + r.length, 0);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, magic, little);
  v.setUint16(4, rng.chance(0.95) ? 2 : rng.below(5), little);
  v.setUint16(6, 4, little);
  const snaplen = rng.chance(0.8) ? 65535 : rng.pick([0, 60, 100, 262144, 262145, 0xffffffff]);
  v.setUint32(16, snaplen, little);
  v.setUint32(20, rng.chance(0.95) ? 1 : rng.pick([0, 101, 113, 276, 1 | (1 << 28)]), little);
  let at = 24;
  let sec = rng.chance(0.5) ? rng.below(10) : 1_700_000_000 + rng.below(1000);
  for (const r of records) {
    sec += rng.chance(0.1) ? -1 : rng.below(2);
    const limit = nanos ? 1e9 : 1e6;
    const frac = rng.chance(0.05) ? rng.pick([limit, limit + 1, 2 * limit, 0xffffffff]) : rng.below(limit);
    v.setUint32(at, sec >>> 0, little);
    v.setUint32(at + 4, frac, little);
    v.setUint32(at + 8, rng.chance(0.03) ? rng.pick([r.length + 1, 0xffffffff, 262145]) : r.length, little);
    v.setUint32(at + 12, rng.chance(0.2) ? r.length + rng.below(100) : r.length, little);
    out.set(r, at + 16);
    at += 16 + r.length;
  }
  let bytes = out;
  if (rng.chance(0.1)) bytes = bytes.subarray(0, rng.below(bytes.length + 1));
  if (rng.chance(0.1)) for (let k = rng.below(4); k >= 0 && bytes.length; k--) bytes[rng.below(bytes.length)] = rng.below(256);
  return bytes.slice();
}

const XDP_PASS = Uint8Array.from([0xb7, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
/** Captures with more frames are read and set up, not replayed. */
const RUN_LIMIT = 2_000;

/** What went wrong with a capture: an exception, a message that is not text, a time that is not a whole number of ns. */
export function check(bytes: Uint8Array): string[] {
  try {
    const read = readPcap(bytes);
    if (!read.ok) return typeof read.error === 'string' && read.error.length > 0 ? [] : [`an error that is not text: ${String(read.error)}`];
    for (const [k, f] of read.frames.entries()) if (!(f.tsNsec >= 0 && f.tsNsec < 1e9 && Number.isSafeInteger(f.tsSec))) return [`record ${k} has time ${f.tsSec} s ${f.tsNsec} ns`];
    const source = new PcapSource(bytes);
    if (source.error !== undefined) return [`readPcap read it but PcapSource refused it: ${source.error}`];
    const setup = trafficSetup(undefined, bytes);
    if (!setup.ok) return [`trafficSetup refused a readable capture: ${setup.errors.join('; ')}`];
    if (read.frames.length > RUN_LIMIT) return [];
    const session = new Session();
    const image = { sections: [{ name: 'xdp', progType: 'xdp' as const, bytecode: XDP_PASS }], entry: 'xdp', maps: [] };
    const loaded = session.load(image, { isa: 4, profile: 'linux-6.18', cpus: 8, maxInsns: 1_000_000, pcap: bytes });
    if (!loaded.ok) return loaded.problems.map((p) => `the session refused a readable capture: ${p.message}`);
    const report = session.runTraffic();
    if (report.counters.received !== read.frames.length) return [`${report.counters.received} of ${read.frames.length} frames received`];
    for (const w of report.warnings) if (typeof w !== 'string') return [`a warning that is not text: ${String(w)}`];
    if (read.frames.length > 0) session.exportPcap('received');
    return [];
  } catch (e) {
    return [`exception: ${e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e)}`];
  }
}
