// Atomic instructions: allowed on the stack, map values and ring buffer memory, aligned, with
// initialised operands; refused on the context, packets and read-only maps.

import { accept, reject, topic, ARRAY64, RINGBUF, XDP_PKT, lookup0, type Case } from './build.ts';

const xdp = (name: string, body: string, expect: Case['expect'], maps?: readonly string[], note?: string): Case => ({ name, section: 'xdp', body, expect, ...(maps ? { maps } : {}), ...(note ? { note } : {}) });
const value = (use: string): string => `${lookup0('m')}\nif r0 == 0 goto out\n${use}\nout:\nr0 = 2\nexit`;
const RDONLY = 'm type=array key=4 value=8 max_entries=1 flags=128';

export const ATOMICS = topic('atomics', [
  xdp('add u64 on initialised stack', '*(u64 *)(r10 - 8) = 0\nr1 = 1\nlock *(u64 *)(r10 - 8) += r1\nr0 = *(u64 *)(r10 - 8)\nexit', accept),
  xdp('add u32 on initialised stack', '*(u32 *)(r10 - 4) = 0\nw1 = 1\nlock *(u32 *)(r10 - 4) += w1\nr0 = 2\nexit', accept),
  xdp('add u64 on uninitialised stack', 'r1 = 1\nlock *(u64 *)(r10 - 8) += r1\nr0 = 2\nexit', accept, undefined, 'root may read uninitialised stack'),
  xdp('fetch_add on stack returns the old value', '*(u64 *)(r10 - 8) = 5\nr0 = 1\nr0 = atomic_fetch_add((u64 *)(r10 - 8), r0)\nexit', accept),
  xdp('cmpxchg on stack', '*(u64 *)(r10 - 8) = 5\nr0 = 5\nr1 = 6\nr0 = cmpxchg_64(r10 - 8, r0, r1)\nexit', accept),
  xdp('cmpxchg without r0', '*(u64 *)(r10 - 8) = 5\nr1 = 6\nr0 = cmpxchg_64(r10 - 8, r0, r1)\nexit', reject('R0 !read_ok')),
  xdp('xchg u32 on stack', '*(u32 *)(r10 - 4) = 5\nw1 = 6\nw1 = xchg32_32(r10 - 4, w1)\nr0 = 2\nexit', accept),
  xdp('add with an uninitialised source', '*(u64 *)(r10 - 8) = 0\nlock *(u64 *)(r10 - 8) += r3\nr0 = 2\nexit', reject('R3 !read_ok')),
  xdp('misaligned u64 add on stack', '*(u64 *)(r10 - 16) = 0\n*(u64 *)(r10 - 8) = 0\nr1 = 1\nlock *(u64 *)(r10 - 12) += r1\nr0 = 2\nexit', reject('misaligned stack access')),
  xdp('add past the stack frame', 'r1 = 1\nlock *(u64 *)(r10 + 0) += r1\nr0 = 2\nexit', reject('invalid read from stack R10 off=0 size=8')),
  xdp('add u64 on map value', value('r1 = 1\nlock *(u64 *)(r0 + 56) += r1'), accept, [ARRAY64]),
  xdp('fetch_or u32 on map value', value('w1 = 1\nw1 = atomic_fetch_or((u32 *)(r0 + 4), w1)'), accept, [ARRAY64]),
  xdp('xchg u64 on map value', value('r1 = 1\nr1 = xchg_64(r0 + 8, r1)'), accept, [ARRAY64]),
  xdp('add u64 past the map value', value('r1 = 1\nlock *(u64 *)(r0 + 64) += r1'), reject('invalid access to map value, value_size=64 off=64 size=8'), [ARRAY64]),
  xdp('misaligned u64 add on map value', value('r1 = 1\nlock *(u64 *)(r0 + 4) += r1'), reject('misaligned value access'), [ARRAY64]),
  xdp('add on map value without NULL check', `${lookup0('m')}\nr1 = 1\nlock *(u64 *)(r0 + 0) += r1\nr0 = 2\nexit`, reject("R0 invalid mem access 'map_value_or_null'"), ['m type=hash key=4 value=8 max_entries=1']),
  xdp('add on ctx', 'r2 = 1\nlock *(u32 *)(r1 + 16) += w2\nr0 = 2\nexit', reject('BPF_ATOMIC stores into R1 ctx is not allowed')),
  xdp('add on packet', `${XDP_PKT}\nr4 = r2\nr4 += 8\nif r4 > r3 goto out\nr5 = 1\nlock *(u64 *)(r2 + 0) += r5\nout:\nr0 = 2\nexit`, reject('BPF_ATOMIC stores into R2 pkt is not allowed')),
  xdp('add on read-only map value', value('r1 = 1\nlock *(u64 *)(r0 + 0) += r1'), reject('write into map forbidden'), [RDONLY]),
  xdp('store into read-only map value', value('*(u64 *)(r0 + 0) = 1'), reject('write into map forbidden, value_size=8 off=0 size=8'), [RDONLY]),
  xdp('read read-only map value', value('r1 = *(u64 *)(r0 + 0)'), accept, [RDONLY]),
  xdp('add on ringbuf reservation', 'r1 = rb ll\nr2 = 8\nr3 = 0\ncall bpf_ringbuf_reserve\nif r0 == 0 goto out\n*(u64 *)(r0 + 0) = 0\nr1 = 1\nlock *(u64 *)(r0 + 0) += r1\nr1 = r0\nr2 = 0\ncall bpf_ringbuf_submit\nout:\nr0 = 2\nexit', accept, [RINGBUF]),
  xdp('add pointer into stack slot', '*(u64 *)(r10 - 8) = 0\nlock *(u64 *)(r10 - 8) += r10\nr0 = 2\nexit', accept, undefined, 'root may leak pointers into memory'),
]);
