// Ring buffers: bpf_ringbuf_reserve returns memory of the constant size asked for, or NULL; the
// reservation is a reference, released by submit or discard exactly once on every path.

import { accept, reject, topic, RINGBUF, ARRAY8, type Case } from './build.ts';

const xdp = (name: string, body: string, expect: Case['expect'], note?: string, maps: readonly string[] = [RINGBUF]): Case => ({ name, section: 'xdp', maps, body, expect, ...(note ? { note } : {}) });
/** r0 = bpf_ringbuf_reserve(&rb, `size`, 0). */
const reserve = (size = 'r2 = 8'): string => `r1 = rb ll\n${size}\nr3 = 0\ncall bpf_ringbuf_reserve`;
const SUBMIT = 'r2 = 0\ncall bpf_ringbuf_submit';
const OUT = 'out:\nr0 = 2\nexit';

export const RINGBUF_CASES = topic('ringbuf', [
  xdp('reserve, write, submit', `${reserve()}\nif r0 == 0 goto out\n*(u64 *)(r0 + 0) = 1\nr1 = r0\n${SUBMIT}\n${OUT}`, accept),
  xdp('reserve, discard', `${reserve()}\nif r0 == 0 goto out\nr1 = r0\nr2 = 0\ncall bpf_ringbuf_discard\n${OUT}`, accept),
  xdp('write without NULL check', `${reserve()}\n*(u64 *)(r0 + 0) = 1\nr1 = r0\n${SUBMIT}\n${OUT}`, reject("R0 invalid mem access 'ringbuf_mem_or_null'")),
  xdp('submit without NULL check', `${reserve()}\nr1 = r0\n${SUBMIT}\n${OUT}`, reject('R1 type=ringbuf_mem_or_null expected=ringbuf_mem')),
  xdp('reservation never released', `${reserve()}\nif r0 == 0 goto out\n*(u64 *)(r0 + 0) = 1\n${OUT}`, reject('Unreleased reference id=')),
  xdp('reservation released on one path only', `r6 = *(u32 *)(r1 + 16)\n${reserve()}\nif r0 == 0 goto out\nif r6 == 0 goto out\nr1 = r0\n${SUBMIT}\n${OUT}`, reject('Unreleased reference id=')),
  xdp('reservation submitted twice', `${reserve()}\nif r0 == 0 goto out\nr6 = r0\nr1 = r0\n${SUBMIT}\nr1 = r6\n${SUBMIT}\n${OUT}`, reject('R1 type=scalar expected=ringbuf_mem')),
  xdp('reservation written after submit', `${reserve()}\nif r0 == 0 goto out\nr6 = r0\nr1 = r0\n${SUBMIT}\n*(u64 *)(r6 + 0) = 1\n${OUT}`, reject("R6 invalid mem access 'scalar'")),
  xdp('write past the reserved size', `${reserve()}\nif r0 == 0 goto out\n*(u64 *)(r0 + 8) = 1\nr1 = r0\n${SUBMIT}\n${OUT}`, reject('invalid access to memory, mem_size=8 off=8 size=8')),
  xdp('reserve with a variable size', `r2 = *(u32 *)(r1 + 16)\nr2 &= 63\n${reserve('')}\nif r0 == 0 goto out\nr1 = r0\n${SUBMIT}\n${OUT}`, reject('R2 is not a known constant')),
  xdp('reserve zero bytes', `${reserve('r2 = 0')}\nif r0 == 0 goto out\nr1 = r0\n${SUBMIT}\n${OUT}`, accept),
  xdp('submit a stack pointer', `r1 = r10\nr1 += -8\n${SUBMIT}\nr0 = 2\nexit`, reject('R1 type=fp expected=ringbuf_mem')),
  xdp('submit a moved reservation pointer', `${reserve('r2 = 16')}\nif r0 == 0 goto out\nr0 += 8\nr1 = r0\n${SUBMIT}\n${OUT}`, reject('must have zero offset when passed to release func')),
  xdp('reserve from an array map', `r1 = m ll\nr2 = 8\nr3 = 0\ncall bpf_ringbuf_reserve\nr0 = 2\nexit`, reject('cannot pass map_type 2 into func bpf_ringbuf_reserve#131'), undefined, [ARRAY8]),
  xdp('reservation spilled and filled before submit', `${reserve()}\nif r0 == 0 goto out\n*(u64 *)(r10 - 8) = r0\nr1 = *(u64 *)(r10 - 8)\n${SUBMIT}\n${OUT}`, accept),
  xdp('submit without flags', `${reserve()}\nif r0 == 0 goto out\nr1 = r0\ncall bpf_ringbuf_submit\n${OUT}`, reject('R2 !read_ok')),
  xdp('tail call while holding a reservation', `r6 = r1\n${reserve()}\nif r0 == 0 goto out\nr7 = r0\nr1 = r6\nr2 = pa ll\nr3 = 0\ncall bpf_tail_call\nr1 = r7\n${SUBMIT}\n${OUT}`, reject('tail_call would lead to reference leak'), undefined, [RINGBUF, 'pa type=prog_array key=4 value=4 max_entries=1']),
  xdp('ringbuf_output from the stack', '*(u64 *)(r10 - 8) = 7\nr1 = rb ll\nr2 = r10\nr2 += -8\nr3 = 8\nr4 = 0\ncall bpf_ringbuf_output\nr0 = 2\nexit', accept),
  xdp('ringbuf_output past the stack', 'r1 = rb ll\nr2 = r10\nr2 += -8\nr3 = 16\nr4 = 0\ncall bpf_ringbuf_output\nr0 = 2\nexit', reject('invalid read from stack R2 off=-8 size=16')),
  xdp('reservation submitted by a subprogram', `${reserve()}\nif r0 == 0 goto out\nr1 = r0\ncall f\n${OUT}\nf:\n${SUBMIT}\nr0 = 0\nexit`, accept),
  xdp('two reservations, both submitted', `${reserve()}\nif r0 == 0 goto out\nr6 = r0\n${reserve()}\nif r0 == 0 goto one\nr1 = r0\n${SUBMIT}\none:\nr1 = r6\n${SUBMIT}\n${OUT}`, accept),
]);
