// The assembler: text in either dialect to per-section bytecode with a source map. Two passes
// (parse every line, then resolve labels, calls and maps); the problems of the file are reported
// in one run (the first hundred of each severity, then a count: diagnostic-sink.ts), and
// nothing here throws to the caller. Every name lookup is a Map, so any text is just a name and
// the work stays linear in the size of the source.

import { encodeInsn, formOf, isaName, slotCount, writeRaw, SLOT_BYTES, type Insn, type IsaLevel } from '../isa/index.ts';
import type { Diagnostic } from '../program/diagnostic.ts';
import { sectionKind, type MapDecl, type Relocation, type Section, type SourceSpan } from '../program/program.ts';
import { Cursor, type FieldUse, type ParseContext, type Span } from './cursor.ts';
import type { Dialect, DialectName, Fixup } from './dialect.ts';
import { detectDialect, dialectByName } from './dialects.ts';
import { DiagnosticSink, type PendingDiagnostic } from './diagnostic-sink.ts';
import { parseDirective, type DirectiveState } from './directives.ts';
import { lex, type SourceLine } from './lexer.ts';
import { OFF16, OFF32, inRange } from './numbers.ts';
import { didYouMean, kernelSymbols, type AsmSymbols, type SuggestionWork } from './symbols.ts';

export interface AssembleOptions {
  /** `auto` (default) picks the dialect from the first decisive line. */
  readonly dialect?: DialectName | 'auto';
  /** Highest ISA level accepted (default v4). */
  readonly isa?: IsaLevel;
  readonly symbols?: AsmSymbols;
  /** Counts the work of "did you mean" searches (for tests that bound it). */
  readonly work?: SuggestionWork;
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
  /** The `STRUCT.FIELD` offsets it holds. */
  readonly fields?: readonly FieldUse[];
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
  const sink = new DiagnosticSink();
  try {
    return run(text, options, sink);
  } catch (e) {
    // A bug of ours must still come back as a diagnostic, with what was collected so far.
    sink.add({ severity: 'error', code: 'internal', message: `internal assembler error: ${e instanceof Error ? e.message : String(e)}`, line: 1, col: 1, endCol: 2 });
    return { ok: false, dialect: 'llvm', sections: [], maps: [], diagnostics: sink.finish() };
  }
}

function run(text: string, options: AssembleOptions, sink: DiagnosticSink): AssembleResult {
  const symbols = options.symbols ?? kernelSymbols;
  const isa = options.isa ?? 4;
  const work = options.work ?? { queries: 0, candidates: 0, cells: 0 };
  const { lines, errors } = lex(text);
  // Lex errors by line (an unterminated comment is found before the lines are cut): each line's
  // go to the sink with its parse errors, so that its quota goes to the leftmost problems.
  const lexErrors = [...errors].sort((x, y) => x.line - y.line || x.col - y.col);
  let nextLexError = 0;

  const dialectName = options.dialect && options.dialect !== 'auto' ? options.dialect : detectDialect(lines);
  const dialect = dialectByName(dialectName);

  // In order of first appearance; a `.section` naming an earlier one continues it.
  const sections = new Map<string, SectionBuild>();
  let current: SectionBuild | undefined;
  const enter = (name: string, line: number): SectionBuild => {
    const existing = sections.get(name);
    if (existing) return existing;
    const made = { name, line, statements: [], labels: new Map(), slots: 0 };
    sections.set(name, made);
    return made;
  };
  const sectionFor = (line: number): SectionBuild => (current ??= enter(DEFAULT_SECTION, line));
  const state: DirectiveState = { maps: [], mapIndex: new Map(), license: undefined };
  // The STRUCT.FIELD uses of the instruction being parsed: ctx.field adds, readLine takes them.
  let fields: FieldUse[] | undefined;
  const takeFields = (): FieldUse[] | undefined => {
    const taken = fields;
    fields = undefined;
    return taken;
  };

  const readLine = (src: SourceLine, ctx: ParseContext): void => {
    const lineNo = src.line;
    const all = src.tokens;
    // Labels: `name:` at the start of the line, possibly several, possibly before an insn.
    let k = 0;
    while (k + 1 < all.length && all[k]?.kind === 'ident' && all[k + 1]?.text === ':' && all[k + 1]?.kind === 'punct') {
      const label = all[k];
      k += 2;
      if (!label) break;
      const sec = sectionFor(lineNo);
      const prev = sec.labels.get(label.text);
      if (prev) ctx.error(label, `label '${label.text}' is already defined on line ${prev.line}`, 'duplicate-label');
      else sec.labels.set(label.text, { slot: sec.slots, line: lineNo });
    }
    const tokens = k === 0 ? all : all.slice(k);
    const first = tokens[0];
    if (!first) return;
    if (first.kind === 'ident' && first.text.startsWith('.') && first.text.length > 1) {
      const result = parseDirective(first, tokens.slice(1), src.text, ctx, state, lineNo);
      if (result?.section !== undefined) current = enter(result.section, lineNo);
      return;
    }
    const eol = src.text.trimEnd().length + 1;
    const parsed = dialect.parse(new Cursor(tokens, ctx, eol));
    const used = takeFields();
    const sec = sectionFor(lineNo);
    const span: SourceSpan = { line: lineNo, col: first.col, endCol: eol };
    if (parsed) {
      sec.statements.push({ insn: parsed.insn, ...(parsed.fixup ? { fixup: parsed.fixup } : {}), ...(used ? { fields: used } : {}), slot: sec.slots, span });
      sec.slots += slotCount(parsed.insn);
    } else {
      // Keep later slots where they would be, so one bad line does not shift every jump.
      sec.slots += /^(lddw|ld_pseudo|r\d+\s*=.*\bll\b)/i.test(src.text.trim()) ? 2 : 1;
    }
  };

  // One context for every line: the diagnostics of the line being read collect in `pending`.
  let lineNo = 0;
  let pending: PendingDiagnostic[] = [];
  const ctx: ParseContext = {
    symbols,
    work,
    error: (at, message, code = 'syntax') => pending.push({ severity: 'error', code, message, line: lineNo, col: at.col, endCol: at.endCol }),
    warning: (at, message, code = 'warning') => pending.push({ severity: 'warning', code, message, line: lineNo, col: at.col, endCol: at.endCol }),
    field: (use) => (fields ??= []).push(use),
  };
  for (const src of lines) {
    lineNo = src.line;
    for (let e = lexErrors[nextLexError]; e && e.line <= lineNo; e = lexErrors[++nextLexError]) {
      pending.push({ severity: 'error', code: 'lex', message: e.message, line: e.line, col: e.col, endCol: e.endCol });
    }
    if (src.tokens.length > 0) readLine(src, ctx);
    if (pending.length > 0) {
      sink.addLine(pending);
      pending = [];
    }
  }

  const out: Section[] = [];
  const resolve: Resolve = { dialect, maps: state.maps, mapIndex: state.mapIndex, symbols, isa, sink, work };
  for (const sec of sections.values()) out.push(finishSection(sec, resolve));
  if (![...sections.values()].some((s) => s.statements.length > 0) && sink.errorCount === 0) {
    sink.add({ severity: 'error', code: 'empty', message: 'no instructions: the file is empty or holds only comments and directives', line: 1, col: 1, endCol: 2 });
  }
  const ok = sink.errorCount === 0;
  return {
    ok,
    dialect: dialect.name,
    sections: out,
    maps: state.maps,
    ...(state.license === undefined ? {} : { license: state.license }),
    diagnostics: sink.finish(),
  };
}

/** What the second pass resolves names against. */
interface Resolve {
  readonly dialect: Dialect;
  readonly maps: readonly MapDecl[];
  readonly mapIndex: ReadonlyMap<string, number>;
  readonly symbols: AsmSymbols;
  readonly isa: IsaLevel;
  readonly sink: DiagnosticSink;
  readonly work: SuggestionWork;
}

function finishSection(sec: SectionBuild, { dialect, maps, mapIndex, symbols, isa, sink, work }: Resolve): Section {
  const bytes = new Uint8Array(sec.slots * SLOT_BYTES);
  const insns: (Insn | null)[] = new Array<Insn | null>(sec.slots).fill(null);
  const spans: SourceSpan[] = new Array<SourceSpan>(sec.slots).fill({ line: sec.line, col: 1, endCol: 1 });
  const relocations: Relocation[] = [];
  for (const st of sec.statements) insns[st.slot] = st.insn;

  // A dialect's implicit label (ubpf's `exit`) scans the section: once per name, not per jump.
  const implicit = new Map<string, number | undefined>();
  const implicitLabel = (name: string): number | undefined => {
    if (!dialect.implicitLabel) return undefined;
    if (!implicit.has(name)) implicit.set(name, dialect.implicitLabel(name, insns));
    return implicit.get(name);
  };
  const labelSlot = (name: string): number | undefined => sec.labels.get(name)?.slot ?? implicitLabel(name);
  // Messages with a "did you mean" are worked out only for the diagnostics that are kept.
  const err = (st: Statement, at: Span, code: string, message: PendingDiagnostic['message']): void => {
    sink.add({ severity: 'error', code, message, line: st.span.line, col: at.col, endCol: at.endCol, pc: st.slot });
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
            const label = fx.label;
            err(st, fx.span, 'unknown-label', () => `unknown label '${label}'${didYouMean(label, () => sec.labels.keys(), work)}`);
            break;
          }
          const off = rel(target);
          if (insn.kind === 'ja' || insn.kind === 'jcond' || insn.kind === 'may_goto') {
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
          const name = fx.name;
          const candidates = (): string[] => [...sec.labels.keys(), ...symbols.helperNames(), ...symbols.kfuncNames()];
          err(st, fx.span, 'unknown-function', () => `unknown function '${name}': not a label of this section, a helper or a kfunc${didYouMean(name, candidates, work)}`);
          break;
        }
        case 'map': {
          const index = mapIndex.get(fx.name) ?? -1;
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
            const name = fx.name;
            err(st, fx.span, 'unknown-map', () => `unknown map or function '${name}'; declare a map with .map, or name a label of this section${didYouMean(name, () => maps.map((m) => m.name), work)}`);
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
    for (const f of st.fields ?? []) relocations.push({ kind: 'field', pc: st.slot, struct: f.struct, path: [f.field], operand: f.operand });
    insns[st.slot] = insn;
    spans[st.slot] = st.span;
    if (raw.length === 2) spans[st.slot + 1] = st.span;
  }
  const labels = new Map<string, number>();
  for (const [name, v] of sec.labels) labels.set(name, v.slot);
  return { name: sec.name, kind: sectionKind(sec.name), bytes, insns, spans, labels, relocations };
}
