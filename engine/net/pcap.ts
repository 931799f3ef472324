// Classic libpcap files (pcap-savefile(5); draft-ietf-opsawg-pcap): reading a capture to replay
// on the emulated NIC, and writing a run's frames for Wireshark. A 24-byte file header (magic,
// version 2.4, snap length, link type) then records of a 16-byte header (seconds, fraction,
// captured length, original length) and the captured bytes, all in the writer's byte order.

import type { Frame, FrameSource } from './frames.ts';
import { MAX_FRAME } from './profile.ts';

export interface PcapRecord {
  /** Capture time, ns since the epoch: exact below 2^53 ns (about 104 days), else the nearest double (see tsSec). */
  readonly tsNs: number;
  /** The same time exactly, as whole seconds and the nanoseconds within them. */
  readonly tsSec: number;
  readonly tsNsec: number;
  /** The captured bytes (a view into the file's bytes, not a copy). */
  readonly data: Uint8Array;
  /** The frame's length on the wire (more than data.length when the capture cut it at the snap length). */
  readonly origLen: number;
}

export type PcapReadResult =
  | { readonly ok: true; readonly linktype: number; readonly nanos: boolean; readonly snaplen: number; readonly frames: readonly PcapRecord[]; readonly note?: string }
  | { readonly ok: false; readonly error: string };

export interface PcapWriteRecord {
  readonly tsNs: number;
  readonly data: Uint8Array;
  readonly origLen?: number;
}

export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;
/** A pcapng Section Header Block starts with block type 0x0a0d0d0a (the same in either byte order). */
export const PCAPNG_MAGIC = 0x0a0d0d0a;
export const LINKTYPE_ETHERNET = 1;
export const FILE_HEADER = 24;
export const RECORD_HEADER = 16;
/** The snap length writePcap declares: every frame the NIC handles fits. */
export const WRITE_SNAPLEN = 65535;
/** Wireshark's largest record (WTAP_MAX_PACKET_SIZE_STANDARD): a bigger claim is corruption, whatever the header's snap length. */
const MAX_RECORD = 262144;

const LINKTYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'LINKTYPE_NULL, BSD loopback',
  101: 'LINKTYPE_RAW, raw IP',
  105: 'LINKTYPE_IEEE802_11, Wi-Fi',
  113: 'LINKTYPE_LINUX_SLL, Linux "cooked" capture',
  127: 'LINKTYPE_IEEE802_11_RADIOTAP, Wi-Fi with radiotap',
  228: 'LINKTYPE_IPV4, raw IPv4',
  229: 'LINKTYPE_IPV6, raw IPv6',
  276: 'LINKTYPE_LINUX_SLL2, Linux "cooked" capture v2',
};

const hex32 = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

function linktypeError(linktype: number): string {
  const name = LINKTYPE_NAMES[linktype];
  const hint = linktype === 113 || linktype === 276 ? ' (tcpdump -i any writes it: capture on one interface, e.g. -i eth0)' : '';
  return `byte 20: link type ${linktype}${name ? ` (${name})` : ''} is not Ethernet (LINKTYPE_ETHERNET, 1): the NIC replays Ethernet frames only${hint}`;
}

/** Reads a classic pcap; a file cut short inside its last record keeps the complete records and says so in `note`. */
export function readPcap(bytes: Uint8Array): PcapReadResult {
  if (bytes.length < 4) return { ok: false, error: `byte 0: the file is ${bytes.length} bytes, too short for a pcap file header (24 bytes)` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic === PCAPNG_MAGIC) {
    return { ok: false, error: 'byte 0: this is a pcapng file (magic 0x0a0d0d0a), not a classic pcap: save it as pcap, e.g. editcap -F pcap in.pcapng out.pcap, or in Wireshark "Save As… Wireshark/tcpdump - pcap"' };
  }
  let little: boolean;
  if (magic === PCAP_MAGIC_MICROS || magic === PCAP_MAGIC_NANOS) little = false;
  else {
    const swapped = view.getUint32(0, true);
    if (swapped !== PCAP_MAGIC_MICROS && swapped !== PCAP_MAGIC_NANOS) {
      return { ok: false, error: `byte 0: unknown magic number ${hex32(magic)}: not a pcap file (a pcap starts with a1b2c3d4 or a1b23c4d, in either byte order)` };
    }
    little = true;
  }
  const nanos = view.getUint32(0, little) === PCAP_MAGIC_NANOS;
  if (bytes.length < FILE_HEADER) return { ok: false, error: `byte 0: file header cut short (${bytes.length} of ${FILE_HEADER} bytes)` };
  const major = view.getUint16(4, little);
  const minor = view.getUint16(6, little);
  if (major !== 2) return { ok: false, error: `byte 4: pcap version ${major}.${minor} is not supported (libpcap writes 2.4)` };
  const snaplen = view.getUint32(16, little);
  // The low 16 bits are the link type; bits 26-31 say whether frames end in an FCS, which the
  // replay would hand the program as trailing bytes (draft-ietf-opsawg-pcap §4).
  const linktype = view.getUint32(20, little) & 0xffff;
  if (linktype !== LINKTYPE_ETHERNET) return { ok: false, error: linktypeError(linktype) };
  // Some writers put 0 in the snap length; then only the sanity limit applies.
  const limit = snaplen === 0 ? MAX_RECORD : Math.min(snaplen, MAX_RECORD);
  const scale = nanos ? 1 : 1000;

  const frames: PcapRecord[] = [];
  let at = FILE_HEADER;
  let note: string | undefined;
  // Fractions of a second out of range (µs >= 1e6, ns >= 1e9): the first and how many.
  let badFraction: { record: number; at: number; frac: number } | undefined;
  let badFractions = 0;
  while (at < bytes.length) {
    const k = frames.length;
    const left = bytes.length - at;
    if (left < RECORD_HEADER) {
      // A capture cut short (a tcpdump killed mid-write) is still worth replaying, unless nothing is left of it.
      if (k === 0) return { ok: false, error: `byte ${at}: record header cut short (${left} of ${RECORD_HEADER} bytes)` };
      note = `the capture is cut short at byte ${bytes.length}: record ${k} is incomplete (its header has ${left} of ${RECORD_HEADER} bytes); ${k} records kept`;
      break;
    }
    const sec = view.getUint32(at, little);
    const frac = view.getUint32(at + 4, little);
    const caplen = view.getUint32(at + 8, little);
    const origLen = view.getUint32(at + 12, little);
    if (caplen > limit) {
      const what = snaplen === 0 || snaplen > MAX_RECORD ? `the largest record a capture can hold (${MAX_RECORD})` : `the snap length ${snaplen}`;
      return { ok: false, error: `byte ${at + 8}: record ${k} claims ${caplen} captured bytes, more than ${what}` };
    }
    if (left - RECORD_HEADER < caplen) {
      if (k === 0) return { ok: false, error: `byte ${at + RECORD_HEADER}: record 0 data cut short (${left - RECORD_HEADER} of ${caplen} bytes)` };
      note = `the capture is cut short at byte ${bytes.length}: record ${k} is incomplete (${left - RECORD_HEADER} of ${caplen} bytes); ${k} records kept`;
      break;
    }
    // A fraction of a full second or more: libpcap hands it on as it is and Wireshark adds it to
    // the seconds; so does this reader (the whole seconds carried over), and the note says so.
    const fracNs = frac * scale;
    if (fracNs >= 1e9) {
      badFraction ??= { record: k, at: at + 4, frac };
      badFractions++;
    }
    const carry = Math.floor(fracNs / 1e9);
    const tsSec = sec + carry;
    const tsNsec = fracNs - carry * 1e9;
    frames.push({
      // Present-day times are about 1.7e18 ns, past 2^53: the double rounds them (to 256 ns); tsSec/tsNsec stay exact.
      tsNs: tsSec * 1e9 + tsNsec,
      tsSec,
      tsNsec,
      data: bytes.subarray(at + RECORD_HEADER, at + RECORD_HEADER + caplen),
      origLen,
    });
    at += RECORD_HEADER + caplen;
  }
  if (badFraction) {
    const unit = nanos ? 'nanoseconds' : 'microseconds';
    const more = badFractions > 1 ? ` (and ${badFractions - 1} more record${badFractions === 2 ? '' : 's'} like it)` : '';
    const fracNote =
      `record ${badFraction.record} (byte ${badFraction.at}): its ${unit} field is ${badFraction.frac}, a second or more (the field counts up to ${nanos ? '999,999,999' : '999,999'})${more}; ` +
      `the time is read as the seconds plus that fraction, as libpcap hands it on${nanos ? ' and Wireshark reads it' : '; Wireshark may take such a file for another pcap variant'}: the capture may be damaged`;
    note = note === undefined ? fracNote : `${note}; ${fracNote}`;
  }
  return { ok: true, linktype, nanos, snaplen, frames, ...(note !== undefined ? { note } : {}) };
}

/** Whole seconds and nanoseconds of a time in ns (negative and fractional times go to the nearest ns, from 0). */
function splitNs(tsNs: number): [number, number] {
  const ns = Number.isFinite(tsNs) && tsNs > 0 ? Math.round(tsNs) : 0;
  if (ns <= Number.MAX_SAFE_INTEGER) {
    const sec = Math.floor(ns / 1e9);
    return [sec, ns - sec * 1e9];
  }
  // Beyond 2^53 the double is still an integer, but the subtraction above would round: split exactly.
  const big = BigInt(ns);
  return [Number(big / 1_000_000_000n), Number(big % 1_000_000_000n)];
}

/**
 * A nanosecond pcap (magic a1b23c4d, little-endian, version 2.4, snap length 65535, Ethernet).
 * Data beyond the snap length is cut, its original length kept; seconds past 2^32 (the year
 * 2106) wrap, as the format's 32-bit field does.
 */
export function writePcap(records: readonly PcapWriteRecord[]): Uint8Array {
  let size = FILE_HEADER;
  for (const r of records) size += RECORD_HEADER + Math.min(r.data.length, WRITE_SNAPLEN);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, PCAP_MAGIC_NANOS, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  // Bytes 8-15: thiszone and sigfigs, always 0.
  view.setUint32(16, WRITE_SNAPLEN, true);
  view.setUint32(20, LINKTYPE_ETHERNET, true);
  let at = FILE_HEADER;
  for (const r of records) {
    const [sec, nsec] = splitNs(r.tsNs);
    const caplen = Math.min(r.data.length, WRITE_SNAPLEN);
    view.setUint32(at, sec >>> 0, true);
    view.setUint32(at + 4, nsec, true);
    view.setUint32(at + 8, caplen, true);
    view.setUint32(at + 12, Math.max(r.origLen ?? r.data.length, caplen) >>> 0, true);
    out.set(caplen === r.data.length ? r.data : r.data.subarray(0, caplen), at + RECORD_HEADER);
    at += RECORD_HEADER + caplen;
  }
  return out;
}

/** The first frame of a capture whose times exceed 2^53 ns arrives this long after boot, as generated traffic does. */
const REPLAY_START_NS = 1e9;

function isoTime(sec: number, nsec: number): string {
  return `${new Date(sec * 1000).toISOString().slice(0, 19)}.${String(nsec).padStart(9, '0')}Z`;
}

/**
 * A capture replayed on the NIC, frame by frame in file order (flow -1). `error` is set, and
 * `total` is 0, when the bytes are not a replayable pcap. Frames longer than MAX_FRAME are cut
 * to it; frames shorter than an Ethernet header are given as they are (the NIC and the program
 * see them). Times: the file's own, in ns, when they fit a double exactly (below 2^53 ns, as in
 * the playground's own exports, whose clock starts at boot); otherwise — any present-day capture —
 * shifted so that the first frame arrives 1 s after boot and the others at their exact offsets
 * from it (a double would round present-day ns times to 256 ns). `note` says what was cut or shifted.
 */
export class PcapSource implements FrameSource {
  readonly total: number;
  readonly error?: string;
  readonly note?: string;
  private readonly frames: readonly Uint8Array[];
  private readonly times: Float64Array;
  private i = 0;

  constructor(bytes: Uint8Array) {
    const read = readPcap(bytes);
    if (!read.ok) {
      this.error = read.error;
      this.total = 0;
      this.frames = [];
      this.times = new Float64Array(0);
      return;
    }
    const records = read.frames;
    const notes: string[] = [];
    if (read.note !== undefined) notes.push(read.note);
    let cut = 0;
    let firstCut = -1;
    let snapped = 0;
    let runts = 0;
    this.frames = records.map((r, k) => {
      if (r.data.length < r.origLen) snapped++;
      if (r.data.length < 14) runts++;
      if (r.data.length <= MAX_FRAME) return r.data;
      if (cut++ === 0) firstCut = k;
      return r.data.subarray(0, MAX_FRAME);
    });
    if (cut > 0) notes.push(`${cut} frame${cut === 1 ? '' : 's'} longer than ${MAX_FRAME} bytes cut to ${MAX_FRAME} (the first: record ${firstCut}, ${records[firstCut].data.length} bytes)`);
    if (snapped > 0) notes.push(`${snapped} frame${snapped === 1 ? ' was' : 's were'} captured short of ${snapped === 1 ? 'its' : 'their'} length on the wire (snap length ${read.snaplen})`);
    if (runts > 0) notes.push(`${runts} frame${runts === 1 ? ' is' : 's are'} shorter than an Ethernet header (14 bytes)`);

    this.times = new Float64Array(records.length);
    const exact = records.every((r) => r.tsNs <= Number.MAX_SAFE_INTEGER);
    if (exact) records.forEach((r, k) => (this.times[k] = r.tsNs));
    else {
      const first = records[0];
      // Differences of whole seconds and of nanoseconds stay exact for captures spanning under 104 days;
      // a frame stamped well before the first (out of order) is held at 0.
      records.forEach((r, k) => (this.times[k] = Math.max(0, REPLAY_START_NS + (r.tsSec - first.tsSec) * 1e9 + (r.tsNsec - first.tsNsec))));
      notes.push(`timestamps shifted to the virtual clock: the capture's first frame (${isoTime(first.tsSec, first.tsNsec)}) arrives 1 s after boot`);
    }
    this.total = records.length;
    if (notes.length > 0) this.note = notes.join('; ');
  }

  next(out: Frame): boolean {
    const i = this.i;
    if (i >= this.total) return false;
    this.i = i + 1;
    const data = this.frames[i];
    out.bytes.set(data);
    out.length = data.length;
    out.index = i;
    out.flow = -1;
    out.tsNs = this.times[i];
    return true;
  }
}
