#!/usr/bin/env node
// Runs the Playwright journeys in Debian's Chromium. Where /usr/bin/chromium is missing it
// says so and skips (CI installs it: see .ci/run); it never downloads a browser.
//
// Two passes: the journeys (in parallel workers), then the tests tagged @timing alone in one
// worker, so nothing else loads the CPU while they time the main thread. Arguments (a spec, -g)
// run one pass with them instead.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = process.env.BPFP_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.log(`skipped: e2e journeys need Debian's Chromium at ${chromium} (apt-get install chromium)`);
  process.exit(0);
}

const playwright = (args) => spawnSync('npx', ['playwright', 'test', ...args], { stdio: 'inherit' }).status ?? 1;
const args = process.argv.slice(2);
if (args.length > 0) process.exit(playwright(args));

const started = Date.now();
const journeys = playwright(['--grep-invert', '@timing']);
const timing = playwright(['--grep', '@timing', '--workers', '1']);
console.log(`browser suite: ${((Date.now() - started) / 1000).toFixed(0)} s (journeys ${journeys === 0 ? 'passed' : 'failed'}, timing ${timing === 0 ? 'passed' : 'failed'})`);
process.exit(journeys || timing);
