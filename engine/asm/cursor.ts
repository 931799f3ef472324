// A cursor over one line's tokens with the operand parsers both dialects share: numbers with
// range checks, STRUCT.FIELD offsets, and errors that point at the offending token.

import type { FieldOperand } from '../program/program.ts';
import type { Token } from './lexer.ts';
import { inRange, parseIntLiteral, type Range } from './numbers.ts';
import type { AsmSymbols, SuggestionWork } from './symbols.ts';

export interface Span {
  readonly col: number;
  readonly endCol: number;
}

/** A `STRUCT.FIELD` resolved to its offset while parsing an instruction. */
export interface FieldUse {
  readonly struct: string;
  readonly field: string;
  readonly operand: FieldOperand;
}

export interface ParseContext {
  readonly symbols: AsmSymbols;
  /** Counts the "did you mean" searches (and bounds them: symbols.ts, HINT_BUDGET). */
  readonly work?: SuggestionWork;
  /** A function message is called only if the diagnostic is kept (for costly hints). */
  error(at: Span, message: string | (() => string), code?: string): void;
  warning(at: Span, message: string | (() => string), code?: string): void;
  /** Told of each `STRUCT.FIELD` the line's instruction uses (kept only if the instruction parses). */
  field?(use: FieldUse): void;
}

export class Cursor {
  private i = 0;
  constructor(
    readonly tokens: readonly Token[],
    readonly ctx: ParseContext,
    /** Column just after the line's last character, for "expected … at end of line". */
    private readonly eolCol: number,
  ) {}

  peek(k = 0): Token | undefined {
    return this.tokens[this.i + k];
  }
  next(): Token | undefined {
    const t = this.tokens[this.i];
    if (t) this.i++;
    return t;
  }
  atEnd(): boolean {
    return this.i >= this.tokens.length;
  }
  /** Where the next token is, or the end of the line. */
  here(): Span {
    const t = this.peek();
    return t ? { col: t.col, endCol: t.endCol } : { col: this.eolCol, endCol: this.eolCol + 1 };
  }
  is(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t !== undefined && (t.kind === 'punct' || t.kind === 'ident') && t.text === text;
  }
  accept(text: string): Token | undefined {
    if (!this.is(text)) return undefined;
    return this.next();
  }
  /** Consumes `text` or reports what was found instead. */
  expect(text: string, context?: string): Token | undefined {
    const t = this.accept(text);
    if (t) return t;
    this.fail(`expected '${text}'${context ? ` ${context}` : ''}`);
    return undefined;
  }
  /** Reports an error at the current token, naming it. */
  fail(message: string, code = 'syntax'): void {
    const t = this.peek();
    this.ctx.error(this.here(), t ? `${message}, found '${t.text}'` : `${message} at end of line`, code);
  }
  /** True when nothing is left; otherwise reports the leftover. */
  end(): boolean {
    const t = this.peek();
    if (!t) return true;
    const last = this.tokens[this.tokens.length - 1] ?? t;
    this.ctx.error({ col: t.col, endCol: last.endCol }, `unexpected '${t.text}' after the instruction`, 'trailing-tokens');
    return false;
  }

  /**
   * An integer with an optional sign, checked against `range`. Also takes `STRUCT.FIELD`
   * (the field's offset) when `field` says which part of the instruction the value goes to
   * (its `off` or its `imm`); the use is told to the context. Returns undefined after reporting.
   */
  int(range: Range, what: string, field?: FieldOperand): { value: bigint; span: Span } | undefined {
    const allowField = field !== undefined;
    const start = this.peek();
    let negative = false;
    if (this.is('-') || this.is('+')) {
      negative = this.next()?.text === '-';
    }
    const t = this.peek();
    if (!t || (t.kind !== 'number' && t.kind !== 'char' && !(allowField && t.kind === 'ident' && t.text.includes('.')))) {
      this.fail(`expected ${what}`, 'expected-number');
      return undefined;
    }
    this.next();
    const span = { col: start?.col ?? t.col, endCol: t.endCol };
    let value: bigint;
    if (t.kind === 'ident') {
      const dot = t.text.indexOf('.');
      const struct = t.text.slice(0, dot);
      const name = t.text.slice(dot + 1);
      const r = this.ctx.symbols.fieldOffset(struct, name);
      if ('error' in r) {
        this.ctx.error(span, r.error, 'unknown-field');
        return undefined;
      }
      value = BigInt(r.offset);
      if (field) this.ctx.field?.({ struct, field: name, operand: field });
    } else {
      const p = parseIntLiteral(t.text);
      if (!p.ok) {
        this.ctx.error(span, p.message, 'bad-number');
        return undefined;
      }
      value = p.value;
    }
    if (negative) value = -value;
    if (!inRange(value, range)) {
      this.ctx.error(span, `${value} does not fit ${range.what}`, 'out-of-range');
      return undefined;
    }
    return { value, span };
  }
}
