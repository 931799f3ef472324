// The static, highlighted view of the program: the first paint before Monaco arrives, and the
// preview beside the plain textarea on phones. Shows diagnostics (wavy underline with a title),
// breakpoints and the current line, colored by the same token table and palette as Monaco.

import { memo, useMemo, type ReactNode, type Ref } from 'react';
import { diagnosticTitle, lineCount, staticLines, type StaticLine, type StaticSegment } from './static-model.ts';
import { tokenClass } from './theme.ts';
import type { EditorDiagnostic } from './types.ts';

export interface StaticViewProps {
  text: string;
  diagnostics: readonly EditorDiagnostic[];
  breakpoints: readonly number[];
  currentLine?: number | undefined;
  label: string;
  /** When given, line numbers are buttons that toggle breakpoints (the phone preview). */
  onToggleBreakpoint?: ((line: number) => void) | undefined;
  scrollRef?: Ref<HTMLDivElement>;
  /** The user reached for the code: a hint to load Monaco now. */
  onActivate?: (() => void) | undefined;
}

function segmentNode(s: StaticSegment, key: number): ReactNode {
  return s.type ? (
    <span key={key} className={tokenClass(s.type)}>
      {s.text}
    </span>
  ) : (
    s.text
  );
}

/** Token spans, with runs under one diagnostic wrapped in a single underlined span. */
function lineContent(line: StaticLine): ReactNode[] {
  const out: ReactNode[] = [];
  const segs = line.segments;
  for (let i = 0; i < segs.length; ) {
    const d = segs[i]?.diagnostic;
    if (!d) {
      const s = segs[i];
      if (s) out.push(segmentNode(s, i));
      i++;
      continue;
    }
    const start = i;
    const group: ReactNode[] = [];
    while (i < segs.length && segs[i]?.diagnostic === d) {
      const s = segs[i];
      if (s) group.push(segmentNode(s, i));
      i++;
    }
    out.push(
      <span key={`d${start}`} className={`bpf-diag bpf-diag-${d.severity}`} title={diagnosticTitle(d)}>
        {group}
      </span>,
      <span key={`s${start}`} className="bpf-sr-only">{` (${diagnosticTitle(d)}) `}</span>,
    );
  }
  return out;
}

export const StaticView = memo(function StaticView(props: StaticViewProps) {
  const { text, diagnostics, breakpoints, currentLine, onToggleBreakpoint } = props;
  const lines = useMemo(() => staticLines(text, diagnostics, breakpoints, currentLine), [text, diagnostics, breakpoints, currentLine]);
  const total = useMemo(() => lineCount(text), [text]);
  return (
    // A scrollable region must be focusable (axe: scrollable-region-focusable).
    <div
      className="bpf-static"
      role="region"
      aria-label={props.label}
      tabIndex={0}
      ref={props.scrollRef}
      onFocus={props.onActivate}
      onPointerEnter={props.onActivate}
    >
      <pre className="bpf-static-pre">
        {lines.map((line) => {
          const gutterTitle = line.breakpoint ? `Breakpoint on line ${line.line}` : undefined;
          return (
            <span key={line.line} className={line.current ? 'bpf-line bpf-current' : 'bpf-line'} data-line={line.line}>
              {onToggleBreakpoint ? (
                <span className={line.breakpoint ? 'bpf-gutter bpf-bp' : 'bpf-gutter'}>
                  <button
                    type="button"
                    aria-pressed={line.breakpoint}
                    aria-label={`Breakpoint on line ${line.line}`}
                    title={line.breakpoint ? `Remove the breakpoint on line ${line.line}` : `Set a breakpoint on line ${line.line}`}
                    onClick={() => onToggleBreakpoint(line.line)}
                  >
                    {line.line}
                  </button>
                </span>
              ) : (
                <span className={line.breakpoint ? 'bpf-gutter bpf-bp' : 'bpf-gutter'} aria-hidden="true" title={gutterTitle}>
                  {line.line}
                </span>
              )}
              {line.breakpoint && !onToggleBreakpoint ? <span className="bpf-sr-only">(breakpoint) </span> : null}
              {line.current ? <span className="bpf-sr-only">(next instruction) </span> : null}
              <span className="bpf-code">
                {lineContent(line)}
                {line.cut ? <span className="bpf-cut">{` … (${line.cut.toLocaleString('en-US')} more characters)`}</span> : null}
              </span>
            </span>
          );
        })}
        {total > lines.length ? <span className="bpf-cut">{`… ${(total - lines.length).toLocaleString('en-US')} more lines: the editor shows them all once it has loaded.`}</span> : null}
      </pre>
    </div>
  );
});
