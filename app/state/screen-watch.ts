// Keeps the tab's screen record (screen.ts) up to date from the store; apart from screen.ts so
// that the record's reader stays free of the store (the fuzz harness reads records in Node).

import { writeScreen, type ScreenRecord } from './screen.ts';
import type { Storage } from './storage.ts';
import { isLessonDocument, isOwn, useStore, type PlaygroundState } from './store.ts';

/** What `s` shows, as a record (the text only for an opened document not yet edited: nothing else keeps it). */
export function screenOf(s: Pick<PlaygroundState, 'origin' | 'slot' | 'docTitle' | 'doc' | 'lesson'>): ScreenRecord {
  const lesson = s.lesson ? { lesson: { id: s.lesson.id, step: s.lesson.step } } : {};
  if (isOwn(s.origin)) return { kind: 'own', ...lesson };
  if (s.slot !== undefined) return { kind: 'saved', id: s.slot, title: s.docTitle, ...lesson };
  return { kind: 'opened', origin: s.origin, title: s.docTitle, doc: s.doc, ...lesson };
}

/**
 * Keeps the tab's record up to date: written now and whenever another document opens, an
 * opened one gets its saved entry, the lesson moves, or an unedited opened document changes
 * panel. Edits of saved documents write nothing here (autosave keeps their text). A failure is
 * said once (`onFailure`), not on every change. Returns the unsubscribe.
 */
export function watchScreen(storage: Storage, onFailure: (error: string) => void, defer = false): () => void {
  let failed = false;
  let pending: ReturnType<typeof setTimeout> | undefined;
  const writeNow = () => {
    pending = undefined;
    const r = writeScreen(storage, screenOf(useStore.getState()));
    if (!r.ok && !failed) onFailure(r.error);
    failed = !r.ok;
  };
  // Deferred (the page's choice), the record is written a task later, with the state of then:
  // an opened document of a megabyte is a megabyte to serialise and store, which should not
  // lengthen the task that opened and rendered it. A reload in between finds the link in the
  // address anyway.
  const write = () => {
    if (!defer) return writeNow();
    pending ??= setTimeout(writeNow, 0);
  };
  write();
  const stop = useStore.subscribe((s, prev) => {
    // A graded lesson's edits are saved with the lesson; its link brings it back on a reload.
    const opened = !isOwn(s.origin) && s.slot === undefined && !isLessonDocument(s);
    if (s.origin !== prev.origin || s.slot !== prev.slot || s.docTitle !== prev.docTitle || s.lesson !== prev.lesson || s.docVersion !== prev.docVersion || (opened && s.doc !== prev.doc)) write();
  });
  return () => {
    stop();
    if (pending !== undefined) clearTimeout(pending);
  };
}
