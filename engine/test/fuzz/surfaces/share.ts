// Surfaces share and bpfp-json: links (app/share/codec.ts decodeShare) — random fragments, real
// links damaged the ways chat apps and mail damage them, valid compressed payloads of mutated
// JSON, small inflation bombs — and `.bpfp.json` files (app/share/files.ts parseDocumentFile);
// a document either accepts is then opened and run as the app would.

import { deflateRawSync } from 'node:zlib';
import { decodeShare, documentPayload, toBase64Url } from '../../../../app/share/codec.ts';
import { parseDocumentFile, parseOpenedFile, shareDocumentFile } from '../../../../app/share/files.ts';
import { assemble } from '../../../asm/index.ts';
import { validateDocument } from '../../../../app/state/document.ts';
import type { Rng, Surface } from '../case.ts';
import { anyJson, mutateJson, mutateText, showJson } from '../mutate.ts';
import { documentJson, openDocument } from './documents.ts';

const DOC_KEYS = ['v', 'format', 'source', 'dialect', 'isa', 'profile', 'cpus', 'input', 'panel', 'traffic', 'maps', 'scenario', 'ctx'];
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LINK_NOISE = ['%', '%2', '%41', '%E2%80%9D', ' ', '\n', '\r\n', '=', '+', '/', '.', ',', ')', '>', '”', '#', '?x=1', '&', '\u00e9'];

/** A link's fragment for these bytes of JSON text. */
function linkOf(json: string, version = 1): string {
  return `#v${version}/${toBase64Url(deflateRawSync(Buffer.from(json, 'utf8')))}`;
}

/** A valid payload (as encodeShare makes it), from a generated document. */
function payloadOf(rng: Rng): Record<string, unknown> {
  const doc = validateDocument(documentJson(rng));
  return doc.ok ? documentPayload(doc.doc) : { v: 1, source: 'r0 = 0\nexit\n' };
}

function randomFragment(rng: Rng): string {
  const prefix = rng.pick(['#v1/', '#v1/', 'v1/', '#example/', '#v0/', '#v2/', '#v999999/', '#v1234567/', '#', '', '#v1', '#x/', ' #v1/ ']);
  let body = '';
  const n = rng.chance(0.9) ? rng.below(120) : rng.pick([1, 5, 4097, 20000]);
  for (let i = 0; i < n; i++) body += rng.chance(0.97) ? B64.charAt(rng.below(64)) : rng.pick(LINK_NOISE);
  return prefix + body;
}

function damagedLink(rng: Rng): string {
  let link = linkOf(JSON.stringify(payloadOf(rng)));
  switch (rng.below(6)) {
    case 0:
      return link.slice(0, rng.below(link.length + 1));
    case 1:
      return link + rng.pick(['.', ').', '”', '>', '%20', '\n']);
    case 2:
      return encodeURIComponent(link);
    case 3: {
      // Wrapped by a mail client: line breaks every so often.
      const every = 20 + rng.below(60);
      return link.replace(new RegExp(`(.{${every}})`, 'g'), '$1\n');
    }
    default:
      link = mutateText(rng, link, 1 + rng.below(3), [...LINK_NOISE, 'A', 'z', '-', '_']);
      return link;
  }
}

function mutatedPayloadLink(rng: Rng): string {
  const payload = payloadOf(rng);
  if (rng.chance(0.15)) return linkOf(mutateText(rng, JSON.stringify(payload)));
  if (rng.chance(0.05)) return linkOf(JSON.stringify(anyJson(rng, 3)));
  if (rng.chance(0.03)) {
    // A small bomb: far more output than input (capped well below MAX_PAYLOAD_BYTES, or just above it).
    const size = rng.pick([1 << 16, 1 << 20, 8 * (1 << 20) + 1]);
    return linkOf(`{"v":1,"source":"${' '.repeat(size)}"}`);
  }
  return linkOf(JSON.stringify(mutateJson(rng, payload, DOC_KEYS)), rng.chance(0.95) ? 1 : rng.pick([0, 2]));
}

export const share: Surface<string> = {
  name: 'share',
  about: 'share links: decodeShare (random fragments, damaged links, mutated payloads, bombs), then the document opened and run',
  generate(rng) {
    const r = rng.below(10);
    if (r < 3) return randomFragment(rng);
    if (r < 6) return damagedLink(rng);
    return mutatedPayloadLink(rng);
  },
  async run(hash) {
    const decoded = await decodeShare(hash);
    return { decoded, ...(decoded.ok === true ? { open: openDocument(decoded.doc) } : {}) };
  },
  show: (hash) => `--- link fragment (${hash.length} chars) ---\n${hash.length > 20000 ? `${hash.slice(0, 20000)}…` : hash}`,
};

export interface DocumentFileCase {
  readonly data: string | Uint8Array;
  /** The name the file was opened under: `.json` goes to parseDocumentFile, the rest to parseOpenedFile. */
  readonly name: string;
}

const FILE_NAMES = ['prog.bpfp.json', 'prog.bpfp.json', 'prog.bpfp.json', 'x.json', 'prog.bpf.s', 'PROG.S', 'notes.txt', 'prog.bin', 'prog.o', 'prog', '__proto__.json'];

export const bpfpJson: Surface<DocumentFileCase> = {
  name: 'bpfp-json',
  about: 'opened files: .bpfp.json through parseDocumentFile (text or bytes), then the document run; .s/.bin/others through parseOpenedFile',
  generate(rng) {
    const doc = validateDocument(documentJson(rng));
    const text = doc.ok ? shareDocumentFile(doc.doc) : '{}';
    let data: string;
    const r = rng.below(10);
    if (r < 5) data = JSON.stringify(mutateJson(rng, JSON.parse(text) as unknown, DOC_KEYS), null, rng.chance(0.5) ? 2 : undefined);
    else if (r < 8) data = mutateText(rng, text);
    else if (r < 9) data = JSON.stringify(anyJson(rng, 3));
    else data = text;
    const name = rng.pick(FILE_NAMES);
    if (!name.endsWith('.json')) {
      // A program file: its text (from the document, or an example), or bytes of any kind.
      const source = doc.ok ? doc.doc.source : '';
      const bytes = name.endsWith('.bin') || name.endsWith('.o') || rng.chance(0.2) ? Uint8Array.from({ length: rng.below(12) * (rng.chance(0.8) ? 8 : 3) }, () => rng.below(256)) : new TextEncoder().encode(rng.chance(0.7) ? source : mutateText(rng, source));
      if (bytes.length > 4 && rng.chance(0.1)) bytes.set(rng.pick([[0x7f, 0x45, 0x4c, 0x46], [0xff, 0xfe], [0xef, 0xbb, 0xbf], [0, 0]]), 0);
      return { data: bytes, name };
    }
    if (rng.chance(0.1)) data = `\uFEFF${data}`;
    if (rng.chance(0.3)) {
      const bytes = new TextEncoder().encode(data);
      if (rng.chance(0.3) && bytes.length) bytes[rng.below(bytes.length)] = rng.pick([0x80, 0xc0, 0xff, 0xfe]);
      return { data: bytes, name };
    }
    return { data, name };
  },
  run(c) {
    if (!c.name.endsWith('.json')) {
      const opened = parseOpenedFile(c.name, typeof c.data === 'string' ? new TextEncoder().encode(c.data) : c.data);
      // A source file goes into the editor, where it is assembled as you type.
      return { opened: opened.kind === 'source' ? { kind: 'source' } : opened.kind === 'bytecode' || opened.kind === 'object' ? { kind: opened.kind, length: opened.bytes.length } : opened, ...(opened.kind === 'source' ? { assembled: assemble(opened.text).diagnostics } : {}) };
    }
    const parsed = parseDocumentFile(c.data);
    return { parsed, ...(parsed.ok ? { open: openDocument(parsed.doc) } : {}) };
  },
  show: (c) => (typeof c.data === 'string' ? `--- ${c.name}: text (${c.data.length} chars) ---\n${c.data}` : `--- ${c.name}: bytes (${c.data.length}) ---\n${showJson(new TextDecoder().decode(c.data))}`),
};
