// Numbers the packet builder, parser and RSS code share: EtherTypes, IP protocol numbers, the
// IPv6 extension headers the parser walks, and where a Routing header keeps the final destination.

export const ETH_HEADER = 14;
export const VLAN_TAG = 4;
export const IPV4_HEADER = 20;
export const IPV6_HEADER = 40;
export const UDP_HEADER = 8;
export const TCP_HEADER = 20;
export const ICMP_HEADER = 8;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_IPV6 = 0x86dd;
/** PTP over Ethernet (IEEE 1588 annex F). */
export const ETHERTYPE_PTP = 0x88f7;

export const IPPROTO_HOPOPTS = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ROUTING = 43;
export const IPPROTO_FRAGMENT = 44;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_NONE = 59;
export const IPPROTO_DSTOPTS = 60;

/** PTP event and general messages over UDP (IEEE 1588 annex D). */
export const PTP_EVENT_PORT = 319;
export const PTP_GENERAL_PORT = 320;

export const ETHERTYPE_NAMES: Readonly<Record<number, string>> = {
  [ETHERTYPE_IPV4]: 'IPv4',
  [ETHERTYPE_ARP]: 'ARP',
  [ETHERTYPE_VLAN]: '802.1Q',
  [ETHERTYPE_IPV6]: 'IPv6',
  [ETHERTYPE_PTP]: 'PTP',
};

export const IPPROTO_NAMES: Readonly<Record<number, string>> = {
  [IPPROTO_HOPOPTS]: 'Hop-by-Hop Options',
  [IPPROTO_ICMP]: 'ICMP',
  [IPPROTO_TCP]: 'TCP',
  [IPPROTO_UDP]: 'UDP',
  [IPPROTO_ROUTING]: 'Routing',
  [IPPROTO_FRAGMENT]: 'Fragment',
  [IPPROTO_ICMPV6]: 'ICMPv6',
  [IPPROTO_NONE]: 'No Next Header',
  [IPPROTO_DSTOPTS]: 'Destination Options',
};

/** The extension headers the parser and the RSS code walk through (RFC 8200 §4). */
export function isIpv6Extension(nextHeader: number): boolean {
  return nextHeader === IPPROTO_HOPOPTS || nextHeader === IPPROTO_ROUTING || nextHeader === IPPROTO_FRAGMENT || nextHeader === IPPROTO_DSTOPTS;
}

/**
 * Where the final destination of a packet with a Routing header at `offset` is, for the upper-
 * layer pseudo-header (RFC 8200 §8.1): the IPv6 Destination Address once Segments Left is 0;
 * before that, the last address of a type 0 (RFC 2460) or type 2 (RFC 6275) header, or Segment
 * List[0] of a Segment Routing header (type 4, RFC 8754 §2). Returns the byte offset of the
 * 16-byte address, `ipv6Dst` when it is the header's, or -1 for routing types whose layout is
 * not known (the checksum cannot be checked then). `end` bounds the header.
 */
export function ipv6FinalDestination(bytes: Uint8Array, offset: number, end: number, ipv6Dst: number): number {
  const routingType = bytes[offset + 2];
  const segmentsLeft = bytes[offset + 3];
  if (segmentsLeft === 0) return ipv6Dst;
  if ((routingType === 0 || routingType === 2) && end - offset >= 24) return end - 16;
  if (routingType === 4 && end - offset >= 24) return offset + 8;
  return -1;
}
