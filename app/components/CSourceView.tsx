// The C view of a program opened from a clang-built object: the C file, read-only, with under
// each line the instructions it became (when shown). Breakpoints go on C lines (the first
// instruction of each group of the line), the line about to run is marked as the debugger
// steps by C line (F11 to the next one, into a called function; F10 over it), and the
// verifier's and the assembler's messages show under the C line of their instruction. The
// assembly that runs is one click away (the buttons above).

import { Fragment, memo, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { tokenizeC, type CLexState, type CSpan } from '../editor/c-tokens.ts';
import { tokenClass } from '../editor/theme.ts';
import { cLineOfAsm, hasBreakpoint, toggleCBreakpoint, type CViewLine, type CViewModel } from '../share/c-view.ts';
import { selectBreakpoints, selectCurrentLine, selectProblems } from '../state/selectors.ts';
import { store, useStore } from '../state/store.ts';
import { registerCReveal } from '../editor-bridge.ts';
import type { ProblemView } from '../state/program.ts';

function spansNode(spans: readonly CSpan[]): ReactNode[] {
  return spans.map((s, i) =>
    s.type ? (
      <span key={i} className={tokenClass(s.type)}>
        {s.text}
      </span>
    ) : (
      s.text
    ),
  );
}

interface Row {
  readonly line: CViewLine;
  readonly spans: readonly CSpan[];
}

/** Every line of the view, highlighted (block comments carry across lines). */
function rowsOf(lines: readonly CViewLine[]): Row[] {
  let state: CLexState = 'code';
  return lines.map((line) => {
    const r = tokenizeC((line.text ?? '').replace(/\t/g, '        '), state);
    state = r.state;
    return { line, spans: r.spans };
  });
}

const LineRow = memo(function LineRow(props: {
  row: Row;
  label: string;
  breakpoint: boolean;
  current: boolean;
  problems: readonly ProblemView[];
  /** A panel asked to see this line. */
  asked: boolean;
  asm: readonly string[];
  showAsm: boolean;
  /** The assembly line about to run, when it is one of this line's. */
  currentAsm: number | undefined;
  onToggle: (line: CViewLine) => void;
}) {
  const { row, label, breakpoint, current, problems, asked, asm, showAsm, currentAsm, onToggle } = props;
  const { line } = row;
  const runs = line.asm.length > 0;
  return (
    <>
      <span
        className={`bpf-line c-line${current ? ' bpf-current' : ''}${runs ? '' : ' c-line-idle'}${asked ? ' c-line-asked' : ''}`}
        {...(label === String(line.line) ? { 'data-c-line': line.line } : { 'data-c-other': label })}
        data-testid={`c-line-${label}`}
      >
        <span className={breakpoint ? 'bpf-gutter bpf-bp' : 'bpf-gutter'}>
          {runs ? (
            <button
              type="button"
              aria-pressed={breakpoint}
              aria-label={`Breakpoint on C line ${label}`}
              title={breakpoint ? `Remove the breakpoint on C line ${label}` : `Set a breakpoint on C line ${label} (${line.asm.length} instruction${line.asm.length > 1 ? 's' : ''})`}
              onClick={() => onToggle(line)}
            >
              {line.line}
            </button>
          ) : (
            <span aria-hidden="true" title="No instruction comes from this line">
              {line.line}
            </span>
          )}
        </span>
        {breakpoint ? <span className="bpf-sr-only">(breakpoint) </span> : null}
        {current ? <span className="bpf-sr-only">(runs next) </span> : null}
        <span className="bpf-code">{line.text === undefined ? <span className="c-unknown">{runs ? '…' : ''}</span> : spansNode(row.spans)}</span>
      </span>
      {problems.map((p, i) => (
        <span key={`p${i}`} className={`c-problem c-problem-${p.severity}`} role="note" data-testid="c-problem">
          {`${p.severity === 'error' ? 'error' : p.severity}: ${p.message}`}
          <span className="c-problem-where">{` (assembly line ${p.line}${p.source ? `, ${p.source}` : ''})`}</span>
        </span>
      ))}
      {showAsm && runs ? (
        <span className="c-asm" aria-label={`Instructions of C line ${label}`}>
          {line.asm.map((a, i) => (
            <span key={a} className={a === currentAsm ? 'c-asm-line bpf-current' : 'c-asm-line'} title={`Assembly line ${a}`}>
              <span className="c-asm-no">{a}</span>
              {asm[i] ?? ''}
              {a === currentAsm ? <span className="bpf-sr-only"> (runs next)</span> : null}
            </span>
          ))}
        </span>
      ) : null}
    </>
  );
});

export function CSourceView({ model, asmText, theme }: { model: CViewModel; asmText: string; theme: 'light' | 'dark' }) {
  const breakpoints = useStore(selectBreakpoints);
  const currentAsm = useStore(selectCurrentLine);
  const problems = useStore(useShallow(selectProblems));
  const [showAsm, setShowAsm] = useState(false);
  const rows = useMemo(() => rowsOf(model.lines), [model]);
  const otherRows = useMemo(() => rowsOf(model.others), [model]);
  const asmLines = useMemo(() => asmText.split('\n'), [asmText]);
  const current = currentAsm === undefined ? undefined : cLineOfAsm(model, currentAsm);
  // Problems by C line; those on no C line are listed above the file.
  const { byLine, loose } = useMemo(() => {
    const map = new Map<CViewLine, ProblemView[]>();
    const rest: ProblemView[] = [];
    for (const p of problems) {
      const l = cLineOfAsm(model, p.line);
      if (l) map.set(l, [...(map.get(l) ?? []), p]);
      else rest.push(p);
    }
    return { byLine: map, loose: rest };
  }, [problems, model]);
  const onToggle = useMemo(() => (line: CViewLine) => store.set({ breakpoints: toggleCBreakpoint(line, store.get().breakpoints) }), []);
  const scroller = useRef<HTMLDivElement>(null);
  // A panel asks to see an instruction (a problem, a fault): its C line, scrolled to and marked.
  const [asked, setAsked] = useState<CViewLine | undefined>(undefined);
  useEffect(() => {
    registerCReveal((asmLine) => {
      const line = cLineOfAsm(model, asmLine);
      if (!line) return false;
      setAsked(line);
      return true;
    });
    return () => registerCReveal(undefined);
  }, [model]);
  useEffect(() => {
    if (!asked) return;
    const key = asked.file === model.file ? `[data-c-line="${asked.line}"]` : `[data-c-other="${asked.file}:${asked.line}"]`;
    const el = scroller.current?.querySelector<HTMLElement>(key);
    el?.scrollIntoView({ block: 'center' });
    scroller.current?.focus({ preventScroll: true });
  }, [asked, model]);
  // The line about to run stays in sight as the debugger steps.
  useEffect(() => {
    if (!current) return;
    const el = scroller.current?.querySelector(`[data-c-line="${current.line}"].bpf-current`);
    if (el && 'scrollIntoView' in el) el.scrollIntoView({ block: 'nearest' });
  }, [current]);
  const none: readonly ProblemView[] = [];
  const row = (r: Row, label: string) => (
    <LineRow
      key={`${r.line.file}:${r.line.line}`}
      row={r}
      label={label}
      breakpoint={hasBreakpoint(r.line, breakpoints)}
      current={current === r.line}
      problems={byLine.get(r.line) ?? none}
      asked={asked === r.line}
      asm={showAsm ? r.line.asm.map((a) => (asmLines[a - 1] ?? '').trim()) : []}
      showAsm={showAsm}
      currentAsm={current === r.line ? currentAsm : undefined}
      onToggle={onToggle}
    />
  );
  return (
    <div className={`c-view bpf-editor bpf-theme-${theme}`}>
      <div className="c-view-bar">
        <span className="hint">
          {model.file} · read-only · {model.covered.toLocaleString('en-US')} instruction{model.covered === 1 ? '' : 's'} under C lines
          {model.uncovered ? `, ${model.uncovered.toLocaleString('en-US')} without` : ''} · F11 steps into, F10 over, by C line
        </span>
        <label className="c-view-toggle">
          <input type="checkbox" checked={showAsm} onChange={(e) => setShowAsm(e.target.checked)} /> Instructions
        </label>
      </div>
      <div className="bpf-static c-view-scroll" role="region" aria-label={`C source of ${model.file}, read-only`} tabIndex={0} ref={scroller} data-testid="c-view">
        {loose.length ? (
          <div className="c-loose">
            {loose.map((p, i) => (
              <span key={i} className={`c-problem c-problem-${p.severity}`} role="note" data-testid="c-problem">
                {`${p.severity}: ${p.message} (assembly line ${p.line}, on no C line)`}
              </span>
            ))}
          </div>
        ) : null}
        <pre className="bpf-static-pre">
          {rows.map((r) => row(r, String(r.line.line)))}
          {otherRows.length ? (
            <Fragment>
              <span className="c-other-file">Lines of other files (inlined from headers):</span>
              {otherRows.map((r) => row(r, `${r.line.file}:${r.line.line}`))}
            </Fragment>
          ) : null}
        </pre>
      </div>
    </div>
  );
}
