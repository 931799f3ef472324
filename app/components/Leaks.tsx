// The references a program still held when it exited (the worker's leak report), each with
// the source line of the call that took it: "leaked: bpf_cpumask #3, acquired at line 12
// (bpf_cpumask_create)". Shown by the Registers and Cpumasks panels.

import type { LeakView } from '../../engine/worker/protocol.ts';
import { lineOfPc } from '../state/program.ts';
import { useStore } from '../state/store.ts';

/** A leak in words, with the line its reference was taken at when the program maps that pc to one. */
export function leakText(leak: LeakView, line: number | undefined): string {
  return `leaked: ${leak.object}, acquired at ${line === undefined ? `pc ${leak.pc}` : `line ${line}`} (${leak.via})`;
}

/** Leaks listed; a loop that leaks thousands gets a count of the rest. */
const SHOWN = 20;

export function Leaks({ leaks, count }: { leaks: readonly LeakView[] | undefined; count: number | undefined }) {
  const section = useStore((s) => s.program.section);
  if (!leaks?.length) return null;
  const total = Math.max(count ?? 0, leaks.length);
  return (
    <div className="leaks" data-testid="leaks">
      <p className="leaks-title">
        {total === 1 ? 'One reference was' : `${total.toLocaleString('en-US')} references were`} still held at exit (the verifier refuses such a program: “Unreleased reference”):
      </p>
      <ul>
        {leaks.slice(0, SHOWN).map((l) => (
          <li key={`${l.refId}:${l.pc}:${l.object}`} data-testid="leak">
            {leakText(l, lineOfPc(section, l.pc))}
          </li>
        ))}
      </ul>
      {total > SHOWN ? <p className="hint">{`and ${(total - Math.min(SHOWN, leaks.length)).toLocaleString('en-US')} more`}</p> : null}
    </div>
  );
}
