// Frame builder: Ethernet II with an optional 802.1Q tag, IPv4 (with options) or IPv6 (with
// extension headers), then UDP, TCP, ICMP/ICMPv6 echo or a raw protocol, and a payload — with
// every length and checksum filled in as a sender would. Tests, the packet panel and the traffic
// generator's templates use it; it trusts its input and throws on impossible specs.

import { parseIp, parseMac } from './addr.ts';
import { internetChecksum, pseudoHeaderSum, udpWireChecksum } from './checksum.ts';
import {
  ETH_HEADER, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_VLAN, ICMP_HEADER, IPPROTO_DSTOPTS, IPPROTO_FRAGMENT, IPPROTO_HOPOPTS, IPPROTO_ICMP,
  IPPROTO_ICMPV6, IPPROTO_ROUTING, IPPROTO_TCP, IPPROTO_UDP, IPV4_HEADER, IPV6_HEADER, TCP_HEADER, UDP_HEADER, VLAN_TAG, ipv6FinalDestination,
} from './protocols.ts';

/** An address as text or as its bytes. */
export type AddressInput = string | Uint8Array;

export interface VlanTag {
  /** VLAN identifier, 0-4095 (0: priority tag only). */
  readonly id: number;
  readonly pcp?: number;
  readonly dei?: boolean;
}

export interface EthernetSpec {
  readonly src: AddressInput;
  readonly dst: AddressInput;
  readonly vlan?: VlanTag;
  /** EtherType when there is no IP layer (default: IPv4 or IPv6 from the IP layer). */
  readonly type?: number;
}

export interface Ipv4Spec {
  readonly version: 4;
  readonly src: AddressInput;
  readonly dst: AddressInput;
  readonly ttl?: number;
  readonly dscp?: number;
  readonly ecn?: number;
  readonly id?: number;
  /** Don't Fragment (default true, as Linux sets it with path MTU discovery). */
  readonly dontFragment?: boolean;
  readonly moreFragments?: boolean;
  /** Fragment offset in 8-byte units. */
  readonly fragmentOffset?: number;
  /** Option bytes (see IPV4_OPTION_NOP, ipv4RouterAlert); padded with End of Options to 4-byte words, 40 at most. */
  readonly options?: Uint8Array;
  /** Protocol number when the L4 layer is raw (default: from the L4 layer). */
  readonly protocol?: number;
  /** Header checksum to write instead of the correct one (to build bad frames). */
  readonly checksum?: number;
}

export type Ipv6Extension =
  | { readonly type: 'hop-by-hop' | 'destination'; readonly options?: Uint8Array }
  /** `data` follows the first 4 bytes (type 0 and 2: 4 reserved bytes, then addresses); padded to 8-byte units. */
  | { readonly type: 'routing'; readonly routingType: number; readonly segmentsLeft: number; readonly data?: Uint8Array }
  /** `offset` in 8-byte units. */
  | { readonly type: 'fragment'; readonly offset: number; readonly more: boolean; readonly id: number };

export interface Ipv6Spec {
  readonly version: 6;
  readonly src: AddressInput;
  readonly dst: AddressInput;
  readonly hopLimit?: number;
  readonly trafficClass?: number;
  readonly flowLabel?: number;
  readonly extensions?: readonly Ipv6Extension[];
  /** Next header after the extensions when the L4 layer is raw. */
  readonly protocol?: number;
}

export type L4Spec =
  | { readonly proto: 'udp'; readonly sport: number; readonly dport: number; readonly checksum?: number }
  | {
      readonly proto: 'tcp';
      readonly sport: number;
      readonly dport: number;
      readonly seq?: number;
      readonly ack?: number;
      /** The 8 flag bits CWR ECE URG ACK PSH RST SYN FIN (default ACK). */
      readonly flags?: number;
      readonly window?: number;
      readonly urgent?: number;
      /** Option bytes, padded with End of Option List to 4-byte words, 40 at most. */
      readonly options?: Uint8Array;
      readonly checksum?: number;
    }
  /** ICMP over IPv4, ICMPv6 over IPv6; the default type is the echo request (8 or 128). */
  | { readonly proto: 'icmp'; readonly type?: number; readonly code?: number; readonly id?: number; readonly seq?: number; readonly checksum?: number }
  /** No L4 header: the payload follows the IP headers. */
  | { readonly proto: 'raw' };

export interface FrameSpec {
  readonly eth: EthernetSpec;
  readonly ip?: Ipv4Spec | Ipv6Spec;
  readonly l4?: L4Spec;
  readonly payload?: Uint8Array;
  /** Zero padding up to this length, as a sender pads runt frames (default 60: the Ethernet minimum without FCS). */
  readonly minLength?: number;
}

/** A built frame and where its layers start (offsets are -1 for absent layers). */
export interface BuiltFrame {
  readonly bytes: Uint8Array;
  readonly l3Offset: number;
  readonly l4Offset: number;
  readonly payloadOffset: number;
  /** End of the IP packet (before any Ethernet padding). */
  readonly end: number;
}

export const IPV4_OPTION_END = 0;
export const IPV4_OPTION_NOP = 1;

/** The Router Alert option (RFC 2113): type 148, length 4, value 0 ("examine this packet"). */
export function ipv4RouterAlert(): Uint8Array {
  return Uint8Array.from([148, 4, 0, 0]);
}

/** The TCP Maximum Segment Size option (RFC 9293 §3.2, kind 2). */
export function tcpMssOption(mss: number): Uint8Array {
  return Uint8Array.from([2, 4, mss >> 8, mss & 0xff]);
}

const EXTENSION_NUMBERS = { 'hop-by-hop': IPPROTO_HOPOPTS, routing: IPPROTO_ROUTING, fragment: IPPROTO_FRAGMENT, destination: IPPROTO_DSTOPTS } as const;

function address(input: AddressInput, length: 4 | 6 | 16, what: string): Uint8Array {
  const bytes = typeof input === 'string' ? (length === 6 ? parseMac(input) : parseIp(input)) : input;
  if (bytes === null || bytes.length !== length) throw new Error(`${what}: '${String(input)}' is not a ${length}-byte address`);
  return bytes;
}

function padTo(bytes: Uint8Array, unit: number, max: number, what: string): Uint8Array {
  const length = Math.ceil(bytes.length / unit) * unit;
  if (length > max) throw new Error(`${what}: ${bytes.length} bytes of options, more than ${max}`);
  const out = new Uint8Array(length);
  out.set(bytes);
  return out;
}

/** Hop-by-Hop / Destination options padded to 8-byte units with Pad1 or PadN (RFC 8200 §4.2). */
function ipv6OptionsBody(options: Uint8Array): Uint8Array {
  const length = Math.ceil((options.length + 2) / 8) * 8 - 2;
  const out = new Uint8Array(length);
  out.set(options);
  const pad = length - options.length;
  if (pad === 1) out[options.length] = 0;
  else if (pad > 1) {
    out[options.length] = 1;
    out[options.length + 1] = pad - 2;
  }
  return out;
}

/** An extension header's bytes after its Next Header byte. */
function extensionBody(ext: Ipv6Extension): Uint8Array {
  switch (ext.type) {
    case 'hop-by-hop':
    case 'destination': {
      const body = ipv6OptionsBody(ext.options ?? new Uint8Array(0));
      return Uint8Array.from([(body.length + 2) / 8 - 1, ...body]);
    }
    case 'routing': {
      const data = ext.data ?? new Uint8Array(4);
      const total = Math.ceil((4 + data.length) / 8) * 8;
      const out = new Uint8Array(total - 1);
      out[0] = total / 8 - 1;
      out[1] = ext.routingType;
      out[2] = ext.segmentsLeft;
      out.set(data, 3);
      return out;
    }
    case 'fragment': {
      const word = (ext.offset << 3) | (ext.more ? 1 : 0);
      return Uint8Array.from([0, word >> 8, word & 0xff, ext.id >>> 24, (ext.id >>> 16) & 0xff, (ext.id >>> 8) & 0xff, ext.id & 0xff]);
    }
  }
}

function l4Protocol(l4: L4Spec | undefined, ip: Ipv4Spec | Ipv6Spec): number {
  switch (l4?.proto) {
    case 'udp':
      return IPPROTO_UDP;
    case 'tcp':
      return IPPROTO_TCP;
    case 'icmp':
      return ip.version === 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
    default:
      if (ip.protocol === undefined) throw new Error('a raw IP packet needs ip.protocol');
      return ip.protocol;
  }
}

function l4HeaderLength(l4: L4Spec | undefined): number {
  switch (l4?.proto) {
    case 'udp':
      return UDP_HEADER;
    case 'tcp':
      return TCP_HEADER + padTo(l4.options ?? new Uint8Array(0), 4, 40, 'TCP').length;
    case 'icmp':
      return ICMP_HEADER;
    default:
      return 0;
  }
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

function put32(b: Uint8Array, at: number, v: number): void {
  put16(b, at, v >>> 16);
  put16(b, at + 2, v & 0xffff);
}

/** Builds a frame and reports where its layers start. */
export function buildFrameLayout(spec: FrameSpec): BuiltFrame {
  const { eth, ip, l4 } = spec;
  const payload = spec.payload ?? new Uint8Array(0);
  const l2 = ETH_HEADER + (eth.vlan ? VLAN_TAG : 0);
  const ipv4Options = ip?.version === 4 ? padTo(ip.options ?? new Uint8Array(0), 4, 40, 'IPv4') : new Uint8Array(0);
  const extensions = ip?.version === 6 ? (ip.extensions ?? []).map(extensionBody) : [];
  const l3Length = ip === undefined ? 0 : ip.version === 4 ? IPV4_HEADER + ipv4Options.length : IPV6_HEADER + extensions.reduce((n, e) => n + 1 + e.length, 0);
  const l4Length = ip === undefined ? 0 : l4HeaderLength(l4);
  const end = l2 + l3Length + l4Length + payload.length;
  const bytes = new Uint8Array(Math.max(end, spec.minLength ?? 60));

  bytes.set(address(eth.dst, 6, 'eth.dst'), 0);
  bytes.set(address(eth.src, 6, 'eth.src'), 6);
  const type = ip === undefined ? (eth.type ?? 0) : ip.version === 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
  if (eth.vlan) {
    put16(bytes, 12, ETHERTYPE_VLAN);
    put16(bytes, 14, ((eth.vlan.pcp ?? 0) << 13) | (eth.vlan.dei ? 0x1000 : 0) | (eth.vlan.id & 0x0fff));
  }
  put16(bytes, l2 - 2, type);
  if (ip === undefined) {
    bytes.set(payload, l2);
    return { bytes, l3Offset: -1, l4Offset: -1, payloadOffset: l2, end };
  }

  const l3 = l2;
  const l4Offset = l3 + l3Length;
  const protocol = l4Protocol(l4, ip);
  const addrLength = ip.version === 4 ? 4 : 16;
  bytes.set(address(ip.src, addrLength, 'ip.src'), l3 + (ip.version === 4 ? 12 : 8));
  bytes.set(address(ip.dst, addrLength, 'ip.dst'), l3 + (ip.version === 4 ? 16 : 24));
  let dstOffset = l3 + (ip.version === 4 ? 16 : 24);
  if (ip.version === 4) {
    bytes[l3] = 0x40 | (l3Length / 4);
    bytes[l3 + 1] = ((ip.dscp ?? 0) << 2) | (ip.ecn ?? 0);
    put16(bytes, l3 + 2, end - l3);
    put16(bytes, l3 + 4, ip.id ?? 0);
    put16(bytes, l3 + 6, ((ip.dontFragment ?? true) ? 0x4000 : 0) | (ip.moreFragments ? 0x2000 : 0) | ((ip.fragmentOffset ?? 0) & 0x1fff));
    bytes[l3 + 8] = ip.ttl ?? 64;
    bytes[l3 + 9] = protocol;
    bytes.set(ipv4Options, l3 + IPV4_HEADER);
    put16(bytes, l3 + 10, ip.checksum ?? internetChecksum(bytes, l3, l4Offset));
  } else {
    put32(bytes, l3, (6 << 28) | ((ip.trafficClass ?? 0) << 20) | ((ip.flowLabel ?? 0) & 0xfffff));
    put16(bytes, l3 + 4, end - l3 - IPV6_HEADER);
    bytes[l3 + 7] = ip.hopLimit ?? 64;
    const exts = ip.extensions ?? [];
    let at = l3 + IPV6_HEADER;
    let nextField = l3 + 6;
    exts.forEach((ext, i) => {
      bytes[nextField] = EXTENSION_NUMBERS[ext.type];
      nextField = at;
      bytes.set(extensions[i], at + 1);
      const extEnd = at + 1 + extensions[i].length;
      if (ext.type === 'routing') dstOffset = ipv6FinalDestination(bytes, at, extEnd, dstOffset);
      at = extEnd;
    });
    bytes[nextField] = protocol;
  }

  const payloadOffset = l4Offset + l4Length;
  bytes.set(payload, payloadOffset);
  if (l4 === undefined || l4.proto === 'raw') return { bytes, l3Offset: l3, l4Offset, payloadOffset, end };
  const srcOffset = l3 + (ip.version === 4 ? 12 : 8);
  // ICMPv4 covers only its message (RFC 792); UDP, TCP and ICMPv6 add the pseudo-header.
  const pseudo = protocol === IPPROTO_ICMP || dstOffset < 0 ? 0 : pseudoHeaderSum(bytes, srcOffset, dstOffset, addrLength, protocol, end - l4Offset);
  let fieldAt: number;
  let given: number | undefined;
  switch (l4.proto) {
    case 'udp':
      put16(bytes, l4Offset, l4.sport);
      put16(bytes, l4Offset + 2, l4.dport);
      put16(bytes, l4Offset + 4, end - l4Offset);
      fieldAt = l4Offset + 6;
      given = l4.checksum;
      break;
    case 'tcp': {
      put16(bytes, l4Offset, l4.sport);
      put16(bytes, l4Offset + 2, l4.dport);
      put32(bytes, l4Offset + 4, l4.seq ?? 0);
      put32(bytes, l4Offset + 8, l4.ack ?? 0);
      bytes[l4Offset + 12] = (l4Length / 4) << 4;
      bytes[l4Offset + 13] = l4.flags ?? 0x10;
      put16(bytes, l4Offset + 14, l4.window ?? 65535);
      put16(bytes, l4Offset + 18, l4.urgent ?? 0);
      bytes.set(padTo(l4.options ?? new Uint8Array(0), 4, 40, 'TCP'), l4Offset + TCP_HEADER);
      fieldAt = l4Offset + 16;
      given = l4.checksum;
      break;
    }
    case 'icmp':
      bytes[l4Offset] = l4.type ?? (ip.version === 4 ? 8 : 128);
      bytes[l4Offset + 1] = l4.code ?? 0;
      put16(bytes, l4Offset + 4, l4.id ?? 0);
      put16(bytes, l4Offset + 6, l4.seq ?? 0);
      fieldAt = l4Offset + 2;
      given = l4.checksum;
      break;
  }
  const sum = internetChecksum(bytes, l4Offset, end, pseudo);
  put16(bytes, fieldAt, given ?? (l4.proto === 'udp' ? udpWireChecksum(sum) : sum));
  return { bytes, l3Offset: l3, l4Offset, payloadOffset, end };
}

/** Builds a frame (see FrameSpec). */
export function buildFrame(spec: FrameSpec): Uint8Array {
  return buildFrameLayout(spec).bytes;
}
