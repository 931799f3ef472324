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
import { RINGBUF_CASES } from './ringbuf.ts';
import { REFS } from './refs.ts';
import { ATOMICS } from './atomics.ts';
import { RETURN_VALUES } from './return-values.ts';
import { CPUMASK } from './cpumask.ts';
import { KPTR } from './kptr.ts';
import { TASK_CGROUP } from './task-cgroup.ts';
import { XDP_METADATA } from './xdp-metadata.ts';
import { CONNTRACK } from './conntrack.ts';

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
  ringbuf: RINGBUF_CASES,
  refs: REFS,
  atomics: ATOMICS,
  'return-values': RETURN_VALUES,
  cpumask: CPUMASK,
  kptr: KPTR,
  'task-cgroup': TASK_CGROUP,
  'xdp-metadata': XDP_METADATA,
  conntrack: CONNTRACK,
};

export const VERIFIER_CORPUS: readonly CorpusEntry[] = Object.values(CORPUS_TOPICS).flat();
