// The simulated conntrack table: struct nf_conn objects in guest memory, found by their
// original or reply tuple within a zone, as nf_conntrack_find_get finds them. BPF programs
// allocate entries (nf_conn___init), fill them in and insert them, or look them up
// (net/netfilter/nf_conntrack_bpf.c); a scenario can seed established connections.

import { PERM_READ, PERM_WRITE, type GuestMemory } from '../vm/index.ts';
import { fieldOf } from './btf/layouts.ts';
import type { KernelObject, ObjectTable } from './objects.ts';

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** enum ip_conntrack_status bits (include/uapi/linux/netfilter/nf_conntrack_common.h). */
export const IPS = {
  EXPECTED: 1 << 0,
  SEEN_REPLY: 1 << 1,
  ASSURED: 1 << 2,
  CONFIRMED: 1 << 3,
  DYING: 1 << 9,
  FIXED_TIMEOUT: 1 << 10,
  /** NAT_DONE_MASK | NAT_MASK | EXPECTED | CONFIRMED | DYING | SEQ_ADJUST | TEMPLATE | UNTRACKED | OFFLOAD | HW_OFFLOAD. */
  UNCHANGEABLE_MASK: 0xdbf9,
  /** __IPS_MAX_BIT = 16: bits above are never set by a status change. */
  ALL: 0xffff,
} as const;

/** Timeout of an entry a program allocates: 10 s (the `10` of __bpf_nf_ct_alloc_entry). */
export const ALLOC_TIMEOUT_MS = 10_000;

/** A connection as conntrack keys it (addresses 4 or 16 bytes; ports in host order). */
export interface ConntrackTuple {
  readonly proto: number;
  readonly zone: number;
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly sport: number;
  readonly dport: number;
}

/** An established connection a scenario puts in the table before the program runs. */
export interface ConntrackSeed {
  readonly proto: 'tcp' | 'udp';
  /** "10.0.0.1" or "fd00::1". */
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  readonly zone?: number;
  /** Default CONFIRMED | SEEN_REPLY | ASSURED. */
  readonly status?: number;
  readonly timeoutMs?: number;
  readonly mark?: number;
}

function off(field: string): number {
  const f = fieldOf('nf_conn', field);
  if (!f) throw new Error(`internal: nf_conn.${field} missing`);
  return f.offset;
}

/** Field offsets of our struct nf_conn (engine/kernel/btf/layouts.ts). */
export const NF_CONN = {
  status: off('status'),
  timeout: off('timeout'),
  mark: off('mark'),
  zone: off('zone'),
  proto: off('proto'),
  dir: off('dir'),
  src: off('src'),
  dst: off('dst'),
  sport: off('sport'),
  dport: off('dport'),
} as const;

/** Parses an IPv4 or IPv6 address into 4 or 16 bytes. */
export function parseAddress(text: string): Uint8Array | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    return parts.every((p) => p <= 255) ? new Uint8Array(parts) : undefined;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')));
  const head = groups[0] ?? [];
  const tail = groups[1] ?? [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

export function formatIp(a: Uint8Array): string {
  if (a.length === 4) return [...a].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((a[i] ?? 0) << 8) | (a[i + 1] ?? 0)).toString(16));
  return `[${groups.join(':')}]`;
}

function hex(a: Uint8Array): string {
  return [...a].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function key(t: ConntrackTuple, reply: boolean): string {
  const [sa, sp, da, dp] = reply ? [t.dst, t.dport, t.src, t.sport] : [t.src, t.sport, t.dst, t.dport];
  return `${t.zone}/${t.proto}/${hex(sa)}:${sp}/${hex(da)}:${dp}`;
}

export function describeTuple(t: ConntrackTuple): string {
  const proto = t.proto === IPPROTO_TCP ? 'tcp' : t.proto === IPPROTO_UDP ? 'udp' : `proto ${t.proto}`;
  return `${proto} ${formatIp(t.src)}:${t.sport} → ${formatIp(t.dst)}:${t.dport}${t.zone ? ` zone ${t.zone}` : ''}`;
}

export class ConntrackTable {
  /** Original and reply keys of every inserted entry, with the direction each key matches. */
  private readonly byKey = new Map<string, { readonly object: KernelObject; readonly dir: 0 | 1 }>();
  /** The tuple of every entry, allocated or inserted, by object id. */
  private readonly tuples = new Map<number, ConntrackTuple>();
  /** Seeds that could not be added, in words. */
  readonly problems: string[] = [];

  constructor(
    private readonly objects: ObjectTable,
    private readonly mem: GuestMemory,
    seeds: readonly ConntrackSeed[] = [],
  ) {
    for (const [i, s] of seeds.entries()) {
      const problem = this.seed(s);
      if (problem) this.problems.push(`conntrack[${i}]: ${problem}`);
    }
  }

  private seed(s: ConntrackSeed): string | undefined {
    const src = parseAddress(s.src);
    const dst = parseAddress(s.dst);
    if (!src || !dst) return `'${src ? s.dst : s.src}' is not an IPv4 or IPv6 address`;
    if (src.length !== dst.length) return 'source and destination must both be IPv4 or both IPv6';
    const port = (p: number) => Number.isInteger(p) && p >= 0 && p <= 0xffff;
    if (!port(s.sport) || !port(s.dport)) return 'ports must be whole numbers from 0 to 65535';
    const tuple: ConntrackTuple = { proto: s.proto === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP, zone: s.zone ?? 0, src, dst, sport: s.sport, dport: s.dport };
    const obj = this.alloc(tuple);
    const at = obj.region.start;
    const dv = this.mem.dv;
    dv.setBigUint64(at + NF_CONN.status, BigInt((s.status ?? (IPS.CONFIRMED | IPS.SEEN_REPLY | IPS.ASSURED)) >>> 0), true);
    dv.setUint32(at + NF_CONN.timeout, (s.timeoutMs ?? (s.proto === 'tcp' ? 432_000_000 : 120_000)) >>> 0, true);
    dv.setUint32(at + NF_CONN.mark, (s.mark ?? 0) >>> 0, true);
    if (!this.insert(obj)) {
      this.objects.put(obj);
      return `${describeTuple(tuple)} is already in the table`;
    }
    // The table's reference is the only one: drop the allocation's.
    this.objects.put(obj);
    return undefined;
  }

  /**
   * A new entry for `tuple`, not in the table yet: struct nf_conn___init with one reference
   * (the caller's), a 10 s timeout and no status bits.
   */
  alloc(tuple: ConntrackTuple, createdAt?: number): KernelObject {
    // Created as nf_conn so its refcount lives in ct_general, then typed as the ___init
    // wrapper it is until inserted (the two share one layout: struct nf_conn___init { struct nf_conn ct; }).
    const obj = this.objects.create('nf_conn', (id) => `nf_conn #${id}`, createdAt === undefined ? {} : { createdAt });
    obj.type = 'nf_conn___init';
    obj.label = `nf_conn___init #${obj.id} (${describeTuple(tuple)})`;
    const at = obj.region.start;
    const dv = this.mem.dv;
    dv.setUint32(at + NF_CONN.timeout, ALLOC_TIMEOUT_MS, true);
    dv.setUint16(at + NF_CONN.zone, tuple.zone, true);
    dv.setUint8(at + NF_CONN.proto, tuple.proto);
    this.mem.bytes.set(tuple.src, at + NF_CONN.src);
    this.mem.bytes.set(tuple.dst, at + NF_CONN.dst);
    // Ports as the kernel keeps them: network byte order.
    dv.setUint16(at + NF_CONN.sport, tuple.sport, false);
    dv.setUint16(at + NF_CONN.dport, tuple.dport, false);
    // Programs may write nf_conn->mark and nothing else (_nf_conntrack_btf_struct_access).
    this.mem.shadow.fill(PERM_READ | PERM_WRITE, at + NF_CONN.mark, at + NF_CONN.mark + 4);
    this.tuples.set(obj.id, tuple);
    return obj;
  }

  /**
   * bpf_ct_insert_entry's nf_conntrack_hash_check_insert: marks the entry CONFIRMED, retypes
   * it nf_conn and adds it under both directions with the table's own reference. False when
   * either direction is already tracked (the caller then frees the allocation).
   */
  insert(obj: KernelObject): boolean {
    const tuple = this.tuples.get(obj.id);
    if (!tuple || obj.type !== 'nf_conn___init') return false;
    const orig = key(tuple, false);
    const reply = key(tuple, true);
    if (this.byKey.has(orig) || this.byKey.has(reply)) return false;
    const at = obj.region.start + NF_CONN.status;
    this.mem.dv.setBigUint64(at, this.mem.dv.getBigUint64(at, true) | BigInt(IPS.CONFIRMED), true);
    obj.type = 'nf_conn';
    obj.label = `nf_conn #${obj.id} (${describeTuple(tuple)})`;
    this.byKey.set(orig, { object: obj, dir: 0 });
    this.byKey.set(reply, { object: obj, dir: 1 });
    this.objects.get_(obj);
    return true;
  }

  /** The inserted entry whose original (dir 0) or reply (dir 1) tuple is `tuple`. */
  lookup(tuple: ConntrackTuple): { readonly object: KernelObject; readonly dir: 0 | 1 } | undefined {
    const hit = this.byKey.get(key(tuple, false));
    return hit && hit.object.state !== 'freed' ? hit : undefined;
  }

  tupleOf(obj: KernelObject): ConntrackTuple | undefined {
    return this.tuples.get(obj.id);
  }

  /** Inserted entries, for panels. */
  entries(): { readonly object: KernelObject; readonly tuple: ConntrackTuple }[] {
    const out: { object: KernelObject; tuple: ConntrackTuple }[] = [];
    for (const { object, dir } of this.byKey.values()) {
      const tuple = this.tuples.get(object.id);
      if (dir === 0 && tuple) out.push({ object, tuple });
    }
    return out;
  }
}
