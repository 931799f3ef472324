// Every selector a component subscribes with, and every panel's select and badge, answers the
// same state twice with shallowly equal values — otherwise zustand's useShallow hands React a
// new value on each check and React re-renders until it gives up (error #185: a blank page).
// The states are the ones a user reaches: a fresh page, a run's snapshot, a run going on, a
// stop, a paused program, a traffic run.

import { describe, expect, it } from 'vitest';
import { shallow } from 'zustand/shallow';
import type { HeldSnapshot, TrafficReport } from '../../engine/worker/protocol.ts';
import { emptyCounters } from '../../engine/net/types.ts';
import { ACTIONS } from '../actions.ts';
import { PANELS } from '../panels/registry.ts';
import { DEFAULT_DOCUMENT } from './document.ts';
import { SELECTORS } from './selectors.ts';
import { store, useStore, type PlaygroundState } from './store.ts';

const SOURCE = '.section raw\n.map m type=array key=4 value=8 max_entries=4\nr1 = 1\nbogus\nr0 = 0\nexit\n';

function snapshot(status: HeldSnapshot['status'], trace: number): HeldSnapshot {
  return {
    status,
    pc: 2,
    insns: 7,
    depth: 0,
    regs: [{ name: 'r0', hex: '0x0000000000000000', unsigned: '0', signed: '0', kind: 'scalar', changed: false }],
    callStack: [],
    stack: { base: '0xffff', bytes: new Uint8Array(512), touched: new Uint8Array(512), changed: new Uint8Array(512), depth: 0 },
    ...(status === 'exited' ? { r0: '0x0' } : {}),
    trace: Array.from({ length: trace }, (_, i) => ({ seq: i, cpu: 0, ns: i, comm: 'bpfp', pid: 1, text: `line ${i}` })),
    traceDropped: 0,
    section: 'raw',
    kernel: { epoch: 1, seq: 1, profile: 'linux-6.18', cpus: 8, objects: [], releasedHidden: 0, maps: [], leaks: [], leakCount: 0, leakSites: [], rcuDepth: 0, context: 'r1', scenario: {} },
  };
}

const report: TrafficReport = { counters: emptyCounters(), packets: [], total: 0, durationMs: 1, pps: 0, driver: 'full', queues: 1, xskMetadataSize: 24, deviceBound: false, warnings: [] };

/** The states, each reached from the previous one the way the actions reach it. */
function states(): [string, PlaygroundState][] {
  const out: [string, PlaygroundState][] = [];
  const take = (name: string) => out.push([name, useStore.getState()]);
  store.openDocument({ ...DEFAULT_DOCUMENT, source: SOURCE, panel: 'trace' }, 'default');
  take('fresh');
  for (const panel of PANELS) {
    store.set({ doc: { ...store.get().doc, panel: panel.id } });
    take(`fresh, ${panel.id} open`);
  }
  store.set({ busy: 'running', live: { insns: 0, trace: [] } });
  take('a run starting');
  store.set({ live: { insns: 100, trace: snapshot('exited', 3).trace } });
  take('a run going on');
  store.set({ busy: 'idle', live: undefined });
  take('after Stop');
  store.set({ debug: snapshot('exited', 0), runtimeProblems: [] });
  take('after a run without output');
  store.set({ debug: snapshot('exited', 3) });
  take('after a run with output');
  store.set({ debug: snapshot('step', 1), busy: 'stepping' });
  take('stepping');
  store.set({ busy: 'idle' });
  take('paused');
  store.set({ debug: snapshot('fault', 0), runtimeProblems: [{ severity: 'error', message: 'fault', code: 'x', source: 'runtime', line: 3, col: 1, endLine: 3, endCol: 2 }] });
  take('after a fault');
  store.set({ busy: 'running', live: undefined, nic: { ...store.get().nic, progress: { packets: 1, total: 2, pps: 3, counters: emptyCounters() } } });
  take('a traffic run going on');
  store.set({ busy: 'idle', nic: { ...store.get().nic, progress: undefined, report, reportKey: 'k' } });
  take('after a traffic run');
  const key = store.get().program.key;
  store.set({ verdict: { status: 'pending', key, profile: 'linux-6.18' } });
  take('verifying live');
  const reply = { accepted: false, profile: 'linux-6.18' as const, errors: [{ pc: 1, message: 'R0 !read_ok', stage: 'verifier' as const, related: [{ pc: 0, message: 'here' }], slice: [0, 1] }], log: 'R0 !read_ok' };
  store.set({ verdict: { status: 'done', key, profile: 'linux-6.18', reply } });
  for (const panel of ['verifier', 'problems']) {
    store.set({ doc: { ...store.get().doc, panel } });
    take(`a live refusal, ${panel} open`);
  }
  store.set({ verdict: { status: 'unavailable', key, profile: 'linux-6.18', message: 'crashed' } });
  take('verifier unavailable');
  store.updateDocument({ source: `${SOURCE}r0 = 1\n` });
  take('edited after a run');
  // A graded lesson open, its last Check failed at a line (a marker while the code is the one checked).
  store.openDocument({ ...DEFAULT_DOCUMENT, source: SOURCE }, 'lesson', { title: 'Lesson: L' });
  const docVersion = store.get().docVersion;
  const result = { passed: false, checks: [{ name: 'assembles', passed: true, message: 'ok' }, { name: 'Linux 6.18 loads it', passed: false, message: 'refused at line 3', line: 3 }] };
  store.set({ course: { ...store.get().course, pane: 'lesson', open: { id: 'l', docVersion }, check: { status: 'done', id: 'l', source: SOURCE, result } } });
  take('a graded lesson after a failed Check');
  store.set({ course: { ...store.get().course, check: { status: 'checking', id: 'l', source: SOURCE } } });
  take('a graded lesson being checked');
  store.set({ course: { ...store.get().course, pane: 'index' } });
  take('the lesson index');
  return out;
}

const ALL = states();

describe('selectors answer the same state with shallowly equal values', () => {
  it.each(PANELS.map((p) => [p.id, p] as const))('panel %s: select', (_id, panel) => {
    for (const [name, s] of ALL) expect(shallow(panel.select(s), panel.select(s)), name).toBe(true);
  });

  it.each(PANELS.map((p) => [p.id, p] as const))('panel %s: badge (compared by identity)', (_id, panel) => {
    for (const [name, s] of ALL) expect(Object.is(panel.badge?.(s), panel.badge?.(s)), name).toBe(true);
  });

  it.each(Object.entries(SELECTORS))('%s', (_name, select) => {
    for (const [name, s] of ALL) expect(shallow(select(s), select(s)), name).toBe(true);
  });

  it.each(Object.values(ACTIONS).map((a) => [a.id, a] as const))('action %s: enabled', (_id, action) => {
    for (const [name, s] of ALL) expect(Object.is(action.enabled(s), action.enabled(s)), name).toBe(true);
  });

  it('covers every panel the frame shows', () => {
    expect(PANELS.map((p) => p.id)).toEqual(expect.arrayContaining(['registers', 'stack', 'maps', 'cpumask', 'scenario', 'trace', 'traffic', 'packets', 'problems', 'program', 'lesson']));
  });
});
