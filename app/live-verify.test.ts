// Live verification against a fake engine client: it waits for typing to pause, only the
// newest answer lands, a failure says "verifier unavailable" and the next edit asks again, and
// the verdict becomes markers (with related information) and problems without duplicating a
// Run's refusal.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CounterexampleReply, ProgramImage, RunSettings, VerifyReply } from '../engine/worker/protocol.ts';
import type { CallResult } from './engine-client/client.ts';
import { startLiveVerification, stopLiveVerification, VERIFY_DELAY_MS } from './live-verify.ts';
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
  calls: { image: ProgramImage; settings: RunSettings; resolve: (r: CallResult<VerifyReply>) => void }[] = [];
  verify(image: ProgramImage, settings: RunSettings): Promise<CallResult<VerifyReply>> {
    return new Promise((resolve) => this.calls.push({ image, settings, resolve }));
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

const settle = async () => {
  await Promise.resolve();
  await Promise.resolve();
};

describe('live verification', () => {
  it('asks once typing pauses, and shows the refusal at its line with where it began', async () => {
    expect(store.get().verdict.status).toBe('pending');
    expect(verdictText(store.get().verdict)).toBe('Checking…');
    store.updateDocument({ source: `${UNCHECKED}\n` });
    vi.advanceTimersByTime(VERIFY_DELAY_MS - 1);
    expect(fake.calls).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]?.settings.profile).toBe('linux-6.18');
    fake.calls[0]?.resolve({ ok: true, value: REFUSED });
    await settle();
    expect(verdictText(store.get().verdict)).toBe('Linux 6.18 would reject this');
    const live = allProblems(store.get()).filter((p) => p.source === 'verifier');
    expect(live).toEqual([
      expect.objectContaining({ severity: 'info', line: 3, message: 'where this began: R2 comes from here and may be NULL' }),
      expect.objectContaining({ severity: 'error', line: 7, message: REFUSED.errors[0]?.message, related: [expect.objectContaining({ line: 3 })] }),
    ]);
  });

  it('keeps the verdict but marks nothing while Verify is off (running unverified on purpose)', async () => {
    vi.advanceTimersByTime(VERIFY_DELAY_MS);
    fake.calls[0]?.resolve({ ok: true, value: REFUSED });
    await settle();
    store.set({ verify: false });
    expect(verdictText(store.get().verdict)).toBe('Linux 6.18 would reject this');
    expect(allProblems(store.get()).filter((p) => p.source === 'verifier')).toEqual([]);
    store.set({ verify: true });
    expect(allProblems(store.get()).filter((p) => p.source === 'verifier')).toHaveLength(2);
  });

  it('lets only the newest answer land', async () => {
    vi.advanceTimersByTime(VERIFY_DELAY_MS);
    store.updateDocument({ source: UNCHECKED.replace('r1 = 1', 'r1 = 2') });
    vi.advanceTimersByTime(VERIFY_DELAY_MS);
    expect(fake.calls).toHaveLength(2);
    fake.calls[1]?.resolve({ ok: true, value: ACCEPTED });
    fake.calls[0]?.resolve({ ok: true, value: REFUSED });
    await settle();
    expect(verdictText(store.get().verdict)).toBe('Linux 6.18 would load this');
    expect(allProblems(store.get()).filter((p) => p.source === 'verifier')).toEqual([]);
  });

  it('says the verifier is unavailable when the worker fails, and asks again at the next change', async () => {
    vi.advanceTimersByTime(VERIFY_DELAY_MS);
    fake.calls[0]?.resolve({ ok: false, reason: 'crashed', message: 'the engine crashed' });
    await settle();
    expect(verdictText(store.get().verdict)).toBe('Verifier unavailable');
    store.updateDocument({ source: `${UNCHECKED}; again\n` });
    vi.advanceTimersByTime(VERIFY_DELAY_MS);
    expect(fake.calls).toHaveLength(2);
  });

  it('does not verify a program with assembler problems, and keeps one refusal when a Run refuses it too', async () => {
    vi.advanceTimersByTime(VERIFY_DELAY_MS);
    fake.calls[0]?.resolve({ ok: true, value: REFUSED });
    await settle();
    const error = allProblems(store.get()).find((p) => p.severity === 'error');
    store.set({ runtimeProblems: [{ ...error!, source: 'loader', code: 'verifier' }] });
    expect(allProblems(store.get()).filter((p) => p.severity === 'error')).toHaveLength(1);
    store.updateDocument({ source: `${UNCHECKED}bogus\n` });
    expect(store.get().verdict.status).toBe('idle');
    vi.advanceTimersByTime(VERIFY_DELAY_MS);
    expect(fake.calls).toHaveLength(1);
  });
});
