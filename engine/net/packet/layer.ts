// What the packet parser produces: decoded layers with named fields that point at their bytes
// (the packet panel highlights them), and the small helpers the layer decoders share.

import { verifyChecksum } from './checksum.ts';

export interface PacketField {
  readonly name: string;
  /** Display text: "10.0.0.1", "0x0800 (IPv4)", "0x1234 (bad, expected 0xabcd)". */
  readonly value: string;
  /** Byte offset in the frame and length (a bit field names the bytes that hold it). */
  readonly offset: number;
  readonly length: number;
  /** Set on a checksum that does not match its data. */
  readonly bad?: boolean;
}

export interface PacketLayer {
  readonly name: string;
  readonly offset: number;
  readonly length: number;
  readonly fields: readonly PacketField[];
}

/** The IP layer as RSS needs it, found while decoding (offsets are into the frame). */
export interface IpInfo {
  readonly version: 4 | 6;
  readonly offset: number;
  readonly srcOffset: number;
  readonly dstOffset: number;
  /** IPv4 options or IPv6 extension headers are present. */
  readonly dynhdr: boolean;
  /** The upper-layer protocol (after the extension headers), or -1 when the chain could not be walked to its end. */
  readonly protocol: number;
  readonly l4Offset: number;
  /** End of the IP packet within the captured bytes: min(the length the header claims, the frame). */
  readonly end: number;
  /** A fragment other than the first: no upper-layer header here. */
  readonly laterFragment: boolean;
  /** Any fragment, first or later: an upper-layer checksum covers the reassembled datagram. */
  readonly fragment: boolean;
  /** Offset of the final destination for the pseudo-header (RFC 8200 §8.1); -1 when unknown. */
  readonly pseudoDstOffset: number;
}

export interface ParsedPacket {
  readonly bytes: Uint8Array;
  readonly layers: readonly PacketLayer[];
  /** Where decoding stopped and why: "byte 34: truncated UDP header: 6 of 8 bytes". */
  readonly error?: string;
  /** The 802.1Q TCI, when the frame carries a tag. */
  readonly vlanTci?: number;
  readonly ip?: IpInfo;
}

/** Collects one layer's fields. */
export class LayerBuilder {
  readonly fields: PacketField[] = [];

  constructor(
    readonly name: string,
    readonly offset: number,
  ) {}

  add(name: string, value: string, offset: number, length: number, bad?: boolean): void {
    this.fields.push(bad ? { name, value, offset, length, bad } : { name, value, offset, length });
  }

  finish(length: number): PacketLayer {
    return { name: this.name, offset: this.offset, length, fields: this.fields };
  }
}

/** A decoder's answer: the next offset, or an error that stops decoding. */
export type Step = { readonly next: number } | { readonly error: string };

export function u16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

export function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

export function hex(v: number, digits: number): string {
  return `0x${v.toString(16).padStart(digits, '0')}`;
}

/** "17 (UDP)", or the bare number when it has no name. */
export function named(v: number, names: Readonly<Record<number, string>>, text = String(v)): string {
  const name = names[v];
  return name === undefined ? text : `${text} (${name})`;
}

export function truncated(at: number, what: string, have: number, need: number): string {
  return `byte ${at}: truncated ${what}: ${have} of ${need} bytes`;
}

/**
 * Adds a checksum field: "good" when the covered bytes (field included) sum to 0xffff, else
 * "bad, expected …" with the value a sender would have written. `why` explains a checksum that
 * cannot be checked here (a fragment, an unknown routing header).
 */
export function checksumField(layer: LayerBuilder, b: Uint8Array, at: number, covered: { start: number; end: number; pseudo: number; expected: () => number } | string): void {
  const value = u16(b, at);
  if (typeof covered === 'string') {
    layer.add('checksum', `${hex(value, 4)} (not checked: ${covered})`, at, 2);
    return;
  }
  if (verifyChecksum(b, covered.start, covered.end, covered.pseudo)) layer.add('checksum', `${hex(value, 4)} (good)`, at, 2);
  else layer.add('checksum', `${hex(value, 4)} (bad, expected ${hex(covered.expected(), 4)})`, at, 2, true);
}
