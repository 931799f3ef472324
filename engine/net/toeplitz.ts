// The Toeplitz hash NICs use for RSS (Microsoft's "Verifying the RSS Hash Calculation"; Intel
// 82599 datasheet §7.1.2.8): for every 1 bit of the input, most significant first, XOR in the
// key's 32 bits starting at that bit position. Precomputed per key into one table per input byte
// position, so a 12-byte IPv4 tuple costs 12 table lookups instead of 96 bit steps.

/** The hash types of the kernel's enum xdp_rss_hash_type (include/net/xdp.h). */
export const XDP_RSS = {
  L3_IPV4: 1,
  L3_IPV6: 2,
  L3_DYNHDR: 4,
  L4: 8,
  L4_TCP: 16,
  L4_UDP: 32,
  L4_SCTP: 64,
  L4_IPSEC: 128,
  L4_ICMP: 256,
} as const;

/** Longest input: IPv6 addresses and ports (16 + 16 + 2 + 2). */
export const MAX_TOEPLITZ_INPUT = 36;

/** Tables made for the keys used lately: a run makes its NIC anew, usually with the default key. */
const recent = new Map<string, Toeplitz>();
const RECENT_KEYS = 8;

/** The Toeplitz hash of `key`, its table made once for the last few keys seen. */
export function toeplitzFor(key: Uint8Array): Toeplitz {
  const id = Array.from(key, (b) => b.toString(16).padStart(2, '0')).join('');
  const hit = recent.get(id);
  if (hit) return hit;
  const t = new Toeplitz(Uint8Array.from(key));
  recent.set(id, t);
  if (recent.size > RECENT_KEYS) recent.delete(recent.keys().next().value ?? '');
  return t;
}

export class Toeplitz {
  /** table[pos * 256 + byte]: the hash contribution of `byte` at input position `pos`. */
  private readonly table: Uint32Array;

  constructor(readonly key: Uint8Array) {
    if (key.length < MAX_TOEPLITZ_INPUT + 4) throw new Error(`a Toeplitz key needs at least ${MAX_TOEPLITZ_INPUT + 4} bytes to hash ${MAX_TOEPLITZ_INPUT}-byte inputs, not ${key.length}`);
    this.table = new Uint32Array(MAX_TOEPLITZ_INPUT * 256);
    for (let pos = 0; pos < MAX_TOEPLITZ_INPUT; pos++) {
      for (let bit = 0; bit < 8; bit++) {
        const window = keyWindow(key, pos * 8 + bit);
        const mask = 0x80 >> bit;
        for (let b = 0; b < 256; b++) if (b & mask) this.table[pos * 256 + b] = (this.table[pos * 256 + b] ?? 0) ^ window;
      }
    }
  }

  /** The hash of `input[0, length)` (network byte order), as an unsigned 32-bit number. */
  hash(input: Uint8Array, length = input.length): number {
    let h = 0;
    const t = this.table;
    for (let i = 0; i < length; i++) h ^= t[(i << 8) | (input[i] ?? 0)] ?? 0;
    return h >>> 0;
  }
}

/** The 32 key bits starting at bit `offset` (MSB first). */
function keyWindow(key: Uint8Array, offset: number): number {
  const byte = offset >> 3;
  const shift = offset & 7;
  const word = (((key[byte] ?? 0) << 24) | ((key[byte + 1] ?? 0) << 16) | ((key[byte + 2] ?? 0) << 8) | (key[byte + 3] ?? 0)) >>> 0;
  if (shift === 0) return word;
  return ((word << shift) | ((key[byte + 4] ?? 0) >> (8 - shift))) >>> 0;
}

/** The straightforward bit-by-bit definition, for tests. */
export function toeplitzReference(key: Uint8Array, input: Uint8Array): number {
  let h = 0;
  for (let i = 0; i < input.length * 8; i++) if (((input[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) h = (h ^ keyWindow(key, i)) >>> 0;
  return h;
}
