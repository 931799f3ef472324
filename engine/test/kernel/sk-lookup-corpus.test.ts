// The verifier corpus's socket programs (engine/test/verifier/corpus/refs.ts) run with sockets in
// the scenario. Their lookups pass an all-zero IPv4 tuple, which only a socket an sk_lookup
// program steers to matches: with a steering socket each finds it, releases or leaks it as its
// name says. Entries the verifier accepts load through it; the refused ones run unverified
// (what the runtime does with them). engine/kernel/sockets.test.ts tests the lookups themselves.

import { describe, expect, it } from 'vitest';
import { loadProgram } from '../../load/load.ts';
import type { SocketSpec } from '../../kernel/socket-spec.ts';
import { expectedVerdict } from '../verifier/corpus/build.ts';
import { REFS } from '../verifier/corpus/refs.ts';
import { bytesOf, prepare, requestFor } from '../verifier/corpus-mutants.ts';

const PACKET = new Uint8Array(64);
const STEERED: readonly SocketSpec[] = [
  { proto: 'tcp', local: '10.0.0.1:80', steer: true },
  { proto: 'udp', local: '10.0.0.1:53', steer: true },
];

type Run = { readonly leaks: readonly { readonly pc: number; readonly via: string; readonly object: string }[]; readonly released: readonly string[] } | { readonly fault: string };

/** Loads a corpus entry (verified when the corpus means it to be accepted) and runs it once. */
function runEntry(name: string, sockets: readonly SocketSpec[] | undefined): Run {
  const entry = REFS.find((e) => e.name === name);
  if (!entry) throw new Error(`no corpus entry ${name}`);
  const p = prepare(entry);
  if ('skipped' in p) throw new Error(p.skipped);
  const verify = expectedVerdict(entry.source) === 'accept';
  const r = loadProgram({ ...requestFor(p, bytesOf(p.insns)), inputs: { data: PACKET }, verify, ...(sockets ? { scenario: { sockets } } : {}) });
  if (!r.ok) throw new Error(`${name}: ${r.problems.map((x) => x.message).join('; ')}`);
  const status = r.program.vm.run();
  if (status !== 'exited') return { fault: r.program.vm.faultInfo?.message ?? status };
  const released = r.program.kernel.sockets.released().map((s) => s.object.label);
  return { leaks: r.program.end().leaks.map((l) => ({ pc: l.pc, via: l.via, object: l.object })), released };
}

const TCP = 'sockets[0] (tcp 10.0.0.1:80 listening, steered to by sk_lookup)';
const UDP = 'sockets[1] (udp 10.0.0.1:53 unconnected, steered to by sk_lookup)';
const clean = (released: string[] = [TCP]): Run => ({ leaks: [], released });
const leak = (pc: number): Run => ({ leaks: [{ pc, via: 'bpf_sk_lookup_tcp', object: TCP }], released: [] });

/** Every entry of the topic, and what its run with the steering sockets does. */
const EXPECT: Readonly<Record<string, Run | RegExp>> = {
  'refs/tc sk_lookup_tcp (84) then sk_release (86)': clean(),
  'refs/tc sk_lookup_udp (85) then sk_release': clean([UDP]),
  'refs/tc skc_lookup_tcp (99) then sk_release': clean(),
  'refs/xdp sk_lookup_tcp then sk_release': clean(),
  'refs/tc socket never released': leak(8),
  // skb->mark is 0 under test_run: the path without the release.
  'refs/tc socket released on one path only': leak(8),
  'refs/tc socket released without NULL check': clean(),
  'refs/tc socket released twice': /^pc 14: bpf_sk_release: the program holds no reference to sockets\[0\] .*: bpf_sk_release at pc 12 already gave back its reference$/,
  // The socket's memory stays readable after the release, as in Linux; the table says it was given back.
  'refs/tc socket field read after release': clean(),
  'refs/tc socket family read': clean(),
  'refs/tc socket field read without NULL check': clean(),
  'refs/tc socket field written': /sockets\[0\] .* is read-only$/,
  'refs/tc socket read past struct bpf_sock': /: 120 bytes past the end of sockets\[0\]/,
  'refs/tc pointer arithmetic on a socket': /^pc 12: bpf_sk_release: R1 points 4 bytes into sockets\[0\]/,
  'refs/tc socket spilled and filled before release': clean(),
  'refs/tc socket released through a copy': clean(),
  // The prog_array is empty: the tail call falls through to the release.
  'refs/tc tail call while holding a socket': clean(),
  // __sk_buff.sk is NULL under test_run: nothing to release.
  'refs/tc release ctx->sk': clean([]),
  'refs/tc release a stack pointer': /^pc 2: bpf_sk_release: R1 \(0x[0-9a-f]+\) is not a socket: it points into /,
  'refs/tc lookup with a tuple past the stack': /^pc 5: bpf_sk_lookup_tcp: R2 \(tuple\) is not readable memory of tuple_size = 12 bytes/,
  'refs/tc two sockets, both released': clean(),
  // Both lookups find the one steering socket; the release gives back the second lookup's reference.
  'refs/tc two sockets, the first leaked': leak(8),
};

describe("the verifier corpus's socket programs, with a steering socket", () => {
  it('covers the whole topic', () => {
    expect(REFS.map((e) => e.name).sort()).toEqual(Object.keys(EXPECT).sort());
  });

  it('find the socket, then release it or leak it as their names say', () => {
    const got: Record<string, unknown> = {};
    const want: Record<string, unknown> = {};
    for (const [name, expected] of Object.entries(EXPECT)) {
      const r = runEntry(name, STEERED);
      want[name] = expected instanceof RegExp ? `fault ~ ${expected.source}` : expected;
      got[name] = expected instanceof RegExp && 'fault' in r && expected.test(r.fault) ? `fault ~ ${expected.source}` : r;
    }
    expect(got).toEqual(want);
  });

  it('without sockets the lookups find nothing: nothing leaks, nothing is released', () => {
    for (const name of ['refs/tc socket never released', 'refs/tc two sockets, the first leaked', 'refs/tc socket released twice', 'refs/tc socket read past struct bpf_sock']) {
      expect(runEntry(name, undefined)).toEqual({ leaks: [], released: [] });
    }
  });
});
