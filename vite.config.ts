import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { lessonsIndex } from './plugins/lessons-index.ts';

/**
 * The built site's Content-Security-Policy, as a meta tag (a static host may set no headers).
 * No inline script and nothing from other origins: a link's text can never become code.
 * Styles allow 'unsafe-inline' because Monaco writes its own <style> elements at run time.
 * Workers (the engine, the assembler, Monaco's editor worker) are our own files; a worker's
 * policy comes with its own response, so the engine's compiled tier (new Function, in its
 * worker) is not governed by this one — and it falls back to the interpreter where it is.
 * frame-ancestors cannot be given in a meta tag (embeds are framed on purpose anyway).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Adds the policy to index.html in `vite build` only: the dev server needs inline scripts for hot reload. */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'bpfp-content-security-policy',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }],
  };
}

/** Monaco's layers, lowest first: each imports only the ones before it (VS Code's layering rule). */
const MONACO_LAYERS: readonly { name: string; test: RegExp }[] = [
  { name: 'base-common', test: /monaco-editor[\\/]esm[\\/]vs[\\/]base[\\/]common[\\/]/ },
  { name: 'base-browser', test: /monaco-editor[\\/]esm[\\/]vs[\\/]base[\\/]/ },
  { name: 'platform', test: /monaco-editor[\\/]esm[\\/]vs[\\/]platform[\\/]/ },
  { name: 'editor-common', test: /monaco-editor[\\/]esm[\\/]vs[\\/]editor[\\/]common[\\/]/ },
  { name: 'editor-browser', test: /monaco-editor[\\/]esm[\\/]vs[\\/]editor[\\/]browser[\\/]/ },
];

/** The first screen's layers below the app (app/main.tsx imports them a task apart). */
const APP_LAYERS: readonly { name: string; test: RegExp }[] = [
  { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
  { name: 'engine', test: /[\\/]engine[\\/]/ },
];

// Static site: everything runs in the browser; the engine runs in a module worker.
export default defineConfig({
  plugins: [react(), contentSecurityPolicy(), lessonsIndex(fileURLToPath(new URL('./public/lessons', import.meta.url)))],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    // bench.html: the VM benchmark page in Chromium (`npm run bench -- --only browser`), its own
    // entry and worker. The one chunk it shares with the app is Vite's modulepreload polyfill
    // (0.4 kB gzip, inlined in the app's entry before); bin/check-bundle.mjs follows index.html only.
    rolldownOptions: {
      input: { index: fileURLToPath(new URL('./index.html', import.meta.url)), bench: fileURLToPath(new URL('./bench.html', import.meta.url)) },
      // Monaco in layers, one chunk each (app/editor/monaco-layers.ts imports them a task
      // apart): evaluated as one 2.7 MB chunk it was a single task of 320–380 ms here.
      // Vite's preload helper in its own chunk: left alone it lands in a Monaco layer that uses
      // import() too, and the first screen would import that layer statically to reach it.
      output: {
        codeSplitting: {
          groups: [
            { name: 'preload-helper', test: /vite[\\/]preload-helper/, priority: MONACO_LAYERS.length + 1 },
            ...MONACO_LAYERS.map((l, i) => ({ name: `monaco-${l.name}`, test: l.test, priority: MONACO_LAYERS.length - i })),
            ...APP_LAYERS.map((l) => ({ name: l.name, test: l.test, priority: 0 })),
          ],
        },
      },
    },
  },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  server: { host: '127.0.0.1', port: 5173 },
});
