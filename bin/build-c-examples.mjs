#!/usr/bin/env node
// Compiles the C examples, public/examples/c/*.c, into BPF objects next to them
// (public/examples/c/<name>.o). The objects are committed, so the browser needs no compiler;
// run this after changing a .c file or a header there.
//
//   node bin/build-c-examples.mjs
//
// Each file is built, from the repository's root, with
//   clang-19 -target bpf -O2 -g -c -fdebug-compilation-dir=. -I public/examples/c X.c -o X.o
// -fdebug-compilation-dir=. keeps the checkout's absolute path out of the debug info and the
// BTF line info, so the same sources give byte-identical objects in any folder.
// Without clang-19 the script says how to get it and exits 0 (nothing else depends on it).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'public', 'examples', 'c');
const clang = process.env.CLANG ?? 'clang-19';

const probe = spawnSync(clang, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.log(`build-c-examples: ${clang} was not found, so the C examples were not rebuilt.`);
  console.log('  Install it with: apt-get install clang-19   (the committed .o files are unchanged)');
  process.exit(0);
}

const sources = readdirSync(dir)
  .filter((name) => name.endsWith('.c'))
  .sort();
let failed = 0;
for (const name of sources) {
  const src = join(dir, name);
  const obj = join(dir, name.replace(/\.c$/, '.o'));
  const args = ['-target', 'bpf', '-O2', '-g', '-c', '-fdebug-compilation-dir=.', '-I', relative(root, dir), relative(root, src), '-o', relative(root, obj)];
  const run = spawnSync(clang, args, { cwd: root, encoding: 'utf8' });
  const shown = `${clang} ${args.join(' ')}`;
  if (run.status === 0) {
    console.log(`ok    ${shown}`);
    if (run.stderr) process.stderr.write(run.stderr);
  } else {
    failed += 1;
    console.log(`FAIL  ${shown}`);
    process.stderr.write(run.stderr || String(run.error ?? ''));
  }
}
console.log(`build-c-examples: ${sources.length - failed} built, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
