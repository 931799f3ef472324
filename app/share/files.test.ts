// Opening and saving files: what is accepted, what is refused and why, names, and the
// `.bpfp.json` round trip.

import { describe, expect, it } from 'vitest';
import { DEFAULT_DOCUMENT, MAX_INPUT_BYTES, MAX_MAPS_JSON_BYTES, MAX_SOURCE_BYTES, MAX_TRAFFIC_JSON_BYTES, utf8Length, validateDocument, type PlaygroundDocument } from '../state/document.ts';
import { documentFileName, MAX_DOCUMENT_FILE_BYTES, MAX_OPEN_FILE_BYTES, parseDocumentFile, parseOpenedFile, shareDocumentFile, sourceFileName } from './files.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function refusal(name: string, bytes: Uint8Array): string {
  const r = parseOpenedFile(name, bytes);
  if (r.kind !== 'error') throw new Error(`accepted as ${r.kind}`);
  return r.error;
}

describe('parseOpenedFile: assembly text', () => {
  it('opens .s, .bpf.s, .S and .txt as text', () => {
    for (const name of ['a.s', 'prog.bpf.s', 'START.S', 'notes.txt', 'x.BPF.S']) {
      expect(parseOpenedFile(name, utf8('r0 = 0\nexit\n'))).toEqual({ kind: 'source', text: 'r0 = 0\nexit\n' });
    }
  });

  it('strips a UTF-8 BOM and normalises CRLF, keeping Unicode', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('# π 🐝\r\nexit\r\n')]);
    expect(parseOpenedFile('p.s', bytes)).toEqual({ kind: 'source', text: '# π 🐝\nexit\n' });
  });

  it('refuses binary-looking text, UTF-16 and invalid UTF-8 with a reason', () => {
    expect(refusal('p.s', new Uint8Array([0x72, 0x30, 0x00, 0x01]))).toBe('The file looks binary (it contains NUL bytes), not like assembly text. Bytecode opens as a .bin file.');
    expect(refusal('p.s', new Uint8Array([0xff, 0xfe, 0x72, 0x00]))).toBe('The file is UTF-16 text; save it as UTF-8 and open it again.');
    expect(refusal('p.s', new Uint8Array([0x72, 0xc3, 0x28]))).toBe('The file is not UTF-8 text; save it as UTF-8 and open it again.');
    expect(refusal('p.s', utf8('exit\u0001\u0002\u0003\u0004'))).toBe('The file looks binary (4 control characters), not like assembly text.');
    // A stray control character in real text is tolerated; tabs and form feeds are text.
    expect(parseOpenedFile('p.s', utf8(`\tr0 = 0\f\n${'# comment\n'.repeat(20)}\u0007exit\n`)).kind).toBe('source');
  });

  it('refuses text over the 1 MB source cap and files over 4 MB', () => {
    expect(parseOpenedFile('p.s', utf8('#'.repeat(MAX_SOURCE_BYTES))).kind).toBe('source');
    expect(refusal('p.s', utf8('#'.repeat(2 * MAX_SOURCE_BYTES)))).toBe('The file holds 2 MB of text; programs can be up to 1 MB.');
    expect(refusal('p.bin', new Uint8Array(MAX_OPEN_FILE_BYTES + 8))).toBe('The file is 4,194,312 bytes; files up to 4,194,304 bytes can be opened.');
    expect(refusal('p.s', new Uint8Array(5 * 1024 * 1024))).toBe('The file is 5 MB; files up to 4 MB can be opened.');
  });
});

describe('parseOpenedFile: bytecode', () => {
  it('opens .bin as bytecode, as a copy', () => {
    const bytes = new Uint8Array([0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
    const r = parseOpenedFile('prog.BIN', bytes);
    expect(r).toEqual({ kind: 'bytecode', bytes });
    if (r.kind !== 'bytecode') throw new Error(r.kind);
    expect(r.bytes.buffer).not.toBe(bytes.buffer);
  });

  it('refuses empty files, lengths that are not whole slots, and ELF objects', () => {
    expect(refusal('p.bin', new Uint8Array(0))).toBe('The file is empty; bytecode is a sequence of 8-byte instructions.');
    expect(refusal('p.bin', new Uint8Array(13))).toBe('The file is 13 bytes, not a multiple of 8: bytecode is made of 8-byte instruction slots.');
    expect(refusal('p.bin', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]))).toMatch(/^The file is an ELF object, not raw bytecode: open it with its \.o name, or extract a section with `llvm-objcopy/);
  });
});

describe('parseOpenedFile: objects', () => {
  it('passes an ELF .o on as a copy for the engine to read', () => {
    const bytes = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
    const r = parseOpenedFile('prog.O', bytes);
    expect(r).toEqual({ kind: 'object', bytes });
    if (r.kind !== 'object') throw new Error(r.kind);
    expect(r.bytes.buffer).not.toBe(bytes.buffer);
  });

  it('refuses a .o that is not ELF', () => {
    expect(refusal('prog.o', utf8('exit'))).toMatch(/^The file is not an ELF object/);
    expect(refusal('prog.o', new Uint8Array(0))).toMatch(/^The file is empty/);
  });
});

describe('parseOpenedFile: other types', () => {
  it('names the accepted types', () => {
    for (const name of ['prog.c', 'noext', 'prog.s.bak']) {
      expect(refusal(name, utf8('exit'))).toBe('The file type is not one the playground opens. The playground opens assembly (.s, .bpf.s, .S, .txt), bytecode (.bin), clang-built objects (.o) and shared programs (.bpfp.json).');
    }
  });
});

describe('file names', () => {
  it('names the program after its first section, else "program"', () => {
    expect(sourceFileName({ ...DEFAULT_DOCUMENT, source: '# hello\n.section xdp\nexit\n.section tc\n' })).toBe('xdp.bpf.s');
    expect(sourceFileName({ ...DEFAULT_DOCUMENT, source: '  .section tp_btf/task_newtask ; new tasks\n' })).toBe('tp_btf-task_newtask.bpf.s');
    expect(sourceFileName({ ...DEFAULT_DOCUMENT, source: '.section "../../etc/passwd"\n' })).toBe('etc-passwd.bpf.s');
    expect(sourceFileName({ ...DEFAULT_DOCUMENT, source: 'r0 = 0\nexit\n' })).toBe('program.bpf.s');
    expect(sourceFileName({ ...DEFAULT_DOCUMENT, source: '# .section xdp is a comment here\n' })).toBe('program.bpf.s');
    expect(documentFileName({ ...DEFAULT_DOCUMENT, source: '.section raw\n' })).toBe('raw.bpfp.json');
  });
});

describe('.bpfp.json documents', () => {
  const doc: PlaygroundDocument = { ...DEFAULT_DOCUMENT, source: '# ünï 🐝\n.section xdp\nexit\n', cpus: 16, traffic: { seed: 1, flows: [] }, maps: { m: { '0': '01' } } };

  it('writes the link payload, readable, with a format marker, and reads it back', () => {
    const text = shareDocumentFile(doc);
    expect(text.endsWith('}\n')).toBe(true);
    const json = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['format', 'v', 'source', 'dialect', 'isa', 'profile', 'cpus', 'input', 'panel', 'traffic', 'maps']);
    expect(json.format).toBe('bpf-playground');
    expect(json.v).toBe(1);
    expect(text).toContain('\n  "source": ');
    expect(parseDocumentFile(text)).toEqual({ ok: true, doc });
    expect(parseDocumentFile(utf8(text))).toEqual({ ok: true, doc });
    expect(parseDocumentFile(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(text)]))).toEqual({ ok: true, doc });
    expect(shareDocumentFile({ ...doc, maps: { m: { '0': '01' } }, traffic: { flows: [], seed: 1 } })).toBe(text);
  });

  it('opens a bare link payload without the marker', () => {
    expect(parseDocumentFile('{"v":1,"source":"exit"}')).toEqual({ ok: true, doc: { ...DEFAULT_DOCUMENT, source: 'exit' } });
  });

  it('refuses what is not a playground document, saying why', () => {
    expect(parseDocumentFile('{"v":1,')).toEqual({ ok: false, error: 'The file is not a playground document (it is not valid JSON).' });
    expect(parseDocumentFile(new Uint8Array([0x7b, 0xff]))).toEqual({ ok: false, error: 'The file is not UTF-8 text, so it is not a playground document.' });
    expect(parseDocumentFile('{"format":"eslint","v":1}')).toEqual({ ok: false, error: 'The file is not a playground document (its format is "eslint").' });
    expect(parseDocumentFile('{"name":"package"}')).toEqual({ ok: false, error: 'The file is not a playground document (it has no version number).' });
    expect(parseDocumentFile('{"v":2}')).toEqual({ ok: false, error: 'The file was saved by a newer playground (format v2); reload the page to get the latest version.' });
    expect(parseDocumentFile('{"v":1,"isa":9}')).toEqual({ ok: false, error: 'The file holds a program the playground cannot open: isa must be 1, 2, 3 or 4, not 9.' });
    expect(parseDocumentFile(new Uint8Array(MAX_DOCUMENT_FILE_BYTES + 1))).toEqual({ ok: false, error: 'The file is 15,077,377 bytes; files up to 15,077,376 bytes can be opened.' });
  });

  it('the largest valid document, too large for a link, opens again as a file', () => {
    // Every part at its cap, in the shapes that grow most: control characters in the source
    // (six bytes of JSON each), map contents and a scenario of many small values.
    const many = (bytes: number) => Array.from({ length: Math.floor(bytes / 4) - 8 }, () => 0);
    const largest: PlaygroundDocument = {
      ...DEFAULT_DOCUMENT,
      source: '\u0001'.repeat(MAX_SOURCE_BYTES),
      input: 'ab'.repeat(MAX_INPUT_BYTES),
      ctx: 'cd'.repeat(MAX_INPUT_BYTES),
      maps: { m: many(MAX_MAPS_JSON_BYTES * 2) },
      scenario: { tasks: many(MAX_MAPS_JSON_BYTES * 2) },
      traffic: { flows: many(MAX_TRAFFIC_JSON_BYTES * 2) },
      c: { file: 'prog.c', digest: '0123abcd', view: 'c', text: '\u0001'.repeat(MAX_SOURCE_BYTES) },
    };
    expect(validateDocument(largest).ok).toBe(true);
    const text = shareDocumentFile(largest);
    expect(utf8Length(text)).toBeLessThanOrEqual(MAX_DOCUMENT_FILE_BYTES);
    expect(parseDocumentFile(utf8(text))).toEqual({ ok: true, doc: largest });
  });
});
