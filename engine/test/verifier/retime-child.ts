// Re-times one verification in a fresh Node process (timing.ts, retimeFresh): reads a JSON
// request on stdin — the program's sections as hex, its maps and settings — runs BPF_PROG_LOAD's
// checks and the verifier three times (cold, then warm), and prints the CPU and wall times of
// each run as JSON.

import { readFileSync } from 'node:fs';
import { verifyProgram, type PipelineRequest } from '../../load/load.ts';
import type { FreshRequest } from './timing.ts';
import { timed } from './timing.ts';

const input = JSON.parse(readFileSync(0, 'utf8')) as FreshRequest;
const request: PipelineRequest = {
  ...input,
  sections: input.sections.map((s) => ({ name: s.name, kind: s.kind, bytes: Uint8Array.from(Buffer.from(s.hex, 'hex')) })),
  verify: true,
  logLevel: 0,
};
const runs = [0, 1, 2].map(() => timed(() => verifyProgram(request)));
process.stdout.write(JSON.stringify(runs.map((r) => ({ cpuMs: r.cpuMs, wallMs: r.wallMs, ok: r.value.ok }))) + '\n');
