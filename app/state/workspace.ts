// The app's side of the saved documents (state/drafts.ts): which entry an edit is saved under,
// the autosave and what it says when saving fails, switching between the user's draft and the
// documents links, examples, lessons and files opened, and the notices that say exactly what
// happened to the draft when something else opens.

import { documentFileName, downloadBlob, shareDocumentFile, sourceFileName } from '../share/files.ts';
import type { PlaygroundDocument } from './document.ts';
import { createDraftSaver, EMPTY_WORKSPACE, OWN, setActive, type DraftSaver, type Slot, type SlotSaveResult, type Workspace, type WorkspaceRead } from './drafts.ts';
import type { Storage } from './storage.ts';
import { isLessonDocument, isOwn, store, useStore, type NoticeAction, type PlaygroundState, type SavedIndex } from './store.ts';
import { lessonLink } from '../lessons/catalog.ts';

let storage: Storage | undefined;
let saver: DraftSaver | undefined;
let workspace: Workspace = EMPTY_WORKSPACE;
let ids = 0;

/** The notice key of "your work is not saved": one such notice at a time, gone once a save works. */
export const SAVE_NOTICE = 'save';

/** Starts autosave on `st` with what start-up read from it; `delayMs` is the pause in typing before a save. */
export function startWorkspace(st: Storage, read: WorkspaceRead, delayMs = 300): void {
  storage = st;
  workspace = read.kind === 'ok' ? read.workspace : EMPTY_WORKSPACE;
  saver?.cancel();
  saver = createDraftSaver(st, delayMs, saved);
  publish();
}

/** The saved documents as start-up read them or the last save left them. */
export function savedWorkspace(): Workspace {
  return workspace;
}

function publish(): void {
  const index: SavedIndex = { own: workspace.own?.savedAt, opened: workspace.opened.map((e) => ({ id: e.id, origin: e.origin, title: e.title, savedAt: e.savedAt })) };
  store.set({ saved: index });
}

function saved(r: SlotSaveResult): void {
  if (r.ok) {
    workspace = r.workspace;
    publish();
    store.dismissKey(SAVE_NOTICE);
    if (r.evicted.length) store.notify('info', `The browser's storage was full, so older documents gave way: ${r.evicted.join(', ')}.`);
    return;
  }
  const doc = store.get().doc;
  const text = `Your work is not saved: ${r.error}. Download it to keep it.`;
  // The same failure on every pause in typing: keep the notice that is there (no re-announcement).
  if (store.get().notices.some((n) => n.key === SAVE_NOTICE && n.text === text)) return;
  store.notify('error', text, { key: SAVE_NOTICE, sticky: true, actions: downloads(doc) });
}

/** Buttons that save `doc` as files (the notice stays: a download does not make autosave work). */
export function downloads(doc: PlaygroundDocument): NoticeAction[] {
  return [
    { label: 'Download .bpfp.json', keepOpen: true, run: () => void downloadBlob(documentFileName(doc), shareDocumentFile(doc), 'application/json') },
    { label: 'Download .bpf.s', keepOpen: true, run: () => void downloadBlob(sourceFileName(doc), new TextEncoder().encode(doc.source), 'text/plain') },
  ];
}

/** Where an edit of the document in `s` is saved; an opened document gets its entry at the first edit. */
function slotOf(s: PlaygroundState): Slot {
  const origin = s.origin;
  if (isOwn(origin)) return { kind: 'own' };
  let id = s.slot;
  if (id === undefined) {
    id = `${origin}-${Date.now().toString(36)}-${(++ids).toString(36)}`;
    store.set({ slot: id });
  }
  return { kind: 'opened', id, origin, title: s.docTitle };
}

/** Called for every edit: saves the document once typing pauses, under its own slot. */
export function autosave(s: PlaygroundState): void {
  saver?.schedule(s.doc, slotOf(s));
}

/**
 * Autosave: a document is saved once the user edits it — the user's draft as the draft,
 * anything opened under its own entry — and the address bar shows a link only until the
 * first edit (a reload then opens the saved edits, not the older link). Returns the unsubscribe.
 */
export function watchEdits(): () => void {
  return useStore.subscribe((s, prev) => {
    if (s.doc === prev.doc || !s.editedSinceOpen) return;
    // A graded lesson's code is saved with the lesson (app/lessons/graded.ts), never as a document.
    if (isLessonDocument(s)) return;
    autosave(s);
    // A lesson link (`#lesson`: the index beside the draft) stays: it names no program.
    if (!sameExceptPanel(s.doc, prev.doc) && !(typeof window !== 'undefined' && lessonLink(window.location.hash))) stripLinkFromAddress();
  });
}

/** Switching panels changes the document but not what it runs; it keeps a link in the address bar. */
function sameExceptPanel(a: PlaygroundDocument, b: PlaygroundDocument): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  keys.delete('panel');
  for (const k of keys) if (a[k as keyof PlaygroundDocument] !== b[k as keyof PlaygroundDocument]) return false;
  return true;
}

export function flushSaves(): void {
  saver?.flush();
}

/** What is about to be left when another document opens: saves pending edits first. */
export interface Leaving {
  /** The user's draft is saved (and so can be restored). */
  readonly ownSaved: boolean;
  /** The title of an opened document whose edits are saved under Document. */
  readonly editedOther: string | undefined;
}

export function leaving(): Leaving {
  flushSaves();
  const s = store.get();
  return { ownSaved: workspace.own !== undefined, editedOther: !isOwn(s.origin) && s.slot !== undefined ? s.docTitle : undefined };
}

/**
 * Says what happened on opening something: `opened` is what opened ("Opened example “Hello”.");
 * the rest says where the user's work is and how to get it back. Nothing to say when nothing
 * of the user's was showing or saved.
 */
export function tellOpened(opened: string, left: Leaving): void {
  const parts = [opened];
  if (left.ownSaved) parts.push('Your draft is kept: “Restore your draft” brings it back, and so does Document in the toolbar.');
  if (left.editedOther) parts.push(`Your edits to ${left.editedOther} are saved under Document.`);
  if (parts.length === 1) return;
  store.notify('info', parts.join(' '), { key: 'opened', ...(left.ownSaved ? { actions: [{ label: 'Restore your draft', run: restoreOwnDraft }] } : {}) });
}

/** The address bar shows a link only while the editor holds exactly what it opened. */
export function stripLinkFromAddress(): void {
  if (typeof window === 'undefined' || !window.location.hash) return;
  history.replaceState(history.state, '', window.location.pathname + window.location.search);
}

/** Back to the user's own draft (the notice's "Restore your draft", the Document menu). */
export function restoreOwnDraft(): void {
  flushSaves();
  const own = workspace.own;
  if (!own) {
    store.notify('warning', 'There is no saved draft to restore.');
    return;
  }
  store.openDocument(own.doc, 'draft');
  remember(OWN);
  stripLinkFromAddress();
}

/** Reopens a document saved under Document. */
export function openSavedDocument(id: string): void {
  flushSaves();
  const entry = workspace.opened.find((e) => e.id === id);
  if (!entry) {
    store.notify('warning', 'That document is no longer saved (another tab may have replaced it).');
    return;
  }
  store.openDocument(entry.doc, entry.origin, { title: entry.title, slot: entry.id });
  remember(entry.id);
  stripLinkFromAddress();
}

/** A reload without a link opens what the user chose to look at last. */
function remember(active: string): void {
  if (!storage) return;
  const r = setActive(storage, active);
  if (r.ok) workspace = { ...workspace, active };
}
