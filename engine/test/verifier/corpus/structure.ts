// The shape of a program: jumps must land on instructions of their own function and not in the
// middle of an ld_imm64, every instruction must be reachable, every function must end in exit
// or a jump.

import { accept, reject, topic, type Case } from './build.ts';

const xdp = (name: string, body: string, expect: Case['expect'], note?: string): Case => ({ name, section: 'xdp', body, expect, ...(note ? { note } : {}) });

export const STRUCTURE = topic('structure', [
  xdp('jump past the end', 'r0 = 0\ngoto +5\nexit', reject('jump out of range from insn 1 to 7')),
  xdp('jump before the start', 'r0 = 0\ngoto -3\nexit', reject('jump out of range from insn 1 to -1')),
  xdp('conditional jump past the end', 'r0 = 0\nif r0 == 0 goto +3\nexit', reject('jump out of range from insn 1 to 5')),
  xdp('jump into the middle of ld_imm64', 'r0 = 0\nif r1 == 0 goto +1\nr1 = 0x100000000 ll\nexit', reject('jump into the middle of ldimm64')),
  xdp('jump over an ld_imm64 leaves it unreachable', 'r0 = 0\ngoto +1\nr1 = 0x100000000 ll\nexit', reject('unreachable insn 2')),
  xdp('ld_imm64 of a 64-bit constant', 'r0 = 0x123456789 ll\nr0 >>= 32\nexit', accept),
  xdp('unreachable instruction after exit', 'r0 = 0\nexit\nr0 = 1\nexit', reject('unreachable insn 2')),
  xdp('unreachable instruction after goto', 'r0 = 0\ngoto l\nr0 = 1\nl:\nexit', reject('unreachable insn 2')),
  xdp('last instruction is not exit', 'r0 = 0\nexit\nl:\nr0 = 1', reject('last insn is not an exit or jmp')),
  xdp('program falls off its end', 'r0 = 0\nr0 += 1', reject('last insn is not an exit or jmp')),
  xdp('last instruction is a conditional jump', 'r0 = 0\nl:\nif r0 == 0 goto l', reject('last insn is not an exit or jmp')),
  xdp('last instruction is a backward goto', 'r0 = 0\nif r0 == 0 goto e\nl:\ngoto l\ne:\nexit', accept, 'the loop is dead code the verifier never walks'),
  xdp('jump into another function', 'r0 = 0\ncall f\ngoto inner\nf:\nr0 = 1\ninner:\nexit', reject('jump out of range')),
  xdp('function falls into the next', 'call f\nexit\nf:\nr0 = 1\ng:\nr0 = 2\nexit', accept, 'g is a label, not a function: f ends at the exit'),
  xdp('called function falls off the program end', 'call f\nexit\nf:\nr0 = 1', reject('last insn is not an exit or jmp')),
  xdp('call to an address past the end', 'call 0x7fff\nr0 = 0\nexit', reject('invalid func unknown#32767')),
  xdp('unconditional jump to the next instruction', 'r0 = 0\ngoto +0\nexit', accept),
  xdp('conditional jump to the next instruction', 'r0 = 0\nif r1 == 0 goto +0\nexit', accept),
  xdp('single exit with r0 from ld_imm64', 'r0 = 0xffffffffffffffff ll\nexit', accept),
  xdp('long program of straight-line moves', Array.from({ length: 200 }, (_, i) => `r${i % 9} = ${i}`).join('\n') + '\nexit', accept),
]);
