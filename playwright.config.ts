// End-to-end tests: Playwright against `vite preview` (run `vite build` first), in Debian's
// Chromium at /usr/bin/chromium — never a downloaded browser.
import { defineConfig } from '@playwright/test';

// BPFP_E2E_PORT lets several checkouts run their journeys side by side.
const PORT = Number(process.env['BPFP_E2E_PORT'] ?? 4173);
export const CHROMIUM = process.env['BPFP_CHROMIUM'] ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e/specs',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: process.env['CI'] ? 1 : 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: CHROMIUM,
      // Without these, Chromium keeps trying to reach Google's hosts from this closed network.
      args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-gpu'],
    },
    viewport: { width: 1400, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: !process.env['CI'],
    timeout: 120_000,
  },
});
