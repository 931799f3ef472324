// The session's side of the emulated NIC: an XDP program loaded without test_run input gets its
// frames from the traffic (the profile's generator, or a replayed pcap) through a TrafficRun.
// This module turns the run into what the worker protocol promises: the report of a whole run,
// one packet in full, a pcap of the packets kept, and the debugger's view of which packet is in
// the program.

import { tcActionName } from '../kernel/skb.ts';
import type { LoadedProgram } from '../kernel/loader.ts';
import { XDP_PACKET_HEADROOM } from '../kernel/xdp-buff.ts';
import type { FrameSource } from '../net/frames.ts';
import { parsePacket } from '../net/packet/parse.ts';
import { PcapSource, writePcap } from '../net/pcap.ts';
import { issueText, parseTrafficProfile } from '../net/profile-json.ts';
import type { TrafficProfile } from '../net/profile.ts';
import { TrafficGenerator } from '../net/traffic.ts';
import { AttachError, TrafficRun, type KeptPacket } from '../net/xdp-run.ts';
import { describeValue } from '../util/values.ts';
import type { PacketDetail, PcapSelection, TraceLineView, TrafficProgress, TrafficReport } from './protocol.ts';

/** What a traffic run needs besides the program: the profile, and a capture to replay instead of generating. */
export interface TrafficSetup {
  readonly profile: TrafficProfile;
  readonly pcap?: Uint8Array;
  /** Things worth saying before the run (profile fields the NIC does not know, a capture cut short). */
  readonly warnings: readonly string[];
}

/** Checks the traffic settings of an XDP load; the problems name the field. */
export function trafficSetup(traffic: unknown, pcap: Uint8Array | undefined): { ok: true; setup: TrafficSetup } | { ok: false; errors: string[] } {
  const p = parseTrafficProfile(traffic);
  if (!p.ok) return { ok: false, errors: p.errors.map((e) => `traffic profile: ${issueText(e)}`) };
  const warnings = p.warnings.map((w) => `traffic profile: ${issueText(w)}`);
  if (pcap) {
    const s = new PcapSource(pcap);
    if (s.error !== undefined) return { ok: false, errors: [`pcap: ${s.error}`] };
    if (s.note) warnings.push(`pcap: ${s.note}`);
  }
  return { ok: true, setup: { profile: p.profile, ...(pcap ? { pcap } : {}), warnings } };
}

function sourceOf(setup: TrafficSetup): FrameSource {
  if (!setup.pcap) return new TrafficGenerator(setup.profile);
  const s = new PcapSource(setup.pcap);
  if (s.error !== undefined) throw new Error(`pcap: ${s.error}`);
  return s;
}

/** A TrafficRun over the program just loaded, its first frame already in the program. */
export function startTraffic(program: LoadedProgram, setup: TrafficSetup): { ok: true; run: TrafficRun } | { ok: false; errors: string[] } {
  try {
    const run = new TrafficRun(program, setup.profile, sourceOf(setup));
    run.begin();
    return { ok: true, run };
  } catch (e) {
    if (e instanceof AttachError) return { ok: false, errors: [...e.problems] };
    throw e;
  }
}

/** Progress reports at most this often (ms of wall-clock time), and at least every PROGRESS_PACKETS. */
const PROGRESS_MS = 100;
const PROGRESS_CHECK = 4_096;

/** Runs the rest of the traffic (the first frame is in the program already) and reports. */
export function runWholeTraffic(run: TrafficRun, setup: TrafficSetup, deviceBound: boolean, onProgress?: (p: TrafficProgress) => void): TrafficReport {
  const t0 = performance.now();
  let last = t0;
  const progress = (): TrafficProgress => {
    const ms = performance.now() - t0;
    return { packets: run.counters.received, total: run.total, pps: ms > 0 ? Math.round((run.counters.received * 1000) / ms) : 0, counters: run.counterView() };
  };
  while (run.packetIndex !== undefined && !run.stopped) {
    run.runBatch(PROGRESS_CHECK);
    if (onProgress) {
      const now = performance.now();
      if (now - last >= PROGRESS_MS) {
        last = now;
        onProgress(progress());
      }
    }
  }
  const durationMs = performance.now() - t0;
  const received = run.counters.received;
  return {
    counters: run.counterView(),
    packets: run.kept.map((k) => k.summary),
    total: run.total,
    durationMs,
    pps: durationMs > 0 ? Math.round((received * 1000) / durationMs) : 0,
    driver: setup.profile.nic.driver,
    queues: setup.profile.queues,
    xskMetadataSize: setup.profile.xsk.metadataSize,
    deviceBound,
    ...(run.stopped ? { stopped: run.stopped } : {}),
    warnings: [...setup.warnings, ...run.warnings],
  };
}

/** One kept packet in full: its frame buffer, what the program changed, the decoded headers, the consumers' views. */
export function packetDetailOf(run: TrafficRun, index: number, trace: (from: number, to: number) => TraceLineView[]): PacketDetail | undefined {
  const k = run.keptPacket(index);
  const d = k?.detail;
  if (!k || !d) return undefined;
  // What the buffer held when the program started: zeroed headroom, the frame at XDP_PACKET_HEADROOM.
  const changed = new Uint8Array(d.buffer.length);
  const arrived = k.arrived;
  for (let i = 0; i < d.buffer.length; i++) {
    const j = i - XDP_PACKET_HEADROOM;
    const before = j >= 0 && j < arrived.length ? (arrived[j] ?? 0) : 0;
    changed[i] = d.buffer[i] !== before ? 1 : 0;
  }
  const data = d.buffer.slice(d.dataOffset, d.endOffset);
  const parsed = parsePacket(data);
  return {
    summary: k.summary,
    received: k.wire,
    buffer: d.buffer,
    metaOffset: d.metaOffset,
    dataOffset: d.dataOffset,
    endOffset: d.endOffset,
    changed,
    layers: parsed.layers,
    ...(parsed.error ? { decodeError: parsed.error } : {}),
    ...(d.xsk ? { xsk: { queue: d.xsk.queue, addr: `0x${d.xsk.addr.toString(16)}`, len: d.xsk.len, metadata: d.xsk.metadata, packet: d.xsk.packet } } : {}),
    ...(d.tc ? { tc: { section: d.tc.section, action: tcActionName(d.tc.retval), retval: d.tc.retval, dataMeta: d.tc.dataMeta, data: d.tc.data, skb: d.tc.skb.map((f) => ({ ...f, offset: 0, length: 0 })) } } : {}),
    trace: trace(d.traceFrom, d.traceTo),
  };
}

/** Which packets each selection saves; a Map, so a name such as "toString" finds nothing. */
const SELECTED = new Map<PcapSelection, (k: KeptPacket) => Uint8Array | undefined>([
  ['received', (k) => k.wire],
  ['passed', (k) => (k.summary.fate.kind === 'passed' ? k.out : undefined)],
  ['transmitted', (k) => (k.summary.fate.kind === 'transmitted' ? k.out : undefined)],
  ['redirected', (k) => (k.summary.fate.kind === 'xsk' || k.summary.fate.kind === 'device' || k.summary.fate.kind === 'cpu' ? k.out : undefined)],
  // A dropped frame never left: what is saved is the frame as it arrived.
  ['dropped', (k) => (k.summary.fate.kind === 'dropped' || k.summary.fate.kind === 'fault' ? k.wire : undefined)],
]);

export const PCAP_SELECTIONS: readonly PcapSelection[] = [...SELECTED.keys()];

/** A selection as it arrives over the worker boundary (any value at all), checked. */
export function parsePcapSelection(which: unknown): { ok: true; which: PcapSelection } | { ok: false; error: string } {
  if (typeof which === 'string' && SELECTED.has(which as PcapSelection)) return { ok: true, which: which as PcapSelection };
  const names = PCAP_SELECTIONS.map((n) => JSON.stringify(n));
  return { ok: false, error: `the packets to save must be ${names.slice(0, -1).join(', ')} or ${names[names.length - 1] ?? ''}, not ${describeValue(which)}` };
}

/** The kept packets of one fate as a pcap (nanosecond timestamps of their arrival). */
export function pcapOf(run: TrafficRun, which: PcapSelection): Uint8Array {
  const pick = SELECTED.get(which);
  const records: { tsNs: number; data: Uint8Array }[] = [];
  for (const k of pick ? run.kept : []) {
    const data = pick?.(k);
    if (data) records.push({ tsNs: k.tsNs, data });
  }
  return writePcap(records);
}
