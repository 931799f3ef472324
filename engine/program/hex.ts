// Hex text of bytes, both ways, as people write it (`0a 1b`, `0a1b`, `0x0a1b`, `0a:1b`): map
// contents, input memory, command-line options, share state.

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Bytes from hex text, or undefined when it is not hex bytes. */
export function parseHexBytes(text: string): Uint8Array | undefined {
  const clean = text.trim().replace(/^0x/i, '').replace(/[\s:,_-]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return undefined;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
