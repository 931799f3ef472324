// What helper and kfunc implementations may use of the simulated kernel. Implementations take
// this interface, not the Kernel class, so each lives in its own module and tests can stand
// up just the parts they need.

import type { ProgType } from '../program/program.ts';
import type { GuestMemory, Vm } from '../vm/index.ts';
import type { MapSet } from './maps/map-set.ts';
import type { ObjectTable } from './objects.ts';
import type { KernelProfile } from './profiles.ts';
import type { TracePipe } from './trace/pipe.ts';
import type { World } from './world.ts';
import type { ConntrackTable } from './conntrack.ts';
import type { SocketTable } from './sockets.ts';
import type { XdpBuff } from './xdp-buff.ts';
import type { SkBuff } from './skb.ts';
import type { RedirectMap } from './maps/redirect-maps.ts';

export interface KernelServices {
  readonly mem: GuestMemory;
  readonly profile: KernelProfile;
  /** nr_cpu_ids: the configured CPU count (1..4096). */
  readonly nrCpus: number;
  readonly progType: ProgType;
  /** Sleepable program (BPF_F_SLEEPABLE; libbpf sets it for SEC("syscall")). */
  readonly sleepable: boolean;
  readonly objects: ObjectTable;
  readonly maps: MapSet;
  readonly world: World;
  readonly conntrack: ConntrackTable;
  /** The scenario's sockets, as the socket lookup helpers find them. */
  readonly sockets: SocketTable;
  readonly trace: TracePipe;
  /** The simulated CPU the program runs on. */
  readonly cpu: number;
  /** bpf_rcu_read_lock nesting. */
  rcuDepth: number;
  /** Seeded pseudo-random u32 (bpf_get_prandom_u32, bpf_cpumask_any_distribute…). */
  random(): number;
  /** Virtual nanoseconds now. */
  now(vm: Vm): bigint;
  /** Calls a BPF function of the program (a callback) and returns its r0, or false on a fault. */
  callback(vm: Vm, pc: number, target: number, args: readonly bigint[]): bigint | false;
  /** Asks the VM to continue in another program after this helper returns (bpf_tail_call). */
  tailCall(vm: Vm, pc: number, section: string): boolean;
  /** The pc a function pointer (lddw of BPF_PSEUDO_FUNC) stands for, or undefined. */
  functionAt(lo: number, hi: number): number | undefined;
  /** Where bpf_redirect / bpf_redirect_map sent the packet (the NIC acts on it): one record, rewritten by each call. */
  readonly redirectTo: RedirectTarget;
  /** The frame of an XDP program (its bounds, the driver's hints for the metadata kfuncs). */
  readonly xdp: XdpBuff | undefined;
  /** The skb of a tc program or a socket filter (bpf_skb_pull_data works on it). */
  readonly skb: SkBuff | undefined;
}

/**
 * The redirect target of the current packet. Mutable fields, not an object per call:
 * bpf_redirect_map runs once per packet at millions of packets per second.
 */
export interface RedirectTarget {
  /** 'none' until the program calls bpf_redirect ('ifindex') or bpf_redirect_map ('map'). */
  kind: 'none' | 'ifindex' | 'map';
  ifindex: number;
  map: RedirectMap | undefined;
  key: number;
}

export function noRedirect(): RedirectTarget {
  return { kind: 'none', ifindex: 0, map: undefined, key: 0 };
}

/** Guest addresses of BPF functions (BPF_PSEUDO_FUNC): kernel-text-like, 8 bytes per insn. */
export const FUNC_BASE_HI = 0xffffffff | 0;
export const FUNC_BASE_LO = 0xc0000000 | 0;

export function functionPointer(pc: number): bigint {
  return (BigInt(FUNC_BASE_HI >>> 0) << 32n) | BigInt(((FUNC_BASE_LO >>> 0) + pc * 8) >>> 0);
}

/**
 * A helper's or kfunc's body: reads its arguments from r1-r5 and returns the value for r0, or
 * `false` after recording a fault with `vm.fail`.
 */
/**
 * A helper or kfunc body: r0 as a bigint (any 64-bit value), or as a number — the fast path for
 * the small results most calls give, which must lie in [-2^31, 2^32) (an errno, an action, a
 * length) — or false when it faulted.
 */
export type CallImpl = (k: KernelServices, vm: Vm, pc: number) => bigint | number | false;

/** errno values as the kernel returns them (negated in r0). */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  ENODATA: 61,
  ENONET: 64,
  EPROTO: 71,
  EOVERFLOW: 75,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  ENOTSUPP: 524,
} as const;

/** -errno as a 64-bit register value. */
export function neg(errno: number): bigint {
  return BigInt.asUintN(64, BigInt(-errno));
}
