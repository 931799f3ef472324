// Opening the first document and what start-up says: a link, an example link, the document
// shown last or the default example; an unreadable saved draft; a start that failed before.
// Kept apart from main.tsx (which wires the page) so these paths are tested in Node.

import { errorText } from './components/ErrorBoundary.tsx';
import { DEFAULT_EXAMPLE_ID, exampleById, exampleDocument } from './examples.ts';
import { DEFAULT_DOCUMENT, documentsEqual, type PlaygroundDocument } from './state/document.ts';
import { DRAFT_CORRUPT_KEY, DRAFT_KEY, salvageSource, type WorkspaceRead } from './state/drafts.ts';
import { chooseInitialDocument, type Initial, type Shown } from './state/persistence.ts';
import type { ScreenRecord } from './state/screen.ts';
import { lessonById as tourById } from './lessons/lessons.ts';
import { decodeShare } from './share/codec.ts';
import { downloadBlob } from './share/files.ts';
import { safeGet, type Storage } from './state/storage.ts';
import { store, type DocOrigin } from './state/store.ts';
import { downloads, leaving, tellOpened } from './state/workspace.ts';
import { lessonLink } from './lessons/catalog.ts';
import { ensureCatalog, lessonById, openGradedLesson, openLessonLink } from './lessons/graded.ts';

export function defaultExample(): { doc: PlaygroundDocument; title: string } {
  const e = exampleById(DEFAULT_EXAMPLE_ID);
  return { doc: { ...DEFAULT_DOCUMENT, source: e?.source ?? '', input: e?.input ?? '' }, title: `Example: ${e?.title ?? DEFAULT_EXAMPLE_ID}` };
}

const SHARED = 'Shared program';

/** Opens a link's document; says where the user's draft is. */
function openShared(doc: PlaygroundDocument, announce: boolean): void {
  const left = leaving();
  store.openDocument(doc, 'link', { title: SHARED });
  if (announce) tellOpened('Opened a shared program.', left);
}

function openExampleLink(id: string, fallback: PlaygroundDocument): void {
  const e = exampleById(id);
  const left = leaving();
  store.openDocument(e ? exampleDocument(e, fallback) : fallback, 'example', { title: `Example: ${e?.title ?? DEFAULT_EXAMPLE_ID}` });
  if (!e) store.notify('error', `This link asks for an example '${id}' that does not exist; showing the default one.`);
  else tellOpened(`Opened example “${e.title}”.`, left);
}

/**
 * A link made in a graded lesson: the lesson opens with the link's code (the learner's own code
 * for it kept until they edit this). A lesson this playground does not have: the code opens as a
 * shared program, and the user is told.
 */
async function openSharedAttempt(id: string, doc: PlaygroundDocument): Promise<void> {
  const catalog = await ensureCatalog();
  if (lessonById(catalog, id)) {
    await openGradedLesson(id, { source: doc.source });
    return;
  }
  openShared(doc, true);
  store.notify('warning', `This link is an attempt at the lesson '${id}', which this playground does not have; it opened as a program.`);
}

/** A link pasted into the address bar of an open playground opens like a fresh load (the draft untouched). */
export async function openLinkFromHash(hash: string): Promise<void> {
  if (openLessonLink(hash)) return;
  const r = await decodeShare(hash);
  if (r.ok === 'none') return;
  // Reading the link and opening it (its render included) in two tasks: for a 64 KB link they
  // were one task of over 200 ms at 2.1 GHz (e2e/specs/longest-task.spec.ts).
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (r.ok === 'example') return openExampleLink(r.id, store.get().doc);
  if (!r.ok) {
    store.notify('error', `${r.error} Your draft was not touched.`);
    return;
  }
  if (r.lesson) return openSharedAttempt(r.lesson, r.doc);
  openShared(r.doc, true);
}

/** Opens a document that is not a link: the user's draft, a saved entry or an opened one not edited. */
function openShown(shown: Shown): void {
  if (shown.entry) store.openDocument(shown.doc, shown.entry.origin, { title: shown.entry.title, slot: shown.entry.id });
  else if (shown.opened) store.openDocument(shown.doc, shown.opened.origin, { title: shown.opened.title });
  else store.openDocument(shown.doc, 'draft');
}

export function openInitial(initial: Initial): void {
  const { doc: fallback } = defaultExample();
  switch (initial.kind) {
    case 'link':
      // An attempt at a lesson: its code shows at once; the lesson opens around it once the index is in.
      if (initial.lesson) {
        openShared(initial.doc, false);
        void openSharedAttempt(initial.lesson, initial.doc);
      } else openShared(initial.doc, true);
      break;
    case 'example':
      openExampleLink(initial.id, fallback);
      break;
    case 'draft':
      openShown(initial);
      if (initial.note) store.notify('warning', initial.note, { sticky: true });
      break;
    case 'default':
      store.openDocument(fallback, 'default');
      if (initial.note) store.notify('warning', initial.note, { sticky: true });
      break;
    case 'broken-link':
      if (initial.doc) openShown({ ...initial, doc: initial.doc });
      else store.openDocument(fallback, 'default');
      store.notify('error', `${initial.error} Your draft was not touched.`);
      break;
  }
}

/** The link holds what was saved last (a reload after Share): open that, not a "shared program". */
export function sameAsSaved(initial: Initial, saved: Initial): Initial {
  if (initial.kind !== 'link' || saved.kind !== 'draft' || !documentsEqual(initial.doc, saved.doc)) return initial;
  return saved;
}

function describeOrigin(origin: DocOrigin, title: string): string {
  return origin === 'draft' || origin === 'default' ? 'your draft' : origin === 'link' ? 'a shared program' : title;
}

/**
 * Opening or first rendering the start-up document threw: show the default example instead,
 * keep the document that failed (never saved over: the example opens as an example) and offer
 * it back — as a file, or opened again.
 */
export function recoverStartup(reason: string): void {
  const s = store.get();
  const failed = { doc: s.doc, origin: s.origin, title: s.docTitle, slot: s.slot };
  const fallback = defaultExample();
  store.openDocument(fallback.doc, 'example', { title: fallback.title });
  store.notify('error', `The playground failed while opening ${describeOrigin(failed.origin, failed.title)} (${reason}), so it opened the default example instead. Nothing was deleted.`, {
    sticky: true,
    actions: [...downloads(failed.doc).slice(0, 1), { label: 'Open it anyway', run: () => store.openDocument(failed.doc, failed.origin, { title: failed.title, ...(failed.slot ? { slot: failed.slot } : {}) }) }],
  });
}

/** An unreadable saved draft was set aside: say so, and offer it back. */
export function tellUnreadable(read: WorkspaceRead, st: Storage): void {
  if (read.kind === 'ok' && read.dropped.length === 0) return;
  if (read.kind === 'none') return;
  const raw = safeGet(st, DRAFT_CORRUPT_KEY) ?? '';
  const text = salvageSource(raw);
  const download = { label: 'Download it', keepOpen: true, run: () => void downloadBlob('bpfp-saved-draft.json', raw, 'application/json') };
  const restore = text === undefined ? [] : [{ label: 'Open its text', run: () => openRescued(text) }];
  if (read.kind === 'ok') {
    store.notify('warning', `Some saved documents could not be read (${read.dropped[0] ?? ''}); they were set aside, not deleted.`, { sticky: true, actions: [download, ...restore] });
  } else if (read.rescued) {
    store.notify('error', `Your saved draft could not be read: ${read.error}. It was set aside, not deleted.`, { sticky: true, actions: [download, ...restore] });
  } else {
    store.notify('error', `Your saved draft could not be read: ${read.error}. The browser would not keep a copy, so it is left as it is; download it before editing.`, { sticky: true, actions: [{ ...download, run: () => void downloadBlob('bpfp-saved-draft.json', safeGet(st, DRAFT_KEY) ?? '', 'application/json') }, ...restore] });
  }
}

function openRescued(source: string): void {
  const left = leaving();
  store.openDocument({ ...DEFAULT_DOCUMENT, source }, 'file', { title: 'Rescued draft' });
  tellOpened('Opened the text of the draft that could not be read.', left);
}

/**
 * Opens the start-up document for `hash`. `failedLastTime`: the last start in this tab never
 * reached the screen (the page froze, went blank or crashed) — whatever it was opening may be
 * why, so the default example opens and a notice offers the rest. `screen`: on a reload, what
 * the tab showed before it (state/screen.ts), which then opens again, lesson and all.
 */
export async function openStartDocument(hash: string, st: Storage, read: WorkspaceRead, failedLastTime: boolean, screen?: ScreenRecord): Promise<void> {
  try {
    // `#lesson` and `#lesson/<id>` name no program: what would open without them opens, then the
    // lesson (or the index) beside it — quietly on a reload, which only brings it back.
    const lesson = lessonLink(hash) ? hash : undefined;
    const saved = await chooseInitialDocument('', st, read, screen);
    const initial = sameAsSaved(await chooseInitialDocument(lesson ? '' : hash, st, read, screen), saved);
    if (failedLastTime) {
      const fallback = defaultExample();
      store.openDocument(fallback.doc, 'example', { title: fallback.title });
      store.notify('error', 'The playground did not finish starting last time (the page froze, went blank or crashed), so it opened the default example instead of your work. Nothing was deleted.', {
        sticky: true,
        actions: [{ label: 'Open my work anyway', run: () => openInitial(initial) }],
      });
    } else {
      openInitial(initial);
      // The lesson open beside the document before the reload (not when a link opened something else).
      const tour = screen?.lesson && (initial.kind === 'draft' || initial.kind === 'default') ? tourById(screen.lesson.id) : undefined;
      if (screen?.lesson && tour) store.set({ lesson: { id: tour.id, step: Math.min(screen.lesson.step, tour.steps.length - 1) } });
      if (lesson) openLessonLink(lesson, screen !== undefined);
    }
  } catch (e) {
    recoverStartup(errorText(e));
  }
  tellUnreadable(read, st);
}
