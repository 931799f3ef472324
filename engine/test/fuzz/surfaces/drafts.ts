// Surface drafts: what localStorage may hold when the page starts — drafts of every version the
// playground ever wrote (app/state/persistence.ts DRAFT_VERSION, each era of the document),
// unversioned and newer ones, mutations of them, garbage, settings, and a storage that refuses
// to write — through readDraft, loadSettings and chooseInitialDocument; a draft that reads is
// opened and run as the app would.

import { chooseInitialDocument, DRAFT_CORRUPT_KEY, DRAFT_KEY, DRAFT_VERSION, loadSettings, readDraft, SETTINGS_KEY, type Storage } from '../../../../app/state/persistence.ts';
import type { Rng, Surface } from '../case.ts';
import { anyJson, mutateJson, mutateText } from '../mutate.ts';
import { DOCUMENT_ERAS, documentJson, openDocument } from './documents.ts';

const DRAFT_KEYS = ['version', 'doc', 'savedAt', 'source', 'dialect', 'isa', 'profile', 'cpus', 'input', 'panel', 'traffic', 'maps', 'scenario', 'ctx'];
const SETTINGS_KEYS = ['version', 'theme', 'split', 'shareShortcut', 'budget'];

/** Every draft version written so far: DRAFT_VERSION 1 (the only one until the draft's shape changes). */
export const DRAFT_VERSIONS_WRITTEN: readonly number[] = Array.from({ length: DRAFT_VERSION }, (_, i) => i + 1);

export interface DraftCase {
  readonly entries: Readonly<Record<string, string>>;
  readonly hash: string;
  /** The storage throws on writes (quota, private mode) or on every access. */
  readonly refuses?: 'writes' | 'everything';
}

function draftText(rng: Rng): string {
  const era = rng.pick(DOCUMENT_ERAS);
  const version = rng.chance(0.85) ? rng.pick(DRAFT_VERSIONS_WRITTEN) : rng.pick([0, DRAFT_VERSION + 1, -1, 1.5]);
  const stored: Record<string, unknown> = { ...(version === 0 ? {} : { version }), doc: documentJson(rng, era), savedAt: rng.chance(0.9) ? 1_764_000_000_000 + rng.below(1e9) : rng.pick([-1, 0, 1e300]) };
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
    return { entries, hash, ...(refuses ? { refuses } : {}) };
  },
  async run(c) {
    const storage = storageOf(c);
    const draft = readDraft(storage);
    const settings = loadSettings(storage);
    const initial = await chooseInitialDocument(c.hash, storage);
    return { draft, settings, initial, ...(draft.kind === 'ok' ? { open: openDocument(draft.doc) } : {}) };
  },
  show: (c) => `hash ${JSON.stringify(c.hash)}${c.refuses ? `, storage refuses ${c.refuses}` : ''}\n${Object.entries(c.entries)
    .map(([k, v]) => `--- localStorage[${JSON.stringify(k)}] (${v.length} chars) ---\n${v}`)
    .join('\n')}`,
};
