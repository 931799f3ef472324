// Registers: each of r0-r10 in hex, unsigned and signed, with what it holds (a pointer into
// which region, or a scalar); values that changed at the last stop are marked. Below, the call
// stack by function name and line, and a word when the program changed since it stopped.

import type { Section } from '../../engine/asm/index.ts';
import type { HeldSnapshot } from '../../engine/worker/protocol.ts';
import { Leaks } from '../components/Leaks.tsx';
import { StatusLine } from '../components/StatusLine.tsx';
import { revealInEditor } from '../editor-bridge.ts';
import { callFrames } from '../state/program.ts';
import type { PlaygroundState } from '../state/store.ts';
import { definePanel } from './registry.ts';

/** Only stable references and primitives: the frame compares selections shallowly. */
interface RegistersData {
  readonly debug: HeldSnapshot | undefined;
  /** The program changed since the snapshot (the next Step starts from the beginning). */
  readonly stale: boolean;
  /** The section the snapshot's pcs belong to. */
  readonly section: Section | undefined;
}

function CallStack({ debug, section }: { debug: HeldSnapshot; section: Section | undefined }) {
  const frames = callFrames(section, debug.callStack, debug.pc);
  return (
    <div className="callstack">
      <span id="callstack-label">Call stack (outermost first):</span>
      <ol aria-labelledby="callstack-label" data-testid="callstack">
        {frames.map((f, i) => (
          <li key={i}>
            {f.line === undefined ? (
              f.name
            ) : (
              <button type="button" className="link" onClick={() => revealInEditor(f.line ?? 1)}>
                {`${f.name} (line ${f.line})`}
              </button>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}

function Registers({ data }: { data: RegistersData }) {
  const { debug } = data;
  if (!debug || debug.status === 'empty') return <p className="empty">Run or step the program to see its registers.</p>;
  return (
    <div className="registers">
      <StatusLine snapshot={debug} />
      <Leaks leaks={debug.kernel?.leaks} count={debug.kernel?.leakCount} />
      {data.stale ? (
        <p className="hint stale" role="status" data-testid="stale">
          The program changed since it stopped here: these values are from the old text, and the next Step or Continue starts from the beginning.
        </p>
      ) : null}
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Registers (scrolls sideways on a narrow screen)">
      <table className="reg-table">
        <caption className="sr-only">Registers</caption>
        <thead>
          <tr>
            <th scope="col">reg</th>
            <th scope="col">hex</th>
            <th scope="col">unsigned</th>
            <th scope="col">signed</th>
            <th scope="col">holds</th>
          </tr>
        </thead>
        <tbody>
          {debug.regs.map((r) => (
            <tr key={r.name} className={r.changed ? 'changed' : undefined} data-reg={r.name}>
              <th scope="row">{r.name}</th>
              <td className="mono">{r.hex}</td>
              <td className="mono num">{r.unsigned}</td>
              <td className="mono num">{r.signed}</td>
              <td>
                {r.kind === 'pointer' ? `pointer: ${r.region} + ${r.offset}` : 'scalar'}
                {r.changed ? <span className="sr-only"> (changed)</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      {debug.callStack.length > 0 && !data.stale ? <CallStack debug={debug} section={data.section} /> : null}
    </div>
  );
}

function select(s: PlaygroundState): RegistersData {
  const name = s.debug?.section;
  return { debug: s.debug, stale: s.debugStale, section: s.program.sections.find((x) => x.name === name) ?? s.program.section };
}

export default definePanel({
  id: 'registers',
  title: 'Registers',
  icon: '▦',
  order: 10,
  select,
  View: Registers,
});
