// The scenario's sockets and the socket lookup helpers: which socket a tuple finds (established
// before steered before bound to the address before the wildcard), the struct bpf_sock a
// program reads, the lookup's arguments that give NULL, references held, released and leaked.
// (The verifier corpus's socket programs with a steering socket: engine/test/kernel/sk-lookup-corpus.test.ts.)

import { describe, expect, it } from 'vitest';
import { simLoad, simulate, simReport, type SimOptions } from '../test/sim.ts';
import { parseScenario } from './scenario.ts';
import { MAX_SOCKETS, type SocketSpec } from './socket-spec.ts';
import { AF_INET, AF_INET6, TCP_CLOSE, TCP_ESTABLISHED, TCP_LISTEN } from './sockets.ts';

const TC = '.section tc\n.license "GPL"\n';
const PACKET = new Uint8Array(64);

/** Bytes of an IPv4 or IPv6 address ("10.0.0.1", "fd00::1" with at most one "::"). */
function ip(text: string): number[] {
  if (text.includes('.')) return text.split('.').map(Number);
  const [head = '', tail] = text.split('::');
  const groups = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

/** A struct bpf_sock_tuple: saddr, daddr, sport, dport (network order). */
function tuple(saddr: string, sport: number, daddr: string, dport: number): number[] {
  return [...ip(saddr), ...ip(daddr), sport >> 8, sport & 0xff, dport >> 8, dport & 0xff];
}

/**
 * r6 = ctx, the tuple's bytes at fp-48, then r0 = helper(ctx, &tuple, size, netns, flags).
 * `size` defaults to the tuple's length.
 */
function lookup(bytes: readonly number[], o: { helper?: string; size?: number; netns?: string; flags?: string } = {}): string {
  const stores = bytes.map((b, i) => `*(u8 *)(r10 - ${48 - i}) = ${b}`).join('\n');
  return `r6 = r1\n${stores}\nr1 = r6\nr2 = r10\nr2 += -48\nr3 = ${o.size ?? bytes.length}\nr4 = ${o.netns ?? '-1'}\nr5 = ${o.flags ?? '0'}\ncall ${o.helper ?? 'bpf_sk_lookup_tcp'}`;
}

/** After a lookup: NULL → r0 = 0xdead; else r0 = the field read (`size` bytes at `off`), the socket released. */
function readField(off: number, size: 'u8' | 'u16' | 'u32' = 'u32'): string {
  return `if r0 == 0 goto none\nr1 = r0\nr7 = *(${size} *)(r0 + ${off})\ncall bpf_sk_release\nr0 = r7\nexit\nnone:\nr0 = 0xdead\nexit`;
}

const NONE = 0xdeadn;
const run = (body: string, sockets: readonly SocketSpec[] | undefined, opts: SimOptions = {}) => simulate(TC + body, { data: PACKET, ...(sockets ? { scenario: { sockets } } : {}), ...opts });
const r0 = (body: string, sockets: readonly SocketSpec[] | undefined, opts: SimOptions = {}) => simReport(TC + body, { data: PACKET, ...(sockets ? { scenario: { sockets } } : {}), ...opts }).r0;
const stopped = (body: string, sockets: readonly SocketSpec[] | undefined) => {
  const r = run(body, sockets);
  return r.stage === 'run' ? r.error : `not stopped: ${r.stage}`;
};
/** The state (struct bpf_sock.state) of the socket a tuple finds, or NONE. */
const state = (bytes: readonly number[], sockets: readonly SocketSpec[], helper?: string) => r0(`${lookup(bytes, helper ? { helper } : {})}\n${readField(72)}`, sockets);
/** The local port (src_port, host order) of the socket a tuple finds, or NONE. */
const port = (bytes: readonly number[], sockets: readonly SocketSpec[], helper?: string) => r0(`${lookup(bytes, helper ? { helper } : {})}\n${readField(44)}`, sockets);

const LISTEN80: SocketSpec = { proto: 'tcp', local: '10.0.0.1:80' };
const FROM_CLIENT = tuple('192.168.1.5', 40000, '10.0.0.1', 80);

describe('Scenario.sockets', () => {
  it('is absent by default and kept as written when valid', () => {
    const d = parseScenario(undefined, 4);
    expect(d.ok && d.scenario.sockets).toBe(undefined);
    const r = parseScenario({ sockets: [LISTEN80, { proto: 'udp', local: '[::]:53', steer: true }, { proto: 'tcp', local: '10.0.0.1:80', remote: '10.0.0.9:5555', steer: false }] }, 4);
    expect(r.ok && r.scenario.sockets).toEqual([LISTEN80, { proto: 'udp', local: '[::]:53', steer: true }, { proto: 'tcp', local: '10.0.0.1:80', remote: '10.0.0.9:5555' }]);
  });

  it('says what is wrong, naming the entry', () => {
    const err = (sockets: unknown) => {
      const r = parseScenario({ sockets }, 4);
      return r.ok ? 'ok' : r.error;
    };
    expect(err({})).toMatch(/^sockets must be a list/);
    expect(err([{ proto: 'sctp', local: '10.0.0.1:80' }])).toBe('sockets[0].proto must be "tcp" or "udp"');
    expect(err([{ proto: 'tcp', local: '10.0.0.1' }])).toMatch(/^sockets\[0\]\.local must be "IP:PORT"/);
    expect(err([{ proto: 'tcp', local: '::1:80' }])).toMatch(/IPv6 in brackets/);
    expect(err([{ proto: 'tcp', local: '10.0.0.1:0' }])).toMatch(/port 0: ports run from 1 to 65535 \(bind\(\) to port 0 picks a free port/);
    expect(err([{ proto: 'tcp', local: '10.0.0.1:80', remote: '[::1]:80' }])).toBe('sockets[0]: local and remote must both be IPv4 or both IPv6');
    expect(err([{ proto: 'tcp', local: '0.0.0.0:80', remote: '10.0.0.2:80' }])).toMatch(/wildcard address, but a connected TCP socket has the address its route chose/);
    expect(err([{ proto: 'udp', local: '10.0.0.1:53', remote: '0.0.0.0:53' }])).toMatch(/^sockets\[0\]\.remote is the wildcard address/);
    expect(err([{ proto: 'tcp', local: '10.0.0.1:80', remote: '10.0.0.2:80', steer: true }])).toMatch(/-ESOCKTNOSUPPORT/);
    expect(err([LISTEN80, { proto: 'tcp', local: '10.0.0.1:80' }])).toMatch(/^sockets\[1\] is the same socket as sockets\[0\].*EADDRINUSE/);
    expect(err([{ ...LISTEN80, steer: true }, { proto: 'tcp', local: '0.0.0.0:22', steer: true }])).toMatch(/^sockets\[1\]\.steer: sockets\[0\] already takes every tcp IPv4 lookup/);
    expect(err([{ ...LISTEN80, port: 80 }])).toMatch(/^sockets\[0\] has no field "port"/);
    expect(err(Array.from({ length: MAX_SOCKETS + 1 }, (_, i) => ({ proto: 'udp', local: `10.0.${i >> 8}.${i & 255}:53` })))).toMatch(/at most 4,096/);
    // A TCP and a UDP socket on one port, and a steering socket per protocol and family, are fine.
    expect(err([LISTEN80, { proto: 'udp', local: '10.0.0.1:80', steer: true }, { proto: 'tcp', local: '[::]:80', steer: true }])).toBe('ok');
  });
});

describe('socket lookups', () => {
  it('a listener is found by the matching tuple, and its struct bpf_sock reads back', () => {
    const field = (off: number, size: 'u8' | 'u16' | 'u32' = 'u32') => r0(`${lookup(FROM_CLIENT)}\n${readField(off, size)}`, [LISTEN80]);
    expect(field(0)).toBe(0n); // bound_dev_if
    expect(field(4)).toBe(BigInt(AF_INET));
    expect(field(8)).toBe(1n); // SOCK_STREAM
    expect(field(12)).toBe(6n); // IPPROTO_TCP
    expect(field(24)).toBe(0x0100000an); // src_ip4: 10.0.0.1 in network order
    expect(field(24, 'u8')).toBe(10n);
    expect(field(44)).toBe(80n); // src_port, host order
    expect(field(48)).toBe(0n); // dst_port: a listener has no peer
    expect(field(52)).toBe(0n); // dst_ip4
    expect(field(72)).toBe(BigInt(TCP_LISTEN));
    expect(field(76)).toBe(0xffffffffn); // rx_queue_mapping: -1
    // Another port, another address, or a UDP lookup: nothing.
    expect(state(tuple('192.168.1.5', 40000, '10.0.0.1', 81), [LISTEN80])).toBe(NONE);
    expect(state(tuple('192.168.1.5', 40000, '10.0.0.2', 80), [LISTEN80])).toBe(NONE);
    expect(state(FROM_CLIENT, [LISTEN80], 'bpf_sk_lookup_udp')).toBe(NONE);
    // bpf_skc_lookup_tcp finds what bpf_sk_lookup_tcp finds; no sockets, no socket.
    expect(state(FROM_CLIENT, [LISTEN80], 'bpf_skc_lookup_tcp')).toBe(BigInt(TCP_LISTEN));
    expect(r0(`${lookup(FROM_CLIENT)}\n${readField(72)}`, undefined)).toBe(NONE);
  });

  it('an established socket of the exact 4-tuple is preferred over the listener; other peers find the listener', () => {
    const sockets: SocketSpec[] = [LISTEN80, { proto: 'tcp', local: '10.0.0.1:80', remote: '192.168.1.5:40000' }];
    expect(state(FROM_CLIENT, sockets)).toBe(BigInt(TCP_ESTABLISHED));
    // dst_port is the peer's port in network order (a 16-bit field, then padding).
    expect(r0(`${lookup(FROM_CLIENT)}\n${readField(48, 'u16')}`, sockets)).toBe(BigInt(((40000 & 0xff) << 8) | (40000 >> 8)));
    expect(r0(`${lookup(FROM_CLIENT)}\n${readField(52)}`, sockets)).toBe(0x0501a8c0n);
    expect(state(tuple('192.168.1.5', 40001, '10.0.0.1', 80), sockets)).toBe(BigInt(TCP_LISTEN));
    expect(state(tuple('192.168.1.6', 40000, '10.0.0.1', 80), sockets)).toBe(BigInt(TCP_LISTEN));
  });

  it('a listener on the wildcard address answers every local address, after one bound to the address', () => {
    const any: SocketSpec = { proto: 'tcp', local: '0.0.0.0:80' };
    const other: SocketSpec = { proto: 'tcp', local: '10.0.0.2:80' };
    expect(r0(`${lookup(FROM_CLIENT)}\n${readField(24)}`, [other, any])).toBe(0n);
    expect(r0(`${lookup(tuple('192.168.1.5', 1, '10.0.0.2', 80))}\n${readField(24)}`, [other, any])).toBe(0x0200000an);
    // A dual-stack IPv6 listener on [::] answers IPv4 lookups, after IPv4's wildcard.
    const v6any: SocketSpec = { proto: 'tcp', local: '[::]:80' };
    expect(r0(`${lookup(FROM_CLIENT)}\n${readField(4)}`, [v6any])).toBe(BigInt(AF_INET6));
    expect(r0(`${lookup(FROM_CLIENT)}\n${readField(4)}`, [v6any, any])).toBe(BigInt(AF_INET));
  });

  it('UDP: a connected socket of the exact 4-tuple first, then the one bound to the address, then the wildcard', () => {
    const bound: SocketSpec = { proto: 'udp', local: '10.0.0.1:53' };
    const connected: SocketSpec = { proto: 'udp', local: '10.0.0.1:53', remote: '192.168.1.5:40000' };
    const any: SocketSpec = { proto: 'udp', local: '0.0.0.0:53' };
    const q = (from: number) => state(tuple('192.168.1.5', from, '10.0.0.1', 53), [any, bound, connected], 'bpf_sk_lookup_udp');
    expect(q(40000)).toBe(BigInt(TCP_ESTABLISHED));
    expect(q(40001)).toBe(BigInt(TCP_CLOSE));
    expect(r0(`${lookup(tuple('192.168.1.5', 1, '10.0.0.7', 53), { helper: 'bpf_sk_lookup_udp' })}\n${readField(8)}`, [any, bound])).toBe(2n); // SOCK_DGRAM
    expect(state(tuple('192.168.1.5', 1, '10.0.0.7', 53), [bound], 'bpf_sk_lookup_udp')).toBe(NONE);
  });

  it('the all-zero tuple finds the steering socket, and nothing without one', () => {
    const zero = tuple('0.0.0.0', 0, '0.0.0.0', 0);
    const steer: SocketSpec = { proto: 'tcp', local: '10.0.0.1:8080', steer: true };
    expect(port(zero, [LISTEN80, { proto: 'tcp', local: '0.0.0.0:80' }])).toBe(NONE);
    expect(port(zero, [LISTEN80, steer])).toBe(8080n);
    // The steering program runs before the listening hash (a listener on the tuple's port loses)…
    expect(port(FROM_CLIENT, [LISTEN80, steer])).toBe(8080n);
    // …but after the established lookup.
    expect(port(FROM_CLIENT, [steer, { proto: 'tcp', local: '10.0.0.1:80', remote: '192.168.1.5:40000' }])).toBe(80n);
    // Its protocol and family only.
    expect(port(zero, [steer], 'bpf_sk_lookup_udp')).toBe(NONE);
    expect(port([...Array<number>(36).fill(0)], [steer])).toBe(NONE);
    // UDP: after a connected socket, before an unconnected one bound to the address.
    const udp = (s: readonly SocketSpec[]) => port(tuple('192.168.1.5', 40000, '10.0.0.1', 53), s, 'bpf_sk_lookup_udp');
    const usteer: SocketSpec = { proto: 'udp', local: '10.0.0.1:5353', steer: true };
    expect(udp([{ proto: 'udp', local: '10.0.0.1:53' }, usteer])).toBe(5353n);
    expect(udp([{ proto: 'udp', local: '10.0.0.1:53', remote: '192.168.1.5:40000' }, usteer])).toBe(53n);
  });

  it('IPv6: a 36-byte tuple finds an IPv6 socket; its fields are the IPv6 ones', () => {
    const sockets: SocketSpec[] = [{ proto: 'tcp', local: '[fd00::1]:443' }, { proto: 'tcp', local: '10.0.0.1:443' }];
    const t6 = tuple('fd00::2', 5555, 'fd00::1', 443);
    expect(t6.length).toBe(36);
    const field = (off: number) => r0(`${lookup(t6)}\n${readField(off)}`, sockets);
    expect(field(4)).toBe(BigInt(AF_INET6));
    expect(field(28)).toBe(0x000000fdn); // src_ip6[0]: fd00:0000
    expect(field(40)).toBe(0x01000000n); // src_ip6[3]: ::1
    expect(field(44)).toBe(443n);
    // inet6_bind's LOOPBACK4_IPV6 in the IPv4 field of a socket bound to an IPv6 address.
    expect(field(24)).toBe(0x0600007fn);
    expect(state(tuple('fd00::2', 5555, 'fd00::1', 444), sockets)).toBe(NONE);
    // An IPv4 tuple does not find the IPv6 socket bound to an IPv6 address.
    expect(r0(`${lookup(tuple('10.0.0.2', 5555, '10.0.0.1', 443))}\n${readField(4)}`, sockets)).toBe(BigInt(AF_INET));
    // An established IPv6 socket, by its exact tuple.
    const est: SocketSpec[] = [{ proto: 'tcp', local: '[fd00::1]:443', remote: '[fd00::2]:5555' }, sockets[0] as SocketSpec];
    expect(state(t6, est)).toBe(BigInt(TCP_ESTABLISHED));
  });

  it('a tuple of another size, nonzero flags or another netns give NULL', () => {
    const found = (o: Parameters<typeof lookup>[1]) => r0(`${lookup(FROM_CLIENT, o)}\n${readField(72)}`, [LISTEN80]);
    expect(found({})).toBe(BigInt(TCP_LISTEN));
    expect(found({ size: 13 })).toBe(NONE);
    expect(found({ size: 8 })).toBe(NONE);
    expect(found({ size: 0 })).toBe(NONE);
    expect(found({ flags: '1' })).toBe(NONE);
    // netns: a negative s32 is the current namespace; an id >= 0 is one this kernel does not have.
    expect(found({ netns: '0' })).toBe(NONE);
    expect(found({ netns: '5' })).toBe(NONE);
    expect(found({ netns: '0x100000000 ll' })).toBe(NONE);
    expect(found({ netns: '0xffffffff ll' })).toBe(BigInt(TCP_LISTEN));
    expect(found({ netns: '-2' })).toBe(BigInt(TCP_LISTEN));
    // The tuple must be readable for its size (the verifier's ARG_CONST_SIZE check): a fault otherwise.
    expect(stopped(`r6 = r1\nr2 = r10\nr2 += -8\nr3 = 12\nr4 = -1\nr5 = 0\ncall bpf_sk_lookup_tcp\nexit`, [LISTEN80])).toMatch(/^pc 6: bpf_sk_lookup_tcp: R2 \(tuple\) is not readable memory of tuple_size = 12 bytes/);
  });
});

describe('socket references', () => {
  it('a socket never released is a leak at exit, with the acquiring pc and helper', () => {
    const src = `${lookup(FROM_CLIENT)}\nr0 = 0\nexit`;
    const callPc = FROM_CLIENT.length + 7;
    const rep = simReport(TC + src, { data: PACKET, scenario: { sockets: [LISTEN80] } });
    expect(rep.leaks).toEqual([{ refId: 1, object: 'sockets[0] (tcp 10.0.0.1:80 listening)', pc: callPc, via: 'bpf_sk_lookup_tcp', message: `Unreleased reference id=1 alloc_insn=${callPc}` }]);
    expect(simReport(TC + `${lookup(FROM_CLIENT, { helper: 'bpf_sk_lookup_udp' })}\nr0 = 0\nexit`, { data: PACKET, scenario: { sockets: [{ proto: 'udp', local: '0.0.0.0:80' }] } }).leaks.map((l) => l.via)).toEqual(['bpf_sk_lookup_udp']);
    expect(simReport(TC + `${lookup(FROM_CLIENT)}\n${readField(72)}`, { data: PACKET, scenario: { sockets: [LISTEN80] } }).leaks).toEqual([]);
  });

  it('a release gives the reference back; a second one, NULL or a non-socket stop the run at that pc', () => {
    const base = lookup(FROM_CLIENT);
    const callPc = FROM_CLIENT.length + 7;
    const twice = `${base}\nif r0 == 0 goto out\nr7 = r0\nr1 = r0\ncall bpf_sk_release\nr1 = r7\ncall bpf_sk_release\nout:\nr0 = 0\nexit`;
    expect(stopped(twice, [LISTEN80])).toBe(`pc ${callPc + 6}: bpf_sk_release: the program holds no reference to sockets[0] (tcp 10.0.0.1:80 listening): bpf_sk_release at pc ${callPc + 4} already gave back its reference`);
    // Two lookups, two references: two releases are fine, a third is not.
    const two = `${base}\nr7 = r0\nr1 = r6\nr2 = r10\nr2 += -48\nr3 = 12\nr4 = -1\nr5 = 0\ncall bpf_sk_lookup_tcp\nr1 = r0\ncall bpf_sk_release\nr1 = r7\ncall bpf_sk_release\nr0 = 0\nexit`;
    expect(simReport(TC + two, { data: PACKET, scenario: { sockets: [LISTEN80] } }).leaks).toEqual([]);
    expect(stopped(`r1 = 0\ncall bpf_sk_release\nexit`, [LISTEN80])).toBe("pc 1: bpf_sk_release: R1 is NULL: only a socket a lookup returned may be released (check the lookup's result for NULL first)");
    expect(stopped(`r1 = r10\nr1 += -8\ncall bpf_sk_release\nexit`, [LISTEN80])).toMatch(/^pc 2: bpf_sk_release: R1 \(0x[0-9a-f]+\) is not a socket: it points into .*stack/);
    expect(stopped(`${base}\nif r0 == 0 goto out\nr1 = r0\nr1 += 4\ncall bpf_sk_release\nout:\nr0 = 0\nexit`, [LISTEN80])).toBe(`pc ${callPc + 4}: bpf_sk_release: R1 points 4 bytes into sockets[0] (tcp 10.0.0.1:80 listening): pass the pointer the lookup returned`);
    // A socket no lookup of the run returned.
    const p = simLoad(TC + 'r0 = 0\nexit', { data: PACKET, scenario: { sockets: [LISTEN80] } });
    const sock = p.ok ? p.program.kernel.sockets.sockets[0] : undefined;
    if (!p.ok || !sock) throw new Error('load');
    const addr = p.program.kernel.objects.address(sock.object);
    expect(stopped(`r1 = 0x${addr.toString(16)} ll\ncall bpf_sk_release\nexit`, [LISTEN80])).toBe('pc 2: bpf_sk_release: the program holds no reference to sockets[0] (tcp 10.0.0.1:80 listening): no lookup of this run returned it');
  });

  it('an access at offset 80 or 200 of a socket faults; a write faults (read-only)', () => {
    const sockets: SocketSpec[] = [LISTEN80, { proto: 'tcp', local: '10.0.0.1:81' }, { proto: 'tcp', local: '10.0.0.1:82' }];
    const at = (insn: string) => stopped(`${lookup(FROM_CLIENT)}\nif r0 == 0 goto out\n${insn}\nr1 = r0\ncall bpf_sk_release\nout:\nr0 = 0\nexit`, sockets);
    expect(at('r7 = *(u32 *)(r0 + 80)')).toMatch(/^pc \d+: .*0 bytes past the end of sockets\[0\] \(tcp 10\.0\.0\.1:80 listening\)/);
    expect(at('r7 = *(u32 *)(r0 + 200)')).toMatch(/past the end of sockets\[0\]/);
    expect(at('r7 = *(u64 *)(r0 + 76)')).toMatch(/crosses the bounds of sockets\[0\]/);
    expect(at('*(u32 *)(r0 + 16) = 1')).toMatch(/sockets\[0\] \(tcp 10\.0\.0\.1:80 listening\) is read-only/);
    expect(at('r7 = *(u32 *)(r0 + 76)')).toBe('not stopped: done');
  });

  it('after the last release the memory stays readable, and the table says which socket was given back where', () => {
    const src = `${lookup(FROM_CLIENT)}\nif r0 == 0 goto out\nr7 = r0\nr1 = r0\ncall bpf_sk_release\nr0 = *(u32 *)(r7 + 4)\nexit\nout:\nr0 = 0\nexit`;
    const r = run(src, [LISTEN80]);
    if (r.stage !== 'done') throw new Error(r.stage);
    expect(r.report.r0).toBe(BigInt(AF_INET));
    const k = r.program.kernel;
    const sock = k.sockets.sockets[0];
    const releasePc = FROM_CLIENT.length + 11;
    expect(sock?.releasedAt).toBe(releasePc);
    expect(k.sockets.released()).toEqual([sock]);
    const start = sock?.object.region.start ?? -1;
    expect(k.sockets.releasedAt(start + 4)).toEqual({ socket: sock, pc: releasePc });
    expect(k.sockets.releasedAt(start + 80)).toBe(undefined);
    expect(sock?.object.region.note).toMatch(/gave back its reference at pc \d+/);
    // While a reference is held, and after a new lookup, it is not released.
    const held = run(`${lookup(FROM_CLIENT)}\nr0 = 0\nexit`, [LISTEN80]);
    if (held.stage !== 'done') throw new Error(held.stage);
    expect(held.program.kernel.sockets.released()).toEqual([]);
    const again = run(`${lookup(FROM_CLIENT)}\nr1 = r0\ncall bpf_sk_release\nr1 = r6\nr2 = r10\nr2 += -48\nr3 = 12\nr4 = -1\nr5 = 0\ncall bpf_sk_lookup_tcp\nr1 = r0\ncall bpf_sk_release\nr0 = 0\nexit`, [LISTEN80]);
    if (again.stage !== 'done') throw new Error(again.stage);
    expect(again.program.kernel.sockets.sockets[0]?.releasedAt).toBe(FROM_CLIENT.length + 18);
  });
});
