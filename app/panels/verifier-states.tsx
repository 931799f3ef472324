// The Verifier panel's "States along the failing path": beliefs beside reality. Prev/Next (or
// ←/→ on the stepper) walk the steps of the path the verifier refused; each shows its source
// line (a click reveals it in the editor), the instruction, the registers the verifier believed
// in (type, bounds, tnum), the stack and the references held — and, after "Compare with a run",
// the values the interpreter saw at the same step when the program ran unverified on the
// current input, any value outside the verifier's bounds said in words. The states the
// verifier kept at the instruction (what prunes a path) are one click away.

import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { disassemble, type Section } from '../../engine/asm/index.ts';
import type { ConcreteReg, ScalarBelief, StateBelief, TraceAlongReply, VerdictError } from '../../engine/worker/protocol.ts';
import { revealInEditor } from '../editor-bridge.ts';
import { traceAlong } from '../live-verify.ts';
import { regRows } from '../state/beliefs.ts';

interface Props {
  readonly error: VerdictError;
  readonly section: Section | undefined;
  readonly lines: readonly string[];
  /** 'accepted': the path is one the verifier walked through a program it loads (no refusal at its end). */
  readonly mode?: 'refused' | 'accepted';
  /** For an accepted program's path: whether it reached the exit or was pruned at its last step. */
  readonly end?: 'exit' | 'pruned';
}

/** A scalar's bounds in a few words: each pair shown once when it says something. */
function boundsText(b: ScalarBelief): string {
  const parts = [`u ${b.umin}..${b.umax}`, `s ${b.smin}..${b.smax}`];
  if (b.mask !== '0xffffffffffffffff') parts.push(`tnum ${b.value}/${b.mask}`);
  return parts.join(', ');
}

function seenText(c: ConcreteReg): string {
  if (c.region) return `${c.hex} (${c.region}${c.offset ? ` + ${c.offset}` : ''})`;
  return c.signed.startsWith('-') ? `${c.unsigned} (${c.signed}), ${c.hex}` : `${c.unsigned}, ${c.hex}`;
}

/** What a trace says about where it went, in one sentence. */
function traceSummary(t: TraceAlongReply, steps: number, whole: boolean, goal: string): string {
  if (!t.ok) return `The program could not be run: ${t.message ?? 'it did not load'}.`;
  const took = whole
    ? t.followed === steps
      ? `The run took this path to ${goal} (all ${steps} steps).`
      : `The run took this path for ${t.followed} of ${steps} steps, then went another way: later steps show the first time it reached their instruction, if it did, and are not held against the verifier's bounds.`
    : 'The path shown is only its last steps: each shows the first time the run reached its instruction, not held against the bounds.';
  const end = t.end === 'fault' ? ` The run ended in a fault: ${t.message ?? ''}` : t.end === 'limit' ? ' The run stopped at the instruction limit.' : t.end === 'exited' ? ' The run exited.' : '';
  return took + end;
}

export function VerifierStates({ error, section, lines, mode = 'refused', end = 'exit' }: Props) {
  const accepted = mode === 'accepted';
  const pruned = accepted && end === 'pruned';
  const title = accepted ? 'States along a path the verifier walked' : 'States along the failing path';
  const states = error.states ?? [];
  const [index, setIndex] = useState(0);
  const [trace, setTrace] = useState<TraceAlongReply | { error: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const stepper = useRef<HTMLDivElement>(null);
  const i = Math.min(index, Math.max(0, states.length - 1));
  const pc = states[i]?.pc ?? -1;
  // The shown instruction alone (a 131,069-instruction program is not disassembled whole).
  const insn = useMemo(() => (section && pc >= 0 ? disassemble(section.bytes.subarray(pc * 8, pc * 8 + 16), { dialect: 'llvm' }).lines[0]?.text : undefined), [section, pc]);
  if (!states.length) return null;
  const step = states[i] as StateBelief;
  const last = i === states.length - 1;
  const whole = error.wholePath === true;
  const run = trace && !('error' in trace) ? trace : undefined;
  // On the path the run took: the values of this very step; otherwise the first visit of its pc.
  const onPath = run?.steps.find((s) => s.index === i);
  const firstVisit = onPath ? undefined : run?.steps.find((s) => s.pc === step.pc && s.index === undefined) ?? run?.steps.find((s) => s.pc === step.pc);
  const seen = onPath ?? firstVisit;
  const rows = regRows(step.regs, seen?.regs);
  const flagged = onPath ? rows.filter((r) => r.outside.length) : [];
  const span = section?.spans[step.pc];
  const line = span?.line;
  const code = line ? (lines[line - 1]?.trim() ?? '') : '';
  const explored = error.explored?.find((x) => x.pc === step.pc);
  const go = (to: number): void => {
    const next = Math.max(0, Math.min(states.length - 1, to));
    setIndex(next);
    const l = section?.spans[states[next]?.pc ?? -1];
    if (!l) return;
    // The editor shows the line; the focus stays on the stepper (a button about to be disabled hands it to the group).
    const active = document.activeElement;
    revealInEditor(l.line, l.col);
    const edge = next === 0 || next === states.length - 1;
    if (active instanceof HTMLButtonElement && edge && stepper.current?.contains(active)) stepper.current.focus();
    else if (active instanceof HTMLElement) active.focus();
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key === 'ArrowLeft') go(i - 1);
    else if (e.key === 'ArrowRight') go(i + 1);
    else return;
    e.preventDefault();
  };
  // Counted over every step the run followed, not only the one shown.
  const outsideAnywhere = run
    ? run.steps.filter((s) => s.index !== undefined).reduce((n, s) => n + regRows(states[s.index ?? -1]?.regs ?? [], s.regs).filter((r) => r.outside.length).length, 0)
    : 0;
  return (
    <section aria-label={title} className="verifier-states" data-testid="verifier-states">
      <h3>{title}</h3>
      <p className="hint">{`What the verifier believed on reaching each instruction of ${accepted ? (pruned ? 'this path, which it stopped at its last step: the state there lay within one it had already proved safe (pruned)' : 'this path, which it walked to the exit (every path was proved safe)') : 'the path it refused'}${whole ? '' : ` (its last ${states.length} steps)`}.`}</p>
      <div className="states-stepper" role="group" aria-label={`Step along ${accepted ? 'the path' : 'the failing path'} (← and → keys)`} tabIndex={0} onKeyDown={onKey} ref={stepper} data-testid="verifier-stepper">
        <button type="button" onClick={() => go(i - 1)} disabled={i === 0} data-testid="verifier-step-prev">
          Prev
        </button>
        <span className="states-position" role="status" data-testid="verifier-step">{`Step ${i + 1} of ${states.length}: pc ${step.pc}${line ? `, line ${line}` : ''}${last ? (accepted ? (pruned ? ' — pruned here' : ' — the exit') : ' — the refused instruction') : ''}`}</span>
        <button type="button" onClick={() => go(i + 1)} disabled={last} data-testid="verifier-step-next">
          Next
        </button>
      </div>
      <p className="states-insn">
        {line ? (
          <button type="button" className="site" onClick={() => revealInEditor(line, span?.col)} data-testid="verifier-state-line" data-line={line}>
            <span className="site-line">{`line ${line}`}</span>
            {code ? <code className="site-code">{code}</code> : null}
          </button>
        ) : null}{' '}
        <code data-testid="verifier-state-insn">{`${step.pc}: ${insn ?? '?'}`}</code>
      </p>
      {last && !accepted ? <p className="refusal-message">{`Refused here: ${error.message}`}</p> : null}
      <div className="states-table-wrap">
        <table className="states-table" data-testid="verifier-state-regs">
          <caption>{`Registers at pc ${step.pc}${step.frame ? ` (call frame ${step.frame})` : ''}`}</caption>
          <thead>
            <tr>
              <th scope="col">Reg</th>
              <th scope="col">Believed</th>
              <th scope="col">{onPath ? 'Seen in the run' : firstVisit ? 'Seen (first visit, off this path)' : 'Seen in a run'}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.reg} data-testid={`verifier-reg-r${r.reg}`} className={onPath && r.outside.length ? 'outside' : undefined}>
                <th scope="row">{`R${r.reg}`}</th>
                <td>
                  <code className="belief">{r.belief?.text}</code>
                  {r.belief?.scalar ? <span className="hint bounds">{boundsText(r.belief.scalar)}</span> : null}
                </td>
                <td data-testid="verifier-seen">
                  {r.seen ? <code>{seenText(r.seen)}</code> : <span className="hint">{run ? 'not reached' : '—'}</span>}
                  {onPath && r.outside.length ? <strong className="outside-flag">{`Outside the verifier's belief (a verifier bug): ${r.outside.join('; ')}`}</strong> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p data-testid="verifier-state-stack">
        <strong>Stack:</strong>{' '}
        {step.stack.length ? step.stack.map((s) => `${s.slot}=${s.value || 'spilled scalar'}`).join(', ') : 'nothing written'}
      </p>
      <p data-testid="verifier-state-refs">
        <strong>References held:</strong> {step.refs.length ? step.refs.map((id) => `id ${id}`).join(', ') : 'none'}
      </p>
      {explored ? (
        <details className="states-explored" data-testid="verifier-explored">
          <summary>{`States the verifier kept at pc ${step.pc} (${explored.states.length + explored.more})`}</summary>
          <p className="hint">A path reaching this instruction stops here (is pruned) when one of these states covers it.</p>
          <ul>
            {explored.states.map((s, k) => (
              <li key={k}>
                {`pruned ${s.pruned} path${s.pruned === 1 ? '' : 's'}: `}
                <code>{s.text}</code>
              </li>
            ))}
            {explored.more ? <li>{`… and ${explored.more} more`}</li> : null}
          </ul>
        </details>
      ) : null}
      <p>
        <button
          type="button"
          disabled={busy}
          data-testid="verifier-trace"
          onClick={() => {
            setBusy(true);
            void traceAlong(
              states.map((s) => s.pc),
              whole,
            ).then((r) => {
              setBusy(false);
              setTrace('error' in r ? { error: r.error } : r.reply);
            });
          }}
        >
          {busy ? 'Running…' : run ? 'Run again' : 'Compare with a run'}
        </button>{' '}
        <span className="hint">runs the program unverified on the current input</span>
      </p>
      {trace ? (
        <div role="status" data-testid="verifier-trace-result">
          {'error' in trace ? (
            <p>{`The program could not be run (${trace.error}).`}</p>
          ) : (
            <>
              <p>{traceSummary(trace, states.length, whole, accepted ? (pruned ? 'where the verifier pruned it' : 'the exit') : 'the refused instruction')}</p>
              {whole && trace.ok ? (
                <p data-testid="verifier-trace-verdict">
                  {outsideAnywhere
                    ? `${outsideAnywhere} value${outsideAnywhere === 1 ? ' lies' : 's lie'} outside what the verifier believed: a verifier (or interpreter) bug.`
                    : 'Every value the run saw on this path lies within what the verifier believed.'}
                </p>
              ) : null}
              {flagged.length ? <p className="outside-flag">{`At this step: ${flagged.map((r) => `R${r.reg}`).join(', ')} outside the belief.`}</p> : null}
            </>
          )}
        </div>
      ) : null}
    </section>
  );
}
