// The scenario's sockets as the socket lookup helpers find them (net/core/filter.c sk_lookup):
// each one a struct bpf_sock in guest memory (80 bytes, read-only, the UAPI view
// bpf_sock_convert_ctx_access serves), found by a bpf_sock_tuple in the kernel's order —
//   TCP (__inet_lookup): the established socket of the exact 4-tuple; else, when an sk_lookup
//     program is attached, the socket it steers to; else a listener bound to daddr:dport, then
//     one bound to the wildcard address (__inet_lookup_listener);
//   UDP (__udp4_lib_lookup, __udp6_lib_lookup): a connected socket of the exact 4-tuple; else
//     the steered socket; else an unconnected socket bound to daddr:dport, then to the wildcard.
// An IPv6 socket bound to [::] is dual-stack (net.ipv6.bindv6only = 0): IPv4 lookups find it
// after the IPv4 wildcard sockets, as compute_score ranks PF_INET first. A program's lookup
// takes a reference the program holds (the leak accounting of objects.ts); bpf_sk_release gives
// it back. The socket stays the kernel's: its memory remains readable after a release, as in
// Linux, and the table says which sockets the program gave back (`releasedAt`).

import type { GuestMemory } from '../vm/index.ts';
import { fieldOf } from './btf/layouts.ts';
import type { KernelObject, ObjectTable } from './objects.ts';
import { addressKey, endpointKey, isWildcard, parseEndpoint, type Endpoint, type SocketSpec } from './socket-spec.ts';

export const AF_INET = 2;
export const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
/** enum tcp_state (include/net/tcp_states.h); UDP uses ESTABLISHED when connected, CLOSE when not. */
export const TCP_ESTABLISHED = 1;
export const TCP_CLOSE = 7;
export const TCP_LISTEN = 10;
/** include/net/ipv6.h LOOPBACK4_IPV6 (127.0.0.6): the IPv4 address fields of an IPv6 socket bound to an IPv6 address. */
const LOOPBACK4_IPV6 = new Uint8Array([127, 0, 0, 6]);
/**
 * Unmapped bytes after each struct bpf_sock: a read past its 80 bytes (which the verifier
 * refuses: "invalid sock access") faults in an unverified run too instead of reading the next
 * socket.
 */
const GUARD = 256;
/** The wildcard addresses as endpointKey writes them. */
const ANY4 = addressKey(new Uint8Array(4));
const ANY6 = addressKey(new Uint8Array(16));

function off(field: string): number {
  const f = fieldOf('bpf_sock', field);
  if (!f) throw new Error(`internal: bpf_sock.${field} missing`);
  return f.offset;
}

/** Field offsets of struct bpf_sock (include/uapi/linux/bpf.h). */
export const BPF_SOCK = {
  bound_dev_if: off('bound_dev_if'),
  family: off('family'),
  type: off('type'),
  protocol: off('protocol'),
  mark: off('mark'),
  priority: off('priority'),
  src_ip4: off('src_ip4'),
  src_ip6: off('src_ip6'),
  src_port: off('src_port'),
  dst_port: off('dst_port'),
  dst_ip4: off('dst_ip4'),
  dst_ip6: off('dst_ip6'),
  state: off('state'),
  rx_queue_mapping: off('rx_queue_mapping'),
} as const;

export interface Socket {
  /** Its position in Scenario.sockets. */
  readonly index: number;
  readonly spec: SocketSpec;
  readonly proto: 'tcp' | 'udp';
  readonly local: Endpoint;
  readonly remote: Endpoint | undefined;
  readonly steer: boolean;
  /** Its struct bpf_sock (a kernel object of the table, named by `label`). */
  readonly object: KernelObject;
  /**
   * The pc of the bpf_sk_release that gave back the program's last reference to it, while the
   * program has not looked it up again; undefined otherwise. A read through the pointer after
   * that reads a socket the program no longer holds (the verifier refuses it; Linux would read
   * memory the socket may have left).
   */
  releasedAt: number | undefined;
}

function describe(spec: SocketSpec): string {
  const state = spec.remote ? `${spec.proto === 'tcp' ? 'established' : 'connected'} with ${spec.remote}` : spec.proto === 'tcp' ? 'listening' : 'unconnected';
  return `${spec.proto} ${spec.local} ${state}${spec.steer ? ', steered to by sk_lookup' : ''}`;
}

export class SocketTable {
  readonly sockets: readonly Socket[];
  /** Strict mode (a verifier counterexample's run): a read of a socket the program gave back faults. */
  strict = false;
  /** Established TCP and connected UDP sockets by proto/local/remote. */
  private readonly connected = new Map<string, Socket>();
  /** Listeners and unconnected UDP sockets by proto/local. */
  private readonly bound = new Map<string, Socket>();
  /** The socket an sk_lookup program steers to, by proto/family. */
  private readonly steered = new Map<string, Socket>();
  private readonly byObject = new Map<number, Socket>();
  /** By the arena offset of their struct bpf_sock. */
  private readonly byStart = new Map<number, Socket>();

  constructor(
    private readonly objects: ObjectTable,
    private readonly mem: GuestMemory,
    specs: readonly SocketSpec[] = [],
  ) {
    const list: Socket[] = [];
    for (const [index, spec] of specs.entries()) {
      // The scenario was checked (socketsOf): an entry that does not parse is not a socket.
      const local = parseEndpoint(spec.local, 'local');
      const remote = spec.remote === undefined ? undefined : parseEndpoint(spec.remote, 'remote');
      if (typeof local === 'string' || typeof remote === 'string') continue;
      const object = objects.create('bpf_sock', `sockets[${index}] (${describe(spec)})`, { refcounted: false, guard: GUARD });
      const sock: Socket = { index, spec, proto: spec.proto, local, remote, steer: spec.steer === true, object, releasedAt: undefined };
      this.write(sock);
      list.push(sock);
      this.byObject.set(object.id, sock);
      this.byStart.set(object.region.start, sock);
      const key = `${spec.proto}/${endpointKey(local.addr, local.port)}`;
      if (remote) this.connected.set(`${key}/${endpointKey(remote.addr, remote.port)}`, sock);
      else this.bound.set(key, sock);
      if (sock.steer) this.steered.set(`${spec.proto}/${local.addr.length}`, sock);
    }
    this.sockets = list;
  }

  /** Fills its struct bpf_sock as bpf_sock_convert_ctx_access reads the socket. */
  private write(s: Socket): void {
    const at = s.object.region.start;
    const dv = this.mem.dv;
    const bytes = this.mem.bytes;
    const v4 = s.local.addr.length === 4;
    dv.setUint32(at + BPF_SOCK.family, v4 ? AF_INET : AF_INET6, true);
    dv.setUint32(at + BPF_SOCK.type, s.proto === 'tcp' ? SOCK_STREAM : SOCK_DGRAM, true);
    dv.setUint32(at + BPF_SOCK.protocol, s.proto === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP, true);
    // src_* is the socket's own side: skc_rcv_saddr, skc_v6_rcv_saddr, skc_num (host order).
    if (v4) bytes.set(s.local.addr, at + BPF_SOCK.src_ip4);
    else {
      bytes.set(s.local.addr, at + BPF_SOCK.src_ip6);
      // inet6_bind and tcp_v6_syn_recv_sock leave LOOPBACK4_IPV6 in the IPv4 fields of a socket
      // on an IPv6 address; one bound to [::] keeps 0.
      if (!isWildcard(s.local.addr)) bytes.set(LOOPBACK4_IPV6, at + BPF_SOCK.src_ip4);
    }
    dv.setUint32(at + BPF_SOCK.src_port, s.local.port, true);
    // dst_* is the peer: skc_daddr, skc_v6_daddr, skc_dport (network order, then 2 bytes of padding).
    if (s.remote) {
      if (v4) bytes.set(s.remote.addr, at + BPF_SOCK.dst_ip4);
      else {
        bytes.set(s.remote.addr, at + BPF_SOCK.dst_ip6);
        if (s.proto === 'tcp') bytes.set(LOOPBACK4_IPV6, at + BPF_SOCK.dst_ip4);
      }
      dv.setUint16(at + BPF_SOCK.dst_port, s.remote.port, false);
    }
    dv.setUint32(at + BPF_SOCK.state, s.remote ? TCP_ESTABLISHED : s.proto === 'tcp' ? TCP_LISTEN : TCP_CLOSE, true);
    // No RX queue recorded: NO_QUEUE_MAPPING reads as -1.
    dv.setInt32(at + BPF_SOCK.rx_queue_mapping, -1, true);
  }

  /**
   * The socket a lookup of `proto` finds for a bpf_sock_tuple of 12 (IPv4) or 36 (IPv6) bytes:
   * saddr, daddr, sport, dport, the ports in network order; saddr:sport is the peer, daddr:dport
   * the local side.
   */
  lookup(proto: 'tcp' | 'udp', tuple: Uint8Array): Socket | undefined {
    const a = tuple.length === 12 ? 4 : tuple.length === 36 ? 16 : 0;
    if (a === 0 || this.sockets.length === 0) return undefined;
    const saddr = tuple.subarray(0, a);
    const daddr = tuple.subarray(a, 2 * a);
    const sport = ((tuple[2 * a] ?? 0) << 8) | (tuple[2 * a + 1] ?? 0);
    const dport = ((tuple[2 * a + 2] ?? 0) << 8) | (tuple[2 * a + 3] ?? 0);
    const local = `${proto}/${endpointKey(daddr, dport)}`;
    const exact = this.connected.get(`${local}/${endpointKey(saddr, sport)}`);
    if (exact) return exact;
    const steered = this.steered.get(`${proto}/${a}`);
    if (steered) return steered;
    const specific = this.bound.get(local);
    if (specific) return specific;
    const any = this.bound.get(`${proto}/${a === 4 ? ANY4 : ANY6}:${dport}`);
    if (any) return any;
    // A dual-stack IPv6 socket on [::] answers IPv4 too.
    return a === 4 ? this.bound.get(`${proto}/${ANY6}:${dport}`) : undefined;
  }

  /** The lookup's reference: the program holds it (a leak at exit unless released); the pointer to return. */
  acquire(s: Socket, pc: number, via: string): bigint {
    this.objects.hold(s.object, pc, via);
    if (s.releasedAt !== undefined) {
      s.releasedAt = undefined;
      delete s.object.region.note;
      this.mem.unfence(s.object.region);
    }
    return this.objects.address(s.object);
  }

  /**
   * bpf_sk_release: gives back one reference the program holds; false when it holds none. Two
   * lookups that found one socket return equal pointers, so which of the references a release
   * gives back cannot be told from the pointer: the most recent one (a program that looks up a
   * socket again and releases only the second lookup leaks the first, as the verifier says).
   */
  release(s: Socket, pc: number): boolean {
    if (!this.objects.unhold(s.object, true)) return false;
    if (!this.objects.holds(s.object)) {
      s.releasedAt = pc;
      s.object.region.note = `the program gave back its reference at pc ${pc} (bpf_sk_release); the socket lives on in the kernel`;
      const region = s.object.region;
      if (this.strict) this.mem.fence(region, region.start, region.start, (off, size) => `a read of ${size} byte${size === 1 ? '' : 's'} at offset ${off - region.start} of ${s.object.label} after bpf_sk_release at pc ${pc} gave back the program's reference: Linux would read the socket without a fault, though it may be closed and its memory reused; this run stops here to show the access the verifier refused`);
    }
    return true;
  }

  /** The socket whose struct bpf_sock `obj` is. */
  ofObject(obj: KernelObject): Socket | undefined {
    return this.byObject.get(obj.id);
  }

  /** The socket whose struct bpf_sock holds arena offset `at` (GuestMemory.offsetOf), if any. */
  at(at: number): Socket | undefined {
    if (at < 0 || this.sockets.length === 0) return undefined;
    const region = this.mem.regionAt(at);
    return region ? this.byStart.get(region.start) : undefined;
  }

  /**
   * For an access at arena offset `at`: the socket it reads and the pc of the bpf_sk_release
   * that gave back the program's last reference to it, when the program holds none now.
   */
  releasedAt(at: number): { readonly socket: Socket; readonly pc: number } | undefined {
    const s = this.at(at);
    return s && s.releasedAt !== undefined ? { socket: s, pc: s.releasedAt } : undefined;
  }

  /** The sockets the program looked up and gave every reference back to (and has not looked up again). */
  released(): Socket[] {
    return this.sockets.filter((s) => s.releasedAt !== undefined);
  }
}
