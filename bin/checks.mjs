#!/usr/bin/env node
// Runs the static checks (`npm run typecheck`, `npm run lint`) side by side: each is one
// process on one core, about 20 s apiece here, so together they take the time of the longer.
// Each one's output is printed whole when it ends (never interleaved); the exit status is
// non-zero when either failed.
import { spawn } from 'node:child_process';

const scripts = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['typecheck', 'lint'];
const started = Date.now();

function run(script) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('error', (e) => resolve({ script, code: 1, text: `could not start npm run ${script}: ${e.message}\n` }));
    child.on('close', (code) => resolve({ script, code: code ?? 1, text: Buffer.concat(out).toString() }));
  }).then((r) => {
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    process.stdout.write(`${r.text}${r.code === 0 ? '✓' : '✗'} ${r.script} (${seconds} s)${r.code === 0 ? '' : `: exit ${r.code}`}\n`);
    return r.code;
  });
}

const codes = await Promise.all(scripts.map(run));
process.exit(codes.some((c) => c !== 0) ? 1 : 0);
