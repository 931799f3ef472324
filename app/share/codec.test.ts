// The share link: round trips, the exact format, its length, determinism, and a readable
// error (never an exception) for every kind of broken link.

import { describe, expect, it } from 'vitest';
import { DEFAULT_DOCUMENT, MAX_INPUT_BYTES, MAX_SOURCE_BYTES, type PlaygroundDocument } from '../state/document.ts';
import { createShareLink, decodeShare, documentFromPayload, encodeShare, exampleHash, fromBase64Url, MAX_PAYLOAD_BYTES, SHARE_WARN_LENGTH, shareUrl, toBase64Url, type DecodeOutcome } from './codec.ts';

// A 1.2 kB cpumask kfunc program, the size ui-stack.md measured (775 characters there).
const CPUMASK = `# Keep a cpumask of the CPUs that saw a new task, in a map's kptr field.
.section tp_btf/task_newtask
.license "GPL"
.map masks type=array key=4 value=8 max_entries=1 kptr=0:bpf_cpumask
        r6 = r1                         # r6: the context
        call bpf_cpumask_create
        if r0 == 0 goto out
        r7 = r0                         # r7: the new mask (acquired)
        call bpf_get_smp_processor_id
        r8 = r0                         # r8: kept across the calls below
        r1 = r8
        r2 = r7
        call bpf_cpumask_set_cpu        # set bit r8 in the new mask
        r1 = r8
        r2 = r7
        call bpf_cpumask_test_cpu       # r0 = 1: the bit is set
        r1 = 0
        *(u32 *)(r10 - 4) = r1
        r1 = masks ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem
        if r0 == 0 goto release
        r1 = r0                         # the kptr field at offset 0
        r2 = r7
        call bpf_kptr_xchg              # the map owns the mask now
        if r0 == 0 goto out
        r1 = r0                         # the old mask came back: release it
        call bpf_cpumask_release
        goto out
release:
        r1 = r7
        call bpf_cpumask_release
out:
        r0 = 0
        exit
`;

const typical: PlaygroundDocument = { ...DEFAULT_DOCUMENT, source: CPUMASK, profile: 'linux-6.3', cpus: 4, panel: 'cpumask' };

async function decoded(hash: string): Promise<PlaygroundDocument> {
  const r = await decodeShare(hash);
  if (r.ok !== true) throw new Error(`not decoded: ${JSON.stringify(r)}`);
  return r.doc;
}

async function failure(hash: string): Promise<string> {
  const r = await decodeShare(hash);
  if (r.ok !== false) throw new Error(`expected an error, got ${JSON.stringify(r).slice(0, 200)}`);
  return r.error;
}

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([new Uint8Array(bytes)]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A `#v1/` link around arbitrary bytes, to build links our encoder never would. */
async function linkOfBytes(bytes: Uint8Array): Promise<string> {
  return `#v1/${toBase64Url(await deflate(bytes))}`;
}

async function linkOf(payload: unknown): Promise<string> {
  return linkOfBytes(new TextEncoder().encode(JSON.stringify(payload)));
}

describe('encodeShare / decodeShare round trip', () => {
  it('round-trips typical and edge documents', async () => {
    const docs: PlaygroundDocument[] = [
      typical,
      { ...DEFAULT_DOCUMENT },
      { ...DEFAULT_DOCUMENT, source: '# π ≈ 3.14159, ünïcødé, 日本語, emoji 🐝🦀\u200d, RTL עברית\nexit\n', dialect: 'ubpf', isa: 1 },
      { ...DEFAULT_DOCUMENT, source: 'lone surrogate \ud800 and \u2028 and "quotes" \\ backslash\t tab\n' },
      { ...DEFAULT_DOCUMENT, input: '00ff10', cpus: 1, traffic: { seed: 7, flows: [{ proto: 'tcp', size: 'imix', vlan: 59 }] }, maps: { counts: { '0': 'ff00' }, masks: [] } },
    ];
    for (const doc of docs) expect(await decoded(await encodeShare(doc))).toEqual(doc);
  });

  it('turns CRLF into LF, so a Windows copy gives the same link', async () => {
    const crlf = { ...typical, source: CPUMASK.replace(/\n/g, '\r\n') };
    expect(await encodeShare(crlf)).toBe(await encodeShare(typical));
    expect((await decoded(await encodeShare(crlf))).source).toBe(CPUMASK);
  });

  it('round-trips a 1 MiB source', async () => {
    let source = '';
    for (let i = 0; source.length < MAX_SOURCE_BYTES - 64; i++) source += `r${i % 10} = ${(i * 2654435761) % 4294967296}\n`;
    source = source.padEnd(MAX_SOURCE_BYTES, '#');
    const doc = { ...DEFAULT_DOCUMENT, source };
    expect(await decoded(await encodeShare(doc))).toEqual(doc);
  });

  it('a link opens whatever Share makes a link of; above the cap Share offers the file instead', async () => {
    // Control characters are JSON's worst case: one byte becomes six (\u0001).
    const fits: PlaygroundDocument = { ...DEFAULT_DOCUMENT, source: '\u0001'.repeat(327_000), input: 'ab'.repeat(MAX_INPUT_BYTES) };
    const link = await createShareLink(fits, 'https://x.test/');
    if (!link.ok) throw new Error(link.error);
    expect(await decoded(link.hash)).toEqual(fits);
    // The largest valid document is more than a link holds: a clear refusal, with the way out.
    const largest: PlaygroundDocument = { ...DEFAULT_DOCUMENT, source: '\u0001'.repeat(MAX_SOURCE_BYTES), input: 'ab'.repeat(MAX_INPUT_BYTES) };
    expect(await createShareLink(largest, 'https://x.test/')).toEqual({ ok: false, tooLarge: true, error: 'This program is too large for a link (6.1 MB of data; links hold up to 2 MB). Share it as a .bpfp.json file instead.' });
    // And every link under the cap of characters a link may have is read, never cut short.
    expect(Math.ceil((MAX_PAYLOAD_BYTES + 64 * 1024) / 3) * 4).toBeGreaterThan(MAX_PAYLOAD_BYTES);
  });
});

describe('the link format', () => {
  it('is #v1/ and base64url without padding', async () => {
    for (const doc of [typical, { ...DEFAULT_DOCUMENT }, { ...DEFAULT_DOCUMENT, source: '\u00ff'.repeat(1000) }]) {
      const hash = await encodeShare(doc);
      expect(hash).toMatch(/^#v1\/[A-Za-z0-9_-]+$/);
      expect(hash.startsWith('#v1/')).toBe(true);
      expect(hash.slice('#v1/'.length)).not.toMatch(/[+/=]/);
    }
  });

  it('carries {"v":1, ...document} as deflate-raw JSON, in a fixed key order', async () => {
    const hash = await encodeShare(typical);
    const packed = fromBase64Url(hash.slice('#v1/'.length));
    const stream = new Blob([new Uint8Array(packed)]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    const json = await new Response(stream).text();
    expect(Object.keys(JSON.parse(json) as object)).toEqual(['v', 'source', 'dialect', 'isa', 'profile', 'cpus', 'input', 'panel']);
    expect(json.startsWith('{"v":1,"source":')).toBe(true);
  });

  it('encodes a 1.2 kB program far below the chat limit', async () => {
    expect(CPUMASK.length).toBeGreaterThan(1150);
    expect(CPUMASK.length).toBeLessThan(1300);
    const hash = await encodeShare(typical);
    console.log(`share link of a ${CPUMASK.length}-character program: ${hash.length} characters`);
    expect(hash.length).toBeLessThan(1000);
    expect(hash.length).toBeLessThan(SHARE_WARN_LENGTH / 2);
  });

  it('is deterministic: the same document gives the same link whatever its key order', async () => {
    const a = await encodeShare(typical);
    expect(await encodeShare(typical)).toBe(a);
    const reordered = { panel: typical.panel, cpus: typical.cpus, source: typical.source, input: '', isa: 4, profile: typical.profile, dialect: 'auto' } as PlaygroundDocument;
    expect(await encodeShare(reordered)).toBe(a);
    const m1 = await encodeShare({ ...typical, maps: { b: 1, a: { y: [1, 2], x: null } } });
    const m2 = await encodeShare({ ...typical, maps: { a: { x: null, y: [1, 2] }, b: 1 } });
    expect(m1).toBe(m2);
    expect(await encodeShare({ ...typical, cpus: 5 })).not.toBe(a);
  });
});

describe('base64url', () => {
  it('matches Node for every tail length and decodes back', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n * 31) & 0xff);
      const text = toBase64Url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect([...fromBase64Url(text)]).toEqual([...bytes]);
    }
  });
});

describe('decodeShare on links that are not programs', () => {
  it('reports nothing for an empty fragment', async () => {
    expect(await decodeShare('')).toEqual({ ok: 'none' });
    expect(await decodeShare('#')).toEqual({ ok: 'none' });
  });

  it('reads #example/<id> deep links', async () => {
    expect(await decodeShare('#example/cpumask-create')).toEqual({ ok: 'example', id: 'cpumask-create' });
    expect(await decodeShare(exampleHash('kptr_in_map.v2'))).toEqual({ ok: 'example', id: 'kptr_in_map.v2' });
    expect(await failure('#example/')).toBe('This example link is damaged: an empty text is not an example name.');
    expect(await failure('#example/../../etc')).toMatch(/is not an example name/);
  });

  it('reports a foreign fragment without mistaking it for a program', async () => {
    expect(await failure('#/foo')).toBe('This address ends in “#/foo”, which is not a playground link (those start with #v1/ or #example/).');
    expect(await failure('#section-3')).toMatch(/“#section-3”, which is not a playground link/);
    expect(await failure('#v0/abc')).toBe('This link uses format v0, which no playground ever wrote.');
  });

  it('says a link from a newer playground is newer, by prefix or by payload', async () => {
    expect(await failure('#v2/q1YqKlWyMtRRKkvMKU0F')).toBe('This link was made by a newer playground (link format v2; this page reads up to v1). Reload the page to get the latest version.');
    expect(await failure(await linkOf({ v: 3, source: 'exit' }))).toMatch(/^This link was made by a newer playground \(link format v3;/);
  });
});

describe('decodeShare on damaged links', () => {
  it('says a link cut short was cut short, wherever it was cut', async () => {
    const hash = await encodeShare(typical);
    const body = hash.slice('#v1/'.length);
    for (let n = 1; n < body.length; n++) {
      const r = await decodeShare(`#v1/${body.slice(0, n)}`);
      // The last characters may hold only the stream's end marker: the JSON is then whole,
      // and the program opens unchanged. Anything shorter loses data and says so.
      if (r.ok === true && n >= body.length - 3) expect(r.doc).toEqual(typical);
      else expect(r, `cut at ${n} of ${body.length}`).toEqual({ ok: false, error: 'This link is damaged: it was cut short (the compressed data ends early). Copy the whole link again.' });
    }
  });

  it('says so when nothing follows the prefix', async () => {
    expect(await failure('#v1/')).toBe('This link is damaged: it holds no program (nothing follows #v1/).');
  });

  it('names a character a link never holds', async () => {
    const hash = await encodeShare(typical);
    expect(await failure(`${hash.slice(0, 30)}+${hash.slice(31)}`)).toBe('This link is damaged: it contains "+", which a playground link never holds (was it edited or re-encoded?).');
    expect(await failure('#v1/abc=')).toMatch(/contains "="/);
    expect(await failure('#v1/ab\u00e9cd')).toMatch(/contains "é"/);
  });

  it('reports corrupted compressed data', async () => {
    expect(await failure(`#v1/${toBase64Url(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))}`)).toBe('This link is damaged: its compressed data is corrupted.');
    const hash = await encodeShare(typical);
    const flipped = hash.slice(0, 10) + (hash[10] === 'A' ? 'B' : 'A') + hash.slice(11);
    // A flipped bit may still inflate to something; whatever it is, it is refused in words.
    expect(await failure(flipped)).toMatch(/^This link (is damaged|holds a program the playground cannot open)/);
  });

  it('refuses contents that are not UTF-8, not JSON or not a document', async () => {
    expect(await failure(await linkOfBytes(new Uint8Array([0xff, 0xfe, 0x00])))).toBe('This link is damaged: its contents are not valid text.');
    expect(await failure(await linkOfBytes(new TextEncoder().encode('{"v":1,"source":')))).toBe('This link is damaged: its contents are not a playground document (not JSON).');
    expect(await failure(await linkOf([1, 2]))).toBe('This link is damaged: its contents are not a playground document (expected an object, found a list).');
    expect(await failure(await linkOf({ source: 'exit' }))).toBe('This link is damaged: its contents are not a playground document (it has no version number).');
  });

  it('refuses wrong types and out-of-range values, naming the field', async () => {
    expect(await failure(await linkOf({ v: 1, cpus: 0 }))).toBe('This link holds a program the playground cannot open: cpus must be 1..4096, not 0.');
    expect(await failure(await linkOf({ v: 1, source: { text: 'exit' } }))).toBe('This link holds a program the playground cannot open: source must be text, not an object.');
    expect(await failure(await linkOf({ v: 1, isa: '4' }))).toMatch(/isa must be 1, 2, 3 or 4, not "4"/);
  });

  it('stops a deflate bomb while inflating', async () => {
    const bomb = new TextEncoder().encode(`{"v":1,"source":"${'a'.repeat(MAX_PAYLOAD_BYTES + 1024)}"}`);
    const hash = await linkOfBytes(bomb);
    expect(hash.length).toBeLessThan(20_000);
    expect(await failure(hash)).toBe('This link unpacks to more than 2 MB, more than any playground link holds, so it was not opened (larger programs travel as .bpfp.json files).');
  });

  it('refuses deep nesting without overflowing the stack', async () => {
    const deep = `{"v":1,"traffic":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expect(await failure(await linkOfBytes(new TextEncoder().encode(deep)))).toBe('This link holds a program the playground cannot open: traffic is nested more than 32 levels deep.');
  });

  it('refuses a fragment too long to be a link before decoding it', async () => {
    expect(await failure(`#v1/${'A'.repeat(12 * 1024 * 1024)}`)).toBe('This link is far too long to be a playground link; it was not opened.');
  });

  it('never throws, whatever the fragment', async () => {
    const hash = await encodeShare(typical);
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const outcomes: DecodeOutcome[] = [];
    for (let i = 0; i < 300; i++) {
      const chars = [...hash];
      const edits = 1 + random(4);
      for (let e = 0; e < edits; e++) {
        const at = 4 + random(chars.length - 4);
        const kind = random(3);
        if (kind === 0) chars[at] = String.fromCharCode(32 + random(95));
        else if (kind === 1) chars.splice(at, 1);
        else chars.splice(at, 0, '%');
      }
      outcomes.push(await decodeShare(chars.join('')));
    }
    for (const junk of ['%', '#%E0%A4%A', '#v1/%', '#v999999/x', '#v1/\u0000', '#example', '#v', '#v1', 'v1/', '#'.repeat(10_000)]) outcomes.push(await decodeShare(junk));
    for (const o of outcomes) {
      expect([true, false, 'none', 'example']).toContain(o.ok);
      if (o.ok === false) expect(o.error.length).toBeGreaterThan(10);
    }
  });
});

describe('decodeShare on mangled links', () => {
  it('retries once after percent-decoding (chat apps re-encode fragments)', async () => {
    const hash = await encodeShare(typical);
    expect(await decoded(hash.replace('/', '%2F'))).toEqual(typical);
    expect(await decoded(encodeURIComponent(hash))).toEqual(typical);
  });

  it('ignores sentence punctuation and line breaks around a pasted link', async () => {
    const hash = await encodeShare(typical);
    expect(await decoded(`${hash}.`)).toEqual(typical);
    expect(await decoded(`${hash}),`)).toEqual(typical);
    expect(await decoded(`${hash.slice(0, 50)}\n  ${hash.slice(50)}`)).toEqual(typical);
    expect(await decoded(`  ${hash.slice(1)}  `)).toEqual(typical);
  });
});

describe('documentFromPayload', () => {
  it('reads v1 and classifies what it refuses', () => {
    expect(documentFromPayload({ v: 1, source: 'exit' })).toEqual({ ok: true, doc: { ...DEFAULT_DOCUMENT, source: 'exit' } });
    expect(documentFromPayload({ v: 2 })).toMatchObject({ ok: false, problem: 'newer', version: 2 });
    expect(documentFromPayload({ v: 0 })).toMatchObject({ ok: false, problem: 'foreign' });
    expect(documentFromPayload({ v: 1.5 })).toMatchObject({ ok: false, problem: 'foreign' });
    expect(documentFromPayload('x')).toMatchObject({ ok: false, problem: 'foreign' });
    expect(documentFromPayload({ v: 1, cpus: -1 })).toEqual({ ok: false, problem: 'invalid', detail: 'cpus must be 1..4096, not -1' });
  });
});

describe('shareUrl and createShareLink', () => {
  it('replaces the fragment of the page address, keeping path and query', () => {
    expect(shareUrl('https://x.dev/play/', '#v1/abc')).toBe('https://x.dev/play/#v1/abc');
    expect(shareUrl('https://x.dev/play/?embed=1#v1/old', '#v1/new')).toBe('https://x.dev/play/?embed=1#v1/new');
    expect(shareUrl('https://x.dev/#example/a', 'v1/abc')).toBe('https://x.dev/#v1/abc');
    expect(shareUrl('https://x.dev/#v1/abc', '')).toBe('https://x.dev/');
  });

  it('makes a link the receiver can open, and flags one too long for chat', async () => {
    const short = await createShareLink(typical, 'https://x.dev/');
    expect(short).toMatchObject({ ok: true, tooLong: false });
    if (!short.ok) throw new Error(short.error);
    expect(short.url).toBe(`https://x.dev/${short.hash}`);
    expect(short.length).toBe(short.url.length);
    expect(await decoded(short.hash)).toEqual(typical);

    // Incompressible text: the link grows past 2,000 characters.
    let noise = '';
    for (let i = 0; i < 3000; i++) noise += String.fromCharCode(0x4e00 + ((i * 7919) % 20000));
    const long = await createShareLink({ ...typical, source: noise }, 'https://x.dev/');
    expect(long).toMatchObject({ ok: true, tooLong: true });

    expect(await createShareLink({ ...typical, cpus: 0 }, 'https://x.dev/')).toEqual({ ok: false, error: 'This program cannot be shared: cpus must be 1..4096, not 0.' });
  });
});

describe('a link made in a graded lesson', () => {
  it('names the lesson, and opens as a plain program where the name is unknown or wrong', async () => {
    const doc: PlaygroundDocument = { ...DEFAULT_DOCUMENT, source: '.section raw\nr0 = r2\nexit\n' };
    const link = await createShareLink(doc, 'https://x.dev/', 'registers-and-exit');
    expect(link.ok).toBe(true);
    if (!link.ok) return;
    const back = await decodeShare(link.hash);
    expect(back).toMatchObject({ ok: true, lesson: 'registers-and-exit', doc: { source: doc.source } });
    // Without a lesson, the same link as before.
    expect(await encodeShare(doc)).not.toBe(link.hash);
    expect(await decodeShare(await encodeShare(doc))).not.toHaveProperty('lesson');
    const payload = documentFromPayload({ v: 1, source: 'exit\n', lesson: '../../etc' });
    expect(payload.ok).toBe(true);
    expect(await decodeShare(await encodeShare(doc, 'Not An Id!'))).not.toHaveProperty('lesson');
  });
});
