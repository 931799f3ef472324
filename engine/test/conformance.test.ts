// The whole bpf_conformance suite through `bpfp conformance`: every test passes, or is skipped
// with a reason that the README repeats.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFORMANCE_SKIPS } from '../cli/commands/conformance.ts';
import { runCli } from './cli-harness.ts';
import { CONFORMANCE_DIR, REPO_ROOT, sharedAvailable } from './shared.ts';

const available = sharedAvailable(CONFORMANCE_DIR);
if (!available) console.log(`skipped: bpf_conformance suite not found at ${CONFORMANCE_DIR}`);

describe.skipIf(!available)('bpf_conformance', () => {
  it('passes every test but the documented skips', () => {
    const r = runCli(['conformance', CONFORMANCE_DIR]);
    const failures = r.out.filter((l) => l.startsWith('FAIL'));
    expect(failures).toEqual([]);
    expect(r.out.at(-1)).toMatch(new RegExp(`^\\d+ passed, 0 failed, ${CONFORMANCE_SKIPS.size} skipped$`));
    expect(Number(r.out.at(-1)?.split(' ')[0])).toBeGreaterThanOrEqual(312);
    expect(r.code).toBe(0);
  });
  it('explains every skip in the README', () => {
    const readme = readFileSync(resolve(REPO_ROOT, 'README.md'), 'utf8');
    for (const name of CONFORMANCE_SKIPS.keys()) expect(readme).toContain(name.replace('.data', ''));
  });
  it('prints one JSON object per test and a summary with --json', () => {
    const r = runCli(['conformance', CONFORMANCE_DIR, '--json']);
    const objects = r.out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.filter((o) => o['status'] === 'pass').length).toBeGreaterThanOrEqual(312);
    expect(objects.at(-1)).toMatchObject({ summary: true, failed: 0 });
  });
});
