// Seeded mutations of real objects (the C examples and the ELF/BTF fixtures) through the whole
// object path — ELF, BTF, .BTF.ext, maps, relocations, CO-RE — must give a loaded object or a
// diagnostic naming where, never an exception or a hang. OBJECT_FUZZ=N sets the count (default
// 3,000; the 100,000 with OBJECT_FUZZ=100000), OBJECT_FUZZ_SEED the seed.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { objectOfElf } from '../../load/elf-object.ts';
import { Rng } from '../../util/rng.ts';
import { envInt } from '../kernel/rng.ts';

const COUNT = envInt('OBJECT_FUZZ', 3000);
const SEED = envInt('OBJECT_FUZZ_SEED', 20261206);

const dirs = ['../../../public/examples/c/', '../../program/elf/fixtures/', '../../program/btf/fixtures/'].map((d) => new URL(d, import.meta.url));
const objects = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.o')).map((f) => new Uint8Array(readFileSync(new URL(f, d)))));

function mutate(rng: Rng, src: Uint8Array): Uint8Array {
  const b = src.slice();
  const n = 1 + rng.below(3);
  for (let i = 0; i < n; i++) {
    const what = rng.below(5);
    const at = rng.below(b.length);
    if (what === 0) b[at] = (b[at] ?? 0) ^ (1 << rng.below(8));
    else if (what === 1) b[at] = rng.below(256);
    else if (what === 2) for (let k = 0; k < 4 && at + k < b.length; k++) b[at + k] = rng.pick([0x00, 0xff, 0x7f, 0x80]);
    else if (what === 3) new DataView(b.buffer).setUint32(Math.min(at, b.length - 4) & ~3, rng.pick([0, 1, 0xffffffff, 0x7fffffff, b.length, b.length + 8]), true);
    else return b.subarray(0, at);
  }
  return b;
}

describe('objects that are not quite objects', () => {
  it(`${COUNT} seeded mutations of ${objects.length} real objects: a loaded object or a diagnostic, never an exception`, () => {
    expect(objects.length).toBeGreaterThanOrEqual(10);
    const rng = new Rng(SEED);
    let loaded = 0;
    let refused = 0;
    let slowest = 0;
    const t0 = performance.now();
    for (let i = 0; i < COUNT; i++) {
      const input = mutate(rng, rng.pick(objects));
      const t = performance.now();
      const r = objectOfElf(input);
      slowest = Math.max(slowest, performance.now() - t);
      if (r.ok) loaded++;
      else {
        refused++;
        // A diagnostic says where; an internal exception caught by the loader is a bug.
        expect(r.error, `mutation ${i}: ${r.error}`).not.toMatch(/could not be loaded/);
        expect(r.error.length).toBeGreaterThan(10);
      }
    }
    console.log(`object fuzz: ${COUNT} mutations (seed ${SEED}) in ${Math.round(performance.now() - t0)} ms: ${loaded} loaded, ${refused} refused with a diagnostic; slowest ${slowest.toFixed(1)} ms`);
    expect(loaded + refused).toBe(COUNT);
  }, 600_000);
});
