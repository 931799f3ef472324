// Problems: every diagnostic of the assembler and the worker, each a button that takes the
// cursor to its line and column. The first hundred are listed; a source with thousands (a
// megabyte of stray characters) says how many more there are instead of drawing them all.

import { revealInEditor } from '../editor-bridge.ts';
import type { ProblemView } from '../state/program.ts';
import { allProblems, isRelatedNote, problemTotal, type PlaygroundState } from '../state/store.ts';
import { definePanel } from './registry.ts';

/** Problems listed; the rest are counted. */
export const LISTED_PROBLEMS = 100;

/** Only stable references and primitives: the frame compares selections shallowly. */
interface ProblemsData {
  readonly problems: readonly ProblemView[];
  /** All problems, including those the assembler found beyond what the program keeps. */
  readonly total: number;
  /** A large document is being checked in the background. */
  readonly pending: boolean;
}

function Problems({ data }: { data: ProblemsData }) {
  if (data.pending) return <p className="empty">Checking the program in the background (it is large)…</p>;
  if (data.problems.length === 0) return <p className="empty">No problems.</p>;
  const listed = data.problems.slice(0, LISTED_PROBLEMS);
  const more = data.total - listed.length;
  return (
    <>
      <ul className="problems" aria-label="Problems">
        {listed.map((p, i) => (
          <li key={`${p.source}:${p.line}:${p.col}:${i}`}>
            <button type="button" className={`problem problem-${p.severity}`} onClick={() => revealInEditor(p.line, p.col)} data-testid="problem">
              <span className="problem-where">
                {p.line}:{p.col}
              </span>
              <span className="problem-severity">{p.severity}</span>
              <span className="problem-message">{p.message}</span>
              <span className="problem-source">{p.source === 'verifier' ? 'verifier (live)' : p.source}</span>
            </button>
            {p.related?.length ? (
              <ul className="problem-related" aria-label="Where it began">
                {p.related.map((r, j) =>
                  // The verifier's explanation rides along as a last related item (for the hover): here it is its own row.
                  r.message.startsWith('why: ') ? (
                    <li key={j} className="problem-why" data-testid="problem-why">
                      {r.message}
                    </li>
                  ) : (
                    <li key={j}>
                      <button type="button" onClick={() => revealInEditor(r.line, r.col)} data-testid="problem-related">
                        {`${r.line}:${r.col} where it began: ${r.message}`}
                      </button>
                    </li>
                  ),
                )}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
      {more > 0 ? (
        <p className="hint" data-testid="problems-more">
          {`and ${more.toLocaleString('en-US')} more. Fix these first: the rest often follow from them. The editor marks the first ${data.problems.length.toLocaleString('en-US')}; F8 goes from one to the next.`}
        </p>
      ) : null}
    </>
  );
}

let listed: { all: readonly ProblemView[]; shown: readonly ProblemView[] } | undefined;

/** The problems listed: all but the notes on where one began (listed under their problem); the same array while they do not change. */
function listedProblems(s: PlaygroundState): readonly ProblemView[] {
  const all = allProblems(s);
  if (listed?.all !== all) listed = { all, shown: all.some(isRelatedNote) ? all.filter((p) => !isRelatedNote(p)) : all };
  return listed.shown;
}

function select(s: PlaygroundState): ProblemsData {
  return { problems: listedProblems(s), total: problemTotal(s), pending: s.program.pending === true };
}

export default definePanel({
  id: 'problems',
  title: 'Problems',
  icon: '⚠',
  order: 40,
  select,
  View: Problems,
  badge: (s) => {
    const n = problemTotal(s);
    return n > 0 ? n : undefined;
  },
});
