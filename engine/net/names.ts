// The NIC's values in words, shared by the Packets panel and `bpfp xdp`: the kernel's names of
// enum xdp_rss_hash_type, and where a packet went after its verdict.

import { XDP_RSS } from './toeplitz.ts';
import type { PacketFate } from './types.ts';

/** enum xdp_rss_hash_type's bits (include/net/xdp.h), by name. */
export const RSS_BITS: readonly [number, string][] = Object.entries(XDP_RSS).map(([name, bit]) => [bit, name]);

/** enum xdp_rss_hash_type's named values (XDP_RSS_TYPE_*). */
export const RSS_TYPES: Readonly<Record<number, string>> = {
  0: 'NONE',
  1: 'L3_IPV4',
  2: 'L3_IPV6',
  5: 'L3_IPV4_OPT',
  6: 'L3_IPV6_EX',
  8: 'L4_ANY',
  25: 'L4_IPV4_TCP',
  41: 'L4_IPV4_UDP',
  73: 'L4_IPV4_SCTP',
  137: 'L4_IPV4_IPSEC',
  265: 'L4_IPV4_ICMP',
  26: 'L4_IPV6_TCP',
  42: 'L4_IPV6_UDP',
  74: 'L4_IPV6_SCTP',
  138: 'L4_IPV6_IPSEC',
  266: 'L4_IPV6_ICMP',
  30: 'L4_IPV6_TCP_EX',
  46: 'L4_IPV6_UDP_EX',
  78: 'L4_IPV6_SCTP_EX',
};

/** The bits of a hash type by name: "L3_IPV4 | L4 | L4_UDP". */
export function rssBits(type: number): string {
  const names = RSS_BITS.filter(([bit]) => (type & bit) !== 0).map(([, n]) => n);
  const rest = type & ~0x1ff;
  if (rest) names.push(`0x${rest.toString(16)}`);
  return names.length ? names.join(' | ') : 'no bits';
}

/** The short name shown in the table: "L4_IPV4_UDP", or the bits for a value the enum does not name. */
export function rssTypeName(type: number): string {
  return RSS_TYPES[type] ?? rssBits(type);
}

/** The long form for a title: "XDP_RSS_TYPE_L4_IPV4_UDP = 41 (L3_IPV4 | L4 | L4_UDP)". */
export function rssTypeTitle(type: number): string {
  const named = RSS_TYPES[type];
  return `${named ? `XDP_RSS_TYPE_${named}` : 'not a named XDP_RSS_TYPE'} = ${type} (${rssBits(type)})`;
}

/** Where a packet went, in words. */
export function fateText(f: PacketFate): string {
  switch (f.kind) {
    case 'dropped':
      return `dropped: ${f.reason}`;
    case 'passed':
      return f.tc ? `passed → tc: ${f.tc}` : 'passed to the stack';
    case 'transmitted':
      return 'sent back out of the NIC (XDP_TX)';
    case 'xsk':
      return `→ AF_XDP queue ${f.queue}`;
    case 'device':
      return `→ ${f.name} (ifindex ${f.ifindex})${f.peerAction ? `, whose XDP program says ${f.peerAction}` : ''}`;
    case 'cpu':
      return `→ CPU ${f.cpu}${f.tc ? ` → tc: ${f.tc}` : ''}`;
    case 'fault':
      return `fault: ${f.message}`;
  }
}

