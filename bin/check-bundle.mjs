#!/usr/bin/env node
// Checks the built site against its size budget: the JavaScript the first screen loads
// (index.html's scripts and modulepreloads, and what they import statically) must stay under
// 250 kB gzip; Monaco must be a separate, lazily loaded chunk. Run after `vite build`.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const DIST = process.argv[2] ?? 'dist';
const BUDGET = 250 * 1024;
const html = readFileSync(join(DIST, 'index.html'), 'utf8');
const entry = [...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\/?([^"]+\.js)"/g)].map((m) => m[1]);
const gz = (f) => gzipSync(readFileSync(join(DIST, f))).length;

// Follow static imports (`from"./x.js"` / `import"./x.js"`) but not dynamic `import("./x.js")`,
// except the entry's own: app/main.tsx imports the first screen's layers (React, the engine, the
// app) dynamically, one task apart, and they are the first screen all the same.
const seen = new Set();
const dynamicOf = (f) => [...readFileSync(join(DIST, f), 'utf8').matchAll(/import\(\s*[`"']\.\/([^`"']+\.js)[`"']\s*\)/g)].map((m) => join(f, '..', m[1]).replace(/^\.\//, ''));
const queue = [...entry, ...entry.flatMap(dynamicOf)];
while (queue.length) {
  const f = queue.shift();
  if (seen.has(f)) continue;
  seen.add(f);
  const src = readFileSync(join(DIST, f), 'utf8');
  for (const m of src.matchAll(/(?:from|import)\s*["']\.\/([^"']+\.js)["']/g)) queue.push(join(f, '..', m[1]).replace(/^\.\//, ''));
}
const first = [...seen].map((f) => ({ f, size: gz(f) }));
const total = first.reduce((a, b) => a + b.size, 0);
const all = readdirSync(join(DIST, 'assets')).filter((f) => f.endsWith('.js')).map((f) => `assets/${f}`);
const lazy = all.filter((f) => !seen.has(f)).map((f) => ({ f, size: gz(f) }));
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
console.log('first screen (gzip):');
for (const { f, size } of first) console.log(`  ${f}  ${kb(size)}`);
console.log(`  total ${kb(total)} of ${kb(BUDGET)}`);
console.log('loaded later (gzip):');
for (const { f, size } of lazy.sort((a, b) => b.size - a.size)) console.log(`  ${f}  ${kb(size)}`);
const monacoFirst = first.some(({ f }) => /monaco|editor\.main/i.test(f) && gz(f) > 200 * 1024) || first.some(({ size }) => size > 400 * 1024);
if (total > BUDGET) {
  console.error(`bundle budget exceeded: the first screen loads ${kb(total)} of JavaScript (gzip), over ${kb(BUDGET)}`);
  process.exit(1);
}
if (monacoFirst) {
  console.error('Monaco is in the first screen\'s JavaScript: it must load lazily');
  process.exit(1);
}
console.log('bundle budget ok');
