// The app's start (imported by main.tsx once React and the engine are evaluated): decides the initial document (a link, then the document shown last, then the default
// example), restores settings, wires autosave, mounts the app inside its error boundary and
// installs the test hook once the first render is on screen. A start that fails — an error while
// opening the document or rendering it, or a tab that never finished starting — opens the
// default example instead next time, keeps what failed and says so; it never blanks every reload.

import { startTransition, StrictMode, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { AppFailed } from './components/AppFailed.tsx';
import { ErrorBoundary } from './components/ErrorBoundary.tsx';
import { embedFromQuery } from './embed.ts';
import { panelById } from './panels/registry.ts';
import { loadSettings, readWorkspace, saveSettings } from './state/persistence.ts';
import { readScreen } from './state/screen.ts';
import { watchScreen } from './state/screen-watch.ts';
import { safeGet, safeSet, type Storage } from './state/storage.ts';
import { openLinkFromHash, openStartDocument, recoverStartup } from './startup.ts';
import { store, useStore } from './state/store.ts';
import { flushSaves, startWorkspace, watchEdits } from './state/workspace.ts';
import { installTestHook } from './test-hook.ts';
import { startLiveVerification } from './live-verify.ts';
import { flushLessonCode, startLessons } from './lessons/graded.ts';

/** Web storage, or a memory stand-in where it is unavailable (privacy modes). */
function webStorage(kind: 'localStorage' | 'sessionStorage'): Storage {
  try {
    const ls = window[kind];
    ls.getItem('bpfp.probe');
    return ls;
  } catch {
    const m = new Map<string, string>();
    return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) };
  }
}

function isReload(): boolean {
  const nav = performance.getEntriesByType('navigation')[0];
  return nav instanceof PerformanceNavigationTiming && nav.type === 'reload';
}

/** Set in this tab's session while the app starts, cleared once its first render is on screen. */
const BOOT_KEY = 'bpfp.boot';
const session = webStorage('sessionStorage');
let started = false;

/** Renders the app; once the first render is on screen the start counts as done. */
function Root() {
  useEffect(() => {
    performance.mark('bpfp:first-commit');
    started = true;
    session.removeItem(BOOT_KEY);
    installTestHook();
    startLiveVerification();
  }, []);
  return (
    <ErrorBoundary fallback={(error, retry) => <AppFailed error={error} retry={retry} starting={() => !started} recover={recoverStartup} />}>
      <App />
    </ErrorBoundary>
  );
}

async function start(): Promise<void> {
  // The start-up in a task of its own, after the evaluation of this chunk: together they were
  // one task of 150–260 ms on a 2.1 GHz machine (e2e/specs/longest-task.spec.ts).
  await new Promise((resolve) => setTimeout(resolve, 0));
  // Marks the start-up for performance measurements (e2e/specs/long-tasks.spec.ts).
  performance.mark('bpfp:start');
  const st = webStorage('localStorage');
  const { embed, notice: embedNotice } = embedFromQuery(window.location.search, (id) => panelById(id) !== undefined, (id) => panelById(id)?.title ?? id);
  store.set({ settings: loadSettings(st), embed });
  const read = readWorkspace(st);
  startWorkspace(st, read);
  // The graded lessons' progress, and their code saved apart from the draft as it is edited.
  startLessons(st);
  const failedLastTime = safeGet(session, BOOT_KEY) !== null;
  safeSet(session, BOOT_KEY, String(Date.now()));
  // On a reload, what this tab showed before it (kept per tab, in its session) opens again; going
  // to the address anew opens the saved documents, as a new tab does.
  await openStartDocument(window.location.hash, st, read, failedLastTime, isReload() ? readScreen(session) : undefined);
  watchScreen(session, (error) => store.notify('warning', `A reload of this tab may not show this document again: ${error}.`, { key: 'screen' }), true);
  if (embedNotice) store.notify('warning', embedNotice);
  performance.mark('bpfp:opened');

  watchEdits();
  useStore.subscribe((s, prev) => {
    if (s.settings !== prev.settings) saveSettings(st, s.settings);
  });
  window.addEventListener('pagehide', () => {
    flushSaves();
    flushLessonCode();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'hidden') return;
    flushSaves();
    flushLessonCode();
  });
  window.addEventListener('hashchange', () => {
    void openLinkFromHash(window.location.hash);
  });

  const root = document.getElementById('root');
  if (root) {
    // The first render as a transition: React renders it in slices and yields between them, so
    // the whole page's first render is not one task (90–180 ms at 2.1 GHz as one).
    const reactRoot = createRoot(root);
    startTransition(() => {
      reactRoot.render(
        <StrictMode>
          <Root />
        </StrictMode>,
      );
    });
  }
}

void start();
