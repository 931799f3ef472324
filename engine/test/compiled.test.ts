// The compiled tier (engine/vm/compile.ts) must not change any result: every register, the
// instruction count, the status, the fault and its message, the stack and the input memory
// are the same as the interpreter's — on generated programs, on random and mutated bytecode
// (invalid instructions, jumps anywhere, lddw halves), on runs paused by an instruction slice,
// on BPF-to-BPF calls, and on the whole bpf_conformance suite.

import { describe, expect, it } from 'vitest';
import { assemble } from '../asm/index.ts';
import { decodeProgram, encodeProgram, type Insn } from '../isa/index.ts';
import { createRawVm, runRaw } from '../vm/index.ts';
import { MAX_COMPILED_SOURCE } from '../vm/compile.ts';
import { generateProgram, PROGRAM_KINDS } from './kernel/generate.ts';
import { rawProgram } from './kernel/harness.ts';
import { Rng } from './kernel/rng.ts';
import { simLoad } from './sim.ts';
import { CONFORMANCE_DIR, sharedAvailable } from './shared.ts';
import { forEachConformanceProgram, outcome, randomProgram, slicedTrace } from './tier-differential.ts';

function both(insns: readonly (Insn | null)[], mem: Uint8Array | undefined, maxInsns: number): [unknown, unknown] {
  const run = (compile: boolean): unknown => {
    const vm = createRawVm(insns, { compile, maxInsns, ...(mem ? { mem } : {}) });
    return outcome(vm, vm.run());
  };
  return [run(true), run(false)];
}

describe('compiled tier', () => {
  it('agrees with the interpreter on 3,000 generated programs (every ALU, jump, memory and atomic kind)', () => {
    for (let seed = 1; seed <= 3_000; seed++) {
      const kind = PROGRAM_KINDS[seed % PROGRAM_KINDS.length] ?? 'mixed';
      const decoded = decodeProgram(encodeProgram(rawProgram(generateProgram(seed, kind))), 4);
      const [compiled, interpreted] = both(decoded.insns, undefined, 1_000_000);
      expect(compiled, `seed ${seed} (${kind})`).toEqual(interpreted);
    }
  });

  it('agrees on 20,000 random programs: invalid slots, jumps out of range and into lddw, faults, the budget (seeded)', () => {
    const mem = Uint8Array.from({ length: 64 }, (_, i) => (i * 29) & 0xff);
    for (let seed = 1; seed <= 20_000; seed++) {
      const rng = new Rng(seed * 7919);
      // Decoded as they are, structure problems and all: the VM itself must cope.
      const decoded = decodeProgram(randomProgram(rng), 4);
      const [compiled, interpreted] = both(decoded.insns, rng.chance(0.5) ? mem : undefined, 2_000);
      expect(compiled, `seed ${seed}`).toEqual(interpreted);
    }
  });

  it('pauses where the interpreter pauses when a run is cut into slices', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const decoded = decodeProgram(encodeProgram(rawProgram(generateProgram(seed, 'jump'))), 4);
      expect(slicedTrace(decoded.insns, 'compiled'), `seed ${seed}`).toEqual(slicedTrace(decoded.insns, 'interpreter'));
    }
  });

  it('agrees on BPF-to-BPF calls: arguments, callee-saved registers, stack frames, recursion too deep', () => {
    const programs = [
      // r0 = f(5) + r6, where f(x) = x * 3 + 1 uses its own stack frame.
      'r6 = 7\nr1 = 5\ncall f\nr0 += r6\nexit\nf:\n*(u64 *)(r10 - 8) = r1\nr0 = *(u64 *)(r10 - 8)\nr0 *= 3\nr0 += 1\nr6 = 99\nexit',
      // Unbounded recursion: the call-depth fault at MAX_CALL_FRAMES.
      'r1 = 0\ncall f\nexit\nf:\nr1 += 1\ncall f\nexit',
      // A loop around a call, with a jump back over it.
      'r0 = 0\nr7 = 10\nloop:\nr1 = r7\ncall g\nr0 += r1\nr7 += -1\nif r7 != 0 goto loop\nexit\ng:\nr1 *= r1\nr0 = r1\nexit',
    ];
    for (const text of programs) {
      const r = assemble(`${text}\n`);
      const bytes = r.sections[0]?.bytes;
      expect(r.ok && bytes, text).toBeTruthy();
      if (!bytes) continue;
      const decoded = decodeProgram(bytes, 4);
      const [compiled, interpreted] = both(decoded.insns, undefined, 100_000);
      expect(compiled, text).toEqual(interpreted);
    }
  });

  it('agrees on helper callbacks (bpf_loop, bpf_for_each_map_elem, nested, faulting) at small budgets, and both stop at the budget', () => {
    const RAW = '.section raw\n.license "GPL"\n';
    const loop = (nr: number, cb: string) => `r1 = ${nr}\nr2 = ${cb} ll\nr3 = r10\nr3 += -8\nr4 = 0\ncall bpf_loop\n`;
    const programs = [
      // A callback without jumps.
      `${RAW}${loop(100_000, 'cb')}exit\ncb:\nr0 = 0\nexit`,
      // A callback with a loop inside, and a BPF-to-BPF call inside that.
      `${RAW}${loop(1000, 'cb')}exit\ncb:\nr6 = 0\nagain:\nr1 = r6\ncall f\nr6 += 1\nif r6 < 5 goto again\nr0 = 0\nexit\nf:\nr0 = r1\nr0 *= 3\nexit`,
      // bpf_loop inside a bpf_loop callback, neither with jumps.
      `${RAW}${loop(1000, 'outer')}exit\nouter:\n${loop(1000, 'inner')}r0 = 0\nexit\ninner:\nr0 = 0\nexit`,
      // A loop around bpf_loop in the main program; the callback writes through its context.
      `${RAW}r0 = 0\n*(u64 *)(r10 - 8) = r0\nr7 = 0\nmore:\n${loop(50, 'add')}r7 += 1\nif r7 < 100 goto more\nr0 = *(u64 *)(r10 - 8)\nexit\nadd:\nr3 = *(u64 *)(r2 + 0)\nr3 += r1\n*(u64 *)(r2 + 0) = r3\nr0 = 0\nexit`,
      // A fault in the 7th iteration.
      `${RAW}${loop(100, 'cb')}exit\ncb:\nr0 = 0\nif r1 != 6 goto out\nr2 = 0\nr0 = *(u64 *)(r2 + 0)\nout:\nexit`,
      // for_each over an array; the callback stops at element 3000.
      `.map arr type=array key=4 value=8 max_entries=4096\n${RAW}r1 = arr ll\nr2 = cb ll\nr3 = 0\nr4 = 0\ncall bpf_for_each_map_elem\nexit\ncb:\nr3 = *(u32 *)(r2 + 0)\nr0 = 0\nif r3 < 3000 goto out\nr0 = 1\nout:\nexit`,
    ];
    let stopped = 0;
    for (const text of programs) {
      for (const budget of [7, 50, 333, 1000, 4096, 100_000, 1_000_000]) {
        const run = (compile: boolean): unknown => {
          const l = simLoad(text, { maxInsns: budget, compile });
          if (!l.ok) throw new Error(`${l.stage}: ${l.errors.join('; ')}\n${text}`);
          const vm = l.program.vm;
          return outcome(vm, vm.run());
        };
        const compiled = run(true) as { status: string; insns: number; fault?: { kind: string } };
        expect(compiled, `budget ${budget}\n${text}`).toEqual(run(false));
        if (compiled.fault?.kind === 'budget') {
          stopped++;
          // Stopped at the first check past the budget: within one pass of the longest straight run.
          expect(compiled.insns, `budget ${budget}\n${text}`).toBeGreaterThan(budget);
          expect(compiled.insns, `budget ${budget}\n${text}`).toBeLessThanOrEqual(budget + 16);
        }
      }
    }
    expect(stopped).toBeGreaterThan(20);
  });

  const available = sharedAvailable(CONFORMANCE_DIR);
  if (!available) console.log(`skipped: bpf_conformance suite not found at ${CONFORMANCE_DIR} (compiled-tier comparison)`);
  it.skipIf(!available)('agrees on every program of the bpf_conformance suite', () => {
    const compared = forEachConformanceProgram((name, bytes, options) => {
      expect(runRaw(bytes, { ...options, compile: true }), name).toEqual(runRaw(bytes, { ...options, compile: false }));
    });
    expect(compared).toBeGreaterThanOrEqual(300);
  });

  it('leaves programs too large for V8 to optimize to the interpreter, with the same results', () => {
    const body = ['r0 = 0', 'r1 = 1', 'r9 = 3', 'loop:'];
    for (let i = 0; i < 600; i++) body.push(i % 2 ? 'r0 += r1' : 'r1 ^= 0x55');
    body.push('r9 += -1', 'if r9 != 0 goto loop', 'exit');
    const insns = decodeProgram(assemble(`${body.join('\n')}\n`).sections[0]?.bytes ?? new Uint8Array(), 4).insns;
    expect(createRawVm(insns).compiledSource().length).toBeGreaterThan(MAX_COMPILED_SOURCE);
    expect(createRawVm(insns).compiled).toBe(false);
    const small = decodeProgram(assemble('r0 = 1\nexit\n').sections[0]?.bytes ?? new Uint8Array(), 4).insns;
    expect(createRawVm(small).compiled).toBe(true);
    const [compiled, interpreted] = both(insns, undefined, 100_000);
    expect(compiled).toEqual(interpreted);
  });

  it('writes each instruction as straight-line code with literal operands', () => {
    const r = assemble('r0 = 5\nr0 += r0\nif r0 > 9 goto out\nr0 = 1\nout:\nexit\n');
    const bytes = r.sections[0]?.bytes ?? new Uint8Array();
    const src = createRawVm(decodeProgram(bytes, 4).insns).compiledSource();
    // Entries: 0, the jump target (4) and the end (5); no dispatch on the other pcs.
    expect(src.match(/case \d+:/g)).toEqual(['case 0:', 'case 4:', 'case 5:']);
    expect(src).toContain('r1 = 0; r0 = 5;');
    expect(src).not.toContain('C[');
    // The registers live in locals: read once on entry, written back at the one way out.
    expect(src).toMatch(/^let r0 = R\[0\], r1 = R\[1\], .* r21 = R\[21\];$/m);
    expect(src.replace('return function compiled', '').match(/return /g)).toEqual(['return ']);
    expect(src).toMatch(/R\[0\]=r0;R\[1\]=r1;.*R\[21\]=r21;\nreturn out;\n};$/);
    // A program with a call keeps its registers in the array (around each call they would go back and be read again).
    const call = assemble('r1 = 5\ncall bpf_ktime_get_ns\nr0 += r1\nexit\n');
    const withCall = createRawVm(decodeProgram(call.sections[0]?.bytes ?? new Uint8Array(), 4).insns).compiledSource();
    expect(withCall).not.toMatch(/\br\d+\b/);
    expect(withCall).toContain('R[2] = 5;');
  });
});
