// The verifier corpus: small programs, each about one rule of the Linux verifier, that the
// differential (../differential.ts) loads into the running kernel and into the playground's
// verifier. Each source starts with the verdict we meant (`# expect: …`); the kernel decides.

import type { CorpusEntry } from '../corpus-entry.ts';
import { ALU } from './alu.ts';
import { BOUNDS } from './bounds.ts';
import { CTX } from './ctx.ts';
import { MAPS } from './maps.ts';
import { PACKET } from './packet.ts';
import { STACK } from './stack.ts';
import { UNINIT } from './uninit.ts';
import { HELPERS } from './helpers.ts';
import { JUMPS_LOOPS } from './jumps-loops.ts';
import { STRUCTURE } from './structure.ts';
import { CALLS } from './calls.ts';

export const CORPUS_TOPICS: Readonly<Record<string, readonly CorpusEntry[]>> = {
  alu: ALU,
  uninit: UNINIT,
  stack: STACK,
  ctx: CTX,
  packet: PACKET,
  maps: MAPS,
  bounds: BOUNDS,
  helpers: HELPERS,
  'jumps-loops': JUMPS_LOOPS,
  structure: STRUCTURE,
  calls: CALLS,
};

export const VERIFIER_CORPUS: readonly CorpusEntry[] = Object.values(CORPUS_TOPICS).flat();
