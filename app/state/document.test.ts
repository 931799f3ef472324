// The document: defaults for missing fields, refusals naming the field, normalisation, caps.

import { describe, expect, it } from 'vitest';
import { canonicalDocument, DEFAULT_DOCUMENT, documentsEqual, MAX_CPUS, MAX_JSON_DEPTH, MAX_SOURCE_BYTES, parseCpus, utf8Length, validateDocument, type PlaygroundDocument } from './document.ts';

function ok(x: unknown): PlaygroundDocument {
  const r = validateDocument(x);
  if (!r.ok) throw new Error(r.error);
  return r.doc;
}

function error(x: unknown): string {
  const r = validateDocument(x);
  if (r.ok) throw new Error('accepted');
  return r.error;
}

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('validateDocument', () => {
  it('fills every field of an empty or partial object with its default', () => {
    expect(ok({})).toEqual(DEFAULT_DOCUMENT);
    expect(ok({ source: 'exit\n', cpus: 2 })).toEqual({ ...DEFAULT_DOCUMENT, source: 'exit\n', cpus: 2 });
    expect(DEFAULT_DOCUMENT).toEqual({ source: '', dialect: 'auto', isa: 4, profile: 'linux-6.18', cpus: 8, input: '', panel: 'registers' });
  });

  it('keeps a complete document as it is and drops unknown fields', () => {
    const doc: PlaygroundDocument = { source: 'r0 = 0\nexit\n', dialect: 'ubpf', isa: 2, profile: 'linux-6.3', cpus: 4096, input: '0a0b', panel: 'maps', traffic: { seed: 1, flows: [{ proto: 'udp', size: [64, 1500] }] }, maps: { counts: { '0': '01' } } };
    expect(ok({ ...doc, v: 1, extra: true })).toEqual(doc);
    expect(Object.keys(ok({ ...doc, extra: 1 }))).not.toContain('extra');
  });

  it('refuses a value that is present but wrong, naming the field and the value', () => {
    expect(error({ cpus: 0 })).toBe('cpus must be 1..4096, not 0');
    expect(error({ cpus: MAX_CPUS + 1 })).toBe('cpus must be 1..4096, not 4097');
    expect(error({ cpus: 2.5 })).toBe('cpus must be 1..4096, not 2.5');
    expect(error({ cpus: '8' })).toBe('cpus must be 1..4096, not "8"');
    expect(error({ isa: 5 })).toBe('isa must be 1, 2, 3 or 4, not 5');
    expect(error({ dialect: 'gas' })).toBe('dialect must be auto, llvm or ubpf, not "gas"');
    expect(error({ profile: 'linux-5.10' })).toBe('profile must be linux-6.3 or linux-6.18, not "linux-5.10"');
    expect(error({ source: 42 })).toBe('source must be text, not 42');
    expect(error({ source: ['a'] })).toBe('source must be text, not a list');
    expect(error(null)).toBe('a playground document must be an object, not null');
    expect(error('hello')).toMatch(/must be an object/);
    expect(error([])).toMatch(/not a list/);
  });

  it('normalises CRLF and lone CR to LF', () => {
    expect(ok({ source: 'r0 = 1\r\nexit\r\n' }).source).toBe('r0 = 1\nexit\n');
    expect(ok({ source: 'a\rb\r\n\rc' }).source).toBe('a\nb\n\nc');
  });

  it('accepts a source of exactly 1 MiB of UTF-8 and refuses one byte more', () => {
    expect(ok({ source: 'x'.repeat(MAX_SOURCE_BYTES) }).source.length).toBe(MAX_SOURCE_BYTES);
    expect(error({ source: 'x'.repeat(MAX_SOURCE_BYTES + 1) })).toBe('source is 1,048,577 bytes; the playground takes programs up to 1,048,576 bytes');
    expect(error({ source: 'x'.repeat(1.5 * MAX_SOURCE_BYTES) })).toBe('source is 1.5 MB; the playground takes programs up to 1 MB');
    // The cap counts UTF-8 bytes, not UTF-16 units: 'é' is 2 bytes.
    expect(validateDocument({ source: 'é'.repeat(MAX_SOURCE_BYTES / 2) }).ok).toBe(true);
    expect(validateDocument({ source: 'é'.repeat(MAX_SOURCE_BYTES / 2 + 1) }).ok).toBe(false);
  });

  it('normalises the input to compact lower-case hex and refuses anything else', () => {
    expect(ok({ input: '0A 0b\n0C' }).input).toBe('0a0b0c');
    expect(error({ input: 'abc' })).toBe('input must be whole bytes: 3 hex digits is an odd number');
    expect(error({ input: '0x12' })).toBe('input must be hex bytes; "x" is not a hex digit');
    expect(error({ input: 12 })).toBe('input must be hex bytes, not 12');
    expect(error({ input: '00'.repeat(64 * 1024 + 1) })).toBe('input is 65,537 bytes; programs take up to 65,536 bytes');
  });

  it('falls back to the default panel for a malformed panel id instead of refusing', () => {
    expect(ok({ panel: 'trace' }).panel).toBe('trace');
    expect(ok({ panel: '<script>' }).panel).toBe('registers');
    expect(ok({ panel: 7 }).panel).toBe('registers');
  });

  it('keeps traffic and maps as opaque JSON, refusing non-JSON, deep nesting and oversize', () => {
    expect(ok({ traffic: null })).not.toHaveProperty('traffic');
    expect(ok({ traffic: [1, 'a', true, null, { b: 2 }] }).traffic).toEqual([1, 'a', true, null, { b: 2 }]);
    expect(error({ traffic: { rate: Number.NaN } })).toBe('traffic.rate must be a finite number, not NaN');
    expect(error({ traffic: { when: new Date(0) } })).toBe('traffic.when must be JSON data, not an object');
    expect(error({ traffic: { f: () => 1 } })).toBe('traffic.f must be JSON data, not a function');
    expect(error({ traffic: [1, undefined] })).toBe('traffic[1] must be JSON data, not nothing');
    expect(validateDocument({ traffic: nested(MAX_JSON_DEPTH) }).ok).toBe(true);
    expect(error({ traffic: nested(MAX_JSON_DEPTH + 1) })).toBe(`traffic is nested more than ${MAX_JSON_DEPTH} levels deep`);
    // Depth is checked before anything walks the value, so a huge nesting cannot overflow the stack.
    expect(error({ maps: { m: nested(100_000) } })).toBe(`maps is nested more than ${MAX_JSON_DEPTH} levels deep`);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(error({ traffic: cycle })).toMatch(/nested more than/);
    expect(error({ traffic: 'x'.repeat(70 * 1024) })).toBe('traffic is 70 KB of JSON; the playground keeps up to 64 KB');
    expect(error({ maps: [1] })).toBe('maps must be an object keyed by map name, not a list');
    expect(error({ maps: 'm' })).toBe('maps must be an object keyed by map name, not "m"');
  });

  it('keeps an object\'s C view (file, digest, view, C text) and refuses a malformed one, naming the field', () => {
    const c = { file: 'prog.c', digest: '0123abcd', view: 'c', text: 'int x;\r\n' };
    const r = validateDocument({ source: 'exit', c });
    expect(r.ok && r.doc.c).toEqual({ file: 'prog.c', digest: '0123abcd', view: 'c', text: 'int x;\n' });
    expect(validateDocument({ c: { ...c, text: undefined } })).toMatchObject({ ok: true, doc: { c: { file: 'prog.c', digest: '0123abcd', view: 'c' } } });
    expect(validateDocument({ c: { ...c, view: 'rust' } })).toEqual({ ok: false, error: 'c.view must be c or asm, not "rust"' });
    expect(validateDocument({ c: { ...c, digest: 'zz' } })).toEqual({ ok: false, error: 'c.digest must be 8 hex digits, not "zz"' });
    expect(validateDocument({ c: { ...c, file: 'a/b.c' } })).toEqual({ ok: false, error: 'c.file must be a file name, not "a/b.c"' });
    expect(validateDocument({ c: { ...c, text: 'x'.repeat(MAX_SOURCE_BYTES + 1) } })).toMatchObject({ ok: false, error: expect.stringMatching(/^c\.text is .*; the playground keeps C files up to/) });
    expect(validateDocument({ c: 'prog.c' })).toMatchObject({ ok: false, error: expect.stringMatching(/^c must be an object/) });
    // It is part of the link: a document with it gives another link than one without.
    const { c: _c, ...plain } = r.ok ? r.doc : DEFAULT_DOCUMENT;
    if (r.ok) expect(documentsEqual(r.doc, { ...plain })).toBe(false);
  });

  it('builds a new object: later changes to the input do not reach the document', () => {
    const input = { source: 'exit', cpus: 2 };
    const doc = ok(input);
    input.cpus = 3;
    expect(doc.cpus).toBe(2);
  });
});

describe('canonicalDocument and documentsEqual', () => {
  it('gives one key order whatever order the document was built in', () => {
    const a: PlaygroundDocument = { ...DEFAULT_DOCUMENT, source: 'exit', maps: { b: { y: 1, x: 2 }, a: [{ d: 1, c: 2 }] } };
    const b: PlaygroundDocument = { panel: 'registers', input: '', cpus: 8, profile: 'linux-6.18', isa: 4, dialect: 'auto', source: 'exit', maps: { a: [{ c: 2, d: 1 }], b: { x: 2, y: 1 } } };
    expect(JSON.stringify(canonicalDocument(a))).toBe(JSON.stringify(canonicalDocument(b)));
    expect(Object.keys(canonicalDocument(a))).toEqual(['source', 'dialect', 'isa', 'profile', 'cpus', 'input', 'panel', 'maps']);
    expect(documentsEqual(a, b)).toBe(true);
    expect(documentsEqual(a, { ...b, cpus: 9 })).toBe(false);
    expect(documentsEqual({ ...a, source: 'exit\r\n' }, { ...a, source: 'exit\n' })).toBe(true);
  });

  it('keeps a "__proto__" key of opaque JSON as a key', () => {
    const maps = JSON.parse('{"__proto__": {"polluted": 1}, "m": 1}') as Record<string, unknown>;
    const canon = canonicalDocument({ ...DEFAULT_DOCUMENT, maps });
    expect(JSON.stringify(canon.maps)).toBe('{"__proto__":{"polluted":1},"m":1}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('utf8Length', () => {
  it('matches TextEncoder, lone surrogates included', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', 'a😀b€', '\ud800', 'x\udc00y', '\ud83d']) {
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
    }
  });
});

describe('parseCpus (the toolbar field)', () => {
  it('clamps a whole number out of range and says so, instead of snapping back to 8', () => {
    expect(parseCpus('0')).toEqual({ ok: true, value: 1, note: 'At least 1 CPU: 1 is used' });
    expect(parseCpus('5000')).toEqual({ ok: true, value: MAX_CPUS, note: "At most 4,096 CPUs (the kernel's NR_CPUS here): 4,096 are used" });
    expect(parseCpus(' 64 ')).toEqual({ ok: true, value: 64 });
    expect(parseCpus('-3')).toMatchObject({ ok: true, value: 1 });
  });

  it('refuses what is not a whole number, with the range', () => {
    for (const t of ['', 'eight', '1.5', '1e3', '0x10']) expect(parseCpus(t)).toEqual({ ok: false, error: 'CPUs must be a whole number from 1 to 4,096' });
  });
});
