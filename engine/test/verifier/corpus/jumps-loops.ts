// Conditional jumps and loops: privileged programs may loop as long as the verifier can see the
// loop end; a loop that never changes state is an infinite loop; the verifier follows every
// iteration, so a bad access in a late one is found.

import { accept, reject, topic, ARRAY64, lookup0, type Case } from './build.ts';

const xdp = (name: string, body: string, expect: Case['expect'], note?: string): Case => ({ name, section: 'xdp', body, expect, ...(note ? { note } : {}) });
const BAD = 'bad:\nr5 = 0\nr0 = *(u8 *)(r5 + 0)\nexit';

export const JUMPS_LOOPS = topic('jumps-loops', [
  xdp('bounded loop of 10 iterations', 'r0 = 0\nr1 = 0\nl:\nr0 += r1\nr1 += 1\nif r1 < 10 goto l\nexit', accept),
  xdp('bounded loop of 1000 iterations', 'r0 = 0\nr1 = 0\nl:\nr0 += 3\nr1 += 1\nif r1 < 1000 goto l\nexit', accept),
  xdp('loop too long for the verifier', 'r0 = 0\nr1 = 0\nl:\nr0 += 3\nr1 += 1\nif r1 < 1000000 goto l\nexit', reject('BPF program is too large')),
  xdp('counting down with a signed test', 'r1 = *(u32 *)(r1 + 16)\nr1 &= 15\nr0 = 0\nl:\nr0 += 1\nr1 -= 1\nif r1 s> 0 goto l\nexit', accept),
  xdp('loop on an unknown counter', 'r1 = *(u32 *)(r1 + 16)\nr0 = 0\nl:\nr1 -= 1\nif r1 != 0 goto l\nexit', reject('BPF program is too large')),
  xdp('jump to itself', 'r0 = 0\nl:\ngoto l', reject('infinite loop detected at insn 1')),
  xdp('loop that never changes state', 'r0 = 0\nl:\nr1 = 0\nif r1 == 0 goto l\nexit', reject('infinite loop detected')),
  xdp('loop with a bad access in its fifth iteration', 'r0 = 0\nr1 = 0\nl:\nr1 += 1\nif r1 == 5 goto bad\nif r1 < 10 goto l\nexit\n' + BAD, reject("R5 invalid mem access 'scalar'")),
  xdp('loop whose bad iteration never comes', 'r0 = 0\nr1 = 0\nl:\nr1 += 1\nif r1 == 50 goto bad\nif r1 < 10 goto l\nexit\n' + BAD, accept),
  xdp('nested bounded loops', 'r0 = 0\nr1 = 0\no:\nr2 = 0\ni:\nr0 += 1\nr2 += 1\nif r2 < 4 goto i\nr1 += 1\nif r1 < 4 goto o\nexit', accept),
  {
    name: 'loop indexing a map value within bounds',
    section: 'xdp',
    maps: [ARRAY64],
    body: `${lookup0('m')}\nif r0 == 0 goto out\nr6 = r0\nr1 = 0\nl:\nr2 = r6\nr3 = r1\nr3 <<= 3\nr2 += r3\n*(u64 *)(r2 + 0) = 0\nr1 += 1\nif r1 < 8 goto l\nout:\nr0 = 0\nexit`,
    expect: accept,
  },
  {
    name: 'loop indexing a map value one past the end',
    section: 'xdp',
    maps: [ARRAY64],
    body: `${lookup0('m')}\nif r0 == 0 goto out\nr6 = r0\nr1 = 0\nl:\nr2 = r6\nr3 = r1\nr3 <<= 3\nr2 += r3\n*(u64 *)(r2 + 0) = 0\nr1 += 1\nif r1 <= 8 goto l\nout:\nr0 = 0\nexit`,
    expect: reject('invalid access to map value, value_size=64 off=64 size=8'),
  },
  xdp('32-bit loop counter', 'r0 = 0\nw1 = 0\nl:\nw0 += 2\nw1 += 1\nif w1 < 16 goto l\nexit', accept),
  xdp('loop with a signed 32-bit bound', 'r0 = 0\nw1 = -5\nl:\nw1 += 1\nif w1 s< 5 goto l\nexit', accept),
  xdp('jset on a known bit', 'r1 = 6\nif r1 & 2 goto ok\ngoto bad\nok:\nr0 = 2\nexit\n' + BAD, accept),
  xdp('jset on a clear bit', 'r1 = 4\nif r1 & 2 goto bad\nr0 = 2\nexit\n' + BAD, accept),
  xdp('32-bit jset', 'r1 = *(u32 *)(r1 + 16)\nr0 = 1\nif w1 & 1 goto out\nr0 = 2\nout:\nexit', accept),
  xdp('signed compare of two unknowns', 'r1 = *(u32 *)(r1 + 16)\nr2 = r1\nr2 += 1\nr0 = 2\nif r1 s> r2 goto out\nr0 = 1\nout:\nexit', accept),
  xdp('compare reg with itself is always equal', 'r1 = *(u32 *)(r1 + 16)\nif r1 != r1 goto bad\nr0 = 2\nexit\n' + BAD, reject("R5 invalid mem access 'scalar'"), 'the verifier does not see that a register equals itself'),
  xdp('gotol over an instruction', 'r0 = 2\ngotol l\nr0 = 1\nl:\nexit', reject('unreachable insn 2')),
  xdp('both branches reach exit', 'r1 = *(u32 *)(r1 + 16)\nif r1 > 3 goto a\nr0 = 1\ngoto e\na:\nr0 = 2\ne:\nexit', accept),
  xdp('compare pointer with constant zero', 'r0 = 2\nif r10 == 0 goto bad\nexit\n' + BAD, reject("R5 invalid mem access 'scalar'"), 'the verifier walks both branches of a stack pointer compared with zero'),
  xdp('compare ctx with the frame pointer', 'r0 = 2\nif r1 > r10 goto out\nr0 = 1\nout:\nexit', accept),
  xdp('32-bit compare of the frame pointer', 'r0 = 2\nif w10 > 0 goto out\nr0 = 1\nout:\nexit', accept),
  xdp('compare ctx with a scalar', 'r2 = 5\nr0 = 2\nif r1 > r2 goto out\nr0 = 1\nout:\nexit', accept, 'root may compare pointers with scalars'),
]);
