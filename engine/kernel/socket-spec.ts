// The scenario's sockets (Scenario.sockets): what a scenario writes, its checks, and the
// addresses parsed. Pure data and functions, no guest memory: the scenario editor imports it
// (scenario.ts) as the kernel does (sockets.ts).

/**
 * A socket in the network namespace the program runs in, as bpf_sk_lookup_tcp/udp find it.
 * TCP without `remote` listens, with it is established; UDP without `remote` is bound
 * (unconnected), with it connected.
 */
export interface SocketSpec {
  readonly proto: 'tcp' | 'udp';
  /** "IP:PORT" the socket is bound to: "10.0.0.1:80", "0.0.0.0:53" (every address), "[::1]:80", "[::]:443". */
  readonly local: string;
  /** "IP:PORT" of the peer, for an established TCP or a connected UDP socket. */
  readonly remote?: string;
  /**
   * An sk_lookup program (BPF_PROG_TYPE_SK_LOOKUP) attached in the namespace assigns this socket
   * to every lookup of its protocol and family that no established or connected socket answers.
   */
  readonly steer?: true;
}

/** An address (4 or 16 bytes, network order) and a port (host order). */
export interface Endpoint {
  readonly addr: Uint8Array;
  readonly port: number;
}

/** Sockets a scenario may list (each is an 80-byte struct bpf_sock in guest memory and a row in the views). */
export const MAX_SOCKETS = 4096;

const SHAPE = '{"proto": "tcp", "local": "10.0.0.1:80"} (add "remote": "IP:PORT" for an established or connected socket, "steer": true for an sk_lookup program that hands it every lookup)';
const ENDPOINT = '"IP:PORT", such as "10.0.0.1:80", "0.0.0.0:53" or "[::1]:80" (IPv6 in brackets)';

function ipv4(text: string): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? new Uint8Array(parts) : undefined;
}

function ipv6(text: string): Uint8Array | undefined {
  // A dotted IPv4 tail ("::ffff:10.0.0.1") stands for the last two groups.
  let t = text;
  const tail = /^(.*:)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(t);
  if (tail) {
    const v4 = ipv4(tail[2] ?? '');
    if (!v4) return undefined;
    t = `${tail[1] ?? ''}${(((v4[0] ?? 0) << 8) | (v4[1] ?? 0)).toString(16)}:${(((v4[2] ?? 0) << 8) | (v4[3] ?? 0)).toString(16)}`;
  }
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** "10.0.0.1:80" or "[fd00::1]:80" parsed, or what is wrong with it (`where` names the field). */
export function parseEndpoint(text: unknown, where: string): Endpoint | string {
  if (typeof text !== 'string') return `${where} must be ${ENDPOINT}`;
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const addr = m ? (m[1] !== undefined ? ipv6(m[1]) : ipv4(m[2] ?? '')) : undefined;
  if (!m || !addr) return `${where} must be ${ENDPOINT}, not ${JSON.stringify(text.slice(0, 60))}`;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return `${where} has port ${port}: ports run from 1 to 65535${port === 0 && where.endsWith('.local') ? ' (bind() to port 0 picks a free port: write the one it picked)' : ''}`;
  return { addr, port };
}

export function isWildcard(addr: Uint8Array): boolean {
  return addr.every((b) => b === 0);
}

/** A key for an address (the same for "::1" and "0:0::1"). */
export function addressKey(a: Uint8Array): string {
  let s = '';
  for (const b of a) s += b.toString(16).padStart(2, '0');
  return s;
}

/** A key for an endpoint: its address's key, a colon, the port. */
export function endpointKey(addr: Uint8Array, port: number): string {
  return `${addressKey(addr)}:${port}`;
}

/**
 * Scenario.sockets checked, or what is wrong in words. Absent stays absent (existing scenarios
 * and share links are unchanged). Linear in the list.
 */
export function socketsOf(x: unknown): SocketSpec[] | undefined | string {
  if (x === undefined) return undefined;
  if (!Array.isArray(x)) return `sockets must be a list of sockets like ${SHAPE}`;
  if (x.length > MAX_SOCKETS) return `sockets lists ${x.length.toLocaleString('en-US')} sockets; the playground simulates at most ${MAX_SOCKETS.toLocaleString('en-US')}`;
  const out: SocketSpec[] = [];
  const seen = new Map<string, number>();
  const steering = new Map<string, number>();
  for (const [i, s] of x.entries()) {
    const where = `sockets[${i}]`;
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return `${where} must be an object like ${SHAPE}`;
    const o = s as Record<string, unknown>;
    const unknown = Object.keys(o).find((key) => key !== 'proto' && key !== 'local' && key !== 'remote' && key !== 'steer');
    if (unknown !== undefined) return `${where} has no field ${JSON.stringify(unknown.slice(0, 40))}: a socket takes proto, local, remote and steer, as in ${SHAPE}`;
    const proto = o['proto'];
    if (proto !== 'tcp' && proto !== 'udp') return `${where}.proto must be "tcp" or "udp"`;
    const local = parseEndpoint(o['local'], `${where}.local`);
    if (typeof local === 'string') return local;
    let remote: Endpoint | undefined;
    if (o['remote'] !== undefined) {
      const r = parseEndpoint(o['remote'], `${where}.remote`);
      if (typeof r === 'string') return r;
      if (r.addr.length !== local.addr.length) return `${where}: local and remote must both be IPv4 or both IPv6`;
      if (isWildcard(r.addr)) return `${where}.remote is the wildcard address: a peer has an address (leave remote out for a ${proto === 'tcp' ? 'listening' : 'bound, unconnected'} socket)`;
      // connect() gives a socket bound to the wildcard the source address the route picks (inet_hash_connect, ip4_datagram_connect).
      if (isWildcard(local.addr)) return `${where}.local is the wildcard address, but a ${proto === 'tcp' ? 'connected TCP' : 'connected UDP'} socket has the address its route chose: write that address`;
      remote = r;
    }
    const steer = o['steer'];
    if (steer !== undefined && typeof steer !== 'boolean') return `${where}.steer must be true or false`;
    // bpf_sk_lookup_assign (net/core/filter.c): -ESOCKTNOSUPPORT for a TCP socket not in LISTEN and a UDP socket not in CLOSE.
    if (steer && remote) return `${where}: an sk_lookup program can only hand out a ${proto === 'tcp' ? 'listening TCP socket' : 'bound, unconnected UDP socket'} (bpf_sk_assign refuses a ${proto === 'tcp' ? 'established' : 'connected'} one with -ESOCKTNOSUPPORT): leave remote out or steer off`;
    const key = `${proto}/${endpointKey(local.addr, local.port)}${remote ? `/${endpointKey(remote.addr, remote.port)}` : ''}`;
    const twin = seen.get(key);
    if (twin !== undefined) return `${where} is the same socket as sockets[${twin}] (${proto} ${o['local'] as string}${remote ? ` with ${o['remote'] as string}` : ''}): a second bind() to it fails with EADDRINUSE`;
    seen.set(key, i);
    if (steer) {
      const family = `${proto}/${local.addr.length === 4 ? 'IPv4' : 'IPv6'}`;
      const first = steering.get(family);
      if (first !== undefined) return `${where}.steer: sockets[${first}] already takes every ${proto} ${local.addr.length === 4 ? 'IPv4' : 'IPv6'} lookup; one socket per protocol and family is steered`;
      steering.set(family, i);
    }
    out.push({ proto, local: (o['local'] as string).trim(), ...(remote ? { remote: (o['remote'] as string).trim() } : {}), ...(steer ? { steer: true as const } : {}) });
  }
  return out;
}
