// bench.html's script: window.__bpfpBench, which measures a corpus program on a tier in a fresh
// dedicated worker (a fresh isolate, as child.ts is a fresh process) and terminates it. The page
// has no corpus of its own: its driver hands it the program (see protocol.ts). Plain messages,
// not Comlink: the page then shares no chunk with the app's entry.

import type { BrowserBenchHook, BrowserBenchReply } from './protocol.ts';

const hook: BrowserBenchHook = {
  userAgent: navigator.userAgent,
  async measure(request) {
    const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module', name: 'bpfp-bench' });
    try {
      const reply = await new Promise<BrowserBenchReply>((resolve, reject) => {
        worker.onmessage = (e: MessageEvent<BrowserBenchReply>) => resolve(e.data);
        worker.onerror = (e) => reject(new Error(`benchmark worker: ${e.message}`));
        worker.postMessage(request);
      });
      if ('failed' in reply) throw new Error(`benchmark worker: ${reply.failed}`);
      return reply;
    } finally {
      worker.terminate();
    }
  },
};

window.__bpfpBench = hook;
const status = document.getElementById('status');
if (status) status.textContent = `Ready${self.crossOriginIsolated ? ' (cross-origin isolated)' : ''}: driven by \`npm run bench -- --only browser\`.`;
