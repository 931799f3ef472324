// The XDP packet-adjusting helpers (net/core/filter.c), on the frame of the running program,
// (struct xdp_buff, engine/kernel/xdp-buff.ts), and the socket lookups of tc and XDP programs
// (the simulated kernel has no sockets). Prototypes are in prototypes.ts.

import type { CallImpl, KernelServices } from '../services.ts';
import type { Vm } from '../../vm/index.ts';

function noFrame(vm: Vm, pc: number, name: string): false {
  return vm.fail(pc, 'helper', `pc ${pc}: ${name}: this program has no XDP frame (only xdp programs may call it)`);
}

// One function per helper (not one made per name): each call site then sees one target, and
// these run once per packet. `int delta` is r2's low 32 bits, signed.
export const PACKET_HELPERS: Readonly<Record<string, CallImpl>> = {
  // The simulated kernel has no sockets: a lookup finds none and returns NULL, as Linux does
  // when no socket matches the tuple.
  bpf_sk_lookup_tcp: () => 0n,
  bpf_sk_lookup_udp: () => 0n,
  bpf_skc_lookup_tcp: () => 0n,
  // Nothing a lookup returned can be released, so whatever R1 holds is not a socket here.
  bpf_sk_release: (_k, vm, pc) => vm.fail(pc, 'helper', `pc ${pc}: bpf_sk_release: R1 is ${vm.reg(1) === 0n ? 'NULL' : 'not a socket'}: only a socket a lookup returned may be released (and the simulated kernel's lookups find none)`),
  bpf_xdp_adjust_head: (k: KernelServices, vm: Vm, pc: number) => (k.xdp ? k.xdp.adjustHead(vm.regLo(2)) : noFrame(vm, pc, 'bpf_xdp_adjust_head')),
  bpf_xdp_adjust_meta: (k: KernelServices, vm: Vm, pc: number) => (k.xdp ? k.xdp.adjustMeta(vm.regLo(2)) : noFrame(vm, pc, 'bpf_xdp_adjust_meta')),
  bpf_xdp_adjust_tail: (k: KernelServices, vm: Vm, pc: number) => (k.xdp ? k.xdp.adjustTail(vm.regLo(2)) : noFrame(vm, pc, 'bpf_xdp_adjust_tail')),
};
