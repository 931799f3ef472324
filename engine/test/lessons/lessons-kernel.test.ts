// The lessons against this machine's kernel (skipped, saying why, where bpf() cannot be used):
// every program of each reference solution graded under Linux 6.18 loads (BPF_PROG_LOAD,
// verification only), and a "fix" or "spot the bug" starter is refused there with the message
// the lesson teaches — so a lesson never teaches what Linux would not do.

import { afterAll, describe, expect, it } from 'vitest';
import { assemble } from '../../asm/index.ts';
import { verifiable } from '../../load/load.ts';
import { sectionKind } from '../../program/program.ts';
import { defaultLessonsDir, loadLessonsFrom } from '../../lessons/load-dir.ts';
import { closeKernelLoader, loadInKernel, sharedOracle } from '../verifier/kernel-load.ts';

const oracle = await sharedOracle();
const unavailable = 'unavailable' in oracle ? oracle.unavailable : undefined;
if (unavailable) console.log(`skipped: ${unavailable}`);
afterAll(closeKernelLoader);

const lessons = loadLessonsFrom(defaultLessonsDir()).lessons.filter((l) => (l.spec.grader.profiles ?? ['linux-6.18']).includes('linux-6.18'));
const programsOf = (text: string): string[] => assemble(text, { isa: 4 }).sections.filter((s) => s.insns.length > 0 && verifiable(sectionKind(s.name))).map((s) => s.name);

describe.skipIf(unavailable !== undefined)('the lessons in this machine’s kernel', () => {
  it.each(lessons.filter((l) => programsOf(l.solutionText).length).map((l) => [l.spec.id, l] as const))('%s: every program of the solution loads', async (_id, l) => {
    const skipped: string[] = [];
    for (const section of programsOf(l.solutionText)) {
      const r = await loadInKernel(l.solutionText, { section });
      if ('skipped' in r) {
        skipped.push(`${section}: ${r.skipped}`);
        continue;
      }
      expect(r.accepted ? '' : `${section}: ${r.message}`).toBe('');
    }
    if (skipped.length) console.log(`${l.spec.id}: left out: ${skipped.join('; ')}`);
  });

  it.each(lessons.filter((l) => l.spec.grader.starterRefusal !== undefined).map((l) => [l.spec.id, l] as const))('%s: the starter is refused as the lesson says', async (_id, l) => {
    const results = [];
    const skipped: string[] = [];
    for (const section of programsOf(l.starterText)) {
      const r = await loadInKernel(l.starterText, { section });
      if ('skipped' in r) skipped.push(`${section}: ${r.skipped}`);
      else results.push(r);
    }
    if (skipped.length) console.log(`${l.spec.id} starter: left out: ${skipped.join('; ')}`);
    if (results.length === 0) return;
    const refused = results.filter((r) => !r.accepted);
    expect(refused.length, 'some program of the starter is refused').toBeGreaterThan(0);
    // The kernel's log holds the words the lesson quotes (its last line, or the one before it for a leak).
    expect(refused.some((r) => r.log.includes(l.spec.grader.starterRefusal ?? '')), refused.map((r) => r.message).join(' | ')).toBe(true);
  });
});
