// Differential test against the running Linux kernel: seeded random programs (ALU, division
// edges, shifts, byte swaps, sign extension, stack, jumps, atomics) run in the kernel through
// BPF_PROG_TEST_RUN and in our interpreter through runRaw; the full 64-bit r0 must agree.
// Half the programs start from lddw constants, half read the same values from the packet so
// that the verifier cannot decide their branches and the JIT's own jumps run.
// Skipped, and saying why, where the kernel cannot be asked (not root, no bpf(), no compiler).
// KDIFF_SEED and KDIFF_COUNT move or widen the seed range (never below 10,000 programs).

import { afterAll, describe, expect, it } from 'vitest';
import { disassemble } from '../asm/index.ts';
import { encodeProgram, type Insn } from '../isa/index.ts';
import { runRaw } from '../vm/index.ts';
import { generateProgram, PROGRAM_KINDS, type ProgramKind } from './kernel/generate.ts';
import { inputPacketProgram, PACKET_BYTES, r0FromPacket, rawProgram, xdpProgram } from './kernel/harness.ts';
import { kernelOracle, type KernelOracle, type KernelRequest, type KernelResult } from './kernel/oracle.ts';
import { envInt } from './kernel/rng.ts';
import { shrinkBody } from './kernel/shrink.ts';

const MIN_PROGRAMS = 10_000;
/**
 * Measured on a 2-CPU machine running Linux 6.18: 0.6-0.9 ms a program on our side
 * (generation 0.2, encoding 0.15, runRaw the rest) while the kernel's load and test_run
 * (0.2-0.5 ms) overlap on the helper's CPU; 20,000 take 12 s idle and 24 s beside other test
 * files, inside the one-minute budget.
 */
const DEFAULT_PROGRAMS = 20_000;
/** Requests per round trip: large enough to keep the helper busy, small enough to bound memory. */
const CHUNK = 1_000;
/** Disagreements shrunk and printed in full; the rest are only counted. */
const SHOWN = 3;

const FIRST_SEED = envInt('KDIFF_SEED', 1);
const COUNT = Math.max(MIN_PROGRAMS, envInt('KDIFF_COUNT', DEFAULT_PROGRAMS));
const LAST_SEED = FIRST_SEED + COUNT - 1;

const found = await kernelOracle();
const kernel = 'unavailable' in found ? undefined : found;
if ('unavailable' in found) console.log(`skipped: ${found.unavailable}`);

function kindOf(seed: number): ProgramKind {
  return PROGRAM_KINDS[seed % PROGRAM_KINDS.length] ?? 'mixed';
}

const hex64 = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;

type InputMode = 'constants' | 'packet';

/** Alternates in blocks of one seed per kind, so every kind meets both modes. */
function modeOf(seed: number): InputMode {
  return Math.floor(seed / PROGRAM_KINDS.length) % 2 === 0 ? 'constants' : 'packet';
}

function kernelRequest(body: readonly Insn[], mode: InputMode): KernelRequest | undefined {
  if (mode === 'constants') return { prog: encodeProgram(xdpProgram(body)), data: new Uint8Array(PACKET_BYTES) };
  const p = inputPacketProgram(body);
  return p && { prog: encodeProgram(p.prog), data: p.packet };
}

async function ask(oracle: KernelOracle, body: readonly Insn[], mode: InputMode): Promise<KernelResult | undefined> {
  const request = kernelRequest(body, mode);
  return request && oracle.run(request);
}

interface Verdict {
  readonly agree: boolean;
  /** The kernel accepted and ran the program (a disagreement is then ours to explain). */
  readonly ran: boolean;
  readonly kernel: string;
  readonly ours: string;
}

/** Far above any generated body (a few hundred instructions, loops of at most six passes). */
const MAX_INSNS = 1_000_000;

function judge(answer: KernelResult | undefined, raw: Uint8Array): Verdict {
  const result = runRaw(raw, { maxInsns: MAX_INSNS });
  const ours = result.ok ? hex64(result.r0) : `error: ${result.error}`;
  if (!answer) return { agree: false, ran: false, kernel: 'no answer', ours };
  if (!answer.ok) {
    // The generator promises verifier-clean programs, so a refusal fails the test too.
    const log = answer.log.trim().split('\n').slice(-12).join('\n    ');
    return { agree: false, ran: false, kernel: `refused at ${answer.stage}: ${answer.error}\n    ${log}`, ours };
  }
  const r0 = r0FromPacket(answer.dataOut);
  if (r0 === undefined) return { agree: false, ran: false, kernel: `data_out has only ${answer.dataOut.length} bytes`, ours };
  // test_run's retval is the low half of r0: a cross-check of the harness itself.
  if (Number(r0 & 0xffff_ffffn) !== answer.retval) {
    return { agree: false, ran: false, kernel: `${hex64(r0)} but retval ${answer.retval}`, ours };
  }
  return { agree: result.ok && result.r0 === r0, ran: true, kernel: hex64(r0), ours };
}

function listing(raw: Uint8Array): string {
  return disassemble(raw, { dialect: 'ubpf' })
    .lines.map((l) => `    ${String(l.pc).padStart(4)}: ${l.text}`)
    .join('\n');
}

/** The report for one disagreement, with the body shrunk to a minimal reproduction if it ran. */
async function report(oracle: KernelOracle, seed: number, body: Insn[], verdict: Verdict): Promise<string> {
  const head = `seed ${seed}: generateProgram(${seed}, '${kindOf(seed)}') as a raw program, kernel inputs from ${modeOf(seed)}\n  kernel: ${verdict.kernel}\n  runRaw: ${verdict.ours}`;
  if (!verdict.ran) return `${head}\n${listing(encodeProgram(rawProgram(body)))}`;
  let last = verdict;
  const small = await shrinkBody(body, async (candidate) => {
    // Only what the kernel accepts is worth running: a candidate may have lost a loop's step.
    const answer = await ask(oracle, candidate, modeOf(seed));
    if (!answer?.ok) return false;
    const v = judge(answer, encodeProgram(rawProgram(candidate)));
    if (v.ran && !v.agree) last = v;
    return v.ran && !v.agree;
  });
  const tail = `shrunk from ${body.length} to ${small.length} instructions (kernel ${last.kernel}, runRaw ${last.ours}):`;
  return `${head}\n  ${tail}\n${listing(encodeProgram(rawProgram(small)))}`;
}

interface Chunk {
  readonly seeds: readonly number[];
  readonly bodies: readonly Insn[][];
  /** In seed order; undefined where the harness could not wrap the body (it then fails as 'no answer'). */
  readonly answers: Promise<(KernelResult | undefined)[]>;
}

/** Generates the programs of seeds first.. (CHUNK of them at most) and sends them to the kernel. */
function sendChunk(oracle: KernelOracle, first: number): Chunk {
  const seeds = Array.from({ length: Math.min(CHUNK, LAST_SEED - first + 1) }, (_, i) => first + i);
  const bodies = seeds.map((seed) => generateProgram(seed, kindOf(seed)));
  const requests = bodies.map((body, i) => kernelRequest(body, modeOf(seeds[i] ?? 0)));
  const answers = oracle.runBatch(requests.filter((r) => r !== undefined)).then((sent) => {
    let next = 0;
    return requests.map((r) => (r ? sent[next++] : undefined));
  });
  return { seeds, bodies, answers };
}

describe('kernel differential: random programs agree with Linux', () => {
  afterAll(async () => {
    await kernel?.close();
  });

  it.skipIf(kernel === undefined)(`${COUNT} programs, seeds ${FIRST_SEED}..${LAST_SEED}`, async () => {
    if (!kernel) return;
    console.log(`kernel differential: seeds ${FIRST_SEED}..${LAST_SEED} on Linux ${kernel.kernel}`);
    const failing: { seed: number; body: Insn[]; verdict: Verdict }[] = [];
    let failures = 0;
    let compared = 0;
    let slots = 0;
    let waitMs = 0;
    const started = performance.now();
    const submit = (first: number): Chunk | undefined => (first <= LAST_SEED ? sendChunk(kernel, first) : undefined);
    // Chunk n+1 is in the kernel's hands while runRaw checks chunk n: the helper runs on its
    // own CPU, so the two sides overlap instead of taking turns.
    let current = submit(FIRST_SEED);
    while (current) {
      const following = submit((current.seeds.at(-1) ?? LAST_SEED) + 1);
      const t = performance.now();
      const answers = await current.answers;
      waitMs += performance.now() - t;
      for (const [i, seed] of current.seeds.entries()) {
        const body = current.bodies[i] ?? [];
        const raw = encodeProgram(rawProgram(body));
        slots += raw.length / 8;
        const verdict = judge(answers[i], raw);
        compared++;
        if (!verdict.agree) {
          failures++;
          if (failing.length < SHOWN) failing.push({ seed, body, verdict });
        }
        // Let the event loop feed the helper's stdin now and then.
        if (i % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
      }
      current = following;
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `kernel differential: ${compared} programs (${(slots / compared).toFixed(0)} slots on average) in ${seconds.toFixed(1)} s ` +
        `(${(waitMs / 1000).toFixed(1)} s of it waiting for the kernel), ${failures} disagreements`,
    );
    const reports: string[] = [];
    for (const f of failing) reports.push(await report(kernel, f.seed, f.body, f.verdict));
    if (reports.length) console.log(reports.join('\n\n'));
    expect(compared).toBe(COUNT);
    expect(failures, `${failures} of ${compared} programs disagree with the kernel; the first ${reports.length} are printed above`).toBe(0);
  });
});
