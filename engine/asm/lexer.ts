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
/** First characters of the multi-character operators. */
const OPERATOR_START = new Set(['s', '<', '>', '+', '-', '*', '/', '%', '|', '&', '^', '=', '!']);

/**
 * Blanks out comments (keeping columns and line breaks) so the per-line tokenizer never sees
 * them. Block comments may span lines; an unterminated one is reported.
 */
export function stripComments(text: string, errors: LexError[]): string {
  const out: string[] = [];
  let i = 0;
  let line = 1;
  let col = 1;
  let inString = false;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '\n') {
      out.push(c);
      inString = false;
      line++;
      col = 1;
      i++;
      continue;
    }
    if (inString) {
      out.push(c);
      if (c === '\\' && i + 1 < text.length && text[i + 1] !== '\n') {
        out.push(text[i + 1] ?? '');
        i += 2;
        col += 2;
        continue;
      }
      if (c === '"') inString = false;
      i++;
      col++;
      continue;
    }
    if (c === '"') {
      inString = true;
      out.push(c);
      i++;
      col++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const startLine = line;
      const startCol = col;
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (; i < stop; i++) {
        if (text[i] === '\n') {
          out.push('\n');
          line++;
          col = 1;
        } else {
          out.push(' ');
          col++;
        }
      }
      if (end < 0) errors.push({ line: startLine, col: startCol, endCol: startCol + 2, message: 'unterminated /* comment' });
      continue;
    }
    if (c === '#' || c === ';' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') {
        out.push(' ');
        i++;
        col++;
      }
      continue;
    }
    out.push(c);
    i++;
    col++;
  }
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
    errors.push({ line, col: start + 1, endCol: start + 2, message: `unexpected character '${c}'` });
    i++;
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
