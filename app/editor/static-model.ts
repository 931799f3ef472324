// What the static (first-paint) view draws, as plain data: each line cut into segments by token
// and by diagnostic range, plus its breakpoint and current-line state. Pure, so it is tested
// without a DOM; StaticView.tsx only renders it.

import { tokenizeText, type SpanType } from './tokens.ts';
import type { EditorDiagnostic } from './types.ts';

export interface StaticSegment {
  readonly text: string;
  readonly type: SpanType;
  /** The most severe diagnostic covering the segment, if any. */
  readonly diagnostic?: EditorDiagnostic;
}

export interface StaticLine {
  /** 1-based. */
  readonly line: number;
  readonly segments: readonly StaticSegment[];
  readonly breakpoint: boolean;
  readonly current: boolean;
  /** Diagnostics on this line, for the gutter's title. */
  readonly diagnostics: readonly EditorDiagnostic[];
  /** Characters of the line not drawn (a very long line). */
  readonly cut?: number;
}

const RANK: Readonly<Record<EditorDiagnostic['severity'], number>> = { error: 3, warning: 2, info: 1 };

/**
 * The 0-based [start, end) a diagnostic covers on `line`. An empty range widens to one
 * character (Monaco widens it to the word; one character is enough to see and hover).
 */
export function coverage(d: EditorDiagnostic, line: number, lineLength: number): [number, number] | undefined {
  const endLine = Math.max(d.line, d.endLine);
  if (line < d.line || line > endLine) return undefined;
  let start = line === d.line ? Math.max(0, d.col - 1) : 0;
  let end = line === endLine ? Math.max(0, d.endCol - 1) : lineLength;
  start = Math.min(start, lineLength);
  end = Math.min(end, lineLength);
  if (end <= start) {
    if (lineLength === 0) return [0, 0];
    if (start >= lineLength) start = lineLength - 1;
    end = start + 1;
  }
  return [start, end];
}

/**
 * How much of a document the static view draws: the first paint is a preview until Monaco
 * arrives, and drawing a megabyte of text (or one line of a million characters) as DOM would
 * freeze the page for seconds. Monaco then shows everything.
 */
export const STATIC_LIMITS = Object.freeze({ lines: 1000, chars: 400 });

export interface StaticLimits {
  readonly lines: number;
  /** Characters shown of one line; the rest is cut (StaticLine.cut). */
  readonly chars: number;
}

/** The first `limit` lines of `text` (CR, LF or CRLF ends), without splitting the rest. */
function firstLines(text: string, limit: number): { lines: string[]; total: number } {
  const lines: string[] = [];
  let at = 0;
  let total = 1;
  const re = /\r\n|\r|\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (lines.length < limit) lines.push(text.slice(at, m.index));
    at = m.index + m[0].length;
    total++;
  }
  if (lines.length < limit) lines.push(text.slice(at));
  return { lines, total };
}

export function staticLines(
  text: string,
  diagnostics: readonly EditorDiagnostic[],
  breakpoints: readonly number[],
  currentLine: number | undefined,
  limits: StaticLimits = STATIC_LIMITS,
): StaticLine[] {
  const { lines: full } = firstLines(text, limits.lines);
  const lines = full.map((l) => (l.length > limits.chars ? l.slice(0, limits.chars) : l));
  const spans = tokenizeText(lines.join('\n'));
  const bps = new Set(breakpoints);
  // Diagnostics by the lines they cover (only the lines drawn), so each line looks at its own.
  const byLine = new Map<number, EditorDiagnostic[]>();
  for (const d of diagnostics) {
    const last = Math.min(Math.max(d.line, d.endLine), lines.length);
    for (let l = Math.max(1, d.line); l <= last; l++) {
      const list = byLine.get(l);
      if (list) list.push(d);
      else byLine.set(l, [d]);
    }
  }
  return lines.map((lineText, i) => {
    const line = i + 1;
    const covering: { d: EditorDiagnostic; range: [number, number] }[] = [];
    for (const d of byLine.get(line) ?? []) {
      const range = coverage(d, line, lineText.length);
      if (range) covering.push({ d, range });
    }
    // Cut at every token and diagnostic boundary, so each segment has one type and one diagnostic.
    const cuts = new Set<number>([0, lineText.length]);
    for (const s of spans[i] ?? []) cuts.add(s.start).add(s.end);
    for (const c of covering) cuts.add(c.range[0]).add(c.range[1]);
    const points = [...cuts].sort((a, b) => a - b);
    const segments: StaticSegment[] = [];
    let span = 0;
    const lineSpans = spans[i] ?? [];
    for (let k = 0; k + 1 < points.length; k++) {
      const start = points[k] ?? 0;
      const end = points[k + 1] ?? 0;
      if (end <= start) continue;
      // Spans are in order: walk them along with the cuts instead of searching each time.
      while (span < lineSpans.length && (lineSpans[span]?.end ?? 0) <= start) span++;
      const at = lineSpans[span];
      const type = at && at.start <= start && start < at.end ? at.type : '';
      const diagnostic = worst(covering.filter((c) => c.range[0] <= start && start < c.range[1]).map((c) => c.d));
      const last = segments[segments.length - 1];
      if (last && last.type === type && last.diagnostic === diagnostic) segments[segments.length - 1] = { ...last, text: last.text + lineText.slice(start, end) };
      else segments.push(diagnostic ? { text: lineText.slice(start, end), type, diagnostic } : { text: lineText.slice(start, end), type });
    }
    // A diagnostic on an empty line still shows: one underlined blank.
    const onEmpty = worst(covering.filter((c) => c.range[1] === 0).map((c) => c.d));
    if (lineText.length === 0 && onEmpty) segments.push({ text: ' ', type: '', diagnostic: onEmpty });
    const cut = (full[i]?.length ?? 0) - lineText.length;
    return { line, segments, breakpoint: bps.has(line), current: currentLine === line, diagnostics: covering.map((c) => c.d), ...(cut > 0 ? { cut } : {}) };
  });
}

/** How many lines `text` has (what the static view says it left out). */
export function lineCount(text: string): number {
  return firstLines(text, 0).total;
}

function worst(ds: readonly EditorDiagnostic[]): EditorDiagnostic | undefined {
  let best: EditorDiagnostic | undefined;
  for (const d of ds) if (!best || RANK[d.severity] > RANK[best.severity]) best = d;
  return best;
}

/** The text a diagnostic shows on hover in the static view. */
export function diagnosticTitle(d: EditorDiagnostic): string {
  return `${d.severity}: ${d.message} (${d.source}${d.code ? ` ${d.code}` : ''})`;
}

/** Monaco's aria label with the Tab-trap escape spelled out (monaco-editor#296). */
export function editorAriaLabel(label: string | undefined): string {
  const base = (label ?? 'BPF program editor').replace(/[.\s]+$/, '');
  if (/Ctrl\+M\b/.test(base)) return `${base}.`;
  return `${base}. Tab inserts a tab; press Ctrl+M (Ctrl+Shift+M on macOS) to toggle Tab moving focus out of the editor.`;
}
