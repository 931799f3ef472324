// The editor's contract with the rest of the app (re-exported by index.ts), plus the interface
// the lazily loaded Monaco module implements, so the component can drive it without importing it.

import type { DialectName } from '../../engine/asm/index.ts';

export interface EditorDiagnostic {
  severity: 'error' | 'warning' | 'info';
  message: string;
  code: string;
  /** Where it came from: 'assembler' (main thread), 'verifier'/'loader'/'runtime' (the worker). */
  source: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number; // 1-based, endCol exclusive
  /** Other places the problem concerns (Monaco's relatedInformation): where it began. */
  related?: readonly EditorRelated[];
}

export interface EditorRelated {
  message: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

export interface EditorCommands {
  run(): void;
  step(): void;
  stepOver(): void;
  continue(): void;
  share(): void;
  /** A graded lesson's Check (Ctrl+Shift+Enter); false when no lesson is open (the key keeps its usual meaning). */
  check(): boolean;
}

export interface EditorHandle {
  getValue(): string;
  /** Replaces the whole text (keeps LF line endings). Does not call onChange: it is not a user edit. */
  setValue(text: string): void;
  /** Scrolls to the line and puts the cursor on it, at `col` (1-based) or its start. */
  revealLine(line: number, col?: number): void;
  focus(): void;
  /** Where the cursor is (1-based), when the editor has one. */
  cursor(): { line: number; col: number } | undefined;
  /** The markers currently shown (for tests): one entry per marker. */
  markers(): EditorDiagnostic[];
  /** True once Monaco replaced the static view. */
  isMonacoReady(): boolean;
}

export interface CodeEditorProps {
  /** Uncontrolled: later changes come through the handle's setValue. */
  initialValue: string;
  /** The effective dialect of the text (for hovers/completions). */
  dialect: DialectName;
  theme: 'light' | 'dark';
  readOnly?: boolean;
  diagnostics: readonly EditorDiagnostic[];
  /** 1-based source lines with a breakpoint. */
  breakpoints: readonly number[];
  /** Line of the instruction about to execute while stepping. */
  currentLine?: number;
  /** Names of the program's .map declarations, for completions. */
  mapNames: readonly string[];
  /** Ctrl/Cmd+Enter (run), F10 (step over), F11 (step), F5 (continue), Ctrl/Cmd+S (share). */
  commands: EditorCommands;
  /** Every edit (the app debounces). */
  onChange(text: string): void;
  onToggleBreakpoint(line: number): void;
  ariaLabel?: string;
}

/** What the Monaco module needs at creation; later changes go through the controller's setters. */
export interface MonacoEditorOptions {
  readonly value: string;
  readonly dialect: DialectName;
  readonly theme: 'light' | 'dark';
  readonly readOnly: boolean;
  readonly ariaLabel: string;
  readonly mapNames: readonly string[];
  readonly scrollTop: number;
  /** Read at call time, so the latest props' callbacks always run. */
  readonly commands: () => EditorCommands;
  readonly onChange: (text: string) => void;
  readonly onToggleBreakpoint: (line: number) => void;
}

/** One live Monaco editor, as the component sees it (implemented in monaco-editor.ts). */
export interface MonacoController {
  getValue(): string;
  setValue(text: string): void;
  revealLine(line: number, col?: number): void;
  focus(): void;
  cursor(): { line: number; col: number } | undefined;
  markers(): EditorDiagnostic[];
  setDiagnostics(diagnostics: readonly EditorDiagnostic[]): void;
  setBreakpoints(lines: readonly number[]): void;
  setCurrentLine(line: number | undefined): void;
  setTheme(theme: 'light' | 'dark'): void;
  setReadOnly(readOnly: boolean): void;
  setAriaLabel(label: string): void;
  setLanguageContext(dialect: DialectName, mapNames: readonly string[]): void;
  dispose(): void;
}
