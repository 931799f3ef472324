// What this tab shows, kept in sessionStorage (per tab, kept across a reload, gone with the tab)
// so that a reload brings back the document that was on screen: the user's draft, a saved entry,
// or a document an example, a lesson, a link or a file opened and the user has not edited — which
// is saved nowhere else, and must not be (it would push the user's edited documents out of the
// five kept in `bpfp.draft`, and another tab's reload would show it instead of its own).

import { isPlainObject, validateDocument, type PlaygroundDocument } from './document.ts';
import type { OpenedOrigin } from './drafts.ts';
import { safeGet, safeSet, type SaveResult, type Storage } from './storage.ts';

export const SCREEN_KEY = 'bpfp.screen';
export const SCREEN_VERSION = 1;

/** The open lesson and its step (a lesson runs beside any document). */
export interface LessonAt {
  readonly id: string;
  readonly step: number;
}

export type ScreenRecord = (
  | { readonly kind: 'own' }
  /** An entry of `bpfp.draft` (an opened document the user edited). */
  | { readonly kind: 'saved'; readonly id: string; readonly title: string }
  /** Opened and not edited; `doc` is undefined when the browser would not keep it (too large). */
  | { readonly kind: 'opened'; readonly origin: OpenedOrigin; readonly title: string; readonly doc: PlaygroundDocument | undefined }
) & { readonly lesson?: LessonAt };

const ORIGINS: readonly OpenedOrigin[] = ['link', 'example', 'lesson', 'file'];
const MAX_TITLE = 200;

/** The tab's record, or undefined when there is none or it cannot be read (then nothing is said: the saved documents decide). */
export function readScreen(storage: Storage): ScreenRecord | undefined {
  const raw = safeGet(storage, SCREEN_KEY);
  if (raw === null) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isPlainObject(v) || v.v !== SCREEN_VERSION) return undefined;
  const lesson = lessonOf(v.lesson);
  const extra = lesson ? { lesson } : {};
  const title = typeof v.title === 'string' && v.title.length <= MAX_TITLE ? v.title : 'A document';
  switch (v.kind) {
    case 'own':
      return { kind: 'own', ...extra };
    case 'saved':
      return typeof v.id === 'string' && v.id.length <= 64 ? { kind: 'saved', id: v.id, title, ...extra } : undefined;
    case 'opened': {
      const origin = ORIGINS.find((o) => o === v.origin);
      if (!origin) return undefined;
      if (v.doc === undefined || v.doc === null) return { kind: 'opened', origin, title, doc: undefined, ...extra };
      const doc = validateDocument(v.doc);
      return doc.ok ? { kind: 'opened', origin, title, doc: doc.doc, ...extra } : undefined;
    }
    default:
      return undefined;
  }
}

function lessonOf(x: unknown): LessonAt | undefined {
  if (!isPlainObject(x) || typeof x.id !== 'string' || x.id.length > 64) return undefined;
  const step = typeof x.step === 'number' && Number.isInteger(x.step) && x.step >= 0 && x.step < 1000 ? x.step : 0;
  return { id: x.id, step };
}

/**
 * Records what the tab shows. An opened document the browser will not keep (storage full) is
 * recorded without its text, so a reload can say it could not be kept rather than show
 * something else silently; the answer then says why.
 */
export function writeScreen(storage: Storage, record: ScreenRecord): SaveResult {
  const r = safeSet(storage, SCREEN_KEY, JSON.stringify({ v: SCREEN_VERSION, ...record }));
  if (r.ok || record.kind !== 'opened' || record.doc === undefined) return r.ok ? { ok: true } : { ok: false, error: r.error };
  const bare = safeSet(storage, SCREEN_KEY, JSON.stringify({ v: SCREEN_VERSION, ...record, doc: null }));
  return { ok: false, error: bare.ok ? `${r.error}; a reload cannot bring it back` : bare.error };
}
