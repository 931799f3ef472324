// The BPF assembly token table, written once: the Monarch grammar Monaco runs and the
// first-paint highlighter are both derived from it, so the static view and Monaco color alike.

import type { languages } from 'monaco-editor/editor';
import { FUNCTION_DOCS, INSTRUCTION_DOCS } from '../../engine/asm/index.ts';

/** Every token type either tokenizer emits; each has a color in both themes. */
export const TOKEN_TYPES = [
  'comment',
  'label',
  'directive',
  'register',
  'keyword',
  'type',
  'number',
  'string',
  'function',
  'field',
  'operator',
  'delimiter',
  'identifier',
  'invalid',
] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];
/** `''` is whitespace: it takes the editor's default foreground. */
export type SpanType = TokenType | '';

export type LexState = 'root' | 'comment';

const REGISTERS = Array.from({ length: 11 }, (_, i) => [`r${i}`, `w${i}`]).flat();
const SIZE_TYPES = ['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32'];

/**
 * Keywords: every ubpf mnemonic word (`lock fetch add` gives three), every word of the LLVM
 * forms that is not a register, number or size (`if`, `goto`, `ll`, `bswap64`,
 * `atomic_fetch_add`, `xchg_64` …), plus call modifiers the examples do not show. Derived from
 * the ISA's reference table so a new instruction highlights without touching this file.
 */
function keywordWords(): string[] {
  const words = new Set<string>(['callx', 'local', 'helper', 'kfunc', 'runtime']);
  for (const doc of INSTRUCTION_DOCS) {
    for (const w of doc.mnemonic.split(/\s+/)) words.add(w);
    for (const w of doc.llvm.match(/[A-Za-z_][\w]*/g) ?? []) {
      if (!REGISTERS.includes(w) && !SIZE_TYPES.includes(w)) words.add(w);
    }
  }
  return [...words].sort();
}

/**
 * Directives: the playground's own plus those of clang's `-S` output that the assembler
 * accepts and ignores (engine/asm/directives.ts), so compiler output does not look broken.
 */
export const DIRECTIVE_NAMES = [
  '.section',
  '.map',
  '.license',
  '.text',
  '.globl',
  '.global',
  '.p2align',
  '.align',
  '.type',
  '.size',
  '.file',
  '.addrsig',
  '.addrsig_sym',
  '.ident',
  '.loc',
  '.cfi_startproc',
  '.cfi_endproc',
];

/** The word lists identifiers are classified by; the Monarch grammar carries them as attributes. */
export const WORD_LISTS = {
  registers: REGISTERS,
  keywords: keywordWords(),
  types: SIZE_TYPES,
  functions: [...new Set(FUNCTION_DOCS.map((d) => d.name))].sort(),
  directives: DIRECTIVE_NAMES,
} as const satisfies Record<string, readonly string[]>;
export type WordList = keyof typeof WORD_LISTS;

export interface TokenRule {
  /** Matched at the current position exactly as Monarch does: `^(?:regex)` on the rest of the line. */
  readonly regex: string;
  /** The token type, or the fallback when `classify` finds the word in none of its lists. */
  readonly token: SpanType;
  /** Word lists tried in order; the first that holds the matched text gives its type. */
  readonly classify?: readonly (readonly [WordList, TokenType])[];
  readonly next?: LexState | 'pop';
}

// No rule may contain `@`: Monarch would read it as an attribute reference.
const ROOT_RULES: readonly TokenRule[] = [
  { regex: '[ \\t\\r\\f\\v]+', token: '' },
  { regex: '\\/\\*', token: 'comment', next: 'comment' },
  { regex: '(?:#|\\/\\/|;).*', token: 'comment' },
  // An unterminated string runs to the end of the line, as the lexer reports it.
  { regex: '"(?:[^"\\\\]|\\\\.)*"?', token: 'string' },
  { regex: "'[^']*'?", token: 'string' },
  { regex: '[A-Za-z_.$][\\w.$]*[ \\t]*:', token: 'label' },
  { regex: '\\.[A-Za-z_][\\w.$]*', token: 'identifier', classify: [['directives', 'directive']] },
  // ubpf registers; `%` followed by anything else is not an operator either (`%=` is).
  { regex: '%[rw](?:10|[0-9])(?!\\w)', token: 'register' },
  { regex: '%[A-Za-z]\\w*', token: 'invalid' },
  // A sign glued to the digits is part of the number (`+3`, `-8`, `r1 += -1`).
  { regex: '[+-]?[0-9]\\w*', token: 'number' },
  // LLVM signed comparisons and assignments (`s>`, `s>>=` …) before `s` reads as a word.
  { regex: 's(?:>>=|>=|<=|\\/=|%=|>|<)', token: 'operator' },
  { regex: '[A-Za-z_$][\\w$]*\\.[A-Za-z_$][\\w.$]*', token: 'field' },
  {
    regex: '[A-Za-z_$][\\w$]*',
    token: 'identifier',
    classify: [
      ['registers', 'register'],
      ['keywords', 'keyword'],
      ['types', 'type'],
      ['functions', 'function'],
    ],
  },
  { regex: '[=+\\-*/%|&^<>!~]+', token: 'operator' },
  { regex: '[()[\\],:{}]', token: 'delimiter' },
];

const COMMENT_RULES: readonly TokenRule[] = [
  { regex: '[^*]+', token: 'comment' },
  { regex: '\\*\\/', token: 'comment', next: 'pop' },
  { regex: '\\*', token: 'comment' },
];

export const TOKEN_RULES: Readonly<Record<LexState, readonly TokenRule[]>> = { root: ROOT_RULES, comment: COMMENT_RULES };

/** What a character no rule matches becomes (Monarch's `defaultToken`). */
export const DEFAULT_TOKEN: TokenType = 'invalid';

export const LANGUAGE_ID = 'bpf';

/** The Monarch grammar, derived from TOKEN_RULES. */
export function monarchLanguage(): languages.IMonarchLanguage {
  const action = (rule: TokenRule): languages.IMonarchLanguageAction => {
    const next = rule.next === undefined ? undefined : rule.next === 'pop' ? '@pop' : `@${rule.next}`;
    if (rule.classify) {
      const cases: Record<string, string> = {};
      for (const [list, type] of rule.classify) cases[`@${list}`] = type;
      cases['@default'] = rule.token;
      return { cases };
    }
    return next ? { token: rule.token, next } : { token: rule.token };
  };
  const states = (rules: readonly TokenRule[]): languages.IMonarchLanguageRule[] =>
    rules.map((r) => [new RegExp(r.regex), action(r)]);
  return {
    defaultToken: DEFAULT_TOKEN,
    tokenPostfix: `.${LANGUAGE_ID}`,
    ...WORD_LISTS,
    tokenizer: { root: states(ROOT_RULES), comment: states(COMMENT_RULES) },
  };
}

export interface Span {
  /** 0-based offsets into the line; `end` exclusive. */
  readonly start: number;
  readonly end: number;
  readonly type: SpanType;
}

interface CompiledRule {
  readonly re: RegExp;
  readonly rule: TokenRule;
  readonly lists: readonly (readonly [ReadonlySet<string>, TokenType])[];
}

const COMPILED: Readonly<Record<LexState, readonly CompiledRule[]>> = {
  root: ROOT_RULES.map(compile),
  comment: COMMENT_RULES.map(compile),
};

function compile(rule: TokenRule): CompiledRule {
  return {
    re: new RegExp(`^(?:${rule.regex})`),
    rule,
    lists: (rule.classify ?? []).map(([list, type]) => [new Set(WORD_LISTS[list]), type] as const),
  };
}

/**
 * The first-paint tokenizer: the same rules, tried in the same order, with the same fallback
 * and the same merging of neighbours of one type as Monarch's.
 */
export function tokenizeLine(line: string, state: LexState): { spans: Span[]; state: LexState } {
  const spans: Span[] = [];
  const emit = (start: number, end: number, type: SpanType): void => {
    const last = spans[spans.length - 1];
    if (last && last.type === type && last.end === start) spans[spans.length - 1] = { start: last.start, end, type };
    else spans.push({ start, end, type });
  };
  let pos = 0;
  let current = state;
  while (pos < line.length) {
    const rest = line.slice(pos);
    let matched = false;
    for (const c of COMPILED[current]) {
      const m = c.re.exec(rest);
      if (!m || m[0].length === 0) continue;
      const text = m[0];
      const type = c.lists.find(([words]) => words.has(text))?.[1] ?? c.rule.token;
      emit(pos, pos + text.length, type);
      pos += text.length;
      if (c.rule.next) current = c.rule.next === 'pop' ? 'root' : c.rule.next;
      matched = true;
      break;
    }
    if (!matched) {
      emit(pos, pos + 1, DEFAULT_TOKEN);
      pos++;
    }
  }
  return { spans, state: current };
}

/** Spans of every line of a text (LF or CRLF), carrying block-comment state across lines. */
export function tokenizeText(text: string): Span[][] {
  let state: LexState = 'root';
  return splitLines(text).map((line) => {
    const r = tokenizeLine(line, state);
    state = r.state;
    return r.spans;
  });
}

/**
 * The lexer state after `line`. Only `/*` can leave 'root' and only `*\/` can leave 'comment',
 * so a line without them keeps the state and is not tokenized: finding the state at line
 * 50,000 costs a substring search per line, not a tokenization.
 */
export function stateAfterLine(line: string, state: LexState): LexState {
  if (!line.includes(state === 'root' ? '/*' : '*/')) return state;
  return tokenizeLine(line, state).state;
}

/** The lexer state at the start of line `lineNumber` (1-based). */
export function stateBeforeLine(lines: readonly string[], lineNumber: number): LexState {
  let state: LexState = 'root';
  for (let i = 0; i < lineNumber - 1 && i < lines.length; i++) state = stateAfterLine(lines[i] ?? '', state);
  return state;
}

export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}
