// The XDP RX metadata kfuncs (net/core/xdp.c): for a device-bound program the kernel replaces
// each call with the driver's xdp_metadata_ops callback; here the emulated driver's hints for
// the current frame travel with it (XdpBuff.rx). A driver without the callback leaves the
// generic body, which returns -EOPNOTSUPP; a frame without the information gives -ENODATA.

import type { Vm } from '../../vm/index.ts';
import type { CallImpl, KernelServices } from '../services.ts';
import { kfuncFault } from './args.ts';

/** Stores a u16, u32 or u64 (`size` 2, 4, 8) at the pointer in register `r`, or faults naming the argument. */
function store(k: KernelServices, vm: Vm, pc: number, name: string, r: number, size: 2 | 4 | 8, lo: number, hi: number, what: string): boolean {
  if (k.mem.store(vm.regLo(r), vm.regHi(r), size, lo, hi)) return true;
  kfuncFault(vm, pc, name, `arg#${r - 1} (${what}, r${r}) is not writable memory of ${size} bytes: ${k.mem.explain(vm.regLo(r), vm.regHi(r), size, true).reason}`);
  return false;
}

function frame(k: KernelServices, vm: Vm, pc: number, name: string) {
  if (!k.xdp) {
    kfuncFault(vm, pc, name, 'there is no XDP frame: only XDP programs on the emulated NIC may call it');
    return undefined;
  }
  return k.xdp;
}

// These run once per packet at millions of packets per second: no allocation.
const rxTimestamp: CallImpl = (k, vm, pc) => {
  const name = 'bpf_xdp_metadata_rx_timestamp';
  const f = frame(k, vm, pc, name);
  if (!f) return false;
  if (f.rx.tsStatus) return f.rx.tsStatus;
  // ts is a whole number of ns below 2^53: split into two 32-bit halves (by subtraction: `%` on
  // a double is a call to fmod).
  const ts = f.rx.ts;
  const hi = Math.floor(ts / 0x100000000);
  return store(k, vm, pc, name, 2, 8, ts - hi * 0x100000000, hi, 'u64 *timestamp') && 0;
};

const rxHash: CallImpl = (k, vm, pc) => {
  const name = 'bpf_xdp_metadata_rx_hash';
  const f = frame(k, vm, pc, name);
  if (!f) return false;
  if (f.rx.hashStatus) return f.rx.hashStatus;
  return store(k, vm, pc, name, 2, 4, f.rx.hash, 0, 'u32 *hash') && store(k, vm, pc, name, 3, 4, f.rx.hashType, 0, 'enum xdp_rss_hash_type *rss_type') && 0;
};

const rxVlanTag: CallImpl = (k, vm, pc) => {
  const name = 'bpf_xdp_metadata_rx_vlan_tag';
  const f = frame(k, vm, pc, name);
  if (!f) return false;
  if (f.rx.vlanStatus) return f.rx.vlanStatus;
  // __be16 *vlan_proto: the bytes in network order; u16 *vlan_tci: host (little-endian) order.
  const proto = f.rx.vlanProto & 0xffff;
  const beProto = ((proto & 0xff) << 8) | (proto >> 8);
  return store(k, vm, pc, name, 2, 2, beProto, 0, '__be16 *vlan_proto') && store(k, vm, pc, name, 3, 2, f.rx.vlanTci, 0, 'u16 *vlan_tci') && 0;
};

export const XDP_METADATA_KFUNC_IMPLS: Readonly<Record<string, CallImpl>> = {
  bpf_xdp_metadata_rx_timestamp: rxTimestamp,
  bpf_xdp_metadata_rx_hash: rxHash,
  bpf_xdp_metadata_rx_vlan_tag: rxVlanTag,
};
