// The stack: r10 is read-only, 512 bytes below it are the frame, accesses are always aligned,
// pointers and scalars survive spills, and privileged programs may use variable offsets.

import { accept, reject, topic, ARRAY64, lookup0, type Case } from './build.ts';

const xdp = (name: string, body: string, expect: Case['expect'], note?: string): Case => ({ name, section: 'xdp', body, expect, ...(note ? { note } : {}) });

const bounds: Case[] = [
  xdp('store u64 at fp-8', '*(u64 *)(r10 - 8) = 1\nr0 = 0\nexit', accept),
  xdp('store u64 at fp-512', '*(u64 *)(r10 - 512) = 1\nr0 = 0\nexit', accept),
  xdp('store u64 at fp-520', '*(u64 *)(r10 - 520) = 1\nr0 = 0\nexit', reject('invalid write to stack R10 off=-520 size=8')),
  xdp('store u8 at fp-513', '*(u8 *)(r10 - 513) = 1\nr0 = 0\nexit', reject('invalid write to stack R10 off=-513 size=1')),
  xdp('store u8 at fp-512', '*(u8 *)(r10 - 512) = 1\nr0 = 0\nexit', accept),
  xdp('store u64 at fp+0', '*(u64 *)(r10 + 0) = 1\nr0 = 0\nexit', reject('invalid write to stack R10 off=0 size=8')),
  xdp('store u32 at fp-4', '*(u32 *)(r10 - 4) = 1\nr0 = 0\nexit', accept),
  xdp('store u64 at fp-4 crosses the top', '*(u64 *)(r10 - 4) = 1\nr0 = 0\nexit', reject('misaligned stack access off 0+0+-4 size 8')),
  xdp('load u64 at fp+8', 'r0 = *(u64 *)(r10 + 8)\nexit', reject('invalid read from stack R10 off=8 size=8')),
  xdp('load u32 at fp-516', 'r0 = *(u32 *)(r10 - 516)\nexit', reject('invalid read from stack')),
  xdp('misaligned u64 store at fp-7', '*(u64 *)(r10 - 7) = 1\nr0 = 0\nexit', reject('misaligned stack access off')),
  xdp('misaligned u32 store at fp-6', '*(u32 *)(r10 - 6) = 1\nr0 = 0\nexit', reject('misaligned stack access off')),
  xdp('aligned u16 store at fp-2', '*(u16 *)(r10 - 2) = 1\nr0 = 0\nexit', accept),
  xdp('misaligned u16 load at fp-3', '*(u64 *)(r10 - 8) = 0\nr0 = *(u16 *)(r10 - 3)\nexit', reject('misaligned stack access off')),
  xdp('store through fp copy with offset', 'r1 = r10\nr1 += -64\n*(u64 *)(r1 + 56) = 3\nr0 = *(u64 *)(r10 - 8)\nexit', accept),
  xdp('store through fp copy past the frame', 'r1 = r10\nr1 += -512\n*(u64 *)(r1 - 8) = 3\nr0 = 0\nexit', reject('invalid write to stack')),
  xdp('fp copy moved above the frame then stored', 'r1 = r10\nr1 += 8\n*(u64 *)(r1 - 16) = 3\nr0 = 0\nexit', accept, 'only the final address counts'),
];

const r10: Case[] = [
  xdp('assign r10', 'r10 = 0\nr0 = 0\nexit', reject('frame pointer is read only')),
  xdp('add to r10', 'r10 += -8\nr0 = 0\nexit', reject('frame pointer is read only')),
  xdp('32-bit move into w10', 'w10 = 1\nr0 = 0\nexit', reject('frame pointer is read only')),
  xdp('load into r10', '*(u64 *)(r10 - 8) = 0\nr10 = *(u64 *)(r10 - 8)\nr0 = 0\nexit', reject('frame pointer is read only')),
  xdp('neg r10', 'r10 = -r10\nr0 = 0\nexit', reject('frame pointer is read only')),
  xdp('ld_imm64 into r10', 'r10 = 0x1234 ll\nr0 = 0\nexit', reject('frame pointer is read only')),
  xdp('spill r10 to its own frame', '*(u64 *)(r10 - 8) = r10\nr0 = 0\nexit', accept),
];

const variable: Case[] = [
  xdp('variable-offset stack write within frame', 'r2 = *(u32 *)(r1 + 16)\nr2 &= 7\nr1 = r10\nr1 += -16\nr1 += r2\n*(u8 *)(r1 + 0) = 0\nr0 = 0\nexit', accept),
  xdp('variable-offset stack read within frame', '*(u64 *)(r10 - 16) = 0\n*(u64 *)(r10 - 8) = 0\nr2 = *(u32 *)(r1 + 16)\nr2 &= 7\nr1 = r10\nr1 += -16\nr1 += r2\nr0 = *(u8 *)(r1 + 0)\nexit', accept),
  xdp('variable-offset stack write reaching fp+0', 'r2 = *(u32 *)(r1 + 16)\nr2 &= 15\nr1 = r10\nr1 += -8\nr1 += r2\n*(u8 *)(r1 + 0) = 0\nr0 = 0\nexit', reject('invalid variable-offset write to stack R1')),
  xdp('variable-offset stack write below the frame', 'r2 = *(u32 *)(r1 + 16)\nr2 &= 1023\nr1 = r10\nr1 += -1024\nr1 += r2\n*(u8 *)(r1 + 0) = 0\nr0 = 0\nexit', reject('invalid variable-offset write to stack R1')),
  xdp('fp plus unbounded 64-bit scalar', 'call bpf_ktime_get_ns\nr1 = r10\nr1 += r0\nr0 = 0\nexit', reject('math between fp pointer and register with unbounded min value is not allowed')),
  xdp('fp minus unknown u32 then write', 'r2 = *(u32 *)(r1 + 16)\nr1 = r10\nr1 -= r2\n*(u8 *)(r1 - 1) = 0\nr0 = 0\nexit', reject('R1 subtraction from stack pointer prohibited')),
];

const spills: Case[] = [
  xdp('spill and fill ctx then read a field', '*(u64 *)(r10 - 8) = r1\nr2 = *(u64 *)(r10 - 8)\nr0 = *(u32 *)(r2 + 16)\nexit', accept),
  xdp('spill ctx then overwrite one byte and deref', '*(u64 *)(r10 - 8) = r1\n*(u8 *)(r10 - 8) = 0\nr2 = *(u64 *)(r10 - 8)\nr0 = *(u32 *)(r2 + 16)\nexit', reject("R2 invalid mem access 'scalar'")),
  xdp('spill ctx and fill 32 bits then deref', '*(u64 *)(r10 - 8) = r1\nr2 = *(u32 *)(r10 - 8)\nr0 = *(u32 *)(r2 + 16)\nexit', reject('invalid size of register fill')),
  xdp('spill fp and fill then store through it', '*(u64 *)(r10 - 8) = r10\nr1 = *(u64 *)(r10 - 8)\n*(u64 *)(r1 - 16) = 0\nr0 = 0\nexit', accept),
  xdp('spill ctx to misaligned slot', '*(u64 *)(r10 - 12) = r1\nr0 = 0\nexit', reject('misaligned stack access')),
  xdp('fill spilled scalar keeps its constant', 'r1 = 42\n*(u64 *)(r10 - 8) = r1\nr0 = *(u64 *)(r10 - 8)\nr0 /= 0\nexit', reject('div by zero'), 'the divide is by a constant: rejected however r0 came'),
  {
    name: 'spilled constant index stays bounded',
    section: 'xdp',
    maps: [ARRAY64],
    body: `${lookup0('m')}\nif r0 == 0 goto out\nr1 = 56\n*(u64 *)(r10 - 16) = r1\nr1 = *(u64 *)(r10 - 16)\nr0 += r1\nr0 = *(u64 *)(r0 + 0)\nout:\nr0 = 0\nexit`,
    expect: accept,
  },
  {
    name: 'spilled constant index out of value bounds',
    section: 'xdp',
    maps: [ARRAY64],
    body: `${lookup0('m')}\nif r0 == 0 goto out\nr1 = 60\n*(u64 *)(r10 - 16) = r1\nr1 = *(u64 *)(r10 - 16)\nr0 += r1\nr0 = *(u64 *)(r0 + 0)\nout:\nr0 = 0\nexit`,
    expect: reject('invalid access to map value, value_size=64 off=60 size=8'),
  },
  {
    name: 'spilled 32-bit constant stays bounded',
    section: 'xdp',
    maps: [ARRAY64],
    body: `${lookup0('m')}\nif r0 == 0 goto out\nw1 = 8\n*(u32 *)(r10 - 16) = w1\nr1 = *(u32 *)(r10 - 16)\nr0 += r1\nr0 = *(u64 *)(r0 + 0)\nout:\nr0 = 0\nexit`,
    expect: accept,
  },
  {
    name: 'spilled bounded scalar keeps its bounds',
    section: 'xdp',
    maps: [ARRAY64],
    body: `r6 = *(u32 *)(r1 + 16)\nr6 &= 31\n*(u64 *)(r10 - 16) = r6\n${lookup0('m')}\nif r0 == 0 goto out\nr1 = *(u64 *)(r10 - 16)\nr0 += r1\nr0 = *(u64 *)(r0 + 0)\nout:\nr0 = 0\nexit`,
    expect: accept,
  },
  {
    name: 'stack bytes written separately lose the bounds',
    section: 'xdp',
    maps: [ARRAY64],
    body: `*(u32 *)(r10 - 16) = 8\n*(u32 *)(r10 - 12) = 0\n${lookup0('m')}\nif r0 == 0 goto out\nr1 = *(u64 *)(r10 - 16)\nr0 += r1\nr0 = *(u64 *)(r0 + 0)\nout:\nr0 = 0\nexit`,
    expect: reject('math between map_value pointer and register with unbounded min value is not allowed'),
  },
];

export const STACK = topic('stack', [...bounds, ...r10, ...variable, ...spills]);
