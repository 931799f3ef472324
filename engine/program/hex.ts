// Hex text of bytes, both ways, as people write it (`0a 1b`, `0a1b`, `0x0a1b`, `0a:1b`): map
// contents, input memory, command-line options, share state.

/** Each byte value's two digits, and the digits as ASCII codes. */
const PAIRS = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const DIGITS = new TextEncoder().encode('0123456789abcdef');
const ASCII = new TextDecoder('ascii');

export function toHex(bytes: Uint8Array): string {
  // Keys (hash maps look them up by their hex, packet after packet) are short: append.
  if (bytes.length <= 64) {
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += PAIRS[bytes[i] ?? 0];
    return s;
  }
  // Long values: digits into one buffer, decoded once — a flat string in linear time (appending
  // two characters at a time builds a rope, and 32 values of a megabyte took gigabytes).
  const out = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    out[2 * i] = DIGITS[b >> 4] ?? 0;
    out[2 * i + 1] = DIGITS[b & 15] ?? 0;
  }
  return ASCII.decode(out);
}

/** Bytes from hex text, or undefined when it is not hex bytes. */
export function parseHexBytes(text: string): Uint8Array | undefined {
  const clean = text.trim().replace(/^0x/i, '').replace(/[\s:,_-]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return undefined;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
