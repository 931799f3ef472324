// A fuzz worker thread: runs the cases it is sent, one at a time, and keeps the index of the
// case running in shared memory, where the main thread's watchdog reads it — a case that never
// returns cannot answer messages, so the watchdog must not need it to.

import { parentPort, workerData } from 'node:worker_threads';
import { caseRng, describeThrown, type Finding, type Surface } from './case.ts';
import { inspectAnswer } from './inspect.ts';
import { surfaceByName, SURFACES } from './surfaces/index.ts';
import { exampleCorpus } from './corpus.ts';
import type { ToMain, ToWorker } from './messages.ts';
import { FUZZ_MAX_INSNS } from './play.ts';
import { assembleAndPlay } from './surfaces/asm.ts';

const port = parentPort;
if (!port) throw new Error('fuzz worker: run me as a worker thread');
/** [0]: index of the case running, -1 between cases; [1]: cases started so far; [2]: the last index started. */
const slot = new Int32Array((workerData as { progress: SharedArrayBuffer }).progress);

function send(m: ToMain): void {
  port?.postMessage(m);
}

/** A case's input; the generator is the harness's, so its throw is reported as such. */
function generateCase(surface: Surface, seed: number, index: number): { input: unknown } | { finding: Finding } {
  try {
    return { input: surface.generate(caseRng(surface.name, seed, index), index) };
  } catch (e) {
    return { finding: { kind: 'exception', detail: `the fuzz generator itself threw: ${describeThrown(e)}` } };
  }
}

/** The product's answer to one input, and what is wrong with it (one finding per kind). */
async function runInput(surface: Surface, input: unknown): Promise<{ findings: Finding[]; answer: unknown }> {
  let answer: unknown;
  try {
    answer = await surface.run(input);
  } catch (e) {
    return { findings: [{ kind: 'exception', detail: describeThrown(e) }], answer: undefined };
  }
  const byKind = new Map<string, Finding>();
  const extra = collectLineFindings(answer);
  for (const f of [...inspectAnswer(answer), ...extra]) if (!byKind.has(f.kind)) byKind.set(f.kind, f);
  return { findings: [...byKind.values()], answer };
}

/** The line findings of every command run in the answer (scratch.ts cliAnswer). */
function collectLineFindings(answer: unknown, depth = 0): Finding[] {
  if (typeof answer !== 'object' || answer === null || depth > 4 || ArrayBuffer.isView(answer) || (Array.isArray(answer) && answer.length > 64)) return [];
  if ('lineFindings' in answer && Array.isArray(answer.lineFindings)) return answer.lineFindings as Finding[];
  return Object.values(answer).flatMap((v) => collectLineFindings(v, depth + 1));
}

async function runChunk(name: string, seed: number, from: number, to: number, limitMs: number): Promise<void> {
  const surface = surfaceByName(name);
  if (!surface) throw new Error(`fuzz worker: no surface ${name}`);
  let slowest = { index: from, ms: 0 };
  const t0 = performance.now();
  for (let i = from; i < to; i++) {
    // Generating is not timed (a large input takes the harness a while to build): the watchdog
    // sees the case only from the moment the product has it.
    const generated = generateCase(surface, seed, i);
    if ('finding' in generated) {
      send({ type: 'finding', surface: name, index: i, kind: generated.finding.kind, detail: generated.finding.detail });
      continue;
    }
    Atomics.store(slot, 2, i);
    Atomics.store(slot, 0, i);
    Atomics.add(slot, 1, 1);
    const start = performance.now();
    const { findings } = await runInput(surface, generated.input);
    const ms = performance.now() - start;
    Atomics.store(slot, 0, -1);
    // The watchdog polls; a case that ends just past the limit before it looks is still a hang.
    if (ms > limitMs) findings.push({ kind: 'hang', detail: `took ${Math.round(ms)} ms (limit ${limitMs} ms)` });
    if (ms > slowest.ms) slowest = { index: i, ms };
    for (const f of findings) send({ type: 'finding', surface: name, index: i, kind: f.kind, detail: f.detail });
  }
  send({ type: 'done', cases: to - from, ms: performance.now() - t0, slowest });
}

async function replay(name: string, seed: number, index: number): Promise<void> {
  const surface = surfaceByName(name);
  if (!surface) throw new Error(`fuzz worker: no surface ${name}`);
  const generated = generateCase(surface, seed, index);
  if ('finding' in generated) {
    send({ type: 'replayed', findings: [generated.finding], ms: 0, answer: '(the generator threw)' });
    return;
  }
  Atomics.store(slot, 0, index);
  Atomics.add(slot, 1, 1);
  const start = performance.now();
  const { findings, answer } = await runInput(surface, generated.input);
  const ms = performance.now() - start;
  Atomics.store(slot, 0, -1);
  send({ type: 'replayed', findings, ms, answer: summarise(answer) });
}

/** The answer as short JSON text: enough to see what the product said. */
function summarise(answer: unknown): string {
  try {
    const text = JSON.stringify(answer, (_k, v: unknown) => {
      if (typeof v === 'bigint') return `${v}n`;
      if (ArrayBuffer.isView(v)) return `<${v.byteLength} bytes>`;
      if (typeof v === 'string' && v.length > 300) return `${v.slice(0, 300)}… (${v.length} chars)`;
      if (Array.isArray(v) && v.length > 20) return [...v.slice(0, 20), `… ${v.length - 20} more`];
      return v;
    });
    return text === undefined ? String(answer) : text.length > 6000 ? `${text.slice(0, 6000)}…` : text;
  } catch (e) {
    return `(not JSON: ${describeThrown(e)})`;
  }
}

port.on('message', (m: ToWorker) => {
  const job = m.type === 'chunk' ? runChunk(m.surface, m.seed, m.from, m.to, m.limitMs) : replay(m.surface, m.seed, m.index);
  job.catch((e: unknown) => send({ type: 'failed', error: describeThrown(e) }));
});
/**
 * Runs a few fixed programs before the first case, so that the first case of a fresh worker
 * does not pay for one-off start-up — the engine's (the VM's exerciser, the compiled tier's
 * first compile, lazily built tables) and the harness's (reading and assembling the corpora) —
 * and trip the watchdog.
 */
function warmUp(): void {
  // Generating primes the corpora each surface reads and assembles once.
  for (const s of SURFACES) for (let i = 0; i < 4; i++) s.generate(caseRng(s.name, 0x5eed, i), i);
  const programs = ['hello', 'xdp-hash-sampler', 'cpumask-set-clear'];
  for (const id of programs) {
    const ex = exampleCorpus().find((e) => e.id === id);
    if (!ex) continue;
    try {
      assembleAndPlay(ex.text, 'auto', 4, { isa: 4, profile: 'linux-6.18', cpus: 8, maxInsns: FUZZ_MAX_INSNS, seed: 1 }, { steps: 2, details: [0] });
    } catch {
      // A program that throws here is found again, and reported, by the cases that run it.
    }
  }
}

warmUp();
send({ type: 'ready' });
