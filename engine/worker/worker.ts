// The engine worker: exposes the session over Comlink, nothing else. Any exception is caught
// in the session; a crash of the worker itself is seen and reported by the UI's client.

import * as Comlink from 'comlink';
import type { EngineApi } from './protocol.ts';
import { Session } from './session.ts';

const session = new Session();

const api: EngineApi = {
  ping: () => 'pong',
  load: (image, settings) => session.load(image, settings),
  verify: (image, settings, lines, states) => session.verify(image, settings, lines, states),
  counterexample: (image, settings, lines) => session.counterexample(image, settings, lines),
  traceAlong: (image, settings, pcs, follow) => session.traceAlong(image, settings, pcs, follow),
  gradeLesson: (spec, source) => session.gradeLesson(spec, source),
  openObject: (bytes) => session.openObject(bytes),
  exportObject: (request) => session.exportObject(request),
  run: (breakpoints, onProgress, view) => session.run(breakpoints, onProgress, view),
  continue: (breakpoints, onProgress, view) => session.continue(breakpoints, onProgress, view),
  step: (view) => session.step(view),
  stepOver: (view) => session.stepOver(view),
  reset: (view) => session.reset(view),
  snapshot: (view) => session.snapshot(view),
  mapPage: (query) => session.mapPage(query),
  runRaw: (request) => session.runRaw(request),
  runTraffic: (onProgress) => session.runTraffic(onProgress),
  packetDetail: (index) => session.packetDetail(index),
  exportPcap: (which) => session.exportPcap(which),
};

Comlink.expose(api);
