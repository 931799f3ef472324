// The tab's record of what it shows (sessionStorage): a reload opens the document that was on
// screen — an example or a lesson opened and not edited included, which nothing else keeps —
// and says so when it cannot.

import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DOCUMENT, type PlaygroundDocument } from './document.ts';
import { DRAFT_KEY, saveSlot } from './drafts.ts';
import { chooseInitialDocument } from './persistence.ts';
import { readScreen, SCREEN_KEY, writeScreen, type ScreenRecord } from './screen.ts';
import { screenOf, watchScreen } from './screen-watch.ts';
import type { Storage } from './storage.ts';
import { store } from './store.ts';

class MemoryStorage implements Storage {
  readonly data = new Map<string, string>();
  quota = Number.POSITIVE_INFINITY;
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (value.length > this.quota) throw Object.assign(new Error('quota'), { name: 'QuotaExceededError', code: 22 });
    this.data.set(key, value);
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
}

const doc = (source: string): PlaygroundDocument => ({ ...DEFAULT_DOCUMENT, source });
const mine = doc('# mine\nr0 = 1\nexit\n');
const example = doc('# an example\nr0 = 2\nexit\n');

afterEach(() => store.openDocument(DEFAULT_DOCUMENT, 'default'));

describe('the record', () => {
  it('reads back what was written, lesson and all', () => {
    const st = new MemoryStorage();
    const records: ScreenRecord[] = [
      { kind: 'own' },
      { kind: 'saved', id: 'example-1', title: 'Example: Hello' },
      { kind: 'opened', origin: 'lesson', title: 'Lesson: Masks', doc: example, lesson: { id: 'cpumask-basics', step: 2 } },
    ];
    for (const r of records) {
      expect(writeScreen(st, r)).toEqual({ ok: true });
      expect(readScreen(st)).toEqual(r);
    }
  });

  it('ignores what it cannot read: not JSON, another version, a bad document, prototype names', () => {
    const st = new MemoryStorage();
    for (const raw of ['{', 'null', '[]', '{"v":2,"kind":"own"}', '{"v":1,"kind":"opened","origin":"link","title":"x","doc":{"source":5}}', '{"v":1,"kind":"__proto__"}', '{"v":1,"kind":"opened","origin":"constructor","doc":null}']) {
      st.data.set(SCREEN_KEY, raw);
      expect(readScreen(st), raw).toBeUndefined();
    }
  });

  it('keeps the record without the text when the browser will not keep the text, and says so', () => {
    const st = new MemoryStorage();
    st.quota = 200;
    const big = doc('r0 = 0\n'.repeat(100) + 'exit\n');
    const r = writeScreen(st, { kind: 'opened', origin: 'link', title: 'Shared program', doc: big });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.error).toMatch(/full.*a reload cannot bring it back/);
    expect(readScreen(st)).toEqual({ kind: 'opened', origin: 'link', title: 'Shared program', doc: undefined });
  });

  it('names an opened document with its text, an edited one by its entry, the draft as own', () => {
    const base = { doc: example, lesson: undefined, docTitle: 'Example: Hi' };
    expect(screenOf({ ...base, origin: 'example', slot: undefined })).toEqual({ kind: 'opened', origin: 'example', title: 'Example: Hi', doc: example });
    expect(screenOf({ ...base, origin: 'example', slot: 'example-7' })).toEqual({ kind: 'saved', id: 'example-7', title: 'Example: Hi' });
    expect(screenOf({ ...base, origin: 'draft', slot: undefined, lesson: { id: 'l', step: 1 } })).toEqual({ kind: 'own', lesson: { id: 'l', step: 1 } });
  });
});

describe('the start-up choice on a reload', () => {
  it('opens the example that was on screen, not the draft saved before it', async () => {
    const st = new MemoryStorage();
    saveSlot(st, { kind: 'own' }, mine, 1);
    const screen: ScreenRecord = { kind: 'opened', origin: 'example', title: 'Example: Hi', doc: example };
    expect(await chooseInitialDocument('', st, undefined, screen)).toEqual({ kind: 'draft', doc: example, opened: { origin: 'example', title: 'Example: Hi' } });
    // Without the record (a new tab) the saved draft opens, as before.
    expect(await chooseInitialDocument('', st)).toEqual({ kind: 'draft', doc: mine });
  });

  it('opens the saved entry that was on screen, and the draft when the record says the draft', async () => {
    const st = new MemoryStorage();
    saveSlot(st, { kind: 'own' }, mine, 1);
    saveSlot(st, { kind: 'opened', id: 'example-1', origin: 'example', title: 'Example: Hi' }, example, 2);
    const entry = await chooseInitialDocument('', st, undefined, { kind: 'saved', id: 'example-1', title: 'Example: Hi' });
    expect(entry).toMatchObject({ kind: 'draft', doc: example, entry: { id: 'example-1' } });
    expect(await chooseInitialDocument('', st, undefined, { kind: 'own' })).toEqual({ kind: 'draft', doc: mine });
  });

  it('says why when what was on screen is gone, and opens the saved document instead', async () => {
    const st = new MemoryStorage();
    saveSlot(st, { kind: 'own' }, mine, 1);
    const gone = await chooseInitialDocument('', st, undefined, { kind: 'saved', id: 'link-9', title: 'Shared program' });
    expect(gone).toMatchObject({ kind: 'draft', doc: mine, note: expect.stringMatching(/“Shared program”.*no longer saved.*your draft opened instead/) });
    const tooBig = await chooseInitialDocument('', new MemoryStorage(), undefined, { kind: 'opened', origin: 'link', title: 'Shared program', doc: undefined });
    expect(tooBig).toMatchObject({ kind: 'default', note: expect.stringMatching(/too large.*the default example opened instead/) });
  });

  it('lets a link in the address bar win over the record', async () => {
    const st = new MemoryStorage();
    const r = await chooseInitialDocument('#example/hello', st, undefined, { kind: 'opened', origin: 'lesson', title: 'Lesson', doc: example });
    expect(r.kind).toBe('example');
  });
});

describe('watchScreen', () => {
  it('writes on opening, on the first edit (the entry), and not on later edits', () => {
    const st = new MemoryStorage();
    const failures: string[] = [];
    const stop = watchScreen(st, (e) => failures.push(e));
    store.openDocument(example, 'example', { title: 'Example: Hi' });
    expect(readScreen(st)).toEqual({ kind: 'opened', origin: 'example', title: 'Example: Hi', doc: example });
    store.set({ slot: 'example-3' });
    expect(readScreen(st)).toEqual({ kind: 'saved', id: 'example-3', title: 'Example: Hi' });
    let writes = 0;
    const set = st.setItem.bind(st);
    st.setItem = (k, v) => {
      writes++;
      set(k, v);
    };
    store.updateDocument({ source: 'r0 = 3\nexit\n' });
    expect(writes).toBe(0);
    stop();
    expect(failures).toEqual([]);
    expect(st.data.has(DRAFT_KEY)).toBe(false);
  });

  it('deferred, writes a task after the change, once for several changes, with the state of then', async () => {
    const st = new MemoryStorage();
    let writes = 0;
    const set = st.setItem.bind(st);
    st.setItem = (k, v) => {
      writes++;
      set(k, v);
    };
    const stop = watchScreen(st, () => undefined, true);
    // Not even the first record is written in the task that started watching.
    expect(writes).toBe(0);
    await new Promise((r) => setTimeout(r, 0));
    expect(writes).toBe(1);
    store.openDocument(example, 'example', { title: 'Example: Hi' });
    store.openDocument(mine, 'link', { title: 'Shared program' });
    // Two openings in one task: nothing yet, then one write, of the second.
    expect(writes).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(writes).toBe(2);
    expect(readScreen(st)).toEqual({ kind: 'opened', origin: 'link', title: 'Shared program', doc: mine });
    // A change with a write pending when watching stops: the timer goes with it.
    store.openDocument(example, 'example', { title: 'Example: Hi' });
    stop();
    await new Promise((r) => setTimeout(r, 0));
    expect(writes).toBe(2);
  });

  it('says once that a reload may not show the document when the browser refuses the record', () => {
    const st = new MemoryStorage();
    st.quota = 10;
    const failures: string[] = [];
    const stop = watchScreen(st, (e) => failures.push(e));
    store.openDocument(example, 'example', { title: 'Example: Hi' });
    store.openDocument(mine, 'link', { title: 'Shared program' });
    stop();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/full/);
  });
});
