// Seeded generator of traffic profiles (DESIGN.md "Traffic profile", engine/net/profile-json.ts):
// mostly valid ones at the edges of every field (indirection tables of any length, rates that
// stretch the virtual clock, every protocol, size rule and address family), some with one field
// wrong. `check` holds the checker to its promise: a profile it accepts loads and runs through
// the session without an internal error, with finite whole-nanosecond timestamps.

import { checkTraffic } from '../../net/profile-json.ts';
import { MAX_PACKETS } from '../../net/profile.ts';
import { trafficSetup } from '../../worker/nic-session.ts';
import { Session } from '../../worker/session.ts';
import type { Rng } from '../kernel/rng.ts';
import { PROTOTYPE_NAMES } from './maps-gen.ts';

const JUNK: readonly unknown[] = [null, true, 0, -1, 1.5, 1e300, Number.MIN_VALUE, '', 'x', [], {}, [1, 2]];
const V4 = ['10.0.0.1', '10.0.0.2', '192.168.1.1', '0.0.0.0', '255.255.255.255', '10.0.0.256', '::1'];
const V6 = ['2001:db8::1', '2001:db8::2', '::', 'fe80::1', '::ffff:10.0.0.1', '10.0.0.1', '2001:db8:::1'];

function hex(rng: Rng, bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i++) s += rng.below(256).toString(16).padStart(2, '0');
  return s;
}

function flow(rng: Rng): Record<string, unknown> {
  const ipv6 = rng.chance(0.3);
  const f: Record<string, unknown> = { proto: rng.pick(['udp', 'tcp', 'icmp']), src: rng.pick(ipv6 ? V6 : V4), dst: rng.pick(ipv6 ? V6 : V4) };
  if (ipv6 || rng.chance(0.1)) f.ipv6 = ipv6;
  if (f.proto !== 'icmp' || rng.chance(0.5)) {
    f.sport = rng.pick([0, 1, 53, 319, 320, 1234, 65535]);
    f.dport = rng.pick([0, 80, 8080, 319, 65535]);
  }
  if (rng.chance(0.3)) f.vlan = rng.pick([1, 59, 4094]);
  if (rng.chance(0.8)) f.size = rng.pick<unknown>([60, 64, 78, 100, 1500, 1514, 'imix', [60, 1514], [64, 64], [60, 61], [100, 1500]]);
  if (rng.chance(0.5)) f.weight = rng.pick([1e-9, 0.5, 1, 3, 1e6]);
  if (rng.chance(0.1)) f.src_mac = rng.pick(['02:00:00:00:00:01', 'ff:ff:ff:ff:ff:ff']);
  if (rng.chance(0.1)) f.tcp_flags = rng.below(256);
  return f;
}

/** Puts a junk value in one place of a JSON value. */
function corrupt(rng: Rng, v: unknown): unknown {
  if (Array.isArray(v) && v.length > 0) {
    const copy = [...v];
    const i = rng.below(copy.length);
    copy[i] = rng.chance(0.3) ? rng.pick(JUNK) : corrupt(rng, copy[i]);
    return copy;
  }
  if (typeof v === 'object' && v !== null) {
    const o = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    const k = rng.chance(0.1) || keys.length === 0 ? rng.pick([...PROTOTYPE_NAMES, 'rss_key', 'indirection', 'rate_pps']) : rng.pick(keys);
    o[k] = rng.chance(0.5) ? rng.pick(JUNK) : corrupt(rng, o[k]);
    return o;
  }
  return rng.pick(JUNK);
}

/** A profile; `size` scales the packet count and the number of flows. */
export function generate(rng: Rng, size: number): unknown {
  if (rng.chance(0.02)) return rng.pick(JUNK);
  const p: Record<string, unknown> = {};
  const queues = rng.chance(0.8) ? rng.pick([1, 2, 3, 4, 8, 64]) : undefined;
  if (queues !== undefined) p.queues = queues;
  const packets = rng.chance(0.05) ? rng.pick([MAX_PACKETS, 9_007_199, 1e6]) : 1 + rng.below(size * 8);
  if (rng.chance(0.9)) p.packets = packets;
  if (rng.chance(0.8)) p.seed = rng.u32();
  if (rng.chance(0.7)) p.rate_pps = rng.pick([1e-300, 1e-9, 1e-6, 0.1, 1, 1.5, 100, 1_000_000, 14_880_952, 1e9, 1e12, 1e13, 3]);
  if (rng.chance(0.7)) {
    const nic: Record<string, unknown> = {};
    if (rng.chance(0.7)) nic.driver = rng.pick(['full', 'hash-only', 'none']);
    if (rng.chance(0.3)) nic.rss_key = hex(rng, rng.pick([40, 40, 52, 39, 64]));
    if (rng.chance(0.5)) {
      const q = queues ?? 4;
      const length = rng.pick([1, 2, 3, 4, 7, 8, 100, 128, 129, 256, 512, 0]);
      nic.indirection = Array.from({ length }, (_, i) => (rng.chance(0.98) ? i % q : q));
    }
    if (rng.chance(0.3)) nic.timestamps = rng.pick(['all', 'ptp', 'none']);
    if (rng.chance(0.2)) nic.vlan_strip = rng.chance(0.5);
    p.nic = nic;
  }
  if (rng.chance(0.9)) p.flows = Array.from({ length: 1 + rng.below(rng.chance(0.1) ? 256 : Math.min(8, size)) }, () => flow(rng));
  if (rng.chance(0.2)) p.xsk = { metadata_size: rng.pick([0, 24, 256]), frame_size: rng.pick([2048, 4096]), frames: rng.pick([1, 64, 65536]) };
  if (rng.chance(0.05)) p[rng.pick(PROTOTYPE_NAMES)] = rng.pick(JUNK);
  const json = rng.chance(0.7) ? p : corrupt(rng, p);
  return JSON.parse(JSON.stringify(json)) as unknown;
}

const XDP_PASS = Uint8Array.from([0xb7, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
/** Profiles with more packets than this are loaded, not run (the run is the generator's, measured elsewhere). */
const RUN_LIMIT = 20_000;

/** What went wrong with a profile: an exception, an internal error, a message that is not text, a clock past 2^53 ns. */
export function check(json: unknown): string[] {
  try {
    const c = checkTraffic(json);
    const issues = c.ok ? c.warnings : [...c.errors, ...c.warnings];
    for (const i of issues) if (typeof i.path !== 'string' || typeof i.message !== 'string' || !i.message) return [`an issue that is not text: ${String(i.message)}`];
    if (!c.ok) return [];
    const setup = trafficSetup(json, undefined);
    if (!setup.ok) return [`checkTraffic accepted the profile but trafficSetup refused it: ${setup.errors.join('; ')}`];
    const { packets, ratePps } = setup.setup.profile;
    const last = 1e9 + Math.round(((packets - 1) * 1e9) / ratePps);
    if (!Number.isSafeInteger(last)) return [`the last packet arrives at ${last} ns, not a whole number of ns below 2^53`];
    const session = new Session();
    const image = { sections: [{ name: 'xdp', progType: 'xdp' as const, bytecode: XDP_PASS }], entry: 'xdp', maps: [] };
    const loaded = session.load(image, { isa: 4, profile: 'linux-6.18', cpus: 8, maxInsns: 1_000_000, traffic: json });
    if (!loaded.ok) return loaded.problems.map((p) => `the session refused a checked profile: ${p.message}`);
    if (packets > RUN_LIMIT) return [];
    const report = session.runTraffic();
    if (report.counters.received !== packets) return [`${report.counters.received} of ${packets} packets received`];
    for (const k of report.packets) if (k.rxTimestamp !== null && !Number.isSafeInteger(Number(k.rxTimestamp))) return [`packet ${k.index} has the timestamp ${String(k.rxTimestamp)}`];
    return [];
  } catch (e) {
    return [`exception: ${e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e)}`];
  }
}
