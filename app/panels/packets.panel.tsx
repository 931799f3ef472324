// Packets: what the emulated NIC did with the traffic of the last run — verdict counters (live,
// with packets/s, while it runs), every packet in a filterable table, one packet in full, and
// the packets as pcap files to download.

import { useEffect, useRef } from 'react';
import { closePacket, downloadPcap, openPacket } from '../actions.ts';
import { Counters, DeviceBound, Progress, RunSummary, RunWarnings } from '../components/packets/Counters.tsx';
import { NicPosition, queueOf } from '../components/packets/NicPosition.tsx';
import { PacketDetailView } from '../components/packets/PacketDetailView.tsx';
import { PacketTable } from '../components/packets/PacketTable.tsx';
import type { DebugSnapshot, PcapSelection, TrafficReport } from '../../engine/worker/protocol.ts';
import type { Busy, PlaygroundState } from '../state/store.ts';
import { trafficKey, type NicState } from '../state/traffic.ts';
import { definePanel } from './registry.ts';

/** Only stable references and primitives: the frame compares selections shallowly. */
interface PacketsData {
  readonly nic: NicState;
  readonly busy: Busy;
  readonly position: DebugSnapshot['nic'] | undefined;
  readonly status: DebugSnapshot['status'] | undefined;
  /** Whether the report belongs to the program and traffic in the editor now. */
  readonly current: boolean;
  readonly progType: string | undefined;
}

const SELECTIONS: readonly { which: PcapSelection; label: string }[] = [
  { which: 'received', label: 'every packet received' },
  { which: 'passed', label: 'passed (XDP_PASS)' },
  { which: 'transmitted', label: 'transmitted (XDP_TX)' },
  { which: 'redirected', label: 'redirected (XDP_REDIRECT)' },
  { which: 'dropped', label: 'dropped' },
];

function DownloadMenu({ disabled }: { disabled: boolean }) {
  return (
    <details className="nic-menu">
      <summary>Download pcap</summary>
      <ul aria-label="Download pcap">
        {SELECTIONS.map((s) => (
          <li key={s.which}>
            <button type="button" disabled={disabled} onClick={() => void downloadPcap(s.which)}>
              {`traffic-${s.which}.pcap`} <span className="hint">— {s.label}</span>
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}

// Runs get a number each, so the table starts over (filter, page) with a new run.
const runIds = new WeakMap<TrafficReport, number>();
let runs = 0;
function runId(r: TrafficReport): number {
  let id = runIds.get(r);
  if (id === undefined) runIds.set(r, (id = ++runs));
  return id;
}

function Detail({ nic, busy }: { nic: NicState; busy: Busy }) {
  const d = nic.detail;
  const box = useRef<HTMLElement>(null);
  // The detail opens below a table of up to 200 rows: bring it into view (once loaded, and
  // again when another packet opens), or nobody sees that it opened.
  useEffect(() => {
    if (d?.status !== 'loading') box.current?.scrollIntoView({ block: 'start' });
  }, [d?.index, d?.status]);
  if (!d) return null;
  return (
    <section className="nic-packet" aria-labelledby="nic-packet-title" ref={box} data-testid="nic-packet">
      <div className="map-row">
        <h3 id="nic-packet-title">Packet {d.index}</h3>
        <button type="button" onClick={() => closePacket()}>
          Close
        </button>
      </div>
      {d.status === 'loading' ? <p className="hint">{busy === 'idle' ? 'Loading…' : 'Waiting for the engine…'}</p> : null}
      {d.status === 'error' ? (
        <p className="field-error" role="alert">
          {d.error}
        </p>
      ) : null}
      {d.status === 'ok' ? <PacketDetailView d={d.detail} /> : null}
    </section>
  );
}

function Packets({ data }: { data: PacketsData }) {
  const { nic, busy } = data;
  const report = nic.report;
  const running = busy === 'running' && nic.progress !== undefined;
  const debugging = data.position && data.status !== 'exited' && data.status !== 'empty';
  return (
    <div className="nic" data-testid="packets-panel">
      {debugging && data.position ? (
        <>
          <p className="status-line">
            In the program: <NicPosition nic={data.position} queue={data.current ? queueOf(report, data.position.packet) : undefined} />
          </p>
          <Counters counters={data.position.counters} label="Verdict counters of the packets debugged so far" testId="nic-debug-counters" />
        </>
      ) : null}
      {running && nic.progress ? (
        <>
          <Progress progress={nic.progress} />
          <Counters counters={nic.progress.counters} />
        </>
      ) : null}
      {!running && !report ? (
        <p className="empty">
          {data.progType === 'xdp'
            ? 'Run the program: the traffic (see Traffic) goes through the NIC and the program, and every packet shows up here.'
            : 'Packets come from running an XDP program (.section xdp) on the emulated NIC; set up its traffic in the Traffic panel.'}
        </p>
      ) : null}
      {!running && report ? (
        <>
          <div className="map-row nic-head">
            <RunSummary report={report} pcap={nic.reportPcap} />
            <DownloadMenu disabled={busy !== 'idle'} />
          </div>
          {data.current ? null : <p className="hint">The program or its traffic changed since this run: Run again to see the new packets.</p>}
          {report.deviceBound ? <DeviceBound /> : null}
          <RunWarnings warnings={report.warnings} />
          <Counters counters={report.counters} />
          <PacketTable key={runId(report)} report={report} openIndex={nic.detail?.index} onOpen={(i) => void openPacket(i)} />
          <Detail nic={nic} busy={busy} />
        </>
      ) : null}
    </div>
  );
}

function select(s: PlaygroundState): PacketsData {
  return {
    nic: s.nic,
    busy: s.busy,
    position: s.debug?.nic,
    status: s.debug?.status,
    current: s.nic.reportKey === trafficKey(s.program.key, s.nic.pcap),
    progType: s.program.section?.kind.progType,
  };
}

export default definePanel({
  id: 'packets',
  title: 'Packets',
  icon: '⇶',
  order: 33,
  select,
  View: Packets,
  badge: (s) => (s.nic.progress && s.busy === 'running' ? `${s.nic.progress.packets}` : s.nic.report ? s.nic.report.total : undefined),
});
