// The messages the verifier can emit, read from its source as text: every template passed to
// `this.refuse(` in checker.ts, every structure error in program/structure.ts and index.ts.
// A template is the literal with each `${…}` written as `${}` ("R${} !read_ok").

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Reads the string literal at `s[i]` (a quote or backtick); returns its normalised text and the index after it. */
function literal(s: string, i: number): { text: string; end: number } {
  const q = s[i];
  let text = '';
  let j = i + 1;
  while (j < s.length && s[j] !== q) {
    if (s[j] === '\\') {
      text += s.slice(j, j + 2);
      j += 2;
    } else if (q === '`' && s[j] === '$' && s[j + 1] === '{') {
      // Skip the expression, counting braces and stepping over nested literals.
      let depth = 1;
      j += 2;
      while (j < s.length && depth > 0) {
        const c = s[j];
        if (c === '`' || c === "'" || c === '"') j = literal(s, j).end;
        else {
          if (c === '{') depth++;
          else if (c === '}') depth--;
          j++;
        }
      }
      text += '${}';
    } else {
      text += s[j];
      j++;
    }
  }
  return { text, end: j + 1 };
}

/** The string literals of the expression starting at `s[i]`, up to its end (a comma or paren at depth 0). */
function literalsOfArgument(s: string, i: number): { literals: string[]; identifier?: string } {
  const literals: string[] = [];
  let depth = 0;
  let j = i;
  const ident = /^[A-Za-z_]\w*(?=\))/.exec(s.slice(i));
  if (ident) return { literals, identifier: ident[0] };
  while (j < s.length) {
    const c = s[j] ?? '';
    if (c === '`' || c === "'" || c === '"') {
      const l = literal(s, j);
      if (depth === 0) literals.push(l.text);
      j = l.end;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) break;
      depth--;
    } else if ((c === ',' || c === ';') && depth === 0) break;
    j++;
  }
  return { literals };
}

function read(path: string): string {
  return readFileSync(root + path, 'utf8');
}

/** Every distinct message template, with where it is written. */
export function extractTemplates(): Map<string, string> {
  const out = new Map<string, string>();
  const add = (t: string, where: string): void => {
    if (!out.has(t)) out.set(t, where);
  };
  const checker = read('verifier/checker.ts');
  for (const m of checker.matchAll(/this\.refuse\(/g)) {
    const at = m.index + m[0].length;
    const line = checker.slice(0, at).split('\n').length;
    const { literals, identifier } = literalsOfArgument(checker, at);
    if (identifier) {
      if (identifier === 'message') continue; // refuse's own definition
      const def = new RegExp(`const ${identifier} = `).exec(checker);
      if (!def) throw new Error(`checker.ts:${line}: cannot resolve refuse(${identifier})`);
      for (const t of literalsOfArgument(checker, def.index + def[0].length).literals) add(t, `checker.ts:${line}`);
      continue;
    }
    if (literals.length === 0) throw new Error(`checker.ts:${line}: refuse() without a literal message`);
    for (const t of literals) add(t, `checker.ts:${line}`);
  }
  for (const file of ['program/structure.ts', 'verifier/index.ts']) {
    // structure.ts's later functions serve the raw runner and the loader, not the verifier.
    const whole = read(file);
    const cut = whole.indexOf('export function checkFramePointerWrites');
    const text = cut < 0 ? whole : whole.slice(0, cut);
    for (const m of text.matchAll(/message: /g)) {
      const at = m.index + m[0].length;
      const c = text[at];
      if (c !== '`' && c !== "'") continue;
      const line = text.slice(0, at).split('\n').length;
      add(literal(text, at).text, `${file}:${line}`);
    }
  }
  return out;
}
