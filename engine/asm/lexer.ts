// Splits assembly text into lines of tokens for both dialects. Comments (`#`, `//`, `;`,
// `/* … */`) are removed here; columns stay those of the original text (1-based).

export type TokenKind = 'ident' | 'number' | 'reg' | 'punct' | 'string' | 'char';

export interface Token {
  readonly kind: TokenKind;
  /** Source text of the token (for `reg`: `%r1` or `r1`/`w1` as written). */
  readonly text: string;
  readonly col: number;
  readonly endCol: number;
}

export interface SourceLine {
  /** 1-based line number. */
  readonly line: number;
  readonly text: string;
  readonly tokens: readonly Token[];
}

export interface LexError {
  readonly line: number;
  readonly col: number;
  readonly endCol: number;
  readonly message: string;
}

/** Multi-character operators, longest first so that `<<=` wins over `<<` and `<`. */
const OPERATORS = [
  's>>=',
  '<<=',
  '>>=',
  's>=',
  's<=',
  's/=',
  's%=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '|=',
  '&=',
  '^=',
  '==',
  '!=',
  '>=',
  '<=',
  's>',
  's<',
  '<<',
  '>>',
] as const;
const SINGLE = new Set(['=', '+', '-', '*', '/', '%', '|', '&', '^', '<', '>', '(', ')', '[', ']', ',', ':', '!', '~']);

// Character classes by code, not regex: the lexer runs on every keystroke of the editor.
function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}
function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
function isIdentStart(c: string): boolean {
  const code = c.charCodeAt(0);
  return isLetter(code) || code === 95 /* _ */ || code === 46 /* . */ || code === 36 /* $ */;
}
function isIdentPart(c: string): boolean {
  const code = c.charCodeAt(0);
  return isLetter(code) || isDigit(code) || code === 95 || code === 46 || code === 36 || code === 64 /* @ */;
}
/** A character no token starts with: runs of them are reported as one error. */
function isStray(c: string): boolean {
  const code = c.charCodeAt(0);
  if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '"' || c === "'") return false;
  return !(isDigit(code) || isIdentStart(c) || SINGLE.has(c));
}
/** Characters of a stray run quoted in its message; the rest is counted. */
const STRAY_SHOWN = 16;

/** `unexpected character '`'`, or for a run `unexpected characters '``…' (N in a row)`; `head` is its start. */
function strayMessage(head: string, length: number): string {
  const chars = Array.from(head);
  if (chars.length === 1 && head.length === length) return `unexpected character '${head}'`;
  const shown = chars.slice(0, STRAY_SHOWN).join('');
  return shown.length === length ? `unexpected characters '${shown}'` : `unexpected characters '${shown}…' (${length.toLocaleString('en-US')} in a row)`;
}

/** First characters of the multi-character operators. */
const OPERATOR_START = new Set(['s', '<', '>', '+', '-', '*', '/', '%', '|', '&', '^', '=', '!']);

/**
 * Blanks out comments (keeping columns and line breaks) so the per-line tokenizer never sees
 * them. Block comments may span lines; an unterminated one is reported. Text between comments
 * is copied a slice at a time: a character at a time made a megabyte cost a second of
 * allocation.
 */
export function stripComments(text: string, errors: LexError[]): string {
  const out: string[] = [];
  const n = text.length;
  /** Start of the text not yet copied to `out`. */
  let from = 0;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let inString = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) {
      inString = false;
      line++;
      lineStart = ++i;
      continue;
    }
    if (inString) {
      if (c === 92 /* \\ */ && i + 1 < n && text.charCodeAt(i + 1) !== 10) i += 2;
      else {
        if (c === 34 /* " */) inString = false;
        i++;
      }
      continue;
    }
    if (c === 34) {
      inString = true;
      i++;
      continue;
    }
    const next = text.charCodeAt(i + 1);
    if (c === 47 /* / */ && next === 42 /* * */) {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      if (end < 0) errors.push({ line, col: i - lineStart + 1, endCol: i - lineStart + 3, message: 'unterminated /* comment' });
      const body = text.slice(i, stop);
      out.push(text.slice(from, i), body.replace(/[^\n]/g, ' '));
      const breaks = body.split('\n').length - 1;
      if (breaks > 0) {
        line += breaks;
        lineStart = i + body.lastIndexOf('\n') + 1;
      }
      from = i = stop;
      continue;
    }
    if (c === 35 /* # */ || c === 59 /* ; */ || (c === 47 && next === 47)) {
      const eol = text.indexOf('\n', i);
      const stop = eol < 0 ? n : eol;
      out.push(text.slice(from, i), ' '.repeat(stop - i));
      from = i = stop;
      continue;
    }
    i++;
  }
  if (from === 0) return text;
  out.push(text.slice(from));
  return out.join('');
}

/** Tokenizes one comment-free line. */
export function tokenizeLine(text: string, line: number, errors: LexError[]): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number): void => {
    tokens.push({ kind, text: text.slice(start, end), col: start + 1, endCol: end + 1 });
  };
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    const start = i;
    if (c === '%' && isLetter(text.charCodeAt(i + 1))) {
      i++;
      while (i < text.length && isIdentPart(text[i] ?? '')) i++;
      push('reg', start, i);
      continue;
    }
    if (isDigit(c.charCodeAt(0))) {
      while (i < text.length && (isLetter(text.charCodeAt(i)) || isDigit(text.charCodeAt(i)) || text[i] === '_')) i++;
      push('number', start, i);
      continue;
    }
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      if (i >= text.length) {
        errors.push({ line, col: start + 1, endCol: text.length + 1, message: 'unterminated string' });
        push('string', start, text.length);
        break;
      }
      i++;
      push('string', start, i);
      continue;
    }
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) {
        errors.push({ line, col: start + 1, endCol: text.length + 1, message: 'unterminated character literal' });
        break;
      }
      i = close + 1;
      push('char', start, i);
      continue;
    }
    // `s>`, `s<=`, `s/=` … are operators only when `s` is not the start of a longer name.
    const op = OPERATOR_START.has(c) ? OPERATORS.find((o) => text.startsWith(o, i) && !(o.startsWith('s') && isIdentPart(text[i - 1] ?? ' '))) : undefined;
    if (op) {
      i += op.length;
      push('punct', start, i);
      continue;
    }
    if (isIdentStart(c)) {
      while (i < text.length && isIdentPart(text[i] ?? '')) i++;
      // A register written `r1`/`w1` is still an identifier here; dialects decide.
      push('ident', start, i);
      continue;
    }
    if (SINGLE.has(c)) {
      i++;
      push('punct', start, i);
      continue;
    }
    // One message for a run (a pasted emoji, a line of backticks), not one per character.
    i++;
    while (i < text.length && isStray(text[i] ?? '')) i++;
    errors.push({ line, col: start + 1, endCol: i + 1, message: strayMessage(text.slice(start, Math.min(i, start + 2 * STRAY_SHOWN + 2)), i - start) });
  }
  return tokens;
}

/** Comment-free lines of a whole file, tokenized. */
export function lex(text: string): { lines: SourceLine[]; errors: LexError[] } {
  const errors: LexError[] = [];
  const clean = stripComments(text.replace(/\r\n?/g, '\n'), errors);
  const lines = clean.split('\n').map((t, idx) => ({ line: idx + 1, text: t, tokens: tokenizeLine(t, idx + 1, errors) }));
  return { lines, errors };
}
