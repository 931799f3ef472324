// What RSS hardware hashes: the Toeplitz input (kernel-facts.md §8.1) of a frame — source and
// destination addresses, then the ports for TCP and UDP — and what kind of tuple it is. Two
// ways to get it that always agree: `rssTuple` from a parsed packet (for the packet panel), and
// `rssInputFast`, which reads the frame directly and allocates nothing (per packet, at Mpps).
//
// The rules, shared by both:
// - one 802.1Q tag (TPID 0x8100) is skipped; anything but IPv4/IPv6 after it hashes nothing;
// - the IP header must be sound (version, IHL ≥ 5, header captured, total length ≥ header);
//   its packet ends at min(the length it claims, the captured frame);
// - IPv6 extension headers (hop-by-hop, routing, fragment, destination options) are walked; a
//   header that does not fit stops the walk and the tuple is the 2-tuple with l4 'other';
// - a fragment other than the first has no L4 header: 2-tuple, l4 'other'; a first fragment
//   (IPv4 MF set with offset 0, an IPv6 fragment header with offset 0) hashes its ports;
// - TCP and UDP give the 4-tuple when 4 bytes of L4 header (the ports) lie within the packet,
//   else the 2-tuple; ICMP (ICMPv6 over IPv6) and every other protocol give the 2-tuple.

import { ETH_HEADER, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_PTP, ETHERTYPE_VLAN, IPPROTO_FRAGMENT, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, PTP_EVENT_PORT, PTP_GENERAL_PORT, isIpv6Extension } from './protocols.ts';
import type { ParsedPacket } from './layer.ts';

export type RssKind = 'ipv4' | 'ipv6' | 'ipv4-l4' | 'ipv6-l4' | 'none';
export type RssL4 = 'tcp' | 'udp' | 'icmp' | 'other';

export interface RssTuple {
  readonly kind: RssKind;
  /** The upper-layer protocol; null when there is no IP layer. */
  readonly l4: RssL4 | null;
  /** IPv4 options or IPv6 extension headers are present (XDP_RSS_L3_DYNHDR). */
  readonly dynhdr: boolean;
  /** The Toeplitz input in network byte order: 0, 8, 12, 32 or 36 bytes. */
  readonly input: Uint8Array;
}

/*
 * The code `rssInputFast` returns (and the generator precomputes per flow), one small integer:
 *   bits 0-5   input length in bytes (0, 8, 12, 32, 36)
 *   RSS_IPV4 / RSS_IPV6   an IPv4 / IPv6 tuple
 *   RSS_PORTS  the ports are in the input (kind 'ipv4-l4' / 'ipv6-l4')
 *   RSS_DYNHDR IPv4 options / IPv6 extension headers
 *   bits 10-12 the L4 protocol: RSS_L4_TCP, RSS_L4_UDP, RSS_L4_ICMP, RSS_L4_OTHER (0: no IP layer)
 *   RSS_VLAN   the frame carries an 802.1Q tag (its TCI is at bytes 14-15)
 *   RSS_PTP    a PTP frame: EtherType 0x88f7, or UDP to port 319 (event) or 320 (general),
 *              for the NIC's hwtstamp filter "ptp"
 *   RSS_FRAGMENT  an IP fragment (first or later)
 */
export const RSS_LENGTH_MASK = 0x3f;
export const RSS_IPV4 = 0x40;
export const RSS_IPV6 = 0x80;
export const RSS_PORTS = 0x100;
export const RSS_DYNHDR = 0x200;
export const RSS_L4_SHIFT = 10;
export const RSS_L4_MASK = 0x7 << RSS_L4_SHIFT;
export const RSS_L4_TCP = 1 << RSS_L4_SHIFT;
export const RSS_L4_UDP = 2 << RSS_L4_SHIFT;
export const RSS_L4_ICMP = 3 << RSS_L4_SHIFT;
export const RSS_L4_OTHER = 4 << RSS_L4_SHIFT;
export const RSS_VLAN = 0x2000;
export const RSS_PTP = 0x4000;
export const RSS_FRAGMENT = 0x8000;
/** Room `rssInputFast` needs in its output buffer. */
export const RSS_INPUT_MAX = 36;

const L4_NAMES: readonly (RssL4 | null)[] = [null, 'tcp', 'udp', 'icmp', 'other'];

/** The tuple a code and its input bytes describe (the input is copied). */
export function rssTupleFromCode(code: number, input: Uint8Array): RssTuple {
  const v4 = (code & RSS_IPV4) !== 0;
  const v6 = (code & RSS_IPV6) !== 0;
  const ports = (code & RSS_PORTS) !== 0;
  const kind: RssKind = v4 ? (ports ? 'ipv4-l4' : 'ipv4') : v6 ? (ports ? 'ipv6-l4' : 'ipv6') : 'none';
  return { kind, l4: L4_NAMES[(code & RSS_L4_MASK) >> RSS_L4_SHIFT] ?? null, dynhdr: (code & RSS_DYNHDR) !== 0, input: input.slice(0, code & RSS_LENGTH_MASK) };
}

function l4Code(protocol: number, v6: boolean): number {
  if (protocol === IPPROTO_TCP) return RSS_L4_TCP;
  if (protocol === IPPROTO_UDP) return RSS_L4_UDP;
  if (protocol === (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP)) return RSS_L4_ICMP;
  return RSS_L4_OTHER;
}

/** The RSS tuple of a parsed packet (see the rules above). */
export function rssTuple(parsed: ParsedPacket): RssTuple {
  const ip = parsed.ip;
  if (ip === undefined) return { kind: 'none', l4: null, dynhdr: false, input: new Uint8Array(0) };
  const b = parsed.bytes;
  const v6 = ip.version === 6;
  const addr = v6 ? 16 : 4;
  const l4 = ip.laterFragment ? RSS_L4_OTHER : l4Code(ip.protocol, v6);
  const ports = (l4 === RSS_L4_TCP || l4 === RSS_L4_UDP) && ip.l4Offset + 4 <= ip.end;
  const input = new Uint8Array(2 * addr + (ports ? 4 : 0));
  input.set(b.subarray(ip.srcOffset, ip.srcOffset + addr), 0);
  input.set(b.subarray(ip.dstOffset, ip.dstOffset + addr), addr);
  if (ports) input.set(b.subarray(ip.l4Offset, ip.l4Offset + 4), 2 * addr);
  const kind: RssKind = v6 ? (ports ? 'ipv6-l4' : 'ipv6') : ports ? 'ipv4-l4' : 'ipv4';
  return { kind, l4: L4_NAMES[l4 >> RSS_L4_SHIFT], dynhdr: ip.dynhdr, input };
}

/**
 * Finds the RSS tuple of frame[0, length) without allocating: writes the Toeplitz input to
 * out[0, 36) and returns the code described above (input length in the low 6 bits).
 */
export function rssInputFast(f: Uint8Array, length: number, out: Uint8Array): number {
  if (length < ETH_HEADER) return 0;
  let type = (f[12] << 8) | f[13];
  let at = ETH_HEADER;
  let code = 0;
  if (type === ETHERTYPE_VLAN) {
    if (length < ETH_HEADER + 4) return 0;
    type = (f[16] << 8) | f[17];
    at = ETH_HEADER + 4;
    code = RSS_VLAN;
  }
  let l4: number;
  let end: number;
  let protocol: number;
  let n: number;
  if (type === ETHERTYPE_IPV4) {
    const avail = length - at;
    if (avail < 20) return code;
    const vihl = f[at];
    const headerLength = (vihl & 0x0f) * 4;
    if (vihl >> 4 !== 4 || headerLength < 20 || avail < headerLength) return code;
    const total = (f[at + 2] << 8) | f[at + 3];
    if (total < headerLength) return code;
    end = at + (total < avail ? total : avail);
    for (let i = 0; i < 8; i++) out[i] = f[at + 12 + i];
    code |= RSS_IPV4 | (headerLength > 20 ? RSS_DYNHDR : 0);
    const fragment = ((f[at + 6] << 8) | f[at + 7]) & 0x3fff;
    if (fragment !== 0) {
      code |= RSS_FRAGMENT;
      // Any offset bit set: a later fragment (the MF bit alone marks the first).
      if (fragment & 0x1fff) return code | RSS_L4_OTHER | 8;
    }
    protocol = f[at + 9];
    l4 = at + headerLength;
    n = 8;
    code |= l4Code(protocol, false);
  } else if (type === ETHERTYPE_IPV6) {
    const avail = length - at;
    if (avail < 40 || f[at] >> 4 !== 6) return code;
    const payload = (f[at + 4] << 8) | f[at + 5];
    end = at + 40 + (payload < avail - 40 ? payload : avail - 40);
    for (let i = 0; i < 32; i++) out[i] = f[at + 8 + i];
    code |= RSS_IPV6;
    n = 32;
    protocol = f[at + 6];
    l4 = at + 40;
    while (isIpv6Extension(protocol)) {
      code |= RSS_DYNHDR;
      if (l4 + 8 > end) return code | RSS_L4_OTHER | 32;
      const extLength = protocol === IPPROTO_FRAGMENT ? 8 : (f[l4 + 1] + 1) * 8;
      if (l4 + extLength > end) return code | RSS_L4_OTHER | 32;
      if (protocol === IPPROTO_FRAGMENT) {
        code |= RSS_FRAGMENT;
        if (((f[l4 + 2] << 8) | f[l4 + 3]) >> 3 !== 0) return code | RSS_L4_OTHER | 32;
      }
      protocol = f[l4];
      l4 += extLength;
    }
    code |= l4Code(protocol, true);
  } else {
    return type === ETHERTYPE_PTP ? code | RSS_PTP : code;
  }
  if ((protocol === IPPROTO_TCP || protocol === IPPROTO_UDP) && l4 + 4 <= end) {
    out[n] = f[l4];
    out[n + 1] = f[l4 + 1];
    out[n + 2] = f[l4 + 2];
    out[n + 3] = f[l4 + 3];
    if (protocol === IPPROTO_UDP) {
      const dport = (f[l4 + 2] << 8) | f[l4 + 3];
      if (dport === PTP_EVENT_PORT || dport === PTP_GENERAL_PORT) code |= RSS_PTP;
    }
    return code | RSS_PORTS | (n + 4);
  }
  return code | n;
}
