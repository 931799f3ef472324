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
    rolldownOptions: { input: { index: fileURLToPath(new URL('./index.html', import.meta.url)), bench: fileURLToPath(new URL('./bench.html', import.meta.url)) } },
  },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  server: { host: '127.0.0.1', port: 5173 },
});
