// The Internet checksum (RFC 1071): the one's complement of the one's complement sum of 16-bit
// big-endian words, as IPv4, UDP, TCP, ICMP and ICMPv6 use it, with the pseudo-headers of
// RFC 768 / RFC 9293 §3.1 (IPv4) and RFC 8200 §8.1 (IPv6), and RFC 1624's incremental update.

/**
 * Adds the 16-bit big-endian words of bytes[start, end) to `sum` without folding (an odd last
 * byte counts as its high half, RFC 1071 §4.1). Unfolded sums can be added together and folded
 * once: 64 KiB of 0xffff words stays below 2^31.
 */
export function onesSum(bytes: Uint8Array, start: number, end: number, sum = 0): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (i < end) sum += bytes[i] << 8;
  return sum;
}

/** Folds the carries of an unfolded sum back into 16 bits (end-around carry). */
export function foldSum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The checksum field value for an unfolded sum of everything it covers (the field itself as 0). */
export function finishChecksum(sum: number): number {
  return ~foldSum(sum) & 0xffff;
}

/** The checksum of bytes[start, end), with an unfolded `initial` sum (a pseudo-header) added. */
export function internetChecksum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  return finishChecksum(onesSum(bytes, start, end, initial));
}

/**
 * The unfolded sum of the pseudo-header: source and destination addresses (4 or 16 bytes each,
 * read from `bytes` at srcOffset and dstOffset), the protocol and the upper-layer length.
 * IPv4 (RFC 768, RFC 9293 §3.1): zero byte, protocol, 16-bit length. IPv6 (RFC 8200 §8.1):
 * 32-bit length, three zero bytes, next header — the same words once summed.
 */
export function pseudoHeaderSum(bytes: Uint8Array, srcOffset: number, dstOffset: number, addrLength: 4 | 16, protocol: number, length: number): number {
  let sum = onesSum(bytes, srcOffset, srcOffset + addrLength);
  sum = onesSum(bytes, dstOffset, dstOffset + addrLength, sum);
  return sum + protocol + (length >>> 16) + (length & 0xffff);
}

/** The correct IPv4 header checksum of the header at `offset` (its own field counted as zero). */
export function ipv4HeaderChecksum(bytes: Uint8Array, offset: number): number {
  const headerLength = (bytes[offset] & 0x0f) * 4;
  const field = (bytes[offset + 10] << 8) | bytes[offset + 11];
  return finishChecksum(onesSum(bytes, offset, offset + headerLength) - field);
}

/**
 * The correct checksum of a message at bytes[start, end) whose checksum field is at
 * `fieldOffset`, with an unfolded pseudo-header sum (0 for ICMPv4, RFC 792).
 */
export function messageChecksum(bytes: Uint8Array, start: number, end: number, fieldOffset: number, pseudo = 0): number {
  const field = (bytes[fieldOffset] << 8) | bytes[fieldOffset + 1];
  return finishChecksum(onesSum(bytes, start, end, pseudo) - field);
}

/** A UDP checksum as sent: a computed 0 goes out as 0xffff, since 0 means "none" (RFC 768). */
export function udpWireChecksum(checksum: number): number {
  return checksum === 0 ? 0xffff : checksum;
}

/** True when a region including its checksum field sums to 0xffff (RFC 1071 §1, step 3). */
export function verifyChecksum(bytes: Uint8Array, start: number, end: number, pseudo = 0): boolean {
  return foldSum(onesSum(bytes, start, end, pseudo)) === 0xffff;
}

/**
 * The checksum after one 16-bit word of the covered data changes from `oldWord` to `newWord`:
 * HC' = ~(~HC + ~m + m') (RFC 1624 eqn. 3, which gets the +0/-0 case right where RFC 1141's
 * formula gives 0xffff instead of 0x0000).
 */
export function updateChecksum(checksum: number, oldWord: number, newWord: number): number {
  return ~foldSum((~checksum & 0xffff) + (~oldWord & 0xffff) + newWord) & 0xffff;
}
