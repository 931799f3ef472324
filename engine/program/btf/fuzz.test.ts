// Seeded fuzz of the readers and the questions asked of their result: mutated fixture sections
// and randomly built BTF (cycles, dangling ids, huge counts) must give ok or an error with an
// offset inside the input — never an exception or a hang. `BTF_FUZZ=100000` for the full run.

import { describe, expect, it } from 'vitest';
import type { Btf, BtfError } from './btf.ts';
import { rebuild } from './fixtures/rebuild.ts';
import { loadFixture } from './fixtures/sections.ts';
import { functionNames, kfuncExterns } from './functions.ts';
import { memberOffset, resolve, typeSize } from './layout.ts';
import { mapDefinitions } from './map-definitions.ts';
import { readBtf, readBtfExt } from './reader.ts';
import { BtfBuilder } from './writer.ts';

const COUNT = Number(process.env.BTF_FUZZ ?? 3000);
const SEED = Number(process.env.BTF_FUZZ_SEED ?? 0x5eed);

/** mulberry32: small, seedable, good enough to pick mutations. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0, 1, 2, 3, 4, 8, 12, 16, 24, 32, 0xff, 0xffff, 0x10000, 0xffffff, 0x7fffffff, 0x80000000, 0xffffffff];

function mutate(input: Uint8Array, random: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  let b = input.slice();
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    const at = pick(b.length);
    switch (pick(6)) {
      case 0:
        b[at] = (b[at] ?? 0) ^ (1 << pick(8));
        break;
      case 1:
        b[at] = pick(256);
        break;
      case 2:
        // A u32 field set to an edge value, aligned as most BTF fields are.
        if (b.length >= 4) new DataView(b.buffer).setUint32(Math.min(at & ~3, b.length - 4), INTERESTING[pick(INTERESTING.length)] ?? 0, true);
        break;
      case 3:
        b = b.slice(0, at);
        break;
      case 4: {
        const grown = new Uint8Array(b.length + 1 + pick(64));
        grown.set(b);
        b = grown;
        break;
      }
      default:
        // Duplicate a 12-byte run elsewhere: plausible records in the wrong place.
        if (b.length >= 24) b.copyWithin(pick(b.length - 12), pick(b.length - 12), 0);
        b.copyWithin(at, pick(b.length), pick(b.length));
        break;
    }
  }
  return b;
}

/** Random BTF from the builder: any kind, ids that may dangle or loop, counts near the limits. */
function randomBtf(random: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  const b = new BtfBuilder();
  const n = 1 + pick(24);
  const ref = () => pick(n + 3);
  for (let i = 0; i < n; i++) {
    const name = ['', 'a', 'kptr', 'type', 'key', 'value', 'max_entries', '.maps', '.ksyms', 'x'.repeat(pick(300))][pick(10)] ?? '';
    switch (pick(14)) {
      case 0: b.addInt(name || 'int', [1, 2, 4, 8][pick(4)] ?? 4, { signed: random() < 0.5 }); break;
      case 1: b.addPtr(ref()); break;
      case 2: b.addArray(ref(), INTERESTING[pick(INTERESTING.length)] ?? 1, ref()); break;
      case 3: b.addStruct(name, pick(64), Array.from({ length: pick(6) }, (_, j) => ({ name: ['type', 'key', 'value', 'max_entries', 'm'][pick(5)] ?? 'm', type: ref(), bitOffset: j * 64 }))); break;
      case 4: b.addTypedef(name, ref()); break;
      case 5: b.addConst(ref()); break;
      case 6: b.addTypeTag(name, ref()); break;
      case 7: b.addFunc(name, ref(), (['static', 'global', 'extern'] as const)[pick(3)]); break;
      case 8: b.addFuncProto(ref(), [{ name: 'p', type: ref() }]); break;
      case 9: b.addVar(name, ref()); break;
      case 10: b.addDatasec(['.maps', '.ksyms', '.data'][pick(3)] ?? '', 0, Array.from({ length: pick(4) }, () => ({ type: ref(), offset: 0, size: 8 }))); break;
      case 11: b.addEnum(name, 4, [{ name: 'A', value: -1 }]); break;
      case 12: b.addEnum64(name, 8, [{ name: 'B', value: -(2n ** 40n) }]); break;
      default: b.addDeclTag(name, ref(), pick(3) - 1); break;
    }
  }
  b.addFuncInfo('xdp', 0, ref());
  b.addLineInfo('xdp', { insnOff: 8, fileName: 'f.c', lineText: 'x', line: 1, col: 1 });
  const out = b.build();
  return out.ok ? out.btf : new Uint8Array(0);
}

function expectError(error: BtfError, length: number): void {
  expect(Number.isInteger(error.offset) && error.offset >= 0 && error.offset <= length, `offset ${error.offset} of ${length}`).toBe(true);
  expect(error.message.length).toBeGreaterThan(0);
}

/** Every question the playground asks; none may throw or loop. */
function ask(btf: Btf, random: () => number): void {
  mapDefinitions(btf);
  kfuncExterns(btf);
  functionNames(btf);
  for (const t of btf.types) {
    resolve(btf, t.id);
    typeSize(btf, t.id);
    const access = Array.from({ length: 1 + Math.floor(random() * 4) }, () => Math.floor(random() * 3)).join(':');
    memberOffset(btf, t.id, access);
  }
}

describe(`BTF fuzz (${COUNT} inputs, seed ${SEED})`, () => {
  const fixtures = ['maps', 'core'].map(loadFixture);
  const readOk = (bytes: Uint8Array) => {
    const r = readBtf(bytes);
    if (!r.ok) throw new Error(r.error.message);
    return r.btf;
  };
  const bases = fixtures.map((f) => ({ btf: f.btf, ext: f.ext, parsed: readOk(f.btf) }));

  it('gives ok or an offset for every input, and ok BTF rebuilds to the same types', () => {
    const random = rng(SEED);
    const tally = { btfOk: 0, btfError: 0, extOk: 0, extError: 0, rebuilt: 0 };
    const started = Date.now();
    let slowest = 0;
    for (let i = 0; i < COUNT; i++) {
      const t0 = Date.now();
      const base = bases[i % bases.length];
      if (!base) continue;
      const mode = random();
      if (mode < 0.45 || mode >= 0.9) {
        const bytes = mode < 0.45 ? mutate(base.btf, random) : mutate(randomBtf(random), random);
        const r = readBtf(bytes);
        if (!r.ok) {
          tally.btfError++;
          expectError(r.error, bytes.length);
        } else {
          tally.btfOk++;
          ask(r.btf, random);
          const ext = readBtfExt(base.ext, r.btf);
          if (!ext.ok) expectError(ext.error, base.ext.length);
          const again = rebuild(r.btf).build();
          expect(again.ok).toBe(true);
          if (again.ok) {
            const back = readBtf(again.btf);
            expect(back.ok && back.btf.types.map(({ offset: _o, ...t }) => t)).toEqual(r.btf.types.map(({ offset: _o, ...t }) => t));
            tally.rebuilt++;
          }
        }
      } else {
        const bytes = mutate(base.ext, random);
        const r = readBtfExt(bytes, base.parsed);
        if (r.ok) tally.extOk++;
        else {
          tally.extError++;
          expectError(r.error, bytes.length);
        }
      }
      slowest = Math.max(slowest, Date.now() - t0);
    }
    const ms = Date.now() - started;
    console.log(`BTF fuzz: ${COUNT} inputs in ${ms} ms (slowest ${slowest} ms): ${JSON.stringify(tally)}`);
    expect(slowest).toBeLessThan(2000);
  });

  it('stays bounded on hostile shapes: modifier cycles, nested arrays, overlapping strings', () => {
    const b = new BtfBuilder();
    b.addTypedef('a', 2);
    b.addConst(1);
    let inner = b.addInt('int', 4);
    for (let i = 0; i < 40; i++) inner = b.addArray(inner, 0xffff);
    const out = b.build();
    if (!out.ok) throw new Error(out.error.message);
    const r = readBtf(out.btf);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(resolve(r.btf, 1)).toBeUndefined();
    expect(typeSize(r.btf, 1)).toBeUndefined();
    expect(typeSize(r.btf, inner)).toBeUndefined();
    expect(memberOffset(r.btf, 1, '0:0')).toMatchObject({ ok: false });

    // 20,000 type names pointing into the middle of one 40 KB string: refused, not decoded 20,000 times.
    const names = 20000;
    const strLen = 1 + 40000 + 1;
    const bytes = new Uint8Array(24 + names * 12 + strLen);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, 0xeb9f, true);
    view.setUint8(2, 1);
    view.setUint32(4, 24, true);
    view.setUint32(12, names * 12, true);
    view.setUint32(16, names * 12, true);
    view.setUint32(20, strLen, true);
    for (let i = 0; i < names; i++) {
      view.setUint32(24 + i * 12, 1 + i, true);
      view.setUint32(24 + i * 12 + 4, 16 << 24, true);
      view.setUint32(24 + i * 12 + 8, 4, true);
    }
    bytes.fill(0x61, 24 + names * 12 + 1, bytes.length - 1);
    const t0 = Date.now();
    const hostile = readBtf(bytes);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(hostile).toMatchObject({ ok: false, error: { message: expect.stringMatching(/overlapping/) } });
  });
});
