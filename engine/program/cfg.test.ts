// The control-flow module and the structure checks on tiny programs: successors, call edges,
// subprograms, and each of the kernel's structural refusals in its order (the kernel's own
// answers to the same programs are in engine/test/kernel/structure-kernel.test.ts).

import { describe, expect, it } from 'vitest';
import { decodeProgram, encodeProgram, type Insn } from '../isa/index.ts';
import { buildCfg, CFG_CALL, CFG_JUMP_TARGET, CFG_LDIMM64_TAIL, cfgOf, subprogramAt, successors } from './cfg.ts';
import { checkFramePointerWrites, checkRunnable, checkStructure, MAX_SUBPROGS } from './structure.ts';
import { STRUCTURE_CASES } from './structure-cases.ts';

const mov = (dst: number, imm: number): Insn => ({ kind: 'alu', width: 64, op: 'mov', dst, src: { type: 'imm', imm } });
const exit: Insn = { kind: 'exit' };
const ja = (off: number): Insn => ({ kind: 'ja', long: false, off });
const jeq = (off: number): Insn => ({ kind: 'jcond', width: 64, cond: 'jeq', dst: 1, src: { type: 'imm', imm: 0 }, off });
const call = (imm: number): Insn => ({ kind: 'call', target: 'local', imm, off: 0 });
const helper = (imm: number): Insn => ({ kind: 'call', target: 'helper', imm, off: 0 });
const func = (dst: number, imm: number): Insn => ({ kind: 'ldimm64', dst, pseudo: 4, imm, imm2: 0 });

/** The decoded form (null in the second slot of each ldimm64), as the loader sees it. */
const program = (insns: readonly Insn[]): (Insn | null)[] => {
  const d = decodeProgram(encodeProgram(insns));
  expect(d.errors).toEqual([]);
  return [...d.insns];
};

describe('control flow', () => {
  it('gives each pc its successors in the kernel walk order, and calls their callee apart', () => {
    // 0: if r1 == 0 goto 3; 1: call 5; 2: goto 4; 3: r0 = 1 ll (3-4); 5: exit; 6: r0 = 0 (callee); 7: exit
    const insns = program([jeq(2), call(4), ja(2), { kind: 'ldimm64', dst: 0, pseudo: 0, imm: 1, imm2: 0 }, exit, mov(0, 0), exit]);
    const cfg = buildCfg(insns);
    expect(insns.map((_, pc) => successors(cfg, pc))).toEqual([[1, 3], [2], [5], [5], [5], [], [7], []]);
    expect([...cfg.callee].map((c) => (Number.isNaN(c) ? null : c))).toEqual([null, 6, null, null, null, null, null, null]);
    expect([...cfg.jumpTargets]).toEqual([3, 5]);
    expect(cfg.flags[1]! & CFG_CALL).toBeTruthy();
    expect(cfg.flags[4]! & CFG_LDIMM64_TAIL).toBeTruthy();
    expect(cfg.flags[3]! & CFG_JUMP_TARGET).toBeTruthy();
  });

  it('finds subprograms at pc 0, call targets and function pointers (BPF_PSEUDO_FUNC)', () => {
    // 0: call 4; 1-2: r2 = fn@6 ll; 3: exit; 4: r0 = 0; 5: exit; 6: r0 = 1; 7: exit
    const insns = program([call(3), func(2, 4), exit, mov(0, 0), exit, mov(0, 1), exit]);
    const cfg = buildCfg(insns);
    expect([...cfg.subprogStarts]).toEqual([0, 4, 6]);
    expect([...cfg.subprogEnds]).toEqual([4, 6, 8]);
    expect([...cfg.subprogOf]).toEqual([0, 0, 0, 0, 1, 1, 2, 2]);
    expect(subprogramAt(cfg, 5)).toEqual({ index: 1, start: 4, end: 6 });
    expect(subprogramAt(cfg, 8)).toBeUndefined();
    expect(checkStructure(insns)).toEqual([]);
  });

  it('keeps targets as written when they leave the program, and marks only in-range ones', () => {
    const cfg = buildCfg(program([{ kind: 'ja', long: true, off: 0x7fffffff }, exit]));
    expect(cfg.jump[0]).toBe(0x80000000);
    expect([...cfg.jumpTargets]).toEqual([]);
    expect(successors(cfg, 0)).toEqual([0x80000000]);
  });

  it('remembers the flow of a program array, and is quick on a 131,072-slot program', () => {
    const insns = program([...Array.from({ length: 131_071 }, (_, i) => (i % 3 === 0 && i < 131_000 ? jeq(1) : mov(0, i))), exit]);
    const t = performance.now();
    const cfg = cfgOf(insns);
    expect(checkStructure(insns, {}, cfg)).toEqual([]);
    expect(performance.now() - t).toBeLessThan(1000);
    expect(cfgOf(insns)).toBe(cfg);
    expect(cfg.subprogStarts.length).toBe(1);
  });
});

describe('structure checks, one kernel message each', () => {
  for (const c of STRUCTURE_CASES) {
    it(`${c.name}: ${c.message ?? 'accepted'}`, () => {
      const expected = c.message === undefined ? [] : [{ pc: c.pc, message: c.message }];
      expect(checkStructure(program(c.insns))).toEqual(expected);
    });
  }

  it('refuses back-edges only for a loader without CAP_BPF (push_insn)', () => {
    const loop = program([mov(0, 0), jeq(-2), exit]);
    expect(checkStructure(loop)).toEqual([]);
    expect(checkStructure(loop, { bpfCapable: false })).toEqual([{ pc: 1, message: 'back-edge from insn 1 to 0' }]);
    // A recursive call is a back-edge through the call edge.
    const recursion = program([call(1), exit, call(-1), exit]);
    expect(checkStructure(recursion)).toEqual([]);
    expect(checkStructure(recursion, { bpfCapable: false })).toEqual([{ pc: 2, message: 'back-edge from insn 2 to 2' }]);
  });

  it('counts at most 256 subprograms, the main program included (add_subprog)', () => {
    // k calls at pcs 0..k-1, an exit, then k functions of two instructions.
    const calls = (k: number): (Insn | null)[] => {
      const insns: Insn[] = [];
      for (let i = 0; i < k; i++) insns.push(call(k + i));
      insns.push(exit);
      for (let i = 0; i < k; i++) insns.push(mov(0, 0), exit);
      return program(insns);
    };
    expect(checkStructure(calls(MAX_SUBPROGS - 1))).toEqual([]);
    expect(checkStructure(calls(MAX_SUBPROGS))).toEqual([{ pc: MAX_SUBPROGS - 1, message: 'too many subprograms' }]);
  });

  it('refuses an empty program', () => {
    expect(checkStructure([])).toEqual([{ pc: 0, message: 'the program has no instructions' }]);
  });

  it('names the first write to r10 apart (a do_check refusal the loader makes without the verifier)', () => {
    expect(checkFramePointerWrites(program([mov(0, 0), mov(10, 1), mov(10, 2), exit]))).toEqual([{ pc: 1, message: 'frame pointer is read only' }]);
    expect(checkFramePointerWrites(program([helper(1), exit]))).toEqual([]);
  });

  it('keeps the raw runner to what a program needs to run (unreachable code and loops allowed)', () => {
    expect(checkRunnable(program([mov(0, 0), ja(-1), exit]))).toEqual([]);
    expect(checkRunnable(program([ja(1), { kind: 'ldimm64', dst: 0, pseudo: 0, imm: 1, imm2: 0 }, exit]))).toEqual([
      { pc: 0, message: 'jump into the middle of ldimm64 insn 1' },
    ]);
    expect(checkRunnable(program([call(5), mov(10, 0)]))).toEqual([
      { pc: 0, message: 'call out of range from insn 0 to 6' },
      { pc: 1, message: 'frame pointer is read only' },
      { pc: 1, message: 'last insn is not an exit or jmp' },
    ]);
  });
});
