// What the static (first-paint) view draws, as plain data: each line cut into segments by token
// and by diagnostic range, plus its breakpoint and current-line state. Pure, so it is tested
// without a DOM; StaticView.tsx only renders it.

import { splitLines, tokenizeText, type SpanType } from './tokens.ts';
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

export function staticLines(
  text: string,
  diagnostics: readonly EditorDiagnostic[],
  breakpoints: readonly number[],
  currentLine: number | undefined,
): StaticLine[] {
  const lines = splitLines(text);
  const spans = tokenizeText(text);
  const bps = new Set(breakpoints);
  return lines.map((lineText, i) => {
    const line = i + 1;
    const covering: { d: EditorDiagnostic; range: [number, number] }[] = [];
    for (const d of diagnostics) {
      const range = coverage(d, line, lineText.length);
      if (range) covering.push({ d, range });
    }
    // Cut at every token and diagnostic boundary, so each segment has one type and one diagnostic.
    const cuts = new Set<number>([0, lineText.length]);
    for (const s of spans[i] ?? []) cuts.add(s.start).add(s.end);
    for (const c of covering) cuts.add(c.range[0]).add(c.range[1]);
    const points = [...cuts].sort((a, b) => a - b);
    const segments: StaticSegment[] = [];
    for (let k = 0; k + 1 < points.length; k++) {
      const start = points[k] ?? 0;
      const end = points[k + 1] ?? 0;
      if (end <= start) continue;
      const type = spans[i]?.find((s) => s.start <= start && start < s.end)?.type ?? '';
      const diagnostic = worst(covering.filter((c) => c.range[0] <= start && start < c.range[1]).map((c) => c.d));
      const last = segments[segments.length - 1];
      if (last && last.type === type && last.diagnostic === diagnostic) segments[segments.length - 1] = { ...last, text: last.text + lineText.slice(start, end) };
      else segments.push(diagnostic ? { text: lineText.slice(start, end), type, diagnostic } : { text: lineText.slice(start, end), type });
    }
    // A diagnostic on an empty line still shows: one underlined blank.
    const onEmpty = worst(covering.filter((c) => c.range[1] === 0).map((c) => c.d));
    if (lineText.length === 0 && onEmpty) segments.push({ text: ' ', type: '', diagnostic: onEmpty });
    return { line, segments, breakpoint: bps.has(line), current: currentLine === line, diagnostics: covering.map((c) => c.d) };
  });
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
