// The share link: the whole document in the URL fragment as `#v1/` + base64url(deflate-raw(JSON)),
// so a program travels without a server and never reaches one. Decoding reads links from
// strangers and chat apps: it never throws, and every failure comes back as a message a user
// understands. Curated examples use `#example/<id>` instead. A link made in a graded lesson also
// names the lesson (`lesson`: its id), so it opens that lesson with the code it carries; a
// playground that predates lessons ignores the field and opens the code as a program.

import { canonicalDocument, describeValue, formatBytes, isPlainObject, utf8Length, validateDocument, type PlaygroundDocument } from '../state/document.ts';

/** The payload version this playground writes; decoders must keep reading every older one. */
export const SHARE_VERSION = 1;
/** Above this many characters a link gets cut or refused by chat apps (Discord: 2,000). */
export const SHARE_WARN_LENGTH = 2000;
/**
 * The largest JSON a link may unpack to, enforced while inflating so a tiny "deflate bomb"
 * cannot fill memory, and low enough that reading it never holds the page up (a link under
 * 64 KB can inflate to this much). It holds any program up to the 1 MiB source cap written by
 * hand; a document above it (the largest valid ones reach MAX_DOCUMENT_JSON_BYTES, 14.3 MB) is
 * refused by Share, which offers the `.bpfp.json` file instead.
 */
export const MAX_PAYLOAD_BYTES = 2 * 1024 * 1024;
/** Longest fragment worth decoding: the largest payload stored uncompressed, in base64. */
const MAX_LINK_CHARS = Math.ceil((MAX_PAYLOAD_BYTES + 64 * 1024) / 3) * 4;

export type DecodeOutcome =
  /** `lesson`: the graded lesson the program is an attempt at. */
  | { ok: true; doc: PlaygroundDocument; lesson?: string }
  | { ok: false; error: string }
  | { ok: 'none' }
  | { ok: 'example'; id: string };

export type ShareLink =
  | { ok: true; hash: string; url: string; length: number; tooLong: boolean }
  /** tooLarge: the document is valid but more than a link holds; share it as a file. */
  | { ok: false; error: string; tooLarge?: boolean };

/** The JSON object a link (and a `.bpfp.json` file) carries: the version first, then the document. */
export function documentPayload(doc: PlaygroundDocument, lesson?: string): Record<string, unknown> {
  return { v: SHARE_VERSION, ...canonicalDocument(doc), ...(lesson ? { lesson } : {}) };
}

const LESSON_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** The graded lesson a payload names, when it names a plausible one. */
export function lessonOfPayload(x: unknown): string | undefined {
  return isPlainObject(x) && typeof x.lesson === 'string' && LESSON_ID.test(x.lesson) ? x.lesson : undefined;
}

export type PayloadResult =
  | { ok: true; doc: PlaygroundDocument }
  /** foreign: not a playground payload; newer: `version` is above SHARE_VERSION; invalid: a field is wrong. */
  | { ok: false; problem: 'foreign' | 'newer' | 'invalid'; version?: number; detail: string };

/** Reads a payload of any version this playground ever wrote; callers word the failure. */
export function documentFromPayload(x: unknown): PayloadResult {
  if (!isPlainObject(x)) return { ok: false, problem: 'foreign', detail: `expected an object, found ${describeValue(x)}` };
  const v = x.v;
  if (v === undefined) return { ok: false, problem: 'foreign', detail: 'it has no version number' };
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return { ok: false, problem: 'foreign', detail: `its version is ${describeValue(v)}` };
  if (v > SHARE_VERSION) return { ok: false, problem: 'newer', version: v, detail: `format v${v}` };
  // v1 is the only version so far; a v2 would migrate older payloads forward here, and keep
  // reading them forever (links live in old chats and slides).
  const checked = validateDocument(x);
  return checked.ok ? checked : { ok: false, problem: 'invalid', detail: checked.error };
}

/**
 * Same document, same link: keys are written in a fixed order and line endings as LF. Rejects
 * only where the browser has no CompressionStream; createShareLink turns that into a message.
 */
export async function encodeShare(doc: PlaygroundDocument, lesson?: string): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(documentPayload(doc, lesson)));
  const packed = await transform(new CompressionStream('deflate-raw'), json, Number.POSITIVE_INFINITY);
  if (!packed.ok) throw new Error(packed.error); // compressing our own JSON does not fail
  return `#v${SHARE_VERSION}/${toBase64Url(packed.bytes)}`;
}

/**
 * What the Share button needs: validates first (so the link is sure to open), then encodes,
 * and says whether the URL is long enough to be cut in chat — then the app offers the
 * `.bpfp.json` download instead. Never throws.
 */
export async function createShareLink(doc: PlaygroundDocument, baseHref: string, lesson?: string): Promise<ShareLink> {
  const checked = validateDocument(doc);
  if (!checked.ok) return { ok: false, error: `This program cannot be shared: ${checked.error}.` };
  const size = utf8Length(JSON.stringify(documentPayload(checked.doc)));
  if (size > MAX_PAYLOAD_BYTES) {
    return { ok: false, tooLarge: true, error: `This program is too large for a link (${formatBytes(size)} of data; links hold up to ${formatBytes(MAX_PAYLOAD_BYTES)}). Share it as a .bpfp.json file instead.` };
  }
  try {
    const hash = await encodeShare(checked.doc, lesson);
    const url = shareUrl(baseHref, hash);
    return { ok: true, hash, url, length: url.length, tooLong: url.length > SHARE_WARN_LENGTH };
  } catch (e) {
    return { ok: false, error: `This browser could not make the link (${e instanceof Error ? e.message : String(e)}).` };
  }
}

/** `baseHref` with its fragment replaced by `hash` (query and path kept). */
export function shareUrl(baseHref: string, hash: string): string {
  const cut = baseHref.indexOf('#');
  const base = cut < 0 ? baseHref : baseHref.slice(0, cut);
  if (hash === '' || hash === '#') return base;
  return base + (hash.startsWith('#') ? hash : `#${hash}`);
}

export function exampleHash(id: string): string {
  return `#example/${id}`;
}

/** Stages of decoding, in order; of several failed attempts the one that got furthest explains best. */
const Stage = { Foreign: 0, Characters: 1, Inflate: 2, Contents: 3 } as const;

interface Failure {
  readonly stage: (typeof Stage)[keyof typeof Stage];
  readonly error: string;
}

/**
 * Decodes a location hash (with or without its `#`). Chat apps and mail clients mangle links,
 * so after a failure it retries with the fragment percent-decoded once (as the TypeScript
 * playground does) and with trailing sentence punctuation removed, which base64url never ends in.
 */
export async function decodeShare(hash: string): Promise<DecodeOutcome> {
  try {
    const first = hash.trim();
    if (first === '' || first === '#') return { ok: 'none' };
    const attempts: string[] = [];
    const add = (s: string): void => {
      if (!attempts.includes(s)) attempts.push(s);
      const stripped = s.replace(/[.,;:!?'")\]}>»”’]+$/u, '');
      if (stripped !== s && !attempts.includes(stripped)) attempts.push(stripped);
    };
    add(first);
    const unescaped = percentDecode(first);
    if (unescaped !== undefined) add(unescaped);

    let best: Failure | undefined;
    for (const attempt of attempts) {
      const r = await decodeOnce(attempt);
      if (!('stage' in r)) return r;
      if (!best || r.stage > best.stage) best = r;
    }
    return { ok: false, error: (best ?? { error: DAMAGED_CORRUPT }).error };
  } catch (e) {
    // Nothing above should throw; if a browser surprises us, still answer with a value.
    return { ok: false, error: `This link could not be opened (${e instanceof Error ? e.message : String(e)}).` };
  }
}

const DAMAGED_CUT = 'This link is damaged: it was cut short (the compressed data ends early). Copy the whole link again.';
const DAMAGED_CORRUPT = 'This link is damaged: its compressed data is corrupted.';

function newerMessage(v: number): string {
  return `This link was made by a newer playground (link format v${v}; this page reads up to v${SHARE_VERSION}). Reload the page to get the latest version.`;
}

async function decodeOnce(hash: string): Promise<DecodeOutcome | Failure> {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;

  const example = /^example\/(.*)$/s.exec(fragment);
  if (example) {
    const id = example[1] ?? '';
    if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id)) return { ok: 'example', id };
    return { stage: Stage.Characters, error: `This example link is damaged: ${describeValue(id)} is not an example name.` };
  }

  const versioned = /^v(\d{1,6})\/(.*)$/s.exec(fragment);
  if (!versioned) {
    const shown = fragment.length > 40 ? `${fragment.slice(0, 40)}…` : fragment;
    return { stage: Stage.Foreign, error: `This address ends in “#${shown}”, which is not a playground link (those start with #v1/ or #example/).` };
  }
  const version = Number(versioned[1]);
  if (version > SHARE_VERSION) return { stage: Stage.Contents, error: newerMessage(version) };
  if (version < 1) return { stage: Stage.Foreign, error: `This link uses format v${version}, which no playground ever wrote.` };

  // Line breaks and spaces sneak in when a long link is wrapped in mail; base64url has none.
  const text = (versioned[2] ?? '').replace(/\s+/g, '');
  if (text === '') return { stage: Stage.Characters, error: `This link is damaged: it holds no program (nothing follows #v${version}/).` };
  if (text.length > MAX_LINK_CHARS) return { stage: Stage.Characters, error: 'This link is far too long to be a playground link; it was not opened.' };
  const bad = /[^A-Za-z0-9_-]/.exec(text);
  if (bad) return { stage: Stage.Characters, error: `This link is damaged: it contains ${JSON.stringify(bad[0])}, which a playground link never holds (was it edited or re-encoded?).` };
  // One leftover base64 character carries only 6 bits: the text was cut mid-byte.
  if (text.length % 4 === 1) return { stage: Stage.Inflate, error: DAMAGED_CUT };

  const packed = fromBase64Url(text);
  if (typeof DecompressionStream !== 'function') {
    return { stage: Stage.Inflate, error: 'This browser cannot open playground links (it has no DecompressionStream); please use a current browser.' };
  }
  const inflated = await transform(new DecompressionStream('deflate-raw'), packed, MAX_PAYLOAD_BYTES);
  if (!inflated.ok && inflated.reason === 'too-large') {
    return { stage: Stage.Inflate, error: `This link unpacks to more than ${formatBytes(MAX_PAYLOAD_BYTES)}, more than any playground link holds, so it was not opened (larger programs travel as .bpfp.json files).` };
  }
  if (!inflated.ok) {
    // A stream that ends early fails only at its end, after yielding a clean prefix of the
    // JSON; engines word that error differently (Node: "unexpected end of file", Chromium:
    // "…truncated"), so both the message and the output are consulted.
    const complete = readContents(inflated.partial);
    // Bytes after a complete stream: Chromium reports them, Node ignores them. The document
    // is whole either way, so open it.
    if (complete.ok === true) return complete;
    const prefix = new TextDecoder().decode(inflated.partial);
    const cut = /end of (file|input|stream|data)|truncated|ended|incomplete/i.test(inflated.error) || (prefix.length > 0 && '{"v":'.startsWith(prefix.slice(0, 5)) && !prefix.includes('\uFFFD'));
    return { stage: Stage.Inflate, error: cut ? DAMAGED_CUT : DAMAGED_CORRUPT };
  }
  const contents = readContents(inflated.bytes);
  return contents.ok === true ? contents : { stage: Stage.Contents, error: contents.error };
}

function readContents(bytes: Uint8Array): { ok: true; doc: PlaygroundDocument; lesson?: string } | { ok: false; error: string } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, error: 'This link is damaged: its contents are not valid text.' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'This link is damaged: its contents are not a playground document (not JSON).' };
  }
  const doc = documentFromPayload(json);
  if (doc.ok) {
    const lesson = lessonOfPayload(json);
    return lesson ? { ...doc, lesson } : doc;
  }
  switch (doc.problem) {
    case 'newer':
      return { ok: false, error: newerMessage(doc.version ?? SHARE_VERSION + 1) };
    case 'foreign':
      return { ok: false, error: `This link is damaged: its contents are not a playground document (${doc.detail}).` };
    case 'invalid':
      return { ok: false, error: `This link holds a program the playground cannot open: ${doc.detail}.` };
  }
}

function percentDecode(s: string): string | undefined {
  if (!s.includes('%')) return undefined;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

type Transformed =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: 'too-large'; error: string }
  | { ok: false; reason: 'failed'; error: string; partial: Uint8Array };

/**
 * Pushes `input` through a (de)compression stream, collecting at most `cap` bytes of output:
 * past the cap the stream is cancelled, so a bomb is stopped while it inflates.
 */
async function transform(stream: CompressionStream | DecompressionStream, input: Uint8Array, cap: number): Promise<Transformed> {
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  // The write side's errors reappear on the read side; swallowing them here keeps them from
  // surfacing as unhandled rejections.
  writer.write(new Uint8Array(input)).catch(() => undefined);
  writer.close().catch(() => undefined);

  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > cap) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, reason: 'too-large', error: 'too large' };
      }
      chunks.push(value);
    }
  } catch (e) {
    return { ok: false, reason: 'failed', error: e instanceof Error ? e.message : String(e), partial: concat(chunks, size) };
  }
  return { ok: true, bytes: concat(chunks, size) };
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUES = new Map([...ALPHABET].map((c, i) => [c.charCodeAt(0), i]));

/** RFC 4648 §5 base64url without padding: `=` is percent-encoded by some apps and trimmed by others. */
export function toBase64Url(bytes: Uint8Array): string {
  const parts: string[] = [];
  let line = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const n = (b0 << 16) | (b1 << 8) | b2;
    const left = bytes.length - i;
    line += ALPHABET.charAt((n >> 18) & 63) + ALPHABET.charAt((n >> 12) & 63);
    if (left > 1) line += ALPHABET.charAt((n >> 6) & 63);
    if (left > 2) line += ALPHABET.charAt(n & 63);
    // Join in pieces: repeated += on one huge string is slow in some engines.
    if (line.length >= 4096) {
      parts.push(line);
      line = '';
    }
  }
  parts.push(line);
  return parts.join('');
}

/** Inverse of toBase64Url; the caller has checked the alphabet and that length % 4 !== 1. */
export function fromBase64Url(text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let at = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    acc = ((acc << 6) | (VALUES.get(text.charCodeAt(i)) ?? 0)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, at);
}
