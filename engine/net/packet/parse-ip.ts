// Decoders for the IP layer: IPv4 with its options (RFC 791 §3.1) and IPv6 with the chain of
// extension headers (RFC 8200 §4). Each reports what RSS needs even when it stops with an error.

import { messageChecksum, verifyChecksum } from './checksum.ts';
import { formatIpv4, formatIpv6 } from './addr.ts';
import { IPPROTO_FRAGMENT, IPPROTO_NAMES, IPPROTO_ROUTING, IPV4_HEADER, IPV6_HEADER, ipv6FinalDestination, isIpv6Extension } from './protocols.ts';
import { LayerBuilder, hex, named, truncated, u16, u32, type IpInfo, type PacketLayer } from './layer.ts';

export interface IpResult {
  /** Set when the header itself is sound (RSS can hash it), even if `error` is set too. */
  readonly info?: IpInfo;
  readonly error?: string;
}

const IPV4_OPTIONS: Readonly<Record<number, string>> = {
  0: 'End of Options List',
  1: 'No Operation',
  7: 'Record Route',
  68: 'Timestamp',
  130: 'Security',
  131: 'Loose Source Route',
  137: 'Strict Source Route',
  148: 'Router Alert',
};

const IPV6_OPTIONS: Readonly<Record<number, string>> = {
  0: 'Pad1',
  1: 'PadN',
  4: 'Tunnel Encapsulation Limit',
  5: 'Router Alert',
  194: 'Jumbo Payload',
  201: 'Home Address',
};

/**
 * Type-length-value options from `start` to `end` (IPv4 options: RFC 791 §3.1, where types 0
 * and 1 are single bytes; IPv6 Hop-by-Hop / Destination options: RFC 8200 §4.2, where only
 * Pad1 is). Returns an error when an option does not fit.
 */
function decodeOptions(layer: LayerBuilder, b: Uint8Array, start: number, end: number, v6: boolean): string | undefined {
  const names = v6 ? IPV6_OPTIONS : IPV4_OPTIONS;
  const family = v6 ? 'IPv6' : 'IPv4';
  for (let i = start; i < end; ) {
    const type = b[i];
    if (type === 0 || (!v6 && type === 1)) {
      layer.add('option', named(type, names), i, 1);
      i++;
      // After End of Options List the rest of the header is padding (RFC 791 §3.1).
      if (!v6 && type === 0) {
        if (i < end) layer.add('padding', `${end - i} bytes`, i, end - i);
        return undefined;
      }
      continue;
    }
    if (i + 1 >= end) return `byte ${i}: ${family} option ${type} has no length byte before the header ends`;
    // IPv4 counts the type and length bytes in the length; IPv6 counts only the data.
    const length = v6 ? b[i + 1] + 2 : b[i + 1];
    if (!v6 && length < 2) return `byte ${i + 1}: IPv4 option ${type} has length ${length}; the minimum is 2`;
    if (i + length > end) return `byte ${i}: ${family} option ${type} of ${length} bytes runs past the header's end at byte ${end}`;
    layer.add('option', `${named(type, names)}, ${length} bytes`, i, length);
    i += length;
  }
  return undefined;
}

export function decodeIpv4(b: Uint8Array, at: number, layers: PacketLayer[]): IpResult {
  const avail = b.length - at;
  if (avail < IPV4_HEADER) return { error: truncated(at, 'IPv4 header', avail, IPV4_HEADER) };
  const version = b[at] >> 4;
  if (version !== 4) return { error: `byte ${at}: IPv4 version is ${version}, expected 4` };
  const ihl = b[at] & 0x0f;
  if (ihl < 5) return { error: `byte ${at}: IPv4 header length ${ihl} words is below the minimum of 5` };
  const headerLength = ihl * 4;
  if (avail < headerLength) return { error: truncated(at, 'IPv4 header', avail, headerLength) };
  const total = u16(b, at + 2);
  if (total < headerLength) return { error: `byte ${at + 2}: IPv4 total length ${total} is below its ${headerLength}-byte header` };

  const layer = new LayerBuilder('IPv4', at);
  layer.add('version', '4', at, 1);
  layer.add('ihl', `${ihl} (${headerLength} bytes)`, at, 1);
  layer.add('dscp', String(b[at + 1] >> 2), at + 1, 1);
  layer.add('ecn', String(b[at + 1] & 3), at + 1, 1);
  layer.add('length', String(total), at + 2, 2);
  layer.add('id', `${hex(u16(b, at + 4), 4)} (${u16(b, at + 4)})`, at + 4, 2);
  const flagWord = u16(b, at + 6);
  const flags = flagWord >> 13;
  const flagNames = [flags & 4 ? 'reserved' : '', flags & 2 ? 'DF' : '', flags & 1 ? 'MF' : ''].filter((s) => s !== '');
  layer.add('flags', flagNames.length ? `${hex(flags, 1)} (${flagNames.join(', ')})` : hex(flags, 1), at + 6, 1);
  const fragmentOffset = flagWord & 0x1fff;
  layer.add('frag_offset', `${fragmentOffset} (${fragmentOffset * 8} bytes)`, at + 6, 2);
  layer.add('ttl', String(b[at + 8]), at + 8, 1);
  const protocol = b[at + 9];
  layer.add('protocol', named(protocol, IPPROTO_NAMES), at + 9, 1);
  const value = u16(b, at + 10);
  if (verifyChecksum(b, at, at + headerLength)) layer.add('checksum', `${hex(value, 4)} (good)`, at + 10, 2);
  else layer.add('checksum', `${hex(value, 4)} (bad, expected ${hex(messageChecksum(b, at, at + headerLength, at + 10), 4)})`, at + 10, 2, true);
  layer.add('src', formatIpv4(b, at + 12), at + 12, 4);
  layer.add('dst', formatIpv4(b, at + 16), at + 16, 4);
  let error = decodeOptions(layer, b, at + IPV4_HEADER, at + headerLength, false);
  layers.push(layer.finish(headerLength));

  if (error === undefined && total > avail) error = `byte ${at + 2}: IPv4 total length ${total} is more than the ${avail} bytes left in the frame`;
  const more = (flags & 1) !== 0;
  const info: IpInfo = {
    version: 4,
    offset: at,
    srcOffset: at + 12,
    dstOffset: at + 16,
    dynhdr: ihl > 5,
    protocol,
    l4Offset: at + headerLength,
    end: at + Math.min(total, avail),
    laterFragment: fragmentOffset !== 0,
    fragment: more || fragmentOffset !== 0,
    pseudoDstOffset: at + 16,
  };
  return error === undefined ? { info } : { info, error };
}

const EXTENSION_LAYER: Readonly<Record<number, string>> = {
  0: 'IPv6 Hop-by-Hop Options',
  43: 'IPv6 Routing',
  44: 'IPv6 Fragment',
  60: 'IPv6 Destination Options',
};

export function decodeIpv6(b: Uint8Array, at: number, layers: PacketLayer[]): IpResult {
  const avail = b.length - at;
  if (avail < IPV6_HEADER) return { error: truncated(at, 'IPv6 header', avail, IPV6_HEADER) };
  const version = b[at] >> 4;
  if (version !== 6) return { error: `byte ${at}: IPv6 version is ${version}, expected 6` };
  const payloadLength = u16(b, at + 4);
  const layer = new LayerBuilder('IPv6', at);
  layer.add('version', '6', at, 1);
  layer.add('traffic_class', hex((u16(b, at) >> 4) & 0xff, 2), at, 2);
  layer.add('flow_label', hex(u32(b, at) & 0xfffff, 5), at + 1, 3);
  layer.add('payload_length', String(payloadLength), at + 4, 2);
  layer.add('next_header', named(b[at + 6], IPPROTO_NAMES), at + 6, 1);
  layer.add('hop_limit', String(b[at + 7]), at + 7, 1);
  layer.add('src', formatIpv6(b, at + 8), at + 8, 16);
  layer.add('dst', formatIpv6(b, at + 24), at + 24, 16);
  layers.push(layer.finish(IPV6_HEADER));

  let error = payloadLength > avail - IPV6_HEADER ? `byte ${at + 4}: IPv6 payload length ${payloadLength} is more than the ${avail - IPV6_HEADER} bytes left in the frame` : undefined;
  const end = at + IPV6_HEADER + Math.min(payloadLength, avail - IPV6_HEADER);
  let next = b[at + 6];
  let cur = at + IPV6_HEADER;
  let dynhdr = false;
  let fragment = false;
  let laterFragment = false;
  let pseudoDst = at + 24;
  while (isIpv6Extension(next)) {
    dynhdr = true;
    const name = EXTENSION_LAYER[next];
    const length = next === IPPROTO_FRAGMENT ? 8 : cur + 2 <= end ? (b[cur + 1] + 1) * 8 : 8;
    if (cur + length > end) {
      error ??= truncated(cur, `${name} header`, end - cur, length);
      next = -1;
      break;
    }
    const ext = new LayerBuilder(name, cur);
    ext.add('next_header', named(b[cur], IPPROTO_NAMES), cur, 1);
    if (next === IPPROTO_FRAGMENT) {
      const word = u16(b, cur + 2);
      ext.add('frag_offset', `${word >> 3} (${(word >> 3) * 8} bytes)`, cur + 2, 2);
      ext.add('more', String(word & 1), cur + 3, 1);
      ext.add('id', hex(u32(b, cur + 4), 8), cur + 4, 4);
      fragment = true;
      laterFragment = word >> 3 !== 0;
    } else {
      ext.add('length', `${b[cur + 1]} (${length} bytes)`, cur + 1, 1);
      if (next === IPPROTO_ROUTING) {
        const routingType = b[cur + 2];
        ext.add('routing_type', named(routingType, { 0: 'Source Route', 2: 'Type 2', 3: 'RPL', 4: 'Segment Routing' }), cur + 2, 1);
        ext.add('segments_left', String(b[cur + 3]), cur + 3, 1);
        if (routingType === 0 || routingType === 2 || routingType === 4) {
          for (let a = cur + 8; a + 16 <= cur + length; a += 16) ext.add(routingType === 4 ? 'segment' : 'address', formatIpv6(b, a), a, 16);
        }
        pseudoDst = ipv6FinalDestination(b, cur, cur + length, pseudoDst);
      } else {
        const optionError = decodeOptions(ext, b, cur + 2, cur + length, true);
        error ??= optionError;
      }
    }
    layers.push(ext.finish(length));
    next = b[cur];
    cur += length;
    // A later fragment carries no upper-layer header, and its next header is that of the datagram.
    if (laterFragment) break;
  }
  const info: IpInfo = {
    version: 6,
    offset: at,
    srcOffset: at + 8,
    dstOffset: at + 24,
    dynhdr,
    protocol: next,
    l4Offset: cur,
    end,
    laterFragment,
    fragment,
    pseudoDstOffset: pseudoDst,
  };
  return error === undefined ? { info } : { info, error };
}
