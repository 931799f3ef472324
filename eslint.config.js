// Lint: TypeScript rules plus the dependency direction of DESIGN.md — `isa` imports nothing,
// the engine never imports the app, and the app sees only the assembler, the worker API and the scenario format.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NO_UI = { group: ['**/app/**', 'react', 'react-dom', 'monaco-editor', 'zustand'], message: 'The engine is pure TypeScript with no DOM or UI.' };

/**
 * Forbids imports matching `groups` in `files`, with a message saying why. ESLint keeps only
 * the last setting of a rule per file, so every engine layer repeats the engine-wide ban.
 */
function layer(files, groups, message) {
  const patterns = [{ group: groups, message }];
  if (files.every((f) => f.startsWith('engine/'))) patterns.push(NO_UI);
  return { files, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

const OUTSIDE_ENGINE_LAYERS = ['**/cli/**', '**/worker/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always'],
    },
  },
  { files: ['engine/**'], rules: { 'no-restricted-imports': ['error', { patterns: [NO_UI] }] } },
  // The fuzz harness drives every input surface, so it reads links, files and drafts with the
  // app's own pure readers (app/share, and app/state's document, persistence, program and screen);
  // React, Monaco and the store stay out.
  {
    files: ['engine/test/fuzz/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/app/**', '!**/app/share', '!**/app/share/*', '!**/app/state', '**/app/state/*', '!**/app/state/document.ts', '!**/app/state/persistence.ts', '!**/app/state/program.ts', '!**/app/state/screen.ts', 'react', 'react-dom', 'monaco-editor', 'zustand'],
              message: 'The fuzz harness may use the app\'s pure readers (app/share, app/state/document.ts, persistence.ts, program.ts, screen.ts), not its UI.',
            },
          ],
        },
      ],
    },
  },
  layer(['engine/isa/**'], ['../**', '!./*'], 'engine/isa is the bottom layer: it imports nothing.'),
  layer(['engine/program/**'], ['**/asm/**', '**/vm/**', '**/kernel/**', '**/verifier/**', '**/net/**', ...OUTSIDE_ENGINE_LAYERS], 'engine/program builds only on engine/isa.'),
  layer(['engine/asm/**'], ['**/vm/**', '**/verifier/**', '**/net/**', ...OUTSIDE_ENGINE_LAYERS], 'The assembler builds on isa, program and the kernel declarations only.'),
  layer(['engine/vm/**'], ['**/asm/**', '**/verifier/**', '**/net/**', '**/kernel/**', ...OUTSIDE_ENGINE_LAYERS], 'The VM builds on isa and program; the kernel plugs into it, not the reverse.'),
  layer(['engine/kernel/**'], ['**/asm/**', '**/verifier/**', '**/net/**', ...OUTSIDE_ENGINE_LAYERS], 'The simulated kernel builds on isa, program and vm.'),
  // gitignore-style: the kernel folder is banned, then decls/ and profiles.ts are let back in.
  layer(
    ['engine/verifier/**'],
    ['**/asm/**', '**/vm/**', '**/net/**', ...OUTSIDE_ENGINE_LAYERS, '**/kernel/**', '!**/kernel/decls', '!**/kernel/decls/**', '!**/kernel/profiles.ts'],
    'The verifier reads declarations; it does not run programs: from engine/kernel it imports only decls/ (the index) and profiles.ts.',
  ),
  layer(['engine/net/**'], ['**/asm/**', '**/verifier/**', ...OUTSIDE_ENGINE_LAYERS], 'The NIC drives the VM and the kernel.'),
  layer(['engine/worker/**'], ['**/cli/**'], 'The worker facade never depends on the command line.'),
  layer(
    ['app/**'],
    // gitignore-style: a folder excluded by `**/engine/**` must be re-included before its files.
    ['**/engine/**', '!**/engine/asm', '!**/engine/asm/**', '!**/engine/worker', '**/engine/worker/*', '!**/engine/worker/protocol.ts', '!**/engine/worker/view-cache.ts', '!**/engine/worker/worker.ts', '!**/engine/kernel', '**/engine/kernel/*', '!**/engine/kernel/scenario.ts', '!**/engine/util', '!**/engine/util/**', '!**/engine/net', '**/engine/net/*', '!**/engine/net/profile.ts', '!**/engine/net/profile-json.ts', '!**/engine/net/pcap.ts', '!**/engine/net/names.ts', '!**/engine/net/types.ts', '!**/engine/net/packet', '**/engine/net/packet/*', '!**/engine/net/packet/addr.ts', '!**/engine/lessons', '**/engine/lessons/*', '!**/engine/lessons/spec.ts'],
    'The app may import engine/asm, engine/util, engine/worker/protocol.ts (types), engine/worker/view-cache.ts (merging snapshot deltas), the worker entry and the pure formats: the scenario (engine/kernel/scenario.ts), the traffic profile (engine/net/profile*.ts), pcap (engine/net/pcap.ts), the NIC names and types (engine/net/names.ts, types.ts), addresses (engine/net/packet/addr.ts) and the lesson format (engine/lessons/spec.ts: parseLesson checks the lessons index).',
  ),
);
