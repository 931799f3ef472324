// "Run it unverified" (issue 13, point 5): the playground replays a counterexample by loading the
// program unverified with the counterexample's input — packet, context, map contents, scenario —
// and RunSettings.strictPacket (with the refused access's area, strictAccess), in the worker's Session. Every counterexample the search finds for
// the verifier corpus must then go wrong where the search said: a fault at its instruction (the
// accesses Linux makes without a fault — past a map value, into a record handed back, into a
// released socket — stopped by the same watcher the search runs), or the leak it named.
//
// Device-bound programs are replayed on the emulated NIC from a one-frame capture instead (the
// journey in e2e/specs/verifier-live.spec.ts); they are counted, not replayed, here.

import { describe, expect, it } from 'vitest';
import { verifyProgram } from '../../load/load.ts';
import { findCounterexample, SEARCH } from '../../explain/counterexample.ts';
import { corpusRefusals, replay } from './replay.ts';
import { VERIFIER_CORPUS } from '../verifier/corpus/index.ts';
import { bytesOf, prepare, requestFor } from '../verifier/corpus-mutants.ts';

/** The search's options in counterexample.test.ts. */

describe('replaying the corpus counterexamples as the playground does', () => {
  it('goes wrong where the search said, for every one found (strict mode and the watcher)', () => {
    const rows: { name: string; want: string; got: string }[] = [];
    let nic = 0;
    for (const { entry, req, err } of corpusRefusals()) {
      const found = findCounterexample(req, err, SEARCH);
      if ('none' in found) continue;
      if (found.nic) {
        nic++;
        continue;
      }
      rows.push({ name: entry.name, want: `${found.kind}@${found.pc}`, got: replay(req, found) });
    }
    const wrong = rows.filter((r) => !r.got.startsWith(r.want));
    console.log(`replayed ${rows.length} counterexamples (${nic} device-bound ones left to the NIC journey): ${rows.length - wrong.length} went wrong where the search said\n${wrong.map((r) => `  ${r.name}: want ${r.want}, got ${r.got}`).join('\n')}`);
    expect(rows.length).toBeGreaterThan(120);
    expect(wrong.map((r) => `${r.name}: want ${r.want}, got ${r.got.slice(0, 160)}`)).toEqual([]);
  }, 300_000);

  it('says why it stops where Linux would not: past a map value, in the words of the search', () => {
    const entry = VERIFIER_CORPUS.find((e) => e.name === 'maps/read u8 just past the value');
    if (!entry) throw new Error('corpus entry missing');
    const p = prepare(entry);
    if ('skipped' in p) throw new Error(p.skipped);
    const req = requestFor(p, bytesOf(p.insns));
    const err = verifyProgram({ ...req, logLevel: 0, explain: true }).verifier?.errors[0];
    if (!err) throw new Error('not refused');
    const found = findCounterexample(req, err, SEARCH);
    if ('none' in found) throw new Error(found.none);
    expect(replay(req, found)).toMatch(/^fault@\d+: pc \d+: reads 1 byte at offset 64 of the 64-byte value of map m, through R0: outside it but inside memory next to it, so Linux goes on without a fault; this run stops here to show the access the verifier refused$/);
  });
});
