// Decoders for what follows IP: UDP (RFC 768), TCP (RFC 9293 §3.1), ICMP (RFC 792) and ICMPv6
// (RFC 4443), with their checksums checked against the pseudo-header (RFC 8200 §8.1 for IPv6).

import { messageChecksum, pseudoHeaderSum, udpWireChecksum } from './checksum.ts';
import { IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, ICMP_HEADER, TCP_HEADER, UDP_HEADER } from './protocols.ts';
import { LayerBuilder, checksumField, hex, named, truncated, u16, u32, type IpInfo, type PacketLayer } from './layer.ts';

const ICMP_TYPES: Readonly<Record<number, string>> = {
  0: 'echo reply',
  3: 'destination unreachable',
  5: 'redirect',
  8: 'echo request',
  11: 'time exceeded',
  12: 'parameter problem',
};

const ICMPV6_TYPES: Readonly<Record<number, string>> = {
  1: 'destination unreachable',
  2: 'packet too big',
  3: 'time exceeded',
  4: 'parameter problem',
  128: 'echo request',
  129: 'echo reply',
  133: 'router solicitation',
  134: 'router advertisement',
  135: 'neighbor solicitation',
  136: 'neighbor advertisement',
  137: 'redirect',
};

const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];

/** "SYN, ACK" for the 8 flag bits. */
export function tcpFlagNames(flags: number): string {
  return TCP_FLAGS.filter((_, i) => flags & (1 << i)).join(', ');
}

export function payloadLayer(name: string, start: number, end: number, layers: PacketLayer[]): void {
  if (end <= start) return;
  const layer = new LayerBuilder(name, start);
  layer.add('data', `${end - start} bytes`, start, end - start);
  layers.push(layer.finish(end - start));
}

/** How the upper-layer checksum is checked: its pseudo-header sum, or why it cannot be. */
function pseudo(b: Uint8Array, ip: IpInfo, protocol: number, length: number): number | string {
  if (ip.fragment) return 'fragment';
  if (ip.pseudoDstOffset < 0) return 'unknown routing header type';
  return pseudoHeaderSum(b, ip.srcOffset, ip.pseudoDstOffset, ip.version === 4 ? 4 : 16, protocol, length);
}

function checksum(layer: LayerBuilder, b: Uint8Array, at: number, start: number, end: number, sum: number | string, udp = false): void {
  if (typeof sum === 'string') return checksumField(layer, b, at, sum);
  const expected = (): number => {
    const value = messageChecksum(b, start, end, at, sum);
    return udp ? udpWireChecksum(value) : value;
  };
  checksumField(layer, b, at, { start, end, pseudo: sum, expected });
}

function decodeUdp(b: Uint8Array, ip: IpInfo, layers: PacketLayer[]): string | undefined {
  const at = ip.l4Offset;
  const avail = ip.end - at;
  if (avail < UDP_HEADER) return truncated(at, 'UDP header', avail, UDP_HEADER);
  const length = u16(b, at + 4);
  const layer = new LayerBuilder('UDP', at);
  layer.add('sport', String(u16(b, at)), at, 2);
  layer.add('dport', String(u16(b, at + 2)), at + 2, 2);
  layer.add('length', String(length), at + 4, 2);
  let error: string | undefined;
  if (length < UDP_HEADER) error = `byte ${at + 4}: UDP length ${length} is below the 8-byte header`;
  else if (length > avail) error = `byte ${at + 4}: UDP length ${length} is more than the ${avail} bytes of the IP payload`;
  if (error !== undefined) checksumField(layer, b, at + 6, 'bad length');
  // Over IPv4 a zero checksum means the sender computed none (RFC 768); IPv6 requires one (RFC 8200 §8.1).
  else if (u16(b, at + 6) === 0 && ip.version === 4) layer.add('checksum', '0x0000 (none)', at + 6, 2);
  else checksum(layer, b, at + 6, at, at + length, pseudo(b, ip, IPPROTO_UDP, length), true);
  layers.push(layer.finish(UDP_HEADER));
  if (error === undefined) payloadLayer('Payload', at + UDP_HEADER, at + length, layers);
  return error;
}

const TCP_OPTIONS: Readonly<Record<number, string>> = { 2: 'MSS', 3: 'Window scale', 4: 'SACK permitted', 5: 'SACK', 8: 'Timestamps' };

/** TCP options (RFC 9293 §3.2): kinds 0 and 1 are single bytes, the others carry a length. */
function decodeTcpOptions(layer: LayerBuilder, b: Uint8Array, start: number, end: number): string | undefined {
  for (let i = start; i < end; ) {
    const kind = b[i];
    if (kind === 0) {
      layer.add('option', 'End of Option List', i, end - i);
      return undefined;
    }
    if (kind === 1) {
      layer.add('option', 'No-Operation', i, 1);
      i++;
      continue;
    }
    if (i + 1 >= end) return `byte ${i}: TCP option ${kind} has no length byte before the header ends`;
    const length = b[i + 1];
    if (length < 2) return `byte ${i + 1}: TCP option ${kind} has length ${length}; the minimum is 2`;
    if (i + length > end) return `byte ${i}: TCP option ${kind} of ${length} bytes runs past the header's end at byte ${end}`;
    let text = `${TCP_OPTIONS[kind] ?? `kind ${kind}`}, ${length} bytes`;
    if (kind === 2 && length === 4) text = `MSS ${u16(b, i + 2)}`;
    else if (kind === 3 && length === 3) text = `Window scale ${b[i + 2]}`;
    else if (kind === 8 && length === 10) text = `Timestamps ${u32(b, i + 2)} ${u32(b, i + 6)}`;
    layer.add('option', text, i, length);
    i += length;
  }
  return undefined;
}

function decodeTcp(b: Uint8Array, ip: IpInfo, layers: PacketLayer[]): string | undefined {
  const at = ip.l4Offset;
  const avail = ip.end - at;
  if (avail < TCP_HEADER) return truncated(at, 'TCP header', avail, TCP_HEADER);
  const dataOffset = b[at + 12] >> 4;
  if (dataOffset < 5) return `byte ${at + 12}: TCP data offset ${dataOffset} words is below the minimum of 5`;
  const headerLength = dataOffset * 4;
  if (avail < headerLength) return truncated(at, 'TCP header', avail, headerLength);
  const layer = new LayerBuilder('TCP', at);
  layer.add('sport', String(u16(b, at)), at, 2);
  layer.add('dport', String(u16(b, at + 2)), at + 2, 2);
  layer.add('seq', String(u32(b, at + 4)), at + 4, 4);
  layer.add('ack', String(u32(b, at + 8)), at + 8, 4);
  layer.add('data_offset', `${dataOffset} (${headerLength} bytes)`, at + 12, 1);
  const flags = b[at + 13];
  layer.add('flags', flags ? `${hex(flags, 2)} (${tcpFlagNames(flags)})` : '0x00', at + 13, 1);
  layer.add('window', String(u16(b, at + 14)), at + 14, 2);
  checksum(layer, b, at + 16, at, ip.end, pseudo(b, ip, IPPROTO_TCP, avail));
  layer.add('urgent', String(u16(b, at + 18)), at + 18, 2);
  const error = decodeTcpOptions(layer, b, at + TCP_HEADER, at + headerLength);
  layers.push(layer.finish(headerLength));
  if (error === undefined) payloadLayer('Payload', at + headerLength, ip.end, layers);
  return error;
}

function decodeIcmp(b: Uint8Array, ip: IpInfo, layers: PacketLayer[]): string | undefined {
  const v6 = ip.version === 6;
  const name = v6 ? 'ICMPv6' : 'ICMP';
  const at = ip.l4Offset;
  const avail = ip.end - at;
  if (avail < ICMP_HEADER) return truncated(at, `${name} header`, avail, ICMP_HEADER);
  const type = b[at];
  const layer = new LayerBuilder(name, at);
  layer.add('type', named(type, v6 ? ICMPV6_TYPES : ICMP_TYPES), at, 1);
  layer.add('code', String(b[at + 1]), at + 1, 1);
  // ICMP covers only its message (RFC 792); ICMPv6 adds the pseudo-header (RFC 4443 §2.3).
  checksum(layer, b, at + 2, at, ip.end, v6 ? pseudo(b, ip, IPPROTO_ICMPV6, avail) : ip.fragment ? 'fragment' : 0);
  const echo = v6 ? type === 128 || type === 129 : type === 0 || type === 8;
  if (echo) {
    layer.add('id', `${hex(u16(b, at + 4), 4)} (${u16(b, at + 4)})`, at + 4, 2);
    layer.add('seq', String(u16(b, at + 6)), at + 6, 2);
  } else layer.add('rest', hex(u32(b, at + 4), 8), at + 4, 4);
  layers.push(layer.finish(ICMP_HEADER));
  payloadLayer('Payload', at + ICMP_HEADER, ip.end, layers);
  return undefined;
}

/** Decodes the upper layer of an IP packet; returns an error when decoding stops early. */
export function decodeL4(b: Uint8Array, ip: IpInfo, layers: PacketLayer[]): string | undefined {
  if (ip.laterFragment) {
    payloadLayer('Fragment data', ip.l4Offset, ip.end, layers);
    return undefined;
  }
  switch (ip.protocol) {
    case IPPROTO_UDP:
      return decodeUdp(b, ip, layers);
    case IPPROTO_TCP:
      return decodeTcp(b, ip, layers);
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
      if ((ip.protocol === IPPROTO_ICMPV6) === (ip.version === 6)) return decodeIcmp(b, ip, layers);
  }
  payloadLayer('Payload', ip.l4Offset, ip.end, layers);
  return undefined;
}
