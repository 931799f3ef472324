// Mutators shared by the surfaces: edits to text, to bytes and to JSON values, and the values
// that break careless code — Object.prototype names, numbers at the edges of every range,
// odd Unicode. Every choice comes from the case's Rng.

import type { Rng } from './case.ts';

/** Names that an object used as a dictionary answers by itself. */
export const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupSetter__', 'prototype'];

export const ODD_TEXT = ['', ' ', '\t', '\u00e9', '\u{1f600}', '\u0000', '\ud800', '\u202e', '\r', '\r\n', '\\', '"', "'", '`', '${x}', '<b>x</b>', '%s', '%n', 'NaN', 'null', 'undefined', '-0', '0x', '1e400'];

export const EDGE_NUMBERS = [0, -0, 1, -1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 511, 512, 1023, 1024, 4095, 4096, 65535, 65536, 0x7fffffff, 0x80000000, 0xffffffff, 2 ** 32, 2 ** 53 - 1, 2 ** 53, -(2 ** 31), 0.5, 1.5, 1e-300, 1e300, Number.MAX_VALUE, Number.MIN_VALUE];

/** A number: small, at an edge, or anything. */
export function anyNumber(rng: Rng): number {
  const r = rng.below(10);
  if (r < 4) return rng.below(20) - 4;
  if (r < 8) return rng.pick(EDGE_NUMBERS);
  if (r < 9) return rng.i32();
  return (rng.u32() / 0x1_0000_0000) * 10 ** rng.below(20) * (rng.chance(0.5) ? 1 : -1);
}

/** A short string: a prototype name, odd text, or random characters. */
export function anyString(rng: Rng): string {
  const r = rng.below(6);
  if (r === 0) return rng.pick(PROTO_NAMES);
  if (r === 1) return rng.pick(ODD_TEXT);
  if (r === 2) return 'x'.repeat(rng.pick([1, 15, 16, 17, 64, 256, 1000]));
  let s = '';
  const n = rng.below(12);
  for (let i = 0; i < n; i++) s += String.fromCharCode(rng.chance(0.9) ? 32 + rng.below(95) : rng.below(0x3000));
  return s;
}

/** Any JSON value, nested at most `depth` levels. */
export function anyJson(rng: Rng, depth = 2): unknown {
  const r = rng.below(depth > 0 ? 8 : 6);
  switch (r) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
    case 3:
      return anyNumber(rng);
    case 4:
    case 5:
      return anyString(rng);
    case 6:
      return Array.from({ length: rng.below(4) }, () => anyJson(rng, depth - 1));
    default: {
      const o: Record<string, unknown> = {};
      const n = rng.below(4);
      for (let i = 0; i < n; i++) define(o, rng.chance(0.3) ? rng.pick(PROTO_NAMES) : anyString(rng), anyJson(rng, depth - 1));
      return o;
    }
  }
}

/** Sets an own property, even one named `__proto__` (as JSON.parse would). */
export function define(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * One JSON-aware mutation of `value` (a copy): a field set to another type, removed, added,
 * a number moved to an edge, a list grown or cut, a prototype name as a key. `keys` are field
 * names worth adding (the format's own), so mutations reach past the first check.
 */
export function mutateJson(rng: Rng, value: unknown, keys: readonly string[] = [], edits = 1 + rng.below(3)): unknown {
  let v = structuredClone(value);
  for (let e = 0; e < edits; e++) v = mutateOnce(rng, v, keys, 0);
  return v;
}

function mutateOnce(rng: Rng, v: unknown, keys: readonly string[], depth: number): unknown {
  const containers = Array.isArray(v) ? v.length > 0 : typeof v === 'object' && v !== null && Object.keys(v).length > 0;
  // Usually descend into a child; sometimes replace this whole value (the whole input, rarely).
  if (containers && depth < 8 && rng.chance(depth === 0 ? 0.97 : 0.75)) {
    if (Array.isArray(v)) {
      const i = rng.below(v.length);
      const what = rng.below(8);
      if (what === 0) v.splice(i, 1);
      else if (what === 1) v.splice(i, 0, structuredClone(v[i]));
      else if (what === 2) v.push(anyJson(rng));
      else v[i] = mutateOnce(rng, v[i], keys, depth + 1);
      return v;
    }
    const o = v as Record<string, unknown>;
    const own = Object.keys(o);
    const what = rng.below(10);
    if (what === 0) delete o[rng.pick(own)];
    else if (what === 1) define(o, keys.length && rng.chance(0.6) ? rng.pick(keys) : rng.chance(0.5) ? rng.pick(PROTO_NAMES) : anyString(rng), anyJson(rng));
    else {
      const k = rng.pick(own);
      define(o, k, mutateOnce(rng, o[k], keys, depth + 1));
    }
    return o;
  }
  return replacement(rng, v);
}

/** Another value in place of `v`: nearby when it is a number or text, anything otherwise. */
function replacement(rng: Rng, v: unknown): unknown {
  if (typeof v === 'number' && rng.chance(0.6)) {
    const r = rng.below(6);
    if (r === 0) return v + 1;
    if (r === 1) return v - 1;
    if (r === 2) return v * 2;
    if (r === 3) return -v;
    if (r === 4) return v + 0.5;
    return rng.pick(EDGE_NUMBERS);
  }
  if (typeof v === 'string' && rng.chance(0.6)) return rng.chance(0.5) ? mutateText(rng, v, 1) : rng.chance(0.5) ? rng.pick(PROTO_NAMES) : v + v;
  return anyJson(rng);
}

/** Character-level edits of `text`: deletions, insertions from `vocab`, single characters, repeats. */
export function mutateText(rng: Rng, text: string, edits = 1 + rng.below(4), vocab: readonly string[] = ODD_TEXT): string {
  let t = text;
  for (let e = 0; e < edits; e++) {
    const at = rng.below(t.length + 1);
    switch (rng.below(7)) {
      case 0:
        t = t.slice(0, at) + t.slice(at + 1 + rng.below(8));
        break;
      case 1:
        t = t.slice(0, at) + rng.pick(vocab) + t.slice(at);
        break;
      case 2:
        t = t.slice(0, at) + String.fromCharCode(rng.below(128)) + t.slice(at + 1);
        break;
      case 3: {
        const len = 1 + rng.below(16);
        t = t.slice(0, at) + t.slice(at, at + len).repeat(1 + rng.below(4)) + t.slice(at + len);
        break;
      }
      case 4:
        t = t.slice(0, at) + rng.pick(PROTO_NAMES) + t.slice(at);
        break;
      case 5:
        t = t.slice(0, at);
        break;
      default:
        t = t.slice(0, at) + String.fromCharCode(rng.below(0x10000)) + t.slice(at);
    }
  }
  return t;
}

/** Line-level edits: lines deleted, duplicated, swapped or replaced by generated ones. */
export function mutateLines(rng: Rng, text: string, makeLine: (rng: Rng) => string, edits = 1 + rng.below(4)): string {
  const lines = text.split('\n');
  for (let e = 0; e < edits; e++) {
    const i = rng.below(lines.length);
    switch (rng.below(5)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, lines[i] ?? '');
        break;
      case 2: {
        const j = rng.below(lines.length);
        const a = lines[i] ?? '';
        lines[i] = lines[j] ?? '';
        lines[j] = a;
        break;
      }
      default:
        lines.splice(i, rng.below(2), makeLine(rng));
    }
  }
  return lines.join('\n');
}

/** Byte-level edits: flips, random bytes, interesting values, cuts and insertions. */
export function mutateBytes(rng: Rng, bytes: Uint8Array, edits = 1 + rng.below(6)): Uint8Array {
  let b = bytes.slice();
  for (let e = 0; e < edits; e++) {
    const at = rng.below(Math.max(1, b.length));
    switch (rng.below(7)) {
      case 0:
        if (b.length) b[at] = (b[at] ?? 0) ^ (1 << rng.below(8));
        break;
      case 1:
        if (b.length) b[at] = rng.below(256);
        break;
      case 2:
        if (b.length) b[at] = rng.pick([0, 1, 0x7f, 0x80, 0xff]);
        break;
      case 3: {
        // A 32-bit field set to an edge value, either byte order.
        if (b.length >= 4) {
          const v = rng.pick([0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0xffff, 0x10000, 999_999_999, 1_000_000_000, 0x3b9aca00, rng.u32()]);
          new DataView(b.buffer, b.byteOffset).setUint32(Math.min(at, b.length - 4), v, rng.chance(0.5));
        }
        break;
      }
      case 4:
        b = b.slice(0, at);
        break;
      case 5: {
        const extra = Uint8Array.from({ length: 1 + rng.below(16) }, () => rng.below(256));
        const out = new Uint8Array(b.length + extra.length);
        out.set(b.subarray(0, at));
        out.set(extra, at);
        out.set(b.subarray(at), at + extra.length);
        b = out;
        break;
      }
      default: {
        // A run of bytes copied elsewhere (records repeated, headers moved).
        const len = Math.min(b.length - at, 1 + rng.below(32));
        const from = rng.below(Math.max(1, b.length - len));
        b.copyWithin(at, from, from + len);
      }
    }
  }
  return b;
}

/** Bytes as lower-case hex. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** A JSON value as text for --replay, with long strings shortened so the shape shows. */
export function showJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' && x.length > 200 ? `${x.slice(0, 200)}… (${x.length} chars)` : x), 1) ?? String(v);
  } catch {
    return String(v);
  }
}
