// Entry: decides the initial document (link, then the saved draft, then the default example),
// restores settings, wires autosave, mounts the app and the test hook.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { DEFAULT_EXAMPLE_ID, exampleById, exampleDocument } from './examples.ts';
import { DEFAULT_DOCUMENT } from './state/document.ts';
import { chooseInitialDocument, createDraftSaver, loadSettings, saveSettings, type Storage } from './state/persistence.ts';
import { decodeShare } from './share/codec.ts';
import { store, useStore } from './state/store.ts';
import { installTestHook } from './test-hook.ts';
import './styles.css';

/** localStorage, or a memory stand-in where it is unavailable (privacy modes). */
function storage(): Storage {
  try {
    const ls = window.localStorage;
    ls.getItem('bpfp.probe');
    return ls;
  } catch {
    const m = new Map<string, string>();
    return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) };
  }
}

async function openLinkFromHash(hash: string): Promise<void> {
  const r = await decodeShare(hash);
  if (r.ok === 'none') return;
  // The hash we write ourselves after an edit is empty; anything else is a link to open.
  if (r.ok === 'example') {
    const e = exampleById(r.id);
    if (e) store.openDocument(exampleDocument(e, store.get().doc), 'example');
    else store.notify('error', `This link asks for an example '${r.id}' that does not exist.`);
    return;
  }
  if (!r.ok) {
    store.notify('error', `${r.error} Your draft was not touched.`);
    return;
  }
  store.openDocument(r.doc, 'link');
}

async function start(): Promise<void> {
  const st = storage();
  const params = new URLSearchParams(window.location.search);
  const embedPanel = params.get('panel');
  store.set({
    settings: loadSettings(st),
    embed: { enabled: params.get('embed') === '1', readOnly: params.get('ro') === '1', ...(embedPanel ? { panel: embedPanel } : {}) },
  });
  const fallback = exampleById(DEFAULT_EXAMPLE_ID);
  const defaultDoc = { ...DEFAULT_DOCUMENT, source: fallback?.source ?? '', input: fallback?.input ?? '' };
  const initial = await chooseInitialDocument(window.location.hash, st);
  switch (initial.kind) {
    case 'link':
      store.openDocument(initial.doc, 'link');
      if (initial.draftKept) store.notify('info', 'Opened a shared program. Your own draft is kept and comes back when you open the playground without a link.');
      break;
    case 'example': {
      const e = exampleById(initial.id);
      store.openDocument(e ? exampleDocument(e, defaultDoc) : defaultDoc, 'example');
      if (!e) store.notify('error', `This link asks for an example '${initial.id}' that does not exist; showing the default one.`);
      break;
    }
    case 'draft':
      store.openDocument(initial.doc, 'draft');
      break;
    case 'default':
      store.openDocument(defaultDoc, 'default');
      break;
    case 'broken-link':
      store.openDocument(initial.doc ?? defaultDoc, initial.fallback === 'draft' ? 'draft' : 'default');
      store.notify('error', `${initial.error} Your draft was not touched.`);
      break;
  }

  // Autosave: the draft once the user has edited (so opening a link never overwrites it).
  const saver = createDraftSaver(st);
  useStore.subscribe((s, prev) => {
    if (s.doc !== prev.doc && s.editedSinceOpen) {
      saver.schedule(s.doc);
      if (s.origin === 'link' && !prev.editedSinceOpen && window.location.hash) {
        // The draft now holds the truth: a reload must not bring the old link back.
        history.replaceState(null, '', window.location.pathname + window.location.search);
      }
    }
    if (s.settings !== prev.settings) saveSettings(st, s.settings);
  });
  window.addEventListener('pagehide', () => saver.flush());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') saver.flush();
  });

  // A link pasted into the address bar of an open playground: open it like a fresh load
  // (the draft stays untouched until the user edits).
  window.addEventListener('hashchange', () => {
    void openLinkFromHash(window.location.hash);
  });

  const root = document.getElementById('root');
  if (root) {
    createRoot(root).render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  }
  installTestHook();
}

void start();
