// The live verifier's worker: the session's `verify` (and what explains a verdict), and a graded
// lesson's Check, over Comlink. The UI verifies the
// program in the editor after every change (app/live-verify.ts) in this worker of its own, so
// a long run in the engine worker never holds a verdict back and a verifier in trouble never
// stops a run (nor a crashed engine the verdict).

import * as Comlink from 'comlink';
import type { EngineApi } from './protocol.ts';
import { Session } from './session.ts';

const session = new Session();

const api: Pick<EngineApi, 'ping' | 'verify' | 'counterexample' | 'traceAlong' | 'gradeLesson'> = {
  ping: () => 'pong',
  verify: (image, settings, lines, states) => session.verify(image, settings, lines, states),
  counterexample: (image, settings, lines, budgetMs) => session.counterexample(image, settings, lines, budgetMs),
  // The program run unverified beside the verifier's beliefs (the Verifier panel's "Compare with a run").
  traceAlong: (image, settings, pcs, follow) => session.traceAlong(image, settings, pcs, follow),
  // A graded lesson's Check: verified and run on the lesson's hidden inputs (app/lessons/).
  gradeLesson: (spec, source) => session.gradeLesson(spec, source),
};

Comlink.expose(api);
