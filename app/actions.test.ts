// The run actions against a fake engine client: Stop and late progress reports, Esc, notices
// about runs that a later good run clears, an edit while paused, and the call stack by name.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assemble } from '../engine/asm/index.ts';
import type { DebugSnapshot, LoadReply, RunProgress, RunSettings } from '../engine/worker/protocol.ts';
import { ACTIONS, escape, setEngineClient } from './actions.ts';
import { SHORTCUTS } from './components/KeyboardHelp.tsx';
import type { CallResult, EngineClient } from './engine-client/client.ts';
import { exampleById } from './examples.ts';
import { DEFAULT_DOCUMENT } from './state/document.ts';
import { callFrames } from './state/program.ts';
import { selectCurrentLine } from './state/selectors.ts';
import { store, useStore } from './state/store.ts';

function snapshot(status: DebugSnapshot['status'], pc = 0, trace = 0): DebugSnapshot {
  return {
    status,
    pc,
    insns: pc,
    depth: 0,
    regs: [],
    callStack: [],
    stack: { base: '0x0', bytes: new Uint8Array(0), touched: new Uint8Array(0), changed: new Uint8Array(0), depth: 0 },
    trace: Array.from({ length: trace }, (_, i) => ({ seq: i, cpu: 0, ns: 0, comm: 'x', pid: 1, text: `t${i}` })),
    traceDropped: 0,
    section: 'raw',
  };
}

/** A client that answers at once, or (for run) when the test settles it; it records what was asked. */
class FakeClient {
  calls: string[] = [];
  /** The settings of each load. */
  loads: RunSettings[] = [];
  loaded: string | undefined;
  refuse: string | undefined;
  onProgress: ((p: RunProgress) => void) | undefined;
  settleRun: ((r: CallResult<DebugSnapshot>) => void) | undefined;
  isLoaded(key: string): boolean {
    return this.loaded === key;
  }
  async load(_image: unknown, settings: RunSettings, key: string): Promise<CallResult<LoadReply>> {
    this.calls.push('load');
    this.loads.push(settings);
    if (this.refuse) return { ok: true, value: { ok: false, problems: [{ pc: 0, message: this.refuse, stage: 'verifier' }] } };
    this.loaded = key;
    return { ok: true, value: { ok: true, slots: 1 } };
  }
  run(_bps: readonly number[], onProgress: (p: RunProgress) => void): Promise<CallResult<DebugSnapshot>> {
    this.calls.push('run');
    this.onProgress = onProgress;
    return new Promise((resolve) => (this.settleRun = resolve));
  }
  continue(bps: readonly number[], onProgress: (p: RunProgress) => void): Promise<CallResult<DebugSnapshot>> {
    this.calls.push('continue');
    return this.run(bps, onProgress);
  }
  async step(): Promise<CallResult<DebugSnapshot>> {
    this.calls.push('step');
    return { ok: true, value: snapshot('step', 1) };
  }
  async reset(): Promise<CallResult<DebugSnapshot>> {
    this.calls.push('reset');
    return { ok: true, value: snapshot('ready', 0) };
  }
  stop(): void {
    this.calls.push('stop');
    this.settleRun?.({ ok: false, reason: 'stopped', message: 'Stopped' });
  }
}

const initial = useStore.getState();
let fake: FakeClient;

beforeEach(() => {
  useStore.setState(initial, true);
  store.openDocument({ ...DEFAULT_DOCUMENT, source: '.section raw\nr0 = 1\nr0 += 1\nexit\n' }, 'draft');
  fake = new FakeClient();
  setEngineClient(fake as unknown as EngineClient);
});
afterEach(() => setEngineClient(undefined));

describe('Stop', () => {
  it('a progress report still queued after Stop does not bring the run back', async () => {
    const running = ACTIONS.run.perform();
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(store.get().busy).toBe('running');
    const report = fake.onProgress;
    ACTIONS.stop.perform();
    await running;
    report?.({ insns: 5, trace: [{ seq: 1, cpu: 0, ns: 0, comm: 'x', pid: 1, text: 'late' }] });
    expect(store.get().live).toBeUndefined();
    expect(store.get().busy).toBe('idle');
  });
});

describe('Esc', () => {
  it('stops a running program, and only then dismisses the newest notice', async () => {
    store.notify('info', 'Link copied to the clipboard.');
    const running = ACTIONS.run.perform();
    await new Promise((r) => setTimeout(r, 0));
    expect(escape()).toBe(true);
    await running;
    expect(fake.calls).toContain('stop');
    expect(store.get().notices.map((n) => n.text)).toEqual(['Link copied to the clipboard.']);
    expect(escape()).toBe(true);
    expect(store.get().notices).toEqual([]);
    expect(escape()).toBe(false);
  });

  it('is what the Stop button says it is', () => {
    expect(ACTIONS.stop.shortcut).toBe('Esc');
  });
});

describe('the keyboard list', () => {
  it('lists every action shortcut, and Monaco’s go-to-line and command palette', () => {
    const keys = SHORTCUTS.map((s) => s.keys);
    for (const a of Object.values(ACTIONS)) if ('shortcut' in a) expect(keys).toContain(a.shortcut);
    expect(keys).toEqual(expect.arrayContaining(['Ctrl+G', 'F1']));
  });
});

describe('the Tier setting', () => {
  it('reaches the engine with the next load, and changing it loads the program again; Auto asks for none', async () => {
    await ACTIONS.step.perform();
    expect(fake.loads).toHaveLength(1);
    expect(fake.loads[0]?.tier).toBeUndefined();
    await ACTIONS.reset.perform();
    await ACTIONS.step.perform();
    expect(fake.loads).toHaveLength(1);
    store.set({ settings: { ...store.get().settings, tier: 'wasm' } });
    await ACTIONS.step.perform();
    expect(fake.loads.map((l) => l.tier)).toEqual([undefined, 'wasm']);
    store.set({ settings: { ...store.get().settings, tier: 'interpreter' } });
    await ACTIONS.step.perform();
    store.set({ settings: { ...store.get().settings, tier: 'auto' } });
    await ACTIONS.step.perform();
    expect(fake.loads.map((l) => l.tier)).toEqual([undefined, 'wasm', 'interpreter', undefined]);
    // It is a setting, not part of the document (a shared link does not carry it).
    expect(Object.keys(store.get().doc)).not.toContain('tier');
  });
});

describe('notices', () => {
  it('a refusal goes away once a later run gets an answer', async () => {
    fake.refuse = 'R0 !read_ok';
    await ACTIONS.step.perform();
    expect(store.get().notices.map((n) => n.text)).toEqual(['The program was refused: R0 !read_ok']);
    fake.refuse = undefined;
    store.updateDocument({ source: '.section raw\nr0 = 0\nexit\n' });
    await ACTIONS.step.perform();
    expect(store.get().notices).toEqual([]);
  });

  it('the same notice twice shows once', () => {
    store.notify('info', 'Link copied to the clipboard.');
    store.notify('info', 'Link copied to the clipboard.');
    store.notify('info', 'Link copied to the clipboard.');
    expect(store.get().notices).toHaveLength(1);
  });
});

describe('an edit while paused', () => {
  it('is said, shows no current line, and the next Step starts from the beginning', async () => {
    await ACTIONS.step.perform(); // the first Step stops at the first instruction
    await ACTIONS.step.perform();
    expect(store.get().debug?.status).toBe('step');
    expect(selectCurrentLine(store.get())).toBe(3);
    store.updateDocument({ source: '.section raw\nr0 = 2\nr0 += 1\nexit\n' });
    expect(store.get().debugStale).toBe(true);
    expect(selectCurrentLine(store.get())).toBeUndefined();
    fake.calls = [];
    await ACTIONS.step.perform();
    expect(fake.calls).toEqual(['load', 'reset']);
    expect(store.get().debugStale).toBe(false);
    expect(store.get().debug?.pc).toBe(0);
  });

  it('an edit that changes nothing that runs (a comment) keeps the pause', async () => {
    await ACTIONS.step.perform();
    await ACTIONS.step.perform();
    store.updateDocument({ source: '.section raw\nr0 = 1\nr0 += 1\nexit\n' });
    expect(store.get().debugStale).toBe(false);
  });
});

describe('the call stack', () => {
  it('names each frame after its function and line', () => {
    const src = exampleById('calls')?.source ?? '';
    const section = assemble(src, {}).sections[0];
    if (!section) throw new Error('the calls example does not assemble');
    const line = (text: string, from = 0) => src.split('\n').findIndex((l, i) => i >= from && l.includes(text)) + 1;
    const callInMain = line('call factorial');
    const callInFactorial = line('call factorial', callInMain);
    const pcOf = (l: number) => section.spans.findIndex((s) => s?.line === l);
    // Two calls deep, stopped at `r0 = 1` of the innermost factorial.
    const stack = [pcOf(callInMain) + 1, pcOf(callInFactorial) + 1];
    const inner = line('r0 = 1', line('factorial:'));
    expect(callFrames(section, stack, pcOf(inner))).toEqual([
      { name: 'raw', line: callInMain },
      { name: 'factorial', line: callInFactorial },
      { name: 'factorial', line: inner },
    ]);
  });
});
