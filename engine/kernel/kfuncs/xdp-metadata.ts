// The XDP RX metadata kfuncs (net/core/xdp.c): for a device-bound program the kernel replaces
// each call with the driver's xdp_metadata_ops callback; here the emulated driver's hints for
// the current frame travel with it (XdpBuff.rx). A driver without the callback leaves the
// generic body, which returns -EOPNOTSUPP; a frame without the information gives -ENODATA.

import type { Vm } from '../../vm/index.ts';
import type { CallImpl, KernelServices } from '../services.ts';
import { kfuncFault } from './args.ts';

/** Writes `bytes` at the pointer in register `r`, or faults naming the argument. */
function store(k: KernelServices, vm: Vm, pc: number, name: string, r: number, bytes: Uint8Array, what: string): boolean {
  if (k.mem.write(vm.regLo(r), vm.regHi(r), bytes)) return true;
  kfuncFault(vm, pc, name, `arg#${r - 1} (${what}, r${r}) is not writable memory of ${bytes.length} bytes: ${k.mem.explain(vm.regLo(r), vm.regHi(r), bytes.length, true).reason}`);
  return false;
}

function frame(k: KernelServices, vm: Vm, pc: number, name: string) {
  if (!k.xdp) {
    kfuncFault(vm, pc, name, 'there is no XDP frame: only XDP programs on the emulated NIC may call it');
    return undefined;
  }
  return k.xdp;
}

// Scratch buffers for the values written (these run once per packet at millions of packets/s:
// no allocation). mem.write copies them out.
const U64 = new Uint8Array(8);
const U64_VIEW = new DataView(U64.buffer);
const U32 = new Uint8Array(4);
const U32_VIEW = new DataView(U32.buffer);
const U32_B = new Uint8Array(4);
const U32_B_VIEW = new DataView(U32_B.buffer);

const rxTimestamp: CallImpl = (k, vm, pc) => {
  const name = 'bpf_xdp_metadata_rx_timestamp';
  const f = frame(k, vm, pc, name);
  if (!f) return false;
  if (f.rx.tsStatus) return f.rx.tsStatus;
  // ts is a whole number of ns below 2^53: split into two 32-bit halves.
  U64_VIEW.setUint32(0, f.rx.ts % 0x100000000, true);
  U64_VIEW.setUint32(4, Math.floor(f.rx.ts / 0x100000000), true);
  return store(k, vm, pc, name, 2, U64, 'u64 *timestamp') && 0;
};

const rxHash: CallImpl = (k, vm, pc) => {
  const name = 'bpf_xdp_metadata_rx_hash';
  const f = frame(k, vm, pc, name);
  if (!f) return false;
  if (f.rx.hashStatus) return f.rx.hashStatus;
  U32_VIEW.setUint32(0, f.rx.hash >>> 0, true);
  U32_B_VIEW.setUint32(0, f.rx.hashType >>> 0, true);
  return store(k, vm, pc, name, 2, U32, 'u32 *hash') && store(k, vm, pc, name, 3, U32_B, 'enum xdp_rss_hash_type *rss_type') && 0;
};

const rxVlanTag: CallImpl = (k, vm, pc) => {
  const name = 'bpf_xdp_metadata_rx_vlan_tag';
  const f = frame(k, vm, pc, name);
  if (!f) return false;
  if (f.rx.vlanStatus) return f.rx.vlanStatus;
  // __be16 *vlan_proto: the bytes in network order; u16 *vlan_tci: host (little-endian) order.
  const p = Uint8Array.of((f.rx.vlanProto >> 8) & 0xff, f.rx.vlanProto & 0xff);
  const t = Uint8Array.of(f.rx.vlanTci & 0xff, (f.rx.vlanTci >> 8) & 0xff);
  return store(k, vm, pc, name, 2, p, '__be16 *vlan_proto') && store(k, vm, pc, name, 3, t, 'u16 *vlan_tci') && 0;
};

export const XDP_METADATA_KFUNC_IMPLS: Readonly<Record<string, CallImpl>> = {
  bpf_xdp_metadata_rx_timestamp: rxTimestamp,
  bpf_xdp_metadata_rx_hash: rxHash,
  bpf_xdp_metadata_rx_vlan_tag: rxVlanTag,
};
