// The verifier differential on generated mutations of the examples and of the corpus
// (mutant-differential.ts): the running kernel's verdict and final message against ours, with
// the thresholds (verdicts ≥ 98 %, the kernel's message in ours on ≥ 95 % of its
// refusals); every disagreement is printed with its reason, and what was left out with why.
//
// Size: VERIFIER_KERNEL_MUTANTS (default 3,000), seed VERIFIER_KERNEL_MUTANT_SEED; VMUT_SHOW=i
// prints mutant i (its source, what was mutated, its listing, both answers).
// Skipped, saying why, where bpf() is not usable.

import { afterAll, describe, expect, it } from 'vitest';
import { encodeProgram, type Insn } from '../../isa/index.ts';
import { assemble } from '../../asm/index.ts';
import { kernelOracle } from '../kernel/oracle.ts';
import { Rng } from '../kernel/rng.ts';
import { mutate } from './corpus-mutants.ts';
import { loadCorpus, loadVerifier, reportLines, runningFacts, runningProfile, thresholdFailures } from './differential.ts';
import { exampleSources, kernelMutant, runMutantDifferential } from './mutant-differential.ts';

const COUNT = Number(process.env['VERIFIER_KERNEL_MUTANTS'] ?? 3000);
const SEED = Number(process.env['VERIFIER_KERNEL_MUTANT_SEED'] ?? 0x6b6d_0000);
const SHOW = process.env['VMUT_SHOW'];

const found = await kernelOracle();
const kernel = 'unavailable' in found ? undefined : found;
if ('unavailable' in found) console.log(`skipped: ${found.unavailable}`);
afterAll(async () => {
  await kernel?.close();
});

const present = (insns: readonly (Insn | null)[]) => insns.filter((i): i is Insn => i !== null);

describe('carrying a mutation to the kernel copy', () => {
  // Two copies of one program that differ as ours and the kernel's do: a field offset and a kfunc id.
  const ours = present(assemble('.section xdp\n r2 = *(u64 *)(r1 + 8)\n r3 = 5\n call bpf_cpumask_create\n r0 = 0\n exit\n').sections[0]?.insns ?? []);
  const kernel = ours.map((insn): Insn => {
    if (insn.kind === 'load') return { ...insn, off: insn.off + 100 };
    if (insn.kind === 'call') return { ...insn, imm: 4242 };
    return insn;
  });

  it('keeps the kernel copy of an unmutated program', () => {
    const none = { insns: ours, origins: ours.map((_, i) => i), mutations: [], kinds: [] };
    expect(encodeProgram(kernelMutant(none, ours, kernel))).toEqual(encodeProgram(kernel));
  });

  it('moves an access by the same amount in both copies, and keeps kfunc ids through a deletion', () => {
    // Many seeds: whatever was mutated, every instruction of the kernel copy is the mutant's own
    // except for the carried differences, which stay exactly those of the originals.
    for (let s = 0; s < 200; s++) {
      const m = mutate(ours, new Rng(s), 'linux-6.18');
      const k = kernelMutant(m, ours, kernel);
      expect(k).toHaveLength(m.insns.length);
      m.insns.forEach((insn, j) => {
        const kk = k[j];
        const origin = m.origins[j] ?? -1;
        if (insn.kind === 'load' && origin >= 0 && ours[origin]?.kind === 'load') expect(kk).toEqual({ ...insn, off: insn.off + 100 });
        else if (insn.kind === 'call' && origin >= 0 && ours[origin]?.kind === 'call') expect(kk).toEqual({ ...insn, imm: 4242 });
        else expect(kk).toEqual(insn);
      });
    }
  });
});

describe.skipIf(kernel === undefined)('verifier differential on mutants', () => {
  it(`agrees with the kernel on ${COUNT} mutants of the examples and the corpus`, async () => {
    if (!kernel) return;
    const corpus = await loadCorpus();
    const verify = await loadVerifier();
    if ('unavailable' in corpus || 'unavailable' in verify) {
      console.log(`skipped: ${'unavailable' in corpus ? corpus.unavailable : 'unavailable' in verify ? verify.unavailable : ''}`);
      return;
    }
    const kernelProfile = runningProfile();
    const report = await runMutantDifferential(exampleSources(), corpus, kernel, { verify, count: COUNT, seed: SEED, facts: runningFacts(), ...(kernelProfile ? { kernelProfile } : {}) });
    const lines = reportLines(report);
    console.log(
      [
        `mutants: ${report.compared} compared (${report.duplicates} duplicates skipped), made from ${report.sources.examples} example programs and ${report.sources.corpus} corpus programs; seed ${SEED}`,
        ...lines,
      ].join('\n'),
    );
    if (SHOW !== undefined) {
      for (const o of report.outcomes) {
        if (!o.name.startsWith(`mutant ${SHOW} `)) continue;
        console.log(`${report.details.get(o.name) ?? o.name}\nkernel: ${o.kernel.accepted ? 'accepts' : o.kernel.log}\nours: ${o.ours?.accepted ? 'accepts' : (o.ours?.log ?? '')}`);
      }
    }
    expect(report.sources.examples).toBeGreaterThan(0);
    expect(thresholdFailures(report)).toEqual([]);
  }, 600_000);
});
