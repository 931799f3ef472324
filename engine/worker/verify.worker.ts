// The live verifier's worker: the session's `verify` (and what explains a verdict), and a graded
// lesson's Check, over Comlink. The UI verifies the
// program in the editor after every change (app/live-verify.ts) in this worker of its own, so
// a long run in the engine worker never holds a verdict back and a verifier in trouble never
// stops a run (nor a crashed engine the verdict).

import * as Comlink from 'comlink';
import type { EngineApi } from './protocol.ts';
import { Session } from './session.ts';
import { warmUp } from './warmup.ts';
import { DEFAULT_CPUS, DEFAULT_PROFILE } from '../kernel/profiles.ts';
import { DEFAULT_MAX_INSNS } from '../vm/index.ts';

const session = new Session();
/** The warm-up starts this long after the first verdict (the page's first program) is answered. */
const WARMUP_DELAY_MS = 50;
let warming = false;

const api: Pick<EngineApi, 'ping' | 'verify' | 'counterexample' | 'traceAlong' | 'gradeLesson'> = {
  ping: () => 'pong',
  verify: (image, settings, lines, states, deferLog) => {
    const reply = session.verify(image, settings, lines, states, deferLog);
    // Live verdicts only (the page's other worker, which explains, is not the one typed against),
    // and warmed as they are asked: without the log.
    if (!warming && deferLog && !states) {
      warming = true;
      warmUp((i, s, l) => session.verify(i, s, l, false, true), { isa: 4, profile: DEFAULT_PROFILE, cpus: DEFAULT_CPUS, maxInsns: DEFAULT_MAX_INSNS }, WARMUP_DELAY_MS);
    }
    return reply;
  },
  counterexample: (image, settings, lines) => session.counterexample(image, settings, lines),
  // The program run unverified beside the verifier's beliefs (the Verifier panel's "Compare with a run").
  traceAlong: (image, settings, pcs, follow) => session.traceAlong(image, settings, pcs, follow),
  // A graded lesson's Check: verified and run on the lesson's hidden inputs (app/lessons/).
  gradeLesson: (spec, source) => session.gradeLesson(spec, source),
};

Comlink.expose(api);
