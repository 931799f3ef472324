// Completion items for BPF source, chosen from the text before the cursor: instruction forms of
// the dialect (as snippets), registers, helpers and kfuncs after `call`, labels after jumps,
// map names where a map is loaded, STRUCT.FIELD and directives. Pure, no Monaco.

import {
  DIRECTIVE_DOCS,
  FUNCTION_DOCS,
  INSTRUCTION_DOCS,
  STRUCT_DOCS,
  type DialectName,
  type InstructionDoc,
} from '../../engine/asm/index.ts';
import { DIRECTIVE_NAMES, tokenizeLine, tokenizeText, type LexState, type Span } from './tokens.ts';

export type CompletionKind = 'instruction' | 'register' | 'function' | 'map' | 'field' | 'struct' | 'directive' | 'label';

export interface CompletionEntry {
  readonly label: string;
  readonly kind: CompletionKind;
  /** Replaces the word before the cursor (see `wordBefore`). */
  readonly insertText: string;
  /** insertText is a snippet (`${1:r1}` placeholders). */
  readonly snippet: boolean;
  readonly detail?: string;
  /** Markdown. */
  readonly documentation?: string;
  readonly filterText?: string;
  /** Groups items: forms first, then registers, then the rest. */
  readonly sortText: string;
  /** Open the list again after inserting (e.g. after `call ` or `xdp_md.`). */
  readonly retrigger?: boolean;
}

export interface CompletionContext {
  /** The line's text before the cursor. */
  readonly before: string;
  readonly dialect: DialectName;
  readonly mapNames: readonly string[];
  /** Labels defined in the document (`labelsIn`). */
  readonly labels: readonly string[];
  /** Lexer state at the line's start (inside a block comment or not). */
  readonly state?: LexState;
}

/**
 * What counts as a word for completion and double-click: a register with its `%`, a name with
 * dots (`.section`, `xdp_md.data`) or a number. Monaco's language configuration uses the same.
 */
export const WORD_PATTERN = /%?[A-Za-z_.$][\w.$]*|-?\d\w*/g;

/** The word that ends at the cursor, as Monaco's `getWordUntilPosition` gives it. */
export function wordBefore(before: string): string {
  for (const m of before.matchAll(new RegExp(WORD_PATTERN.source, 'g'))) {
    if (m.index + m[0].length === before.length) return m[0];
  }
  return '';
}

/** Labels defined anywhere in the text, in order. */
export function labelsIn(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  const out: string[] = [];
  tokenizeText(text).forEach((spans, i) => {
    for (const s of spans) {
      if (s.type === 'label') out.push((lines[i] ?? '').slice(s.start, s.end).replace(/\s*:$/, ''));
    }
  });
  return [...new Set(out)];
}

const REG_RE = /^%?([rw])(\d+)$/;
const NUM_RE = /^[+-]?\d/;

interface Tok {
  readonly text: string;
  readonly start: number;
}

function tokensOf(text: string, spans: readonly Span[]): Tok[] {
  return spans.filter((s) => s.type !== '' && s.type !== 'comment').map((s) => ({ text: text.slice(s.start, s.end), start: s.start }));
}

function escapeSnippet(s: string): string {
  return s.replace(/[\\$}]/g, (c) => `\\${c}`);
}

/** `r1 += 0x4` → `${1:r1} += ${2:0x4}`: every register and number becomes a placeholder. */
export function toSnippet(form: string): string {
  let n = 0;
  let out = '';
  let last = 0;
  for (const m of form.matchAll(/%?\b[rw](?:10|[0-9])\b|[+-]?\b(?:0x[0-9a-fA-F]+|\d+)\b/g)) {
    out += escapeSnippet(form.slice(last, m.index)) + `\${${++n}:${escapeSnippet(m[0])}}`;
    last = m.index + m[0].length;
  }
  return out + escapeSnippet(form.slice(last));
}

interface Form {
  readonly text: string;
  readonly doc: InstructionDoc;
}

/** Instruction forms of a dialect as written in source (the LLVM `ld_pseudo` forms are disassembly only). */
function formsOf(dialect: DialectName): Form[] {
  const seen = new Set<string>();
  const forms: Form[] = [];
  for (const doc of INSTRUCTION_DOCS) {
    const text = dialect === 'llvm' ? doc.llvm : doc.ubpf;
    if (text.startsWith('ld_pseudo') || seen.has(text)) continue;
    seen.add(text);
    forms.push({ text, doc });
  }
  return forms;
}
const FORMS: Readonly<Record<DialectName, readonly Form[]>> = { llvm: formsOf('llvm'), ubpf: formsOf('ubpf') };

const formDoc = (doc: InstructionDoc): string =>
  `**${doc.mnemonic}** — ${doc.summary}  \nISA ${doc.isa} · group ${doc.group}  \nLLVM: \`${doc.llvm}\`  \nubpf: \`${doc.ubpf}\``;

/**
 * Forms whose leading tokens match what is already typed (registers match any register of the
 * same width, numbers any number); the rest of the form is offered, with the typed registers
 * carried into it (`r3 = ` offers `-r3`, not `-r1`).
 */
function formCompletions(lead: readonly Tok[], dialect: DialectName): CompletionEntry[] {
  const out = new Map<string, CompletionEntry>();
  for (const form of FORMS[dialect]) {
    const toks = tokensOf(form.text, tokenizeLine(form.text, 'root').spans);
    if (toks.length <= lead.length) continue;
    const regs = new Map<string, string>();
    const fits = lead.every((t, i) => {
      const f = toks[i]?.text ?? '';
      const a = REG_RE.exec(t.text);
      const b = REG_RE.exec(f);
      if (a && b) {
        if (a[1] !== b[1]) return false;
        regs.set(f, t.text);
        return true;
      }
      return t.text === f || (NUM_RE.test(t.text) && NUM_RE.test(f));
    });
    if (!fits) continue;
    const rest = form.text.slice(toks[lead.length]?.start ?? form.text.length).replace(/\t/g, ' ');
    const remainder = rest.replace(/%?\b[rw](?:10|[0-9])\b/g, (r) => regs.get(r) ?? r);
    // ubpf lists a mnemonic once at the start of a line; its first form supplies the operands.
    const mnemonicRest = dialect === 'ubpf' ? form.doc.mnemonic.split(/\s+/).slice(lead.length).join(' ') : '';
    const key = dialect === 'ubpf' && mnemonicRest ? mnemonicRest : remainder;
    if (out.has(key)) continue;
    out.set(key, {
      label: key,
      kind: 'instruction',
      insertText: toSnippet(remainder),
      snippet: true,
      detail: form.doc.summary,
      documentation: formDoc(form.doc),
      filterText: key,
      sortText: `0-${String(out.size).padStart(3, '0')}`,
      retrigger: /^call\b/.test(remainder),
    });
  }
  // `call` alone: the name comes next, from the list that opens after it.
  for (const [key, e] of out) if (/^call\b/.test(key)) out.set(key, { ...e, label: 'call', filterText: 'call', insertText: 'call ', snippet: false });
  return [...out.values()];
}

function registers(dialect: DialectName): CompletionEntry[] {
  const names = dialect === 'ubpf' ? Array.from({ length: 11 }, (_, i) => `%r${i}`) : ['r', 'w'].flatMap((p) => Array.from({ length: 11 }, (_, i) => `${p}${i}`));
  return names.map((name, i) => ({ label: name, kind: 'register', insertText: name, snippet: false, sortText: `1-${String(i).padStart(2, '0')}` }));
}

function functions(): CompletionEntry[] {
  return FUNCTION_DOCS.map((d) => ({
    label: d.name,
    kind: 'function',
    insertText: d.name,
    snippet: false,
    detail: d.kind === 'helper' ? `helper #${d.id}` : 'kfunc',
    documentation: ['```c\n' + d.signature + '\n```', d.summary, d.returns && `**Returns** ${d.returns}`].filter(Boolean).join('\n\n'),
    sortText: `0-${d.kind === 'helper' ? 'a' : 'b'}-${d.name}`,
  }));
}

const labelItems = (labels: readonly string[]): CompletionEntry[] =>
  labels.map((l) => ({ label: l, kind: 'label', insertText: l, snippet: false, detail: 'label', sortText: `2-${l}` }));

function maps(names: readonly string[], dialect: DialectName): CompletionEntry[] {
  return names.map((name) => ({
    label: name,
    kind: 'map',
    insertText: dialect === 'llvm' ? `${name} ll` : name,
    snippet: false,
    detail: 'map (.map)',
    filterText: name,
    sortText: `0-map-${name}`,
  }));
}

function directives(): CompletionEntry[] {
  return DIRECTIVE_NAMES.slice(0, 3).map((name) => {
    const doc = DIRECTIVE_DOCS.find((d) => d.name === name);
    return { label: name, kind: 'directive', insertText: name, snippet: false, detail: doc?.syntax, documentation: doc?.summary, sortText: `0-${name}` };
  });
}

function structs(): CompletionEntry[] {
  return STRUCT_DOCS.map((s) => ({ label: `${s.name}.`, kind: 'struct', insertText: `${s.name}.`, snippet: false, detail: `struct ${s.name} (${s.size} bytes)`, sortText: `3-${s.name}`, retrigger: true }));
}

function fields(structName: string): CompletionEntry[] {
  const layout = STRUCT_DOCS.find((s) => s.name === structName);
  return (layout?.fields ?? []).map((f, i) => ({
    label: `${layout?.name}.${f.name}`,
    kind: 'field',
    insertText: `${layout?.name}.${f.name}`,
    snippet: false,
    detail: `offset ${f.offset}, ${f.size} bytes`,
    sortText: `0-${String(i).padStart(3, '0')}`,
  }));
}

/**
 * Whether a name comes next after `before` (which ends in whitespace): a jump's label after
 * `goto `, `gotol `, `ja ` or a ubpf jump's last comma, a function after `call `. The editor
 * asks afresh there, instead of letting the list opened at the line's start (`gotol …`) go on
 * filtering what is now a label.
 */
export function expectsName(before: string, dialect: DialectName): boolean {
  const { spans } = tokenizeLine(before, 'root');
  const lead = tokensOf(before, spans).map((t) => t.text);
  const text = lead.join(' ');
  if (/^call$/.test(text) || (dialect === 'ubpf' && /^call local$/.test(text))) return true;
  if (dialect === 'llvm') return /\bgotol?$/.test(text);
  return (lead[0] === 'ja' && lead.length === 1) || (/^j/.test(lead[0] ?? '') && lead.filter((t) => t === ',').length === 2 && lead[lead.length - 1] === ',');
}

/** The completions at the end of `ctx.before`. */
export function completionsAt(ctx: CompletionContext): CompletionEntry[] {
  const { before, dialect } = ctx;
  const { spans } = tokenizeLine(before, ctx.state ?? 'root');
  const lastSpan = spans[spans.length - 1];
  if (lastSpan && (lastSpan.type === 'comment' || lastSpan.type === 'string')) return [];
  const word = wordBefore(before);
  const prefix = before.slice(0, before.length - word.length);
  // Labels in front of an instruction do not change what may follow.
  const body = prefix.replace(/^\s*(?:[A-Za-z_.$][\w.$]*\s*:\s*)+/, (m) => ' '.repeat(m.length));

  const struct = /^([A-Za-z_$][\w$]*)\./.exec(word);
  if (struct && STRUCT_DOCS.some((s) => s.name === struct[1])) return fields(struct[1] ?? '');
  if (!body.trim() && word.startsWith('.')) return directives();

  const lead = tokensOf(body, tokenizeLine(body, 'root').spans);
  const first = lead[0]?.text ?? '';
  const leadText = lead.map((t) => t.text).join(' ');
  if (/^call$/.test(leadText)) return [...functions(), ...labelItems(ctx.labels)];
  if (dialect === 'ubpf' && /^call local$/.test(leadText)) return labelItems(ctx.labels);

  const isJumpTarget =
    dialect === 'llvm' ? /\bgotol?$/.test(leadText) : (first === 'ja' && lead.length === 1) || (/^j/.test(first) && lead.filter((t) => t.text === ',').length === 2 && lead[lead.length - 1]?.text === ',');
  // Where a jump's target goes: the program's labels. The `+0x3` template only while there is
  // none, since accepting it would replace what the user typed (`goto l` became `gotol …`).
  if (isJumpTarget) return ctx.labels.length ? labelItems(ctx.labels) : formCompletions(lead, dialect);
  // An offset being typed (`goto +`, `jeq %r1, 0, -`): nothing to complete.
  if (/[+-]$/.test(leadText) && (dialect === 'llvm' ? /\bgotol? [+-]$/.test(leadText) : /^j/.test(first))) return [];
  const items = formCompletions(lead, dialect);
  const loadsMap = dialect === 'llvm' ? /^[rw]\d+ =$/.test(leadText) : /^lddw %r\d+ ,$/.test(leadText);
  if (loadsMap) items.push(...maps(ctx.mapNames, dialect));
  if (lead.length > 0 && !isJumpTarget) items.push(...registers(dialect), ...structs());
  if (lead.length === 0 && dialect === 'llvm') items.push(...registers(dialect));
  return items;
}
