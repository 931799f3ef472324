// Where the shared reference material lives (../shared beside the repository), for tests.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const SHARED = process.env['BPFP_SHARED'] ?? resolve(REPO_ROOT, '..', 'shared');
export const CONFORMANCE_DIR = resolve(SHARED, 'conformance', 'tests');
export const BENCH_DIR = resolve(SHARED, 'bench');

export function sharedAvailable(path: string): boolean {
  return existsSync(path);
}
