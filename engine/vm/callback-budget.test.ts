// The instruction count and budget inside helper-driven callbacks (what bpf_loop and
// bpf_for_each_map_elem do with vm.invokeCallback), in both tiers: the count includes every
// callback instruction, a budget stops a callback without jumps as promptly as a runaway
// loop, and a fault inside a callback keeps the instructions it ran.

import { describe, expect, it } from 'vitest';
import type { Insn } from '../isa/index.ts';
import { createRawVm } from './raw.ts';
import type { Vm, VmHost } from './vm.ts';

const LOOP = 181;

const mov = (dst: number, imm: number): Insn => ({ kind: 'alu', width: 64, op: 'mov', dst, src: { type: 'imm', imm } });
const movr = (dst: number, src: number): Insn => ({ kind: 'alu', width: 64, op: 'mov', dst, src: { type: 'reg', reg: src } });
const helper = (imm: number): Insn => ({ kind: 'call', target: 'helper', imm, off: 0 });
const exit: Insn = { kind: 'exit' };

/**
 * A host whose helper 181 is a bare bpf_loop: r1 iterations of the function at pc r2 (a plain
 * pc here, not an address), stopping early on a non-zero r0, returning the iterations run.
 */
const loopHost: VmHost = {
  helper(id, vm, pc) {
    if (id !== LOOP) return vm.fail(pc, 'helper', `pc ${pc}: helper ${id} is not in this test`);
    const n = vm.regLo(1) >>> 0;
    const target = vm.regLo(2);
    for (let i = 0; i < n; i++) {
      const r = vm.invokeCallback(pc, target, [BigInt(i), 0n]);
      if (r === false) return false;
      if (r !== 0n) {
        vm.setReg(0, BigInt(i + 1));
        return true;
      }
    }
    vm.setReg(0, BigInt(n));
    return true;
  },
  kfunc: (_id, _off, vm, pc) => vm.fail(pc, 'kfunc', `pc ${pc}: no kfuncs in this test`),
};

interface Outcome {
  readonly status: string;
  readonly count: number;
  readonly pc: number;
  readonly r0: bigint;
  readonly fault: Vm['faultInfo'];
}

function run(insns: readonly Insn[], compile: boolean, maxInsns?: number): Outcome {
  const vm = createRawVm(insns, { host: loopHost, compile, ...(maxInsns ? { maxInsns } : {}) });
  const status = vm.run();
  return { status, count: vm.count, pc: vm.pc, r0: vm.reg(0), fault: vm.faultInfo };
}

/** Both tiers, which must agree on everything. */
function tiers(insns: readonly Insn[], maxInsns?: number): Outcome {
  const compiled = run(insns, true, maxInsns);
  expect(compiled).toEqual(run(insns, false, maxInsns));
  return compiled;
}

/** main: bpf_loop(nr, pc 4); exit. The callback starts at pc 4. */
const main = (nr: number): Insn[] => [mov(1, nr), mov(2, 4), helper(LOOP), exit];
const BUDGET = 'instruction budget exhausted: 1,000 instructions executed without reaching exit (an endless loop?)';

describe('callbacks run by a helper: count and budget, both tiers', () => {
  it('counts every callback instruction: 10 iterations of a 2-instruction callback', () => {
    const r = tiers([...main(10), mov(0, 0), exit]);
    expect(r).toMatchObject({ status: 'exited', r0: 10n });
    // main: mov, mov, call, exit; the callback: 10 × (mov, exit).
    expect(r.count).toBe(4 + 10 * 2);
  });

  it('stops a callback without jumps at the budget, with the runaway-loop message and the true count', () => {
    // 100,000 iterations: 200,000 instructions, far past a budget of 1,000.
    const r = tiers([...main(100_000), mov(0, 0), exit], 1000);
    expect(r.status).toBe('fault');
    expect(r.fault).toMatchObject({ kind: 'budget', pc: 2, message: BUDGET });
    // 2 instructions before the call, then 2 per iteration: the first count past 1,000.
    expect(r.count).toBe(1002);
    expect(r.pc).toBe(2);
  });

  it('stops nested callbacks (a callback calling the loop helper again) at the budget', () => {
    // The outer callback at pc 4 loops over the inner one at pc 9, 1,000,000 times each.
    const prog = [...main(1_000_000), mov(1, 1_000_000), mov(2, 9), helper(LOOP), mov(0, 0), exit, mov(0, 0), exit];
    const r = tiers(prog, 1000);
    expect(r.fault).toMatchObject({ kind: 'budget', message: BUDGET });
    // Outer: 2 before the call, 2 set-up instructions; inner: 2 per iteration.
    expect(r.count).toBe(1002);
  });

  it('counts nested callbacks exactly when they finish: 3 outer × 4 inner iterations', () => {
    const prog = [...main(3), mov(1, 4), mov(2, 9), helper(LOOP), mov(0, 0), exit, mov(0, 0), exit];
    const r = tiers(prog);
    expect(r).toMatchObject({ status: 'exited', r0: 3n });
    // main 4; each outer iteration: mov, mov, call, mov, exit and 4 inner × 2.
    expect(r.count).toBe(4 + 3 * (5 + 4 * 2));
  });

  it('keeps the instructions a callback ran before it faulted', () => {
    // Iterations 0 and 1 return 0 (4 instructions each); iteration 2 reads address 0.
    const cb: Insn[] = [mov(3, 0), { kind: 'jcond', width: 64, cond: 'jne', dst: 1, src: { type: 'imm', imm: 2 }, off: 1 }, { kind: 'load', size: 8, signExtend: false, dst: 0, base: 3, off: 0 }, mov(0, 0), exit];
    const r = tiers([...main(5), ...cb]);
    expect(r.status).toBe('fault');
    expect(r.fault).toMatchObject({ kind: 'memory', pc: 6 });
    // 2 before the call, 4 + 4, then mov and the untaken jump (the faulting load does not complete).
    expect(r.count).toBe(2 + 4 + 4 + 2);
    expect(r.pc).toBe(2);
  });

  it('pauses a sliced run only between helper calls, and the budget still holds', () => {
    const prog = [mov(6, 0), ...[mov(1, 300), mov(2, 9), helper(LOOP)], { kind: 'alu', width: 64, op: 'add', dst: 6, src: { type: 'imm', imm: 1 } } as Insn, { kind: 'jcond', width: 64, cond: 'jne', dst: 6, src: { type: 'imm', imm: 1000 }, off: -5 } as Insn, movr(0, 6), exit, exit, mov(0, 0), exit];
    const sliced = (compile: boolean): unknown[] => {
      const vm = createRawVm(prog, { host: loopHost, compile, maxInsns: 5000 });
      const seen: unknown[] = [];
      for (let i = 0; i < 100; i++) {
        const status = vm.run(50);
        seen.push([status, vm.pc, vm.count]);
        if (status !== 'paused') break;
      }
      seen.push(vm.faultInfo);
      return seen;
    };
    const compiled = sliced(true);
    expect(compiled).toEqual(sliced(false));
    expect(compiled.at(-1)).toMatchObject({ kind: 'budget' });
    const last = compiled.at(-2) as [string, number, number];
    expect(last[0]).toBe('fault');
    expect(last[2]).toBeGreaterThan(5000);
    expect(last[2]).toBeLessThanOrEqual(5002);
  });
});
