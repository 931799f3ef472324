// Web Storage as values: the part of the API the app uses, reads and writes that answer with a
// value instead of throwing (quota, private modes, blocked storage), and the migration runner
// that brings an older stored format forward one version at a time.

/** The part of the Web Storage API used here; tests pass a Map-backed one. */
export interface Storage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type SaveResult = { ok: true } | { ok: false; error: string };

/** Upgrades a stored value by one version: `migrations[n]` turns a version-n value into version n+1. */
export type Migration = (old: unknown) => unknown;
export type Migrations = Readonly<Record<number, Migration>>;

/** Runs the migrations from `from` up to `to`; a missing step or a throwing one is a failure. */
export function migrate(value: unknown, from: number, to: number, migrations: Migrations): { ok: true; value: unknown } | { ok: false; error: string } {
  let v = value;
  for (let n = from; n < to; n++) {
    const step = Object.hasOwn(migrations, n) ? migrations[n] : undefined;
    if (!step) return { ok: false, error: `there is no migration from version ${n}` };
    try {
      v = step(v);
    } catch (e) {
      return { ok: false, error: `migrating from version ${n} failed (${e instanceof Error ? e.message : String(e)})` };
    }
  }
  return { ok: true, value: v };
}

export function safeGet(storage: Storage, key: string): string | null {
  try {
    return storage.getItem(key);
  } catch {
    // Reading throws only where storage is blocked altogether; that is "nothing saved".
    return null;
  }
}

export function safeSet(storage: Storage, key: string, value: string): SaveResult & { quota?: boolean } {
  try {
    storage.setItem(key, value);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: storageProblem(e), ...(isQuota(e) ? { quota: true } : {}) };
  }
}

function isQuota(e: unknown): boolean {
  const name = typeof e === 'object' && e !== null && 'name' in e && typeof e.name === 'string' ? e.name : '';
  const code = typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;
  // 22: QUOTA_EXCEEDED_ERR (Chromium, Safari); 1014 and its name: Firefox.
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22 || code === 1014;
}

/** Words a storage exception for users; browsers disagree on names and codes. */
function storageProblem(e: unknown): string {
  if (isQuota(e)) return "the browser's storage for this site is full";
  const name = typeof e === 'object' && e !== null && 'name' in e && typeof e.name === 'string' ? e.name : '';
  if (name === 'SecurityError') return 'the browser does not allow this page to store data (private mode or site settings)';
  return `the browser refused to store it (${e instanceof Error ? e.message : String(e)})`;
}
