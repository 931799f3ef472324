// Which packet of the traffic is in the program while an XDP program is debugged: "packet 3
// of 64, queue 1". Small enough to sit in a status line or a panel header.

import type { DebugSnapshot, TrafficReport } from '../../../engine/worker/protocol.ts';
import { nicPositionText } from './format.ts';

/** The packet's queue, when the last traffic run (of this very program and traffic) knows it. */
export function queueOf(report: TrafficReport | undefined, packet: number): number | undefined {
  if (!report) return undefined;
  const direct = report.packets[packet];
  return (direct?.index === packet ? direct : report.packets.find((p) => p.index === packet))?.queue;
}

export function NicPosition({ nic, queue }: { nic: DebugSnapshot['nic']; queue?: number | undefined }) {
  if (!nic) return null;
  return (
    <span className="nic-position" data-testid="nic-position">
      {nicPositionText(nic, queue)}
    </span>
  );
}
