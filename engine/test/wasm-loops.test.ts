// Counted loops in the WebAssembly tier (engine/vm/wasm-loops.ts): which loops the module gives a
// fast copy — one that asks about the budget and the window once, at the loop's entry, instead of
// at every iteration — and proof that the copy changes no result. The generated loops walk the
// input with every latch the analysis takes, from starts, bounds and budgets chosen to land on
// each edge the entry's test must see: a loop that has not started, one too long to ask about, a
// bound near 2⁶², a budget that runs out inside the loop, an access that leaves the window at
// some iteration, a read-only window under a store.

import { describe, expect, it } from 'vitest';
import { assemble } from '../asm/index.ts';
import { decodeProgram, type Insn } from '../isa/index.ts';
import { createRawVm, type VmTier } from '../vm/index.ts';
import { predecode } from '../vm/interpreter.ts';
import { PERM_READ } from '../vm/memory.ts';
import { countedLoop, type CountedLoop } from '../vm/wasm-loops.ts';
import { Rng } from './kernel/rng.ts';
import { outcome } from './tier-differential.ts';

function program(text: string): readonly (Insn | null)[] {
  const r = assemble(`${text}\n`);
  const bytes = r.sections[0]?.bytes;
  if (!r.ok || !bytes) throw new Error(`does not assemble: ${text}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return decodeProgram(bytes, 4).insns;
}

/** countedLoop for the loop from the label `loop:` to the last backward jump to it. */
function analyse(text: string): CountedLoop | undefined {
  const lines = text.split('\n');
  const insns = program(text);
  const pre = predecode(insns, (_pc, insn) => ({ lo: insn.imm, hi: insn.imm2 }));
  const ops = new Int32Array(insns.length + 1);
  for (let pc = 0; pc <= insns.length; pc++) ops[pc] = pre.code[pc * 8] ?? 0;
  // The label's pc: the slots before it (an lddw takes two).
  let header = 0;
  for (const line of lines.slice(0, lines.indexOf('loop:'))) header += line.endsWith(' ll') ? 2 : 1;
  let latch = -1;
  for (let pc = header; pc < insns.length; pc++) {
    const insn = insns[pc];
    if (insn && insn.kind === 'jcond' && pc + 1 + insn.off === header) latch = pc;
  }
  return countedLoop(ops, pre.code, pre.regs, header, latch);
}

/** pkt_csum's inner loop (../shared/bench/pkt_csum.s). */
const CSUM = ['r6 = r1', 'r3 = 14', 'r4 = 0', 'loop:', 'r5 = r6', 'r5 += r3', 'r1 = *(u16 *)(r5 + 0)', 'r4 += r1', 'r3 += 2', 'if r3 < 1500 goto loop', 'r0 = r4', 'exit'];

describe('counted loops (WebAssembly tier)', () => {
  it('finds the induction register, its step and bound, and the accesses the entry can check for every iteration', () => {
    const loop = analyse(CSUM.join('\n'));
    expect(loop).toBeDefined();
    expect(loop).toMatchObject({ header: 3, latch: 8, iv: 3, compared: 3, lead: 0n, step: 2n, bound: { value: 1500n }, inclusive: false, delta: 6 });
    // The load at pc 5: r6 (not written in the body) + r3 at the iteration's start + 0.
    expect([...(loop?.ranged ?? new Map())]).toEqual([[5, { base: 6, moves: 1, add: 0n, store: false, stack: false, size: 2 }]]);
    // After the step, the address is r6 + r3 + 2 at the iteration's start; a store is ranged too.
    const after = analyse(['r6 = r1', 'r3 = 0', 'loop:', 'r3 += 4', 'r5 = r3', 'r5 += r6', '*(u32 *)(r5 - 4) = r3', 'if r3 <= r7 goto loop', 'exit'].join('\n'));
    expect([...(after?.ranged ?? new Map())]).toEqual([[5, { base: 6, moves: 1, add: 0n, store: true, stack: false, size: 4 }]]);
    expect(after?.bound).toEqual({ reg: 7 });
    expect(after?.inclusive).toBe(true);
    // Counting down, one at a time; a fixed address (moves 0) is ranged as well.
    const down = analyse(['r6 = r1', 'r3 = 9', 'loop:', 'r2 = *(u8 *)(r6 + 3)', 'r0 += r2', 'r3 += -1', 'if r3 != 0 goto loop', 'exit'].join('\n'));
    expect(down).toMatchObject({ step: -1n, bound: { value: 0n } });
    expect([...(down?.ranged ?? new Map())]).toEqual([[2, { base: 6, moves: 0, add: 3n, store: false, stack: false, size: 1 }]]);
    // The latch compares a copy of the induction register: clang's rotated loop, the copy taken
    // before the step (u = iv − 2: the latch sees 0, 2, … while iv is 2, 4, …), or after it.
    const rotated = analyse(['r1 = r6', 'r3 = 0', 'loop:', 'r5 = r3', 'r0 = r1', 'r0 += r5', 'r0 = *(u8 *)(r0 + 0)', 'r3 += 2', 'if r5 < 198 goto loop', 'exit'].join('\n'));
    expect(rotated).toMatchObject({ iv: 3, compared: 5, lead: -2n, step: 2n, bound: { value: 198n } });
    expect([...(rotated?.ranged ?? new Map())]).toEqual([[5, { base: 1, moves: 1, add: 0n, store: false, stack: false, size: 1 }]]);
    expect(analyse(['r3 = 0', 'loop:', 'r3 += 1', 'r4 = r3', 'if r4 < 9 goto loop', 'exit'].join('\n'))).toMatchObject({ iv: 3, compared: 4, lead: 0n });
    // A stack access (its base from r10) is checked against the stack window.
    const stack = analyse(['r3 = 0', 'loop:', 'r5 = r10', 'r5 += r3', 'r1 = *(u64 *)(r5 - 512)', 'r3 += 8', 'if r3 < 512 goto loop', 'exit'].join('\n'));
    expect([...(stack?.ranged ?? new Map())]).toEqual([[3, { base: 10, moves: 1, add: -512n, store: false, stack: true, size: 8 }]]);
  });

  it('leaves every other loop as it is', () => {
    const refused = [
      // A jump inside the body; a call; two writes of the induction register; a step by a register.
      ['r3 = 0', 'loop:', 'if r0 == 5 goto skip', 'r0 += 1', 'skip:', 'r3 += 1', 'if r3 < 9 goto loop', 'exit'],
      ['r3 = 0', 'loop:', 'call 5', 'r3 += 1', 'if r3 < 9 goto loop', 'exit'],
      ['r3 = 0', 'loop:', 'r3 += 1', 'r3 += 1', 'if r3 < 9 goto loop', 'exit'],
      ['r3 = 0', 'r4 = 1', 'loop:', 'r3 += r4', 'if r3 < 9 goto loop', 'exit'],
      // A bound the body writes; a bound past 2³¹; `>=` 0 (never ends); `!=` stepping by 2 (may pass it).
      ['r3 = 0', 'loop:', 'r3 += 1', 'r7 += 1', 'if r3 < r7 goto loop', 'exit'],
      ['r3 = 0', 'loop:', 'r3 += 1', 'if r3 < -1 goto loop', 'exit'],
      ['r3 = 9', 'loop:', 'r3 += -1', 'if r3 >= 0 goto loop', 'exit'],
      ['r3 = 0', 'loop:', 'r3 += 2', 'if r3 != 9 goto loop', 'exit'],
      // Counting down by 2 (it could step past 0 and wrap); the wrong direction; 32-bit latches.
      ['r3 = 9', 'loop:', 'r3 += -2', 'if r3 > 0 goto loop', 'exit'],
      ['r3 = 0', 'loop:', 'r3 += -1', 'if r3 < 9 goto loop', 'exit'],
      ['r3 = 0', 'loop:', 'r3 += 1', 'if w3 < 9 goto loop', 'exit'],
      ['r3 = 0', 'loop:', 'r3 += 1', 'if w3 s< 9 goto loop', 'exit'],
      // A signed bound below 0 (the orders differ there).
      ['r3 = -9', 'loop:', 'r3 += 1', 'if r3 s< -2 goto loop', 'exit'],
      // The register the latch compares holds no fixed offset from a stepped one.
      ['r3 = 0', 'loop:', 'r3 += 1', 'r4 = r3', 'r4 <<= 1', 'if r4 < 9 goto loop', 'exit'],
      ['r3 = 0', 'loop:', 'r3 += 1', 'r4 = r0', 'if r4 < 9 goto loop', 'exit'],
    ];
    for (const lines of refused) expect(analyse(lines.join('\n')), lines.join('; ')).toBeUndefined();
  });

  it('runs the loop as ever where counting would wrap or never end, or a store meets a read-only window', () => {
    const cases: [string, boolean][] = [
      // Up by 8 from just below 2⁶⁴ to −2: past it the register wraps to 0 and the loop goes on.
      ['r3 = 0xffffffffffffff00 ll\nr8 = -2\nloop:\nr0 += 1\nr3 += 8\nif r3 < r8 goto loop\nexit', false],
      ['r3 = 0x3ffffffffffffff0 ll\nr8 = 0x4000000000000000 ll\nloop:\nr0 += 1\nr3 += 3\nif r3 <= r8 goto loop\nexit', false],
      // Signed: up by 8 to just below 2⁶³ (past it the register turns negative, still below);
      // down to the least value with s>= (every value is at least that).
      ['r3 = 0x7fffffffffffff00 ll\nr8 = 0x7ffffffffffffffe ll\nloop:\nr0 += 1\nr3 += 8\nif r3 s< r8 goto loop\nexit', false],
      ['r3 = 0x8000000000000003 ll\nr8 = 0x8000000000000000 ll\nloop:\nr0 += 1\nr3 += -1\nif r3 s>= r8 goto loop\nexit', false],
      // Down to a register holding 0 with >=: every value is at least 0.
      ['r3 = 5\nr8 = 0\nloop:\nr0 += r3\nr3 += -1\nif r3 >= r8 goto loop\nexit', false],
      // Not started (the start past the bound): one iteration, then out.
      ['r3 = 99\nloop:\nr0 += 1\nr3 += 1\nif r3 < 10 goto loop\nexit', false],
      // One iteration storing at the window's first byte, the window read-only.
      ['r6 = r1\nr3 = 0\nloop:\nr5 = r6\nr5 += r3\n*(u8 *)(r5 + 0) = r0\nr3 += 1\nif r3 < 1 goto loop\nexit', true],
    ];
    for (const [text, readOnly] of cases) {
      const insns = program(text);
      expect(analyse(text), text).toBeDefined();
      const run = (tier: VmTier): unknown => {
        const vm = createRawVm(insns, { tier, mem: new Uint8Array(16), maxInsns: 5_000 });
        const input = vm.mem.allRegions().find((r) => r.kind === 'input');
        if (readOnly && input) vm.mem.setPerms(input, PERM_READ);
        return outcome(vm, vm.run());
      };
      expect(run('wasm'), text).toEqual(run('interpreter'));
    }
  });

  it('changes no result: generated counted loops over the input, at every edge of the entry test, agree with the interpreter (seeded)', () => {
    const rng = new Rng(0x6c6f6f70);
    const latches = [
      { op: '<', up: true },
      { op: '<=', up: true },
      { op: '!=', up: true },
      { op: '>', up: false },
      { op: '>=', up: false },
      { op: '!=', up: false },
      { op: 's<', up: true },
      { op: 's<=', up: true },
      { op: 's>', up: false },
      { op: 's>=', up: false },
    ] as const;
    const sizes = [['u8', 1], ['u16', 2], ['u32', 4], ['u64', 8]] as const;
    let counted = 0;
    let ranged = 0;
    let fastOnes = 0;
    const cases = 1500;
    for (let seed = 0; seed < cases; seed++) {
      const n = 8 + rng.below(120);
      const latch = latches[rng.below(latches.length)] ?? latches[0];
      const step = latch.up ? (latch.op === '!=' ? 1 : rng.pick([1, 1, 2, 3, 4, 8])) : -1;
      const s = Math.abs(step);
      // Planned: T iterations from v to the bound C (counting up: the last value below C, or at
      // it for <=; counting down by one: C reached, or passed by one for >=).
      const T = 1 + rng.below(rng.chance(0.3) ? 3 : 40);
      let v: number;
      let C: number;
      if (latch.up) {
        // Signed: from below 0 at times (the bound stays at 0 or more).
        v = latch.op.startsWith('s') ? rng.below(24) - 8 : rng.below(16);
        const top = v + T * s;
        C = latch.op.endsWith('<') ? top - rng.below(s) : latch.op.endsWith('<=') ? top - 1 - rng.below(s) : top;
        if (C < 0) C = 0;
      } else {
        C = (latch.op === '>=' ? 1 : 0) + rng.below(16);
        v = C + T - (latch.op === '>=' ? 1 : 0);
      }
      // Now and then an edge instead: a start on or past the bound, a huge one, a huge bound.
      const edge = rng.below(12);
      const start =
        edge === 0 || (edge === 3 && rng.chance(0.5)) ? rng.pick(['0xffffffffffffff00 ll', '0x8000000000000000 ll', '0x7fffffffffffffff ll', '0x8000000000000005 ll']) : edge === 1 ? '0x7fffffff' : edge === 2 ? String(C) : String(v);
      // (-2 above a huge start: counting up by more than one wraps past it and never stops.)
      const regValue = edge === 3 ? rng.pick(['0x3fffffffffffffff ll', '0x4000000000000000 ll', '-1', '-2', '0x80000000', '0']) : String(C);
      const useReg = rng.chance(0.4) || edge === 3;
      const items = 1 + rng.below(5);
      const stepAt = rng.below(items + 1);
      // The induction register at the access, at the first and the last planned iteration.
      const ivAt = (t: number, after: boolean): number => v + t * step + (after ? step : 0);
      const body: string[] = [];
      for (let k = 0; k <= items; k++) {
        if (k === stepAt) body.push(`r3 += ${step}`);
        if (k === items) break;
        const [size, width] = sizes[rng.below(4)] ?? sizes[0];
        const after = k >= stepAt;
        const lo = Math.min(ivAt(0, after), ivAt(T - 1, after));
        const hi = Math.max(ivAt(0, after), ivAt(T - 1, after));
        // The offset: the accesses end right at the input's end (or one byte either side), start
        // right at its start (or one before), or anywhere near.
        const aim = rng.below(4);
        const off = aim === 0 ? n - width - hi + rng.pick([-1, 0, 0, 1]) : aim === 1 ? -lo + rng.pick([-1, 0, 0]) : rng.below(24) - 8;
        const o = `${off < 0 ? '-' : '+'} ${Math.abs(off)}`;
        const kind = rng.below(7);
        if (kind <= 1) body.push('r5 = r6', 'r5 += r3', `r2 = *(${size} *)(r5 ${o})`, 'r0 += r2');
        else if (kind === 2) body.push('r5 = r3', 'r5 += r6', `*(${size} *)(r5 ${o}) = r0`);
        else if (kind === 3) body.push(`r2 = *(${size} *)(r6 + ${rng.below(n + 2)})`, 'r0 ^= r2');
        else if (kind === 4) body.push('r4 = r0', 'r4 <<= 3', 'r0 += r4', 'r0 ^= r3');
        else if (kind === 5) body.push('r5 = r10', 'r5 += -64', `*(${size} *)(r5 + 0) = r3`, `r2 = *(${size} *)(r5 + 0)`, 'r0 += r2');
        else {
          // Through the stack frame [r10 − 512, r10): ending at its top or starting at its bottom (a byte either side), or anywhere near.
          const at = aim === 0 ? -width - hi + rng.pick([-1, 0, 0, 1]) : aim === 1 ? -512 - lo + rng.pick([-1, 0, 0]) : -rng.below(520);
          const so = `${at < 0 ? '-' : '+'} ${Math.abs(at)}`;
          if (rng.chance(0.5)) body.push('r5 = r10', 'r5 += r3', `*(${size} *)(r5 ${so}) = r0`);
          else body.push('r5 = r3', 'r5 += r10', `r2 = *(${size} *)(r5 ${so})`, 'r0 ^= r2');
        }
      }
      // Now and then the latch compares a copy, taken before or after the step (clang's rotated loops).
      const copy = rng.chance(0.25);
      if (copy) body.splice(rng.below(body.length + 1), 0, 'r9 = r3');
      const text = ['r6 = r1', 'r0 = 1', `r3 = ${start}`, `r8 = ${regValue}`, 'r9 = 0', 'loop:', ...body, `if ${copy ? 'r9' : 'r3'} ${latch.op} ${useReg ? 'r8' : String(C)} goto loop`, 'exit'].join('\n');
      const loop = analyse(text);
      if (loop) {
        counted++;
        if (loop.ranged.size > 0) ranged++;
      }
      const insns = program(text);
      const mem = Uint8Array.from({ length: n }, () => rng.below(256));
      // The budget: ample, or right at one of the last back edges (5 instructions before the
      // loop, the body and the latch each iteration).
      const perIteration = body.length + 1;
      const maxInsns = rng.chance(0.4) ? 5 + (T - 1 - rng.below(2)) * perIteration + rng.pick([-1, 0, 0, 1, 2]) : 200_000;
      const readOnly = rng.chance(0.25);
      const run = (tier: VmTier): { out: unknown; insns: number; wasm: number } => {
        const vm = createRawVm(insns, { tier, mem, maxInsns: Math.max(1, maxInsns) });
        if (readOnly) {
          // The input, or the stack frame the run uses.
          const region = vm.mem.allRegions().find((r) => r.kind === (seed % 2 === 0 ? 'input' : 'stack'));
          if (region) vm.mem.setPerms(region, PERM_READ);
        }
        const out = outcome(vm, vm.run());
        return { out, insns: vm.count, wasm: vm.wasmInsns };
      };
      const w = run('wasm');
      expect(w.out, `seed ${seed}:\n${text}\n(${n} bytes, budget ${maxInsns}${readOnly ? ', read-only' : ''})`).toEqual(run('interpreter').out);
      if (loop && w.wasm === w.insns && w.insns > 40) fastOnes++;
    }
    // The generator aims at the analysis: most loops are counted, many with ranged accesses, and
    // many runs stay wholly in WebAssembly for over 40 instructions (the fast copy's ground).
    expect(counted).toBeGreaterThan(cases * 0.8);
    expect(ranged).toBeGreaterThan(cases * 0.5);
    expect(fastOnes).toBeGreaterThan(cases * 0.2);
  });
});
