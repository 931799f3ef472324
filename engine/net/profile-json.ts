// The traffic profile's JSON (DESIGN.md "Traffic profile": snake_case, shared by the UI, share
// links and `bpfp xdp`): one checker whose messages name the field and what it may be — the
// traffic panel shows them as the user types, the engine refuses a profile with them — and the
// conversion of a checked profile to the engine's TrafficProfile, defaults filled in.

import { describeValue, isPlainObject } from '../util/values.ts';
import { parseIpv4, parseIpv6, parseMac } from './packet/addr.ts';
import {
  DEFAULT_TRAFFIC_JSON, DEFAULT_XSK, MAX_FLOWS, MAX_FRAME, MAX_PACKETS, MAX_QUEUES, MICROSOFT_RSS_KEY, MIN_FRAME,
  type DriverProfile, type Flow, type FlowProto, type FlowSize, type TimestampFilter, type TrafficProfile,
} from './profile.ts';

export const DRIVERS: readonly DriverProfile[] = ['full', 'hash-only', 'none'];
export const TIMESTAMP_FILTERS: readonly TimestampFilter[] = ['all', 'ptp', 'none'];
export const PROTOS: readonly FlowProto[] = ['udp', 'tcp', 'icmp'];
/** XDP_PACKET_HEADROOM: the consumer cannot read further back than the headroom. */
export const MAX_XSK_METADATA = 256;
/** Entries of the default RSS indirection table (ethtool -x shows 128 on most NICs). */
export const DEFAULT_INDIRECTION_SIZE = 128;
/**
 * The largest indirection table: NICs index theirs with the hash's low bits, so its size is a
 * power of two, fixed by the device (128 on ixgbe and mlx4, up to 2,048 on ice); the playground
 * takes any power of two up to 65,536.
 */
export const MAX_INDIRECTION_SIZE = 65_536;
/**
 * The virtual clock counts whole nanoseconds in a double: packet n arrives at
 * 1e9 + n * 1e9 / rate_pps ns, and the last one must arrive below 2^53 ns (about 104 days) for
 * every timestamp to be an exact whole number (the u64 the program reads, the pcap's seconds
 * and nanoseconds).
 */
export const MAX_CLOCK_NS = Number.MAX_SAFE_INTEGER;
/** The UMEMs of all AF_XDP sockets together (one per RX queue, frames × frame_size bytes each). */
export const MAX_UMEM_BYTES = 64 << 20;
/** The fastest rate (1e12 packets per second: a packet per picosecond). */
export const MAX_RATE_PPS = 1e12;

/** The slowest rate that keeps the last of `packets` packets below MAX_CLOCK_NS. */
export function minRatePps(packets: number): number {
  return packets <= 1 ? Number.MIN_VALUE : ((packets - 1) * 1e9) / (MAX_CLOCK_NS - 1e9);
}

/** A rate rounded up to three significant digits (so that the rate it names is enough): "7.00e-6", "1.12". */
function rateText(r: number): string {
  const scale = 10 ** (Math.floor(Math.log10(r)) - 2);
  const up = Math.ceil(r / scale - 1e-9) * scale;
  return up < 1e-3 ? up.toExponential(2) : up.toPrecision(3);
}

/** Whether `n` is a power of two (1, 2, 4, …). */
function powerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}

export interface TrafficIssue {
  /** Where, as a JSON path: "flows[1].sport". */
  readonly path: string;
  readonly message: string;
}

export type TrafficCheck =
  | { readonly ok: true; readonly value: Record<string, unknown>; readonly warnings: readonly TrafficIssue[] }
  | { readonly ok: false; readonly errors: readonly TrafficIssue[]; readonly warnings: readonly TrafficIssue[] };

const TOP_KEYS = ['seed', 'packets', 'rate_pps', 'queues', 'nic', 'flows', 'xsk'];
const NIC_KEYS = ['driver', 'rss_key', 'indirection', 'timestamps', 'vlan_strip'];
const XSK_KEYS = ['metadata_size', 'frame_size', 'frames'];
const FLOW_KEYS = ['proto', 'ipv6', 'src', 'dst', 'sport', 'dport', 'vlan', 'size', 'weight', 'src_mac', 'dst_mac', 'tcp_flags'];

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** "a or b", "a, b or c", each quoted. */
function quotedOneOf(items: readonly string[]): string {
  const q = items.map((s) => JSON.stringify(s));
  return q.length < 2 ? q.join('') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1] ?? ''}`;
}

function isWhole(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** The message for a whole number out of its range (without the path). */
export function wholeMessage(min: number, max: number, v: unknown): string {
  return `must be a whole number from ${fmt(min)} to ${fmt(max)}, not ${describeValue(v)}`;
}

/** Checks a frame size (without the path): fixed, a range, or "imix". */
export function sizeProblem(v: unknown): string | undefined {
  const allowed = `must be a frame size from ${MIN_FRAME} to ${fmt(MAX_FRAME)} bytes, a range [min, max] or "imix"`;
  if (v === 'imix') return undefined;
  if (typeof v === 'number') return isWhole(v, MIN_FRAME, MAX_FRAME) ? undefined : `${allowed}, not ${describeValue(v)}`;
  if (Array.isArray(v)) {
    if (v.length !== 2 || !isWhole(v[0], MIN_FRAME, MAX_FRAME) || !isWhole(v[1], MIN_FRAME, MAX_FRAME)) return `${allowed}; a range is two sizes from ${MIN_FRAME} to ${fmt(MAX_FRAME)}`;
    if (v[0] > v[1]) return `is a range whose minimum ${v[0]} is above its maximum ${v[1]}`;
    return undefined;
  }
  return `${allowed}, not ${describeValue(v)}`;
}

/**
 * Checks a profile as the NIC reads it. Errors name the field and what it may be; unknown
 * fields are warnings (the team may add fields), not errors.
 */
export function checkTraffic(v: unknown): TrafficCheck {
  const errors: TrafficIssue[] = [];
  const warnings: TrafficIssue[] = [];
  const err = (path: string, message: string) => errors.push({ path, message });
  if (!isPlainObject(v)) return { ok: false, errors: [{ path: 'traffic', message: `must be a JSON object: { "packets": 64, "flows": [ … ] }, not ${describeValue(v)}` }], warnings };
  const unknown = (o: Record<string, unknown>, known: readonly string[], at: string) => {
    for (const k of Object.keys(o)) if (!known.includes(k)) warnings.push({ path: at ? `${at}.${k}` : k, message: `is not a field the NIC knows (${known.join(', ')}); it is kept but may be ignored` });
  };
  unknown(v, TOP_KEYS, '');
  const whole = (o: Record<string, unknown>, key: string, at: string, min: number, max: number) => {
    if (o[key] !== undefined && !isWhole(o[key], min, max)) err(at, wholeMessage(min, max, o[key]));
  };
  whole(v, 'seed', 'seed', 0, 0xffffffff);
  whole(v, 'packets', 'packets', 1, MAX_PACKETS);
  whole(v, 'queues', 'queues', 1, MAX_QUEUES);
  if (v.rate_pps !== undefined && !(typeof v.rate_pps === 'number' && v.rate_pps > 0 && v.rate_pps <= MAX_RATE_PPS)) {
    err('rate_pps', `must be a number of packets per second above 0 (up to 1e12), not ${describeValue(v.rate_pps)}`);
  } else if (typeof v.rate_pps === 'number') {
    const packets = isWhole(v.packets, 1, MAX_PACKETS) ? v.packets : v.packets === undefined ? DEFAULT_TRAFFIC_JSON.packets : 1;
    const min = minRatePps(packets);
    if (v.rate_pps < min) {
      const at = 1e9 + ((packets - 1) * 1e9) / v.rate_pps;
      err('rate_pps', `must be at least ${rateText(min)} packets per second for ${fmt(packets)} packets: at ${describeValue(v.rate_pps)} the last packet would arrive at ${Number.isFinite(at) ? `${at.toPrecision(3)} ns` : 'an infinite time'}, and the virtual clock counts whole nanoseconds below 2^53 (about 104 days)`);
    }
  }
  const queues = isWhole(v.queues, 1, MAX_QUEUES) ? v.queues : DEFAULT_TRAFFIC_JSON.queues;

  if (v.nic !== undefined) {
    const nic = v.nic;
    if (!isPlainObject(nic)) err('nic', `must be an object: { "driver": "full" }, not ${describeValue(nic)}`);
    else {
      unknown(nic, NIC_KEYS, 'nic');
      if (nic.driver !== undefined && !(DRIVERS as readonly unknown[]).includes(nic.driver)) err('nic.driver', `must be ${quotedOneOf(DRIVERS)}, not ${describeValue(nic.driver)}`);
      if (nic.timestamps !== undefined && !(TIMESTAMP_FILTERS as readonly unknown[]).includes(nic.timestamps)) {
        err('nic.timestamps', `must be ${quotedOneOf(TIMESTAMP_FILTERS)} (which frames get a hardware timestamp), not ${describeValue(nic.timestamps)}`);
      }
      if (nic.vlan_strip !== undefined && typeof nic.vlan_strip !== 'boolean') err('nic.vlan_strip', `must be true or false, not ${describeValue(nic.vlan_strip)}`);
      if (nic.rss_key !== undefined) {
        const hex = typeof nic.rss_key === 'string' ? nic.rss_key.replace(/[\s:]/g, '') : undefined;
        if (hex === undefined || !/^([0-9a-fA-F]{2})+$/.test(hex) || hex.length < 80) {
          err('nic.rss_key', `must be the Toeplitz key as hex, at least 40 bytes (80 hex digits), not ${hex === undefined ? describeValue(nic.rss_key) : hex.length % 2 || /[^0-9a-fA-F]/.test(hex) ? describeValue(nic.rss_key) : `${hex.length / 2} bytes`}`);
        }
      }
      if (nic.indirection !== undefined) {
        if (!Array.isArray(nic.indirection) || nic.indirection.length === 0) err('nic.indirection', `must be a list of queue numbers (hash → queue), not ${describeValue(nic.indirection)}`);
        else if (!powerOfTwo(nic.indirection.length) || nic.indirection.length > MAX_INDIRECTION_SIZE) {
          err('nic.indirection', `must have a power of two of entries (1, 2, 4, … ${fmt(MAX_INDIRECTION_SIZE)}): the NIC picks an entry with the hash's low bits; this one has ${fmt(nic.indirection.length)}`);
        } else {
          const bad = nic.indirection.findIndex((q) => !isWhole(q, 0, queues - 1));
          if (bad >= 0) err(`nic.indirection[${bad}]`, `must be a queue from 0 to ${queues - 1} (queues is ${queues}), not ${describeValue(nic.indirection[bad])}`);
        }
      }
    }
  }

  if (v.xsk !== undefined) {
    const xsk = v.xsk;
    if (!isPlainObject(xsk)) err('xsk', `must be an object: { "metadata_size": 24 }, not ${describeValue(xsk)}`);
    else {
      unknown(xsk, XSK_KEYS, 'xsk');
      whole(xsk, 'metadata_size', 'xsk.metadata_size', 0, MAX_XSK_METADATA);
      if (xsk.frame_size !== undefined && !(xsk.frame_size === 2048 || xsk.frame_size === 4096)) {
        err('xsk.frame_size', `must be 2048 or 4096 (a power of two from XDP_UMEM_MIN_CHUNK_SIZE to PAGE_SIZE), not ${describeValue(xsk.frame_size)}`);
      }
      whole(xsk, 'frames', 'xsk.frames', 1, 65_536);
      const frames = isWhole(xsk.frames, 1, 65_536) ? xsk.frames : DEFAULT_XSK.frames;
      const frameSize = xsk.frame_size === 2048 || xsk.frame_size === 4096 ? xsk.frame_size : DEFAULT_XSK.frameSize;
      if (queues * frames * frameSize > MAX_UMEM_BYTES) {
        const most = Math.floor(MAX_UMEM_BYTES / (queues * frameSize));
        err('xsk.frames', `is too many for ${queues} queue${queues === 1 ? '' : 's'}: each queue's socket has a UMEM of frames × frame_size bytes, and together they must fit in ${MAX_UMEM_BYTES >> 20} MiB, so at most ${fmt(most)} frames of ${fmt(frameSize)} bytes`);
      }
    }
  }

  if (v.flows !== undefined) {
    if (!Array.isArray(v.flows) || v.flows.length === 0 || v.flows.length > MAX_FLOWS) {
      err('flows', `must be a list of 1 to ${MAX_FLOWS} flows, not ${Array.isArray(v.flows) ? `${v.flows.length} flows` : describeValue(v.flows)}`);
    } else {
      v.flows.forEach((f: unknown, i: number) => {
        const at = `flows[${i}]`;
        if (!isPlainObject(f)) return err(at, `must be an object: { "proto": "udp", "src": …, "dst": … }, not ${describeValue(f)}`);
        unknown(f, FLOW_KEYS, at);
        const proto = f.proto;
        if (!(PROTOS as readonly unknown[]).includes(proto)) err(`${at}.proto`, `must be ${quotedOneOf(PROTOS)}, not ${describeValue(proto)}`);
        if (f.ipv6 !== undefined && typeof f.ipv6 !== 'boolean') err(`${at}.ipv6`, `must be true or false, not ${describeValue(f.ipv6)}`);
        const v6 = f.ipv6 === true;
        for (const key of ['src', 'dst'] as const) {
          const a = f[key];
          const ok = typeof a === 'string' && (v6 ? parseIpv6(a) : parseIpv4(a)) !== null;
          if (!ok) err(`${at}.${key}`, v6 ? `must be an IPv6 address such as "2001:db8::1" (the flow is IPv6), not ${describeValue(a)}` : `must be an IPv4 address such as "10.0.0.1"${typeof a === 'string' && parseIpv6(a) !== null ? ' (set "ipv6": true for IPv6)' : ''}, not ${describeValue(a)}`);
        }
        for (const key of ['sport', 'dport'] as const) {
          if (f[key] === undefined) {
            if (proto === 'udp' || proto === 'tcp') err(`${at}.${key}`, `is missing: a ${proto} flow needs a port from 0 to 65,535`);
          } else if (!isWhole(f[key], 0, 65_535)) err(`${at}.${key}`, `must be a port from 0 to 65,535, not ${describeValue(f[key])}`);
        }
        if (f.vlan !== undefined && f.vlan !== null && !isWhole(f.vlan, 1, 4094)) err(`${at}.vlan`, `must be a VLAN id from 1 to 4,094 (or absent for untagged frames), not ${describeValue(f.vlan)}`);
        if (f.size !== undefined) {
          const p = sizeProblem(f.size);
          if (p) err(`${at}.size`, p);
        }
        if (f.weight !== undefined && !(typeof f.weight === 'number' && f.weight > 0 && f.weight <= 1e6)) err(`${at}.weight`, `must be a share above 0 (up to 1,000,000), not ${describeValue(f.weight)}`);
        for (const key of ['src_mac', 'dst_mac'] as const) {
          if (f[key] !== undefined && !(typeof f[key] === 'string' && parseMac(f[key]) !== null)) err(`${at}.${key}`, `must be a MAC address such as "02:00:00:00:00:01", not ${describeValue(f[key])}`);
        }
        if (f.tcp_flags !== undefined && !isWhole(f.tcp_flags, 0, 255)) err(`${at}.tcp_flags`, `must be TCP flags from 0 to 255 (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32, ECE 64, CWR 128), not ${describeValue(f.tcp_flags)}`);
      });
    }
  }
  return errors.length ? { ok: false, errors, warnings } : { ok: true, value: v, warnings };
}

export function issueText(i: TrafficIssue): string {
  return `${i.path} ${i.message}`;
}

/** The profile's JSON as the engine uses it, defaults filled in; or every problem, each with its field. */
export type TrafficParse =
  | { readonly ok: true; readonly profile: TrafficProfile; readonly warnings: readonly TrafficIssue[] }
  | { readonly ok: false; readonly errors: readonly TrafficIssue[] };

const rec = (v: unknown): Record<string, unknown> => (isPlainObject(v) ? v : {});

/** Checks `json` (undefined: the default profile) and converts it to a TrafficProfile. */
export function parseTrafficProfile(json: unknown): TrafficParse {
  const c = checkTraffic(json === undefined ? DEFAULT_TRAFFIC_JSON : json);
  if (!c.ok) return { ok: false, errors: c.errors };
  const v = c.value;
  const nic = rec(v.nic);
  const xsk = rec(v.xsk);
  const queues = typeof v.queues === 'number' ? v.queues : DEFAULT_TRAFFIC_JSON.queues;
  const keyHex = typeof nic.rss_key === 'string' ? nic.rss_key.replace(/[\s:]/g, '') : undefined;
  const rssKey = keyHex ? Uint8Array.from(keyHex.match(/../g) ?? [], (h) => parseInt(h, 16)) : MICROSOFT_RSS_KEY.slice();
  const indirection = Array.isArray(nic.indirection) ? (nic.indirection as number[]).slice() : Array.from({ length: DEFAULT_INDIRECTION_SIZE }, (_, i) => i % queues);
  const flowsJson = (Array.isArray(v.flows) ? v.flows : DEFAULT_TRAFFIC_JSON.flows) as readonly unknown[];
  const flows = flowsJson.map((x, i): Flow => {
    const f = rec(x);
    const size = f.size === undefined ? 64 : (f.size as FlowSize);
    return {
      proto: f.proto as FlowProto,
      ipv6: f.ipv6 === true,
      src: f.src as string,
      dst: f.dst as string,
      sport: typeof f.sport === 'number' ? f.sport : 0,
      dport: typeof f.dport === 'number' ? f.dport : 0,
      ...(typeof f.vlan === 'number' ? { vlan: f.vlan } : {}),
      size: Array.isArray(size) ? ([size[0], size[1]] as const) : size,
      weight: typeof f.weight === 'number' ? f.weight : 1,
      srcMac: typeof f.src_mac === 'string' ? f.src_mac : `02:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`,
      dstMac: typeof f.dst_mac === 'string' ? f.dst_mac : '02:00:00:00:ff:01',
      ...(typeof f.tcp_flags === 'number' ? { tcpFlags: f.tcp_flags } : {}),
    };
  });
  return {
    ok: true,
    warnings: c.warnings,
    profile: {
      seed: typeof v.seed === 'number' ? v.seed : DEFAULT_TRAFFIC_JSON.seed,
      packets: typeof v.packets === 'number' ? v.packets : DEFAULT_TRAFFIC_JSON.packets,
      ratePps: typeof v.rate_pps === 'number' ? v.rate_pps : DEFAULT_TRAFFIC_JSON.rate_pps,
      queues,
      nic: {
        driver: (nic.driver as DriverProfile | undefined) ?? 'full',
        rssKey,
        indirection,
        timestamps: (nic.timestamps as TimestampFilter | undefined) ?? 'all',
        vlanStrip: typeof nic.vlan_strip === 'boolean' ? nic.vlan_strip : true,
      },
      flows,
      xsk: {
        metadataSize: typeof xsk.metadata_size === 'number' ? xsk.metadata_size : DEFAULT_XSK.metadataSize,
        frameSize: typeof xsk.frame_size === 'number' ? xsk.frame_size : DEFAULT_XSK.frameSize,
        frames: typeof xsk.frames === 'number' ? xsk.frames : DEFAULT_XSK.frames,
      },
    },
  };
}
