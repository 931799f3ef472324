// The saved documents (`bpfp.draft`, versioned): the user's own draft, kept apart from the
// documents a link, an example, a lesson or a file opened — those are saved under their own
// entries once edited, a few at most, newest first — and which of them the editor showed last.
// Opening something never writes over the user's draft; it stays until the user edits it.
// An unreadable value is copied to `bpfp.draft.corrupt` before anything can overwrite it.

import { describeValue, isPlainObject, validateDocument, type PlaygroundDocument } from './document.ts';
import { migrate, safeGet, safeSet, type Migrations, type SaveResult, type Storage } from './storage.ts';

export const DRAFT_KEY = 'bpfp.draft';
/** Where an unreadable draft is copied before anything can overwrite it. */
export const DRAFT_CORRUPT_KEY = 'bpfp.draft.corrupt';

export const DRAFT_VERSION = 2;
/** Edited documents from links, examples, lessons and files kept besides the user's draft. */
export const MAX_OPENED = 5;

export type OpenedOrigin = 'link' | 'example' | 'lesson' | 'file';

export interface SavedDoc {
  readonly doc: PlaygroundDocument;
  readonly savedAt: number;
}

export interface OpenedEntry extends SavedDoc {
  readonly id: string;
  readonly origin: OpenedOrigin;
  /** What the Document menu calls it ("Shared program", "Example: Hello"). */
  readonly title: string;
}

export interface Workspace {
  readonly own: SavedDoc | undefined;
  /** Newest first, at most MAX_OPENED. */
  readonly opened: readonly OpenedEntry[];
  /** What the editor showed last: 'own' or an entry's id. A reload without a link opens it. */
  readonly active: string;
}

export const OWN = 'own';
export const EMPTY_WORKSPACE: Workspace = Object.freeze({ own: undefined, opened: Object.freeze([]), active: OWN });

/** Where an edit is saved: the user's draft, or an entry of its own. */
export type Slot = { readonly kind: 'own' } | { readonly kind: 'opened'; readonly id: string; readonly origin: OpenedOrigin; readonly title: string };

/**
 * The draft's migrations: `[n]` turns version n into n+1. Values without a `version` field
 * count as version 0, which no playground wrote; they are kept aside as unreadable.
 */
export const DRAFT_MIGRATIONS: Migrations = {
  // v1 held one document: whatever was edited last, the user's own or a link's. Nothing says
  // which, so it becomes the user's draft — the safe side, as nothing else can overwrite it.
  1: (v1) => {
    const o = isPlainObject(v1) ? v1 : {};
    return { version: 2, own: { doc: o.doc, savedAt: o.savedAt }, opened: [], active: OWN };
  },
};

export type WorkspaceRead =
  | { kind: 'none' }
  /** `dropped`: entries that were unreadable and left out (the raw value was copied aside). */
  | { kind: 'ok'; workspace: Workspace; dropped: readonly string[] }
  /** Unreadable; the raw text was copied to DRAFT_CORRUPT_KEY (`rescued`) unless storage refused. */
  | { kind: 'corrupt'; error: string; rescued: boolean };

/** Reads the saved documents, migrating older formats; an unreadable value is copied aside first. */
export function readWorkspace(storage: Storage, migrations: Migrations = DRAFT_MIGRATIONS): WorkspaceRead {
  const raw = safeGet(storage, DRAFT_KEY);
  if (raw === null) return { kind: 'none' };
  const parsed = parseWorkspace(raw, migrations);
  if (parsed.ok && parsed.dropped.length === 0) return { kind: 'ok', workspace: parsed.workspace, dropped: [] };
  const rescued = rescue(storage, raw);
  if (parsed.ok) return { kind: 'ok', workspace: parsed.workspace, dropped: parsed.dropped };
  return { kind: 'corrupt', error: parsed.error, rescued };
}

function rescue(storage: Storage, raw: string): boolean {
  return safeGet(storage, DRAFT_CORRUPT_KEY) === raw || safeSet(storage, DRAFT_CORRUPT_KEY, raw).ok;
}

type Parsed = { ok: true; workspace: Workspace; dropped: string[] } | { ok: false; error: string };

function parseWorkspace(raw: string, migrations: Migrations): Parsed {
  let stored: unknown;
  try {
    stored = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'the saved draft is not JSON' };
  }
  if (!isPlainObject(stored)) return { ok: false, error: `the saved draft is ${describeValue(stored)}, not an object` };
  const version = stored.version === undefined ? 0 : stored.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) return { ok: false, error: `the saved draft has no valid version (${describeValue(version)})` };
  // A newer playground wrote it (an old tab is still open): leave it for that version to read.
  if (version > DRAFT_VERSION) return { ok: false, error: `the saved draft was written by a newer playground (version ${version})` };
  const migrated = migrate(stored, version, DRAFT_VERSION, migrations);
  if (!migrated.ok) return { ok: false, error: `the saved draft is in an old format: ${migrated.error}` };
  const current = migrated.value;
  if (!isPlainObject(current)) return { ok: false, error: 'the saved draft is not an object after migration' };

  let own: SavedDoc | undefined;
  if (current.own !== undefined && current.own !== null) {
    const o = isPlainObject(current.own) ? current.own : {};
    const doc = validateDocument(o.doc);
    if (!doc.ok) return { ok: false, error: `the saved draft is invalid: ${doc.error}` };
    own = { doc: doc.doc, savedAt: savedAtOf(o.savedAt) };
  }
  const dropped: string[] = [];
  const opened: OpenedEntry[] = [];
  const list = Array.isArray(current.opened) ? current.opened : [];
  if (current.opened !== undefined && !Array.isArray(current.opened)) dropped.push(`the list of opened documents is ${describeValue(current.opened)}`);
  const ids = new Set<string>();
  for (const [i, e] of list.entries()) {
    const entry = entryOf(e);
    if (typeof entry === 'string') dropped.push(`opened document ${i + 1}: ${entry}`);
    else if (ids.has(entry.id)) dropped.push(`opened document ${i + 1}: its id repeats an earlier one`);
    else if (opened.length < MAX_OPENED) {
      ids.add(entry.id);
      opened.push(entry);
    }
  }
  const active = typeof current.active === 'string' && (current.active === OWN || ids.has(current.active)) ? current.active : OWN;
  return { ok: true, workspace: { own, opened, active }, dropped };
}

const ID = /^[a-z0-9-]{1,64}$/;
const ORIGINS: readonly OpenedOrigin[] = ['link', 'example', 'lesson', 'file'];

function entryOf(e: unknown): OpenedEntry | string {
  if (!isPlainObject(e)) return `it is ${describeValue(e)}, not an object`;
  if (typeof e.id !== 'string' || !ID.test(e.id)) return `its id is ${describeValue(e.id)}`;
  const origin = ORIGINS.find((o) => o === e.origin);
  if (!origin) return `its origin is ${describeValue(e.origin)}`;
  const title = typeof e.title === 'string' && e.title.length <= 200 ? e.title : 'A document';
  const doc = validateDocument(e.doc);
  if (!doc.ok) return doc.error;
  return { id: e.id, origin, title, doc: doc.doc, savedAt: savedAtOf(e.savedAt) };
}

function savedAtOf(x: unknown): number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : 0;
}

function serialise(ws: Workspace): string {
  return JSON.stringify({
    version: DRAFT_VERSION,
    own: ws.own ? { doc: ws.own.doc, savedAt: ws.own.savedAt } : null,
    opened: ws.opened.map((e) => ({ id: e.id, origin: e.origin, title: e.title, doc: e.doc, savedAt: e.savedAt })),
    active: ws.active,
  });
}

/** `error` is the reason alone ("the browser's storage for this site is full"): callers say what was not saved. */
export type SlotSaveResult = { ok: true; workspace: Workspace; evicted: readonly string[] } | { ok: false; error: string };

/**
 * Saves `doc` under `slot` and marks it the one shown; `now` is injectable for tests. Reads the
 * stored value first and changes only that slot, so another tab's documents are not written
 * over with this tab's older copies. When storage is full, the oldest other opened documents
 * give way (their titles come back in `evicted`); the user's draft never does. Never throws.
 */
export function saveSlot(storage: Storage, slot: Slot, doc: PlaygroundDocument, now: number = Date.now()): SlotSaveResult {
  const checked = validateDocument(doc);
  if (!checked.ok) return { ok: false, error: checked.error };
  const read = readWorkspace(storage);
  if (read.kind === 'corrupt' && !read.rescued) return { ok: false, error: `the saved draft could not be read (${read.error}) and the browser would not keep a copy aside, so it was left as it is` };
  const base = read.kind === 'ok' ? read.workspace : EMPTY_WORKSPACE;
  const saved = { doc: checked.doc, savedAt: now };
  let ws: Workspace =
    slot.kind === 'own'
      ? { ...base, own: saved, active: OWN }
      : { ...base, opened: [{ id: slot.id, origin: slot.origin, title: slot.title, ...saved }, ...base.opened.filter((e) => e.id !== slot.id)].slice(0, MAX_OPENED), active: slot.id };
  const evicted: string[] = [];
  for (;;) {
    const r = safeSet(storage, DRAFT_KEY, serialise(ws));
    if (r.ok) return { ok: true, workspace: ws, evicted };
    const oldest = r.quota ? [...ws.opened].reverse().find((e) => e.id !== ws.active) : undefined;
    if (!oldest) return { ok: false, error: r.error };
    evicted.push(oldest.title);
    ws = { ...ws, opened: ws.opened.filter((e) => e !== oldest) };
  }
}

/** Records which document the editor shows (a reload without a link opens it); nothing else changes. */
export function setActive(storage: Storage, active: string): SaveResult {
  const read = readWorkspace(storage);
  if (read.kind !== 'ok' || read.workspace.active === active) return { ok: true };
  const ws = read.workspace;
  if (active !== OWN && !ws.opened.some((e) => e.id === active)) return { ok: true };
  const r = safeSet(storage, DRAFT_KEY, serialise({ ...ws, active }));
  return r.ok ? { ok: true } : { ok: false, error: r.error };
}

export type DraftRead =
  | { kind: 'none' }
  | { kind: 'ok'; doc: PlaygroundDocument; savedAt: number }
  | { kind: 'corrupt'; error: string; rescued: boolean };

/** The user's own draft (not the documents links and examples opened). */
export function readDraft(storage: Storage, migrations: Migrations = DRAFT_MIGRATIONS): DraftRead {
  const r = readWorkspace(storage, migrations);
  if (r.kind === 'corrupt') return r;
  const own = r.kind === 'ok' ? r.workspace.own : undefined;
  return own ? { kind: 'ok', doc: own.doc, savedAt: own.savedAt } : { kind: 'none' };
}

export function loadDraft(storage: Storage, migrations: Migrations = DRAFT_MIGRATIONS): SavedDoc | undefined {
  const r = readDraft(storage, migrations);
  return r.kind === 'ok' ? { doc: r.doc, savedAt: r.savedAt } : undefined;
}

/** Writes the user's own draft. */
export function saveDraft(storage: Storage, doc: PlaygroundDocument, now: number = Date.now()): SaveResult {
  const r = saveSlot(storage, { kind: 'own' }, doc, now);
  return r.ok ? { ok: true } : { ok: false, error: `The draft was not saved: ${r.error}.` };
}

/**
 * The program text inside an unreadable stored value, when one can be found: a damaged draft
 * often still holds the user's text intact (a newer version's format, a field out of range).
 */
export function salvageSource(raw: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const o = isPlainObject(v) ? v : {};
  const candidates = [o.doc, isPlainObject(o.own) ? o.own.doc : undefined, ...(Array.isArray(o.opened) ? o.opened.map((e) => (isPlainObject(e) ? e.doc : undefined)) : [])];
  for (const c of candidates) if (isPlainObject(c) && typeof c.source === 'string' && c.source.trim() !== '') return c.source;
  return undefined;
}

export interface DraftSaver {
  /** Remembers `doc` for `slot` (the user's draft by default) and saves it once no other call came for `delayMs`. */
  schedule(doc: PlaygroundDocument, slot?: Slot): void;
  /** Saves pending documents now (on pagehide, when the tab is hidden, before another document opens). */
  flush(): void;
  /** Drops pending documents unsaved. */
  cancel(): void;
}

/**
 * Debounced autosave: typing saves once per pause, not per keystroke (each save serialises
 * the documents). `onResult` hears every save, so the app can say when storage is full.
 */
export function createDraftSaver(storage: Storage, delayMs = 300, onResult?: (r: SlotSaveResult, slot: Slot) => void): DraftSaver {
  const pending = new Map<string, { slot: Slot; doc: PlaygroundDocument }>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stopTimer = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  const flush = (): void => {
    stopTimer();
    const all = [...pending.values()];
    pending.clear();
    for (const { slot, doc } of all) {
      const r = saveSlot(storage, slot, doc);
      onResult?.(r, slot);
    }
  };
  return {
    schedule(doc, slot = { kind: 'own' }) {
      pending.delete(slotKey(slot));
      pending.set(slotKey(slot), { slot, doc });
      stopTimer();
      timer = setTimeout(flush, delayMs);
    },
    flush,
    cancel() {
      stopTimer();
      pending.clear();
    },
  };
}

export function slotKey(slot: Slot): string {
  return slot.kind === 'own' ? OWN : slot.id;
}
