// may_goto and addr_space_cast (Linux 6.9, outside RFC 9669) in both tiers: may_goto's hidden
// budget per frame (BPF_MAX_LOOPS, set at each frame's start), addr_space_cast as the 32-bit
// mov Linux runs when no arena gives a user_vm_start.

import { describe, expect, it } from 'vitest';
import { BPF_MAX_LOOPS, encodeProgram, type Insn } from '../isa/index.ts';
import { runRaw } from './raw.ts';

function run(insns: Insn[], compile: boolean, maxInsns = 10_000_000): { r0: bigint; insns: number } | string {
  const r = runRaw(encodeProgram(insns), { compile, maxInsns });
  return r.ok ? { r0: r.r0, insns: r.insns } : r.error;
}

const movImm = (dst: number, imm: number): Insn => ({ kind: 'alu', width: 64, op: 'mov', dst, src: { type: 'imm', imm } });
const movReg = (dst: number, src: number): Insn => ({ kind: 'alu', width: 64, op: 'mov', dst, src: { type: 'reg', reg: src } });
const addImm = (dst: number, imm: number): Insn => ({ kind: 'alu', width: 64, op: 'add', dst, src: { type: 'imm', imm } });
const addReg = (dst: number, src: number): Insn => ({ kind: 'alu', width: 64, op: 'add', dst, src: { type: 'reg', reg: src } });
const mayGoto = (off: number): Insn => ({ kind: 'may_goto', off });
const goto = (off: number): Insn => ({ kind: 'ja', long: false, off });
const exit: Insn = { kind: 'exit' };

// r0 = 0; top: may_goto out; r0 += 1; goto top; out: exit
const LOOP: Insn[] = [movImm(0, 0), mayGoto(2), addImm(0, 1), goto(-3), exit];

describe.each([true, false])('compiled tier %s', (compile) => {
  it('may_goto falls through BPF_MAX_LOOPS (8M) times, then jumps', () => {
    expect(BPF_MAX_LOOPS).toBe(8 * 1024 * 1024);
    // r0 = 0, then 8M rounds of three, the may_goto that jumps, and the exit.
    expect(run(LOOP, compile, 30_000_000)).toEqual({ r0: BigInt(BPF_MAX_LOOPS), insns: 1 + 3 * BPF_MAX_LOOPS + 2 });
  });
  it('gives each call frame a budget of its own, and a spent one stays spent', () => {
    const program: Insn[] = [
      movImm(6, 0),
      mayGoto(2), // top: spend main's budget, counting in r6
      addImm(6, 1),
      goto(-3),
      { kind: 'call', target: 'local', imm: 6, off: 0 }, // f at 11
      movReg(7, 0),
      mayGoto(1), // main's budget is spent: jumps over the + 100
      addImm(6, 100),
      movReg(0, 6),
      addReg(0, 7),
      exit,
      movImm(0, 7), // f: a fresh budget, so its may_goto falls through to r0 = 9
      mayGoto(1),
      movImm(0, 9),
      exit,
    ];
    const r = run(program, compile, 30_000_000);
    expect(typeof r === 'string' ? r : r.r0).toBe(BigInt(BPF_MAX_LOOPS) + 9n);
  });
  it('is a no-op at +0, and a loop is still bounded by the instruction budget', () => {
    expect(run([movImm(0, 5), mayGoto(0), exit], compile)).toEqual({ r0: 5n, insns: 3 });
    expect(run(LOOP, compile, 1_000_000)).toMatch(/budget|instructions/);
  });
  it('addr_space_cast keeps the low 32 bits, zero-extended, both ways and for any pair', () => {
    const lddw = (imm: number, imm2: number): Insn => ({ kind: 'ldimm64', dst: 1, pseudo: 0, imm, imm2 });
    for (const [dstAs, srcAs] of [[0, 1], [1, 0], [7, 7]] as const) {
      const cast: Insn = { kind: 'addr_space_cast', dst: 0, src: 1, dstAs, srcAs };
      expect(run([lddw(0x55667788, 0x11223344), cast, exit], compile)).toMatchObject({ r0: 0x55667788n });
      expect(run([lddw(-0x80000000, -1), cast, exit], compile)).toMatchObject({ r0: 0x80000000n });
    }
  });
});
