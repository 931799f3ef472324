// Hex text of map keys, values and pointers, as the initial-contents contract and the map views
// write them.

export { toHex, parseHexBytes as parseHex } from '../../program/hex.ts';

/** A 64-bit guest pointer as 0xffff8881_…-style text (16 hex digits). */
export function pointerHex(ptr: bigint): string {
  return `0x${BigInt.asUintN(64, ptr).toString(16).padStart(16, '0')}`;
}

/** `n` as `size` little-endian bytes (size 1..8). */
export function leBytes(n: number | bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let v = BigInt.asUintN(64, BigInt(n));
  for (let i = 0; i < size; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The u32 at the start of a key or value (little-endian). */
export function u32At(bytes: Uint8Array, offset = 0): number {
  return ((bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8) | ((bytes[offset + 2] ?? 0) << 16) | ((bytes[offset + 3] ?? 0) << 24)) >>> 0;
}

export function isZero(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0) return false;
  return true;
}

/** Whether the `size` bytes at `offset` are all zero (without copying them). */
export function zeroAt(bytes: Uint8Array, offset: number, size: number): boolean {
  const end = offset + size;
  for (let i = offset; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}
