// Uninitialised registers and stack: every register but r1 and r10 starts unreadable, calls
// clobber r1-r5, and (for a privileged loader in 6.18) stack that was never written reads as an
// unknown scalar.

import { accept, reject, topic, ARRAY8, type Case } from './build.ts';

const xdp = (name: string, body: string, expect: Case['expect'], note?: string): Case => ({ name, section: 'xdp', body, expect, ...(note ? { note } : {}) });

export const UNINIT = topic('uninit', [
  xdp('exit without setting r0', 'exit', reject('R0 !read_ok')),
  xdp('exit with r0 set on one path only', 'r1 = *(u32 *)(r1 + 16)\nif r1 == 0 goto out\nr0 = 1\nout:\nexit', reject('R0 !read_ok')),
  xdp('exit with r0 set on both paths', 'r1 = *(u32 *)(r1 + 16)\nr0 = 2\nif r1 == 0 goto out\nr0 = 1\nout:\nexit', accept),
  xdp('read r2 at entry', 'r0 = r2\nexit', reject('R2 !read_ok')),
  xdp('read r6 at entry', 'r0 = r6\nexit', reject('R6 !read_ok')),
  xdp('read r1 at entry', 'r0 = r1\nr0 = 0\nexit', accept, 'r1 holds the context'),
  xdp('read r10 at entry', 'r0 = r10\nr0 = 0\nexit', accept),
  xdp('32-bit read of uninitialised register', 'w0 = w3\nexit', reject('R3 !read_ok')),
  xdp('compare uninitialised register', 'r0 = 0\nif r3 > 0 goto out\nout:\nexit', reject('R3 !read_ok')),
  xdp('compare with uninitialised source', 'r0 = 0\nif r0 > r4 goto out\nout:\nexit', reject('R4 !read_ok')),
  xdp('store uninitialised register to stack', '*(u64 *)(r10 - 8) = r4\nr0 = 0\nexit', reject('R4 !read_ok')),
  xdp('load through uninitialised register', 'r0 = *(u64 *)(r4 + 0)\nexit', reject('R4 !read_ok')),
  xdp('r1 after a helper call', 'call bpf_ktime_get_ns\nr0 = r1\nexit', reject('R1 !read_ok')),
  xdp('r5 after a helper call', 'r5 = 1\ncall bpf_get_prandom_u32\nr0 = r5\nexit', reject('R5 !read_ok')),
  xdp('r6 survives a helper call', 'r6 = 7\ncall bpf_get_prandom_u32\nr0 = r6\nexit', accept),
  xdp('r0 set by a helper call', 'call bpf_get_prandom_u32\nexit', accept),
  xdp('uninitialised stack read u64', 'r0 = *(u64 *)(r10 - 8)\nexit', accept, 'root may read stack it never wrote (6.18): an unknown scalar'),
  xdp('uninitialised stack read u8', 'r0 = *(u8 *)(r10 - 100)\nexit', accept),
  xdp('partly initialised stack read', '*(u32 *)(r10 - 8) = 1\nr0 = *(u64 *)(r10 - 8)\nexit', accept),
  xdp('stack initialised on one path read after join', 'r1 = *(u32 *)(r1 + 16)\nif r1 == 0 goto j\n*(u64 *)(r10 - 8) = 0\nj:\nr0 = *(u64 *)(r10 - 8)\nexit', accept),
  {
    name: 'uninitialised stack as map key',
    section: 'xdp',
    maps: [ARRAY8],
    body: 'r1 = m ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nr0 = 0\nexit',
    expect: accept,
    note: 'root: helpers may read uninitialised stack',
  },
  {
    name: 'uninitialised r2 as map key pointer',
    section: 'xdp',
    maps: [ARRAY8],
    body: 'r1 = m ll\ncall bpf_map_lookup_elem\nr0 = 0\nexit',
    expect: reject('R2 !read_ok'),
  },
  xdp('subprog reads caller-uninitialised argument', 'call f\nexit\nf:\nr0 = r2\nexit', reject('R2 !read_ok')),
  xdp('subprog reads its r6', 'r6 = 1\ncall f\nexit\nf:\nr0 = r6\nexit', reject('R6 !read_ok')),
  xdp('subprog exits without r0, caller ignores it', 'call f\nr0 = 0\nexit\nf:\nexit', accept, 'a subprogram\'s r0 is checked only where it is read'),
  xdp('subprog exits without r0, caller returns it', 'call f\nexit\nf:\nexit', reject('R0 !read_ok')),
  xdp('caller r0 after subprog returns', 'call f\nexit\nf:\nr0 = 3\nexit', accept),
  xdp('subprog reads initialised argument', 'r2 = 5\ncall f\nexit\nf:\nr0 = r2\nexit', accept),
]);
