// End-to-end tests: Playwright against `vite preview` (run `vite build` first), in Debian's
// Chromium at /usr/bin/chromium — never a downloaded browser.
import { readdirSync, readFileSync } from 'node:fs';
import { defineConfig } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './e2e/chromium.ts';

// BPFP_E2E_PORT lets several checkouts run their journeys side by side.
const PORT = Number(process.env['BPFP_E2E_PORT'] ?? 4173);
export { CHROMIUM };

// Every spec takes `test` from e2e/fixtures/test.ts, whose guard fails a test on any page error
// or console error; a spec importing Playwright's own `test` would slip past it.
const SPECS = 'e2e/specs';
const bypassing = readdirSync(SPECS).filter((f) => /import\s*\{[^}]*\btest\b[^}]*\}\s*from\s*'@playwright\/test'/.test(readFileSync(`${SPECS}/${f}`, 'utf8')));
if (bypassing.length > 0) throw new Error(`${bypassing.join(', ')}: import test from '../fixtures/test.ts', not from '@playwright/test'`);

// The random walks' seed (e2e/fixtures/walk.ts): drawn once here when not given, so the runner,
// every worker process and a retry walk the same way; each walk prints its seed for replay.
process.env['BPFP_WALK_SEED'] ??= String(Math.floor(Math.random() * 2 ** 31));

export default defineConfig({
  testDir: 'e2e/specs',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  // Every test opens its own profile, so any two can run side by side; BPFP_E2E_WORKERS=1 for a busy machine.
  fullyParallel: true,
  workers: Number(process.env['BPFP_E2E_WORKERS'] ?? 2),
  retries: process.env['CI'] ? 1 : 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS],
    },
    viewport: { width: 1400, height: 900 },
    screenshot: 'only-on-failure',
    // Recording a trace costs a passing journey a quarter of its time (kernel.spec.ts: 59 s with
    // retain-on-failure, 42 s without), so only a retry records one: CI retries once; locally
    // pass --trace on to get one.
    trace: 'on-first-retry',
  },
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: !process.env['CI'],
    timeout: 120_000,
  },
});
