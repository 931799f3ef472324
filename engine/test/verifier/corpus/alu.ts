// Arithmetic: division and modulo by constant zero, shifts by out-of-range constants, the ALU
// forms on scalars (negation, byte swaps, sign extension, signed division) and what may and may
// not be done to a pointer with them.

import { accept, reject, topic, ARRAY8, HASH8, lookup0, type Case } from './build.ts';

const xdp = (name: string, body: string, expect: Case['expect'], note?: string): Case => ({ name, section: 'xdp', body, expect, ...(note ? { note } : {}) });

const divZero: Case[] = [
  xdp('div64 by constant zero', 'r0 = 10\nr0 /= 0\nexit', reject('div by zero')),
  xdp('div32 by constant zero', 'w0 = 10\nw0 /= 0\nexit', reject('div by zero')),
  xdp('mod64 by constant zero', 'r0 = 10\nr0 %= 0\nexit', reject('div by zero')),
  xdp('mod32 by constant zero', 'w0 = 10\nw0 %= 0\nexit', reject('div by zero')),
  xdp('sdiv64 by constant zero', 'r0 = -10\nr0 s/= 0\nexit', reject('div by zero')),
  xdp('smod32 by constant zero', 'w0 = -10\nw0 s%= 0\nexit', reject('div by zero')),
  xdp('div64 by register holding zero', 'r0 = 10\nr1 = 0\nr0 /= r1\nexit', accept, 'a zero divisor in a register gives 0 at run time'),
  xdp('mod64 by register holding zero', 'r0 = 10\nr1 = 0\nr0 %= r1\nexit', accept),
  xdp('div32 by unknown register', 'r0 = *(u32 *)(r1 + 16)\nw1 = 7\nw1 /= w0\nr0 = r1\nexit', accept),
  xdp('div64 by constant one', 'r0 = 10\nr0 /= 1\nexit', accept),
  xdp('sdiv64 by constant minus one', 'r0 = -10\nr0 s/= -1\nexit', accept),
  xdp('smod64 by constant minus one', 'r0 = -10\nr0 s%= -1\nexit', accept),
];

const shifts: Case[] = [
  xdp('lsh64 by 63', 'r0 = 1\nr0 <<= 63\nexit', accept),
  xdp('lsh64 by 64', 'r0 = 1\nr0 <<= 64\nexit', reject('invalid shift 64')),
  xdp('rsh64 by 64', 'r0 = 1\nr0 >>= 64\nexit', reject('invalid shift 64')),
  xdp('arsh64 by 100', 'r0 = -1\nr0 s>>= 100\nexit', reject('invalid shift 100')),
  xdp('lsh32 by 31', 'w0 = 1\nw0 <<= 31\nexit', accept),
  xdp('lsh32 by 32', 'w0 = 1\nw0 <<= 32\nexit', reject('invalid shift 32')),
  xdp('rsh32 by 40', 'w0 = 1\nw0 >>= 40\nexit', reject('invalid shift 40')),
  xdp('arsh32 by 31', 'w0 = -8\nw0 s>>= 31\nexit', accept),
  xdp('lsh64 by negative constant', 'r0 = 1\nr0 <<= -1\nexit', reject('invalid shift -1')),
  xdp('lsh64 by register holding 64', 'r0 = 1\nr1 = 64\nr0 <<= r1\nexit', accept, 'register shift amounts are masked at run time'),
  xdp('rsh64 by unknown register', 'r1 = *(u32 *)(r1 + 16)\nr0 = 255\nr0 >>= r1\nexit', accept),
];

const scalars: Case[] = [
  xdp('neg64 of scalar', 'r0 = 5\nr0 = -r0\nexit', accept),
  xdp('neg32 of scalar', 'w0 = 5\nw0 = -w0\nexit', accept),
  xdp('be16 of scalar', 'r0 = 0x1234\nr0 = be16 r0\nexit', accept),
  xdp('le64 of scalar', 'r0 = 0x1234\nr0 = le64 r0\nexit', accept),
  xdp('bswap32 of scalar', 'r0 = 0x12345678\nr0 = bswap32 r0\nexit', accept),
  xdp('movsx8 of scalar', 'r0 = 0xff\nr0 = (s8)r0\nexit', accept),
  xdp('movsx32 into w register', 'w0 = 0xffff\nw0 = (s16)w0\nexit', accept),
  xdp('mul overflows to zero', 'r0 = 0x100000000 ll\nr0 *= r0\nexit', accept),
  xdp('xor self of unknown', 'r0 = *(u32 *)(r1 + 16)\nr0 ^= r0\nexit', accept),
  xdp('mov of uninitialised register', 'r0 = r5\nexit', reject('R5 !read_ok')),
  xdp('add of uninitialised register', 'r0 = 1\nr0 += r7\nexit', reject('R7 !read_ok')),
  xdp('neg of uninitialised register', 'r9 = -r9\nr0 = 0\nexit', reject('R9 !read_ok')),
];

const pointers: Case[] = [
  xdp('fp += constant then store', 'r1 = r10\nr1 += -8\n*(u64 *)(r1 + 0) = 0\nr0 = 0\nexit', accept),
  xdp('fp -= constant', 'r1 = r10\nr1 -= 16\n*(u64 *)(r1 + 8) = 0\nr0 = 0\nexit', reject('R1 subtraction from stack pointer prohibited')),
  xdp('fp *= 2', 'r1 = r10\nr1 *= 2\nr0 = 0\nexit', reject('pointer arithmetic with *= operator prohibited')),
  xdp('fp /= 2', 'r1 = r10\nr1 /= 2\nr0 = 0\nexit', reject('pointer arithmetic with /= operator prohibited')),
  xdp('fp &= mask', 'r1 = r10\nr1 &= -8\nr0 = 0\nexit', reject('bitwise operator &= on pointer prohibited')),
  xdp('fp |= 1', 'r1 = r10\nr1 |= 1\nr0 = 0\nexit', reject('bitwise operator |= on pointer prohibited')),
  xdp('fp <<= 1', 'r1 = r10\nr1 <<= 1\nr0 = 0\nexit', reject('pointer arithmetic with <<= operator prohibited')),
  xdp('32-bit add on fp', 'r1 = r10\nw1 += -8\nr0 = 0\nexit', reject('32-bit pointer arithmetic prohibited')),
  xdp('32-bit move of fp', 'w0 = w10\nexit', accept, 'root: a partial copy of a pointer is an unknown scalar'),
  xdp('fp minus fp', 'r0 = r10\nr1 = r10\nr1 += -8\nr0 -= r1\nexit', accept, 'root: pointer minus pointer of the same kind is a scalar'),
  xdp('scalar minus fp', 'r0 = 8\nr0 -= r10\nexit', reject('tried to subtract pointer from scalar')),
  xdp('fp plus fp', 'r1 = r10\nr1 += r10\nr0 = 0\nexit', reject('pointer += pointer prohibited')),
  xdp('ctx += constant then read', 'r1 += 4\nr0 = *(u32 *)(r1 + 0)\nexit', reject('dereference of modified ctx ptr')),
  xdp('ctx plus unknown scalar is allowed until used', 'r2 = *(u32 *)(r1 + 16)\nr1 += r2\nr0 = 0\nexit', accept),
  xdp('read through ctx plus unknown scalar', 'r2 = *(u32 *)(r1 + 16)\nr1 += r2\nr0 = *(u32 *)(r1 + 0)\nexit', reject('variable ctx access')),
  xdp('neg of fp', 'r1 = r10\nr1 = -r1\nr0 = 0\nexit', accept, 'root: the result is an unknown scalar'),
  xdp('neg of fp then dereference', 'r1 = r10\nr1 = -r1\nr0 = *(u64 *)(r1 + 0)\nexit', reject("R1 invalid mem access 'scalar'")),
  xdp('bswap of fp', 'r1 = r10\nr1 = be64 r1\nr0 = 0\nexit', accept, 'root: the result is an unknown scalar'),
  {
    name: 'map_value_or_null += constant',
    section: 'xdp',
    maps: [HASH8],
    body: `${lookup0('m')}\nr0 += 4\nif r0 == 0 goto out\nr1 = *(u32 *)(r0 + 0)\nout:\nr0 = 0\nexit`,
    expect: reject('pointer arithmetic on map_value_or_null prohibited, null-check it first'),
  },
  {
    name: 'map_value += constant after null check',
    section: 'xdp',
    maps: [ARRAY8],
    body: `${lookup0('m')}\nif r0 == 0 goto out\nr0 += 4\nr1 = *(u32 *)(r0 + 0)\nout:\nr0 = 0\nexit`,
    expect: accept,
  },
  {
    name: 'map pointer += constant',
    section: 'xdp',
    maps: [ARRAY8],
    body: 'r1 = m ll\nr1 += 8\nr0 = 0\nexit',
    expect: reject('pointer arithmetic on map_ptr prohibited'),
  },
  {
    name: 'map pointer 32-bit move',
    section: 'xdp',
    maps: [ARRAY8],
    body: 'r1 = m ll\nw0 = w1\nexit',
    expect: accept,
  },
];

export const ALU = topic('alu', [...divZero, ...shifts, ...scalars, ...pointers]);
