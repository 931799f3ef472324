// The code editor component: paints the program as static highlighted text at once, then loads
// the Monaco chunk (on idle, or when the user reaches for the code) and swaps it in with the
// same text and scroll position. Phones and narrow screens get a plain textarea instead,
// because Monaco does not support them. One handle works in all three states.

import {
  forwardRef,
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
  useSyncExternalStore,
  type KeyboardEvent,
} from 'react';
import { editorAriaLabel } from './static-model.ts';
import { StaticView } from './StaticView.tsx';
import { editorCss, EDITOR_FONT } from './theme.ts';
import type { CodeEditorProps, EditorCommands, EditorHandle, MonacoController, MonacoEditorOptions } from './types.ts';

const EDITOR_CSS = editorCss();
const DEFAULT_LABEL = 'BPF program editor';
/** Where Monaco gives way to the textarea (its README: phones are not supported). */
export const NARROW_QUERY = '(max-width: 599px), (pointer: coarse)';

const normalize = (text: string): string => text.replace(/\r\n?/g, '\n');

function subscribeNarrow(onChange: () => void): () => void {
  if (typeof window === 'undefined' || !window.matchMedia) return () => undefined;
  const mq = window.matchMedia(NARROW_QUERY);
  mq.addEventListener('change', onChange);
  return () => mq.removeEventListener('change', onChange);
}
const isNarrow = (): boolean => typeof window !== 'undefined' && !!window.matchMedia && window.matchMedia(NARROW_QUERY).matches;

/** The same shortcuts as inside Monaco, for the textarea. */
function commandForKey(e: KeyboardEvent, commands: EditorCommands): (() => void) | undefined {
  const mod = e.ctrlKey || e.metaKey;
  if (mod && e.shiftKey && e.key === 'Enter') return () => void commands.check();
  if (mod && e.key === 'Enter') return () => commands.run();
  if (mod && e.key.toLowerCase() === 's') return () => commands.share();
  if (e.key === 'F10') return () => commands.stepOver();
  if (e.key === 'F11') return () => commands.step();
  if (e.key === 'F5') return () => commands.continue();
  return undefined;
}

export const CodeEditor = forwardRef<EditorHandle, CodeEditorProps>(function CodeEditor(props, ref) {
  const narrow = useSyncExternalStore(subscribeNarrow, isNarrow, () => false);
  const [monacoFailed, setMonacoFailed] = useState(false);
  const useTextarea = narrow || monacoFailed;

  const propsRef = useRef(props);
  useLayoutEffect(() => {
    propsRef.current = props;
  });
  // The text until Monaco owns it, and a copy of it afterwards (kept by onChange).
  const textRef = useRef(normalize(props.initialValue));
  const [staticText, setStaticText] = useState(textRef.current);
  const controllerRef = useRef<MonacoController | null>(null);
  const readyRef = useRef(false);
  const [ready, setReady] = useState(false);
  const [loadRequested, setLoadRequested] = useState(false);
  const [previewOpen, setPreviewOpen] = useState(false);
  const hostRef = useRef<HTMLDivElement>(null);
  const staticRef = useRef<HTMLDivElement>(null);
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const pendingReveal = useRef<{ line: number; col: number } | undefined>(undefined);
  const wantFocus = useRef(false);

  const requestLoad = useCallback(() => setLoadRequested(true), []);

  // Leaving the textarea (the window widened): the static view shows what was typed there.
  useEffect(() => {
    if (!useTextarea) setStaticText(textRef.current);
  }, [useTextarea]);

  // Start loading Monaco when the browser is idle, unless the user reaches for the code first.
  useEffect(() => {
    if (useTextarea || loadRequested) return;
    if (typeof window.requestIdleCallback === 'function') {
      const id = window.requestIdleCallback(requestLoad, { timeout: 1500 });
      return () => window.cancelIdleCallback(id);
    }
    const t = window.setTimeout(requestLoad, 200);
    return () => window.clearTimeout(t);
  }, [useTextarea, loadRequested, requestLoad]);

  useEffect(() => {
    if (useTextarea || !loadRequested) return;
    let cancelled = false;
    let frame = 0;
    // Monaco's loading is one long task on every page, link or not: measurements set it apart.
    performance.mark('bpfp:monaco-import');
    // The editor's options from the props of the moment.
    const options = (): MonacoEditorOptions => {
      const p = propsRef.current;
      return {
        value: textRef.current,
        dialect: p.dialect,
        theme: p.theme,
        readOnly: !!p.readOnly,
        ariaLabel: editorAriaLabel(p.ariaLabel),
        mapNames: p.mapNames,
        scrollTop: staticRef.current?.scrollTop ?? 0,
        commands: () => propsRef.current.commands,
        onChange: (text) => {
          textRef.current = text;
          propsRef.current.onChange(text);
        },
        onToggleBreakpoint: (line) => propsRef.current.onToggleBreakpoint(line),
      };
    };
    // Monaco's layers one task apart, then the features and our code: short evaluations.
    import('./monaco-layers.ts')
      .then(({ loadMonacoLayers }) => loadMonacoLayers(() => cancelled))
      .then(() => import('./monaco-editor.ts'))
      .then(async ({ createEditorShell, createMonacoEditor, prepareModel }) => {
        performance.mark('bpfp:monaco-imported');
        if (cancelled) return;
        // The model in this task, the empty editor in the next, the two joined in a third: a
        // megabyte of text made one task of 390 ms (e2e/specs/longest-task.spec.ts); split,
        // none is long.
        const prepared = prepareModel(textRef.current);
        await new Promise((resolve) => setTimeout(resolve, 0));
        let host = hostRef.current;
        if (cancelled || !host) {
          prepared.dispose();
          return;
        }
        const shell = createEditorShell(host, options());
        await new Promise((resolve) => setTimeout(resolve, 0));
        host = hostRef.current;
        if (cancelled || !host) {
          shell.dispose();
          prepared.dispose();
          return;
        }
        const p = propsRef.current;
        const controller = createMonacoEditor(host, options(), prepared, shell);
        // What may have changed while the shell waited for its model.
        controller.setTheme(p.theme);
        controller.setReadOnly(!!p.readOnly);
        controller.setAriaLabel(editorAriaLabel(p.ariaLabel));
        performance.mark('bpfp:monaco-created');
        controller.setDiagnostics(p.diagnostics);
        controller.setBreakpoints(p.breakpoints);
        controller.setCurrentLine(p.currentLine);
        if (pendingReveal.current !== undefined) controller.revealLine(pendingReveal.current.line, pendingReveal.current.col);
        pendingReveal.current = undefined;
        const hadFocus = wantFocus.current || (!!staticRef.current && staticRef.current.contains(document.activeElement));
        controllerRef.current = controller;
        // Swap after Monaco's first frame, so the static view never gives way to an empty box.
        frame = requestAnimationFrame(() => {
          setReady(true);
          if (hadFocus) controller.focus();
          wantFocus.current = false;
        });
      })
      .catch((error: unknown) => {
        // Offline or a failed chunk: keep the program editable in the textarea.
        console.warn('Monaco failed to load; using the plain editor', error);
        if (!cancelled) setMonacoFailed(true);
      });
    return () => {
      cancelled = true;
      cancelAnimationFrame(frame);
      const controller = controllerRef.current;
      if (controller) {
        textRef.current = controller.getValue();
        controller.dispose();
      }
      controllerRef.current = null;
      readyRef.current = false;
      setReady(false);
      setStaticText(textRef.current);
    };
  }, [useTextarea, loadRequested]);

  // Ready means visible: set once React has shown the host, not when the swap was scheduled.
  useLayoutEffect(() => {
    readyRef.current = ready;
  }, [ready]);

  const { diagnostics, breakpoints, currentLine, theme, readOnly, ariaLabel, dialect, mapNames } = props;
  // A layout effect: the markers land in the same frame as the edit that caused them.
  useLayoutEffect(() => {
    if (ready) controllerRef.current?.setDiagnostics(diagnostics);
  }, [ready, diagnostics]);
  useEffect(() => {
    if (ready) controllerRef.current?.setBreakpoints(breakpoints);
  }, [ready, breakpoints]);
  useEffect(() => {
    if (ready) controllerRef.current?.setCurrentLine(currentLine);
  }, [ready, currentLine]);
  useEffect(() => {
    if (ready) controllerRef.current?.setTheme(theme);
  }, [ready, theme]);
  useEffect(() => {
    if (ready) controllerRef.current?.setReadOnly(!!readOnly);
  }, [ready, readOnly]);
  useEffect(() => {
    if (ready) controllerRef.current?.setAriaLabel(editorAriaLabel(ariaLabel));
  }, [ready, ariaLabel]);
  useEffect(() => {
    if (ready) controllerRef.current?.setLanguageContext(dialect, mapNames);
  }, [ready, dialect, mapNames]);

  // In the static view, follow the current line as Monaco would.
  useEffect(() => {
    const view = staticRef.current;
    if (!view || currentLine === undefined || ready) return;
    scrollStaticTo(view, currentLine);
  }, [currentLine, ready]);

  useImperativeHandle(
    ref,
    () => ({
      getValue: () => controllerRef.current?.getValue() ?? textRef.current,
      setValue(text) {
        const t = normalize(text);
        textRef.current = t;
        const controller = controllerRef.current;
        if (controller) controller.setValue(t);
        else {
          if (textareaRef.current) textareaRef.current.value = t;
          setStaticText(t);
        }
      },
      revealLine(line, col = 1) {
        const controller = controllerRef.current;
        if (controller) return controller.revealLine(line, col);
        const textarea = textareaRef.current;
        if (textarea) return revealInTextarea(textarea, line, col);
        pendingReveal.current = { line, col };
        if (staticRef.current) scrollStaticTo(staticRef.current, line);
      },
      cursor() {
        const controller = controllerRef.current;
        if (controller) return controller.cursor();
        const textarea = textareaRef.current;
        if (!textarea) return undefined;
        const before = textarea.value.slice(0, textarea.selectionStart).split('\n');
        return { line: before.length, col: (before[before.length - 1]?.length ?? 0) + 1 };
      },
      focus() {
        const controller = controllerRef.current;
        if (controller) return controller.focus();
        if (textareaRef.current) return textareaRef.current.focus();
        wantFocus.current = true;
        staticRef.current?.focus();
        requestLoad();
      },
      markers: () => controllerRef.current?.markers() ?? propsRef.current.diagnostics.map((d) => ({ ...d })),
      isMonacoReady: () => readyRef.current,
    }),
    [requestLoad],
  );

  const label = ariaLabel ?? DEFAULT_LABEL;
  const style = <style href="bpf-editor-css" precedence="default">{EDITOR_CSS}</style>;

  if (useTextarea) {
    const problems = diagnostics.length;
    return (
      <div className={`bpf-editor bpf-narrow bpf-theme-${theme}`}>
        {style}
        <textarea
          ref={textareaRef}
          className="bpf-textarea"
          aria-label={label}
          defaultValue={textRef.current}
          readOnly={!!readOnly}
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          autoComplete="off"
          wrap="off"
          onChange={(e) => {
            const t = normalize(e.currentTarget.value);
            textRef.current = t;
            if (previewOpen) setStaticText(t);
            propsRef.current.onChange(t);
          }}
          onKeyDown={(e) => {
            const command = commandForKey(e, propsRef.current.commands);
            if (!command) return;
            e.preventDefault();
            command();
          }}
        />
        <details
          className="bpf-preview"
          onToggle={(e) => {
            const open = e.currentTarget.open;
            if (open) setStaticText(textRef.current);
            setPreviewOpen(open);
          }}
        >
          <summary>{`Highlighted view, breakpoints${problems ? ` and ${problems} problem${problems === 1 ? '' : 's'}` : ''}`}</summary>
          {previewOpen ? (
            <StaticView
              text={staticText}
              diagnostics={diagnostics}
              breakpoints={breakpoints}
              currentLine={currentLine}
              label={`${label}: highlighted view`}
              onToggleBreakpoint={(line) => propsRef.current.onToggleBreakpoint(line)}
            />
          ) : null}
        </details>
      </div>
    );
  }

  return (
    <div className={`bpf-editor bpf-theme-${theme}`}>
      {style}
      <div ref={hostRef} className="bpf-editor-host" data-hidden={ready ? 'false' : 'true'} />
      {ready ? null : (
        <StaticView
          text={staticText}
          diagnostics={diagnostics}
          breakpoints={breakpoints}
          currentLine={currentLine}
          label={`${label} (loading the editor)`}
          scrollRef={staticRef}
          onActivate={requestLoad}
        />
      )}
    </div>
  );
});

function scrollStaticTo(view: HTMLElement, line: number): void {
  const top = EDITOR_FONT.paddingTop + (line - 1) * EDITOR_FONT.lineHeight;
  if (top < view.scrollTop || top + EDITOR_FONT.lineHeight > view.scrollTop + view.clientHeight) {
    view.scrollTop = Math.max(0, top - view.clientHeight / 2);
  }
}

function revealInTextarea(textarea: HTMLTextAreaElement, line: number, col: number): void {
  const lines = textarea.value.split('\n');
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += (lines[i]?.length ?? 0) + 1;
  offset += Math.min(Math.max(0, col - 1), lines[line - 1]?.length ?? 0);
  textarea.setSelectionRange(offset, offset);
  const lineHeight = Number.parseFloat(getComputedStyle(textarea).lineHeight) || 22;
  textarea.scrollTop = Math.max(0, (line - 1) * lineHeight - textarea.clientHeight / 2);
}
