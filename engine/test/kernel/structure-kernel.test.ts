// The structure checks against the running kernel (skipped, saying why, where there is none):
// each tiny program of structure-cases.ts loaded with BPF_PROG_LOAD, the kernel's message (the
// last line of its log) compared with checkStructure's; the programs the checks let through
// must not be refused by the kernel for their structure either.

import { afterAll, describe, expect, it } from 'vitest';
import { decodeProgram, encodeProgram } from '../../isa/index.ts';
import { checkStructure } from '../../program/structure.ts';
import { STRUCTURE_CASES } from '../../program/structure-cases.ts';
import { firstRefused } from './features.ts';
import { insnFeatures } from './insn-features.ts';
import { kernelOracle } from './oracle.ts';

const found = await kernelOracle();
const kernel = 'unavailable' in found ? undefined : found;
if ('unavailable' in found) console.log(`skipped: ${found.unavailable}`);

/** The kernel's refusal: the last log line before the statistics line. */
function lastMessage(log: string): string {
  const lines = log.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('processed '));
  return lines[lines.length - 1] ?? '';
}

const STRUCTURAL = /^(call to invalid destination|too many subprograms|jump out of range|last insn is not|unrecognized bpf_ld_imm64|unreachable insn|jump into the middle|back-edge)/;

describe.skipIf(kernel === undefined)('structure checks against the kernel', () => {
  afterAll(async () => {
    await kernel?.close();
  });

  it('gives the kernel message for each refusal and lets through what the kernel lets through', async () => {
    if (!kernel) return;
    // A case using an instruction form this kernel build refuses (gotol, …) is left out.
    const cases = [];
    for (const c of STRUCTURE_CASES) {
      const refused = await firstRefused(kernel, insnFeatures(c.insns));
      if (refused) console.log(`left out: ${c.name} — this kernel refuses ${refused.feature.name}: ${JSON.stringify(refused.reason)}`);
      else cases.push(c);
    }
    const answers = await kernel.runBatch(cases.map((c) => ({ prog: encodeProgram(c.insns), data: new Uint8Array(64) })));
    const ours = cases.map((c) => {
      const errors = checkStructure(decodeProgram(encodeProgram(c.insns)).insns);
      return `${c.name}: ${errors[0]?.message ?? 'structure fine'}`;
    });
    const theirs = cases.map((c, i) => {
      const a = answers[i];
      const message = a && !a.ok ? lastMessage(a.log) : '';
      return `${c.name}: ${STRUCTURAL.test(message) ? message : 'structure fine'}`;
    });
    expect(ours).toEqual(theirs);
  }, 60_000);
});
