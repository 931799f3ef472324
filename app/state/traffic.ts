// The traffic profile as the UI edits it (DESIGN.md "Traffic profile", snake_case JSON, opaque
// to the document): the default profile, checks with messages that name the field and what it
// may be, the form's view of a profile and the edits it makes, the JSON text, and the check of
// an imported pcap (by the engine's reader). Pure: no store, no DOM (tested in Node).

import type { PacketDetail, TrafficProgress, TrafficReport } from '../../engine/worker/protocol.ts';
import { isPlainObject } from './document.ts';
import { jsonSyntaxError } from './json-error.ts';

import { parseIpv4, parseIpv6 } from '../../engine/net/packet/addr.ts';
import { DEFAULT_TRAFFIC_JSON, DEFAULT_XSK, MAX_FLOWS, MAX_FRAME, MAX_PACKETS, MAX_QUEUES, MIN_FRAME } from '../../engine/net/profile.ts';
import type { DriverProfile, FlowProto, FlowSize, TimestampFilter } from '../../engine/net/profile.ts';
import { PcapSource } from '../../engine/net/pcap.ts';
import { checkTraffic, DRIVERS, MAX_XSK_METADATA, PROTOS, sizeProblem, TIMESTAMP_FILTERS, wholeMessage, type TrafficIssue } from '../../engine/net/profile-json.ts';

// One checker and one set of limits for the panel and the engine.
export { checkTraffic, DRIVERS, MAX_FLOWS, MAX_FRAME, MAX_PACKETS, MAX_QUEUES, MAX_XSK_METADATA, MIN_FRAME, PROTOS, sizeProblem, TIMESTAMP_FILTERS, wholeMessage };
export type { TrafficIssue };
export type Driver = DriverProfile;
export type Proto = FlowProto;
export type SizeSpec = FlowSize;
export type { TimestampFilter };
export const DEFAULT_TRAFFIC = DEFAULT_TRAFFIC_JSON;
export const DEFAULT_XSK_METADATA = DEFAULT_XSK.metadataSize;
/** Replayed captures larger than this are refused at import (they live in memory, twice). */
export const MAX_PCAP_BYTES = 32 * 1024 * 1024;

const fmt = (n: number): string => n.toLocaleString('en-US');

export const isIpv4 = (s: string): boolean => parseIpv4(s) !== null;
export const isIpv6 = (s: string): boolean => parseIpv6(s) !== null;

// ---- what the NIC panels keep in the store ------------------------------------------------

/** A capture to replay: kept in the store (not the document: it can be megabytes, and the document travels in links). */
export interface PcapFile {
  /** Tells one import from the next (part of the load key). */
  readonly id: string;
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly frames: number;
  /** Something worth saying about the file (truncated, not Ethernet); the engine has the last word. */
  readonly note?: string;
}

export type PacketDetailState =
  | { readonly index: number; readonly status: 'loading' }
  | { readonly index: number; readonly status: 'ok'; readonly detail: PacketDetail }
  | { readonly index: number; readonly status: 'error'; readonly error: string };

export interface NicState {
  /** While a traffic run goes on: how far it is. */
  readonly progress: TrafficProgress | undefined;
  /** The last traffic run's report. */
  readonly report: TrafficReport | undefined;
  /** The load key the report belongs to (see trafficKey). */
  readonly reportKey: string | undefined;
  /** The capture the report's run replayed (its file name), undefined for generated traffic. */
  readonly reportPcap: string | undefined;
  /** The packet open in the Packets panel. */
  readonly detail: PacketDetailState | undefined;
  readonly pcap: PcapFile | undefined;
}

export const EMPTY_NIC: NicState = Object.freeze({ progress: undefined, report: undefined, reportKey: undefined, reportPcap: undefined, detail: undefined, pcap: undefined });

/** What, besides the program's key, decides what a traffic run does: the capture replayed. */
export function trafficKey(programKey: string, pcap: PcapFile | undefined): string {
  return pcap ? `${programKey}:pcap:${pcap.id}` : programKey;
}

// ---- checking a profile -------------------------------------------------------------------

export function issueText(i: TrafficIssue): string {
  return `${i.path} ${i.message}`;
}

export type TrafficTextCheck =
  | { readonly ok: true; readonly value: Record<string, unknown>; readonly warnings: readonly TrafficIssue[] }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Checks the JSON editor's text: JSON first (line and column), then the profile's rules. */
export function checkTrafficText(text: string): TrafficTextCheck {
  const syntax = jsonSyntaxError(text);
  if (syntax) return { ok: false, errors: [`line ${syntax.line}, column ${syntax.col}: ${syntax.message}`] };
  const c = checkTraffic(JSON.parse(text) as unknown);
  return c.ok ? c : { ok: false, errors: c.errors.map(issueText) };
}

// ---- storing, comparing, showing -------------------------------------------------------------

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isPlainObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

export function isDefaultTraffic(v: unknown): boolean {
  return JSON.stringify(sortKeys(v)) === JSON.stringify(sortKeys(DEFAULT_TRAFFIC));
}

/** What the document stores for a profile: nothing for the default one, so documents and links stay small. */
export function storedTraffic(v: Record<string, unknown>): Record<string, unknown> | undefined {
  return isDefaultTraffic(v) ? undefined : v;
}

/** The profile in effect: the document's, or the default one. */
export function effectiveTraffic(traffic: unknown): Record<string, unknown> {
  return isPlainObject(traffic) ? traffic : (DEFAULT_TRAFFIC as unknown as Record<string, unknown>);
}

/** JSON text with one flow per line (readable, and short enough to edit by hand). */
export function trafficText(traffic: unknown): string {
  const v = traffic === undefined ? DEFAULT_TRAFFIC : traffic;
  if (!isPlainObject(v)) return JSON.stringify(v, null, 2);
  const inline = (x: unknown): string => (isPlainObject(x) ? `{ ${Object.entries(x).map(([k, y]) => `${JSON.stringify(k)}: ${inline(y)}`).join(', ')} }` : Array.isArray(x) ? `[${x.map(inline).join(', ')}]` : JSON.stringify(x));
  const lines = Object.entries(v).map(([k, x]) => {
    const key = JSON.stringify(k);
    if (Array.isArray(x) && x.length > 0 && x.every(isPlainObject)) return `  ${key}: [\n${x.map((f) => `    ${inline(f)}`).join(',\n')}\n  ]`;
    return `  ${key}: ${inline(x)}`;
  });
  return lines.length ? `{\n${lines.join(',\n')}\n}` : '{}';
}

export type Path = readonly (string | number)[];

/**
 * A copy of `v` with the value at `path` replaced (created as needed); `undefined` deletes the
 * key, and so does `dflt` when given: a field set back to its default leaves the JSON as it was.
 */
export function setIn(v: unknown, path: Path, value: unknown, dflt?: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (typeof head === 'number') {
    const list = Array.isArray(v) ? [...(v as unknown[])] : [];
    list[head] = setIn(list[head], rest, value, dflt);
    return list;
  }
  const o: Record<string, unknown> = isPlainObject(v) ? { ...v } : {};
  const next = rest.length ? setIn(o[head], rest, value, dflt) : value;
  if (next === undefined || (rest.length === 0 && dflt !== undefined && next === dflt)) delete o[head];
  else o[head] = next;
  return o;
}

export function getIn(v: unknown, path: Path): unknown {
  let x = v;
  for (const k of path) {
    if (typeof k === 'number') x = Array.isArray(x) ? (x as unknown[])[k] : undefined;
    else x = isPlainObject(x) ? x[k] : undefined;
  }
  return x;
}

// ---- the form's view ------------------------------------------------------------------------------

export interface FlowForm {
  readonly proto: string;
  readonly ipv6: boolean;
  readonly src: string;
  readonly dst: string;
  readonly sport: number | undefined;
  readonly dport: number | undefined;
  readonly vlan: number | undefined;
  readonly size: SizeSpec;
  readonly weight: number;
}

export interface TrafficForm {
  readonly seed: number;
  readonly packets: number;
  readonly ratePps: number;
  readonly queues: number;
  readonly driver: string;
  readonly timestamps: string;
  readonly metadataSize: number;
  readonly flows: readonly FlowForm[];
}

const num = (x: unknown, d: number): number => (typeof x === 'number' ? x : d);
const str = (x: unknown, d: string): string => (typeof x === 'string' ? x : d);

/** What the form shows of a (valid) profile: its values, with the NIC's defaults where absent. */
export function formOf(traffic: unknown): TrafficForm {
  const v = effectiveTraffic(traffic);
  const flows = Array.isArray(v.flows) ? (v.flows as unknown[]) : (DEFAULT_TRAFFIC.flows as unknown as unknown[]);
  return {
    seed: num(v.seed, DEFAULT_TRAFFIC.seed),
    packets: num(v.packets, DEFAULT_TRAFFIC.packets),
    ratePps: num(v.rate_pps, DEFAULT_TRAFFIC.rate_pps),
    queues: num(v.queues, DEFAULT_TRAFFIC.queues),
    driver: str(getIn(v, ['nic', 'driver']), 'full'),
    timestamps: str(getIn(v, ['nic', 'timestamps']), 'all'),
    metadataSize: num(getIn(v, ['xsk', 'metadata_size']), DEFAULT_XSK_METADATA),
    flows: flows.map((x) => {
      const f = isPlainObject(x) ? x : {};
      const size = f.size;
      return {
        proto: str(f.proto, 'udp'),
        ipv6: f.ipv6 === true,
        src: str(f.src, ''),
        dst: str(f.dst, ''),
        sport: typeof f.sport === 'number' ? f.sport : undefined,
        dport: typeof f.dport === 'number' ? f.dport : undefined,
        vlan: typeof f.vlan === 'number' ? f.vlan : undefined,
        size: size === 'imix' || typeof size === 'number' ? size : Array.isArray(size) && size.length === 2 ? [num(size[0], 64), num(size[1], MAX_FRAME)] : 64,
        weight: num(f.weight, 1),
      };
    }),
  };
}

/** A flow added by the form: UDP, IPv4, fixed size. */
export const NEW_FLOW = { proto: 'udp', src: '10.0.0.1', dst: '10.0.0.2', sport: 1234, dport: 8080, size: 64, weight: 1 } as const;

export type FormEdit =
  | { readonly kind: 'set'; readonly path: Path; readonly value: unknown; readonly dflt?: unknown }
  | { readonly kind: 'add-flow' }
  | { readonly kind: 'remove-flow'; readonly index: number }
  | { readonly kind: 'ipv6'; readonly index: number; readonly ipv6: boolean }
  | { readonly kind: 'proto'; readonly index: number; readonly proto: string };

/**
 * Applies a form edit to a profile (the default one when the document has none). Switching a
 * flow between IPv4 and IPv6 swaps addresses of the other family for example ones, and making
 * an ICMP flow UDP or TCP gives it ports if it has none, so the flow stays valid.
 */
export function applyEdit(traffic: unknown, edit: FormEdit): Record<string, unknown> {
  const v = effectiveTraffic(traffic);
  const flows = (Array.isArray(v.flows) ? v.flows : DEFAULT_TRAFFIC.flows) as readonly unknown[];
  switch (edit.kind) {
    case 'set':
      return setIn(v, edit.path, edit.value, edit.dflt) as Record<string, unknown>;
    case 'add-flow':
      return { ...v, flows: [...flows, { ...NEW_FLOW }] };
    case 'remove-flow':
      return { ...v, flows: flows.filter((_, i) => i !== edit.index) };
    case 'ipv6': {
      const f = isPlainObject(flows[edit.index]) ? (flows[edit.index] as Record<string, unknown>) : {};
      const fits = (a: unknown) => typeof a === 'string' && (edit.ipv6 ? isIpv6(a) : isIpv4(a));
      const next: Record<string, unknown> = { ...f };
      if (edit.ipv6) next.ipv6 = true;
      else delete next.ipv6;
      if (!fits(f.src)) next.src = edit.ipv6 ? '2001:db8::1' : '10.0.0.1';
      if (!fits(f.dst)) next.dst = edit.ipv6 ? '2001:db8::2' : '10.0.0.2';
      return { ...v, flows: flows.map((x, i) => (i === edit.index ? next : x)) };
    }
    case 'proto': {
      const f = isPlainObject(flows[edit.index]) ? (flows[edit.index] as Record<string, unknown>) : {};
      const next: Record<string, unknown> = { ...f, proto: edit.proto };
      if (edit.proto !== 'icmp') {
        if (next.sport === undefined) next.sport = NEW_FLOW.sport;
        if (next.dport === undefined) next.dport = NEW_FLOW.dport;
      }
      return { ...v, flows: flows.map((x, i) => (i === edit.index ? next : x)) };
    }
  }
}

export type FieldParse = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/** Parses what was typed into one of the form's number fields. */
export function parseWhole(text: string, label: string, min: number, max: number): FieldParse {
  const t = text.trim().replace(/[,_](?=\d{3})/g, '');
  if (!/^-?\d+$/.test(t)) return { ok: false, error: `${label}: a whole number from ${fmt(min)} to ${fmt(max)}${t ? `, not ${JSON.stringify(text.trim())}` : ''}` };
  const n = Number(t);
  return n >= min && n <= max ? { ok: true, value: n } : { ok: false, error: `${label}: a whole number from ${fmt(min)} to ${fmt(max)}, not ${fmt(n)}` };
}

/** Parses a positive number (rate, weight): "1e6", "1,000,000" and "2.5" are fine. */
export function parsePositive(text: string, label: string, max: number): FieldParse {
  const t = text.trim().replace(/,(?=\d{3})/g, '');
  const n = t === '' ? NaN : Number(t);
  return Number.isFinite(n) && n > 0 && n <= max ? { ok: true, value: n } : { ok: false, error: `${label}: a number above 0 (up to ${fmt(max)}), not ${JSON.stringify(text.trim())}` };
}

/** Parses a VLAN id; empty means untagged. */
export function parseVlan(text: string, label: string): FieldParse {
  if (text.trim() === '') return { ok: true, value: undefined };
  const r = parseWhole(text, label, 1, 4094);
  return r.ok ? r : { ok: false, error: `${label}: a VLAN id from 1 to 4,094, or empty for untagged frames` };
}

/** Parses an address of the flow's family. */
export function parseAddress(text: string, label: string, ipv6: boolean): FieldParse {
  const t = text.trim();
  if (ipv6 ? isIpv6(t) : isIpv4(t)) return { ok: true, value: t };
  if (!ipv6 && isIpv6(t)) return { ok: false, error: `${label}: an IPv4 address such as 10.0.0.1 (tick IPv6 for an IPv6 flow)` };
  return { ok: false, error: `${label}: ${ipv6 ? 'an IPv6 address such as 2001:db8::1' : 'an IPv4 address such as 10.0.0.1'}${t ? `, not ${JSON.stringify(t)}` : ''}` };
}

// ---- pcap import ------------------------------------------------------------------------------

export type PcapCheck = { readonly ok: true; readonly frames: number; readonly note?: string } | { readonly ok: false; readonly error: string };

/**
 * Reads an imported capture with the engine's own pcap reader (the one that replays it), so the
 * panel says at once what the run would say: what is wrong and at which byte, or how many frames
 * it holds and what is worth knowing (a file cut short, frames cut, timestamps shifted).
 */
export function checkPcap(bytes: Uint8Array): PcapCheck {
  const source = new PcapSource(bytes);
  if (source.error !== undefined) return { ok: false, error: `not a capture the NIC can replay: ${source.error}` };
  if (source.total === 0) return { ok: false, error: 'the capture holds no frame: there is nothing to replay' };
  return { ok: true, frames: source.total, ...(source.note !== undefined ? { note: source.note } : {}) };
}

/** "replaying capture.pcap (1,234 frames) — not part of share links" */
export function pcapNote(p: Pick<PcapFile, 'name' | 'frames'>): string {
  return `replaying ${p.name} (${fmt(p.frames)} frame${p.frames === 1 ? '' : 's'}) — not part of share links`;
}
