// Registers the `bpf` language with Monaco once per page: grammar, themes, configuration, hover
// and completion providers. Providers are global per language, so each model's dialect and map
// names live in a registry the providers consult. Loaded only with the Monaco chunk.

import { editor, languages, MarkerSeverity, Range, type IDisposable, type Position, type Uri } from 'monaco-editor/editor';
import type { DialectName } from '../../engine/asm/index.ts';
import { completionsAt, expectsName, labelsIn, WORD_PATTERN, type CompletionKind } from './completions.ts';
import { hoverAt } from './hovers.ts';
import { monacoTheme, MONACO_THEME } from './theme.ts';
import { LANGUAGE_ID, monarchLanguage, stateAfterLine, type LexState } from './tokens.ts';
import type { EditorDiagnostic } from './types.ts';

export interface ModelContext {
  dialect: DialectName;
  mapNames: readonly string[];
}

const contexts = new WeakMap<editor.ITextModel, ModelContext>();

export function setModelContext(model: editor.ITextModel, context: ModelContext): void {
  contexts.set(model, context);
}

export function contextOf(model: editor.ITextModel): ModelContext {
  return contexts.get(model) ?? { dialect: 'llvm', mapNames: [] };
}

const KIND: Readonly<Record<CompletionKind, languages.CompletionItemKind>> = {
  instruction: languages.CompletionItemKind.Snippet,
  register: languages.CompletionItemKind.Variable,
  function: languages.CompletionItemKind.Function,
  map: languages.CompletionItemKind.Module,
  field: languages.CompletionItemKind.Field,
  struct: languages.CompletionItemKind.Struct,
  directive: languages.CompletionItemKind.Keyword,
  label: languages.CompletionItemKind.Reference,
};

/**
 * Lexer states at line starts (inside a block comment or not), kept per model and extended as
 * far as asked: hovers and completions (asked at every keystroke) do not re-read the lines
 * above the cursor each time. An edit keeps the states of the lines above it.
 */
const lineStates = new WeakMap<editor.ITextModel, { states: LexState[]; listener: IDisposable }>();

function stateAt(model: editor.ITextModel, lineNumber: number): LexState {
  let entry = lineStates.get(model);
  if (!entry) {
    const states: LexState[] = ['root'];
    const listener = model.onDidChangeContent((e) => {
      const first = Math.min(...e.changes.map((c) => c.range.startLineNumber));
      // The state before line n depends on lines 1..n-1 only.
      if (states.length > first) states.length = first;
    });
    entry = { states, listener };
    lineStates.set(model, entry);
    model.onWillDispose(() => listener.dispose());
  }
  const { states } = entry;
  const last = Math.min(lineNumber, model.getLineCount());
  while (states.length < last) {
    const n = states.length;
    states.push(stateAfterLine(model.getLineContent(n), states[n - 1] ?? 'root'));
  }
  return states[last - 1] ?? 'root';
}

/** Lines longer than this get no hover or completion: tokenizing a line of a million characters per request would freeze the editor. */
const MAX_ASSIST_LINE = 10_000;

function provideHover(model: editor.ITextModel, position: Position): languages.Hover | null {
  const line = position.lineNumber;
  if (model.getLineLength(line) > MAX_ASSIST_LINE) return null;
  const state = stateAt(model, line);
  const { dialect, mapNames } = contextOf(model);
  const h = hoverAt(model.getLineContent(line), position.column, dialect, state, mapNames);
  if (!h) return null;
  return { range: new Range(line, h.startCol, line, h.endCol), contents: h.contents.map((value) => ({ value })) };
}

const labelCache = new WeakMap<editor.ITextModel, { version: number; labels: readonly string[] }>();

/** The model's labels, found again only when the text changed (completions are asked per keystroke). */
function labelsOf(model: editor.ITextModel): readonly string[] {
  const version = model.getVersionId();
  const cached = labelCache.get(model);
  if (cached?.version === version) return cached.labels;
  const labels = labelsIn(model.getValue());
  labelCache.set(model, { version, labels });
  return labels;
}

function provideCompletions(model: editor.ITextModel, position: Position): languages.CompletionList {
  const { dialect, mapNames } = contextOf(model);
  const line = position.lineNumber;
  if (position.column > MAX_ASSIST_LINE) return { suggestions: [] };
  const word = model.getWordUntilPosition(position);
  const range = new Range(line, word.startColumn, line, word.endColumn);
  const before = model.getLineContent(line).slice(0, position.column - 1);
  // Finding the labels reads the whole text: only where a label can come next.
  const wantsLabels = expectsName(before.slice(0, before.length - word.word.length), dialect);
  const items = completionsAt({
    before,
    dialect,
    mapNames,
    labels: wantsLabels ? labelsOf(model) : [],
    state: stateAt(model, line),
  });
  return {
    // What fits depends on the whole line before the cursor, not on the word alone: after
    // `goto ` come labels, not `gotol`. Incomplete makes Monaco ask again as the user types
    // instead of filtering the list it got at the start of the line.
    incomplete: true,
    suggestions: items.map((item) => ({
      label: item.label,
      kind: KIND[item.kind],
      insertText: item.insertText,
      insertTextRules: item.snippet ? languages.CompletionItemInsertTextRule.InsertAsSnippet : languages.CompletionItemInsertTextRule.None,
      range,
      sortText: item.sortText,
      ...(item.filterText ? { filterText: item.filterText } : {}),
      ...(item.detail ? { detail: item.detail } : {}),
      ...(item.documentation ? { documentation: { value: item.documentation } } : {}),
      ...(item.retrigger ? { command: { id: 'editor.action.triggerSuggest', title: 'Suggest' } } : {}),
    })),
  };
}

let registered: IDisposable[] | undefined;

/** Idempotent: React StrictMode mounts twice, and duplicate providers duplicate every hover. */
export function registerBpfLanguage(): void {
  if (registered) return;
  languages.register({ id: LANGUAGE_ID, extensions: ['.bpf.s'], aliases: ['BPF assembly', 'bpf'] });
  editor.defineTheme(MONACO_THEME.light, monacoTheme('light'));
  editor.defineTheme(MONACO_THEME.dark, monacoTheme('dark'));
  registered = [
    languages.setLanguageConfiguration(LANGUAGE_ID, {
      comments: { lineComment: '#', blockComment: ['/*', '*/'] },
      brackets: [
        ['(', ')'],
        ['[', ']'],
      ],
      autoClosingPairs: [
        { open: '(', close: ')' },
        { open: '[', close: ']' },
        { open: '"', close: '"', notIn: ['string', 'comment'] },
      ],
      surroundingPairs: [
        { open: '(', close: ')' },
        { open: '[', close: ']' },
        { open: '"', close: '"' },
      ],
      wordPattern: WORD_PATTERN,
    }),
    languages.setMonarchTokensProvider(LANGUAGE_ID, monarchLanguage()),
    languages.registerHoverProvider(LANGUAGE_ID, { provideHover }),
    languages.registerCompletionItemProvider(LANGUAGE_ID, { triggerCharacters: ['.', '%'], provideCompletionItems: provideCompletions }),
  ];
}

const SEVERITY: Readonly<Record<EditorDiagnostic['severity'], MarkerSeverity>> = {
  error: MarkerSeverity.Error,
  warning: MarkerSeverity.Warning,
  info: MarkerSeverity.Info,
};

export function toMarker(d: EditorDiagnostic, resource?: Uri): editor.IMarkerData {
  return {
    ...(resource && d.related?.length
      ? { relatedInformation: d.related.map((r) => ({ resource, message: r.message, startLineNumber: r.line, startColumn: r.col, endLineNumber: r.endLine, endColumn: r.endCol })) }
      : {}),
    severity: SEVERITY[d.severity],
    message: d.message,
    source: d.source,
    ...(d.code ? { code: d.code } : {}),
    startLineNumber: d.line,
    startColumn: d.col,
    endLineNumber: d.endLine,
    endColumn: d.endCol,
  };
}

export function fromMarker(m: editor.IMarker): EditorDiagnostic {
  const severity = m.severity === MarkerSeverity.Error ? 'error' : m.severity === MarkerSeverity.Warning ? 'warning' : 'info';
  const code = typeof m.code === 'string' ? m.code : (m.code?.value ?? '');
  return {
    severity,
    message: m.message,
    code,
    source: m.source ?? m.owner,
    line: m.startLineNumber,
    col: m.startColumn,
    endLine: m.endLineNumber,
    endCol: m.endColumn,
    ...(m.relatedInformation?.length
      ? { related: m.relatedInformation.map((r) => ({ message: r.message, line: r.startLineNumber, col: r.startColumn, endLine: r.endLineNumber, endCol: r.endColumn })) }
      : {}),
  };
}
