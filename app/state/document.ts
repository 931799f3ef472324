// The playground document: everything a share link, a saved draft and a downloaded
// `.bpfp.json` carry — the program text and the settings it runs with. Anything read from
// outside (a link, localStorage, a file) passes validateDocument before the app sees it.

import { describeValue, isPlainObject } from '../../engine/util/values.ts';
import type { KernelProfile } from '../../engine/worker/protocol.ts';

export { describeValue, isPlainObject };

export type { KernelProfile };
export type Dialect = 'auto' | 'llvm' | 'ubpf';
export type IsaLevel = 1 | 2 | 3 | 4;

export interface PlaygroundDocument {
  /** The program text, LF line endings. */
  source: string;
  dialect: Dialect;
  isa: IsaLevel;
  profile: KernelProfile;
  /** Number of simulated CPUs, 1..MAX_CPUS. */
  cpus: number;
  /** Hex bytes of a raw program's input memory, lower case, no spaces ('' = none). */
  input: string;
  /** The NIC's traffic profile (DESIGN.md "Traffic profile"); opaque JSON here. */
  traffic?: unknown;
  /** Initial contents of maps by map name; opaque JSON here. */
  maps?: Record<string, unknown>;
  /** The simulated system: tasks, cgroups, the tracepoint's event (opaque JSON; the engine validates). */
  scenario?: Record<string, unknown>;
  /** ctx_in of a syscall program, hex ('' = none). */
  ctx?: string;
  /** Id of the open panel. */
  panel: string;
  /** A program opened from a clang-built object with line info: its C view (app/share/c-view.ts). */
  c?: CSourceInfo;
}

/** What a document keeps of an opened object to offer its C view. */
export interface CSourceInfo {
  /** The C file's name (`prog.c`), as the object's line info has it. */
  readonly file: string;
  /** cDigest of the assembly as opened: the C view is offered while the text is still that one. */
  readonly digest: string;
  /** The whole .c file, when it was opened beside the object. */
  readonly text?: string;
  /** Which view the editor area shows. */
  readonly view: 'c' | 'asm';
}

const C_FILE = /^[^\n/\\]{1,255}$/;
const C_DIGEST = /^[0-9a-f]{8}$/;

function validateC(x: unknown): { ok: true; c: CSourceInfo } | { ok: false; error: string } {
  if (!isPlainObject(x)) return fail(`c must be an object (file, digest, view), not ${describeValue(x)}`);
  if (typeof x.file !== 'string' || !C_FILE.test(x.file)) return fail(`c.file must be a file name, not ${describeValue(x.file)}`);
  if (typeof x.digest !== 'string' || !C_DIGEST.test(x.digest)) return fail(`c.digest must be 8 hex digits, not ${describeValue(x.digest)}`);
  if (x.view !== 'c' && x.view !== 'asm') return fail(`c.view must be c or asm, not ${describeValue(x.view)}`);
  if (x.text === undefined || x.text === null) return { ok: true, c: { file: x.file, digest: x.digest, view: x.view } };
  if (typeof x.text !== 'string') return fail(`c.text must be text, not ${describeValue(x.text)}`);
  const text = normaliseLineEndings(x.text);
  const size = utf8Length(text);
  if (size > MAX_SOURCE_BYTES) {
    const [is, max] = formatOverLimit(size, MAX_SOURCE_BYTES);
    return fail(`c.text is ${is}; the playground keeps C files up to ${max}`);
  }
  return { ok: true, c: { file: x.file, digest: x.digest, text, view: x.view } };
}

export type DocumentResult = { ok: true; doc: PlaygroundDocument } | { ok: false; error: string };

export const DIALECTS: readonly Dialect[] = ['auto', 'llvm', 'ubpf'];
export const ISA_LEVELS: readonly IsaLevel[] = [1, 2, 3, 4];
// protocol.ts is imported for types only (lint rule), so the list is repeated here; the
// `satisfies` check fails to compile if a profile is added there but not here.
export const KERNEL_PROFILES = ['linux-6.3', 'linux-6.18'] as const satisfies readonly KernelProfile[];
type MissingProfile = Exclude<KernelProfile, (typeof KERNEL_PROFILES)[number]>;
const _allProfilesListed: [MissingProfile] extends [never] ? true : never = true;

export const MAX_CPUS = 4096;

export type CpusParse = { readonly ok: true; readonly value: number; readonly note?: string } | { readonly ok: false; readonly error: string };

/**
 * The CPU count field: a whole number is used, out of range clamped to 1..MAX_CPUS with a note
 * saying so; anything else is an error (and the field keeps the text as a draft).
 */
export function parseCpus(text: string): CpusParse {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) return { ok: false, error: `CPUs must be a whole number from 1 to ${MAX_CPUS.toLocaleString('en-US')}` };
  const n = Number(t);
  if (n < 1) return { ok: true, value: 1, note: 'At least 1 CPU: 1 is used' };
  if (n > MAX_CPUS) return { ok: true, value: MAX_CPUS, note: `At most ${MAX_CPUS.toLocaleString('en-US')} CPUs (the kernel's NR_CPUS here): ${MAX_CPUS.toLocaleString('en-US')} are used` };
  return { ok: true, value: n };
}
/** 1 MiB of UTF-8: tens of thousands of instructions, beyond any program written by hand. */
export const MAX_SOURCE_BYTES = 1024 * 1024;
/** Input memory of a raw program, in bytes. */
export const MAX_INPUT_BYTES = 64 * 1024;
/** Serialised size caps of the opaque parts. */
export const MAX_TRAFFIC_JSON_BYTES = 64 * 1024;
export const MAX_MAPS_JSON_BYTES = 1024 * 1024;
/** Nesting of the opaque parts; a traffic profile is four levels deep. */
export const MAX_JSON_DEPTH = 32;
/**
 * The largest JSON a valid document can be: JSON escapes at most 6 characters per source byte
 * (a control character becomes \u00XX) of the program and of an object's C file, the maps and
 * the scenario at their caps, the input and ctx as hex, and the few short fields. `.bpfp.json` files are allowed this much (and a little).
 */
export const MAX_DOCUMENT_JSON_BYTES = 12 * MAX_SOURCE_BYTES + 2 * MAX_MAPS_JSON_BYTES + MAX_TRAFFIC_JSON_BYTES + 4 * MAX_INPUT_BYTES + 4096;

export const DEFAULT_DOCUMENT: Readonly<PlaygroundDocument> = Object.freeze({
  source: '',
  dialect: 'auto',
  isa: 4,
  profile: 'linux-6.18',
  cpus: 8,
  input: '',
  panel: 'registers',
});

const PANEL_ID = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * Checks an untrusted value and returns a complete document. Missing fields take their
 * defaults (older or partial objects stay readable), unknown fields are dropped, and a value
 * that is present but wrong is refused with a message naming the field — guessing a program's
 * settings would make a link run differently from what its author saw. The one exception is
 * the panel, a view choice not worth refusing a link over.
 */
export function validateDocument(x: unknown): DocumentResult {
  if (!isPlainObject(x)) return fail(`a playground document must be an object, not ${describeValue(x)}`);

  const source = x.source ?? DEFAULT_DOCUMENT.source;
  if (typeof source !== 'string') return fail(`source must be text, not ${describeValue(source)}`);
  const text = normaliseLineEndings(source);
  const size = utf8Length(text);
  if (size > MAX_SOURCE_BYTES) {
    const [is, max] = formatOverLimit(size, MAX_SOURCE_BYTES);
    return fail(`source is ${is}; the playground takes programs up to ${max}`);
  }

  const dialect = x.dialect ?? DEFAULT_DOCUMENT.dialect;
  if (!DIALECTS.includes(dialect as Dialect)) return fail(`dialect must be ${oneOf(DIALECTS)}, not ${describeValue(dialect)}`);

  const isa = x.isa ?? DEFAULT_DOCUMENT.isa;
  if (!ISA_LEVELS.includes(isa as IsaLevel)) return fail(`isa must be 1, 2, 3 or 4, not ${describeValue(isa)}`);

  const profile = x.profile ?? DEFAULT_DOCUMENT.profile;
  if (!(KERNEL_PROFILES as readonly unknown[]).includes(profile)) return fail(`profile must be ${oneOf(KERNEL_PROFILES)}, not ${describeValue(profile)}`);

  const cpus = x.cpus ?? DEFAULT_DOCUMENT.cpus;
  if (typeof cpus !== 'number' || !Number.isInteger(cpus) || cpus < 1 || cpus > MAX_CPUS) return fail(`cpus must be 1..${MAX_CPUS}, not ${describeValue(cpus)}`);

  const input = normaliseHex(x.input ?? DEFAULT_DOCUMENT.input);
  if (!input.ok) return input;

  const doc: PlaygroundDocument = {
    source: text,
    dialect: dialect as Dialect,
    isa: isa as IsaLevel,
    profile: profile as KernelProfile,
    cpus,
    input: input.hex,
    panel: typeof x.panel === 'string' && PANEL_ID.test(x.panel) ? x.panel : DEFAULT_DOCUMENT.panel,
  };

  // null is what a JSON writer makes of "no traffic profile"; treat it as absent.
  if (x.traffic !== undefined && x.traffic !== null) {
    const problem = checkJson(x.traffic, 'traffic', MAX_TRAFFIC_JSON_BYTES);
    if (problem) return fail(problem);
    doc.traffic = x.traffic;
  }
  if (x.maps !== undefined && x.maps !== null) {
    if (!isPlainObject(x.maps)) return fail(`maps must be an object keyed by map name, not ${describeValue(x.maps)}`);
    const problem = checkJson(x.maps, 'maps', MAX_MAPS_JSON_BYTES);
    if (problem) return fail(problem);
    doc.maps = x.maps;
  }
  if (x.scenario !== undefined && x.scenario !== null) {
    if (!isPlainObject(x.scenario)) return fail(`scenario must be an object (tasks, cgroups, newtask, mkdir), not ${describeValue(x.scenario)}`);
    const problem = checkJson(x.scenario, 'scenario', MAX_MAPS_JSON_BYTES);
    if (problem) return fail(problem);
    doc.scenario = x.scenario;
  }
  if (x.ctx !== undefined && x.ctx !== null && x.ctx !== '') {
    const ctx = normaliseHex(x.ctx, 'ctx');
    if (!ctx.ok) return fail(ctx.error);
    doc.ctx = ctx.hex;
  }
  if (x.c !== undefined && x.c !== null) {
    const c = validateC(x.c);
    if (!c.ok) return fail(c.error);
    doc.c = c.c;
  }
  return { ok: true, doc };
}

/**
 * The document as JSON text with a fixed key order, and the keys of the opaque parts sorted,
 * so one document always gives one text (and one share link) whatever order it was built in.
 */
export function canonicalDocument(doc: PlaygroundDocument): Record<string, unknown> {
  const out: Record<string, unknown> = {
    source: normaliseLineEndings(doc.source),
    dialect: doc.dialect,
    isa: doc.isa,
    profile: doc.profile,
    cpus: doc.cpus,
    input: doc.input,
    panel: doc.panel,
  };
  if (doc.traffic !== undefined) out.traffic = sortKeys(doc.traffic);
  if (doc.maps !== undefined) out.maps = sortKeys(doc.maps);
  if (doc.scenario !== undefined) out.scenario = sortKeys(doc.scenario);
  if (doc.ctx !== undefined && doc.ctx !== '') out.ctx = doc.ctx;
  if (doc.c !== undefined) out.c = { file: doc.c.file, digest: doc.c.digest, view: doc.c.view, ...(doc.c.text === undefined ? {} : { text: normaliseLineEndings(doc.c.text) }) };
  return out;
}

/** True when two documents would give the same share link (for "changed since shared"). */
export function documentsEqual(a: PlaygroundDocument, b: PlaygroundDocument): boolean {
  return JSON.stringify(canonicalDocument(a)) === JSON.stringify(canonicalDocument(b));
}

export function normaliseLineEndings(text: string): string {
  // A lone CR is a line break to Monaco too, so it becomes LF as well.
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3; // BMP character, or a lone surrogate (encoded as U+FFFD)
  }
  return n;
}

/**
 * "`size`; … up to `limit`" in words, exact when rounding would make the two look equal
 * ("1 MB; up to 1 MB" explains nothing).
 */
export function formatOverLimit(size: number, limit: number): [string, string] {
  const a = formatBytes(size);
  const b = formatBytes(limit);
  return a === b ? [`${size.toLocaleString('en-US')} bytes`, `${limit.toLocaleString('en-US')} bytes`] : [a, b];
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}


/** "a, b or c" */
function oneOf(items: readonly unknown[]): string {
  const words = items.map(String);
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1] ?? ''}`;
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

function normaliseHex(v: unknown, what = 'input'): { ok: true; hex: string } | { ok: false; error: string } {
  if (typeof v !== 'string') return fail(`${what} must be hex bytes, not ${describeValue(v)}`);
  // Accept the spaced form bpf_conformance files use ("00 01 02"), store the compact one.
  const hex = v.replace(/\s+/g, '').toLowerCase();
  const bad = /[^0-9a-f]/.exec(hex);
  if (bad) return fail(`${what} must be hex bytes; ${JSON.stringify(bad[0])} is not a hex digit`);
  if (hex.length % 2 !== 0) return fail(`${what} must be whole bytes: ${hex.length} hex digits is an odd number`);
  if (hex.length / 2 > MAX_INPUT_BYTES) {
    const [is, max] = formatOverLimit(hex.length / 2, MAX_INPUT_BYTES);
    return fail(`${what} is ${is}; programs take up to ${max}`);
  }
  return { ok: true, hex };
}

/**
 * Returns why `value` is not plain, bounded JSON, or undefined when it is. The depth limit
 * comes first and bounds the recursion, so a hostile, deeply nested link (or a cycle) cannot
 * overflow the stack.
 */
function checkJson(value: unknown, name: string, maxBytes: number): string | undefined {
  const problem = checkJsonValue(value, name, 0);
  if (problem) return problem;
  const size = utf8Length(JSON.stringify(value));
  if (size > maxBytes) {
    const [is, max] = formatOverLimit(size, maxBytes);
    return `${name} is ${is} of JSON; the playground keeps up to ${max}`;
  }
  return undefined;
}

function checkJsonValue(v: unknown, path: string, depth: number): string | undefined {
  if (depth > MAX_JSON_DEPTH) return `${path.split(/[.[]/)[0]} is nested more than ${MAX_JSON_DEPTH} levels deep`;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : `${path} must be a finite number, not ${v}`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = checkJsonValue(v[i], `${path}[${i}]`, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  if (isPlainObject(v)) {
    for (const [k, item] of Object.entries(v)) {
      const p = checkJsonValue(item, `${path}.${k}`, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  return `${path} must be JSON data, not ${describeValue(v)}`;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  // fromEntries defines properties, so a "__proto__" key stays a key instead of a prototype.
  if (isPlainObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}
