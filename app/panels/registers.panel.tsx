// Registers: each of r0-r10 in hex, unsigned and signed, with what it holds (a pointer into
// which region, or a scalar); values that changed at the last stop are marked.

import type { HeldSnapshot } from '../../engine/worker/protocol.ts';
import { definePanel } from './registry.ts';
import { Leaks } from '../components/Leaks.tsx';
import { StatusLine } from '../components/StatusLine.tsx';

function Registers({ data }: { data: HeldSnapshot | undefined }) {
  if (!data || data.status === 'empty') return <p className="empty">Run or step the program to see its registers.</p>;
  return (
    <div className="registers">
      <StatusLine snapshot={data} />
      <Leaks leaks={data.kernel?.leaks} count={data.kernel?.leakCount} />
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
          {data.regs.map((r) => (
            <tr key={r.name} className={r.changed ? 'changed' : undefined} data-reg={r.name}>
              <th scope="row">{r.name}</th>
              <td className="mono">{r.hex}</td>
              <td className="mono num">{r.unsigned}</td>
              <td className="mono num">{r.signed}</td>
              <td>{r.kind === 'pointer' ? `pointer: ${r.region} + ${r.offset}` : 'scalar'}{r.changed ? <span className="sr-only"> (changed)</span> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.callStack.length > 0 ? <p className="callstack">Call stack (return pcs): {data.callStack.join(' → ')}</p> : null}
    </div>
  );
}

export default definePanel({
  id: 'registers',
  title: 'Registers',
  icon: '▦',
  order: 10,
  select: (s) => s.debug,
  View: Registers,
});
