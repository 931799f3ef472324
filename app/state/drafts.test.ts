// The saved documents (bpfp.draft v2): the user's draft apart from what links, examples,
// lessons and files opened; every older stored version still loads; another tab's documents
// are not written over; storage that fills up costs old opened documents, never the draft.

import { describe, expect, it } from 'vitest';
import { DEFAULT_DOCUMENT, type PlaygroundDocument } from './document.ts';
import {
  createDraftSaver,
  DRAFT_CORRUPT_KEY,
  DRAFT_KEY,
  DRAFT_VERSION,
  MAX_OPENED,
  readWorkspace,
  salvageSource,
  saveSlot,
  setActive,
  type Slot,
} from './drafts.ts';
import { chooseInitialDocument, loadDraft } from './persistence.ts';
import type { Storage } from './storage.ts';

class MemoryStorage implements Storage {
  readonly data = new Map<string, string>();
  /** Total characters the storage takes before it answers QuotaExceededError. */
  quota = Number.POSITIVE_INFINITY;
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    let used = value.length;
    for (const [k, v] of this.data) if (k !== key) used += v.length;
    if (used > this.quota) throw Object.assign(new Error('quota'), { name: 'QuotaExceededError', code: 22 });
    this.data.set(key, value);
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
}

const doc = (source: string): PlaygroundDocument => ({ ...DEFAULT_DOCUMENT, source });
const mine = doc('# mine\nr0 = 1\nexit\n');
const link = (id: string, title = 'Shared program'): Slot => ({ kind: 'opened', id, origin: 'link', title });

describe('older stored versions', () => {
  it('v1 (one document, whatever was edited last) loads as the user draft', async () => {
    const st = new MemoryStorage();
    st.data.set(DRAFT_KEY, JSON.stringify({ version: 1, doc: mine, savedAt: 9 }));
    expect(readWorkspace(st)).toEqual({ kind: 'ok', workspace: { own: { doc: mine, savedAt: 9 }, opened: [], active: 'own' }, dropped: [] });
    expect(await chooseInitialDocument('', st)).toEqual({ kind: 'draft', doc: mine });
    // Reading migrates in memory only; the first save writes the new format.
    expect(JSON.parse(st.data.get(DRAFT_KEY) ?? '')).toMatchObject({ version: 1 });
    expect(saveSlot(st, link('a'), doc('theirs'), 10).ok).toBe(true);
    expect(JSON.parse(st.data.get(DRAFT_KEY) ?? '')).toMatchObject({ version: DRAFT_VERSION, own: { doc: mine, savedAt: 9 }, active: 'a' });
  });

  it('an invalid v1 draft is set aside, as before', () => {
    const st = new MemoryStorage();
    const raw = JSON.stringify({ version: 1, doc: { cpus: 'many' } });
    st.data.set(DRAFT_KEY, raw);
    expect(readWorkspace(st)).toEqual({ kind: 'corrupt', error: 'the saved draft is invalid: cpus must be 1..4096, not "many"', rescued: true });
    expect(st.data.get(DRAFT_CORRUPT_KEY)).toBe(raw);
  });

  it('a value without a version (no playground wrote one) is set aside', () => {
    const st = new MemoryStorage();
    st.data.set(DRAFT_KEY, JSON.stringify({ doc: mine }));
    expect(readWorkspace(st)).toMatchObject({ kind: 'corrupt', error: 'the saved draft is in an old format: there is no migration from version 0', rescued: true });
  });
});

describe('the draft and the opened documents', () => {
  it('an edited link document is saved apart: the draft stays and a reload shows the edits', async () => {
    const st = new MemoryStorage();
    saveSlot(st, { kind: 'own' }, mine, 1);
    const edited = doc('# from a link, edited\nexit\n');
    expect(saveSlot(st, link('l1'), edited, 2)).toMatchObject({ ok: true, evicted: [] });
    expect(loadDraft(st)).toEqual({ doc: mine, savedAt: 1 });
    expect(await chooseInitialDocument('', st)).toEqual({ kind: 'draft', doc: edited, entry: { id: 'l1', origin: 'link', title: 'Shared program', doc: edited, savedAt: 2 } });
    // Back to the draft: the reload follows.
    expect(setActive(st, 'own')).toEqual({ ok: true });
    expect(await chooseInitialDocument('', st)).toEqual({ kind: 'draft', doc: mine });
  });

  it('keeps the newest opened documents, at most MAX_OPENED, and never more than one per entry', () => {
    const st = new MemoryStorage();
    for (let i = 0; i < MAX_OPENED + 3; i++) saveSlot(st, link(`l${i}`, `Link ${i}`), doc(`# ${i}`), i);
    saveSlot(st, link('l7', 'Link 7'), doc('# 7 again'), 100);
    const r = readWorkspace(st);
    if (r.kind !== 'ok') throw new Error('unreadable');
    expect(r.workspace.opened.map((e) => e.id)).toEqual(['l7', 'l6', 'l5', 'l4', 'l3']);
    expect(r.workspace.opened[0]?.doc.source).toBe('# 7 again');
  });

  it('saves only its own slot: another tab’s newer draft is not written over', () => {
    const st = new MemoryStorage();
    saveSlot(st, { kind: 'own' }, mine, 1);
    // Tab B edits the draft; tab A, with an older copy in memory, saves its link document.
    saveSlot(st, { kind: 'own' }, doc('# tab B'), 2);
    saveSlot(st, link('a'), doc('# tab A link'), 3);
    expect(loadDraft(st)).toEqual({ doc: doc('# tab B'), savedAt: 2 });
  });

  it('when storage is full, the oldest opened documents give way, the draft never', () => {
    const st = new MemoryStorage();
    const big = (n: string) => doc(`# ${n}\n${'r0 = 1\n'.repeat(2000)}`);
    saveSlot(st, { kind: 'own' }, big('own'), 1);
    saveSlot(st, link('a', 'First'), big('a'), 2);
    saveSlot(st, link('b', 'Second'), big('b'), 3);
    st.quota = (st.data.get(DRAFT_KEY) ?? '').length + 100;
    const r = saveSlot(st, link('c', 'Third'), big('c'), 4);
    expect(r).toMatchObject({ ok: true, evicted: ['First'] });
    const after = readWorkspace(st);
    if (after.kind !== 'ok') throw new Error('unreadable');
    expect(after.workspace.own?.doc.source).toContain('# own');
    expect(after.workspace.opened.map((e) => e.id)).toEqual(['c', 'b']);
    // Nothing left to give way: the failure is reported, the stored value untouched.
    st.quota = 10;
    const before = st.data.get(DRAFT_KEY);
    expect(saveSlot(st, { kind: 'own' }, big('own 2'), 5)).toEqual({ ok: false, error: "the browser's storage for this site is full" });
    expect(st.data.get(DRAFT_KEY)).toBe(before);
  });

  it('an unreadable entry is left out and the whole value copied aside; the rest loads', () => {
    const st = new MemoryStorage();
    const raw = JSON.stringify({ version: 2, own: { doc: mine, savedAt: 1 }, opened: [{ id: 'x', origin: 'link', title: 'Bad', doc: { isa: 9 } }, { id: 'y', origin: 'example', title: 'Example: Hello', doc: mine, savedAt: 2 }], active: 'x' });
    st.data.set(DRAFT_KEY, raw);
    const r = readWorkspace(st);
    expect(r).toMatchObject({ kind: 'ok', dropped: ['opened document 1: isa must be 1, 2, 3 or 4, not 9'] });
    if (r.kind !== 'ok') throw new Error('unreadable');
    expect(r.workspace.opened.map((e) => e.id)).toEqual(['y']);
    expect(r.workspace.active).toBe('own');
    expect(st.data.get(DRAFT_CORRUPT_KEY)).toBe(raw);
  });

  it('ids and origins from storage are checked, prototype names included', () => {
    const st = new MemoryStorage();
    st.data.set(DRAFT_KEY, JSON.stringify({ version: 2, own: null, opened: [{ id: '__proto__', origin: 'link', title: 't', doc: mine }, { id: 'ok', origin: 'constructor', title: 't', doc: mine }], active: 'toString' }));
    const r = readWorkspace(st);
    expect(r).toMatchObject({ kind: 'ok', dropped: ['opened document 1: its id is "__proto__"', 'opened document 2: its origin is "constructor"'] });
    if (r.kind !== 'ok') throw new Error('unreadable');
    expect(r.workspace).toEqual({ own: undefined, opened: [], active: 'own' });
  });

  it('the saver saves each slot it was given, the last one becoming the one shown', () => {
    const st = new MemoryStorage();
    const results: boolean[] = [];
    const saver = createDraftSaver(st, 1000, (r) => results.push(r.ok));
    saver.schedule(mine);
    saver.schedule(doc('# link'), link('l'));
    saver.schedule(doc('# mine, later'));
    saver.flush();
    expect(results).toEqual([true, true]);
    const r = readWorkspace(st);
    if (r.kind !== 'ok') throw new Error('unreadable');
    expect(r.workspace.own?.doc.source).toBe('# mine, later');
    expect(r.workspace.opened.map((e) => e.doc.source)).toEqual(['# link']);
    expect(r.workspace.active).toBe('own');
  });
});

describe('salvageSource', () => {
  it('finds the program text in a damaged value of any version', () => {
    expect(salvageSource(JSON.stringify({ version: 1, doc: { source: 'r0 = 1', cpus: 0 } }))).toBe('r0 = 1');
    expect(salvageSource(JSON.stringify({ version: 7, own: { doc: { source: 'mine' } } }))).toBe('mine');
    expect(salvageSource(JSON.stringify({ version: 2, own: null, opened: [{ doc: { source: 'theirs' } }] }))).toBe('theirs');
    expect(salvageSource('{"version":1,"doc":{"source":"half')).toBeUndefined();
    expect(salvageSource('"text"')).toBeUndefined();
  });
});
