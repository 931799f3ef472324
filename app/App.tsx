// The layout: toolbar, editor beside the panels, notices and a status bar; in embed mode the
// editor and one panel. Wires the editor to the store; the rest lives in actions and panels.

import { useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ACTIONS, escape } from './actions.ts';
import { checkLesson, openLessonOf } from './lessons/graded.ts';
import { Notices } from './components/Notices.tsx';
import { PanelArea } from './components/PanelArea.tsx';
import { SplitView } from './components/SplitView.tsx';
import { Toolbar } from './components/Toolbar.tsx';
import { EmbedBar } from './components/EmbedBar.tsx';
import { DEFAULT_EMBED_PANEL } from './embed.ts';
import { ErrorBoundary, PanelFailed } from './components/ErrorBoundary.tsx';
import { LessonPane } from './components/LessonPane.tsx';
import { CodeEditor, type EditorHandle } from './editor/index.ts';
import { registerReveal, revealInCView } from './editor-bridge.ts';
import { registerEditor } from './test-hook.ts';
import { selectBreakpoints, selectCurrentLine, selectEditor, selectEmbed, selectMapNames, selectProblems, selectStatusBar, selectTheme } from './state/selectors.ts';
import { store, useStore, type PlaygroundState } from './state/store.ts';
import { openFiles } from './commands.ts';
import { CSourceView } from './components/CSourceView.tsx';
import { cViewState } from './share/c-view.ts';

function useResolvedTheme(): 'light' | 'dark' {
  const theme = useStore(selectTheme);
  const [system, setSystem] = useState<'light' | 'dark'>(() => (window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  useEffect(() => {
    const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
    if (!mq) return;
    const on = () => setSystem(mq.matches ? 'dark' : 'light');
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  const resolved = theme === 'system' ? system : theme;
  useEffect(() => {
    document.documentElement.dataset['theme'] = resolved;
  }, [resolved]);
  return resolved;
}

const commands = {
  run: () => void ACTIONS.run.perform(),
  step: () => void ACTIONS.step.perform(),
  stepOver: () => void ACTIONS.stepOver.perform(),
  continue: () => void ACTIONS.continue.perform(),
  share: () => {
    if (store.get().settings.shareShortcut) void ACTIONS.share.perform();
  },
  // A graded lesson's Check (false when none is open).
  check: () => {
    if (!openLessonOf(store.get())) return false;
    void checkLesson();
    return true;
  },
};

/** Shortcuts when the focus is outside the editor (inside, the editor binds the same keys). */
function useGlobalKeys(): void {
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.shiftKey && e.key === 'Enter') commands.check();
      else if (mod && e.key === 'Enter') commands.run();
      else if (mod && (e.key === 's' || e.key === 'S')) commands.share();
      else if (e.key === 'F5') commands.continue();
      else if (e.key === 'F10') commands.stepOver();
      else if (e.key === 'F11') commands.step();
      else if (e.key === 'Escape') {
        // Something else (a menu, Monaco's suggest list) already used this Esc.
        if (e.defaultPrevented || !escape()) return;
      } else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, []);
}

/** Texts longer than this are put into the editor in a later task (see the effect below). */
const DEFER_EDITOR_TEXT_CHARS = 16 * 1024;

function Editor({ theme }: { theme: 'light' | 'dark' }) {
  const editor = useRef<EditorHandle>(null);
  const { docVersion, source, dialect, readOnly } = useStore(useShallow(selectEditor));
  const problems = useStore(useShallow(selectProblems));
  const breakpoints = useStore(selectBreakpoints);
  const currentLine = useStore(selectCurrentLine);
  const mapNames = useStore(useShallow(selectMapNames));
  const latest = useRef('');
  const scheduled = useRef(false);
  // The document was replaced (example, file, link): put its text into the editor. Edits do
  // not bump docVersion, so typing never pushes text back into the editor.
  const opened = useRef({ version: -1, text: '' });
  if (opened.current.version !== docVersion) opened.current = { version: docVersion, text: source };
  const initial = opened.current.text;
  useEffect(() => {
    const e = editor.current;
    if (!e || e.getValue() === initial) return;
    if (initial.length <= DEFER_EDITOR_TEXT_CHARS) return e.setValue(initial);
    // A large text goes into the editor in a task of its own, not in the one that rendered the
    // document (a megabyte pasted as a link made one task of 240 ms; 65 KB with 30,000 problems, 230 ms).
    const t = setTimeout(() => {
      const now = editor.current;
      if (now && now.getValue() !== initial) now.setValue(initial);
    }, 0);
    return () => clearTimeout(t);
  }, [docVersion, initial]);
  useEffect(() => {
    registerReveal((line, col) => {
      // The C view shows the line's C line; an instruction on no C line is shown in the assembly.
      if (revealInCView(line)) return;
      const c = store.get().doc.c;
      if (c?.view === 'c') {
        showView('asm');
        // After the assembly editor is shown again (it lays itself out on the next frame).
        setTimeout(() => {
          editor.current?.revealLine(line, col);
          editor.current?.focus();
        }, 50);
        return;
      }
      editor.current?.revealLine(line, col);
      editor.current?.focus();
    });
    registerEditor(() => editor.current ?? undefined);
    return () => {
      registerReveal(undefined);
      registerEditor(() => undefined);
    };
  }, []);
  return (
    <CodeEditor
      ref={editor}
      initialValue={initial}
      dialect={dialect}
      theme={theme}
      readOnly={readOnly}
      diagnostics={problems}
      breakpoints={breakpoints}
      {...(currentLine === undefined ? {} : { currentLine })}
      mapNames={mapNames}
      commands={commands}
      onChange={(text) => {
        // Assemble right after the editor's own handling of the edit (a microtask, not a timer:
        // timers fire late while the editor renders). Edits of one task coalesce; assembling
        // 1,000 lines takes a few milliseconds, so there is no need to debounce further.
        latest.current = text;
        if (scheduled.current) return;
        scheduled.current = true;
        queueMicrotask(() => {
          scheduled.current = false;
          if (latest.current !== store.get().doc.source) store.updateDocument({ source: latest.current });
        });
      }}
      onToggleBreakpoint={(line) => store.toggleBreakpoint(line)}
      ariaLabel="eBPF program. Ctrl+Enter runs, F11 steps, F10 steps over, F5 continues. Press Ctrl+M (Ctrl+Shift+M on macOS) to let Tab move the focus."
    />
  );
}

/** The editor threw: the text stays editable in a plain field until the editor is reloaded. */
function EditorFailed({ error, retry }: { error: string; retry: () => void }) {
  return (
    <div className="failed editor-failed" role="alert" data-testid="editor-failed">
      <p>
        <strong>The editor failed:</strong> {error}
      </p>
      <label htmlFor="editor-fallback" className="hint">
        Your program, still saved as you edit it:
      </label>
      <textarea id="editor-fallback" className="mono" spellCheck={false} defaultValue={store.get().doc.source} onChange={(e) => store.updateDocument({ source: e.target.value })} />
      <button type="button" onClick={retry}>
        Reload editor
      </button>
    </div>
  );
}

function SafeEditor({ theme }: { theme: 'light' | 'dark' }) {
  return (
    <ErrorBoundary fallback={(error, retry) => <EditorFailed error={error} retry={retry} />}>
      <EditorArea theme={theme} />
    </ErrorBoundary>
  );
}

const selectCSource = (s: PlaygroundState) => ({ source: s.doc.source, c: s.doc.c });

/** Shows the C view or the assembly (the document's `c.view`), as a view choice (not an edit). */
function showView(view: 'c' | 'asm'): void {
  const doc = store.get().doc;
  if (doc.c && doc.c.view !== view) store.set({ doc: { ...doc, c: { ...doc.c, view } } });
}

/**
 * The editor, or for a program opened from an object with line info its C view, with the
 * assembly (what runs, editable) one click away. The assembly editor stays mounted under the
 * C view, so switching keeps its scroll, undo and selection.
 */
function EditorArea({ theme }: { theme: 'light' | 'dark' }) {
  const { source, c } = useStore(useShallow(selectCSource));
  const state = useMemo(() => cViewState({ source, ...(c ? { c } : {}) }), [source, c]);
  if (!state) return <Editor theme={theme} />;
  const model = state.view === 'c' && state.available ? state.model : undefined;
  return (
    <div className="editor-area">
      <div className="editor-views" role="group" aria-label="Show the program as">
        <button type="button" aria-pressed={!!model} disabled={!state.available} onClick={() => showView('c')} title={state.available ? `The C source, ${state.file}, with breakpoints and stepping by C line` : 'The assembly was edited: it is the program now. Undo the edits to see the C view again.'}>
          C · {state.file}
        </button>
        <button type="button" aria-pressed={!model} onClick={() => showView('asm')} title="The assembly that runs, editable, each C line a comment above its instructions">
          Assembly
        </button>
        {!state.available ? (
          <span className="hint" data-testid="c-view-off">
            Edited: the program is assembly now (undo the edits to see the C view again).
          </span>
        ) : null}
      </div>
      {model ? <CSourceView model={model} asmText={source} theme={theme} /> : null}
      <div className="editor-area-asm" hidden={!!model}>
        <Editor theme={theme} />
      </div>
    </div>
  );
}

function StatusBar() {
  const { busy, live, program, debug, stale } = useStore(useShallow(selectStatusBar));
  const errors = program.problems.filter((p) => p.severity === 'error').length;
  // More problems than the program keeps: the count is a floor.
  const more = program.problemCount > program.problems.length ? '+' : '';
  return (
    <footer className="statusbar">
      <output aria-live="polite" data-testid="run-status">
        {busy === 'running'
          ? `Running… ${(live?.insns ?? 0).toLocaleString('en-US')} instructions`
          : busy === 'loading'
            ? 'Loading…'
            : stale
              ? 'The program changed; the next Step starts from the beginning'
              : debug
                ? `${debug.status}${debug.r0 ? `, r0 = ${debug.r0}` : ''}`
                : 'Ready'}
      </output>
      <span>
        {program.pending
          ? 'Checking the program in the background (it is large)…'
          : `${program.dialect === 'llvm' ? 'LLVM dialect' : 'ubpf dialect'} · ${program.section ? `${(program.section.bytes.length / 8).toLocaleString('en-US')} slots` : 'no program'} · ${errors ? `${errors.toLocaleString('en-US')}${more} error${errors > 1 || more ? 's' : ''}` : 'no errors'}`}
      </span>
    </footer>
  );
}

/** A file dropped anywhere on the page opens as the toolbar's Open… would open it (captured before the editor sees it). */
function useFileDrop(enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    const hasFiles = (e: DragEvent): boolean => e.dataTransfer?.types.includes('Files') ?? false;
    const over = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const drop = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.stopPropagation();
      // A .o with its .c beside it opens with the whole C file in its C view.
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length) void openFiles(files);
    };
    window.addEventListener('dragover', over, true);
    window.addEventListener('drop', drop, true);
    return () => {
      window.removeEventListener('dragover', over, true);
      window.removeEventListener('drop', drop, true);
    };
  }, [enabled]);
}

export function App() {
  const theme = useResolvedTheme();
  const embed = useStore(selectEmbed);
  useGlobalKeys();
  useFileDrop(!embed.enabled);
  if (embed.enabled) {
    return (
      <div className="app embed">
        <EmbedBar />
        <main className="embed-main">
          <section className="pane pane-editor" aria-label="Editor">
            <SafeEditor theme={theme} />
          </section>
          <section className="pane pane-panels" aria-label="Panel">
            <PanelArea only={embed.panel ?? DEFAULT_EMBED_PANEL} />
          </section>
        </main>
        <Notices />
      </div>
    );
  }
  return (
    <div className="app">
      <header className="topbar">
        <h1>BPF Playground</h1>
        <Toolbar />
      </header>
      <main className="main">
        <SplitView
          left={<SafeEditor theme={theme} />}
          right={
            <div className="side">
              <ErrorBoundary fallback={(error, retry) => <PanelFailed title="Lesson" error={error} retry={retry} />}>
                <LessonPane />
              </ErrorBoundary>
              <PanelArea />
            </div>
          }
        />
      </main>
      <StatusBar />
      <Notices />
    </div>
  );
}
