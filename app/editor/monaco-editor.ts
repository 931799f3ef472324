// The lazily imported Monaco chunk: the minimal editor core plus the features we use, the
// editor worker, and `createMonacoEditor`, which builds one editor and the controller the
// CodeEditor component drives. Nothing outside this file and monaco-language.ts touches Monaco
// at run time.

import { editor, KeyCode, KeyMod, Range, Uri, type IDisposable } from 'monaco-editor/editor';
import 'monaco-editor/features/hover/register';
import 'monaco-editor/features/suggest/register';
// features/suggest/register lacks the controller in 0.56–0.57: without it Ctrl+Space shows nothing.
import 'monaco-editor/editor/contrib/suggest/browser/suggestController.js';
import 'monaco-editor/features/gotoError/register';
import 'monaco-editor/features/find/register';
import 'monaco-editor/features/bracketMatching/register';
import 'monaco-editor/features/comment/register';
import 'monaco-editor/features/toggleTabFocusMode/register';
import 'monaco-editor/features/wordOperations/register';
import 'monaco-editor/features/readOnlyMessage/register';
import 'monaco-editor/features/codicon/register';
// Ctrl+G (go to line) and F1 (the command palette) are Monaco's own, but only once their
// quick-access features are in the build; without these imports both keys did nothing.
import 'monaco-editor/features/gotoLine/register';
import 'monaco-editor/features/quickCommand/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { expectsName } from './completions.ts';
import { contextOf, fromMarker, registerBpfLanguage, setModelContext, toMarker } from './monaco-language.ts';
import { EDITOR_FONT, MONACO_THEME } from './theme.ts';
import { LANGUAGE_ID } from './tokens.ts';
import type { MonacoController, MonacoEditorOptions } from './types.ts';

// An explicit getWorker: Monaco's own `new URL(…, import.meta.url)` breaks inside Vite's
// pre-bundled dependencies in dev (vitejs/vite#8427). Only the editor worker: no language workers.
self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

let modelCount = 0;
/** Above this many characters (the old text or the new), setValue replaces the model's text instead of editing it. */
const REPLACE_WHOLE_CHARS = 256 * 1024;
const normalize = (text: string): string => text.replace(/\r\n?/g, '\n');

/** A text model made ahead of its editor (prepareModel), so the two costs fall in two tasks. */
export interface PreparedModel {
  readonly model: editor.ITextModel;
  dispose(): void;
}

/**
 * Builds the text model of `value`. A megabyte of source takes a while to index; made in its own
 * task before the editor, neither task keeps the main thread long.
 */
export function prepareModel(value: string): PreparedModel {
  registerBpfLanguage();
  // Unique URIs: StrictMode creates a second editor before the first model is gone.
  const model = editor.createModel(normalize(value), LANGUAGE_ID, Uri.parse(`inmemory://bpf-playground/program-${++modelCount}.bpf.s`));
  model.setEOL(editor.EndOfLineSequence.LF);
  return { model, dispose: () => model.dispose() };
}

/**
 * An editor made without its model (createEditorShell), so that making the widget and laying out
 * the text fall in two tasks: for a 131,000-line link the two were one task of 240 ms at 2.1 GHz.
 */
export interface EditorShell {
  readonly editor: editor.IStandaloneCodeEditor;
  dispose(): void;
}

/** Builds the editor widget, empty; createMonacoEditor gives it its model. */
export function createEditorShell(host: HTMLElement, options: MonacoEditorOptions): EditorShell {
  const ed = editor.create(host, {
    model: null,
    theme: MONACO_THEME[options.theme],
    readOnly: options.readOnly,
    ariaLabel: options.ariaLabel,
    glyphMargin: true,
    lineNumbers: 'on',
    lineDecorationsWidth: 14,
    folding: false,
    minimap: { enabled: false },
    stickyScroll: { enabled: false },
    automaticLayout: true,
    scrollBeyondLastLine: false,
    fontFamily: EDITOR_FONT.family,
    fontSize: EDITOR_FONT.size,
    lineHeight: EDITOR_FONT.lineHeight,
    padding: { top: EDITOR_FONT.paddingTop, bottom: EDITOR_FONT.paddingTop },
    // Hovers and the suggest list escape the panel's overflow clipping.
    fixedOverflowWidgets: true,
    // Enter after a complete `exit` must insert a newline, not re-accept `exit`.
    acceptSuggestionOnEnter: 'smart',
    wordBasedSuggestions: 'off',
    tabSize: 8,
    insertSpaces: false,
    // Bracket pairs are indexed over the whole text from its tokens, so a megabyte of source was
    // tokenized in full in one task; eBPF assembly has few brackets worth colouring.
    bracketPairColorization: { enabled: false },
    guides: { bracketPairs: false, bracketPairsHorizontal: false, highlightActiveBracketPair: false },
    // Matching the bracket at the cursor builds the same index over the whole text at the next
    // render (30 ms for 131,000 lines); `*(u32 *)(r1 + 16)` needs no help to match.
    matchBrackets: 'never',
  });
  return { editor: ed, dispose: () => ed.dispose() };
}

/**
 * Builds the editor on `prepared` (made by prepareModel; brought up to `options.value` if the
 * text moved on since) or on a new model, in `shell` (made by createEditorShell) or a new one.
 */
export function createMonacoEditor(host: HTMLElement, options: MonacoEditorOptions, prepared?: PreparedModel, shell?: EditorShell): MonacoController {
  const model = (prepared ?? prepareModel(options.value)).model;
  if (prepared && model.getValue(editor.EndOfLinePreference.LF) !== normalize(options.value)) model.setValue(normalize(options.value));
  setModelContext(model, { dialect: options.dialect, mapNames: options.mapNames });

  const ed = (shell ?? createEditorShell(host, options)).editor;
  ed.setModel(model);
  ed.setScrollTop(options.scrollTop);

  const disposables: IDisposable[] = [];
  // The model's own bracket colorization (Monaco's model service sets it on, from its defaults,
  // at every configuration change, whatever the editor's bracketPairColorization says) indexes
  // every bracket of the text at each render after a change: 30 ms of one task for a
  // 131,000-line document opened from a link. Kept off on this model.
  const bracketsOff = (): void => {
    if (model.getOptions().bracketPairColorizationOptions.enabled) model.updateOptions({ bracketColorizationOptions: { enabled: false, independentColorPoolPerBracketType: false } });
  };
  bracketsOff();
  disposables.push(model.onDidChangeOptions(bracketsOff));
  let applyingSetValue = false;
  disposables.push(
    model.onDidChangeContent((e) => {
      if (applyingSetValue) return;
      performance.mark('bpfp:edit');
      options.onChange(model.getValue(editor.EndOfLinePreference.LF));
      const typed = e.changes.length === 1 && !e.isUndoing && !e.isRedoing ? e.changes[0] : undefined;
      if (typed && typed.rangeLength === 0 && (typed.text === ' ' || typed.text === '\t')) afterSpace();
    }),
  );

  // Monaco keeps the list it opened at the start of a line while the user types on, so
  // `goto l` would go on matching `gotol …` and Enter would write `gotol`. After a space the
  // list is asked for afresh where a name comes next (labels after `goto `), closed elsewhere.
  const afterSpace = (): void => {
    // After Monaco's own handling of this keystroke (same task), before the next one.
    queueMicrotask(() => {
      const p = ed.getPosition();
      if (!p || ed.getModel() !== model) return;
      const before = model.getLineContent(p.lineNumber).slice(0, p.column - 1);
      const { dialect } = contextOf(model);
      // Showing, the list is closed first: Monaco's trigger action is disabled while it shows.
      ed.trigger('bpf', 'hideSuggestWidget', {});
      if (expectsName(before, dialect)) ed.trigger('bpf', 'editor.action.triggerSuggest', {});
    });
  };

  // addAction rather than addCommand: an action's keybinding is scoped to this editor and goes
  // away with it, while addCommand's outlives a StrictMode-disposed editor.
  const bind = (id: string, label: string, keybinding: number, run: () => void): void => {
    disposables.push(ed.addAction({ id: `bpf.${id}`, label, keybindings: [keybinding], run }));
  };
  bind('run', 'Run', KeyMod.CtrlCmd | KeyCode.Enter, () => options.commands().run());
  bind('stepOver', 'Step over', KeyCode.F10, () => options.commands().stepOver());
  bind('step', 'Step', KeyCode.F11, () => options.commands().step());
  bind('continue', 'Continue', KeyCode.F5, () => options.commands().continue());
  bind('share', 'Copy share link', KeyMod.CtrlCmd | KeyCode.KeyS, () => options.commands().share());
  // Without a lesson open, the key is Monaco's "insert line above" as before.
  bind('check', 'Check the lesson', KeyMod.CtrlCmd | KeyMod.Shift | KeyCode.Enter, () => {
    if (!options.commands().check()) ed.trigger('keyboard', 'editor.action.insertLineBefore', null);
  });

  const breakpoints = ed.createDecorationsCollection();
  const hint = ed.createDecorationsCollection();
  const current = ed.createDecorationsCollection();
  let breakpointLines = new Set<number>();
  const GUTTER = new Set([editor.MouseTargetType.GUTTER_GLYPH_MARGIN, editor.MouseTargetType.GUTTER_LINE_NUMBERS, editor.MouseTargetType.GUTTER_LINE_DECORATIONS]);
  disposables.push(
    ed.onMouseDown((e) => {
      const line = e.target.position?.lineNumber;
      if (e.event.leftButton && GUTTER.has(e.target.type) && line !== undefined) options.onToggleBreakpoint(line);
    }),
    // A faint dot where a click would add a breakpoint.
    ed.onMouseMove((e) => {
      const line = e.target.position?.lineNumber;
      if (e.target.type !== editor.MouseTargetType.GUTTER_GLYPH_MARGIN || line === undefined || breakpointLines.has(line)) {
        hint.clear();
        return;
      }
      hint.set([
        {
          range: new Range(line, 1, line, 1),
          options: { glyphMarginClassName: 'bpf-breakpoint-glyph bpf-breakpoint-hint', glyphMarginHoverMessage: { value: `Click to set a breakpoint on line ${line}` } },
        },
      ]);
    }),
    ed.onMouseLeave(() => hint.clear()),
  );

  let owners = new Set<string>();

  return {
    getValue: () => model.getValue(editor.EndOfLinePreference.LF),
    setValue(text) {
      applyingSetValue = true;
      try {
        if (text.length > REPLACE_WHOLE_CHARS || model.getValueLength() > REPLACE_WHOLE_CHARS) {
          // A document this large (opened from a link or a file) replaces the text outright: as
          // one undoable edit, a 131,000-line program took one task of 180–240 ms at 2.1 GHz.
          // Undo does not bring the previous document back; the drafts keep it.
          model.setValue(normalize(text));
        } else {
          ed.pushUndoStop();
          model.pushEditOperations([], [{ range: model.getFullModelRange(), text: normalize(text) }], () => null);
          ed.pushUndoStop();
        }
      } finally {
        applyingSetValue = false;
      }
      ed.setPosition({ lineNumber: 1, column: 1 });
      ed.setScrollTop(0);
    },
    revealLine(line, col = 1) {
      ed.revealPositionInCenterIfOutsideViewport({ lineNumber: line, column: col });
      ed.setPosition({ lineNumber: line, column: col });
    },
    focus: () => ed.focus(),
    cursor() {
      const p = ed.getPosition();
      return p ? { line: p.lineNumber, col: p.column } : undefined;
    },
    markers: () => editor.getModelMarkers({ resource: model.uri }).map(fromMarker),
    setDiagnostics(diagnostics) {
      // One owner per source, so a verifier run never clears the assembler's markers.
      const bySource = new Map<string, editor.IMarkerData[]>();
      for (const d of diagnostics) bySource.set(d.source, [...(bySource.get(d.source) ?? []), toMarker(d, model.uri)]);
      for (const owner of owners) if (!bySource.has(owner)) editor.setModelMarkers(model, owner, []);
      for (const [owner, markers] of bySource) editor.setModelMarkers(model, owner, markers);
      owners = new Set(bySource.keys());
      performance.mark('bpfp:markers');
    },
    setBreakpoints(lines) {
      breakpointLines = new Set(lines);
      hint.clear();
      breakpoints.set(
        lines.map((line) => ({
          range: new Range(line, 1, line, 1),
          options: {
            glyphMarginClassName: 'bpf-breakpoint-glyph',
            glyphMarginHoverMessage: { value: `Breakpoint on line ${line} (click to remove)` },
            stickiness: editor.TrackedRangeStickiness.NeverGrowsWhenTypingAtEdges,
          },
        })),
      );
    },
    setCurrentLine(line) {
      if (line === undefined) {
        current.clear();
        return;
      }
      current.set([
        {
          range: new Range(line, 1, line, 1),
          options: { isWholeLine: true, className: 'bpf-current-line', linesDecorationsClassName: 'bpf-current-arrow', hoverMessage: { value: 'Next instruction to execute' } },
        },
      ]);
      ed.revealLineInCenterIfOutsideViewport(line);
    },
    setTheme: (theme) => editor.setTheme(MONACO_THEME[theme]),
    setReadOnly: (readOnly) => ed.updateOptions({ readOnly }),
    setAriaLabel: (ariaLabel) => ed.updateOptions({ ariaLabel }),
    setLanguageContext: (dialect, mapNames) => setModelContext(model, { dialect, mapNames }),
    dispose() {
      for (const d of disposables) d.dispose();
      for (const owner of owners) editor.setModelMarkers(model, owner, []);
      ed.dispose();
      model.dispose();
    },
  };
}
