// The packets of a traffic run as a table — index, queue, RX timestamp, hash and hash type,
// VLAN, length, verdict and fate — filterable by action, queue and text, 200 rows a page so
// 10,000 packets stay fast. Rows are selected with the arrow keys (Home/End, PageUp/PageDown
// change page) and Enter (or a click) opens one.

import { useEffect, useMemo, useRef, useState } from 'react';
import type { PacketSummary, TrafficReport, XdpActionName } from '../../../engine/worker/protocol.ts';
import { ACTIONS, actionShort, fateText, filterPackets, hashText, NO_FILTER, PAGE_SIZE, pageCount, pageOf, rssTypeName, rssTypeTitle, type PacketFilter } from './format.ts';

interface View {
  readonly filter: PacketFilter;
  /** Position in the filtered list of the selected row. */
  readonly selected: number;
}

// The view survives switching panels (the panel unmounts), and starts over with a new run (the
// panel keys the table by run).
let kept: { report: TrafficReport; view: View } | undefined;

function Row({ p, selected, open, onPick }: { p: PacketSummary; selected: boolean; open: boolean; onPick: () => void }) {
  return (
    <tr
      data-row={p.index}
      tabIndex={selected ? 0 : -1}
      aria-current={selected ? 'true' : undefined}
      className={`nic-row${selected ? ' selected' : ''}${open ? ' open' : ''}`}
      onClick={onPick}
    >
      <th scope="row" className="num mono">
        {p.index}
        {open ? <span className="sr-only"> (open)</span> : null}
      </th>
      <td className="num">{p.queue}</td>
      <td className="num mono">{p.rxTimestamp ?? '—'}</td>
      <td className="mono">{hashText(p)}</td>
      <td className="mono" title={p.rxHash === null ? 'no hash' : rssTypeTitle(p.rssType)}>
        {p.rxHash === null ? '—' : rssTypeName(p.rssType)}
      </td>
      <td className="num">{p.vlan ?? '—'}</td>
      <td className="num">{p.length}</td>
      <td>
        <span className={`nic-action nic-${actionShort(p.action)}`}>{p.action === 'ILLEGAL' ? `ILLEGAL (${p.retval})` : p.action}</span>
      </td>
      <td className="fate">{fateText(p.fate)}</td>
    </tr>
  );
}

export function PacketTable({ report, openIndex, onOpen }: { report: TrafficReport; openIndex: number | undefined; onOpen: (index: number) => void }) {
  const [view, setViewState] = useState<View>(() => (kept?.report === report ? kept.view : { filter: NO_FILTER, selected: 0 }));
  const setView = (v: View) => {
    kept = { report, view: v };
    setViewState(v);
  };
  const rows = useMemo(() => filterPackets(report.packets, view.filter), [report, view.filter]);
  const selected = Math.min(view.selected, Math.max(0, rows.length - 1));
  const page = pageOf(selected);
  const pages = pageCount(rows.length);
  const shown = rows.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const body = useRef<HTMLTableSectionElement>(null);
  const focusRow = useRef(false);

  useEffect(() => {
    if (!focusRow.current) return;
    focusRow.current = false;
    const row = rows[selected];
    if (row) body.current?.querySelector<HTMLElement>(`tr[data-row="${row.index}"]`)?.focus();
  });

  const select = (i: number, focus = true) => {
    if (rows.length === 0) return;
    focusRow.current = focus;
    setView({ ...view, selected: Math.max(0, Math.min(rows.length - 1, i)) });
  };
  const onKey = (e: React.KeyboardEvent) => {
    const moves: Record<string, number> = { ArrowDown: selected + 1, ArrowUp: selected - 1, Home: 0, End: rows.length - 1, PageDown: selected + PAGE_SIZE, PageUp: selected - PAGE_SIZE };
    const to = moves[e.key];
    if (to !== undefined) {
      select(to);
      e.preventDefault();
    } else if (e.key === 'Enter' || e.key === ' ') {
      const row = rows[selected];
      if (row) onOpen(row.index);
      e.preventDefault();
    }
  };
  const filter = (patch: Partial<PacketFilter>) => setView({ filter: { ...view.filter, ...patch }, selected: 0 });
  const queues = Array.from({ length: report.queues }, (_, q) => q);
  const from = rows.length ? page * PAGE_SIZE + 1 : 0;
  const to = Math.min(rows.length, (page + 1) * PAGE_SIZE);

  return (
    <div className="nic-packets">
      <div className="map-row nic-filters" role="search" aria-label="Filter packets">
        <label>
          Action{' '}
          <select value={view.filter.action} onChange={(e) => filter({ action: e.target.value as XdpActionName | '' })}>
            <option value="">all</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label>
          Queue{' '}
          <select value={view.filter.queue} onChange={(e) => filter({ queue: Number(e.target.value) })}>
            <option value={-1}>all</option>
            {queues.map((q) => (
              <option key={q} value={q}>
                {q}
              </option>
            ))}
          </select>
        </label>
        <label>
          Text <input type="search" value={view.filter.text} placeholder="e.g. AF_XDP queue 1, vlan 59" onChange={(e) => filter({ text: e.target.value })} />
        </label>
      </div>
      <p className="hint" aria-live="polite" data-testid="nic-rows">
        {rows.length === 0
          ? 'No packet matches.'
          : `Packets ${from.toLocaleString('en-US')}–${to.toLocaleString('en-US')} of ${rows.length.toLocaleString('en-US')}${rows.length < report.packets.length ? ` matching (of ${report.packets.length.toLocaleString('en-US')})` : ''}. Arrow keys select, Enter opens.`}
      </p>
      {rows.length ? (
        <div className="nic-table-scroll">
          <table className="map-table nic-table" data-testid="packets-table">
            <caption className="sr-only">Packets of the last traffic run, page {page + 1} of {pages}</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">queue</th>
                <th scope="col">rx timestamp (ns)</th>
                <th scope="col">hash</th>
                <th scope="col">hash type</th>
                <th scope="col">VLAN</th>
                <th scope="col">length</th>
                <th scope="col">action</th>
                <th scope="col">fate</th>
              </tr>
            </thead>
            <tbody ref={body} onKeyDown={onKey}>
              {shown.map((p, k) => {
                const i = page * PAGE_SIZE + k;
                return (
                  <Row
                    key={p.index}
                    p={p}
                    selected={i === selected}
                    open={p.index === openIndex}
                    onPick={() => {
                      select(i, false);
                      onOpen(p.index);
                    }}
                  />
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {pages > 1 ? (
        <div className="map-row nic-pager">
          <button type="button" disabled={page === 0} onClick={() => select((page - 1) * PAGE_SIZE, false)}>
            Previous page
          </button>
          <span>
            page {page + 1} of {pages}
          </span>
          <button type="button" disabled={page >= pages - 1} onClick={() => select((page + 1) * PAGE_SIZE, false)}>
            Next page
          </button>
        </div>
      ) : null}
    </div>
  );
}
