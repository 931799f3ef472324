// The assembler: text in either dialect to per-section bytecode with a source map. Two passes
// (parse every line, then resolve labels, calls and maps); every problem of the file is
// reported in one run, and nothing here throws to the caller.

import { encodeInsn, formOf, isaName, slotCount, writeRaw, SLOT_BYTES, type Insn, type IsaLevel } from '../isa/index.ts';
import type { Diagnostic, Severity } from '../program/diagnostic.ts';
import { sectionKind, type MapDecl, type Relocation, type Section, type SourceSpan } from '../program/program.ts';
import { Cursor, type ParseContext, type Span } from './cursor.ts';
import type { Dialect, DialectName, Fixup } from './dialect.ts';
import { detectDialect, dialectByName } from './dialects.ts';
import { parseDirective, type DirectiveState } from './directives.ts';
import { lex, type Token } from './lexer.ts';
import { OFF16, OFF32, inRange } from './numbers.ts';
import { closest, kernelSymbols, type AsmSymbols } from './symbols.ts';

export interface AssembleOptions {
  /** `auto` (default) picks the dialect from the first decisive line. */
  readonly dialect?: DialectName | 'auto';
  /** Highest ISA level accepted (default v4). */
  readonly isa?: IsaLevel;
  readonly symbols?: AsmSymbols;
}

export interface AssembleResult {
  /** True when there is no error (warnings allowed). */
  readonly ok: boolean;
  readonly dialect: DialectName;
  readonly sections: readonly Section[];
  readonly maps: readonly MapDecl[];
  readonly license?: string;
  readonly diagnostics: readonly Diagnostic[];
}

interface Statement {
  readonly insn: Insn;
  readonly fixup?: Fixup;
  readonly slot: number;
  readonly span: SourceSpan;
}

interface SectionBuild {
  readonly name: string;
  readonly line: number;
  readonly statements: Statement[];
  readonly labels: Map<string, { slot: number; line: number }>;
  slots: number;
}

const DEFAULT_SECTION = 'raw';

export function assemble(text: string, options: AssembleOptions = {}): AssembleResult {
  const diagnostics: Diagnostic[] = [];
  try {
    return run(text, options, diagnostics);
  } catch (e) {
    // A bug of ours must still come back as a diagnostic, with what was collected so far.
    diagnostics.push(diag('error', 'internal', `internal assembler error: ${e instanceof Error ? e.message : String(e)}`, 1, 1, 2));
    return { ok: false, dialect: 'llvm', sections: [], maps: [], diagnostics };
  }
}

function diag(severity: Severity, code: string, message: string, line: number, col: number, endCol: number, pc?: number): Diagnostic {
  return { severity, code, message, line, col, endLine: line, endCol, ...(pc === undefined ? {} : { pc }) };
}

function run(text: string, options: AssembleOptions, diagnostics: Diagnostic[]): AssembleResult {
  const symbols = options.symbols ?? kernelSymbols;
  const isa = options.isa ?? 4;
  const { lines, errors } = lex(text);
  for (const e of errors) diagnostics.push(diag('error', 'lex', e.message, e.line, e.col, e.endCol));

  const dialectName = options.dialect && options.dialect !== 'auto' ? options.dialect : detectDialect(lines);
  const dialect = dialectByName(dialectName);

  const sections: SectionBuild[] = [];
  let current: SectionBuild | undefined;
  const sectionFor = (line: number): SectionBuild => {
    if (!current) {
      current = { name: DEFAULT_SECTION, line, statements: [], labels: new Map(), slots: 0 };
      sections.push(current);
    }
    return current;
  };
  const state: DirectiveState = { maps: [], license: undefined };

  for (const src of lines) {
    if (src.tokens.length === 0) continue;
    const lineNo = src.line;
    const ctx: ParseContext = {
      symbols,
      error: (at, message, code = 'syntax') => diagnostics.push(diag('error', code, message, lineNo, at.col, at.endCol)),
      warning: (at, message, code = 'warning') => diagnostics.push(diag('warning', code, message, lineNo, at.col, at.endCol)),
    };
    let tokens: readonly Token[] = src.tokens;
    // Labels: `name:` at the start of the line, possibly several, possibly before an insn.
    while (tokens.length >= 2 && tokens[0]?.kind === 'ident' && tokens[1]?.text === ':' && tokens[1].kind === 'punct') {
      const label = tokens[0];
      const sec = sectionFor(lineNo);
      const prev = sec.labels.get(label.text);
      if (prev) ctx.error(label, `label '${label.text}' is already defined on line ${prev.line}`, 'duplicate-label');
      else sec.labels.set(label.text, { slot: sec.slots, line: lineNo });
      tokens = tokens.slice(2);
    }
    if (tokens.length === 0) continue;
    const first = tokens[0];
    if (first && first.kind === 'ident' && first.text.startsWith('.') && first.text.length > 1) {
      const result = parseDirective(first, tokens.slice(1), src.text, ctx, state, lineNo);
      if (result?.section !== undefined) {
        const existing = sections.find((s) => s.name === result.section);
        if (existing) {
          current = existing;
        } else {
          current = { name: result.section, line: lineNo, statements: [], labels: new Map(), slots: 0 };
          sections.push(current);
        }
      }
      continue;
    }
    const eol = src.text.trimEnd().length + 1;
    const cursor = new Cursor(tokens, ctx, eol);
    const parsed = dialect.parse(cursor);
    const sec = sectionFor(lineNo);
    const span: SourceSpan = { line: lineNo, col: first?.col ?? 1, endCol: eol };
    if (parsed) {
      sec.statements.push({ insn: parsed.insn, ...(parsed.fixup ? { fixup: parsed.fixup } : {}), slot: sec.slots, span });
      sec.slots += slotCount(parsed.insn);
    } else {
      // Keep later slots where they would be, so one bad line does not shift every jump.
      sec.slots += /^(lddw|ld_pseudo|r\d+\s*=.*\bll\b)/i.test(src.text.trim()) ? 2 : 1;
    }
  }

  const out: Section[] = [];
  for (const sec of sections) {
    out.push(finishSection(sec, dialect, state.maps, symbols, isa, diagnostics));
  }
  if (!sections.some((s) => s.statements.length > 0) && !diagnostics.some((d) => d.severity === 'error')) {
    diagnostics.push(diag('error', 'empty', 'no instructions: the file is empty or holds only comments and directives', 1, 1, 2));
  }
  diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  return {
    ok: !diagnostics.some((d) => d.severity === 'error'),
    dialect: dialect.name,
    sections: out,
    maps: state.maps,
    ...(state.license === undefined ? {} : { license: state.license }),
    diagnostics,
  };
}

function finishSection(
  sec: SectionBuild,
  dialect: Dialect,
  maps: readonly MapDecl[],
  symbols: AsmSymbols,
  isa: IsaLevel,
  diagnostics: Diagnostic[],
): Section {
  const bytes = new Uint8Array(sec.slots * SLOT_BYTES);
  const insns: (Insn | null)[] = new Array<Insn | null>(sec.slots).fill(null);
  const spans: SourceSpan[] = new Array<SourceSpan>(sec.slots).fill({ line: sec.line, col: 1, endCol: 1 });
  const relocations: Relocation[] = [];
  for (const st of sec.statements) insns[st.slot] = st.insn;

  const labelSlot = (name: string): number | undefined => sec.labels.get(name)?.slot ?? dialect.implicitLabel?.(name, insns);
  const err = (st: Statement, at: Span, code: string, message: string): void => {
    diagnostics.push(diag('error', code, message, st.span.line, at.col, at.endCol, st.slot));
  };

  for (const st of sec.statements) {
    let insn = st.insn;
    const fx = st.fixup;
    if (fx) {
      const rel = (target: number): number => target - (st.slot + 1);
      switch (fx.kind) {
        case 'jump': {
          const target = labelSlot(fx.label);
          if (target === undefined) {
            const hint = closest(fx.label, sec.labels.keys());
            err(st, fx.span, 'unknown-label', `unknown label '${fx.label}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
            break;
          }
          const off = rel(target);
          if (insn.kind === 'ja' || insn.kind === 'jcond') {
            const long = insn.kind === 'ja' && insn.long;
            if (!inRange(BigInt(off), long ? OFF32 : OFF16)) {
              err(st, fx.span, 'jump-range', `label '${fx.label}' is ${off} instructions away, beyond ${long ? 'a 32-bit' : 'a 16-bit'} offset${long ? '' : '; use gotol for a far unconditional jump'}`);
              break;
            }
            insn = { ...insn, off };
          }
          break;
        }
        case 'local-call':
        case 'call': {
          const target = labelSlot(fx.kind === 'call' ? fx.name : fx.label);
          if (target !== undefined) {
            insn = { kind: 'call', target: 'local', imm: rel(target), off: 0 };
            break;
          }
          if (fx.kind === 'local-call') {
            err(st, fx.span, 'unknown-label', `unknown function label '${fx.label}'`);
            break;
          }
          const helper = symbols.helperId(fx.name);
          if (helper !== undefined) {
            insn = { kind: 'call', target: 'helper', imm: helper, off: 0 };
            relocations.push({ kind: 'helper', pc: st.slot, name: fx.name });
            break;
          }
          const kfunc = symbols.kfuncId(fx.name);
          if (kfunc !== undefined) {
            insn = { kind: 'call', target: 'kfunc', imm: kfunc, off: 0 };
            relocations.push({ kind: 'kfunc', pc: st.slot, name: fx.name });
            break;
          }
          const hint = closest(fx.name, [...sec.labels.keys(), ...symbols.helperNames(), ...symbols.kfuncNames()]);
          err(st, fx.span, 'unknown-function', `unknown function '${fx.name}': not a label of this section, a helper or a kfunc${hint ? ` (did you mean '${hint}'?)` : ''}`);
          break;
        }
        case 'map': {
          const index = maps.findIndex((m) => m.name === fx.name);
          const label = index < 0 ? sec.labels.get(fx.name) : undefined;
          if (label && insn.kind === 'ldimm64') {
            // The address of a function of this program (a bpf_loop or for_each_map_elem
            // callback): BPF_PSEUDO_FUNC with imm relative to the next instruction, as libbpf
            // rewrites llvm's relocation against the function's symbol.
            insn = { ...insn, pseudo: 4, imm: label.slot - (st.slot + 1), imm2: 0 };
            relocations.push({ kind: 'func', pc: st.slot, name: fx.name });
            break;
          }
          if (index < 0) {
            const hint = closest(fx.name, maps.map((m) => m.name));
            err(st, fx.span, 'unknown-map', `unknown map or function '${fx.name}'; declare a map with .map, or name a label of this section${hint ? ` (did you mean '${hint}'?)` : ''}`);
            break;
          }
          if (insn.kind === 'ldimm64') insn = { ...insn, pseudo: 1, imm: index, imm2: 0 };
          relocations.push({ kind: 'map', pc: st.slot, map: fx.name });
          break;
        }
      }
    }
    const form = formOf(insn);
    if (form && form.isa > isa) {
      err(st, { col: st.span.col, endCol: st.span.endCol }, 'isa-level', `${form.mnemonic} needs ISA ${isaName(form.isa)}; the selected level is ${isaName(isa)}`);
    }
    const raw = encodeInsn(insn);
    if (!raw) {
      err(st, { col: st.span.col, endCol: st.span.endCol }, 'internal', 'internal: this instruction has no encoding');
      continue;
    }
    raw.forEach((r, k) => writeRaw(bytes, st.slot + k, r));
    insns[st.slot] = insn;
    spans[st.slot] = st.span;
    if (raw.length === 2) spans[st.slot + 1] = st.span;
  }
  const labels = new Map<string, number>();
  for (const [name, v] of sec.labels) labels.set(name, v.slot);
  return { name: sec.name, kind: sectionKind(sec.name), bytes, insns, spans, labels, relocations };
}
