// The traffic generator: the frames of a traffic profile, flow by weight and size by the flow's
// rule drawn from one seeded PRNG, on a virtual clock that ticks 1e9 / rate_pps ns per packet.
// It runs at millions of frames per second, so each flow's frame is built once as a template
// and every packet copies it and patches lengths, counters and checksums from precomputed sums.

import type { Frame, FrameSource } from './frames.ts';
import { buildFrameLayout, type L4Spec } from './packet/build.ts';
import { onesSum, pseudoHeaderSum } from './packet/checksum.ts';
import { IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP } from './packet/protocols.ts';
import { MAX_FRAME, MIN_FRAME, type Flow, type TrafficProfile } from './profile.ts';
import { Xoshiro128, splitmix32 } from './rng.ts';
import { SpanViews } from '../util/span-views.ts';
import { copyBytes } from '../util/typed-set.ts';

/**
 * TCP flags of a flow without `tcpFlags`: ACK alone, as in the data segments of an established
 * connection (the bulk of real TCP traffic); a SYN would not carry the payload these frames do.
 */
export const DEFAULT_TCP_FLAGS = 0x10;

/** The simple IMIX: 64, 576 and 1500-byte frames in the proportions 7:4:1. */
const IMIX_SMALL = 64;
const IMIX_MEDIUM = 576;
const IMIX_LARGE = 1500;

const SIZE_FIXED = 0;
const SIZE_RANGE = 1;
const SIZE_IMIX = 2;

const L4_UDP = 0;
const L4_TCP = 1;
const L4_ICMP = 2;

/** The first payload bytes carry the frame index (big-endian 32 bits) when the payload has room. */
const SEQUENCE_BYTES = 4;

/** One flow's frame at its largest size, and the sums that let each packet's checksums be finished in O(1). */
interface FlowTemplate {
  readonly bytes: Uint8Array;
  readonly sizeKind: number;
  /** Fixed size, or the range's bounds (already clamped to the frame limits and the header). */
  readonly sizeMin: number;
  readonly sizeSpan: number;
  readonly ipv6: boolean;
  readonly l4Kind: number;
  readonly l3: number;
  readonly l4: number;
  /** Where the payload starts: the header length, the smallest frame of the flow. */
  readonly payload: number;
  /** Unfolded sum of the IPv4 header with total length, id and checksum as zero. */
  readonly ipSum: number;
  /** Unfolded sum of the L4 header with its length, counters and checksum as zero, plus the pseudo-header without its length. */
  readonly l4Sum: number;
  /** The upper-layer length enters the checksum (pseudo-header: UDP, TCP, ICMPv6; not ICMPv4, RFC 792). */
  readonly pseudoLength: boolean;
  /** prefix[k]: unfolded sum of the template's first k payload bytes (its first SEQUENCE_BYTES are zero). */
  readonly prefix: Uint32Array;
  /** Views of `bytes` by length. */
  readonly views: SpanViews;
  /** Per-flow counters, advanced by each of the flow's packets. */
  ipId: number;
  tcpSeq: number;
  icmpSeq: number;
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 8;
  b[at + 1] = v & 0xff;
}

/** A frame length within the Ethernet limits (a validated profile is already within them). */
function clampSize(size: number): number {
  const n = Math.trunc(size);
  return n < MIN_FRAME ? MIN_FRAME : n > MAX_FRAME ? MAX_FRAME : n;
}

/** The frame header (Ethernet, tag, IP, L4) of a flow, in bytes. */
function headerLength(flow: Flow): number {
  return 14 + (flow.vlan !== undefined ? 4 : 0) + (flow.ipv6 ? 40 : 20) + (flow.proto === 'tcp' ? 20 : 8);
}

/** Small per-flow starting values (IPv4 id, TCP sequence and acknowledgment numbers) that depend on the seed. */
function flowSalt(seed: number, flowIndex: number, n: number): number {
  return splitmix32((seed ^ Math.imul(flowIndex + 1, 0x2545f491) ^ Math.imul(n + 1, 0x68e31da4)) >>> 0)[0];
}

function buildTemplate(flow: Flow, flowIndex: number, seed: number): FlowTemplate {
  const header = headerLength(flow);
  // A frame cannot be shorter than its headers: a size below the header length (IPv6 + 802.1Q
  // + TCP is 78 bytes) gives frames of exactly the header length, with no payload.
  let sizeKind: number;
  let sizeMin: number;
  let sizeMax: number;
  if (flow.size === 'imix') {
    sizeKind = SIZE_IMIX;
    sizeMin = Math.max(IMIX_SMALL, header);
    sizeMax = Math.max(IMIX_LARGE, header);
  } else if (typeof flow.size === 'number') {
    sizeKind = SIZE_FIXED;
    sizeMin = sizeMax = Math.max(clampSize(flow.size), header);
  } else {
    // Drawn over the whole range; a draw below the header length gives a header-only frame.
    sizeKind = SIZE_RANGE;
    const a = clampSize(flow.size[0]);
    const b = clampSize(flow.size[1]);
    sizeMin = Math.min(a, b);
    sizeMax = Math.max(a, b);
  }

  const payload = new Uint8Array(Math.max(sizeMax, header) - header);
  for (let k = SEQUENCE_BYTES; k < payload.length; k++) payload[k] = k & 0xff;
  const flags = flow.tcpFlags ?? DEFAULT_TCP_FLAGS;
  let l4: L4Spec;
  if (flow.proto === 'udp') l4 = { proto: 'udp', sport: flow.sport, dport: flow.dport };
  // ACK numbers only mean something with the ACK flag (RFC 9293 §3.1).
  else if (flow.proto === 'tcp') l4 = { proto: 'tcp', sport: flow.sport, dport: flow.dport, flags, ack: flags & 0x10 ? flowSalt(seed, flowIndex, 2) : 0 };
  // ICMP echo has no ports: the identifier is the flow's source port, as ping uses its own id.
  else l4 = { proto: 'icmp', id: flow.sport & 0xffff };
  const built = buildFrameLayout({
    eth: { src: flow.srcMac, dst: flow.dstMac, ...(flow.vlan !== undefined ? { vlan: { id: flow.vlan } } : {}) },
    ip: flow.ipv6 ? { version: 6, src: flow.src, dst: flow.dst } : { version: 4, src: flow.src, dst: flow.dst },
    l4,
    payload,
    minLength: 0,
  });
  const bytes = built.bytes;
  const l3 = built.l3Offset;
  const l4At = built.l4Offset;
  if (built.payloadOffset !== header) throw new Error(`flow ${flowIndex}: header of ${built.payloadOffset} bytes, expected ${header}`);

  // Zero everything each packet rewrites, so that the sums below leave them out.
  const l4Kind = flow.proto === 'udp' ? L4_UDP : flow.proto === 'tcp' ? L4_TCP : L4_ICMP;
  let ipSum = 0;
  if (flow.ipv6) put16(bytes, l3 + 4, 0);
  else {
    put16(bytes, l3 + 2, 0);
    put16(bytes, l3 + 4, 0);
    put16(bytes, l3 + 10, 0);
    ipSum = onesSum(bytes, l3, l3 + 20);
  }
  if (l4Kind === L4_UDP) {
    put16(bytes, l4At + 4, 0);
    put16(bytes, l4At + 6, 0);
  } else if (l4Kind === L4_TCP) {
    bytes.fill(0, l4At + 4, l4At + 8);
    put16(bytes, l4At + 16, 0);
  } else {
    put16(bytes, l4At + 2, 0);
    put16(bytes, l4At + 6, 0);
  }
  const pseudoLength = flow.ipv6 || l4Kind !== L4_ICMP;
  const protocol = l4Kind === L4_UDP ? IPPROTO_UDP : l4Kind === L4_TCP ? IPPROTO_TCP : IPPROTO_ICMPV6;
  const pseudo = pseudoLength ? pseudoHeaderSum(bytes, l3 + (flow.ipv6 ? 8 : 12), l3 + (flow.ipv6 ? 24 : 16), flow.ipv6 ? 16 : 4, protocol, 0) : 0;
  const l4Sum = onesSum(bytes, l4At, header, pseudo);

  // The payload starts an even number of bytes into the L4 message (8 or 20), so its bytes fall
  // in the same halves of the checksum's 16-bit words as they do counted from the payload's start.
  const prefix = new Uint32Array(payload.length + 1);
  for (let k = 0; k < payload.length; k++) prefix[k + 1] = prefix[k] + (k % 2 === 0 ? bytes[header + k] << 8 : bytes[header + k]);

  return {
    bytes,
    sizeKind,
    sizeMin,
    sizeSpan: sizeMax - sizeMin + 1,
    ipv6: flow.ipv6,
    l4Kind,
    l3,
    l4: l4At,
    payload: header,
    ipSum,
    l4Sum,
    pseudoLength,
    prefix,
    views: new SpanViews(),
    ipId: flowSalt(seed, flowIndex, 0) & 0xffff,
    tcpSeq: flowSalt(seed, flowIndex, 1),
    icmpSeq: 0,
  };
}

/** The checksum field of an unfolded sum below 2^31 (two folds bring it to 16 bits). */
function finish(sum: number): number {
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * The first k with x < cumulative[k] (the last index when there is none), for x in [0, total).
 * It starts where equal weights would put x and walks from there: the answer of a binary
 * search, in one or two steps for even weights (the usual profile), where the search's
 * unpredictable branches cost more than the rest of the frame.
 */
export function weightedIndex(cumulative: Float64Array, total: number, x: number, scale = cumulative.length / total): number {
  const last = cumulative.length - 1;
  // (The start only has to be near: the walks below end at the same k from anywhere.)
  let k = Math.floor(x * scale);
  if (k > last) k = last;
  else if (k < 0) k = 0;
  while (k > 0 && x < (cumulative[k - 1] ?? 0)) k--;
  while (k < last && x >= (cumulative[k] ?? 0)) k++;
  return k;
}

/**
 * Frames of a traffic profile, frame i arriving at 1e9 + round(i * 1e9 / rate_pps) virtual ns
 * (one second after boot, then the packet rate). Per packet, one PRNG draw picks the flow by
 * weight (none with a single flow), then one more picks the size for a range or IMIX flow.
 *
 * What varies per packet, checksums kept right: the IPv4 identification (a per-flow counter), the
 * TCP sequence number (advancing by the payload length), the ICMP echo sequence number, and the
 * frame index in the first 4 payload bytes. Addresses and ports never change within a flow, so
 * its RSS hash does not either. The same profile and seed always give the same bytes.
 */
export class TrafficGenerator implements FrameSource {
  readonly total: number;
  readonly error?: string;
  private readonly templates: FlowTemplate[] = [];
  /** Cumulative weights: flow k is chosen when a draw in [0, total weight) falls below cumulative[k]. */
  private readonly cumulative: Float64Array;
  private readonly totalWeight: number;
  private readonly rng: Xoshiro128;
  private readonly ratePps: number;
  /** 1e9 / ratePps when that is a whole number of ns: i * step is then exactly i * 1e9 / ratePps, without a division per packet. */
  private readonly step: number;
  /** Flows per unit of weight (where equal weights would put a draw), for weightedIndex. */
  private readonly scale: number;
  private i = 0;

  constructor(profile: TrafficProfile) {
    this.rng = new Xoshiro128(profile.seed);
    this.ratePps = profile.ratePps;
    this.cumulative = new Float64Array(profile.flows.length);
    let sum = 0;
    profile.flows.forEach((flow, k) => {
      sum += Number.isFinite(flow.weight) && flow.weight > 0 ? flow.weight : 0;
      this.cumulative[k] = sum;
    });
    this.totalWeight = sum;
    this.scale = sum > 0 ? profile.flows.length / sum : 0;
    this.step = Number.isInteger(1e9 / profile.ratePps) ? 1e9 / profile.ratePps : 0;
    let error: string | undefined;
    if (sum <= 0) error = 'the traffic profile has no flow with a positive weight';
    else if (!(profile.ratePps > 0)) error = `the packet rate must be positive, not ${profile.ratePps}`;
    else {
      try {
        profile.flows.forEach((flow, k) => this.templates.push(buildTemplate(flow, k, profile.seed)));
      } catch (e) {
        error = `cannot build the frames of the traffic profile: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    if (error !== undefined) this.error = error;
    this.total = error === undefined ? Math.max(0, Math.trunc(profile.packets)) : 0;
  }

  private pickFlow(): number {
    const cumulative = this.cumulative;
    if (cumulative.length === 1) return 0;
    return weightedIndex(cumulative, this.totalWeight, this.rng.nextFloat() * this.totalWeight, this.scale);
  }

  next(out: Frame): boolean {
    const i = this.i;
    if (i >= this.total) return false;
    this.i = i + 1;
    const flow = this.pickFlow();
    const t = this.templates[flow];
    let length: number;
    if (t.sizeKind === SIZE_FIXED) length = t.sizeMin;
    else {
      if (t.sizeKind === SIZE_RANGE) length = t.sizeMin + this.rng.below(t.sizeSpan);
      else {
        const r = this.rng.below(12);
        length = r < 7 ? IMIX_SMALL : r < 11 ? IMIX_MEDIUM : IMIX_LARGE;
      }
      if (length < t.payload) length = t.payload;
    }

    const b = out.bytes;
    // The template up to `length` (a remembered view: IMIX frames would otherwise copy 1500 bytes for 64).
    copyBytes(b, length === t.bytes.length ? t.bytes : t.views.of(t.bytes, 0, length));
    const l3 = t.l3;
    const l4 = t.l4;
    if (t.ipv6) put16(b, l3 + 4, length - l3 - 40);
    else {
      const id = t.ipId;
      t.ipId = (id + 1) & 0xffff;
      const ipLength = length - l3;
      put16(b, l3 + 2, ipLength);
      put16(b, l3 + 4, id);
      put16(b, l3 + 10, finish(t.ipSum + ipLength + id));
    }

    const payloadLength = length - t.payload;
    const l4Length = length - l4;
    let sum = t.l4Sum + t.prefix[payloadLength];
    if (t.pseudoLength) sum += l4Length;
    if (payloadLength >= SEQUENCE_BYTES) {
      const at = t.payload;
      b[at] = i >>> 24;
      b[at + 1] = (i >>> 16) & 0xff;
      b[at + 2] = (i >>> 8) & 0xff;
      b[at + 3] = i & 0xff;
      sum += (i >>> 16) + (i & 0xffff);
    }
    if (t.l4Kind === L4_UDP) {
      put16(b, l4 + 4, l4Length);
      // RFC 768: a computed 0 is sent as 0xffff (0 means "no checksum").
      const c = finish(sum + l4Length);
      put16(b, l4 + 6, c === 0 ? 0xffff : c);
    } else if (t.l4Kind === L4_TCP) {
      const seq = t.tcpSeq;
      t.tcpSeq = (seq + payloadLength) >>> 0;
      put16(b, l4 + 4, seq >>> 16);
      put16(b, l4 + 6, seq & 0xffff);
      put16(b, l4 + 16, finish(sum + (seq >>> 16) + (seq & 0xffff)));
    } else {
      const seq = t.icmpSeq;
      t.icmpSeq = (seq + 1) & 0xffff;
      put16(b, l4 + 6, seq);
      put16(b, l4 + 2, finish(sum + seq));
    }

    out.length = length;
    out.index = i;
    out.flow = flow;
    out.tsNs = 1e9 + (this.step > 0 ? i * this.step : Math.round((i * 1e9) / this.ratePps));
    return true;
  }
}

/** A generated frame, copied out of the generator's buffer. */
export interface GeneratedFrame {
  readonly bytes: Uint8Array;
  readonly tsNs: number;
  readonly flow: number;
}

/**
 * The first `count` frames of a profile (default: all of its packets), each copied — for tests
 * and the command line, not for the per-packet path. Throws when the profile cannot give frames.
 */
export function generateFrames(profile: TrafficProfile, count = profile.packets): GeneratedFrame[] {
  const source = new TrafficGenerator({ ...profile, packets: count });
  if (source.error !== undefined) throw new Error(source.error);
  const frame: Frame = { bytes: new Uint8Array(MAX_FRAME), length: 0, index: 0, flow: 0, tsNs: 0 };
  const frames: GeneratedFrame[] = [];
  while (source.next(frame)) frames.push({ bytes: frame.bytes.slice(0, frame.length), tsNs: frame.tsNs, flow: frame.flow });
  return frames;
}
