// The conntrack kfuncs of net/netfilter/nf_conntrack_bpf.c over the simulated table (k.conntrack):
// alloc/lookup from a bpf_sock_tuple and bpf_ct_opts, with errors reported in opts->error and a
// NULL return; insert, release, and the timeout/status setters. nf_conn___init (allocated, not
// inserted) and nf_conn are distinct types: passing one where the other is due faults.

import { PERM_WRITE, type Vm } from '../../vm/index.ts';
import { IPPROTO_TCP, IPPROTO_UDP, IPS, NF_CONN, type ConntrackTuple } from '../conntrack.ts';
import type { KernelObject } from '../objects.ts';
import type { CallImpl, KernelServices } from '../services.ts';
import { ERRNO, neg } from '../services.ts';
import { giveBack, kfuncFault, objectArg, releaseRef, u32Arg } from './args.ts';

/** ETIME: __nf_ct_change_timeout on a dying entry. */
const ETIME = 62;
/** NF_CT_DEFAULT_ZONE_DIR = NF_CT_ZONE_DIR_ORIG | NF_CT_ZONE_DIR_REPL. */
const DEFAULT_ZONE_DIR = 3;
const IPV4_TUPLE = 12;
const IPV6_TUPLE = 36;

/** bpf_ct_opts in guest memory at an arena offset (s32 netns_id; s32 error; u8 l4proto; u8 dir; …). */
interface Opts {
  readonly at: number;
  readonly size: number;
}

/**
 * The checks of __bpf_nf_ct_alloc_entry / __bpf_nf_ct_lookup, in their order: the errno to
 * report, or the tuple to allocate or look up. 6.3 knows only the 12-byte opts with two
 * reserved bytes; ct_zone_id and the 16-byte opts came later (2024).
 */
function check(k: KernelServices, opts: Opts | undefined, tuple: Uint8Array | undefined, lookup: boolean): number | ConntrackTuple {
  if (!opts || !tuple) return ERRNO.EINVAL;
  const b = k.mem.bytes;
  const dv = k.mem.dv;
  const at = opts.at;
  let zone = 0;
  if (k.profile === 'linux-6.3') {
    if (opts.size !== 12 || b[at + 10] || b[at + 11]) return ERRNO.EINVAL;
  } else {
    if (opts.size !== 16 && opts.size !== 12) return ERRNO.EINVAL;
    if (opts.size === 16 && (b[at + 13] || b[at + 14] || b[at + 15])) return ERRNO.EINVAL;
    if (opts.size === 12 && dv.getUint16(at + 10, true) !== 0) return ERRNO.EINVAL;
    if (opts.size === 16) zone = dv.getUint16(at + 10, true);
  }
  const proto = b[at + 8] ?? 0;
  const protoOk = proto === IPPROTO_TCP || proto === IPPROTO_UDP;
  if (lookup && !protoOk) return ERRNO.EPROTO;
  const netns = dv.getInt32(at, true);
  if (netns < -1) return ERRNO.EINVAL;
  // bpf_nf_ct_tuple_parse: protocol first, then the tuple's size.
  if (!protoOk) return ERRNO.EPROTO;
  if (tuple.length !== IPV4_TUPLE && tuple.length !== IPV6_TUPLE) return ERRNO.EAFNOSUPPORT;
  // The simulated machine has one network namespace and gives it no id: any id is unknown.
  if (netns >= 0) return ERRNO.ENONET;
  if (opts.size === 16 && b[at + 12] === 0) b[at + 12] = DEFAULT_ZONE_DIR;
  const tdv = new DataView(tuple.buffer, tuple.byteOffset, tuple.length);
  const a = tuple.length === IPV4_TUPLE ? 4 : 16;
  return { proto, zone, src: tuple.slice(0, a), dst: tuple.slice(a, 2 * a), sport: tdv.getUint16(2 * a, false), dport: tdv.getUint16(2 * a + 2, false) };
}

/** Reads the pointer/size pairs the verifier would have checked; a fault when memory is bad. */
function readArgs(k: KernelServices, vm: Vm, pc: number, name: string): { tuple: Uint8Array | undefined; opts: Opts | undefined } | false {
  if (vm.reg(1) === 0n) return kfuncFault(vm, pc, name, 'arg#0 must be the program context (R1 is NULL)');
  const tupleSz = u32Arg(vm, 2);
  const optsSz = u32Arg(vm, 4);
  let tuple: Uint8Array | undefined;
  if (vm.reg(2) !== 0n) {
    tuple = k.mem.read(vm.regLo(2), vm.regHi(2), tupleSz);
    if (!tuple) return kfuncFault(vm, pc, name, `arg#1 (bpf_tuple) is not readable memory of tuple__sz = ${tupleSz} bytes: ${k.mem.explain(vm.regLo(2), vm.regHi(2), tupleSz, false).reason}`);
  }
  let opts: Opts | undefined;
  if (vm.reg(4) !== 0n) {
    const at = k.mem.offsetOf(vm.regLo(4), vm.regHi(4));
    // opts->error is written whatever opts__sz says, so it must be writable too.
    const need = Math.max(optsSz, 8);
    if (at < 0 || !k.mem.accessible(at, need, PERM_WRITE)) {
      return kfuncFault(vm, pc, name, `arg#3 (opts) is not writable memory of ${need} bytes: ${k.mem.explain(vm.regLo(4), vm.regHi(4), need, true).reason}`);
    }
    opts = { at, size: optsSz };
  }
  return { tuple, opts };
}

function allocOrLookup(name: string, lookup: boolean): CallImpl {
  return (k, vm, pc) => {
    const args = readArgs(k, vm, pc, name);
    if (!args) return false;
    const { opts } = args;
    const refuse = (errno: number): bigint => {
      if (opts) k.mem.dv.setInt32(opts.at + 4, -errno, true);
      return 0n;
    };
    const tuple = check(k, opts, args.tuple, lookup);
    if (typeof tuple === 'number') return refuse(tuple);
    let obj: KernelObject;
    if (lookup) {
      const found = k.conntrack.lookup(tuple);
      if (!found) return refuse(ERRNO.ENOENT);
      // nf_conntrack_find_get takes the reference the program now holds.
      obj = found.object;
      k.objects.get_(obj);
      if (opts) k.mem.bytes[opts.at + 9] = found.dir;
    } else {
      // nf_conntrack_alloc fails with -ENOMEM when the scenario's memory has run short.
      if (k.world.allocationFails()) return refuse(ERRNO.ENOMEM);
      obj = k.conntrack.alloc(tuple, pc);
    }
    k.objects.hold(obj, pc, name);
    return k.objects.address(obj);
  };
}

/** Consumes the nf_conn___init reference; a new nf_conn reference on success, else NULL. */
const insertEntry: CallImpl = (k, vm, pc) => {
  const name = 'bpf_ct_insert_entry';
  const obj = objectArg(k, vm, pc, name, 0, 'nf_conn___init');
  if (!obj || !giveBack(k, vm, pc, name, obj)) return false;
  if (!k.conntrack.insert(obj)) {
    // nf_conntrack_free: the allocation goes away with its only reference.
    k.objects.put(obj);
    return 0n;
  }
  k.objects.hold(obj, pc, name);
  return k.objects.address(obj);
};

const release: CallImpl = (k, vm, pc) => {
  const obj = objectArg(k, vm, pc, 'bpf_ct_release', 0, 'nf_conn');
  return obj && releaseRef(k, vm, pc, 'bpf_ct_release', obj);
};

function status(k: KernelServices, obj: KernelObject): number {
  return Number(k.mem.dv.getBigUint64(obj.region.start + NF_CONN.status, true) & 0xffffffffn);
}

/** Timeouts are kept in milliseconds, relative (the kernel keeps jiffies). */
function writeTimeout(k: KernelServices, obj: KernelObject, ms: number): void {
  k.mem.dv.setUint32(obj.region.start + NF_CONN.timeout, ms, true);
}

const setTimeoutKfunc: CallImpl = (k, vm, pc) => {
  const obj = objectArg(k, vm, pc, 'bpf_ct_set_timeout', 0, 'nf_conn___init');
  if (!obj) return false;
  writeTimeout(k, obj, u32Arg(vm, 1));
  return 0n;
};

/** __nf_ct_change_timeout: refused for IPS_FIXED_TIMEOUT; -ETIME (after setting) when dying. */
const changeTimeout: CallImpl = (k, vm, pc) => {
  const obj = objectArg(k, vm, pc, 'bpf_ct_change_timeout', 0, 'nf_conn');
  if (!obj) return false;
  const st = status(k, obj);
  if (st & IPS.FIXED_TIMEOUT) return neg(ERRNO.EPERM);
  writeTimeout(k, obj, u32Arg(vm, 1));
  return st & IPS.DYING ? neg(ETIME) : 0n;
};

/**
 * nf_ct_change_status_common: EXPECTED, CONFIRMED and DYING may not change, SEEN_REPLY and
 * ASSURED may only be set; other bits are OR-ed in, minus the ones the kernel manages.
 */
function changeStatus(name: string, type: 'nf_conn' | 'nf_conn___init'): CallImpl {
  return (k, vm, pc) => {
    const obj = objectArg(k, vm, pc, name, 0, type);
    if (!obj) return false;
    const want = u32Arg(vm, 1);
    const cur = status(k, obj);
    const d = cur ^ want;
    if (d & (IPS.EXPECTED | IPS.CONFIRMED | IPS.DYING)) return neg(ERRNO.EBUSY);
    if (d & IPS.SEEN_REPLY && !(want & IPS.SEEN_REPLY)) return neg(ERRNO.EBUSY);
    if (d & IPS.ASSURED && !(want & IPS.ASSURED)) return neg(ERRNO.EBUSY);
    const at = obj.region.start + NF_CONN.status;
    const bits = BigInt(want & ~IPS.UNCHANGEABLE_MASK & IPS.ALL);
    k.mem.dv.setBigUint64(at, k.mem.dv.getBigUint64(at, true) | bits, true);
    return 0n;
  };
}

export const CONNTRACK_KFUNCS: Readonly<Record<string, CallImpl>> = {
  bpf_xdp_ct_alloc: allocOrLookup('bpf_xdp_ct_alloc', false),
  bpf_xdp_ct_lookup: allocOrLookup('bpf_xdp_ct_lookup', true),
  bpf_skb_ct_alloc: allocOrLookup('bpf_skb_ct_alloc', false),
  bpf_skb_ct_lookup: allocOrLookup('bpf_skb_ct_lookup', true),
  bpf_ct_insert_entry: insertEntry,
  bpf_ct_release: release,
  bpf_ct_set_timeout: setTimeoutKfunc,
  bpf_ct_change_timeout: changeTimeout,
  bpf_ct_set_status: changeStatus('bpf_ct_set_status', 'nf_conn___init'),
  bpf_ct_change_status: changeStatus('bpf_ct_change_status', 'nf_conn'),
};
