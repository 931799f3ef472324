// Entry. The first screen's JavaScript is evaluated in layers, one task each: React, then the
// engine (assembler, ISA tables, kernel declarations), then the app itself (boot.tsx), whose
// evaluation starts it. The build puts each layer in its own chunk (vite.config.ts,
// APP_LAYERS). As one chunk, its evaluation was a single task of 125–265 ms on a 2.1 GHz
// machine (e2e/specs/longest-task.spec.ts); each layer's is shorter.
import './styles.css';

const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Shown, without React, when a layer cannot be fetched (a deploy replaced the files, the network failed). */
function failed(error: unknown): void {
  const root = document.getElementById('root');
  if (!root) return;
  const box = document.createElement('div');
  box.setAttribute('role', 'alert');
  box.className = 'boot-failed';
  const reason = error instanceof Error ? error.message : String(error);
  box.textContent = `The playground could not load its scripts (${reason}). Reload the page to try again; nothing you typed is lost: drafts are kept in this browser.`;
  root.replaceChildren(box);
}

async function load(): Promise<void> {
  await import('react-dom/client');
  await nextTask();
  await import('../engine/asm/index.ts');
  await nextTask();
  await import('./boot.tsx');
}

load().catch(failed);
