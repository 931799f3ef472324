// The socket lookup helpers of tc and XDP programs (net/core/filter.c: bpf_sk_lookup_tcp/udp,
// bpf_skc_lookup_tcp and their XDP twins bpf_xdp_sk_lookup_*, which share the helper ids) and
// bpf_sk_release, over the scenario's sockets (engine/kernel/sockets.ts). Prototypes are in
// prototypes.ts.

import { formatAddress, type Vm } from '../../vm/index.ts';
import type { CallImpl, KernelServices } from '../services.ts';

function fault(vm: Vm, pc: number, name: string, message: string): false {
  return vm.fail(pc, 'helper', `pc ${pc}: ${name}: ${message}`);
}

/**
 * __bpf_sk_lookup's checks, then the lookup. The verifier has checked that `tuple_size` bytes
 * at the tuple are readable (ARG_PTR_TO_MEM with ARG_CONST_SIZE_OR_ZERO), so unreadable memory
 * faults; then a size that is neither sizeof(tuple->ipv4) (12) nor sizeof(tuple->ipv6) (36),
 * nonzero flags, or a netns other than the current one (a negative s32: BPF_F_CURRENT_NETNS)
 * gives NULL. The simulated kernel has one network namespace and no netns ids, so an id >= 0 is
 * one get_net_ns_by_id does not find, and ids above S32_MAX are reserved: NULL both.
 * bpf_skc_lookup_tcp may also return a request or time-wait socket in Linux; the scenario has
 * none, so it finds what bpf_sk_lookup_tcp finds.
 */
function lookup(name: string, proto: 'tcp' | 'udp'): CallImpl {
  return (k: KernelServices, vm: Vm, pc: number) => {
    const size = vm.regLo(3) >>> 0;
    let tuple: Uint8Array | undefined;
    if (size > 0) {
      tuple = k.mem.read(vm.regLo(2), vm.regHi(2), size);
      if (!tuple) return fault(vm, pc, name, `R2 (tuple) is not readable memory of tuple_size = ${size} bytes: ${k.mem.explain(vm.regLo(2), vm.regHi(2), size, false).reason}`);
    }
    if (!tuple || (size !== 12 && size !== 36)) return 0n;
    if (vm.reg(5) !== 0n) return 0n;
    if ((vm.regLo(4) | 0) >= 0) return 0n;
    const sock = k.sockets.lookup(proto, tuple);
    return sock ? k.sockets.acquire(sock, pc, name) : 0n;
  };
}

/** bpf_sk_release: gives back the reference a lookup took; anything else in R1 stops the run. */
const release: CallImpl = (k, vm, pc) => {
  const name = 'bpf_sk_release';
  const lo = vm.regLo(1);
  const hi = vm.regHi(1);
  if (vm.reg(1) === 0n) return fault(vm, pc, name, 'R1 is NULL: only a socket a lookup returned may be released (check the lookup\'s result for NULL first)');
  const c = k.objects.containing(lo, hi);
  const sock = c ? k.sockets.ofObject(c.object) : undefined;
  if (!c || !sock) {
    const at = k.mem.offsetOf(lo, hi);
    const region = at < 0 ? undefined : k.mem.regionAt(at);
    return fault(vm, pc, name, `R1 (${formatAddress(lo, hi)}) is not a socket: ${region ? `it points into ${region.name}` : 'it is not a mapped address'}; only a socket a lookup returned may be released`);
  }
  if (c.offset !== 0) return fault(vm, pc, name, `R1 points ${c.offset} bytes into ${sock.object.label}: pass the pointer the lookup returned`);
  if (!k.sockets.release(sock, pc)) {
    const why = sock.releasedAt !== undefined ? `bpf_sk_release at pc ${sock.releasedAt} already gave back its reference` : 'no lookup of this run returned it';
    return fault(vm, pc, name, `the program holds no reference to ${sock.object.label}: ${why}`);
  }
  return 0;
};

export const SOCKET_HELPERS: Readonly<Record<string, CallImpl>> = {
  bpf_sk_lookup_tcp: lookup('bpf_sk_lookup_tcp', 'tcp'),
  bpf_sk_lookup_udp: lookup('bpf_sk_lookup_udp', 'udp'),
  bpf_skc_lookup_tcp: lookup('bpf_skc_lookup_tcp', 'tcp'),
  bpf_sk_release: release,
};
