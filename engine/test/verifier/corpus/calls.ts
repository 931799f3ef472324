// BPF-to-BPF calls and callbacks: arguments and results, each frame's stack and the combined
// stack limit, call depth, recursion, and the callbacks of bpf_loop and bpf_for_each_map_elem
// with the range their return value must be in.

import { accept, reject, topic, ARRAY64, type Case } from './build.ts';

type Opt = { maps?: readonly string[]; note?: string };
const xdp = (name: string, body: string, expect: Case['expect'], o: Opt = {}): Case => ({ name, section: 'xdp', body, expect, ...o });

/** main → f1 → … → f`n`, each a plain call. */
const chain = (n: number): string => {
  const lines = ['call f1', 'r0 = 0', 'exit'];
  for (let i = 1; i <= n; i++) lines.push(`f${i}:`, i < n ? `call f${i + 1}` : 'r0 = 0', 'exit');
  return lines.join('\n');
};
/** bpf_loop(4, cb, fp-8, 0) with fp-8 zeroed; `cb` is the callback's body. */
const loop = (cb: string, args = 'r1 = 4\nr2 = cb ll\nr3 = r10\nr3 += -8\nr4 = 0'): string => `*(u64 *)(r10 - 8) = 0\n${args}\ncall bpf_loop\nr0 = 2\nexit\ncb:\n${cb}`;
/** bpf_for_each_map_elem(&m, cb, fp-8, 0). */
const forEach = (cb: string): string => `*(u64 *)(r10 - 8) = 0\nr1 = m ll\nr2 = cb ll\nr3 = r10\nr3 += -8\nr4 = 0\ncall bpf_for_each_map_elem\nr0 = 2\nexit\ncb:\n${cb}`;

const calls: Case[] = [
  xdp('call returns a value', 'r1 = 3\ncall f\nexit\nf:\nr0 = r1\nr0 += 1\nexit', accept),
  xdp('callee writes the caller stack through a pointer', 'r1 = r10\nr1 += -8\ncall f\nr0 = *(u64 *)(r10 - 8)\nexit\nf:\n*(u64 *)(r1 + 0) = 2\nr0 = 0\nexit', accept),
  xdp('callee writes below the passed slot in the caller frame', 'r1 = r10\nr1 += -8\ncall f\nr0 = 0\nexit\nf:\n*(u64 *)(r1 - 8) = 2\nr0 = 0\nexit', accept),
  xdp('callee writes above the caller frame', 'r1 = r10\nr1 += -8\ncall f\nr0 = 0\nexit\nf:\n*(u64 *)(r1 + 8) = 2\nr0 = 0\nexit', reject('invalid write to stack')),
  xdp('callee returns a pointer to its own stack', 'call f\nr0 = *(u64 *)(r0 + 0)\nexit\nf:\n*(u64 *)(r10 - 8) = 0\nr0 = r10\nr0 += -8\nexit', reject('cannot return stack pointer to the caller')),
  xdp('callee stores its stack pointer in the caller frame', 'r1 = r10\nr1 += -8\ncall f\nr0 = 0\nexit\nf:\nr2 = r10\nr2 += -8\n*(u64 *)(r1 + 0) = r2\nr0 = 0\nexit', reject('cannot spill pointers to stack into stack frame of the caller')),
  xdp('caller r1 after a call', 'r1 = 1\ncall f\nr0 = r1\nexit\nf:\nr0 = 0\nexit', reject('R1 !read_ok')),
  xdp('caller r6 survives a call', 'r6 = 9\ncall f\nr0 = r6\nexit\nf:\nr6 = 1\nr0 = 0\nexit', accept),
  xdp('callee reads ctx passed in r1', 'call f\nexit\nf:\nr0 = *(u32 *)(r1 + 16)\nexit', accept),
  xdp('callee dereferences a scalar argument', 'r1 = 64\ncall f\nexit\nf:\nr0 = *(u32 *)(r1 + 0)\nexit', reject("R1 invalid mem access 'scalar'")),
  xdp('callee NULL-checks a lookup result', 'r1 = m ll\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nr1 = r0\ncall f\nexit\nf:\nr0 = 0\nif r1 == 0 goto out\nr0 = *(u64 *)(r1 + 0)\nout:\nexit', accept, { maps: [ARRAY64] }),
  xdp('stacks of 256 and 256 bytes', 'call f\n*(u64 *)(r10 - 256) = 0\nexit\nf:\n*(u64 *)(r10 - 256) = 0\nr0 = 0\nexit', accept),
  xdp('stacks of 288 and 256 bytes', 'call f\n*(u64 *)(r10 - 288) = 0\nexit\nf:\n*(u64 *)(r10 - 256) = 0\nr0 = 0\nexit', reject('combined stack size of 2 calls is')),
  xdp('stacks of 512 and 8 bytes', 'call f\n*(u64 *)(r10 - 512) = 0\nexit\nf:\n*(u64 *)(r10 - 8) = 0\nr0 = 0\nexit', reject('combined stack size of 2 calls is')),
  xdp('eight frames', chain(7), accept),
  xdp('nine frames', chain(8), reject('the call stack of 9 frames is too deep')),
  xdp('direct recursion', 'r1 = 3\ncall f\nexit\nf:\nr0 = 0\nif r1 == 0 goto out\nr1 -= 1\ncall f\nout:\nexit', reject('the call stack of 8 frames is too deep')),
  xdp('two calls to one function', 'call f\nr6 = r0\ncall f\nr0 += r6\nexit\nf:\nr0 = 1\nexit', accept),
  xdp('callee with its own bounded loop', 'call f\nexit\nf:\nr0 = 0\nr1 = 0\nl:\nr0 += 1\nr1 += 1\nif r1 < 8 goto l\nexit', accept),
];

const callbacks: Case[] = [
  xdp('bpf_loop callback returning 0', loop('r0 = 0\nexit'), accept),
  xdp('bpf_loop callback returning 1', loop('r0 = 1\nexit'), accept),
  xdp('bpf_loop callback returning 2', loop('r0 = 2\nexit'), reject('should have been in [0, 1]')),
  xdp('bpf_loop callback returning what its zeroed context holds', loop('r0 = *(u64 *)(r2 + 0)\nexit'), accept, { note: 'fp-8 was zeroed, so the value read back is the constant 0' }),
  xdp('bpf_loop callback returning its index', loop('r0 = r1\nexit'), reject('should have been in [0, 1]')),
  xdp('bpf_loop callback returning an unknown value', loop('r0 = *(u64 *)(r2 + 0)\nexit', 'r6 = *(u32 *)(r1 + 16)\n*(u64 *)(r10 - 8) = r6\nr1 = 4\nr2 = cb ll\nr3 = r10\nr3 += -8\nr4 = 0'), reject('should have been in [0, 1]')),
  xdp('bpf_loop callback without setting r0', loop('exit'), reject('R0 not a scalar value')),
  xdp('bpf_loop callback reads its context', loop('r3 = *(u64 *)(r2 + 0)\nr0 = 0\nexit'), accept),
  xdp('bpf_loop callback writes past its context', loop('*(u64 *)(r2 + 8) = 1\nr0 = 0\nexit'), reject('invalid write to stack')),
  xdp('bpf_loop callback reads a third argument', loop('r0 = r3\nr0 = 0\nexit'), reject('R3 !read_ok')),
  xdp('bpf_loop with a scalar as callback', loop('r0 = 0\nexit', 'call cb\nr1 = 4\nr2 = 0\nr3 = 0\nr4 = 0'), reject('R2 type=scalar expected=func')),
  xdp('bpf_loop with an unknown count', loop('r0 = 0\nexit', 'r1 = *(u32 *)(r1 + 16)\nr2 = cb ll\nr3 = 0\nr4 = 0'), accept),
  xdp('bpf_loop callback dereferences a NULL context', loop('r0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit', 'r1 = 4\nr2 = cb ll\nr3 = 0\nr4 = 0'), reject("R2 invalid mem access 'scalar'")),
  xdp('bpf_loop callback uses the index as a map offset', `r6 = 0\n${loop('r0 = 0\nexit')}`.replace('cb:\nr0 = 0', 'cb:\nr6 = r1\nr1 = m ll\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nif r0 == 0 goto o\nr0 += r6\nr0 = *(u8 *)(r0 + 0)\no:\nr0 = 0'), reject('unbounded min value'), { maps: [ARRAY64] }),
  xdp('for_each_map_elem callback reads the value', forEach('r0 = *(u64 *)(r3 + 56)\nr0 = 0\nexit'), accept, { maps: [ARRAY64] }),
  xdp('for_each_map_elem callback reads past the value', forEach('r0 = *(u64 *)(r3 + 64)\nr0 = 0\nexit'), reject('invalid access to map value, value_size=64 off=64 size=8'), { maps: [ARRAY64] }),
  xdp('for_each_map_elem callback returning 3', forEach('r0 = 3\nexit'), reject('should have been in [0, 1]'), { maps: [ARRAY64] }),
  xdp('for_each_map_elem callback reads its key', forEach('r0 = *(u32 *)(r2 + 0)\nr0 = 0\nexit'), accept, { maps: [ARRAY64] }),
];

export const CALLS = topic('calls', [...calls, ...callbacks]);
