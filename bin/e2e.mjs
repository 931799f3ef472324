#!/usr/bin/env node
// Runs the Playwright journeys in Debian's Chromium. Where /usr/bin/chromium is missing it
// says so and skips (CI installs it: see .ci/run); it never downloads a browser.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = process.env.BPFP_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.log(`skipped: e2e journeys need Debian's Chromium at ${chromium} (apt-get install chromium)`);
  process.exit(0);
}
const r = spawnSync('npx', ['playwright', 'test', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
