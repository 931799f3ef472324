// Problems: every diagnostic of the assembler and the worker, each a button that takes the
// cursor to its line.

import { revealInEditor } from '../editor-bridge.ts';
import { allProblems } from '../state/store.ts';
import type { ProblemView } from '../state/program.ts';
import { definePanel } from './registry.ts';

function Problems({ data }: { data: readonly ProblemView[] }) {
  if (data.length === 0) return <p className="empty">No problems.</p>;
  return (
    <ul className="problems" aria-label="Problems">
      {data.map((p, i) => (
        <li key={`${p.source}:${p.line}:${p.col}:${i}`}>
          <button type="button" className={`problem problem-${p.severity}`} onClick={() => revealInEditor(p.line, p.col)} data-testid="problem">
            <span className="problem-where">
              {p.line}:{p.col}
            </span>
            <span className="problem-severity">{p.severity}</span>
            <span className="problem-message">{p.message}</span>
            <span className="problem-source">{p.source}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

export default definePanel({
  id: 'problems',
  title: 'Problems',
  icon: '⚠',
  order: 40,
  select: allProblems,
  View: Problems,
  badge: (s) => {
    const n = allProblems(s).length;
    return n > 0 ? n : undefined;
  },
});
