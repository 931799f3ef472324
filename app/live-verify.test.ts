// Live verification against a fake engine client: it asks as soon as an assembly yields a new
// program, with at most one request in flight and only the newest waiting program sent after
// it; only the newest answer lands; a failure says "verifier unavailable" and the next edit asks
// again; and the verdict becomes markers (with related information) and problems without
// duplicating a Run's refusal.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CounterexampleReply, ProgramImage, RunSettings, VerifyReply } from '../engine/worker/protocol.ts';
import type { CallResult } from './engine-client/client.ts';
import { LIVE_MAX_SECTIONS, searchCounterexample, startLiveVerification, stopLiveVerification, verifyUnder, verifyWithStates } from './live-verify.ts';
import { DEFAULT_DOCUMENT } from './state/document.ts';
import { allProblems, store } from './state/store.ts';
import { verdictText } from './state/verdict.ts';

const TP = '.section tp_btf/task_newtask\n.license "GPL"\n';
const UNCHECKED = `${TP}call bpf_cpumask_create\nr7 = r0\nr1 = 1\nr2 = r7\ncall bpf_cpumask_set_cpu\nr0 = 0\nexit\n`;

const REFUSED: VerifyReply = {
  accepted: false,
  profile: 'linux-6.18',
  errors: [{ pc: 4, message: 'Possibly NULL pointer passed to trusted arg1', stage: 'verifier', related: [{ pc: 0, message: 'R2 comes from here and may be NULL' }], slice: [0, 1, 3, 4] }],
  log: '0: (85) call bpf_cpumask_create\nPossibly NULL pointer passed to trusted arg1',
};
const ACCEPTED: VerifyReply = { accepted: true, profile: 'linux-6.18', errors: [], log: '' };

class FakeClient {
  calls: { image: ProgramImage; settings: RunSettings; resolve: (r: CallResult<VerifyReply>) => void; reject: (e: Error) => void }[] = [];
  verify(image: ProgramImage, settings: RunSettings): Promise<CallResult<VerifyReply>> {
    return new Promise((resolve, reject) => this.calls.push({ image, settings, resolve, reject }));
  }
  /** Answers call `i`. */
  answer(i: number, r: CallResult<VerifyReply>): void {
    const call = this.calls[i];
    if (!call) throw new Error(`no call ${i} (there are ${this.calls.length})`);
    call.resolve(r);
  }
  counterexample(): Promise<CallResult<CounterexampleReply>> {
    return Promise.resolve({ ok: true, value: { none: 'not searched in these tests' } });
  }
}

let fake: FakeClient;

beforeEach(() => {
  vi.useFakeTimers();
  fake = new FakeClient();
  store.openDocument({ ...DEFAULT_DOCUMENT, source: UNCHECKED }, 'default');
  startLiveVerification(fake);
});

afterEach(() => {
  stopLiveVerification();
  vi.useRealTimers();
});

/** Lets the fake's answers reach the store (and a waiting program be sent). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** The first section's bytecode as hex: which program a call was about. */
const sent = (i: number): string => Buffer.from(fake.calls[i]?.image.sections[0]?.bytecode ?? []).toString('hex');
const bytecodeOf = (): string => Buffer.from(store.get().program.section?.bytes ?? []).toString('hex');
const edit = (source: string): string => {
  store.updateDocument({ source });
  return bytecodeOf();
};
const verifierProblems = () => allProblems(store.get()).filter((p) => p.source === 'verifier');

describe('live verification', () => {
  it('asks at once, without waiting for a pause, and shows the refusal at its line with where it began', async () => {
    // The document opened: asked at once, no timer involved.
    expect(store.get().verdict.status).toBe('pending');
    expect(verdictText(store.get().verdict)).toBe('Checking…');
    expect(fake.calls).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(fake.calls[0]?.settings.profile).toBe('linux-6.18');
    fake.answer(0, { ok: true, value: REFUSED });
    await settle();
    expect(verdictText(store.get().verdict)).toBe('Linux 6.18 would reject this');
    expect(verifierProblems()).toEqual([
      expect.objectContaining({ severity: 'info', line: 3, message: 'where this began: R2 comes from here and may be NULL' }),
      expect.objectContaining({ severity: 'error', line: 7, message: REFUSED.errors[0]?.message, related: [expect.objectContaining({ line: 3 })] }),
    ]);
    // An edit that yields a new program is sent in the same task, before any timer could fire.
    const next = edit(UNCHECKED.replace('r1 = 1', 'r1 = 2'));
    expect(fake.calls).toHaveLength(2);
    expect(sent(1)).toBe(next);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('answers a raw program itself: nothing to verify, nothing sent to the worker', async () => {
    fake.answer(0, { ok: true, value: REFUSED });
    await settle();
    edit('.section raw\nr0 = 1\nexit\n');
    expect(fake.calls).toHaveLength(1);
    expect(store.get().verdict).toMatchObject({ status: 'done', reply: { accepted: true, unverified: 'raw' } });
    expect(verifierProblems()).toEqual([]);
  });

  it('does not ask again for a change that yields the same program', async () => {
    fake.answer(0, { ok: true, value: REFUSED });
    await settle();
    store.updateDocument({ source: `${UNCHECKED}# a comment\n` });
    expect(fake.calls).toHaveLength(1);
    expect(verdictText(store.get().verdict)).toBe('Linux 6.18 would reject this');
  });

  it('keeps the verdict but marks nothing while Verify is off (running unverified on purpose)', async () => {
    fake.answer(0, { ok: true, value: REFUSED });
    await settle();
    store.set({ verify: false });
    expect(verdictText(store.get().verdict)).toBe('Linux 6.18 would reject this');
    expect(verifierProblems()).toEqual([]);
    store.set({ verify: true });
    expect(verifierProblems()).toHaveLength(2);
  });

  it('coalesces: one request in flight, and of the programs that arrive meanwhile only the newest is sent after it', async () => {
    const first = sent(0);
    edit(UNCHECKED.replace('r1 = 1', 'r1 = 2'));
    edit(UNCHECKED.replace('r1 = 1', 'r1 = 3'));
    const newest = edit(UNCHECKED.replace('r1 = 1', 'r1 = 4'));
    // Nothing more is sent while the first is answered.
    expect(fake.calls).toHaveLength(1);
    expect(sent(0)).toBe(first);
    expect(store.get().verdict.status).toBe('pending');
    fake.answer(0, { ok: true, value: REFUSED });
    await settle();
    // The first answer is about an older program: it does not land; the newest is sent, alone.
    expect(store.get().verdict.status).toBe('pending');
    expect(fake.calls).toHaveLength(2);
    expect(sent(1)).toBe(newest);
    fake.answer(1, { ok: true, value: ACCEPTED });
    await settle();
    expect(fake.calls).toHaveLength(2);
    expect(verdictText(store.get().verdict)).toBe('Linux 6.18 would load this');
    expect(store.get().verdict.key).toBe(store.get().program.key);
  });

  it('keeps the order: an answer lands only while its program is the newest, and the verdict ends on the newest program', async () => {
    // Answered before anything newer arrived: it lands.
    fake.answer(0, { ok: true, value: REFUSED });
    await settle();
    expect(verdictText(store.get().verdict)).toBe('Linux 6.18 would reject this');
    // A second program in flight, a third waiting: the second's answer never shows.
    edit(UNCHECKED.replace('r1 = 1', 'r1 = 2'));
    const third = edit(UNCHECKED.replace('r1 = 1', 'r1 = 3'));
    fake.answer(1, { ok: true, value: ACCEPTED });
    await settle();
    expect(store.get().verdict.status).toBe('pending');
    expect(verdictText(store.get().verdict)).toBe('Checking…');
    expect(sent(2)).toBe(third);
    fake.answer(2, { ok: true, value: REFUSED });
    await settle();
    expect(verdictText(store.get().verdict)).toBe('Linux 6.18 would reject this');
    expect(verifierProblems()).toHaveLength(2);
  });

  it('drops a waiting program once the text stops assembling, and answers in flight for it', async () => {
    edit(UNCHECKED.replace('r1 = 1', 'r1 = 2'));
    store.updateDocument({ source: `${UNCHECKED}bogus\n` });
    expect(store.get().verdict.status).toBe('idle');
    fake.answer(0, { ok: true, value: REFUSED });
    await settle();
    expect(fake.calls).toHaveLength(1);
    expect(store.get().verdict.status).toBe('idle');
  });

  it('says the verifier is unavailable when the worker fails, and asks again at the next change', async () => {
    fake.answer(0, { ok: false, reason: 'crashed', message: 'the engine crashed' });
    await settle();
    expect(verdictText(store.get().verdict)).toBe('Verifier unavailable');
    expect(store.get().verdict.message).toBe('the engine crashed');
    // The same program again (a change that assembles alike) is asked again after a failure.
    store.updateDocument({ source: `${UNCHECKED}# again\n` });
    expect(fake.calls).toHaveLength(2);
    fake.answer(1, { ok: true, value: ACCEPTED });
    await settle();
    expect(verdictText(store.get().verdict)).toBe('Linux 6.18 would load this');
  });

  it('after a call that throws, sends the program that waited', async () => {
    const newest = edit(UNCHECKED.replace('r1 = 1', 'r1 = 2'));
    fake.calls[0]?.reject(new Error('worker gone'));
    await settle();
    expect(fake.calls).toHaveLength(2);
    expect(sent(1)).toBe(newest);
    fake.answer(1, { ok: true, value: ACCEPTED });
    await settle();
    expect(verdictText(store.get().verdict)).toBe('Linux 6.18 would load this');
  });

  it('does not verify a program with assembler problems, and keeps one refusal when a Run refuses it too', async () => {
    fake.answer(0, { ok: true, value: REFUSED });
    await settle();
    const error = allProblems(store.get()).find((p) => p.severity === 'error');
    store.set({ runtimeProblems: [{ ...error!, source: 'loader', code: 'verifier' }] });
    expect(allProblems(store.get()).filter((p) => p.severity === 'error')).toHaveLength(1);
    store.updateDocument({ source: `${UNCHECKED}bogus\n` });
    expect(store.get().verdict.status).toBe('idle');
    await settle();
    expect(fake.calls).toHaveLength(1);
  });

  it(`does not verify files of more than ${LIVE_MAX_SECTIONS} programs live`, async () => {
    fake.answer(0, { ok: true, value: REFUSED });
    await settle();
    const many = `.license "GPL"\n${Array.from({ length: LIVE_MAX_SECTIONS + 1 }, (_, i) => `.section xdp/p${i}\nr0 = ${i}\nexit\n`).join('')}`;
    store.updateDocument({ source: many });
    expect(store.get().program.sections.length).toBe(LIVE_MAX_SECTIONS + 1);
    expect(store.get().verdict.status).toBe('idle');
    expect(verdictText(store.get().verdict)).toBe('Not verified live');
    await settle();
    expect(fake.calls).toHaveLength(1);
  });

  it('forgets a request in flight when stopped, and asks afresh when started again', async () => {
    stopLiveVerification();
    const again = new FakeClient();
    startLiveVerification(again);
    // Started again: the program in the store is asked at once, not held behind the old request.
    expect(again.calls).toHaveLength(1);
    // The old answer never lands after the stop, nor does it send anything.
    fake.answer(0, { ok: true, value: ACCEPTED });
    await settle();
    expect(store.get().verdict.status).toBe('pending');
    expect(again.calls).toHaveLength(1);
    again.answer(0, { ok: true, value: REFUSED });
    await settle();
    expect(verdictText(store.get().verdict)).toBe('Linux 6.18 would reject this');
  });
});

describe('the explaining worker', () => {
  it('answers states, counterexamples and the other profile apart, so a verdict never waits behind them', async () => {
    fake.answer(0, { ok: true, value: REFUSED });
    await settle();
    stopLiveVerification();
    const live = new FakeClient();
    const explaining = new FakeClient();
    let searches = 0;
    explaining.counterexample = () => {
      searches++;
      // Never answered: a long search.
      return new Promise<CallResult<CounterexampleReply>>(() => undefined);
    };
    startLiveVerification(live, explaining);
    expect(live.calls).toHaveLength(1);
    const states = verifyWithStates();
    const other = verifyUnder('linux-6.3');
    void searchCounterexample();
    // All three went to the explaining client, none to the live one.
    expect(explaining.calls.map((c) => c.settings.profile)).toEqual(['linux-6.18', 'linux-6.3']);
    expect(searches).toBe(1);
    expect(live.calls).toHaveLength(1);
    // With the explanations unanswered, the live verdict comes, and the next edit is asked at once.
    live.answer(0, { ok: true, value: REFUSED });
    await settle();
    expect(verdictText(store.get().verdict)).toBe('Linux 6.18 would reject this');
    const next = edit(UNCHECKED.replace('r1 = 1', 'r1 = 2'));
    expect(live.calls).toHaveLength(2);
    expect(Buffer.from(live.calls[1]?.image.sections[0]?.bytecode ?? []).toString('hex')).toBe(next);
    // The explanations land for the program they were about.
    explaining.answer(0, { ok: true, value: REFUSED });
    explaining.answer(1, { ok: true, value: ACCEPTED });
    expect(await states).toMatchObject({ reply: REFUSED });
    expect(await other).toMatchObject({ reply: ACCEPTED });
    expect((await states as { key: string }).key).not.toBe(store.get().program.key);
  });
});
