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
  return storeFault(k, vm, pc, name, r, size, what);
}

/** The fault of a store that failed (`store`, and the per-packet kfuncs' own stores). */
function storeFault(k: KernelServices, vm: Vm, pc: number, name: string, r: number, size: 2 | 4 | 8, what: string): false {
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

// These run once per packet at millions of packets per second: no allocation, and the stores
// made directly (the message of a fault only when there is one).
const rxTimestamp: CallImpl = (k, vm, pc) => {
  const f = k.xdp ?? frame(k, vm, pc, 'bpf_xdp_metadata_rx_timestamp');
  if (!f) return false;
  const rx = f.rx;
  if (rx.tsStatus) return rx.tsStatus;
  // ts is a whole number of ns below 2^53: split into two 32-bit halves (by subtraction: `%` on
  // a double is a call to fmod).
  const ts = rx.ts;
  const hi = Math.floor(ts / 0x100000000);
  if (k.mem.store(vm.regLo(2), vm.regHi(2), 8, ts - hi * 0x100000000, hi)) return 0;
  return storeFault(k, vm, pc, 'bpf_xdp_metadata_rx_timestamp', 2, 8, 'u64 *timestamp');
};

const rxHash: CallImpl = (k, vm, pc) => {
  const f = k.xdp ?? frame(k, vm, pc, 'bpf_xdp_metadata_rx_hash');
  if (!f) return false;
  const rx = f.rx;
  if (rx.hashStatus) return rx.hashStatus;
  const mem = k.mem;
  if (!mem.store(vm.regLo(2), vm.regHi(2), 4, rx.hash, 0)) return storeFault(k, vm, pc, 'bpf_xdp_metadata_rx_hash', 2, 4, 'u32 *hash');
  if (!mem.store(vm.regLo(3), vm.regHi(3), 4, rx.hashType, 0)) return storeFault(k, vm, pc, 'bpf_xdp_metadata_rx_hash', 3, 4, 'enum xdp_rss_hash_type *rss_type');
  return 0;
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
