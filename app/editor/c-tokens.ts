// A small C highlighter for the C view of an object's source: comments (line and block, across
// lines), preprocessor lines, strings and characters, numbers, keywords and types, calls and
// members. It colors with the assembly's token classes (theme.ts), so both views look alike.
// It only colors: nothing here parses C.

import type { SpanType } from './tokens.ts';

export interface CSpan {
  readonly type: SpanType;
  readonly text: string;
}

export type CLexState = 'code' | 'comment';

const KEYWORDS = new Set([
  'if', 'else', 'for', 'while', 'do', 'switch', 'case', 'default', 'break', 'continue', 'return', 'goto', 'sizeof', 'typeof',
  'static', 'extern', 'inline', 'volatile', 'const', 'register', 'restrict', 'typedef', 'struct', 'union', 'enum',
  '__always_inline', '__noinline', '__attribute__', '__builtin_preserve_access_index', 'SEC', '__ksym', '__kptr', '__kptr_ref', '__percpu_kptr',
]);
const TYPES = new Set([
  'void', 'char', 'short', 'int', 'long', 'unsigned', 'signed', 'float', 'double', 'bool', '_Bool',
  'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', '__u8', '__u16', '__u32', '__u64', '__s8', '__s16', '__s32', '__s64',
  'size_t', 'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t', 'int8_t', 'int16_t', 'int32_t', 'int64_t', '__be16', '__be32', '__wsum',
]);

const TOKEN = /\s+|\/\/.*|\/\*|"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|0[xX][0-9a-fA-F]+[uUlL]*|\d+(?:\.\d+)?[uUlLfF]*|[A-Za-z_]\w*|->|\+\+|--|<<=?|>>=?|[<>=!]=|&&|\|\||[-+*/%&|^~!<>=?:]=?|[()[\]{};,.]|./gy;

/** The spans of one line of C, and the state the next line starts in (inside a block comment or not). */
export function tokenizeC(line: string, state: CLexState): { spans: CSpan[]; state: CLexState } {
  const spans: CSpan[] = [];
  let i = 0;
  if (state === 'comment') {
    const end = line.indexOf('*/');
    if (end < 0) return { spans: line ? [{ type: 'comment', text: line }] : [], state: 'comment' };
    spans.push({ type: 'comment', text: line.slice(0, end + 2) });
    i = end + 2;
  }
  if (line.slice(i).trimStart().startsWith('#')) {
    spans.push({ type: 'directive', text: line.slice(i) });
    return { spans, state: 'code' };
  }
  TOKEN.lastIndex = i;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < line.length && (m = TOKEN.exec(line))) {
    const t = m[0];
    if (t === '/*') {
      const end = line.indexOf('*/', TOKEN.lastIndex);
      if (end < 0) {
        spans.push({ type: 'comment', text: line.slice(m.index) });
        return { spans, state: 'comment' };
      }
      spans.push({ type: 'comment', text: line.slice(m.index, end + 2) });
      TOKEN.lastIndex = end + 2;
      continue;
    }
    let type: SpanType = '';
    if (/^\s/.test(t)) type = '';
    else if (t.startsWith('//')) type = 'comment';
    else if (t.startsWith('"') || t.startsWith("'")) type = 'string';
    else if (/^\d/.test(t)) type = 'number';
    else if (/^[A-Za-z_]/.test(t)) {
      if (KEYWORDS.has(t)) type = 'keyword';
      else if (TYPES.has(t)) type = 'type';
      else if (/^\s*\(/.test(line.slice(TOKEN.lastIndex))) type = 'function';
      else if (/(?:->|\.)\s*$/.test(line.slice(0, m.index))) type = 'field';
      else type = 'identifier';
    } else if (/^[()[\]{};,.]$/.test(t)) type = 'delimiter';
    else type = 'operator';
    const last = spans[spans.length - 1];
    if (last && last.type === type && type === '') spans[spans.length - 1] = { type, text: last.text + t };
    else spans.push({ type, text: t });
  }
  return { spans, state: 'code' };
}
