// The XDP packet-adjusting helpers (net/core/filter.c), on the frame of the running program,
// (struct xdp_buff, engine/kernel/xdp-buff.ts), bpf_skb_pull_data on a tc program's skb
// (engine/kernel/skb.ts). The socket lookups are in sockets.ts. Prototypes are in prototypes.ts.

import type { CallImpl, KernelServices } from '../services.ts';
import type { Vm } from '../../vm/index.ts';

function noFrame(vm: Vm, pc: number, name: string): false {
  return vm.fail(pc, 'helper', `pc ${pc}: ${name}: this program has no XDP frame (only xdp programs may call it)`);
}

/**
 * bpf_skb_pull_data(skb, u32 len): makes the first `len` bytes (0: the head's) direct-accessible
 * and writable, as SkBuff.pullData does; R1 must be the skb (ARG_PTR_TO_CTX).
 */
function skbPullData(k: KernelServices, vm: Vm, pc: number): number | false {
  const skb = k.skb;
  if (!skb) return vm.fail(pc, 'helper', `pc ${pc}: bpf_skb_pull_data: this program has no skb (only tc programs may call it)`);
  const ctx = k.mem.addressOf(skb.ctx);
  if (vm.regLo(1) !== ctx.lo || vm.regHi(1) !== ctx.hi) return vm.fail(pc, 'helper', `pc ${pc}: bpf_skb_pull_data: R1 must be the program's context, the struct __sk_buff * it received in r1`);
  return skb.pullData(vm.regLo(2) >>> 0, pc);
}

// One function per helper (not one made per name): each call site then sees one target, and
// these run once per packet. `int delta` is r2's low 32 bits, signed.
export const PACKET_HELPERS: Readonly<Record<string, CallImpl>> = {
  bpf_xdp_adjust_head: (k: KernelServices, vm: Vm, pc: number) => (k.xdp ? k.xdp.adjustHead(vm.regLo(2)) : noFrame(vm, pc, 'bpf_xdp_adjust_head')),
  bpf_xdp_adjust_meta: (k: KernelServices, vm: Vm, pc: number) => (k.xdp ? k.xdp.adjustMeta(vm.regLo(2)) : noFrame(vm, pc, 'bpf_xdp_adjust_meta')),
  bpf_xdp_adjust_tail: (k: KernelServices, vm: Vm, pc: number) => (k.xdp ? k.xdp.adjustTail(vm.regLo(2)) : noFrame(vm, pc, 'bpf_xdp_adjust_tail')),
  bpf_skb_pull_data: skbPullData,
};
