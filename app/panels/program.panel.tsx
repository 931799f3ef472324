// The program: each instruction's bytes and its disassembly in both dialects beside the
// source line it came from; the instruction about to run is marked while stepping. Also the
// input memory a raw program receives in r1/r2, or the ctx a syscall program receives in r1.

import { useMemo, useState } from 'react';
import { useDraft } from '../components/use-draft.ts';
import { disassemble, type Section } from '../../engine/asm/index.ts';
import { revealInEditor } from '../editor-bridge.ts';
import { stoppedInside, store, type PlaygroundState } from '../state/store.ts';
import { parseHexBytes } from '../../engine/asm/index.ts';
import { definePanel } from './registry.ts';

interface ProgramData {
  readonly section: Section | undefined;
  readonly source: string;
  readonly pc: number | undefined;
  readonly input: string;
  readonly ctx: string;
  readonly progType: string | undefined;
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** A hex-bytes field; the document changes only when the text is hex, what is typed is kept. */
function HexField({ id, label, value, onChange }: { id: string; label: string; value: string; onChange: (v: string) => void }) {
  const [text, setText] = useDraft(id, value, (v) => v);
  const ok = parseHexBytes(text) !== undefined;
  return (
    <p className="input-row">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="mono"
        value={text}
        spellCheck={false}
        aria-invalid={!ok}
        onChange={(e) => {
          const next = e.target.value;
          if (parseHexBytes(next) === undefined) return setText(next);
          setText(next, { value: next });
          onChange(next);
        }}
        placeholder="e.g. 00 01 02 03"
      />
      {!ok ? <span className="field-error">Not hex bytes: use pairs like 0a 1b 2c. The last valid bytes stay in use.</span> : null}
    </p>
  );
}

/** Rows drawn at first, and added by each "Show more": a 131,069-instruction program is not drawn whole (1,000 rows took 150 ms to draw). */
export const PROGRAM_ROWS = 300;

function Program({ data }: { data: ProgramData }) {
  const { section } = data;
  const [limit, setLimit] = useState(PROGRAM_ROWS);
  const slots = section ? section.bytes.length / 8 : 0;
  // The current instruction is always among the rows drawn.
  const shown = Math.max(limit, data.pc === undefined ? 0 : data.pc + 50);
  const rows = useMemo(() => {
    if (!section) return [];
    // One more slot than shown, so an lddw at the edge is whole.
    const bytes = section.bytes.subarray(0, Math.min(section.bytes.length, (shown + 1) * 8));
    const llvm = disassemble(bytes, { dialect: 'llvm' }).lines.filter((l) => l.pc < shown);
    const ubpf = disassemble(bytes, { dialect: 'ubpf' }).lines;
    const lines = data.source.split('\n');
    return llvm.map((l, i) => {
      const span = section.spans[l.pc];
      return {
        pc: l.pc,
        // One line per 8-byte slot.
        bytes: Array.from({ length: l.slots }, (_, k) => hexBytes(section.bytes.subarray((l.pc + k) * 8, (l.pc + k + 1) * 8))),
        llvm: l.text,
        ubpf: ubpf[i]?.text ?? '',
        line: span?.line,
        source: span ? (lines[span.line - 1] ?? '').trim() : '',
      };
    });
  }, [section, data.source, shown]);
  return (
    <div className="program">
      {data.progType === 'raw' || data.progType === 'unknown' ? (
        <HexField id="input-hex" label="Input memory (hex; r1 points at it, r2 is its length)" value={data.input} onChange={(input) => store.updateDocument({ input })} />
      ) : null}
      {data.progType === 'syscall' ? (
        <HexField id="ctx-hex" label="ctx (hex; r1 points at a copy, as BPF_PROG_TEST_RUN's ctx_in)" value={data.ctx} onChange={(ctx) => store.updateDocument({ ctx })} />
      ) : null}
      {rows.length === 0 ? (
        <p className="empty">Nothing assembled yet: fix the problems first.</p>
      ) : (
        <table className="program-table">
          <caption className="sr-only">Instructions with their bytes and disassembly</caption>
          <thead>
            <tr>
              <th scope="col">pc</th>
              <th scope="col">bytes</th>
              <th scope="col">LLVM</th>
              <th scope="col" className="ubpf">
                ubpf
              </th>
              <th scope="col">source</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.pc} className={r.pc === data.pc ? 'current' : undefined} aria-current={r.pc === data.pc ? 'step' : undefined}>
                <th scope="row" className="mono num">{r.pc}</th>
                <td className="mono bytes">
                  {r.bytes.map((b, k) => (
                    <div key={k}>
                      <span className="half">{b.slice(0, 11)}</span> <span className="half">{b.slice(12)}</span>
                    </div>
                  ))}
                </td>
                <td className="mono">{r.llvm}</td>
                <td className="mono ubpf">{r.ubpf}</td>
                <td className="source">
                  {r.line !== undefined ? (
                    <button type="button" className="link mono" onClick={() => revealInEditor(r.line ?? 1)}>
                      {r.line}: {r.source}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {slots > shown ? (
        <p className="map-row">
          <span className="hint">{`Slots 0–${(shown - 1).toLocaleString('en-US')} of ${slots.toLocaleString('en-US')}.`}</span>
          <button type="button" onClick={() => setLimit(shown + PROGRAM_ROWS)}>
            {`Show ${Math.min(PROGRAM_ROWS, slots - shown).toLocaleString('en-US')} more`}
          </button>
        </p>
      ) : null}
    </div>
  );
}

function select(s: PlaygroundState): ProgramData {
  // A snapshot of a program since edited points into the old text: no row is current.
  const stopped = stoppedInside(s.debug) && !s.debugStale;
  return {
    section: s.program.section,
    source: s.doc.source,
    pc: stopped ? s.debug?.pc : undefined,
    input: s.doc.input,
    ctx: s.doc.ctx ?? '',
    progType: s.program.section?.kind.progType,
  };
}

export default definePanel({
  id: 'program',
  title: 'Program',
  icon: '#',
  order: 50,
  select,
  View: Program,
});
