// The journeys that used to lose drafts, run through the app's own commands and start-up code
// against an in-memory localStorage: a lesson, an example, a file or a link opens, the user
// types, and the draft is still there — with a notice saying so and a way back. Also what the
// user is told when saving fails, when the saved draft cannot be read, and when start-up failed.

import { beforeEach, describe, expect, it } from 'vitest';
import { openExample, openFile, openLesson } from '../commands.ts';
import { exampleById } from '../examples.ts';
import { encodeShare } from '../share/codec.ts';
import { openStartDocument, recoverStartup } from '../startup.ts';
import { DEFAULT_DOCUMENT, MAX_SOURCE_BYTES, type PlaygroundDocument } from './document.ts';
import { DRAFT_KEY, readWorkspace, saveSlot } from './drafts.ts';
import { chooseInitialDocument, loadDraft } from './persistence.ts';
import type { Storage } from './storage.ts';
import { store, useStore, type Notice } from './store.ts';
import { flushSaves, SAVE_NOTICE, startWorkspace, watchEdits } from './workspace.ts';

class MemoryStorage implements Storage {
  readonly data = new Map<string, string>();
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, value);
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
}

const initial = useStore.getState();
const mine: PlaygroundDocument = { ...DEFAULT_DOCUMENT, source: '# my own work\nr0 = 42\nexit\n' };
const hello = exampleById('hello')?.source ?? '';
let unwatch: () => void = () => undefined;

beforeEach(() => {
  unwatch();
  useStore.setState(initial, true);
});

/** A page load: the saved documents read, autosave watching, the start-up document opened. */
async function load(st: Storage, hash = '', failedLastTime = false): Promise<void> {
  useStore.setState(initial, true);
  const read = readWorkspace(st);
  startWorkspace(st, read, 10_000);
  unwatch = watchEdits();
  await openStartDocument(hash, st, read, failedLastTime);
}

function type(source: string): void {
  store.updateDocument({ source });
}

function notice(pattern: RegExp): Notice {
  const n = store.get().notices.find((x) => pattern.test(x.text));
  if (!n) throw new Error(`no notice matches ${pattern}; notices: ${JSON.stringify(store.get().notices.map((x) => x.text))}`);
  return n;
}

function act(n: Notice, label: string): void {
  const a = n.actions.find((x) => x.label === label);
  if (!a) throw new Error(`no button ${label} on “${n.text}”`);
  a.run();
}

async function withDraft(): Promise<MemoryStorage> {
  const st = new MemoryStorage();
  saveSlot(st, { kind: 'own' }, mine, 1);
  await load(st);
  expect(store.get().doc.source).toBe(mine.source);
  return st;
}

describe('what opens never replaces the draft', () => {
  it('a lesson: the draft stays saved, the notice says so and Restore brings it back', async () => {
    const st = await withDraft();
    type('# my own work, edited\nexit\n');
    openLesson('first-steps');
    expect(store.get().doc.source).toBe(hello);
    const n = notice(/^Opened lesson “First steps: run, step, break, fix”\. Your draft is kept/);
    type(`${hello}# a note\n`);
    flushSaves();
    expect(loadDraft(st)?.doc.source).toBe('# my own work, edited\nexit\n');
    act(n, 'Restore your draft');
    expect(store.get().doc.source).toBe('# my own work, edited\nexit\n');
    expect(store.get().origin).toBe('draft');
    // The lesson's edits are kept too, under the Document menu.
    expect(store.get().saved.opened.map((e) => e.title)).toEqual(['Lesson: First steps: run, step, break, fix']);
  });

  it('an example: the same', async () => {
    const st = await withDraft();
    openExample('hello');
    const n = notice(/^Opened example “.+”\. Your draft is kept/);
    type('# changed the example\nexit\n');
    flushSaves();
    expect(loadDraft(st)?.doc).toEqual(mine);
    act(n, 'Restore your draft');
    expect(store.get().doc).toEqual(mine);
  });

  it('a share link: one keystroke saves the link’s program apart, and the draft comes back', async () => {
    const st = new MemoryStorage();
    saveSlot(st, { kind: 'own' }, mine, 1);
    const theirs = { ...DEFAULT_DOCUMENT, source: '# shared\nr0 = 2\nexit\n' };
    await load(st, await encodeShare(theirs));
    expect(store.get().doc).toEqual(theirs);
    const n = notice(/^Opened a shared program\. Your draft is kept/);
    type('# shared\nr0 = 3\nexit\n');
    flushSaves();
    expect(loadDraft(st)?.doc).toEqual(mine);
    // A reload without the link shows the edits (they were the last thing edited) …
    expect(await chooseInitialDocument('', st)).toMatchObject({ kind: 'draft', doc: { source: '# shared\nr0 = 3\nexit\n' }, entry: { origin: 'link', title: 'Shared program' } });
    // … and the draft is one click away.
    act(n, 'Restore your draft');
    expect(store.get().doc).toEqual(mine);
    expect(await chooseInitialDocument('', st)).toEqual({ kind: 'draft', doc: mine });
  });

  it('a file: the same', async () => {
    const st = await withDraft();
    await openFile(new File(['r0 = 9\nexit\n'], 'nine.bpf.s'));
    notice(/^Opened nine\.bpf\.s\. Your draft is kept/);
    type('r0 = 10\nexit\n');
    flushSaves();
    expect(loadDraft(st)?.doc).toEqual(mine);
    expect(store.get().saved.opened.map((e) => e.title)).toEqual(['File nine.bpf.s']);
  });

  it('with nothing of the user’s saved, opening an example says nothing', async () => {
    await load(new MemoryStorage());
    openExample('hello');
    expect(store.get().notices).toEqual([]);
  });

  it('a link holding exactly the saved document (a reload after Share) opens as that document', async () => {
    const st = new MemoryStorage();
    saveSlot(st, { kind: 'own' }, mine, 1);
    await load(st, await encodeShare(mine));
    expect(store.get().origin).toBe('draft');
    expect(store.get().notices).toEqual([]);
  });
});

describe('saving that fails is said, with the work offered as a file', () => {
  it('a program too large to keep: a notice that stays, gone once a save works', async () => {
    await load(new MemoryStorage());
    type('x'.repeat(MAX_SOURCE_BYTES + 10));
    flushSaves();
    const n = notice(/^Your work is not saved: source is /);
    expect(n.kind).toBe('error');
    expect(n.sticky).toBe(true);
    expect(n.actions.map((a) => a.label)).toEqual(['Download .bpfp.json', 'Download .bpf.s']);
    // The same failure again does not stack or re-announce.
    type('y'.repeat(MAX_SOURCE_BYTES + 10));
    flushSaves();
    expect(store.get().notices.filter((x) => x.key === SAVE_NOTICE)).toHaveLength(1);
    type('r0 = 0\nexit\n');
    flushSaves();
    expect(store.get().notices.filter((x) => x.key === SAVE_NOTICE)).toEqual([]);
  });

  it('storage that refuses writes', async () => {
    const st = new MemoryStorage();
    st.setItem = () => {
      throw Object.assign(new Error('quota'), { name: 'QuotaExceededError', code: 22 });
    };
    await load(st);
    type('r0 = 0\nexit\n');
    flushSaves();
    notice(/^Your work is not saved: the browser's storage for this site is full\. Download it to keep it\.$/);
  });
});

describe('an unreadable saved draft is set aside and the user is told', () => {
  it('not JSON: a notice with a download', async () => {
    const st = new MemoryStorage();
    st.data.set(DRAFT_KEY, '{"version":2,"own":{"doc":{"source":"my te');
    await load(st);
    const n = notice(/^Your saved draft could not be read: the saved draft is not JSON\. It was set aside, not deleted\.$/);
    expect(n.actions.map((a) => a.label)).toEqual(['Download it']);
  });

  it('readable text in a damaged draft can be opened again', async () => {
    const st = new MemoryStorage();
    st.data.set(DRAFT_KEY, JSON.stringify({ version: 2, own: { doc: { source: 'r0 = 5\nexit\n', cpus: 0 } }, opened: [], active: 'own' }));
    await load(st);
    const n = notice(/^Your saved draft could not be read: the saved draft is invalid: cpus must be 1\.\.4096, not 0\./);
    act(n, 'Open its text');
    expect(store.get().doc.source).toBe('r0 = 5\nexit\n');
    // Opened as a document of its own: editing it does not write over the stored value.
    expect(store.get().origin).toBe('file');
  });
});

describe('a start that failed does not fail again', () => {
  it('an error while opening the document: the default example opens, the document is offered back', async () => {
    const st = await withDraft();
    recoverStartup('boom');
    expect(store.get().doc.source).toBe(hello);
    expect(store.get().origin).toBe('example');
    const n = notice(/^The playground failed while opening your draft \(boom\), so it opened the default example instead\. Nothing was deleted\.$/);
    // Editing the example does not touch the draft.
    type('# edited example\n');
    flushSaves();
    expect(loadDraft(st)?.doc).toEqual(mine);
    act(n, 'Open it anyway');
    expect(store.get().doc).toEqual(mine);
  });

  it('a tab that never finished starting: the next start opens the default example and offers the rest', async () => {
    const st = new MemoryStorage();
    saveSlot(st, { kind: 'own' }, { ...mine, panel: 'trace' }, 1);
    await load(st, '', true);
    expect(store.get().doc.source).toBe(hello);
    act(notice(/^The playground did not finish starting last time/), 'Open my work anyway');
    expect(store.get().doc).toEqual({ ...mine, panel: 'trace' });
  });
});
