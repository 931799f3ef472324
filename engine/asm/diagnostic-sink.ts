// Where the assembler's diagnostics go: it keeps the first MAX_DIAGNOSTICS errors and as many
// warnings in source order, at most MAX_DIAGNOSTICS_PER_LINE of them on one line, and counts the
// rest into one closing summary per severity. A megabyte of garbage so costs a hundred messages,
// not a million (issue 11: one diagnostic per character froze the editor for minutes). Memory
// and work stay linear in the number of diagnostics offered, with a constant of at most
// MAX_DIAGNOSTICS per offer.

import type { Diagnostic, Severity } from '../program/diagnostic.ts';

/** Errors (and, separately, warnings) an assembly reports before the summary. */
export const MAX_DIAGNOSTICS = 100;
/** Diagnostics one source line may give; a bad line is one problem to fix, not hundreds. */
export const MAX_DIAGNOSTICS_PER_LINE = 5;

/** A diagnostic whose message may be worked out only if it is kept (the "did you mean" search). */
export interface PendingDiagnostic {
  readonly severity: Severity;
  readonly code: string;
  readonly message: string | (() => string);
  readonly line: number;
  readonly col: number;
  readonly endCol: number;
  readonly pc?: number;
}

interface Entry {
  readonly d: PendingDiagnostic;
  /** Arrival order: equal positions keep it, as the stable sort this replaces did. */
  readonly seq: number;
}

const compare = (a: Entry, b: Entry): number => a.d.line - b.d.line || a.d.col - b.d.col || a.seq - b.seq;
const before = (a: Entry, b: Entry): boolean => compare(a, b) < 0;

class Kept {
  /** Sorted by position, at most `limit` long. */
  readonly entries: Entry[] = [];
  omitted = 0;
  /** The earliest omitted diagnostic: where the summary points. */
  firstOmitted: Entry | undefined;

  constructor(private readonly limit: number) {}

  offer(e: Entry): void {
    const list = this.entries;
    if (list.length === this.limit) {
      const last = list[list.length - 1];
      if (!last || !before(e, last)) {
        this.omit(e);
        return;
      }
      list.pop();
      this.omit(last);
    }
    // Binary search for the insertion point; pass 1 reports in line order, so this is the end.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = list[mid];
      if (m && before(m, e)) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, e);
  }

  omit(e: Entry): void {
    this.omitted++;
    if (!this.firstOmitted || before(e, this.firstOmitted)) this.firstOmitted = e;
  }
}

export class DiagnosticSink {
  private seq = 0;
  private readonly errors = new Kept(MAX_DIAGNOSTICS);
  private readonly warnings = new Kept(MAX_DIAGNOSTICS);
  private readonly perLine = new Map<number, number>();

  /** Errors offered so far, kept or not. */
  get errorCount(): number {
    return this.errors.entries.length + this.errors.omitted;
  }

  /** One diagnostic; past the line's quota it only counts. */
  add(d: PendingDiagnostic): void {
    const e = { d, seq: this.seq++ };
    const kept = d.severity === 'error' ? this.errors : this.warnings;
    const onLine = this.perLine.get(d.line) ?? 0;
    this.perLine.set(d.line, onLine + 1);
    if (onLine >= MAX_DIAGNOSTICS_PER_LINE) kept.omit(e);
    else kept.offer(e);
  }

  /** All the diagnostics of one line at once, so that its quota goes to the leftmost. */
  addLine(ds: readonly PendingDiagnostic[]): void {
    if (ds.length <= 1) {
      for (const d of ds) this.add(d);
      return;
    }
    for (const d of [...ds].sort((a, b) => a.line - b.line || a.col - b.col)) this.add(d);
  }

  /**
   * The kept diagnostics in source order with their messages, then one summary per severity
   * that had more, placed at the first one left out.
   */
  finish(): Diagnostic[] {
    const all: Entry[] = [...this.errors.entries, ...this.warnings.entries].sort(compare);
    for (const [kept, noun] of [
      [this.errors, 'error'],
      [this.warnings, 'warning'],
    ] as const) {
      const at = kept.firstOmitted?.d;
      if (!at) continue;
      const n = kept.omitted;
      const message = `… and ${n.toLocaleString('en-US')} more ${noun}${n === 1 ? '' : 's'}; fix the ones above first`;
      all.push({ d: { severity: at.severity, code: `too-many-${noun}s`, message, line: at.line, col: at.col, endCol: at.endCol }, seq: this.seq++ });
    }
    return all.map(({ d }) => {
      const message = typeof d.message === 'string' ? d.message : d.message();
      return { severity: d.severity, code: d.code, message, line: d.line, col: d.col, endLine: d.line, endCol: d.endCol, ...(d.pc === undefined ? {} : { pc: d.pc }) };
    });
  }
}
