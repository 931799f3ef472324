// Scalar bounds tracking: unsigned and signed comparisons on 64 and 32 bits, the zero
// extension of `w` registers, bounds through AND, shifts, multiplication and sign extension,
// and branches the verifier knows cannot be taken.

import { accept, reject, topic, ARRAY64, lookup0, type Case } from './build.ts';

const OUT = 'out:\nr0 = 0\nexit';
/** Index into a 64-byte map value: r1 = `index` (may use r0 = value, r6 = ctx), then `use`. */
const idx = (index: string, use: string): string => `r6 = r1\n${lookup0('m')}\nif r0 == 0 goto out\n${index}\n${use}\n${OUT}`;
const U64 = 'r1 = *(u64 *)(r0 + 0)';
const U32CTX = 'r1 = *(u32 *)(r6 + 16)';
const READ8 = 'r0 += r1\nr0 = *(u64 *)(r0 + 0)';
const READ1 = 'r0 += r1\nr0 = *(u8 *)(r0 + 0)';
const m = (name: string, body: string, expect: Case['expect'], note?: string): Case => ({ name, section: 'xdp', maps: [ARRAY64], body, expect, ...(note ? { note } : {}) });
/** A branch the verifier must prove dead: it dereferences a scalar. */
const BAD = 'bad:\nr5 = 0\nr0 = *(u8 *)(r5 + 0)\nexit';
const dead = (name: string, setup: string, branch: string, expect: Case['expect']): Case => ({ name, section: 'xdp', body: `${setup}\n${branch}\nr0 = 2\nexit\n${BAD}`, expect });

export const BOUNDS = topic('bounds', [
  m('u32 ctx value with signed upper bound only', idx(U32CTX, `if r1 s> 56 goto out\n${READ8}`), accept, 'a zero-extended load cannot be negative'),
  m('u32 ctx value with 32-bit unsigned bound', idx(U32CTX, `if w1 > 56 goto out\n${READ8}`), accept),
  m('u64 value with 32-bit unsigned bound', idx(U64, `if w1 > 56 goto out\n${READ8}`), reject('math between map_value pointer and register with unbounded min value is not allowed'), 'the upper 32 bits are still unknown'),
  m('u64 value zero-extended then 32-bit bound', idx(U64, `w1 = w1\nif w1 > 56 goto out\n${READ8}`), accept),
  m('u64 value zero-extended by alu32 add', idx(U64, `w1 += 0\nif w1 > 56 goto out\n${READ8}`), accept),
  m('u64 value zero-extended, no bound', idx(U64, `w1 = w1\n${READ1}`), reject('unbounded memory access')),
  m('u32 ctx value with 32-bit signed bounds both sides', idx(U32CTX, `if w1 s< 0 goto out\nif w1 s> 56 goto out\n${READ8}`), accept),
  m('u32 ctx value with 32-bit signed upper bound only', idx(U32CTX, `if w1 s> 56 goto out\n${READ8}`), reject('unbounded memory access')),
  m('zero-extended value with 32-bit signed upper bound only', idx(U64, `w1 = w1\nif w1 s> 56 goto out\n${READ8}`), reject('unbounded memory access')),
  m('sign-extended 32-bit value with signed bounds', idx(U64, `r1 <<= 32\nr1 s>>= 32\nif r1 s< 0 goto out\nif r1 s> 56 goto out\n${READ8}`), accept),
  m('jset clears the high bits', idx(U32CTX, `if r1 & 0xffffffc0 goto out\n${READ1}`), accept),
  m('jeq learns the constant', idx(U64, `if r1 == 5 goto use\ngoto out\nuse:\n${READ8}`), accept),
  m('jne learns the constant on fall-through, too large', idx(U64, `if r1 != 60 goto out\n${READ8}`), reject('invalid access to map value, value_size=64 off=60 size=8')),
  m('jne learns the constant on fall-through, fits', idx(U64, `if r1 != 60 goto out\nr0 += r1\nr0 = *(u32 *)(r0 + 0)`), accept),
  m('and then shift bounds the value', idx(U64, `r1 &= 0xff\nr1 >>= 2\n${READ1}`), accept),
  m('and then multiply bounds the value', idx(U64, `r1 &= 7\nr1 *= 8\n${READ8}`), accept),
  m('and then add a negative constant', idx(U64, `r1 &= 0xff\nr1 += -200\n${READ1}`), reject('min value is negative')),
  m('unsigned less-than branch taken', idx(U64, `if r1 < 57 goto use\ngoto out\nuse:\n${READ8}`), accept),
  m('compare with a constant in a register', idx(U64, `r2 = 56\nif r1 > r2 goto out\n${READ8}`), accept),
  m('compare with a bounded register, byte read', idx(U64, `r2 = *(u32 *)(r6 + 16)\nr2 &= 63\nif r1 > r2 goto out\n${READ1}`), accept),
  m('compare with a bounded register, u64 read', idx(U64, `r2 = *(u32 *)(r6 + 16)\nr2 &= 63\nif r1 > r2 goto out\n${READ8}`), reject('invalid access to map value')),
  m('sign-extending byte move then signed check', idx(U32CTX, `r1 = (s8)r1\nif r1 s< 0 goto out\nif r1 s> 63 goto out\n${READ1}`), accept),
  m('sign-extending byte load used directly', idx('r1 = *(s8 *)(r0 + 0)', READ1), reject('min value is negative')),
  m('pruning keeps the unsafe path apart', idx(U32CTX, `if r1 == 0 goto a\nr1 = 100\ngoto j\na:\nr1 = 0\nj:\n${READ8}`), reject('invalid access to map value, value_size=64 off=100 size=8')),
  m('two safe paths joined', idx(U32CTX, `if r1 == 0 goto a\nr1 = 56\ngoto j\na:\nr1 = 0\nj:\n${READ8}`), accept),
  m('prandom masked to an index', idx('r7 = r0\ncall bpf_get_prandom_u32\nr1 = r0\nr0 = r7\nr1 &= 56', READ8), accept),
  m('prandom used unmasked', idx('r7 = r0\ncall bpf_get_prandom_u32\nr1 = r0\nr0 = r7', READ1), reject('math between map_value pointer and register with unbounded min value is not allowed')),
  m('index returned by a subprogram as a constant', idx('r7 = r0\ncall f\nr1 = r0\nr0 = r7', READ8) + '\nf:\nr0 = 48\nexit', accept),
  m('index returned by a subprogram out of range', idx('r7 = r0\ncall f\nr1 = r0\nr0 = r7', READ8) + '\nf:\nr0 = 64\nexit', reject('invalid access to map value, value_size=64 off=64 size=8')),
  m('index bounded inside a subprogram', idx('r7 = r0\nr1 = r6\ncall f\nr1 = r0\nr0 = r7', READ8) + '\nf:\nr0 = *(u32 *)(r1 + 16)\nr0 &= 24\nexit', accept),
  m('32-bit add wraps to zero-extended value', idx(U64, `r1 &= 0xff\nw1 += -1\n${READ1}`), reject('unbounded memory access')),
  m('mod by a constant', idx(U64, `r1 %= 57\n${READ8}`), reject('math between map_value pointer and register with unbounded min value is not allowed'), 'division and modulo leave an unknown scalar in 6.18'),
  m('div by a constant', idx(U64, `r1 &= 0xff\nr1 /= 5\n${READ8}`), reject('math between map_value pointer and register with unbounded min value is not allowed')),
  dead('branch above a known maximum is dead', 'r1 = *(u32 *)(r1 + 16)\nif r1 > 10 goto out\nout:\nr1 &= 10', 'if r1 > 20 goto bad', accept),
  dead('32-bit branch above a known maximum is dead', 'r1 = *(u32 *)(r1 + 16)\nw1 &= 9', 'if w1 > 9 goto bad', accept),
  dead('odd value compared with zero', 'r1 = *(u32 *)(r1 + 16)\nr1 |= 1', 'if r1 == 0 goto bad', accept),
  dead('zero-extended load tested signed negative', 'r1 = *(u32 *)(r1 + 16)', 'if r1 s< 0 goto bad', accept),
  dead('zero-extended load tested 32-bit signed negative', 'r1 = *(u32 *)(r1 + 16)', 'if w1 s< 0 goto bad', reject("R5 invalid mem access 'scalar'")),
  dead('constant compared signed 32-bit', 'w1 = 0x80000000', 'if w1 s> 0 goto bad', accept),
  dead('constant compared signed 64-bit', 'w1 = 0x80000000', 'if r1 s> 0 goto bad', reject("R5 invalid mem access 'scalar'")),
]);
