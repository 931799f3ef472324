// What survives a reload: the draft (the document being edited) and the user's settings, in
// localStorage under versioned keys that migrate forward; and the start-up choice between a
// link, the draft and the default example. Storage fails in real browsers (quota, private
// modes, another tab writing garbage), so every read and write here answers with a value.

import { decodeShare } from '../share/codec.ts';
import { describeValue, isPlainObject, validateDocument, type PlaygroundDocument } from './document.ts';

/** The part of the Web Storage API used here; tests pass a Map-backed one. */
export interface Storage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const DRAFT_KEY = 'bpfp.draft';
/** Where an unreadable draft is copied before anything can overwrite it. */
export const DRAFT_CORRUPT_KEY = 'bpfp.draft.corrupt';
export const SETTINGS_KEY = 'bpfp.settings';

export const DRAFT_VERSION = 1;
export const SETTINGS_VERSION = 1;

export type Theme = 'system' | 'light' | 'dark';
export interface Settings {
  version: 1;
  /** 'system' follows prefers-color-scheme. */
  theme: Theme;
  /** Editor width in percent of the window, 20..80. */
  split: number;
  /** Ctrl/Cmd+S copies the share link (off: the browser's own Save). */
  shareShortcut: boolean;
  /** Instruction budget of one run (the runaway-loop stop). */
  budget: number;
}
export const BUDGETS: readonly number[] = [1_000_000, 10_000_000, 100_000_000, 1_000_000_000];
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({ version: 1, theme: 'system', split: 50, shareShortcut: true, budget: 10_000_000 });
export const SPLIT_MIN = 20;
export const SPLIT_MAX = 80;

export type SaveResult = { ok: true } | { ok: false; error: string };

/** Upgrades a stored value by one version: `migrations[n]` turns a version-n value into version n+1. */
export type Migration = (old: unknown) => unknown;
export type Migrations = Readonly<Record<number, Migration>>;

/**
 * The draft's migrations. None yet: v1 is the first stored format. When the draft's shape
 * changes, bump DRAFT_VERSION and add `[1]: (v1) => v2` here; old drafts then load through
 * every step in turn. Values without a `version` field count as version 0.
 */
export const DRAFT_MIGRATIONS: Migrations = {};
export const SETTINGS_MIGRATIONS: Migrations = {};

/** Runs the migrations from `from` up to `to`; a missing step or a throwing one is a failure. */
export function migrate(value: unknown, from: number, to: number, migrations: Migrations): { ok: true; value: unknown } | { ok: false; error: string } {
  let v = value;
  for (let n = from; n < to; n++) {
    const step = migrations[n];
    if (!step) return { ok: false, error: `there is no migration from version ${n}` };
    try {
      v = step(v);
    } catch (e) {
      return { ok: false, error: `migrating from version ${n} failed (${e instanceof Error ? e.message : String(e)})` };
    }
  }
  return { ok: true, value: v };
}

export type DraftRead =
  | { kind: 'none' }
  | { kind: 'ok'; doc: PlaygroundDocument; savedAt: number }
  /** Unreadable; the raw text was copied to DRAFT_CORRUPT_KEY (`rescued`) unless storage refused. */
  | { kind: 'corrupt'; error: string; rescued: boolean };

/**
 * Reads the draft, migrating older formats. An unreadable draft is copied to
 * `bpfp.draft.corrupt` first: the next autosave overwrites `bpfp.draft`, and the user's text
 * must not go with it. That copy is the only write reading ever makes.
 */
export function readDraft(storage: Storage, migrations: Migrations = DRAFT_MIGRATIONS): DraftRead {
  const raw = safeGet(storage, DRAFT_KEY);
  if (raw === null) return { kind: 'none' };
  const parsed = parseDraft(raw, migrations);
  if (parsed.ok) return { kind: 'ok', doc: parsed.doc, savedAt: parsed.savedAt };
  const rescued = safeGet(storage, DRAFT_CORRUPT_KEY) === raw || safeSet(storage, DRAFT_CORRUPT_KEY, raw).ok;
  return { kind: 'corrupt', error: parsed.error, rescued };
}

export function loadDraft(storage: Storage, migrations: Migrations = DRAFT_MIGRATIONS): { doc: PlaygroundDocument; savedAt: number } | undefined {
  const r = readDraft(storage, migrations);
  return r.kind === 'ok' ? { doc: r.doc, savedAt: r.savedAt } : undefined;
}

function parseDraft(raw: string, migrations: Migrations): { ok: true; doc: PlaygroundDocument; savedAt: number } | { ok: false; error: string } {
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
  const doc = validateDocument(current.doc);
  if (!doc.ok) return { ok: false, error: `the saved draft is invalid: ${doc.error}` };
  const savedAt = typeof current.savedAt === 'number' && Number.isFinite(current.savedAt) && current.savedAt >= 0 ? current.savedAt : 0;
  return { ok: true, doc: doc.doc, savedAt };
}

/** Writes the draft; `now` is injectable for tests. Never throws. */
export function saveDraft(storage: Storage, doc: PlaygroundDocument, now: number = Date.now()): SaveResult {
  const checked = validateDocument(doc);
  if (!checked.ok) return { ok: false, error: `The draft was not saved: ${checked.error}.` };
  const r = safeSet(storage, DRAFT_KEY, JSON.stringify({ version: DRAFT_VERSION, doc: checked.doc, savedAt: now }));
  return r.ok ? r : { ok: false, error: `The draft was not saved: ${r.error}.` };
}

/**
 * Reads the settings field by field: a bad field takes its default and the rest survive, as
 * settings are cheap to set again. A newer version's fields are read the same way.
 */
export function loadSettings(storage: Storage, migrations: Migrations = SETTINGS_MIGRATIONS): Settings {
  const raw = safeGet(storage, SETTINGS_KEY);
  if (raw === null) return { ...DEFAULT_SETTINGS };
  let stored: unknown;
  try {
    stored = JSON.parse(raw);
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
  if (!isPlainObject(stored)) return { ...DEFAULT_SETTINGS };
  const version = typeof stored.version === 'number' && Number.isInteger(stored.version) && stored.version >= 0 ? stored.version : 0;
  let current: unknown = stored;
  if (version < SETTINGS_VERSION) {
    const migrated = migrate(stored, version, SETTINGS_VERSION, migrations);
    if (!migrated.ok) return { ...DEFAULT_SETTINGS };
    current = migrated.value;
  }
  return normaliseSettings(current);
}

export function saveSettings(storage: Storage, s: Settings): SaveResult {
  const r = safeSet(storage, SETTINGS_KEY, JSON.stringify(normaliseSettings(s)));
  return r.ok ? r : { ok: false, error: `The settings were not saved: ${r.error}.` };
}

function normaliseSettings(x: unknown): Settings {
  const o = isPlainObject(x) ? x : {};
  const theme = o.theme === 'light' || o.theme === 'dark' || o.theme === 'system' ? o.theme : DEFAULT_SETTINGS.theme;
  const split = typeof o.split === 'number' && Number.isFinite(o.split) ? Math.min(SPLIT_MAX, Math.max(SPLIT_MIN, o.split)) : DEFAULT_SETTINGS.split;
  const shareShortcut = typeof o.shareShortcut === 'boolean' ? o.shareShortcut : DEFAULT_SETTINGS.shareShortcut;
  const budget = typeof o.budget === 'number' && BUDGETS.includes(o.budget) ? o.budget : DEFAULT_SETTINGS.budget;
  return { version: SETTINGS_VERSION, theme, split, shareShortcut, budget };
}

export interface DraftSaver {
  /** Remembers `doc` and saves it once no other call came for `delayMs`. */
  schedule(doc: PlaygroundDocument): void;
  /** Saves a pending document now (the app calls it on pagehide and when the tab is hidden). */
  flush(): void;
  /** Drops a pending document unsaved. */
  cancel(): void;
}

/**
 * Debounced autosave: typing saves once per pause, not per keystroke (each save serialises
 * the whole document). `onResult` hears every save, so the app can say when storage is full.
 */
export function createDraftSaver(storage: Storage, delayMs = 300, onResult?: (r: SaveResult) => void): DraftSaver {
  let pending: PlaygroundDocument | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stopTimer = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  const flush = (): void => {
    stopTimer();
    if (pending === undefined) return;
    const doc = pending;
    pending = undefined;
    const r = saveDraft(storage, doc);
    onResult?.(r);
  };
  return {
    schedule(doc) {
      pending = doc;
      stopTimer();
      timer = setTimeout(flush, delayMs);
    },
    flush,
    cancel() {
      stopTimer();
      pending = undefined;
    },
  };
}

export type Initial =
  | { kind: 'link'; doc: PlaygroundDocument; draftKept: boolean }
  | { kind: 'example'; id: string; draftKept: boolean }
  | { kind: 'draft'; doc: PlaygroundDocument }
  | { kind: 'default' }
  | { kind: 'broken-link'; error: string; fallback: 'draft' | 'default'; doc?: PlaygroundDocument };

/**
 * The start-up choice: a link wins over the draft, the draft over the default example.
 *
 * This never writes the draft. Opening someone's link must not replace the user's own work,
 * so the app saves (through createDraftSaver) only after the user edits; until then a reload
 * without the link brings the draft back. A broken or foreign link reports its error and falls
 * back to the draft untouched. The one possible write is the rescue copy of an unreadable draft.
 */
export async function chooseInitialDocument(hash: string, storage: Storage): Promise<Initial> {
  const link = await decodeShare(hash);
  const draft = loadDraft(storage);
  switch (link.ok) {
    case true:
      return { kind: 'link', doc: link.doc, draftKept: draft !== undefined };
    case 'example':
      return { kind: 'example', id: link.id, draftKept: draft !== undefined };
    case false:
      return draft ? { kind: 'broken-link', error: link.error, fallback: 'draft', doc: draft.doc } : { kind: 'broken-link', error: link.error, fallback: 'default' };
    case 'none':
      return draft ? { kind: 'draft', doc: draft.doc } : { kind: 'default' };
  }
}

function safeGet(storage: Storage, key: string): string | null {
  try {
    return storage.getItem(key);
  } catch {
    // Reading throws only where storage is blocked altogether; that is "nothing saved".
    return null;
  }
}

function safeSet(storage: Storage, key: string, value: string): SaveResult {
  try {
    storage.setItem(key, value);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: storageProblem(e) };
  }
}

/** Words a storage exception for users; browsers disagree on names and codes. */
function storageProblem(e: unknown): string {
  const name = typeof e === 'object' && e !== null && 'name' in e && typeof e.name === 'string' ? e.name : '';
  const code = typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;
  // 22: QUOTA_EXCEEDED_ERR (Chromium, Safari); 1014 and its name: Firefox.
  if (name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22 || code === 1014) {
    return "the browser's storage for this site is full";
  }
  if (name === 'SecurityError') return 'the browser does not allow this page to store data (private mode or site settings)';
  return `the browser refused to store it (${e instanceof Error ? e.message : String(e)})`;
}
