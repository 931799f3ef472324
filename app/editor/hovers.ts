// Hover content for BPF source, as markdown: what the instruction on a line is and how it
// encodes, and what a register, helper, kfunc, directive or STRUCT.FIELD is. Pure, no Monaco.

import {
  DIRECTIVE_DOCS,
  FUNCTION_DOCS,
  REGISTER_DOCS,
  STRUCT_DOCS,
  describeLine,
  type DialectName,
  type FunctionDoc,
} from '../../engine/asm/index.ts';
import { tokenizeLine, type LexState, type Span } from './tokens.ts';

export interface HoverResult {
  /** 1-based columns of the hovered range; `endCol` exclusive. */
  readonly startCol: number;
  readonly endCol: number;
  /** Markdown sections, shown one after another. */
  readonly contents: readonly string[];
}

const hex2 = (b: number): string => b.toString(16).padStart(2, '0');
/** Text from the program inside an inline code span: nothing in it is markdown or markup. */
const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;

/**
 * Text from the program in running markdown (a name the user wrote): every character markdown
 * or HTML could read as syntax is escaped, so it shows as typed. Monaco renders hovers with
 * HTML off and untrusted anyway; this keeps `**`, `[x](…)` and `<b>` from even formatting.
 */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`);
}

/** The 8-byte slots of an encoding, with the fields of the first slot spelled out. */
export function encodingMarkdown(bytes: Uint8Array): string {
  const slots: string[] = [];
  for (let i = 0; i < bytes.length; i += 8) slots.push(code(Array.from(bytes.subarray(i, i + 8), hex2).join(' ')));
  if (bytes.length < 8) return `Encoding: ${slots.join(' ')}`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const regs = bytes[1] ?? 0;
  const fields = `opcode ${code(`0x${hex2(bytes[0] ?? 0)}`)} · dst ${code(`r${regs & 0xf}`)} · src ${code(`r${regs >> 4}`)} · off ${code(String(view.getInt16(2, true)))} · imm ${code(String(view.getInt32(4, true)))}`;
  return `Encoding: ${slots.join(' ')}${bytes.length > 8 ? ' (two slots: the second holds the upper 32 bits of imm)' : ''}  \n${fields}`;
}

/**
 * What the instruction on a (comment-free) line is, or undefined when the line holds none.
 * `symbols` are the line's names (labels, maps, local functions): alone on one line they cannot
 * resolve, so they are described as the assembler encodes them before resolution.
 */
export function instructionHover(lineText: string, dialect: DialectName, symbols: readonly string[] = [], mapNames: readonly string[] = []): string[] | undefined {
  // `r1 = NAME ll` / `lddw %r1, NAME` of a .map: ld_imm64 with src = BPF_PSEUDO_MAP_FD.
  const mapLoad = /^\s*(?:[A-Za-z_.$][\w.$]*\s*:\s*)?(?:[rw](\d+)\s*=\s*([A-Za-z_$][\w.$]*)\s+ll|lddw\s+%r(\d+)\s*,\s*([A-Za-z_$][\w.$]*))\s*$/.exec(lineText);
  const mapName = mapLoad?.[2] ?? mapLoad?.[4];
  let found = mapName && mapNames.includes(mapName) ? describeLine(`ld_pseudo %r${mapLoad?.[1] ?? mapLoad?.[3] ?? '0'}, 1, 0`, 'ubpf') : undefined;
  found ??= describeLine(lineText, dialect);
  if (!found && symbols.length) {
    // `call NAME` that is no helper or kfunc is a BPF-to-BPF call (BPF_PSEUDO_CALL).
    const localCall = /^\s*(?:[A-Za-z_.$][\w.$]*\s*:\s*)?call\s+[A-Za-z_.$][\w.$]*\s*$/.test(lineText);
    const stand = localCall ? 'call local +0' : symbols.reduce((t, name) => t.replace(new RegExp(`(?<![\\w.$%])${name.replace(/[$.]/g, '\\$&')}(?![\\w.$])`, 'g'), '0'), lineText);
    found = describeLine(stand, localCall ? 'ubpf' : dialect);
  }
  if (!found) return undefined;
  const { doc, bytes } = found;
  const note = symbols.length ? `  \n${symbols.map(code).join(', ')}: resolved when the whole program is assembled and loaded (shown here as 0).` : '';
  return [
    `**${doc.mnemonic}** — ${doc.summary}  \nISA ${doc.isa} · group ${doc.group} · opcode ${code(`0x${hex2(doc.opcode)}`)}`,
    encodingMarkdown(bytes) + note,
    `LLVM: ${code(doc.llvm.replace(/\t/g, ' '))}  \nubpf: ${code(doc.ubpf)}`,
  ];
}

/** `r3`, `w3` or `%r3`. */
export function registerHover(name: string): string[] | undefined {
  const m = /^%?([rw])(\d+)$/.exec(name);
  if (!m) return undefined;
  const r = `r${m[2] ?? ''}`;
  const doc = REGISTER_DOCS[r];
  if (!doc) return undefined;
  if (m[1] === 'w') {
    return [`**${name}** — the lower 32 bits of ${code(r)}; writing it zeroes the upper half.`, `**${r}**: ${doc}`];
  }
  return [`**${r}** — ${doc}`];
}

export function functionHover(doc: FunctionDoc): string[] {
  const sections = ['```c\n' + doc.signature + '\n```'];
  const kind = doc.kind === 'helper' ? `helper #${doc.id}` : `kfunc (BTF id ${doc.id})`;
  sections.push(doc.summary ? `${doc.summary}  \n*${kind}*` : `*${kind}*`);
  if (doc.returns) sections.push(`**Returns** ${doc.returns}`);
  const extra: string[] = [];
  if (doc.flags.length) extra.push(`Flags: ${doc.flags.map(code).join(' ')}`);
  if (doc.profiles.length) extra.push(`Kernels: ${doc.profiles.map(code).join(', ')}`);
  if (extra.length) sections.push(extra.join('  \n'));
  return sections;
}

export function directiveHover(name: string): string[] {
  const doc = DIRECTIVE_DOCS.find((d) => d.name === name);
  if (!doc) return [`**${escapeMarkdown(name)}** — bookkeeping of clang's \`-S\` output; accepted and ignored.`];
  return [`**${doc.name}** — ${doc.summary}`, code(doc.syntax)];
}

/** `STRUCT.FIELD`: the offset the assembler substitutes, or the fields a known struct has. */
export function fieldHover(text: string): string[] | undefined {
  const [structName, ...rest] = text.split('.');
  const fieldName = rest.join('.');
  const layout = STRUCT_DOCS.find((s) => s.name === structName);
  if (!layout) return undefined;
  const field = layout.fields.find((f) => f.name === fieldName);
  if (!field) {
    return [`**struct ${layout.name}** (${layout.size} bytes) has no field ${code(fieldName)}; fields: ${layout.fields.map((f) => code(f.name)).join(', ')}`];
  }
  return [
    `**struct ${layout.name}.${field.name}** — offset ${field.offset} (${code(`0x${field.offset.toString(16)}`)}), ${field.size} byte${field.size === 1 ? '' : 's'}`,
    `The assembler writes ${field.offset} where ${code(text)} stands; struct ${layout.name} is ${layout.size} bytes.`,
  ];
}

/** The line with comments blanked out, columns kept. */
export function withoutComments(lineText: string, spans: readonly Span[]): string {
  let out = lineText;
  for (const s of spans) if (s.type === 'comment') out = out.slice(0, s.start) + ' '.repeat(s.end - s.start) + out.slice(s.end);
  return out;
}

/**
 * The hover at `column` (1-based) of one line. `state` is the lexer state at the line's start
 * (inside a block comment or not), so hovers agree with the highlighting.
 */
export function hoverAt(lineText: string, column: number, dialect: DialectName, state: LexState = 'root', mapNames: readonly string[] = []): HoverResult | undefined {
  const { spans } = tokenizeLine(lineText, state);
  const at = column - 1;
  const span = spans.find((s) => s.start <= at && at < s.end);
  if (!span || span.type === 'comment') return undefined;
  const text = lineText.slice(span.start, span.end);
  const here = (contents: readonly string[] | undefined): HoverResult | undefined =>
    contents ? { startCol: span.start + 1, endCol: span.end + 1, contents } : undefined;
  switch (span.type) {
    case 'register':
      return here(registerHover(text));
    case 'function': {
      const doc = FUNCTION_DOCS.find((d) => d.name === text);
      return here(doc && functionHover(doc));
    }
    case 'directive':
      return here(directiveHover(text));
    case 'field': {
      const r = here(fieldHover(text));
      if (r) return r;
      break;
    }
    default:
      break;
  }
  // Anything else on an instruction line (mnemonic, operator, number …) describes the instruction.
  const body = spans.filter((s) => s.type !== '' && s.type !== 'comment' && s.type !== 'label');
  const first = body[0];
  const last = body[body.length - 1];
  if (!first || !last || at < first.start || at >= last.end || span.type === 'label') return undefined;
  const symbols = [...new Set(spans.filter((s) => s.type === 'identifier').map((s) => lineText.slice(s.start, s.end)))];
  const contents = instructionHover(withoutComments(lineText, spans), dialect, symbols, mapNames);
  return contents ? { startCol: first.start + 1, endCol: last.end + 1, contents } : undefined;
}
