// Opening and saving files: assembly text, raw bytecode and whole documents (`.bpfp.json`,
// the fallback when a share link is too long for chat). Everything except downloadBlob is
// pure, so the checks on what users drop into the page are tested in Node.

import { documentFromPayload, documentPayload } from './codec.ts';
import { formatOverLimit, MAX_DOCUMENT_JSON_BYTES, MAX_SOURCE_BYTES, normaliseLineEndings, utf8Length, type PlaygroundDocument } from '../state/document.ts';

/** Larger files are refused before they are read into memory as text. */
export const MAX_OPEN_FILE_BYTES = 4 * 1024 * 1024;
/**
 * `.bpfp.json` files may be larger: Share offers one for any document a link cannot hold, so
 * the largest valid document must open again (its JSON, plus the file's line breaks and indents).
 */
export const MAX_DOCUMENT_FILE_BYTES = MAX_DOCUMENT_JSON_BYTES + 64 * 1024;
/** Marks a `.bpfp.json` file as ours, next to the payload version `v`. */
export const DOCUMENT_FILE_FORMAT = 'bpf-playground';
/** For `<input type="file" accept=…>`: `.bpf.s` and `.bpfp.json` are covered by their last part. */
export const ACCEPTED_FILE_TYPES = '.s,.S,.bpf.s,.txt,.bin,.o,.c,.json';

export type OpenedFile = { kind: 'source'; text: string } | { kind: 'bytecode'; bytes: Uint8Array } | { kind: 'object'; bytes: Uint8Array } | { kind: 'error'; error: string };

const SOURCE_EXTENSIONS = ['.s', '.txt']; // compared lower-cased, so `.S` and `.bpf.s` count
const ACCEPTED_MESSAGE = 'The playground opens assembly (.s, .bpf.s, .S, .txt), bytecode (.bin), clang-built objects (.o) and shared programs (.bpfp.json).';

/** Classifies and checks a file the user opened or dropped; `.json` goes to parseDocumentFile. */
export function parseOpenedFile(name: string, bytes: Uint8Array): OpenedFile {
  if (bytes.length > MAX_OPEN_FILE_BYTES) return error(tooBig(bytes.length));
  const lower = name.toLowerCase();
  if (lower.endsWith('.bin')) return parseBytecode(bytes);
  if (lower.endsWith('.o')) return parseObject(bytes);
  if (SOURCE_EXTENSIONS.some((ext) => lower.endsWith(ext))) {
    const text = decodeText(bytes);
    if (!text.ok) return error(text.error);
    const size = utf8Length(text.text);
    if (size > MAX_SOURCE_BYTES) {
      const [is, max] = formatOverLimit(size, MAX_SOURCE_BYTES);
      return error(`The file holds ${is} of text; programs can be up to ${max}.`);
    }
    return { kind: 'source', text: text.text };
  }
  return error(`The file type is not one the playground opens. ${ACCEPTED_MESSAGE}`);
}

/** A clang-built object: only its ELF magic is checked here; the engine worker reads it (`openObject`). */
function parseObject(bytes: Uint8Array): OpenedFile {
  if (bytes.length === 0) return error('The file is empty; an object file from clang starts with an ELF header.');
  if (!(bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46)) return error('The file is not an ELF object (it does not start with \\x7fELF); build one with clang -target bpf -O2 -g -c prog.c -o prog.o.');
  // A copy: it is transferred to the worker, which detaches the buffer.
  return { kind: 'object', bytes: bytes.slice() };
}

function parseBytecode(bytes: Uint8Array): OpenedFile {
  if (bytes.length === 0) return error('The file is empty; bytecode is a sequence of 8-byte instructions.');
  // An object file from clang is the likeliest mistake; say how to get the raw section out.
  if (bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) {
    return error('The file is an ELF object, not raw bytecode: open it with its .o name, or extract a section with `llvm-objcopy -O binary --only-section=xdp prog.o prog.bin` and open that.');
  }
  if (bytes.length % 8 !== 0) return error(`The file is ${bytes.length} bytes, not a multiple of 8: bytecode is made of 8-byte instruction slots.`);
  // A copy: the caller may transfer it to the worker, which detaches the buffer.
  return { kind: 'bytecode', bytes: bytes.slice() };
}

/**
 * UTF-8 text with its BOM removed and line endings as LF. Binary data is refused rather than
 * shown as mojibake in the editor: NUL bytes, invalid UTF-8, or many control characters.
 */
function decodeText(bytes: Uint8Array): { ok: true; text: string } | { ok: false; error: string } {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: false, error: 'The file is UTF-16 text; save it as UTF-8 and open it again.' };
  }
  if (bytes.includes(0)) return { ok: false, error: 'The file looks binary (it contains NUL bytes), not like assembly text. Bytecode opens as a .bin file.' };
  let text: string;
  try {
    // ignoreBOM: false (the default) drops a leading UTF-8 BOM.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, error: 'The file is not UTF-8 text; save it as UTF-8 and open it again.' };
  }
  // Tab, LF, VT, FF and CR are ordinary in text; other C0 controls and DEL are not.
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && (c < 0x09 || c > 0x0d)) || c === 0x7f) controls++;
  }
  if (controls > Math.max(2, text.length / 100)) return { ok: false, error: `The file looks binary (${controls} control characters), not like assembly text.` };
  return { ok: true, text: normaliseLineEndings(text) };
}

function tooBig(size: number, limit = MAX_OPEN_FILE_BYTES): string {
  const [is, max] = formatOverLimit(size, limit);
  return `The file is ${is}; files up to ${max} can be opened.`;
}

function error(message: string): OpenedFile {
  return { kind: 'error', error: message };
}

/**
 * A file name for the program: its first `.section` (`tp_btf/task_newtask` becomes
 * `tp_btf-task_newtask`), else `program`; always ending in `.bpf.s`.
 */
export function sourceFileName(doc: PlaygroundDocument): string {
  return `${baseName(doc)}.bpf.s`;
}

/** The `.bpfp.json` name that goes with sourceFileName. */
export function documentFileName(doc: PlaygroundDocument): string {
  return `${baseName(doc)}.bpfp.json`;
}

function baseName(doc: PlaygroundDocument): string {
  const section = /^[ \t]*\.section[ \t]+"?([^\s";#]+)/m.exec(doc.source)?.[1] ?? '';
  const safe = section
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return safe === '' ? 'program' : safe;
}

/**
 * The whole document as `.bpfp.json` text: the link's payload, one field a line so the file
 * reads and diffs well, with the same key order as the link. The opaque parts (traffic, maps,
 * scenario) stay compact: indenting a megabyte of map contents could make it many times
 * larger than the file cap, and the file would not open again.
 */
export function shareDocumentFile(doc: PlaygroundDocument): string {
  const fields = Object.entries({ format: DOCUMENT_FILE_FORMAT, ...documentPayload(doc) }).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{\n${fields.join(',\n')}\n}\n`;
}

/** Reads a `.bpfp.json` file (bytes as read, or text) back into a document. */
export function parseDocumentFile(data: Uint8Array | string): { ok: true; doc: PlaygroundDocument } | { ok: false; error: string } {
  const size = typeof data === 'string' ? utf8Length(data) : data.length;
  if (size > MAX_DOCUMENT_FILE_BYTES) return { ok: false, error: tooBig(size, MAX_DOCUMENT_FILE_BYTES) };
  let text: string;
  if (typeof data === 'string') {
    text = data.startsWith('\uFEFF') ? data.slice(1) : data;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(data);
    } catch {
      return { ok: false, error: 'The file is not UTF-8 text, so it is not a playground document.' };
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'The file is not a playground document (it is not valid JSON).' };
  }
  if (typeof json === 'object' && json !== null && 'format' in json && json.format !== DOCUMENT_FILE_FORMAT) {
    return { ok: false, error: `The file is not a playground document (its format is ${JSON.stringify(json.format)}).` };
  }
  const r = documentFromPayload(json);
  if (r.ok) return r;
  switch (r.problem) {
    case 'foreign':
      return { ok: false, error: `The file is not a playground document (${r.detail}).` };
    case 'newer':
      return { ok: false, error: `The file was saved by a newer playground (${r.detail}); reload the page to get the latest version.` };
    case 'invalid':
      return { ok: false, error: `The file holds a program the playground cannot open: ${r.detail}.` };
  }
}

/** Offers `data` as a download named `name` (browser only). */
export function downloadBlob(name: string, data: string | Uint8Array, mime: string): { ok: true } | { ok: false; error: string } {
  try {
    // A copy gives the Blob a plain ArrayBuffer (not a shared or detachable one).
    const blob = new Blob([typeof data === 'string' ? data : new Uint8Array(data)], { type: mime });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.style.display = 'none';
    document.body.append(a);
    a.click();
    a.remove();
    // Revoking at once can cancel the download (Safari); a minute is plenty.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: `The browser refused the download (${e instanceof Error ? e.message : String(e)}).` };
  }
}
