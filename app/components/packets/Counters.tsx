// The verdict counters (one badge per action, then where the packets went, redirect errors and
// faults) and, while traffic runs, how far it is and how fast.

import type { NicCounters, TrafficProgress, TrafficReport } from '../../../engine/worker/protocol.ts';
import { counterBadges, formatRate } from './format.ts';

export function Counters({ counters, label = 'Verdict counters', testId = 'nic-counters' }: { counters: NicCounters; label?: string; testId?: string }) {
  return (
    <ul className="nic-counters" aria-label={label} data-testid={testId}>
      <li className="nic-badge nic-received">
        received <strong>{counters.received.toLocaleString('en-US')}</strong>
      </li>
      {counterBadges(counters).map((b) => (
        <li key={b.label} className={`nic-badge nic-${b.kind}`} data-counter={b.label}>
          {b.label} <strong>{b.value.toLocaleString('en-US')}</strong>
        </li>
      ))}
    </ul>
  );
}

export function Progress({ progress }: { progress: TrafficProgress }) {
  const total = progress.total || undefined;
  return (
    <div className="nic-progress" data-testid="nic-progress">
      <progress max={total ?? 1} value={total ? progress.packets : 0} aria-label="Packets through the program" />
      <span>
        {progress.packets.toLocaleString('en-US')}
        {total ? ` of ${total.toLocaleString('en-US')}` : ''} packets · <strong data-testid="nic-pps">{formatRate(progress.pps)}</strong> packets/s
      </span>
    </div>
  );
}

/** One line about a finished run: how many packets from where, how fast, with which NIC. */
export function RunSummary({ report, pcap }: { report: TrafficReport; pcap: string | undefined }) {
  const kept = report.packets.length;
  return (
    <p className="hint" data-testid="nic-summary">
      {report.total.toLocaleString('en-US')} packets {pcap ? `replayed from ${pcap}` : 'of generated traffic'} in {report.durationMs < 10 ? report.durationMs.toFixed(1) : Math.round(report.durationMs).toLocaleString('en-US')} ms (
      {formatRate(report.pps)} packets/s) · driver {report.driver} · {report.queues} queue{report.queues === 1 ? '' : 's'} · AF_XDP METADATA_SIZE {report.xskMetadataSize}
      {kept < report.total ? ` · the first ${kept.toLocaleString('en-US')} packets are kept` : ''}
      {report.stopped ? <span className="field-error"> · stopped early: {report.stopped}</span> : null}
    </p>
  );
}

/** A program that calls metadata kfuncs is bound to the device: say what that means. */
export function DeviceBound() {
  return (
    <p className="nic-bound" data-testid="device-bound">
      <strong>Bound to the emulated NIC.</strong> The program calls XDP metadata kfuncs, so it is loaded for this one device, as with <span className="mono">BPF_F_XDP_DEV_BOUND_ONLY</span> and{' '}
      <span className="mono">prog_ifindex</span>: it runs on the device's traffic only. <span className="mono">BPF_PROG_TEST_RUN</span> refuses device-bound programs (-EINVAL), so it cannot run on a single test frame, nor go into a
      prog_array.
    </p>
  );
}

/** What the engine found worth saying about the run. */
export function RunWarnings({ warnings }: { warnings: readonly string[] }) {
  if (warnings.length === 0) return null;
  return (
    <ul className="nic-notes hint" aria-label="Notes on the run" data-testid="nic-warnings">
      {warnings.map((w, i) => (
        <li key={i}>{w}</li>
      ))}
    </ul>
  );
}
