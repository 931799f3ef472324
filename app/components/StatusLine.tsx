// One line saying where the program is: status, pc, instruction count, r0 or the fault.

import type { DebugSnapshot } from '../../engine/worker/protocol.ts';

const WORDS: Record<DebugSnapshot['status'], string> = {
  empty: 'not loaded',
  ready: 'ready at the first instruction',
  paused: 'paused',
  breakpoint: 'stopped at a breakpoint',
  step: 'stepped',
  exited: 'exited',
  fault: 'faulted',
};

export function StatusLine({ snapshot }: { snapshot: DebugSnapshot }) {
  return (
    <p className={`status-line status-${snapshot.status}`} data-testid="status-line">
      <strong>{WORDS[snapshot.status]}</strong>
      {snapshot.status === 'exited' ? (
        <>
          {' '}
          with <span className="mono" data-testid="r0">r0 = {snapshot.r0}</span>
        </>
      ) : snapshot.status !== 'empty' ? (
        <> at pc {snapshot.pc}</>
      ) : null}
      {' · '}
      <span data-testid="insn-count">{snapshot.insns.toLocaleString('en-US')} instructions</span>
      {snapshot.fault ? <span className="fault-text"> — {snapshot.fault.message}</span> : null}
    </p>
  );
}
