// The editor's light and dark palettes: the Monaco themes and the static view's CSS are both
// generated from them, and every token color is checked for WCAG contrast in theme.test.ts.

import type { editor } from 'monaco-editor/editor';
import { TOKEN_TYPES, type TokenType } from './tokens.ts';

export type ThemeName = 'light' | 'dark';

export interface TokenStyle {
  readonly color: string;
  readonly fontStyle?: 'italic' | 'bold';
}

export interface EditorPalette {
  readonly background: string;
  readonly foreground: string;
  readonly lineNumber: string;
  readonly lineNumberActive: string;
  /** Whole-line highlight of the instruction about to execute; tokens must stay readable on it. */
  readonly currentLine: string;
  /** The arrow in front of the current line and the breakpoint dot (non-text: 3:1 suffices). */
  readonly currentMark: string;
  readonly breakpoint: string;
  readonly error: string;
  readonly warning: string;
  readonly info: string;
  readonly tokens: Readonly<Record<TokenType, TokenStyle>>;
}

export const PALETTES: Readonly<Record<ThemeName, EditorPalette>> = {
  light: {
    background: '#ffffff',
    foreground: '#1f2328',
    lineNumber: '#5f6a74',
    lineNumberActive: '#1f2328',
    currentLine: '#fff3b8',
    currentMark: '#9a6700',
    breakpoint: '#cf222e',
    error: '#cf222e',
    warning: '#9a6700',
    info: '#0969da',
    tokens: {
      comment: { color: '#5f6a74', fontStyle: 'italic' },
      label: { color: '#953800', fontStyle: 'bold' },
      directive: { color: '#a0116c' },
      register: { color: '#0550ae' },
      keyword: { color: '#7a2fbf', fontStyle: 'bold' },
      type: { color: '#116329' },
      number: { color: '#0b6265' },
      string: { color: '#8f2a10' },
      function: { color: '#6e4a00' },
      field: { color: '#1d5c8c' },
      operator: { color: '#3d4550' },
      delimiter: { color: '#4b535c' },
      identifier: { color: '#1f2328' },
      invalid: { color: '#c21c1c' },
    },
  },
  dark: {
    background: '#1b1f24',
    foreground: '#e6edf3',
    lineNumber: '#8b949e',
    lineNumberActive: '#e6edf3',
    currentLine: '#3b3514',
    currentMark: '#e3b341',
    breakpoint: '#f85149',
    error: '#f85149',
    warning: '#d29922',
    info: '#58a6ff',
    tokens: {
      comment: { color: '#9aa4ae', fontStyle: 'italic' },
      label: { color: '#ffa657', fontStyle: 'bold' },
      directive: { color: '#ff8fcf' },
      register: { color: '#79c0ff' },
      keyword: { color: '#d2a8ff', fontStyle: 'bold' },
      type: { color: '#7ee787' },
      number: { color: '#56d4dd' },
      string: { color: '#ffab8a' },
      function: { color: '#f0c674' },
      field: { color: '#a5d6ff' },
      operator: { color: '#c9d1d9' },
      delimiter: { color: '#b1bac4' },
      identifier: { color: '#e6edf3' },
      invalid: { color: '#ff7b72' },
    },
  },
};

export const MONACO_THEME: Readonly<Record<ThemeName, string>> = { light: 'bpf-light', dark: 'bpf-dark' };

/** Shared by Monaco and the static view so scroll positions carry over line for line. */
export const EDITOR_FONT = {
  family: "ui-monospace, SFMono-Regular, 'SF Mono', Menlo, Consolas, 'Liberation Mono', monospace",
  size: 14,
  lineHeight: 20,
  paddingTop: 8,
} as const;

const hex = (color: string): string => color.replace(/^#/, '');

export function monacoTheme(name: ThemeName): editor.IStandaloneThemeData {
  const p = PALETTES[name];
  return {
    base: name === 'dark' ? 'vs-dark' : 'vs',
    inherit: true,
    rules: [
      { token: '', foreground: hex(p.foreground), background: hex(p.background) },
      ...TOKEN_TYPES.map((t) => {
        const s = p.tokens[t];
        return { token: t, foreground: hex(s.color), fontStyle: s.fontStyle ?? '' };
      }),
    ],
    colors: {
      'editor.background': p.background,
      'editor.foreground': p.foreground,
      'editorGutter.background': p.background,
      'editorLineNumber.foreground': p.lineNumber,
      'editorLineNumber.activeForeground': p.lineNumberActive,
      // The number of the empty line after a final newline is "dimmed" by default, below 4.5:1.
      'editorLineNumber.dimmedForeground': p.lineNumber,
      'editorError.foreground': p.error,
      'editorWarning.foreground': p.warning,
      'editorInfo.foreground': p.info,
    },
  };
}

/** WCAG 2.x relative luminance of a `#rrggbb` color. */
export function luminance(color: string): number {
  const n = Number.parseInt(hex(color), 16);
  const channels = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (channels[0] ?? 0) + 0.7152 * (channels[1] ?? 0) + 0.0722 * (channels[2] ?? 0);
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

/** CSS class of a token type in the static view. */
export const tokenClass = (type: TokenType): string => `bpf-t-${type}`;

const WAVY = (color: string): string => `text-decoration: underline wavy ${color}; text-decoration-skip-ink: none; text-underline-offset: 3px;`;

/**
 * The static view's CSS (token colors, gutter, diagnostics, breakpoints, current line) and the
 * classes of Monaco's decorations, generated from the palettes so both views match.
 */
export function editorCss(): string {
  const rules: string[] = [
    `.bpf-editor{position:relative;height:100%;min-height:8rem;overflow:hidden}`,
    `.bpf-editor-host{position:absolute;inset:0}`,
    `.bpf-editor-host[data-hidden="true"]{visibility:hidden}`,
    `.bpf-static{position:absolute;inset:0;overflow:auto;margin:0}`,
    `.bpf-static-pre{margin:0;padding:${EDITOR_FONT.paddingTop}px 0;font-family:${EDITOR_FONT.family};font-size:${EDITOR_FONT.size}px;line-height:${EDITOR_FONT.lineHeight}px;white-space:pre;tab-size:4;min-width:max-content}`,
    `.bpf-line{display:block;min-height:${EDITOR_FONT.lineHeight}px}`,
    `.bpf-gutter{display:inline-block;position:sticky;left:0;width:4.5em;padding-right:1.2em;text-align:right;user-select:none;box-sizing:content-box}`,
    `.bpf-gutter button{all:unset;cursor:pointer;display:inline-block;width:100%;text-align:right}`,
    `.bpf-gutter button:focus-visible{outline:2px solid currentColor;outline-offset:-2px}`,
    `.bpf-bp::before{content:"";position:absolute;left:.35em;top:50%;width:.7em;height:.7em;margin-top:-.35em;border-radius:50%}`,
    `.bpf-diag{${WAVY('currentColor')}}`,
    `.bpf-textarea{box-sizing:border-box;width:100%;height:100%;min-height:12rem;resize:vertical;padding:${EDITOR_FONT.paddingTop}px;font-family:${EDITOR_FONT.family};font-size:16px;line-height:1.4;white-space:pre;overflow:auto;tab-size:4;border:0}`,
    `.bpf-narrow{display:flex;flex-direction:column;height:100%;gap:.25rem}`,
    `.bpf-narrow .bpf-textarea{flex:1 1 auto;height:auto;min-height:8rem}`,
    `.bpf-narrow .bpf-preview{flex:0 1 auto;min-height:0;overflow:auto}`,
    `.bpf-narrow .bpf-preview .bpf-static{position:static;max-height:40vh}`,
    `.bpf-sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}`,
    // Monaco decorations: a red dot in the glyph margin, an arrow before the current line.
    `.monaco-editor .bpf-breakpoint-glyph::before{content:"";display:block;width:10px;height:10px;margin:5px auto 0;border-radius:50%}`,
    `.monaco-editor .bpf-breakpoint-hint::before{opacity:.45}`,
    `.monaco-editor .bpf-current-arrow::before{content:"";display:block;width:0;height:0;margin:5px 0 0 2px;border-top:5px solid transparent;border-bottom:5px solid transparent;border-left:7px solid}`,
    `.monaco-editor .margin-view-overlays .cgmr{cursor:pointer}`,
  ];
  for (const name of ['light', 'dark'] as const) {
    const p = PALETTES[name];
    const scope = `.bpf-theme-${name}`;
    rules.push(
      `${scope} .bpf-static,${scope} .bpf-textarea{background:${p.background};color:${p.foreground}}`,
      `${scope} .bpf-gutter{background:${p.background};color:${p.lineNumber}}`,
      `${scope} .bpf-cut{color:${p.lineNumber};font-style:italic}`,
      `${scope} .bpf-current{background:${p.currentLine}}`,
      `${scope} .bpf-current .bpf-gutter{color:${p.lineNumberActive};box-shadow:inset 3px 0 ${p.currentMark}}`,
      `${scope} .bpf-bp::before{background:${p.breakpoint}}`,
      `${scope} .bpf-diag-error{text-decoration-color:${p.error}}`,
      `${scope} .bpf-diag-warning{text-decoration-color:${p.warning}}`,
      `${scope} .bpf-diag-info{text-decoration-color:${p.info}}`,
      // Monaco tags its root with the base theme only, so our wrapper's class scopes these.
      `${scope} .monaco-editor .bpf-breakpoint-glyph::before{background:${p.breakpoint}}`,
      `${scope} .monaco-editor .bpf-current-line{background:${p.currentLine}}`,
      `${scope} .monaco-editor .bpf-current-arrow::before{border-left-color:${p.currentMark}}`,
    );
    for (const t of TOKEN_TYPES) {
      const s = p.tokens[t];
      const style = s.fontStyle === 'italic' ? ';font-style:italic' : s.fontStyle === 'bold' ? ';font-weight:bold' : '';
      rules.push(`${scope} .${tokenClass(t)}{color:${s.color}${style}}`);
    }
  }
  return rules.join('\n');
}
