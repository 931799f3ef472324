// Draft and settings in localStorage: versioned keys, migration, corrupted values kept aside,
// failing storage answered with values, the debounced saver, and the start-up choice.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeShare } from '../share/codec.ts';
import { DEFAULT_DOCUMENT, type PlaygroundDocument } from './document.ts';
import {
  chooseInitialDocument,
  createDraftSaver,
  DEFAULT_SETTINGS,
  DRAFT_CORRUPT_KEY,
  DRAFT_KEY,
  DRAFT_MIGRATIONS,
  loadDraft,
  loadSettings,
  migrate,
  readDraft,
  runTierOf,
  saveDraft,
  saveSettings,
  SETTINGS_KEY,
  TIERS,
  type Migrations,
  type Storage,
} from './persistence.ts';

/** A Map-backed Storage that records writes and can be told to fail like a browser. */
class FakeStorage implements Storage {
  readonly data = new Map<string, string>();
  readonly writes: string[] = [];
  failWith: unknown;
  failReads = false;

  getItem(key: string): string | null {
    if (this.failReads) throw Object.assign(new Error('The operation is insecure.'), { name: 'SecurityError' });
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.writes.push(`set ${key}`);
    if (this.failWith !== undefined) throw this.failWith;
    this.data.set(key, value);
  }
  removeItem(key: string): void {
    this.writes.push(`remove ${key}`);
    this.data.delete(key);
  }
}

const mine: PlaygroundDocument = { ...DEFAULT_DOCUMENT, source: 'r0 = 1\nexit\n', cpus: 2, panel: 'trace' };
const theirs: PlaygroundDocument = { ...DEFAULT_DOCUMENT, source: 'r0 = 2\nexit\n', profile: 'linux-6.3' };

function quotaError(): Error {
  return Object.assign(new Error("Failed to execute 'setItem' on 'Storage': Setting the value of 'bpfp.draft' exceeded the quota."), { name: 'QuotaExceededError', code: 22 });
}

describe('the draft', () => {
  it('saves under bpfp.draft with a version and reads back', () => {
    const st = new FakeStorage();
    expect(saveDraft(st, mine, 1234)).toEqual({ ok: true });
    expect(JSON.parse(st.data.get(DRAFT_KEY) ?? '')).toEqual({ version: 2, own: { doc: mine, savedAt: 1234 }, opened: [], active: 'own' });
    expect(loadDraft(st)).toEqual({ doc: mine, savedAt: 1234 });
  });

  it('reads nothing when there is no draft or storage is blocked', () => {
    const st = new FakeStorage();
    expect(loadDraft(st)).toBeUndefined();
    expect(readDraft(st)).toEqual({ kind: 'none' });
    st.data.set(DRAFT_KEY, JSON.stringify({ version: 1, doc: mine, savedAt: 1 }));
    st.failReads = true;
    expect(loadDraft(st)).toBeUndefined();
  });

  it('saves the normalised document (LF line endings)', () => {
    const st = new FakeStorage();
    saveDraft(st, { ...mine, source: 'exit\r\n' }, 5);
    expect(loadDraft(st)?.doc.source).toBe('exit\n');
  });

  it('keeps an unreadable draft under bpfp.draft.corrupt, so the next autosave loses nothing', () => {
    for (const raw of ['{"version":1,"doc":{"source":"half a progr', '"just a string"', JSON.stringify({ version: 1, doc: { cpus: 0 } }), JSON.stringify({ version: 'one' })]) {
      const st = new FakeStorage();
      st.data.set(DRAFT_KEY, raw);
      expect(loadDraft(st)).toBeUndefined();
      expect(st.data.get(DRAFT_CORRUPT_KEY)).toBe(raw);
      expect(st.data.get(DRAFT_KEY)).toBe(raw);
    }
    const st = new FakeStorage();
    st.data.set(DRAFT_KEY, JSON.stringify({ version: 1, doc: { cpus: 0 } }));
    expect(readDraft(st)).toEqual({ kind: 'corrupt', error: 'the saved draft is invalid: cpus must be 1..4096, not 0', rescued: true });
    st.data.set(DRAFT_KEY, 'garbage');
    st.failWith = quotaError();
    expect(readDraft(st)).toEqual({ kind: 'corrupt', error: 'the saved draft is not JSON', rescued: false });
  });

  it('leaves a draft from a newer playground alone and keeps a copy', () => {
    const st = new FakeStorage();
    const raw = JSON.stringify({ version: 3, doc: mine, savedAt: 1 });
    st.data.set(DRAFT_KEY, raw);
    expect(readDraft(st)).toMatchObject({ kind: 'corrupt', error: 'the saved draft was written by a newer playground (version 3)' });
    expect(st.data.get(DRAFT_CORRUPT_KEY)).toBe(raw);
  });

  it('replaces a bad savedAt with 0 rather than losing the draft', () => {
    const st = new FakeStorage();
    st.data.set(DRAFT_KEY, JSON.stringify({ version: 1, doc: mine, savedAt: 'yesterday' }));
    expect(loadDraft(st)).toEqual({ doc: mine, savedAt: 0 });
  });

  it('answers a full or blocked storage with a message, never an exception', () => {
    const st = new FakeStorage();
    st.failWith = quotaError();
    expect(saveDraft(st, mine)).toEqual({ ok: false, error: "The draft was not saved: the browser's storage for this site is full." });
    st.failWith = Object.assign(new Error('quota'), { name: 'NS_ERROR_DOM_QUOTA_REACHED', code: 1014 });
    expect(saveDraft(st, mine)).toEqual({ ok: false, error: "The draft was not saved: the browser's storage for this site is full." });
    st.failWith = Object.assign(new Error('The operation is insecure.'), { name: 'SecurityError' });
    expect(saveDraft(st, mine)).toEqual({ ok: false, error: 'The draft was not saved: the browser does not allow this page to store data (private mode or site settings).' });
    st.failWith = 'odd';
    expect(saveDraft(st, mine)).toEqual({ ok: false, error: 'The draft was not saved: the browser refused to store it (odd).' });
  });

  it('refuses to save an invalid document, with the reason', () => {
    const st = new FakeStorage();
    expect(saveDraft(st, { ...mine, cpus: 0 })).toEqual({ ok: false, error: 'The draft was not saved: cpus must be 1..4096, not 0.' });
    expect(st.writes).toEqual([]);
  });
});

describe('migrations', () => {
  // A made-up pre-versioned draft, `{ code }`, as the first playground might have stored it.
  const fake: Migrations = {
    0: (old) => {
      const o = old as { code?: unknown; cpu?: unknown };
      return { version: 1, doc: { source: o.code, cpus: o.cpu }, savedAt: 42 };
    },
  };

  it('upgrades a v0 draft through every later version in the table', () => {
    const st = new FakeStorage();
    st.data.set(DRAFT_KEY, JSON.stringify({ code: 'r0 = 7\r\nexit', cpu: 3 }));
    expect(loadDraft(st, { ...DRAFT_MIGRATIONS, ...fake })).toEqual({ doc: { ...DEFAULT_DOCUMENT, source: 'r0 = 7\nexit', cpus: 3 }, savedAt: 42 });
    expect(st.writes).toEqual([]);
  });

  it('without a migration for its version, the old draft is kept aside, not dropped', () => {
    const st = new FakeStorage();
    const raw = JSON.stringify({ code: 'exit' });
    st.data.set(DRAFT_KEY, raw);
    expect(readDraft(st)).toMatchObject({ kind: 'corrupt', error: 'the saved draft is in an old format: there is no migration from version 0' });
    expect(st.data.get(DRAFT_CORRUPT_KEY)).toBe(raw);
  });

  it('runs each step in order and reports a step that throws', () => {
    const steps: Migrations = { 0: (v) => [...(v as number[]), 1], 1: (v) => [...(v as number[]), 2], 2: () => { throw new Error('boom'); } };
    expect(migrate([], 0, 2, steps)).toEqual({ ok: true, value: [1, 2] });
    expect(migrate([], 1, 1, steps)).toEqual({ ok: true, value: [] });
    expect(migrate([], 0, 3, steps)).toEqual({ ok: false, error: 'migrating from version 2 failed (boom)' });
    expect(migrate([], 0, 5, { 0: (v) => v })).toEqual({ ok: false, error: 'there is no migration from version 1' });
  });

  it('migrates old settings too', () => {
    const st = new FakeStorage();
    st.data.set(SETTINGS_KEY, JSON.stringify({ dark: true }));
    expect(loadSettings(st, { 0: (o) => ({ version: 1, theme: (o as { dark?: boolean }).dark ? 'dark' : 'light' }) })).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark' });
  });
});

describe('settings', () => {
  it('saves under bpfp.settings and reads back', () => {
    const st = new FakeStorage();
    const s = { version: 1, theme: 'dark', split: 35, shareShortcut: false, budget: 100_000_000, tier: 'wasm' } as const;
    expect(saveSettings(st, s)).toEqual({ ok: true });
    expect(JSON.parse(st.data.get(SETTINGS_KEY) ?? '')).toEqual(s);
    expect(loadSettings(st)).toEqual(s);
  });

  it('gives defaults when missing or unreadable, and repairs field by field', () => {
    const st = new FakeStorage();
    expect(loadSettings(st)).toEqual({ version: 1, theme: 'system', split: 50, shareShortcut: true, budget: 10_000_000, tier: 'auto' });
    st.data.set(SETTINGS_KEY, '{not json');
    expect(loadSettings(st)).toEqual(DEFAULT_SETTINGS);
    st.data.set(SETTINGS_KEY, JSON.stringify({ version: 1, theme: 'purple', split: 95, shareShortcut: false, budget: 12345, tier: 'jit' }));
    expect(loadSettings(st)).toEqual({ version: 1, theme: 'system', split: 80, shareShortcut: false, budget: 10_000_000, tier: 'auto' });
    st.data.set(SETTINGS_KEY, JSON.stringify({ version: 1, theme: 'light', split: 'wide', tier: 'interpreter' }));
    expect(loadSettings(st)).toEqual({ version: 1, theme: 'light', split: 50, shareShortcut: true, budget: 10_000_000, tier: 'interpreter' });
    st.data.set(SETTINGS_KEY, JSON.stringify({ version: 1, split: 3 }));
    expect(loadSettings(st).split).toBe(20);
  });

  it('keeps the Tier setting (settings saved before it existed read as auto), and asks the engine for no tier on auto', () => {
    const st = new FakeStorage();
    for (const tier of ['auto', 'interpreter', 'compiled', 'wasm'] as const) {
      saveSettings(st, { ...DEFAULT_SETTINGS, tier });
      expect(loadSettings(st).tier).toBe(tier);
    }
    st.data.set(SETTINGS_KEY, JSON.stringify({ version: 1, theme: 'dark', split: 40, shareShortcut: true, budget: 1_000_000 }));
    expect(loadSettings(st)).toEqual({ version: 1, theme: 'dark', split: 40, shareShortcut: true, budget: 1_000_000, tier: 'auto' });
    for (const bad of ['constructor', 'WASM', 3, null]) {
      st.data.set(SETTINGS_KEY, JSON.stringify({ version: 1, tier: bad }));
      expect(loadSettings(st).tier).toBe('auto');
    }
    expect(TIERS.map((t) => t.label)).toEqual(['Auto (compiled)', 'Interpreter', 'Compiled JS', 'WebAssembly']);
    expect(TIERS.map((t) => runTierOf(t.value))).toEqual([undefined, 'interpreter', 'compiled', 'wasm']);
  });

  it('reports a storage failure', () => {
    const st = new FakeStorage();
    st.failWith = quotaError();
    expect(saveSettings(st, { ...DEFAULT_SETTINGS })).toEqual({ ok: false, error: "The settings were not saved: the browser's storage for this site is full." });
  });
});

describe('createDraftSaver', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1000 }));
  afterEach(() => vi.useRealTimers());

  it('saves once per pause in typing, the last document', () => {
    const st = new FakeStorage();
    const saver = createDraftSaver(st, 300);
    saver.schedule({ ...mine, source: 'a' });
    vi.advanceTimersByTime(200);
    saver.schedule({ ...mine, source: 'ab' });
    vi.advanceTimersByTime(299);
    expect(st.writes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(st.writes).toEqual([`set ${DRAFT_KEY}`]);
    expect(loadDraft(st)).toEqual({ doc: { ...mine, source: 'ab' }, savedAt: 1499 + 1 });
  });

  it('flush saves a pending document at once (pagehide), and only once', () => {
    const st = new FakeStorage();
    const results: unknown[] = [];
    const saver = createDraftSaver(st, 300, (r) => results.push(r));
    saver.flush();
    expect(st.writes).toEqual([]);
    saver.schedule(mine);
    saver.flush();
    expect(loadDraft(st)?.doc).toEqual(mine);
    vi.advanceTimersByTime(1000);
    saver.flush();
    expect(st.writes).toHaveLength(1);
    expect(results).toEqual([{ ok: true, workspace: { own: { doc: mine, savedAt: 1000 }, opened: [], active: 'own' }, evicted: [] }]);
  });

  it('cancel drops the pending document', () => {
    const st = new FakeStorage();
    const saver = createDraftSaver(st);
    saver.schedule(mine);
    saver.cancel();
    vi.advanceTimersByTime(1000);
    saver.flush();
    expect(st.writes).toEqual([]);
  });

  it('reports a failed save through onResult instead of throwing', () => {
    const st = new FakeStorage();
    st.failWith = quotaError();
    const results: unknown[] = [];
    const saver = createDraftSaver(st, 10, (r) => results.push(r));
    saver.schedule(mine);
    expect(() => vi.advanceTimersByTime(10)).not.toThrow();
    expect(results).toEqual([{ ok: false, error: "the browser's storage for this site is full" }]);
  });
});

describe('chooseInitialDocument', () => {
  function withDraft(doc?: PlaygroundDocument): FakeStorage {
    const st = new FakeStorage();
    if (doc) st.data.set(DRAFT_KEY, JSON.stringify({ version: 2, own: { doc, savedAt: 7 }, opened: [], active: 'own' }));
    st.writes.length = 0;
    return st;
  }

  it('a link wins over the draft, and the draft is kept', async () => {
    const st = withDraft(mine);
    expect(await chooseInitialDocument(await encodeShare(theirs), st)).toEqual({ kind: 'link', doc: theirs, draftKept: true });
    expect(loadDraft(st)?.doc).toEqual(mine);
    expect(await chooseInitialDocument(await encodeShare(theirs), withDraft())).toEqual({ kind: 'link', doc: theirs, draftKept: false });
  });

  it('the draft wins over the default, which comes last', async () => {
    expect(await chooseInitialDocument('', withDraft(mine))).toEqual({ kind: 'draft', doc: mine });
    expect(await chooseInitialDocument('#', withDraft())).toEqual({ kind: 'default' });
  });

  it('passes #example/<id> on to the app', async () => {
    expect(await chooseInitialDocument('#example/cpumask-create', withDraft(mine))).toEqual({ kind: 'example', id: 'cpumask-create', draftKept: true });
  });

  it('a broken or foreign link reports its error and falls back to the draft, or the default', async () => {
    const hash = await encodeShare(theirs);
    const broken = await chooseInitialDocument(hash.slice(0, 30), withDraft(mine));
    expect(broken).toEqual({ kind: 'broken-link', error: 'This link is damaged: it was cut short (the compressed data ends early). Copy the whole link again.', fallback: 'draft', doc: mine });
    expect(await chooseInitialDocument('#section-3', withDraft())).toEqual({ kind: 'broken-link', error: expect.stringMatching(/not a playground link/) as unknown, fallback: 'default' });
    expect(await chooseInitialDocument('#v9/abc', withDraft(mine))).toMatchObject({ kind: 'broken-link', error: expect.stringMatching(/newer playground/) as unknown, fallback: 'draft' });
  });

  it('never writes to storage: opening a link must not overwrite the draft', async () => {
    const link = await encodeShare(theirs);
    for (const hash of [link, '', '#example/x', '#/foo', link.slice(0, 20), '#v1/%%%']) {
      for (const st of [withDraft(mine), withDraft()]) {
        const before = new Map(st.data);
        await chooseInitialDocument(hash, st);
        expect(st.writes, hash).toEqual([]);
        expect(st.data).toEqual(before);
      }
    }
  });

  it('with an unreadable draft, the only write is its rescue copy', async () => {
    const st = new FakeStorage();
    st.data.set(DRAFT_KEY, '{broken');
    expect(await chooseInitialDocument('', st)).toEqual({ kind: 'default' });
    expect(st.writes).toEqual([`set ${DRAFT_CORRUPT_KEY}`]);
    expect(st.data.get(DRAFT_KEY)).toBe('{broken');
    // A second start finds the copy already there and writes nothing.
    await chooseInitialDocument('', st);
    expect(st.writes).toHaveLength(1);
  });
});
