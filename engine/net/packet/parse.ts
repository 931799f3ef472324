// The packet parser: decodes a frame layer by layer (Ethernet II, one 802.1Q tag, IPv4/IPv6,
// UDP/TCP/ICMP/ICMPv6) into named fields with their byte ranges. It never throws: malformed or
// truncated input stops decoding with an error that names the byte offset.

import { formatMac } from './addr.ts';
import { ETH_HEADER, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_NAMES, ETHERTYPE_VLAN, VLAN_TAG } from './protocols.ts';
import { LayerBuilder, hex, named, truncated, u16, type IpInfo, type PacketLayer, type ParsedPacket } from './layer.ts';
import { decodeIpv4, decodeIpv6, type IpResult } from './parse-ip.ts';
import { decodeL4, payloadLayer } from './parse-l4.ts';

export type { IpInfo, PacketField, PacketLayer, ParsedPacket } from './layer.ts';
export { tcpFlagNames } from './parse-l4.ts';

export function parsePacket(bytes: Uint8Array): ParsedPacket {
  const layers: PacketLayer[] = [];
  const done = (error?: string, ip?: IpInfo, vlanTci?: number): ParsedPacket => ({
    bytes,
    layers,
    ...(error === undefined ? {} : { error }),
    ...(vlanTci === undefined ? {} : { vlanTci }),
    ...(ip === undefined ? {} : { ip }),
  });
  if (bytes.length < ETH_HEADER) return done(truncated(0, 'Ethernet header', bytes.length, ETH_HEADER));

  const eth = new LayerBuilder('Ethernet', 0);
  eth.add('dst', formatMac(bytes, 0), 0, 6);
  eth.add('src', formatMac(bytes, 6), 6, 6);
  let type = u16(bytes, 12);
  eth.add('type', named(type, ETHERTYPE_NAMES, hex(type, 4)), 12, 2);
  layers.push(eth.finish(ETH_HEADER));
  let at = ETH_HEADER;
  let vlanTci: number | undefined;
  if (type === ETHERTYPE_VLAN) {
    if (bytes.length < at + VLAN_TAG) return done(truncated(at, '802.1Q tag', bytes.length - at, VLAN_TAG));
    vlanTci = u16(bytes, at);
    type = u16(bytes, at + 2);
    const tag = new LayerBuilder('802.1Q', at);
    tag.add('pcp', String(vlanTci >> 13), at, 1);
    tag.add('dei', String((vlanTci >> 12) & 1), at, 1);
    tag.add('vid', String(vlanTci & 0x0fff), at, 2);
    tag.add('type', named(type, ETHERTYPE_NAMES, hex(type, 4)), at + 2, 2);
    layers.push(tag.finish(VLAN_TAG));
    at += VLAN_TAG;
  }

  let result: IpResult;
  if (type === ETHERTYPE_IPV4) result = decodeIpv4(bytes, at, layers);
  else if (type === ETHERTYPE_IPV6) result = decodeIpv6(bytes, at, layers);
  else {
    payloadLayer('Payload', at, bytes.length, layers);
    return done(undefined, undefined, vlanTci);
  }
  const { info, error } = result;
  if (info === undefined || error !== undefined) return done(error, info, vlanTci);
  const l4Error = decodeL4(bytes, info, layers);
  // Bytes past the IP packet: the padding that brings a short frame to 60 bytes.
  if (l4Error === undefined) payloadLayer('Ethernet padding', info.end, bytes.length, layers);
  return done(l4Error, info, vlanTci);
}
