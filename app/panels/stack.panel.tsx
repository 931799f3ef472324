// The current frame's 512-byte stack as hex and ASCII, 16 bytes a row from r10 down; bytes the
// program changed since the reset are highlighted, those changed at the last stop more.

import type { StackView } from '../../engine/worker/protocol.ts';
import { definePanel } from './registry.ts';

const ROW = 16;

function ascii(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
}

/** Rows from the top of the frame (r10-16) down; runs of untouched zero rows fold into one. */
type Row = { kind: 'bytes'; offset: number } | { kind: 'gap'; from: number; to: number; rows: number };

function rowsOf(data: StackView): Row[] {
  const rows: Row[] = [];
  const quiet = (o: number) => !data.touched.slice(o, o + ROW).some(Boolean) && data.bytes.slice(o, o + ROW).every((b) => b === 0);
  let gap: number[] = [];
  const flush = () => {
    if (gap.length >= 3) rows.push({ kind: 'gap', from: gap[0] ?? 0, to: gap[gap.length - 1] ?? 0, rows: gap.length });
    else for (const o of gap) rows.push({ kind: 'bytes', offset: o });
    gap = [];
  };
  for (let o = data.bytes.length - ROW; o >= 0; o -= ROW) {
    if (quiet(o)) gap.push(o);
    else {
      flush();
      rows.push({ kind: 'bytes', offset: o });
    }
  }
  flush();
  return rows;
}

function Stack({ data }: { data: StackView | undefined }) {
  if (!data || data.bytes.length === 0) return <p className="empty">Run or step the program to see its stack.</p>;
  const size = data.bytes.length;
  const cls = (i: number): string | undefined => (data.changed[i] ? 'byte changed' : data.touched[i] ? 'byte touched' : undefined);
  return (
    <div className="stack">
      <p className="hint">
        Frame {data.depth}: the 512 bytes below r10 ({data.base} is r10-512), top rows first. <span className="legend touched">touched since reset</span> <span className="legend changed">changed at the last stop</span>
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
          {rowsOf(data).map((r) =>
            r.kind === 'gap' ? (
              <tr key={`gap-${r.from}`} className="row-gap">
                <th scope="row" className="mono">
                  r10{r.from - size}…r10{r.to - size}
                </th>
                <td colSpan={2} className="hint">
                  {r.rows} rows of zeros, untouched
                </td>
              </tr>
            ) : (
              <tr key={r.offset} className={data.touched.slice(r.offset, r.offset + ROW).some(Boolean) ? 'row-touched' : undefined}>
                <th scope="row" className="mono">
                  r10{r.offset - size}
                </th>
                <td className="mono">
                  {Array.from(data.bytes.slice(r.offset, r.offset + ROW), (b, k) => (
                    <span key={k} className={cls(r.offset + k)}>
                      {b.toString(16).padStart(2, '0')}
                    </span>
                  ))}
                </td>
                <td className="mono ascii">
                  {Array.from(data.bytes.slice(r.offset, r.offset + ROW), (b, k) => (
                    <span key={k} className={cls(r.offset + k)}>
                      {ascii(b)}
                    </span>
                  ))}
                </td>
              </tr>
            ),
          )}
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
