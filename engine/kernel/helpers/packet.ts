// The XDP packet-adjusting helpers (net/core/filter.c), on the frame of the running program
// (struct xdp_buff, engine/kernel/xdp-buff.ts). Prototypes are in prototypes.ts.

import type { CallImpl, KernelServices } from '../services.ts';
import type { Vm } from '../../vm/index.ts';

function adjust(name: string, op: 'adjustHead' | 'adjustMeta' | 'adjustTail'): CallImpl {
  return (k: KernelServices, vm: Vm, pc: number) => {
    const buff = k.xdp;
    if (!buff) return vm.fail(pc, 'helper', `pc ${pc}: ${name}: this program has no XDP frame (only xdp programs may call it)`);
    // `int delta`: the low 32 bits, signed.
    return buff[op](vm.regLo(2));
  };
}

export const PACKET_HELPERS: Readonly<Record<string, CallImpl>> = {
  bpf_xdp_adjust_head: adjust('bpf_xdp_adjust_head', 'adjustHead'),
  bpf_xdp_adjust_meta: adjust('bpf_xdp_adjust_meta', 'adjustMeta'),
  bpf_xdp_adjust_tail: adjust('bpf_xdp_adjust_tail', 'adjustTail'),
};
