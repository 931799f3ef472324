// Addresses as text and as bytes: IPv4 dotted quads, IPv6 (RFC 4291 §2.2 input, RFC 5952
// canonical output) and Ethernet MACs. Parsers answer null for anything malformed.

/** "10.0.0.1" → 4 bytes; leading zeros are refused ("010" reads as octal in some tools). */
export function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** "2001:db8::1", "::", "::ffff:10.0.0.1" → 16 bytes (RFC 4291 §2.2). Zone ids ("%eth0") are refused. */
export function parseIpv6(text: string): Uint8Array | null {
  let groups = text;
  let tail: Uint8Array | null = null;
  // An embedded IPv4 address takes the last 32 bits (RFC 4291 §2.2, form 3).
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.indexOf('.', lastColon) >= 0) {
    tail = parseIpv4(text.slice(lastColon + 1));
    if (tail === null) return null;
    // Keep a "::" that ends just before the IPv4 part ("::ffff:1.2.3.4" vs "::1.2.3.4").
    groups = text.slice(0, text[lastColon - 1] === ':' ? lastColon + 1 : lastColon);
  }
  const wanted = tail === null ? 8 : 6;
  const halves = groups.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const rest = halves.length === 2 ? (halves[1] === '' ? [] : halves[1].split(':')) : [];
  if (halves.length === 1 && head.length !== wanted) return null;
  // "::" stands for at least one group of zeros (RFC 5952 §4.2.2 forbids it for none).
  if (halves.length === 2 && head.length + rest.length >= wanted) return null;
  const out = new Uint8Array(16);
  const put = (list: readonly string[], start: number): boolean => {
    for (let i = 0; i < list.length; i++) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(list[i])) return false;
      const v = parseInt(list[i], 16);
      out[(start + i) * 2] = v >> 8;
      out[(start + i) * 2 + 1] = v & 0xff;
    }
    return true;
  };
  if (!put(head, 0) || !put(rest, wanted - rest.length)) return null;
  if (tail !== null) out.set(tail, 12);
  return out;
}

/** RFC 5952 §4: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as "::", the first on a tie. */
export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((bytes[offset + 2 * i] << 8) | bytes[offset + 2 * i + 1]);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (list: number[]): string => list.map((v) => v.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

/** Either family: 4 or 16 bytes, or null. */
export function parseIp(text: string): Uint8Array | null {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

/** "02:00:00:00:00:01" (or with '-') → 6 bytes. */
export function parseMac(text: string): Uint8Array | null {
  const m = /^([0-9a-fA-F]{2})([:-])([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})$/.exec(text);
  if (!m) return null;
  return Uint8Array.from([m[1], m[3], m[4], m[5], m[6], m[7]].map((h) => parseInt(h, 16)));
}

export function formatMac(bytes: Uint8Array, offset = 0): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(bytes[offset + i].toString(16).padStart(2, '0'));
  return parts.join(':');
}
