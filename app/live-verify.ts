// Live verification: as soon as an assembly yields a new program, the engine's verifier says
// whether Linux — the document's profile — would load it, and why not (the kernel's words,
// where the problem began, the causal path). It has a worker of its own, so a long run never
// holds a verdict back and a verifier in trouble never stops a run. At most one request is in
// flight; a program that arrives meanwhile waits, replacing any that waited before it, and is
// sent when the answer lands — so fast typing never floods the worker, and the newest program
// is always the next one verified. Only the newest request's answer lands; a failure says
// "verifier unavailable" and the next edit tries again. Nothing here ever blocks typing.

import { EngineClient, type CallResult } from './engine-client/client.ts';
import { imageOf, runSettingsOf } from './state/program.ts';
import { store, useStore, type PlaygroundState } from './state/store.ts';
import type { Verdict } from './state/verdict.ts';
import type { CounterexampleReply, GradeResult, KernelProfile, LessonSpec, ProgramImage, RunSettings, TraceAlongReply, VerifyReply } from '../engine/worker/protocol.ts';


/**
 * Files with more programs than this are not verified live: sending thousands of sections to
 * the worker would itself keep the main thread busy (Run still verifies them).
 */
export const LIVE_MAX_SECTIONS = 64;

/** Programs of more slots than this are verified a moment after they appear rather than at once. */
export const LARGE_PROGRAM_SLOTS = 20_000;
const LARGE_PROGRAM_DELAY_MS = 150;

/** What live verification needs of the engine (the EngineClient; tests give a fake). */
export type VerifyClient = Pick<EngineClient, 'verify' | 'counterexample'> & Partial<Pick<EngineClient, 'traceAlong' | 'gradeLesson'>>;

let client: VerifyClient | undefined;
/** Bumped by every request: an answer to an older one is dropped. */
let seq = 0;
/** The ticket of the request the worker is answering, if any (at most one at a time). */
let inFlight: number | undefined;
/** The ticket of the newest program waiting for the answer in flight (the store holds it). */
let queued: number | undefined;
/** The program last asked about (or answered for); undefined after a failure, so the next change asks again. */
let asked: string | undefined;
let stop: (() => void) | undefined;
/** The explaining worker's client (explainer), and whether a test gave the live client. */
let explainClient: VerifyClient | undefined;
let injected = false;

function engine(): VerifyClient {
  client ??= new EngineClient(
    {
      onRestart: (reason) => {
        // A restarted verifier worker drops what it was asked: say so, ask again at the next change.
        asked = undefined;
        const v = store.get().verdict;
        if (v.status === 'pending') setVerdict({ ...v, status: 'unavailable', message: reason });
      },
    },
    undefined,
    // Written inline so Vite sees and bundles the worker (ui-stack.md §2.3).
    () => new Worker(new URL('../engine/worker/verify.worker.ts', import.meta.url), { type: 'module' }),
  );
  return client;
}

/**
 * The second worker, for what explains a verdict further (the states along a path, the
 * counterexample search, the log, the other profile, a run beside the beliefs, a lesson's
 * Check): made at its first use. Each of those can take a while, and in the live verdicts'
 * worker the next keystroke's verdict would wait behind it. A test gives the two clients, or one
 * that serves both.
 */
function explainer(): VerifyClient {
  if (explainClient) return explainClient;
  if (injected) return engine();
  explainClient = new EngineClient(
    { onRestart: () => undefined },
    undefined,
    () => new Worker(new URL('../engine/worker/verify.worker.ts', import.meta.url), { type: 'module' }),
  );
  return explainClient;
}

function setVerdict(verdict: Verdict): void {
  store.set({ verdict });
}

/** Asks for a verdict on the program in the store, unless one for it is asked or known. */
function update(s: PlaygroundState): void {
  const p = s.program;
  if (p.pending || !p.ok || !imageOf(p)) {
    forget();
    if (s.verdict.status !== 'idle') setVerdict({ status: 'idle', key: '', profile: s.doc.profile });
    return;
  }
  if (p.sections.length > LIVE_MAX_SECTIONS) {
    forget();
    if (s.verdict.status !== 'idle' || !s.verdict.message) setVerdict({ status: 'idle', key: '', profile: s.doc.profile, message: `more than ${LIVE_MAX_SECTIONS} programs: Run verifies them` });
    return;
  }
  if (p.key === asked) return;
  asked = p.key;
  const ticket = ++seq;
  if (p.section?.kind.progType === 'raw') {
    // A raw (bpf_conformance) program has no Linux program type: nothing to verify, nothing to send.
    queued = undefined;
    setVerdict({ status: 'done', key: p.key, profile: s.doc.profile, reply: { accepted: true, profile: s.doc.profile, errors: [], log: '', unverified: 'raw' } });
    return;
  }
  setVerdict({ status: 'pending', key: p.key, profile: s.doc.profile });
  // One request at a time: a newer program waits for the answer in flight (replacing any that waited).
  if (inFlight !== undefined) queued = ticket;
  else if ((p.section?.insns.length ?? 0) > LARGE_PROGRAM_SLOTS) {
    // A large program (a link or a file opening, seldom a keystroke) waits a moment: its
    // verification would otherwise compete for the CPU with the page's own first long tasks.
    setTimeout(() => void ask(ticket), LARGE_PROGRAM_DELAY_MS);
  } else void ask(ticket);
}

/** Nothing to verify any more: answers in flight are dropped, nothing waits. */
function forget(): void {
  seq++;
  queued = undefined;
  asked = undefined;
}

/** Sends the program in the store (the one `ticket` was issued for) and lands its answer if it is still the newest. */
async function ask(ticket: number): Promise<void> {
  const s = store.get();
  const image = imageOf(s.program);
  if (ticket !== seq || !image) return;
  const key = s.program.key;
  const profile = s.doc.profile;
  inFlight = ticket;
  performance.mark('bpfp:verify');
  let verdict: Verdict;
  try {
    const lines = s.program.section?.spans.map((sp) => sp.line);
    // An accepted program comes without its log (made on request: verifyLog), which is most of the verifier's time.
    const r = await engine().verify(image, runSettingsOf(s.doc, s.settings.budget), lines, false, true);
    verdict = r.ok ? { status: 'done', key, profile, reply: r.value } : { status: 'unavailable', key, profile, message: r.message };
  } catch (e) {
    verdict = { status: 'unavailable', key, profile, message: e instanceof Error ? e.message : String(e) };
  }
  // Stopped meanwhile (and perhaps started again): this answer belongs to nothing.
  if (inFlight !== ticket) return;
  inFlight = undefined;
  if (ticket === seq) {
    if (verdict.status === 'unavailable') asked = undefined;
    performance.mark('bpfp:verdict');
    setVerdict(verdict);
  }
  const next = queued;
  queued = undefined;
  if (next !== undefined) void ask(next);
}

/** An answer about the program in the store, for the program it was about (`key`), or why there is none. */
type Explained<T> = { readonly key: string; readonly reply: T } | { readonly error: string };

/**
 * Sends the program in the store to the explaining worker through `call` (given the client,
 * the image, the document's run settings and the source line of each pc): its answer, with the
 * key of the program it is about, or why there is none. Never throws.
 */
async function explain<T>(call: (c: VerifyClient, image: ProgramImage, settings: RunSettings, lines: readonly number[] | undefined) => Promise<CallResult<T>> | undefined): Promise<Explained<T>> {
  const s = store.get();
  const image = imageOf(s.program);
  if (!image) return { error: 'the program does not assemble' };
  const key = s.program.key;
  const lines = s.program.section?.spans.map((sp) => sp.line);
  try {
    const asked = call(explainer(), image, runSettingsOf(s.doc, s.settings.budget), lines);
    if (!asked) return { error: 'this verifier cannot run programs' };
    const r = await asked;
    return r.ok ? { key, reply: r.value } : { error: r.message };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * The program in the store verified under another kernel profile (the Verifier panel's "compare
 * with"): where the verdict or the kernel's wording differs between 6.3 and 6.18.
 */
export function verifyUnder(profile: KernelProfile): Promise<Explained<VerifyReply>> {
  return explain((c, image, settings, lines) => c.verify(image, { ...settings, profile }, lines));
}

/**
 * The verifier's level-1 log of the program in the store, for a verdict that came without it
 * (VerifyReply.logDeferred).
 */
export async function verifyLog(): Promise<{ readonly key: string; readonly log: string } | { readonly error: string }> {
  const r = await explain<VerifyReply>((c, image, settings, lines) => c.verify(image, settings, lines));
  return 'error' in r ? r : { key: r.key, log: r.reply.log };
}

/**
 * The program in the store verified again with the verifier's beliefs along a refusal's path
 * (the Verifier panel's states view; live verification leaves them out to stay fast) — without
 * the log (the panel asks for it apart, when it is opened).
 */
export function verifyWithStates(): Promise<Explained<VerifyReply>> {
  return explain((c, image, settings, lines) => c.verify(image, settings, lines, true, true));
}

/**
 * A concrete input on which the program in the store, run unverified, shows what the verifier
 * refused it for (the Verifier panel asks once per refused program), or why none was found.
 */
export function searchCounterexample(): Promise<Explained<CounterexampleReply>> {
  return explain((c, image, settings, lines) => c.counterexample(image, settings, lines));
}

/**
 * The program in the store run unverified on the document's input, in the explaining worker,
 * its registers recorded along the path `pcs` while the run takes it (`follow`: the path starts
 * at the first instruction), and at the first visit of each other pc of it (the Verifier panel's
 * "Compare with a run").
 */
export function traceAlong(pcs: readonly number[], follow: boolean): Promise<Explained<TraceAlongReply>> {
  return explain((c, image, settings) => c.traceAlong?.(image, settings, pcs, follow));
}

/**
 * A graded lesson's Check, in the verifier's worker (app/lessons/graded.ts): the grader's
 * checks for `source`, or why there are none (the worker timed out, crashed or failed).
 */
export async function gradeInWorker(spec: LessonSpec, source: string): Promise<{ readonly result: GradeResult } | { readonly error: string }> {
  const c = explainer();
  if (!c.gradeLesson) return { error: 'this verifier cannot grade lessons' };
  try {
    const r = await c.gradeLesson(spec, source);
    return r.ok ? { result: r.value } : { error: r.message };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Starts verifying the program after every change (once, after the first render); returns a
 * stop. Tests give the live client `c` and, apart, the explaining one (else `c` serves both).
 */
export function startLiveVerification(c?: VerifyClient, explaining?: VerifyClient): () => void {
  if (c) {
    client = c;
    injected = true;
  }
  if (explaining) explainClient = explaining;
  stop?.();
  const unsubscribe = useStore.subscribe((s, prev) => {
    if (s.program !== prev.program) update(s);
  });
  update(store.get());
  stop = () => {
    unsubscribe();
    forget();
    inFlight = undefined;
    stop = undefined;
  };
  return stop;
}

/** Stops live verification and forgets its clients (tests). */
export function stopLiveVerification(): void {
  stop?.();
  client = undefined;
  if (injected) explainClient = undefined;
  injected = false;
}
