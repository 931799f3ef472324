// Tiny programs, one per structural refusal (and a few the structure checks let through), with
// the answer Linux gives: shared by the unit tests and the tests that ask the running kernel.

import type { Insn } from '../isa/index.ts';

export interface StructureCase {
  readonly name: string;
  readonly insns: readonly Insn[];
  /** The pc checkStructure names, when it refuses. */
  readonly pc?: number;
  /** The kernel's message (the last line of its log), or undefined when the structure is fine. */
  readonly message?: string;
}

const mov = (dst: number, imm: number): Insn => ({ kind: 'alu', width: 64, op: 'mov', dst, src: { type: 'imm', imm } });
const exit: Insn = { kind: 'exit' };
const ja = (off: number): Insn => ({ kind: 'ja', long: false, off });
const jeq = (off: number, width: 32 | 64 = 64): Insn => ({ kind: 'jcond', width, cond: 'jeq', dst: 0, src: { type: 'imm', imm: 0 }, off });
const call = (imm: number): Insn => ({ kind: 'call', target: 'local', imm, off: 0 });
const ld = (pseudo = 0, imm = 0, imm2 = 0): Insn => ({ kind: 'ldimm64', dst: 2, pseudo, imm, imm2 });

export const STRUCTURE_CASES: readonly StructureCase[] = [
  // add_subprog_and_kfunc
  { name: 'call past the end', insns: [mov(0, 0), call(10), exit], pc: 1, message: 'call to invalid destination' },
  { name: 'call before the start', insns: [mov(0, 0), call(-10), exit], pc: 1, message: 'call to invalid destination' },
  { name: 'function pointer past the end', insns: [ld(4, 10), mov(0, 0), exit], pc: 0, message: 'call to invalid destination' },
  // check_subprogs
  { name: 'goto past the end', insns: [mov(0, 0), ja(5), exit], pc: 1, message: 'jump out of range from insn 1 to 7' },
  { name: 'goto before the start', insns: [mov(0, 0), ja(-5), exit], pc: 1, message: 'jump out of range from insn 1 to -3' },
  { name: 'gotol past the end', insns: [{ kind: 'ja', long: true, off: 100 }, mov(0, 0), exit], pc: 0, message: 'jump out of range from insn 0 to 101' },
  { name: 'jmp32 past the end', insns: [mov(0, 0), jeq(9, 32), exit], pc: 1, message: 'jump out of range from insn 1 to 11' },
  { name: 'goto into the calling function', insns: [mov(0, 0), call(1), exit, mov(0, 1), ja(-3), exit], pc: 4, message: 'jump out of range from insn 4 to 2' },
  { name: 'falls off the end', insns: [mov(0, 0), exit, mov(0, 1)], pc: 2, message: 'last insn is not an exit or jmp' },
  { name: 'ends with an ldimm64', insns: [mov(0, 0), exit, ld()], pc: 3, message: 'last insn is not an exit or jmp' },
  { name: 'ends with a call', insns: [mov(0, 0), call(-2)], pc: 1, message: 'last insn is not an exit or jmp' },
  { name: 'a function runs into the next', insns: [mov(0, 0), call(2), exit, mov(0, 1), mov(0, 0), exit], pc: 3, message: 'last insn is not an exit or jmp' },
  { name: 'a call into the second slot of an ldimm64', insns: [mov(0, 0), call(1), ld(), exit], pc: 2, message: 'last insn is not an exit or jmp' },
  // resolve_pseudo_ldimm64
  { name: 'map fd with a second imm', insns: [ld(1, 0, 5), mov(0, 0), exit], pc: 0, message: 'unrecognized bpf_ld_imm64 insn' },
  // check_cfg
  { name: 'dead exit', insns: [mov(0, 0), exit, exit], pc: 2, message: 'unreachable insn 2' },
  { name: 'endless goto, dead exit', insns: [mov(0, 0), ja(-1), exit], pc: 2, message: 'unreachable insn 2' },
  { name: 'a function only a dead call reaches', insns: [mov(0, 0), exit, call(-1), exit], pc: 2, message: 'unreachable insn 2' },
  { name: 'jump into an ldimm64', insns: [mov(0, 0), jeq(1), ld(), exit], pc: 1, message: 'jump into the middle of ldimm64 insn 2' },
  { name: 'jump over an ldimm64 into its second slot', insns: [ja(1), ld(), exit], pc: 1, message: 'unreachable insn 1' },
  // let through: loops and recursion are do_check's to judge for a privileged loader
  { name: 'a loop (bounded loops for CAP_BPF)', insns: [mov(0, 0), jeq(-2), exit] },
  { name: 'recursion', insns: [mov(0, 0), call(1), exit, call(-1), exit] },
  { name: 'a function pointer and a call', insns: [ld(4, 4), call(4), mov(0, 0), exit, mov(0, 0), exit, mov(0, 1), exit] },
];
