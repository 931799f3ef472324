// Surface drafts: what localStorage may hold when the page starts — drafts of every version the
// playground ever wrote (app/state/persistence.ts DRAFT_VERSION, each era of the document),
// unversioned and newer ones, mutations of them, garbage, settings, and a storage that refuses
// to write — and, on a reload, the tab's screen record in sessionStorage (app/state/screen.ts),
// through readDraft, loadSettings, readScreen and chooseInitialDocument; a draft that reads is
// opened and run as the app would.

import { chooseInitialDocument, DRAFT_CORRUPT_KEY, DRAFT_KEY, DRAFT_VERSION, loadSettings, readDraft, readWorkspace, SETTINGS_KEY, type Storage } from '../../../../app/state/persistence.ts';
import { readScreen, SCREEN_KEY, SCREEN_VERSION } from '../../../../app/state/screen.ts';
import type { Rng, Surface } from '../case.ts';
import { anyJson, mutateJson, mutateText } from '../mutate.ts';
import { DOCUMENT_ERAS, documentJson, openDocument } from './documents.ts';

const DRAFT_KEYS = ['version', 'doc', 'savedAt', 'own', 'opened', 'active', 'id', 'origin', 'title', 'source', 'dialect', 'isa', 'profile', 'cpus', 'input', 'panel', 'traffic', 'maps', 'scenario', 'ctx'];
const SETTINGS_KEYS = ['version', 'theme', 'split', 'shareShortcut', 'budget'];

/** Every draft version a playground wrote: 1 up to today's DRAFT_VERSION. */
export const DRAFT_VERSIONS_WRITTEN: readonly number[] = Array.from({ length: DRAFT_VERSION }, (_, i) => i + 1);

/**
 * What each version stored (app/state/drafts.ts): v1 one document, whatever was edited last;
 * v2 the user's own draft apart from the documents links, examples, lessons and files opened.
 */
const WRITERS: Readonly<Record<number, (rng: Rng) => Record<string, unknown>>> = {
  1: (rng) => ({ version: 1, doc: documentJson(rng, rng.pick(DOCUMENT_ERAS)), savedAt: savedAt(rng) }),
  2: (rng) => {
    const opened = Array.from({ length: rng.below(4) }, (_, i) => ({ id: `${rng.pick(['link', 'example', 'file'])}-${i}`, origin: rng.pick(['link', 'example', 'lesson', 'file']), title: rng.pick(['Shared program', 'Example: Hello', '']), doc: documentJson(rng), savedAt: savedAt(rng) }));
    return { version: 2, own: rng.chance(0.8) ? { doc: documentJson(rng), savedAt: savedAt(rng) } : null, opened, active: rng.chance(0.6) || !opened.length ? 'own' : (opened[rng.below(opened.length)]?.id ?? 'own') };
  },
};

function savedAt(rng: Rng): number {
  return rng.chance(0.9) ? 1_764_000_000_000 + rng.below(1e9) : rng.pick([-1, 0, 1e300]);
}

export interface DraftCase {
  readonly entries: Readonly<Record<string, string>>;
  readonly hash: string;
  /** The storage throws on writes (quota, private mode) or on every access. */
  readonly refuses?: 'writes' | 'everything';
  /** sessionStorage's screen record: the page was reloaded. */
  readonly screen?: string;
}

const SCREEN_KEYS = ['v', 'kind', 'id', 'title', 'origin', 'doc', 'lesson', 'step'];

/** What a tab's screen record may hold on a reload: each kind, mutated, and garbage. */
function screenText(rng: Rng): string {
  const lesson = rng.chance(0.3) ? { lesson: { id: rng.pick(['cpumask-basics', 'xdp-metadata', '__proto__', '']), step: rng.pick([0, 2, 999, -1, 1.5]) } } : {};
  const record = rng.pick([
    () => ({ v: SCREEN_VERSION, kind: 'own', ...lesson }),
    () => ({ v: SCREEN_VERSION, kind: 'saved', id: rng.pick(['link-0', 'example-1', 'file-2', 'missing', '']), title: rng.pick(['Shared program', 'Example: Hello', '']), ...lesson }),
    () => ({ v: SCREEN_VERSION, kind: 'opened', origin: rng.pick(['link', 'example', 'lesson', 'file', 'constructor']), title: 'Example: Hello', doc: rng.chance(0.8) ? documentJson(rng) : null, ...lesson }),
  ])();
  const r = rng.below(10);
  if (r < 5) return JSON.stringify(record);
  if (r < 8) return JSON.stringify(mutateJson(rng, record, SCREEN_KEYS));
  return rng.chance(0.5) ? mutateText(rng, JSON.stringify(record)) : rng.pick(['', 'null', '{', '[]', '{"v":1}']);
}

function draftText(rng: Rng): string {
  const version = rng.pick(DRAFT_VERSIONS_WRITTEN);
  const writer = WRITERS[version];
  if (!writer) throw new Error(`fuzz drafts: draft version ${version} has no writer here; add what that version stores`);
  const stored = writer(rng);
  // Versions no playground wrote: none (version 0), a newer one, nonsense.
  if (rng.chance(0.1)) {
    const v = rng.pick([0, DRAFT_VERSION + 1, -1, 1.5]);
    if (v === 0) delete stored.version;
    else stored.version = v;
  }
  const r = rng.below(10);
  if (r < 4) return JSON.stringify(stored);
  if (r < 7) return JSON.stringify(mutateJson(rng, stored, DRAFT_KEYS));
  if (r < 9) return mutateText(rng, JSON.stringify(stored));
  return rng.chance(0.5) ? JSON.stringify(anyJson(rng, 3)) : rng.pick(['', 'null', '[]', '{', 'undefined', '"draft"']);
}

function settingsText(rng: Rng): string {
  const s = { version: rng.chance(0.9) ? 1 : rng.pick([0, 2]), theme: rng.pick(['system', 'light', 'dark']), split: rng.below(101), shareShortcut: rng.chance(0.5), budget: rng.pick([1_000_000, 10_000_000, 100_000_000, 1_000_000_000]) };
  if (rng.chance(0.5)) return JSON.stringify(s);
  if (rng.chance(0.7)) return JSON.stringify(mutateJson(rng, s, SETTINGS_KEYS));
  return mutateText(rng, JSON.stringify(s));
}

/** A Map-backed storage, failing as browsers do when asked to. */
function storageOf(c: DraftCase): Storage & { entries: Map<string, string> } {
  const entries = new Map(Object.entries(c.entries));
  const quota = (): never => {
    throw Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError', code: 22 });
  };
  return {
    entries,
    getItem: (k) => {
      if (c.refuses === 'everything') throw Object.assign(new Error('Access is denied for this document.'), { name: 'SecurityError' });
      return entries.get(k) ?? null;
    },
    setItem: (k, v) => {
      if (c.refuses) quota();
      entries.set(k, v);
    },
    removeItem: (k) => {
      entries.delete(k);
    },
  };
}

export const drafts: Surface<DraftCase> = {
  name: 'drafts',
  about: 'localStorage at start-up: readDraft, loadSettings, chooseInitialDocument; a draft that reads is opened and run',
  generate(rng) {
    const entries: Record<string, string> = {};
    if (rng.chance(0.9)) entries[DRAFT_KEY] = draftText(rng);
    if (rng.chance(0.5)) entries[SETTINGS_KEY] = settingsText(rng);
    if (rng.chance(0.1)) entries[DRAFT_CORRUPT_KEY] = rng.chance(0.5) ? (entries[DRAFT_KEY] ?? '') : '{}';
    const hash = rng.chance(0.8) ? '' : rng.pick(['#v1/', '#example/hello', '#example/__proto__', '#v1/AAAA', '#v2/x', '#foo']);
    const refuses = rng.chance(0.1) ? rng.pick(['writes', 'everything'] as const) : undefined;
    // Drawn last: the rest of a case is what it was before the screen record was fuzzed.
    const screen = rng.chance(0.5) ? screenText(rng) : undefined;
    return { entries, hash, ...(refuses ? { refuses } : {}), ...(screen !== undefined ? { screen } : {}) };
  },
  async run(c) {
    const storage = storageOf(c);
    const workspace = readWorkspace(storage);
    const draft = readDraft(storage);
    const settings = loadSettings(storage);
    const session = storageOf({ entries: c.screen === undefined ? {} : { [SCREEN_KEY]: c.screen }, hash: '', ...(c.refuses ? { refuses: c.refuses } : {}) });
    const screen = readScreen(session);
    const initial = await chooseInitialDocument(c.hash, storage, undefined, screen);
    // What the page would show: the document the start-up chose, else the user's draft.
    const shown = 'doc' in initial && initial.doc ? initial.doc : draft.kind === 'ok' ? draft.doc : undefined;
    return { workspace: workspace.kind === 'ok' ? { kind: 'ok', dropped: workspace.dropped } : workspace, draft, settings, screen, initial, ...(shown ? { open: openDocument(shown) } : {}) };
  },
  show: (c) => `hash ${JSON.stringify(c.hash)}${c.refuses ? `, storage refuses ${c.refuses}` : ''}\n${Object.entries(c.entries)
    .map(([k, v]) => `--- localStorage[${JSON.stringify(k)}] (${v.length} chars) ---\n${v}`)
    .join('\n')}${c.screen === undefined ? '' : `\n--- sessionStorage[${JSON.stringify(SCREEN_KEY)}] (a reload) ---\n${c.screen}`}`,
};
