// The current frame's 512-byte stack as hex and ASCII, 16 bytes a row from r10-512 up to r10;
// bytes the program changed since the reset are highlighted, those changed at the last stop more.

import type { StackView } from '../../engine/worker/protocol.ts';
import { definePanel } from './registry.ts';

const ROW = 16;

function ascii(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
}

function Stack({ data }: { data: StackView | undefined }) {
  if (!data || data.bytes.length === 0) return <p className="empty">Run or step the program to see its stack.</p>;
  const rows: number[] = [];
  for (let o = 0; o < data.bytes.length; o += ROW) rows.push(o);
  const cls = (i: number): string | undefined => (data.changed[i] ? 'byte changed' : data.touched[i] ? 'byte touched' : undefined);
  return (
    <div className="stack">
      <p className="hint">
        Frame {data.depth}, from {data.base} (r10-512) to r10. <span className="legend touched">touched since reset</span> <span className="legend changed">changed at the last stop</span>
      </p>
      <table className="hex-table">
        <caption className="sr-only">Stack bytes</caption>
        <thead>
          <tr>
            <th scope="col">offset</th>
            <th scope="col">bytes</th>
            <th scope="col">ASCII</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((o) => (
            <tr key={o} className={data.touched.slice(o, o + ROW).some(Boolean) ? 'row-touched' : undefined}>
              <th scope="row" className="mono">r10{o - data.bytes.length}</th>
              <td className="mono">
                {Array.from(data.bytes.slice(o, o + ROW), (b, k) => (
                  <span key={k} className={cls(o + k)}>
                    {b.toString(16).padStart(2, '0')}
                  </span>
                ))}
              </td>
              <td className="mono ascii">
                {Array.from(data.bytes.slice(o, o + ROW), (b, k) => (
                  <span key={k} className={cls(o + k)}>
                    {ascii(b)}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default definePanel({
  id: 'stack',
  title: 'Stack',
  icon: '▤',
  order: 20,
  select: (s) => s.debug?.stack,
  View: Stack,
});
