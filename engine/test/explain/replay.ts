// How the playground replays a counterexample ("Run it unverified": app/actions.ts
// runCounterexample, then the worker's load and run): the program unverified, the
// counterexample's input, RunSettings.strictPacket and strictAccess. Shared by the replay tests,
// with the corpus's refusals a counterexample is searched for.

import { categorize, type Counterexample, type RefusalCategory } from '../../explain/counterexample.ts';
import { verifyProgram } from '../../load/load.ts';
import type { VerifyError } from '../../verifier/api.ts';
import { VERIFIER_CORPUS } from '../verifier/corpus/index.ts';
import type { CorpusEntry } from '../verifier/corpus-entry.ts';
import { bytesOf, prepare, requestFor } from '../verifier/corpus-mutants.ts';
import { parseHexBytes } from '../../program/hex.ts';
import { Session } from '../../worker/session.ts';
import type { ProgramImage, RunSettings } from '../../worker/protocol.ts';
import type { PipelineRequest } from '../../load/load.ts';

/** How the playground replays `found` (app/actions.ts runCounterexample → the worker's load and run). */
export function replay(req: PipelineRequest, found: Counterexample): string {
  const image: ProgramImage = {
    sections: req.sections.map((s) => ({ name: s.name, progType: s.kind.progType, bytecode: s.bytes })),
    entry: req.entry,
    maps: req.maps,
    ...(req.license === undefined ? {} : { license: req.license }),
  };
  const data = found.input.data ? parseHexBytes(found.input.data) : undefined;
  const ctx = found.input.ctx ? parseHexBytes(found.input.ctx) : undefined;
  const settings: RunSettings = {
    isa: req.isa,
    profile: req.profile,
    cpus: req.cpus,
    maxInsns: 100_000,
    verify: false,
    strictPacket: true,
    ...(found.access ? { strictAccess: found.access } : {}),
    ...(data ? { input: data } : {}),
    ...(ctx ? { ctx } : {}),
    ...(found.input.maps ? { maps: found.input.maps } : {}),
    ...(found.input.scenario ? { scenario: found.input.scenario } : {}),
  };
  const s = new Session();
  const loaded = s.load(image, settings);
  if (!loaded.ok) return `not loaded: ${loaded.problems[0]?.message ?? '?'}`;
  const snap = s.run([]);
  if (snap.status === 'fault') return `fault@${snap.fault?.pc ?? '?'}: ${snap.fault?.message ?? ''}`;
  const leak = snap.kernel?.leaks?.[0];
  return leak ? `leak@${leak.pc}` : snap.status;
}


/** Each corpus entry our verifier refuses with a message about memory safety, NULL, bounds or a leak: its request and refusal. */
export function* corpusRefusals(): Generator<{ readonly entry: CorpusEntry; readonly req: PipelineRequest; readonly err: VerifyError; readonly category: RefusalCategory }> {
  for (const entry of VERIFIER_CORPUS) {
    const p = prepare(entry);
    if ('skipped' in p) continue;
    const req = requestFor(p, bytesOf(p.insns));
    const v = verifyProgram({ ...req, logLevel: 0, explain: true });
    const err = v.verifier?.errors[0];
    if (v.ok || !err || v.problems[0]?.stage !== 'verifier') continue;
    const category = categorize(err.message);
    if (category) yield { entry, req, err, category };
  }
}
