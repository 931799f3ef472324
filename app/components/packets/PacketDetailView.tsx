// One packet in full: its buffer drawn to scale (headroom with struct xdp_frame, metadata,
// data), the metadata and data in hex with the bytes the program changed marked, the decoded
// headers (hovering or focusing a field marks its bytes), the metadata read as a struct, what
// the AF_XDP consumer and the TC program see of the same frame, and the trace lines the
// packet's programs wrote.

import { useState } from 'react';
import type { HeaderField, PacketDetail } from '../../../engine/worker/protocol.ts';
import {
  bufferDescription,
  bufferRegions,
  changedSummary,
  dataRelative,
  decodeMeta,
  fateText,
  hashText,
  hexBytes,
  hexRows,
  layoutOf,
  META_LAYOUTS,
  rssTypeName,
  rssTypeTitle,
  type MetaLayout,
  type MetaLayoutChoice,
  type Region,
} from './format.ts';

/** A byte range [start, end) of the frame buffer. */
type Range = readonly [number, number];

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

function Bar({ regions }: { regions: readonly Region[] }) {
  return (
    <figure className="nic-buffer">
      <div className="nic-bar" role="img" aria-label={bufferDescription(regions)} data-testid="buffer-bar">
        {regions.map((r) => (
          <div key={r.kind} className={`nic-region nic-region-${r.kind}`} style={{ flexGrow: r.end - r.start }} title={`${r.label}: ${plural(r.end - r.start, 'byte')} at ${r.start}`} />
        ))}
      </div>
      <figcaption>
        <ul className="nic-legend">
          {regions.map((r) => (
            <li key={r.kind}>
              <span className={`nic-swatch nic-region-${r.kind}`} aria-hidden="true" /> {r.label} <strong>{plural(r.end - r.start, 'byte')}</strong> <span className="hint">[{r.start}, {r.end})</span>
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

function HexDump({ d, highlight }: { d: PacketDetail; highlight: Range | undefined }) {
  const rows = hexRows(d.metaOffset, d.endOffset, d.dataOffset);
  const cls = (i: number) => {
    const c = ['byte'];
    if (i < d.dataOffset) c.push('meta');
    if (d.changed[i]) c.push('changed');
    if (highlight && i >= highlight[0] && i < highlight[1]) c.push('hl');
    return c.join(' ');
  };
  return (
    <table className="hex-table nic-hex" data-testid="packet-hex">
      <caption className="sr-only">Metadata and data bytes in hex; offsets are relative to data</caption>
      <thead>
        <tr>
          <th scope="col">offset</th>
          <th scope="col">bytes</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.start}>
            <th scope="row" className="mono">
              {dataRelative(r.start, d.dataOffset)}
            </th>
            <td className="mono">
              {Array.from(d.buffer.subarray(r.start, r.end), (b, k) => (
                <span key={k} className={cls(r.start + k)}>
                  {b.toString(16).padStart(2, '0')}
                </span>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Headers({ d, onHighlight }: { d: PacketDetail; onHighlight: (range: Range | undefined) => void }) {
  const mark = (f: Pick<HeaderField, 'offset' | 'length'>) => onHighlight([d.dataOffset + f.offset, d.dataOffset + f.offset + f.length]);
  const clear = () => onHighlight(undefined);
  return (
    <div className="nic-headers" data-testid="packet-headers">
      {d.layers.length === 0 ? <p className="hint">No header decoded.</p> : null}
      {d.layers.map((l) => (
        <section key={`${l.name}@${l.offset}`} aria-label={`${l.name} header`}>
          <h4>
            <button type="button" className="link" onMouseEnter={() => mark(l)} onMouseLeave={clear} onFocus={() => mark(l)} onBlur={clear}>
              {l.name}
            </button>{' '}
            <span className="hint">
              data+{l.offset}, {plural(l.length, 'byte')}
            </span>
          </h4>
          <ul className="nic-fields">
            {l.fields.map((f) => (
              <li key={`${f.name}@${f.offset}`}>
                <button
                  type="button"
                  className={`nic-hfield${f.bad ? ' nic-bad' : ''}`}
                  data-bad={f.bad ? '' : undefined}
                  onMouseEnter={() => mark(f)}
                  onMouseLeave={clear}
                  onFocus={() => mark(f)}
                  onBlur={clear}
                  aria-label={`${f.name}: ${f.value} (data+${f.offset}, ${plural(f.length, 'byte')})`}
                >
                  <span className="nic-fname">{f.name}</span> <span className="mono">{f.value}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
      {d.decodeError ? (
        <p className="field-error" data-testid="decode-error">
          Decoding stopped: {d.decodeError}
        </p>
      ) : null}
    </div>
  );
}

/** The metadata read as a struct: one row per field; focusing or hovering a field marks its bytes (when `at` places them in the buffer). */
function MetaTable({ bytes, layout, caption, testId, at, onHighlight }: { bytes: Uint8Array; layout: MetaLayout; caption: string; testId: string; at?: number; onHighlight?: (r: Range | undefined) => void }) {
  const fields = decodeMeta(bytes, layout);
  if (fields.length === 0) return null;
  return (
    <table className="map-table nic-meta" data-testid={testId}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">field</th>
          <th scope="col">type</th>
          <th scope="col">offset</th>
          <th scope="col">value</th>
        </tr>
      </thead>
      <tbody>
        {fields.map((f) => {
          const mark = at === undefined || !onHighlight ? undefined : () => onHighlight([at + f.offset, at + f.offset + f.size]);
          const clear = onHighlight ? () => onHighlight(undefined) : undefined;
          return (
            <tr key={f.name} data-field={f.name}>
              <th scope="row" className="mono">
                {mark ? (
                  <button type="button" className="link mono" onMouseEnter={mark} onMouseLeave={clear} onFocus={mark} onBlur={clear} aria-label={`${f.name}: ${f.value} (${f.type} at offset ${f.offset})`}>
                    {f.name}
                  </button>
                ) : (
                  f.name
                )}
              </th>
              <td className="mono">{f.type}</td>
              <td className="num">{f.offset}</td>
              <td className="mono" data-value="">
                {f.value}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const LAYOUT_WORDS: Readonly<Record<MetaLayout, string>> = {
  example: "the xdp-metadata example's struct xdp_meta",
  selftest: "the xdp_metadata selftest's struct xdp_meta",
  bytes: 'bytes',
};

function layoutCaption(layout: MetaLayout): string {
  return `As ${LAYOUT_WORDS[layout]} (little-endian)`;
}

function MetaArea({ d, layout, onHighlight }: { d: PacketDetail; layout: MetaLayout; onHighlight: (r: Range | undefined) => void }) {
  const size = d.dataOffset - d.metaOffset;
  return (
    <section className="nic-view" aria-labelledby="meta-area-title" data-testid="meta-area">
      <h4 id="meta-area-title">The metadata area</h4>
      {size === 0 ? (
        <p className="hint">The program reserved no metadata (bpf_xdp_adjust_meta with a negative delta makes room in front of the packet).</p>
      ) : (
        <>
          <p>
            {plural(size, 'byte')} from <span className="mono">data_meta</span> to <span className="mono">data</span> ({dataRelative(d.metaOffset, d.dataOffset)}…data-1): <span className="mono nic-wrap">{hexBytes(d.buffer.subarray(d.metaOffset, d.dataOffset))}</span>
          </p>
          <MetaTable bytes={d.buffer.subarray(d.metaOffset, d.dataOffset)} layout={layout} caption={layoutCaption(layout)} testId="meta-fields" at={d.metaOffset} onHighlight={onHighlight} />
        </>
      )}
    </section>
  );
}

function XskView({ xsk, layout }: { xsk: NonNullable<PacketDetail['xsk']>; layout: MetaLayout }) {
  return (
    <section className="nic-view" aria-labelledby="xsk-view-title" data-testid="xsk-view">
      <h4 id="xsk-view-title">The AF_XDP consumer's view</h4>
      <p>
        Queue {xsk.queue}: <span className="mono">rx_desc.addr = {xsk.addr}</span>, <span className="mono">len = {xsk.len}</span>. It reads METADATA_SIZE = {plural(xsk.metadata.length, 'byte')} before addr (the descriptor does not say how many the program wrote):
      </p>
      <p className="mono nic-wrap" data-testid="xsk-metadata">
        {xsk.metadata.length ? hexBytes(xsk.metadata) : '(none: METADATA_SIZE is 0)'}
      </p>
      <MetaTable bytes={xsk.metadata} layout={layout} caption={layoutCaption(layout)} testId="xsk-meta-fields" />
      <p>
        The packet: {plural(xsk.packet.length, 'byte')} from addr: <span className="mono nic-wrap">{hexBytes(xsk.packet.subarray(0, 32))}{xsk.packet.length > 32 ? ' …' : ''}</span>
      </p>
    </section>
  );
}

function TcView({ tc, layout }: { tc: NonNullable<PacketDetail['tc']>; layout: MetaLayout }) {
  return (
    <section className="nic-view" aria-labelledby="tc-view-title" data-testid="tc-view">
      <h4 id="tc-view-title">The TC program's view</h4>
      <p>
        <span className="mono">{tc.section}</span> returned <strong>{tc.action}</strong> <span className="mono">({tc.retval})</span>. It sees {plural(tc.data.length, 'byte')} of data and {plural(tc.dataMeta.length, 'byte')} of metadata
        (<span className="mono">__sk_buff-&gt;data_meta</span>
        {tc.dataMeta.length ? ': ' : ''}
        <span className="mono nic-wrap">{hexBytes(tc.dataMeta)}</span>).
      </p>
      <MetaTable bytes={tc.dataMeta} layout={layout} caption={layoutCaption(layout)} testId="tc-meta-fields" />
      {tc.skb.length ? (
        <table className="map-table">
          <caption>struct __sk_buff</caption>
          <thead>
            <tr>
              <th scope="col">field</th>
              <th scope="col">value</th>
            </tr>
          </thead>
          <tbody>
            {tc.skb.map((f) => (
              <tr key={f.name}>
                <th scope="row" className="mono">
                  {f.name}
                </th>
                <td className="mono">{f.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

// The struct chosen to read metadata as, kept from one packet to the next.
let chosenLayout: MetaLayoutChoice = 'auto';

function LayoutPicker({ value, onChange, guess }: { value: MetaLayoutChoice; onChange: (v: MetaLayoutChoice) => void; guess: MetaLayout }) {
  return (
    <div className="map-row nic-layout">
      <label htmlFor="meta-layout">Read the metadata as</label>
      <select id="meta-layout" value={value} onChange={(e) => onChange(e.target.value as MetaLayoutChoice)}>
        {META_LAYOUTS.map((l) => (
          <option key={l.id} value={l.id}>
            {l.id === 'auto' ? `${l.label}: ${LAYOUT_WORDS[guess]}` : l.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function PacketDetailView({ d }: { d: PacketDetail }) {
  const [highlight, setHighlight] = useState<Range | undefined>();
  const [choice, setChoiceState] = useState<MetaLayoutChoice>(chosenLayout);
  const setChoice = (c: MetaLayoutChoice) => {
    chosenLayout = c;
    setChoiceState(c);
  };
  const regions = bufferRegions(d);
  const s = d.summary;
  // The program's metadata says which struct it is; a packet without any, the consumer's bytes.
  const metaSize = d.dataOffset - d.metaOffset || d.xsk?.metadata.length || d.tc?.dataMeta.length || 0;
  const layout = layoutOf(choice, metaSize);
  const anyMeta = metaSize > 0;
  return (
    <div className="nic-detail" data-testid="packet-detail">
      <p data-testid="packet-summary">
        Queue {s.queue} · {plural(s.length, 'byte')} received · rx timestamp <span className="mono" data-testid="summary-timestamp">{s.rxTimestamp ?? '—'}</span> · hash <span className="mono" data-testid="summary-hash">{hashText(s)}</span>
        {s.rxHash === null ? null : (
          <>
            {' '}
            (<abbr title={rssTypeTitle(s.rssType)}>{rssTypeName(s.rssType)}</abbr>)
          </>
        )}
        {s.vlan === null ? '' : ` · VLAN ${s.vlan}`} · <strong>{s.action === 'ILLEGAL' ? `ILLEGAL (${s.retval})` : s.action}</strong>: {fateText(s.fate)} · {plural(s.insns, 'instruction')} · {plural(s.metaLength, 'byte')} of metadata
      </p>
      <Bar regions={regions} />
      <p className="hint">
        <span className="legend changed nic-changed-legend">changed by the program</span> <span className="legend nic-meta-legend">metadata</span> <span className="legend nic-hl-legend">the field under the pointer or focus</span>{' '}
        {changedSummary(d.changed, d.metaOffset, d.endOffset, d.dataOffset)}
      </p>
      <div className="nic-detail-grid">
        <HexDump d={d} highlight={highlight} />
        <Headers d={d} onHighlight={setHighlight} />
      </div>
      {anyMeta ? <LayoutPicker value={choice} onChange={setChoice} guess={layoutOf('auto', metaSize)} /> : null}
      <MetaArea d={d} layout={layout} onHighlight={setHighlight} />
      {d.xsk ? <XskView xsk={d.xsk} layout={layout} /> : null}
      {d.tc ? <TcView tc={d.tc} layout={layout} /> : null}
      <section className="nic-view" aria-labelledby="packet-trace-title">
        <h4 id="packet-trace-title">Trace</h4>
        {d.trace.length ? (
          <pre className="mono trace-lines" data-testid="packet-trace">
            {d.trace.map((l) => (
              <div key={l.seq}>{l.text}</div>
            ))}
          </pre>
        ) : (
          <p className="hint">The packet's programs wrote nothing.</p>
        )}
      </section>
    </div>
  );
}
