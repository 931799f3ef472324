// Seeded fuzzing of readElf: mutated fixtures (bit flips, truncations, random header and table
// fields, huge counts and offsets) must each give an object or an error with an offset inside the
// file — never a throw or a hang. ELF_FUZZ=N sets the number of cases (default 10,000).

import { describe, expect, it } from 'vitest';
import { FIXTURES, fixture } from './fixtures/fixtures.ts';
import { ELF, SHT, type ElfObject } from './object.ts';
import { readElf } from './reader.ts';

const CASES = Number(process.env.ELF_FUZZ ?? 10_000);
const SEED = 0x0e1f;

/** splitmix32: a seeded stream of 32-bit words. */
class Random {
  constructor(private state: number) {}

  u32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  below(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/** Where a field sits, and how wide it is, in the structures readElf reads. */
interface Field {
  readonly at: number;
  readonly size: 1 | 2 | 4 | 8;
}

function fields(size: Field['size'], offsets: readonly number[]): Field[] {
  return offsets.map((at) => ({ at, size }));
}

const HEADER_FIELDS: readonly Field[] = [...fields(1, [4, 5, 6, 7]), ...fields(2, [16, 18, 52, 54, 56, 58, 60, 62]), ...fields(4, [20, 48]), ...fields(8, [24, 32, 40])];
const SECTION_FIELDS: readonly Field[] = [...fields(4, [0, 4, 40, 44]), ...fields(8, [8, 16, 24, 32, 48, 56])];
const SYMBOL_FIELDS: readonly Field[] = [{ at: 0, size: 4 }, { at: 4, size: 1 }, { at: 5, size: 1 }, { at: 6, size: 2 }, { at: 8, size: 8 }, { at: 16, size: 8 }];
const RELOCATION_FIELDS: readonly Field[] = [{ at: 0, size: 8 }, { at: 8, size: 4 }, { at: 12, size: 4 }];

/** A value a hostile file might hold: extremes, off-by-ones around the file length, or noise. */
function hostileValue(rng: Random, length: number): bigint {
  const choices = [0n, 1n, 0xffn, 0xffffn, 0xff00n, 0xfff1n, 0xffffffffn, 0x7fffffffn, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n, BigInt(length), BigInt(length - 1), BigInt(length + 1), BigInt(length >> 1)];
  return rng.below(3) === 0 ? BigInt(rng.u32()) | (BigInt(rng.below(4) === 0 ? rng.u32() : 0) << 32n) : rng.pick(choices);
}

function setField(bytes: Uint8Array, f: Field, value: bigint): void {
  if (f.at + f.size > bytes.length) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const v = BigInt.asUintN(f.size * 8, value);
  if (f.size === 1) view.setUint8(f.at, Number(v));
  else if (f.size === 2) view.setUint16(f.at, Number(v), true);
  else if (f.size === 4) view.setUint32(f.at, Number(v), true);
  else view.setBigUint64(f.at, v, true);
}

/** One mutation of a copy of `original`, whose parsed form `elf` says where its tables are. */
function mutate(rng: Random, original: Uint8Array, elf: ElfObject): Uint8Array {
  let bytes = original.slice();
  const rounds = 1 + rng.below(3);
  for (let round = 0; round < rounds; round++) {
    const table = (offset: number, entry: number, count: number, fields: readonly Field[]): void => {
      const f = rng.pick(fields);
      setField(bytes, { at: offset + rng.below(count) * entry + f.at, size: f.size }, hostileValue(rng, bytes.length));
    };
    switch (rng.below(7)) {
      case 0: {
        const flips = 1 + rng.below(8);
        for (let i = 0; i < flips; i++) bytes[rng.below(bytes.length)] ^= 1 << rng.below(8);
        break;
      }
      case 1:
        bytes = bytes.slice(0, rng.below(bytes.length));
        break;
      case 2:
        setField(bytes, rng.pick(HEADER_FIELDS), hostileValue(rng, bytes.length));
        break;
      case 3:
        table(elf.header.shoff, ELF.SECTION_HEADER_SIZE, elf.header.shnum, SECTION_FIELDS);
        break;
      case 4: {
        const symtab = elf.sections[elf.symtab];
        table(symtab.offset, ELF.SYMBOL_SIZE, symtab.size / ELF.SYMBOL_SIZE, SYMBOL_FIELDS);
        break;
      }
      case 5: {
        const rel = elf.sections.filter((s) => s.type === SHT.REL);
        const s = rng.pick(rel);
        table(s.offset, ELF.REL_SIZE, s.size / ELF.REL_SIZE, RELOCATION_FIELDS);
        break;
      }
      default: {
        // A run of random bytes, e.g. over a string table or a header.
        const at = rng.below(bytes.length);
        const n = Math.min(bytes.length - at, 1 + rng.below(64));
        for (let i = 0; i < n; i++) bytes[at + i] = rng.below(256);
      }
    }
  }
  return bytes;
}

/** Every view readElf returned lies inside the file. */
function checkObject(bytes: Uint8Array, elf: ElfObject): void {
  for (const s of elf.sections) {
    if (s.data.length === 0) continue;
    const start = s.data.byteOffset - bytes.byteOffset;
    if (s.data.buffer !== bytes.buffer || start < 0 || start + s.data.length > bytes.length) throw new Error(`section ${s.index}: data outside the file`);
  }
  for (const t of elf.relocations) for (const r of t.relocations) if (r.symbol >= elf.symbols.length) throw new Error('relocation symbol out of range');
}

describe('readElf under fuzzing', () => {
  it(`${CASES.toLocaleString('en-US')} mutated fixtures give an object or an error with an offset, never a throw`, () => {
    const rng = new Random(SEED);
    const originals = FIXTURES.map((name) => {
      const bytes = fixture(name);
      const r = readElf(bytes);
      if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
      return { bytes, elf: r.elf };
    });
    let accepted = 0;
    let slowest = 0;
    const start = performance.now();
    for (let i = 0; i < CASES; i++) {
      const { bytes, elf } = rng.pick(originals);
      const input = mutate(rng, bytes, elf);
      const t0 = performance.now();
      let result: ReturnType<typeof readElf>;
      try {
        result = readElf(input);
        if (result.ok) checkObject(input, result.elf);
      } catch (e) {
        throw new Error(`case ${i} (seed ${SEED}): readElf threw ${(e as Error).stack ?? String(e)}`);
      }
      slowest = Math.max(slowest, performance.now() - t0);
      if (result.ok) accepted++;
      else {
        const { offset, message } = result.error;
        if (!Number.isInteger(offset) || offset < 0 || offset > input.length || message === '') {
          throw new Error(`case ${i}: bad error ${JSON.stringify(result.error)} for a ${input.length}-byte file`);
        }
      }
    }
    const ms = performance.now() - start;
    console.log(`elf fuzz: ${CASES.toLocaleString('en-US')} cases in ${(ms / 1000).toFixed(2)} s (${accepted.toLocaleString('en-US')} accepted, ${(CASES - accepted).toLocaleString('en-US')} refused; slowest case ${slowest.toFixed(1)} ms)`);
    expect(slowest).toBeLessThan(1000);
  });
});
