// What survives a reload: the saved documents (drafts.ts) and the user's settings, in
// localStorage under versioned keys that migrate forward; and the start-up choice between a
// link, the saved documents and the default example. Storage fails in real browsers (quota,
// private modes, another tab writing garbage), so every read and write here answers with a value.

import { decodeShare } from '../share/codec.ts';
import { isPlainObject, type PlaygroundDocument } from './document.ts';
import { OWN, readWorkspace, type OpenedEntry, type OpenedOrigin, type Workspace, type WorkspaceRead } from './drafts.ts';
import type { ScreenRecord } from './screen.ts';
import type { RunTier } from '../../engine/worker/protocol.ts';
import { migrate, safeGet, safeSet, type Migrations, type SaveResult, type Storage } from './storage.ts';

export { migrate, type Migration, type Migrations, type SaveResult, type Storage } from './storage.ts';
export {
  createDraftSaver,
  DRAFT_CORRUPT_KEY,
  DRAFT_KEY,
  DRAFT_MIGRATIONS,
  DRAFT_VERSION,
  loadDraft,
  readDraft,
  readWorkspace,
  saveDraft,
  saveSlot,
  type DraftRead,
  type DraftSaver,
  type Slot,
  type Workspace,
  type WorkspaceRead,
} from './drafts.ts';

export const SETTINGS_KEY = 'bpfp.settings';

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
  /**
   * The VM tier that runs programs: 'auto' lets the engine choose per program, the others force
   * one. A setting, not part of the document: it changes speed, never results.
   */
  tier: TierSetting;
}
export type TierSetting = 'auto' | RunTier;
/** The toolbar's Tier choices, in its order, with their labels. */
export const TIERS: readonly { readonly value: TierSetting; readonly label: string }[] = [
  { value: 'auto', label: 'Auto (compiled)' },
  { value: 'interpreter', label: 'Interpreter' },
  { value: 'compiled', label: 'Compiled JS' },
  { value: 'wasm', label: 'WebAssembly' },
];
/** Every engine tier is offered (a compile error here names one the toolbar lacks). */
type MissingTier = Exclude<RunTier, (typeof TIERS)[number]['value']>;
const _allTiersListed: [MissingTier] extends [never] ? true : never = true;
/** The tier to ask the engine for: none for 'auto'. */
export function runTierOf(tier: TierSetting): RunTier | undefined {
  return tier === 'auto' ? undefined : tier;
}
export const BUDGETS: readonly number[] = [1_000_000, 10_000_000, 100_000_000, 1_000_000_000];
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({ version: 1, theme: 'system', split: 50, shareShortcut: true, budget: 10_000_000, tier: 'auto' });
export const SPLIT_MIN = 20;
export const SPLIT_MAX = 80;
export const SETTINGS_MIGRATIONS: Migrations = {};

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
  const tier = TIERS.find((t) => t.value === o.tier)?.value ?? DEFAULT_SETTINGS.tier;
  return { version: SETTINGS_VERSION, theme, split, shareShortcut, budget, tier };
}

/**
 * A document to open that is not a link: the user's draft, a saved entry (`entry`), or a
 * document opened and not edited (`opened`: only a reload of the tab that showed it knows it).
 */
export interface Shown {
  readonly doc: PlaygroundDocument;
  readonly entry?: OpenedEntry;
  readonly opened?: { readonly origin: OpenedOrigin; readonly title: string };
}

export type Initial =
  /** `lesson`: the link is an attempt at this graded lesson (it opens the lesson with the link's code). */
  | { kind: 'link'; doc: PlaygroundDocument; draftKept: boolean; lesson?: string }
  | { kind: 'example'; id: string; draftKept: boolean }
  /** The document shown last; `note` says why it is not the one on screen before a reload. */
  | ({ kind: 'draft'; note?: string } & Shown)
  | { kind: 'default'; note?: string }
  | ({ kind: 'broken-link'; error: string; fallback: 'draft' | 'default' } & Partial<Shown>);

/**
 * The start-up choice: a link wins over the saved documents, which win over the default
 * example; of the saved documents, the one on screen before a reload of this tab (`screen`,
 * given only on a reload), else the one shown last (the user's draft, or an edited document a
 * link or an example opened).
 *
 * This never writes the draft. Opening someone's link must not replace the user's own work,
 * so the app saves (through createDraftSaver) only after the user edits, and then under the
 * opened document's own entry; a reload without the link brings the draft back. A broken or
 * foreign link reports its error and falls back to the saved documents untouched. The one
 * possible write is the rescue copy of an unreadable draft. `read` passes a reading the
 * caller already made (it also tells the user about an unreadable draft).
 */
export async function chooseInitialDocument(hash: string, storage: Storage, read: WorkspaceRead = readWorkspace(storage), screen?: ScreenRecord): Promise<Initial> {
  const link = await decodeShare(hash);
  const ws = read.kind === 'ok' ? read.workspace : undefined;
  const { last, note } = lastShown(ws, screen);
  const draftKept = ws?.own !== undefined;
  switch (link.ok) {
    case true:
      return { kind: 'link', doc: link.doc, draftKept, ...(link.lesson ? { lesson: link.lesson } : {}) };
    case 'example':
      return { kind: 'example', id: link.id, draftKept };
    case false:
      return last ? { kind: 'broken-link', error: link.error, fallback: 'draft', ...last } : { kind: 'broken-link', error: link.error, fallback: 'default' };
    case 'none':
      return last ? { kind: 'draft', ...last, ...(note ? { note } : {}) } : { kind: 'default', ...(note ? { note } : {}) };
  }
}

/** What was on screen before a reload (`screen`), or else the saved document shown last; `note` when the first is gone. */
function lastShown(ws: Workspace | undefined, screen: ScreenRecord | undefined): { last: Shown | undefined; note?: string } {
  const entry = ws && ws.active !== OWN ? ws.opened.find((e) => e.id === ws.active) : undefined;
  const saved: Shown | undefined = entry ? { doc: entry.doc, entry } : ws?.own ? { doc: ws.own.doc } : undefined;
  const instead = entry ? `“${entry.title}”` : saved ? 'your draft' : 'the default example';
  switch (screen?.kind) {
    case undefined:
      return { last: saved };
    case 'own':
      // The user's draft, or the default example while there is none.
      return { last: ws?.own ? { doc: ws.own.doc } : undefined };
    case 'saved': {
      const e = ws?.opened.find((x) => x.id === screen.id);
      if (e) return { last: { doc: e.doc, entry: e } };
      return { last: saved, note: `“${screen.title}”, on screen before the reload, is no longer saved (another tab may have replaced it, or the browser's storage was full), so ${instead} opened instead.` };
    }
    case 'opened':
      if (screen.doc) return { last: { doc: screen.doc, opened: { origin: screen.origin, title: screen.title } } };
      return { last: saved, note: `“${screen.title}”, on screen before the reload, was too large for the browser to keep, so ${instead} opened instead; open it again to see it.` };
  }
}
