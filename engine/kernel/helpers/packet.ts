// The XDP packet-adjusting helpers (net/core/filter.c), on the frame of the running program
// (struct xdp_buff, engine/kernel/xdp-buff.ts). Prototypes are in prototypes.ts.

import type { CallImpl, KernelServices } from '../services.ts';
import type { Vm } from '../../vm/index.ts';

function noFrame(vm: Vm, pc: number, name: string): false {
  return vm.fail(pc, 'helper', `pc ${pc}: ${name}: this program has no XDP frame (only xdp programs may call it)`);
}

// One function per helper (not one made per name): each call site then sees one target, and
// these run once per packet. `int delta` is r2's low 32 bits, signed.
export const PACKET_HELPERS: Readonly<Record<string, CallImpl>> = {
  bpf_xdp_adjust_head: (k: KernelServices, vm: Vm, pc: number) => (k.xdp ? k.xdp.adjustHead(vm.regLo(2)) : noFrame(vm, pc, 'bpf_xdp_adjust_head')),
  bpf_xdp_adjust_meta: (k: KernelServices, vm: Vm, pc: number) => (k.xdp ? k.xdp.adjustMeta(vm.regLo(2)) : noFrame(vm, pc, 'bpf_xdp_adjust_meta')),
  bpf_xdp_adjust_tail: (k: KernelServices, vm: Vm, pc: number) => (k.xdp ? k.xdp.adjustTail(vm.regLo(2)) : noFrame(vm, pc, 'bpf_xdp_adjust_tail')),
};
