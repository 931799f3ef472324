// The WebAssembly tier (engine/vm/wasm.ts) must not change any result: every register, the
// instruction count, the status, the fault and its message, the stack and all of guest memory
// are the same as the interpreter's — on generated programs, on random and mutated bytecode,
// on runs cut into slices and at small budgets, on BPF-to-BPF calls, on a context served by
// the kernel, and on the whole bpf_conformance suite. And the tier must really run code: the
// VM counts the instructions executed in WebAssembly (`vm.wasmInsns`), so the comparison
// cannot pass by falling back to the interpreter everywhere.

import { describe, expect, it } from 'vitest';
import { assemble } from '../asm/index.ts';
import { decodeProgram, encodeProgram, type Insn } from '../isa/index.ts';
import { createRawVm, GuestMemory, runRaw, Vm, type VmHost, type VmTier } from '../vm/index.ts';
import { ARENA_OFFSET, GUEST_BASE_HI, HDR_STACK_WINDOW, HDR_WINDOW, PERM_READ, PERM_WRITE, type Region } from '../vm/memory.ts';
import { MAX_COMPILED_SOURCE } from '../vm/compile.ts';
import { structure, wasmModuleBytes } from '../vm/wasm.ts';
import { cfgOf } from '../program/cfg.ts';
import { predecode } from '../vm/interpreter.ts';
import { generateProgram, PROGRAM_KINDS } from './kernel/generate.ts';
import { rawProgram } from './kernel/harness.ts';
import { Rng } from './kernel/rng.ts';
import { CONFORMANCE_DIR, sharedAvailable } from './shared.ts';
import { forEachConformanceProgram, OPCODES, outcome, randomProgram, slicedTrace } from './tier-differential.ts';

/** Instructions run in WebAssembly and in all, over the comparisons of one test. */
interface Tally {
  wasm: number;
  total: number;
}

function both(insns: readonly (Insn | null)[], mem: Uint8Array | undefined, maxInsns: number, tally?: Tally): [unknown, unknown] {
  const run = (tier: VmTier): unknown => {
    const vm = createRawVm(insns, { tier, maxInsns, ...(mem ? { mem } : {}) });
    const out = outcome(vm, vm.run());
    if (tally && tier === 'wasm') {
      tally.wasm += vm.wasmInsns;
      tally.total += vm.count;
    }
    return out;
  };
  return [run('wasm'), run('interpreter')];
}

function program(text: string): readonly (Insn | null)[] {
  const r = assemble(`${text}\n`);
  const bytes = r.sections[0]?.bytes;
  if (!r.ok || !bytes) throw new Error(`does not assemble: ${text}`);
  return decodeProgram(bytes, 4).insns;
}

describe('WebAssembly tier', () => {
  it('agrees with the interpreter on 3,000 generated programs (every ALU, jump, memory and atomic kind), most of it run in WebAssembly', () => {
    const byKind = new Map<string, Tally>();
    for (let seed = 1; seed <= 3_000; seed++) {
      const kind = PROGRAM_KINDS[seed % PROGRAM_KINDS.length] ?? 'mixed';
      const decoded = decodeProgram(encodeProgram(rawProgram(generateProgram(seed, kind))), 4);
      const tally = byKind.get(kind) ?? { wasm: 0, total: 0 };
      byKind.set(kind, tally);
      const [wasm, interpreted] = both(decoded.insns, undefined, 1_000_000, tally);
      expect(wasm, `seed ${seed} (${kind})`).toEqual(interpreted);
    }
    const all = [...byKind.values()].reduce((a, t) => ({ wasm: a.wasm + t.wasm, total: a.total + t.total }), { wasm: 0, total: 0 });
    console.log(`generated programs: ${all.wasm.toLocaleString('en-US')} of ${all.total.toLocaleString('en-US')} instructions ran in WebAssembly; by kind: ${[...byKind].map(([k, t]) => `${k} ${((100 * t.wasm) / Math.max(1, t.total)).toFixed(0)}%`).join(', ')}`);
    // Every kind without atomics runs wholly in WebAssembly; an atomic is handed to the
    // interpreter alone, which hands back right after it (the first slice: 13 % and 33 %).
    for (const [kind, t] of byKind) if (kind !== 'atomic' && kind !== 'mixed') expect(t.wasm, kind).toBe(t.total);
    const share = (kind: string): number => {
      const t = byKind.get(kind) ?? { wasm: 0, total: 1 };
      return t.wasm / t.total;
    };
    expect(share('atomic')).toBeGreaterThan(0.75);
    expect(share('mixed')).toBeGreaterThan(0.9);
    expect(all.wasm / all.total).toBeGreaterThan(0.95);
  });

  it('agrees on 20,000 random programs: invalid slots, jumps out of range and into lddw, faults, the budget (seeded)', () => {
    const mem = Uint8Array.from({ length: 64 }, (_, i) => (i * 29) & 0xff);
    const tally = { wasm: 0, total: 0 };
    for (let seed = 1; seed <= 20_000; seed++) {
      const rng = new Rng(seed * 7919);
      const decoded = decodeProgram(randomProgram(rng), 4);
      const [wasm, interpreted] = both(decoded.insns, rng.chance(0.5) ? mem : undefined, 2_000, tally);
      expect(wasm, `seed ${seed}`).toEqual(interpreted);
    }
    console.log(`random programs: ${tally.wasm.toLocaleString('en-US')} of ${tally.total.toLocaleString('en-US')} instructions ran in WebAssembly`);
    expect(tally.wasm).toBeGreaterThan(tally.total / 4);
  });

  it('agrees on mutated generated programs: one slot of each replaced by random bytes (seeded)', () => {
    const tally = { wasm: 0, total: 0 };
    for (let seed = 1; seed <= 2_000; seed++) {
      const rng = new Rng(seed * 104729);
      const kind = PROGRAM_KINDS[seed % PROGRAM_KINDS.length] ?? 'mixed';
      const bytes = encodeProgram(rawProgram(generateProgram(seed, kind)));
      const at = rng.below(bytes.length / 8) * 8;
      bytes[at] = rng.chance(0.8) ? (OPCODES[rng.below(OPCODES.length)] ?? 0) : rng.below(256);
      for (let i = 1; i < 8; i++) if (rng.chance(0.5)) bytes[at + i] = rng.below(256);
      const decoded = decodeProgram(bytes, 4);
      const [wasm, interpreted] = both(decoded.insns, undefined, 50_000, tally);
      expect(wasm, `seed ${seed} (${kind}), slot ${at / 8}`).toEqual(interpreted);
    }
    expect(tally.wasm).toBeGreaterThan(tally.total / 4);
  });

  it('stops where the interpreter stops at small budgets, and pauses where it pauses when a run is cut into slices', () => {
    let stopped = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const decoded = decodeProgram(encodeProgram(rawProgram(generateProgram(seed, 'jump'))), 4);
      for (const budget of [1, 7, 50, 333]) {
        const [wasm, interpreted] = both(decoded.insns, undefined, budget);
        expect(wasm, `seed ${seed}, budget ${budget}`).toEqual(interpreted);
        if ((interpreted as { fault?: { kind: string } }).fault?.kind === 'budget') stopped++;
      }
      if (seed > 200) continue;
      expect(slicedTrace(decoded.insns, 'wasm'), `seed ${seed}`).toEqual(slicedTrace(decoded.insns, 'interpreter'));
    }
    expect(stopped).toBeGreaterThan(100);
    // A loop that never ends: the budget fault, at the same count, from WebAssembly.
    const insns = program('r0 = 0\nloop:\nr0 += 1\ngoto loop\nexit');
    const [wasm, interpreted] = both(insns, undefined, 10_001);
    expect(wasm).toEqual(interpreted);
    expect(wasm).toMatchObject({ status: 'fault', fault: { kind: 'budget' } });
  });

  it('agrees on BPF-to-BPF calls and helpers (handed to the interpreter at the call)', () => {
    const programs = [
      'r6 = 7\nr1 = 5\ncall f\nr0 += r6\nexit\nf:\n*(u64 *)(r10 - 8) = r1\nr0 = *(u64 *)(r10 - 8)\nr0 *= 3\nr0 += 1\nr6 = 99\nexit',
      'r1 = 0\ncall f\nexit\nf:\nr1 += 1\ncall f\nexit',
      'r0 = 0\nr7 = 10\nloop:\nr1 = r7\ncall g\nr0 += r1\nr7 += -1\nif r7 != 0 goto loop\nexit\ng:\nr1 *= r1\nr0 = r1\nexit',
      'r6 = 0\nloop:\nr6 += 3\nif r6 < 3000 goto loop\ncall 5\nr0 += r6\nexit',
      'r6 = 0\ncall 1\nr0 = 1\nexit',
    ];
    for (const text of programs) {
      const [wasm, interpreted] = both(program(text), undefined, 100_000);
      expect(wasm, text).toEqual(interpreted);
    }
  });

  it('hands a context (a region the kernel serves, without permission bits) to the interpreter', () => {
    const insns = program('r2 = *(u32 *)(r1 + 4)\nr3 = *(u8 *)(r1 + 0)\n*(u32 *)(r1 + 8) = r2\nr0 = 0\nloop:\nr0 += r2\nr3 += -1\nif r3 s> 0 goto loop\nr4 = *(u64 *)(r1 + 16)\nexit');
    const run = (tier: VmTier): unknown => {
      const memory = new GuestMemory();
      const ctx = memory.map('ctx', 'context', 32);
      const stored: number[] = [];
      memory.setSpecial(ctx, {
        load: (offset, size) => (offset === 16 ? 'no such field' : { lo: offset * 10 + size, hi: 0 }),
        store: (offset, _size, lo) => {
          stored.push(offset, lo);
          return true;
        },
      });
      const vm = new Vm(insns, { tier, memory });
      vm.onReset = (v) => v.setRegPointer(1, ctx);
      vm.reset();
      const out = outcome(vm, vm.run());
      // Each context access alone is interpreted (two loads and a store; the last load faults there).
      if (tier === 'wasm') expect(vm.count - vm.wasmInsns).toBe(3);
      return { out, stored, inWasm: vm.wasmInsns > 0 };
    };
    const wasm = run('wasm');
    const interpreted = run('interpreter');
    // The context loads and the store are the interpreter's; the loop between them is WebAssembly's.
    expect(wasm).toEqual({ ...(interpreted as object), inWasm: true });
    expect(wasm).toMatchObject({ out: { status: 'fault', fault: { kind: 'memory' } } });
  });

  it('runs atomics in WebAssembly, every operation, width and fetch, as the interpreter does, and hands it those it would fault on', () => {
    // Values with both halves set, so a 32-bit form that touched the upper half would show.
    const setup = 'r6 = 0x8000000180000003 ll\nr7 = 0x7ffffffe00000005 ll\n*(u64 *)(r10 - 8) = r6\n*(u64 *)(r10 - 16) = r6\nr1 = r7\nr0 = r6\n';
    const forms = [
      'lock *(u64 *)(r10 - 8) += r1', 'lock *(u64 *)(r10 - 8) |= r1', 'lock *(u64 *)(r10 - 8) &= r1', 'lock *(u64 *)(r10 - 8) ^= r1',
      'lock *(u32 *)(r10 - 8) += w1', 'lock *(u32 *)(r10 - 4) |= w1', 'lock *(u32 *)(r10 - 8) &= w1', 'lock *(u32 *)(r10 - 8) ^= w1',
      'r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)', 'r1 = atomic_fetch_or((u64 *)(r10 - 8), r1)', 'r1 = atomic_fetch_and((u64 *)(r10 - 8), r1)', 'r1 = atomic_fetch_xor((u64 *)(r10 - 8), r1)',
      'w1 = atomic_fetch_add((u32 *)(r10 - 8), w1)', 'w1 = atomic_fetch_or((u32 *)(r10 - 8), w1)', 'w1 = atomic_fetch_and((u32 *)(r10 - 8), w1)', 'w1 = atomic_fetch_xor((u32 *)(r10 - 8), w1)',
      'r1 = xchg_64(r10 - 8, r1)', 'w1 = xchg32_32(r10 - 8, w1)',
      // cmpxchg: equal (r0 is the old value), unequal, 32-bit equal in the low half only, and r0 as the source.
      'r0 = cmpxchg_64(r10 - 8, r0, r1)', 'r0 = cmpxchg_64(r10 - 16, r0, r1)\nr0 = cmpxchg_64(r10 - 16, r0, r1)', 'r0 += 1\nr0 = cmpxchg_64(r10 - 8, r0, r1)',
      'r0 = r6\nr0 ^= r7\nr0 ^= r7\nw0 = cmpxchg32_32(r10 - 8, w0, w1)', 'r0 = 3\nw0 = cmpxchg32_32(r10 - 8, w0, w1)', 'r0 = 4\nw0 = cmpxchg32_32(r10 - 8, w0, w1)', 'r0 = cmpxchg_64(r10 - 8, r0, r0)',
      // The same register as base and source.
      'r2 = r10\nr2 += -8\nr2 = atomic_fetch_add((u64 *)(r2 + 0), r2)',
    ];
    const after = '\nr2 = *(u64 *)(r10 - 8)\nr3 = *(u64 *)(r10 - 16)\nexit';
    for (const form of forms) {
      const text = `${setup}${form}${after}`;
      const insns = program(text);
      const [wasm, interpreted] = both(insns, undefined, 1_000);
      expect(wasm, form).toEqual(interpreted);
      expect(wasm, form).toMatchObject({ status: 'exited' });
      const vm = createRawVm(insns, { tier: 'wasm' });
      vm.run();
      expect(vm.wasmInsns, `${form}: all of it in WebAssembly`).toBe(vm.count);
    }
    // Past the frame, and through a pointer whose upper half is not the arena's: the interpreter's faults.
    for (const form of ['lock *(u64 *)(r10 + 0) += r1', 'r1 = atomic_fetch_add((u64 *)(r10 - 516), r1)', 'r2 = r10\nr2 ^= r6\nlock *(u64 *)(r2 - 8) += r1', 'r2 = 0\nr0 = cmpxchg_64(r2 + 8, r0, r1)']) {
      const [wasm, interpreted] = both(program(`${setup}${form}${after}`), undefined, 1_000);
      expect(wasm, form).toEqual(interpreted);
      expect(wasm, form).toMatchObject({ status: 'fault' });
    }
  });

  it("reads a context's field table from WebAssembly (the `field` import), as the interpreter reads it, and steps for the rest", () => {
    // Slots 0 and 1 are in the table; slot 2 is not (served by `load`); off 6 is misaligned.
    const insns = program('r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr0 = r2\nr0 += r3\nr4 = *(u32 *)(r1 + 8)\nr0 += r4\nr5 = *(u32 *)(r1 + 0)\nr0 ^= r5\nr5 = *(u32 *)(r1 + 6)\nr0 += r5\nexit');
    const run = (tier: VmTier, fieldHi: number): unknown => {
      const memory = new GuestMemory();
      const ctx = memory.map('ctx', 'context', 16);
      // A 64-bit answer (a pointer's upper half) proves the table's hi word is read too.
      const values = Int32Array.of(0x1234, fieldHi, 77, 0, 0, 0, 0, 0);
      memory.setSpecial(ctx, { fields: { values, readable: Uint8Array.of(1, 1, 0, 0) }, load: (offset, size) => ({ lo: offset * 100 + size, hi: 0 }), store: () => 'read-only' });
      const vm = new Vm(insns, { tier, memory });
      vm.onReset = (v) => v.setRegPointer(1, ctx);
      const runs: unknown[] = [];
      for (let i = 0; i < 2; i++) {
        vm.reset();
        // The table changes between runs, as a context's does between packets.
        values[2] = 77 + i;
        const before = vm.wasmInsns;
        runs.push({ ...(outcome(vm, vm.run()) as object), interpreted: tier === 'wasm' ? vm.count - (vm.wasmInsns - before) : undefined });
      }
      return runs;
    };
    for (const hi of [0, -0x777f]) {
      const wasm = run('wasm', hi) as { interpreted?: number }[];
      const interpreted = run('interpreter', hi) as object[];
      expect(wasm.map(({ interpreted: _, ...rest }) => rest)).toEqual(interpreted.map(({ interpreted: _, ...rest }: { interpreted?: number }) => rest));
      // First run: the first load finds the table (a slow load, stepped); slot 2 and the
      // misaligned load are `load`'s (stepped). Second run: the table is known from the start.
      expect(wasm.map((r) => r.interpreted)).toEqual([3, 2]);
    }
  });

  it('calls a helper from WebAssembly: a loop calling a helper runs wholly in WebAssembly, with the same results, budget stops and slices', () => {
    // r6 counts down; each pass stores to the stack, calls helper 7 (r0 = r1 * 2 + the stack
    // slot, read by the helper from guest memory), and accumulates into r7.
    const text = 'r6 = 1000\nr7 = 0\nloop:\nr1 = r6\n*(u64 *)(r10 - 8) = r6\nr2 = r10\nr2 += -8\ncall 7\nr7 += r0\nr7 ^= 0x33\nr6 += -1\nif r6 != 0 goto loop\nr0 = r7\nexit';
    const insns = program(text);
    const host: VmHost = {
      helper: (id, vm, pc) => {
        if (id !== 7) return vm.fail(pc, 'helper', `pc ${pc}: no helper ${id}`);
        // The store WebAssembly just made, seen through the GuestMemory's view: no copy-back.
        const at = vm.mem.offsetOf(vm.regLo(2), vm.regHi(2));
        const slot = vm.mem.dv.getUint32(at, true);
        vm.setReg(0, BigInt(vm.regLo(1) * 2 + slot));
        return true;
      },
      kfunc: (_id, _off, vm, pc) => vm.fail(pc, 'kfunc', 'none'),
    };
    const make = (tier: VmTier, maxInsns = 1_000_000): Vm => new Vm(insns, { tier, host, maxInsns });
    const vm = make('wasm');
    const interpreted = make('interpreter');
    expect(vm.run()).toBe('exited');
    interpreted.run();
    expect(outcome(vm, vm.status)).toEqual(outcome(interpreted, interpreted.status));
    // 1,000 passes of 9 instructions, the calls made by the module through its `call` import:
    // nothing was interpreted.
    expect(vm.count).toBe(9_000 + 4);
    expect(vm.wasmInsns).toBe(vm.count);
    // The budget and slices stop where the interpreter stops (the check after a call included).
    for (const budget of [1, 5, 6, 7, 8, 9, 50, 1_234]) {
      const a = make('wasm', budget);
      const b = make('interpreter', budget);
      expect(outcome(a, a.run()), `budget ${budget}`).toEqual(outcome(b, b.run()));
    }
    const trace = (tier: VmTier): unknown[] => {
      const v = make(tier);
      const steps: unknown[] = [];
      for (let i = 0; i < 10_000; i++) {
        const status = v.run(1 + (i % 5));
        steps.push([status, v.pc, v.count]);
        if (status !== 'paused') break;
      }
      return steps;
    };
    expect(trace('wasm')).toEqual(trace('interpreter'));
  });

  it('calls helpers that run callbacks (in the interpreter) and tail calls (the next program starts in WebAssembly)', () => {
    // Helper 1: bpf_loop-like, runs the callback at pc r2 r1 times with the index, r0 = the sum.
    // Helper 2: bpf_tail_call-like, continues in program "next".
    const main = program('r9 = 0\nr6 = 0\nr7 = 0\nloop:\nr1 = 5\nr2 = 13\ncall 1\nr7 += r0\nr6 += 1\nif r6 < 20 goto loop\nr0 = r7\ncall 2\nr0 = 77\nexit\ncb:\nr0 = 0\nr3 = r1\ninner:\nr0 += r3\nr3 += -1\nif r3 s> 0 goto inner\nexit');
    const next = program('r6 = 100\nloop:\nr0 += r6\nr6 += -1\nif r6 != 0 goto loop\nr9 += 1\nif r9 > 3 goto out\ncall 2\nout:\nexit');
    expect(main[12]?.kind).toBe('exit'); // cb (pc 13) follows it
    const host: VmHost = {
      helper: (id, vm, pc) => {
        if (id === 2) {
          vm.requestTailCall('next');
          return true;
        }
        let sum = 0n;
        const times = vm.regLo(1);
        const target = vm.regLo(2);
        for (let i = 0; i < times; i++) {
          const r = vm.invokeCallback(pc, target, [BigInt(i)]);
          if (r === false) return false;
          sum += r;
        }
        vm.setReg(0, sum);
        return true;
      },
      kfunc: (_id, _off, vm, pc) => vm.fail(pc, 'kfunc', 'none'),
    };
    const make = (tier: VmTier, maxInsns: number): Vm => new Vm(main, { tier, host, maxInsns, section: 'main', resolveProgram: (n) => (n === 'next' ? { name: n, insns: next } : undefined) });
    let stopped = 0;
    for (const budget of [3, 40, 200, 1_000, 1_500, 1_000_000]) {
      const a = make('wasm', budget);
      const b = make('interpreter', budget);
      const got = outcome(a, a.run());
      expect(got, `budget ${budget}`).toEqual(outcome(b, b.run()));
      expect(a.section).toBe(b.section);
      if ((got as { fault?: { kind: string } }).fault?.kind === 'budget') stopped++;
      if (budget === 1_000_000) {
        expect(got).toMatchObject({ status: 'exited' });
        expect(a.tailCalls).toBe(4);
        // The callbacks (5 per call, 48 instructions) are interpreted, and the 4 tail calls are
        // counted by the Vm as it starts the next program; everything else ran in WebAssembly —
        // the 20 calls that ran the callbacks, and the tail-called program.
        expect(a.count - a.wasmInsns).toBe(20 * 48 + 4);
      }
    }
    expect(stopped).toBeGreaterThan(2);
  });

  it('works on the arena itself: the GuestMemory lives in the WebAssembly.Memory the module imports (no copy)', () => {
    const insns = program('r1 = 0x1122334455667788 ll\n*(u64 *)(r10 - 16) = r1\nr0 = 0\nexit');
    // A memory no WebAssembly tier asked for is an ordinary buffer (a Memory costs more to make than a short run).
    const interpreted = createRawVm(insns, { tier: 'interpreter' });
    expect(interpreted.run()).toBe('exited');
    expect(interpreted.mem.wasmMemory).toBeUndefined();
    expect(interpreted.mem.bytes.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    const vm = createRawVm(insns, { tier: 'wasm' });
    expect(vm.mem.wasmMemory).toBeUndefined();
    // The tier's first ask moves the arena into a Memory, its bytes and shadow with it.
    const generation0 = vm.mem.generation;
    const stackBefore = vm.stackRegion(0);
    if (stackBefore) vm.mem.bytes[stackBefore.start + 3] = 0x5a;
    const memory = vm.mem.wasmBacking();
    if (stackBefore) expect(vm.mem.bytes[stackBefore.start + 3]).toBe(0x5a);
    expect(memory).toBeInstanceOf(WebAssembly.Memory);
    expect(vm.mem.generation).toBe(generation0 + 1);
    expect(vm.mem.wasmBacking()).toBe(memory);
    if (stackBefore) expect(vm.mem.shadow[stackBefore.start]).not.toBe(0);
    // One buffer: the arena, its shadow and the module's header are views of the Memory's buffer.
    expect(vm.mem.bytes.buffer).toBe(memory?.buffer);
    expect(vm.mem.shadow.buffer).toBe(memory?.buffer);
    expect(vm.mem.dv.buffer).toBe(memory?.buffer);
    const seen = new Uint8Array(memory?.buffer ?? new ArrayBuffer(0));
    expect(vm.run()).toBe('exited');
    expect(vm.wasmInsns).toBe(vm.count);
    const stack = vm.stackRegion(0);
    if (!stack) throw new Error('no stack');
    const at = stack.start + stack.size - 16;
    // The store WebAssembly made is in the arena, read through a view made before the run.
    expect(Buffer.from(vm.mem.bytes.subarray(at, at + 8)).toString('hex')).toBe('8877665544332211');
    expect(seen[ARENA_OFFSET + at]).toBe(0x88);
    // A bigger arena is a new Memory (never a grown one, which would detach the views): runs go on there.
    const generation = vm.mem.generation;
    vm.mem.map('big', 'scratch', 1 << 20);
    expect(vm.mem.generation).toBe(generation + 1);
    expect(vm.mem.wasmMemory).not.toBe(memory);
    expect(vm.mem.bytes.buffer).toBe(vm.mem.wasmMemory?.buffer);
    expect(seen.length).toBeGreaterThan(0); // the old views are not detached
    vm.reset();
    const before = vm.wasmInsns;
    expect(vm.run()).toBe('exited');
    expect(vm.wasmInsns - before).toBe(vm.count);
    expect(vm.mem.bytes[at]).toBe(0x88);
  });

  it('keeps the windows in the header true: every byte they hold has the permission, through maps, fences, frees, permission changes and new buffers (seeded)', () => {
    const rng = new Rng(0x77696e64);
    for (let trial = 0; trial < 40; trial++) {
      const memory = new GuestMemory(1 << 12);
      // The stack window: a stack frame, changed like any other region below.
      const stack = memory.map('stack frame 0', 'stack', 512);
      memory.setStackWindow(stack);
      const regions: Region[] = [stack];
      let window: Region | undefined;
      for (let step = 0; step < 60; step++) {
        const pick = regions[rng.below(Math.max(1, regions.length))];
        const what = rng.below(7);
        if (what === 0 || !pick) {
          const kind = (['packet', 'input', 'scratch', 'map-value'] as const)[rng.below(4)] ?? 'scratch';
          const r = memory.map(`r${step}`, kind, 1 + rng.below(rng.chance(0.1) ? 8192 : 96), rng.chance(0.8) ? PERM_READ | PERM_WRITE : PERM_READ);
          regions.push(r);
          if (kind === 'packet' || kind === 'input') window = r;
        } else if (what === 1) memory.fence(pick, pick.start + rng.below(pick.size + 1), pick.start + rng.below(pick.size + 9), () => 'fenced');
        else if (what === 2) memory.unfence(pick);
        else if (what === 3) memory.free(pick);
        else if (what === 4) memory.setPerms(pick, rng.below(4));
        else if (what === 5) memory.setSpecial(pick, { load: () => 'special', store: () => 'special' });
        else if (memory.bytes.length < 1 << 18) memory.map(`big${step}`, 'scratch', memory.bytes.length); // a new buffer
        const h = new DataView(memory.buffer, 0, ARENA_OFFSET);
        const lo = h.getUint32(HDR_WINDOW, true);
        expect(h.getInt32(HDR_WINDOW + 4, true)).toBe(GUEST_BASE_HI);
        const spans = [h.getUint32(HDR_WINDOW + 8, true), h.getUint32(HDR_WINDOW + 12, true)];
        [PERM_READ, PERM_WRITE].forEach((perm, i) => {
          const span = spans[i] ?? 0;
          // An 8-byte access at each of the span's offsets lies in bytes with the permission.
          if (span > 0) expect(memory.accessible(lo, span + 7, perm), `trial ${trial} step ${step}`).toBe(true);
        });
        // The window is the last packet or input mapped, whole while nothing narrowed it.
        if (window && !window.freed && !window.fence && window.size >= 8 && (window.perms & PERM_READ) !== 0) {
          expect(lo).toBe(window.start);
          expect(spans[0]).toBe(window.size - 7);
        }
        // The stack window: its start negated, the same counts.
        const start = BigInt.asUintN(64, -h.getBigInt64(HDR_STACK_WINDOW, true));
        expect(start >> 32n).toBe(BigInt(GUEST_BASE_HI >>> 0));
        const stackSpans = [h.getUint32(HDR_STACK_WINDOW + 8, true), h.getUint32(HDR_STACK_WINDOW + 12, true)];
        [PERM_READ, PERM_WRITE].forEach((perm, i) => {
          const span = stackSpans[i] ?? 0;
          if (span > 0) expect(memory.accessible(Number(start & 0xffffffffn), span + 7, perm), `trial ${trial} step ${step} (stack)`).toBe(true);
        });
        if (!stack.freed && !stack.fence && (stack.perms & PERM_WRITE) !== 0) {
          expect(Number(start & 0xffffffffn)).toBe(stack.start);
          expect(stackSpans[1]).toBe(505);
        }
      }
    }
  });

  it('keeps every mapped byte and permission when the arena moves: into a Memory, and to a bigger buffer before and after', () => {
    const mem = new GuestMemory();
    const kept: { region: Region; bytes: Uint8Array; shadow: Uint8Array }[] = [];
    const snapshot = (): void => {
      // Buffer.equals: toEqual walks a 256 KiB array for seconds.
      for (const k of kept) {
        expect(Buffer.from(mem.bytes.subarray(k.region.start, k.region.start + k.region.size)).equals(k.bytes), `${k.region.name}'s bytes`).toBe(true);
        expect(Buffer.from(mem.shadow.subarray(k.region.start - 8, k.region.start + k.region.size + 8)).equals(k.shadow), `${k.region.name}'s shadow`).toBe(true);
      }
    };
    const add = (size: number, perms: number): void => {
      const region = mem.map(`r${kept.length}`, 'scratch', size, perms);
      for (let i = 0; i < size; i++) mem.bytes[region.start + i] = (i * 31 + kept.length) & 0xff;
      kept.push({ region, bytes: mem.bytes.slice(region.start, region.start + size), shadow: mem.shadow.slice(region.start - 8, region.start + size + 8) });
    };
    add(100, PERM_READ);
    add(3000, PERM_READ | PERM_WRITE);
    add(1 << 17, PERM_READ | PERM_WRITE); // a bigger ArrayBuffer
    snapshot();
    expect(mem.wasmMemory).toBeUndefined();
    expect(mem.wasmBacking()).toBeInstanceOf(WebAssembly.Memory);
    snapshot();
    add(1 << 18, PERM_READ); // a bigger Memory
    expect(mem.bytes.buffer).toBe(mem.wasmMemory?.buffer);
    snapshot();
  });

  it('asks the header, not the shadow, about an access inside the window: a window written over a freed packet is read through', () => {
    // White-box: the header is made to lie (a window over bytes whose shadow says unmapped). The
    // module then loads them, where the interpreter faults: the window is what the module asks.
    const insns = program('r6 = r1\nr0 = 0\nr7 = 0\nloop:\nr3 = *(u16 *)(r6 + 4)\nr0 += r3\nr7 += 1\nif r7 < 3 goto loop\nexit');
    const run = (tier: VmTier, lie: boolean): unknown => {
      const vm = createRawVm(insns, { tier, mem: Uint8Array.from({ length: 32 }, (_, i) => i) });
      const input = vm.mem.allRegions().find((r) => r.kind === 'input');
      if (!input) throw new Error('no input');
      // The header the module reads is the Memory's: the arena moves into one at the tier's first ask.
      if (tier === 'wasm') vm.mem.wasmBacking();
      vm.mem.free(input);
      if (lie) {
        const h = new DataView(vm.mem.buffer, 0, ARENA_OFFSET);
        h.setInt32(HDR_WINDOW, input.start, true);
        h.setInt32(HDR_WINDOW + 8, input.size - 7, true);
      }
      const status = vm.run();
      return { status, r0: vm.reg(0) };
    };
    expect(run('interpreter', true)).toMatchObject({ status: 'fault' });
    expect(run('wasm', false)).toMatchObject({ status: 'fault' });
    // Bytes 4 and 5 (0x0504) three times.
    expect(run('wasm', true)).toEqual({ status: 'exited', r0: 3n * 0x0504n });
  });

  it('takes an access in the window with one compare and leaves every other to the checks: edges, a fenced, read-only, freed or moved window (seeded)', () => {
    const rng = new Rng(0x65646765);
    const changes = ['none', 'fence', 'read-only', 'free', 'moved'] as const;
    const tally: Tally = { wasm: 0, total: 0 };
    for (let seed = 0; seed < 250; seed++) {
      const n = 8 + rng.below(56);
      const sizes = ['u8', 'u16', 'u32', 'u64'] as const;
      const width = { u8: 1, u16: 2, u32: 4, u64: 8 };
      const body: string[] = [];
      for (let k = 0; k < 2 + rng.below(5); k++) {
        const size = sizes[rng.below(4)] ?? 'u8';
        // Mostly inside, some across either edge.
        const off = rng.chance(0.75) ? rng.below(n - width[size] + 1) : rng.below(n + 24) - 12;
        if (rng.chance(0.6)) body.push(`r3 = *(${size} *)(r6 ${off < 0 ? '-' : '+'} ${Math.abs(off)})`, 'r0 += r3');
        else body.push(`*(${size} *)(r6 ${off < 0 ? '-' : '+'} ${Math.abs(off)}) = r0`);
      }
      const insns = program(['r6 = r1', 'r0 = 7', 'r7 = 0', 'loop:', ...body, 'r7 += 1', 'if r7 < 4 goto loop', 'exit'].join('\n'));
      const mem = Uint8Array.from({ length: n }, () => rng.below(256));
      const change = changes[seed % changes.length] ?? 'none';
      const lo = rng.below(n);
      const hi = lo + rng.below(n - lo + 1);
      const run = (tier: VmTier): unknown => {
        const vm = createRawVm(insns, { tier, mem });
        const input = vm.mem.allRegions().find((r) => r.kind === 'input');
        if (!input) throw new Error('no input');
        if (change === 'fence') vm.mem.fence(input, input.start + lo, input.start + hi, () => 'outside the fence');
        if (change === 'read-only') vm.mem.setPerms(input, PERM_READ);
        if (change === 'free') vm.mem.free(input);
        if (change === 'moved') vm.mem.map('another packet', 'packet', 64);
        const out = outcome(vm, vm.run());
        if (tier === 'wasm') {
          tally.wasm += vm.wasmInsns;
          tally.total += vm.count;
        }
        return out;
      };
      expect(run('wasm'), `seed ${seed} (${change})`).toEqual(run('interpreter'));
    }
    // The accesses the checks pass ran in WebAssembly; the refused ones stopped the run at once.
    expect(tally.wasm / tally.total).toBeGreaterThan(0.8);
  });

  it('runs a loop wholly in WebAssembly, and chooses the tier per program by default', () => {
    const insns = program('r0 = 0\nr1 = 100000\nloop:\nr0 += r1\nr2 = r0\nr2 ^= 0x55\n*(u64 *)(r10 - 8) = r2\nr3 = *(u64 *)(r10 - 8)\nr1 += -1\nif r1 != 0 goto loop\nr0 += r3\nexit');
    const vm = createRawVm(insns, { tier: 'wasm' });
    expect(vm.wasmReady).toBe(true);
    expect(vm.run()).toBe('exited');
    expect(vm.wasmInsns).toBe(vm.count);
    expect(vm.count).toBeGreaterThan(700_000);
    const other = createRawVm(insns, { tier: 'interpreter' });
    other.run();
    expect(outcome(vm, vm.status)).toEqual(outcome(other, other.status));
    // By default ('auto') the engine chooses: a loop without calls runs in WebAssembly …
    const byDefault = createRawVm(insns);
    byDefault.run();
    expect(byDefault.wasmReady).toBe(true);
    expect(byDefault.wasmInsns).toBe(byDefault.count);
    // … a program without a loop, or with a helper call in its loop, compiled.
    for (const text of ['r0 = 1\nr0 += 2\nexit', 'r6 = 3\nloop:\ncall 5\nr6 += -1\nif r6 != 0 goto loop\nr0 = 0\nexit']) {
      const chosen = createRawVm(program(text));
      expect(chosen.wasmReady, text).toBe(false);
      expect(chosen.compiled, text).toBe(true);
    }
    // … and a program without a loop in WebAssembly exactly when the compiled tier would not
    // compile it (its source past MAX_COMPILED_SOURCE), whatever its length in instructions.
    const sizes = [100, 400, 900, 2_000].map((n) => {
      const long = program(`r0 = 1\n${'r0 += 3\nr1 = r0\n'.repeat(n / 2)}exit`);
      const compiledSource = createRawVm(long, { tier: 'compiled' }).compiledSource().length;
      const chosen = createRawVm(long);
      expect(chosen.wasmReady, `${n} instructions, ${compiledSource} characters compiled`).toBe(compiledSource > MAX_COMPILED_SOURCE);
      return chosen.wasmReady;
    });
    expect(sizes).toContain(true);
    expect(sizes).toContain(false);
    // Asked for, a tier is used whatever the program.
    expect(createRawVm(insns, { tier: 'compiled' }).wasmReady).toBe(false);
    expect(createRawVm(program('r0 = 1\nexit'), { tier: 'wasm' }).wasmReady).toBe(true);
  });

  it('runs a program of 4,000 instructions with 800 jump targets (no size cap like the compiled tier’s), with the same results', () => {
    const body = ['r0 = 1', 'r9 = 5', 'outer:'];
    for (let i = 0; i < 800; i++) body.push('r1 += r0', `if r1 & ${1 << i % 7} goto skip${i}`, `r0 ^= ${(i * 0x9e37) & 0xffff}`, `skip${i}:`, 'r0 += 7', 'w2 = w1');
    body.push('r9 += -1', 'if r9 != 0 goto outer', 'exit');
    const insns = program(body.join('\n'));
    expect(insns.length).toBeGreaterThan(4_000);
    const tally = { wasm: 0, total: 0 };
    const [wasm, interpreted] = both(insns, undefined, 1_000_000, tally);
    expect(wasm).toEqual(interpreted);
    expect(tally.wasm).toBe(tally.total);
    expect(tally.total).toBeGreaterThan(16_000);
  });

  /** A program's module, as the Vm would make it. */
  function moduleOf(insns: readonly (Insn | null)[]): ReturnType<typeof wasmModuleBytes> {
    const pre = predecode(insns, (_pc, insn) => ({ lo: insn.imm, hi: insn.imm2 }));
    const ops = new Int32Array(insns.length + 1);
    for (let pc = 0; pc <= insns.length; pc++) ops[pc] = pre.code[pc * 8] ?? 0;
    return wasmModuleBytes(ops, pre.code, pre.regs, cfgOf(insns));
  }

  /** The blocks and loops `structure` makes of a program, as [kind, start, end] in program order. */
  function constructsOf(text: string, entries: number[] = []): [string, number, number][] | undefined {
    const insns = program(text);
    const pre = predecode(insns, (_pc, insn) => ({ lo: insn.imm, hi: insn.imm2 }));
    const ops = new Int32Array(insns.length + 1);
    for (let pc = 0; pc <= insns.length; pc++) ops[pc] = pre.code[pc * 8] ?? 0;
    const found = structure(ops, pre.code, insns.length, (t) => t >= 0 && t <= insns.length, entries);
    return found?.map((c): [string, number, number] => [c.loop ? 'loop' : 'block', c.start, c.end]).sort((a, b) => a[1] - b[1] || b[2] - a[2]);
  }

  it('writes a valid module: the dispatch function, the structured one, the arena and shadow in the imported memory, and the step, field and call imports', () => {
    const insns = program('r0 = 5\nr0 += r0\nif r0 > 9 goto out\nr0 = 1\nout:\nexit');
    const { bytes, entries, structured } = moduleOf(insns);
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(structured).toBe(true);
    // Entries: 0 and the jump target (4) in both functions (3), the end (5) in the dispatch one (1).
    expect([...entries]).toEqual([3, 0, 0, 0, 3, 1]);
    const module = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.imports(module)).toEqual([
      { module: 'env', name: 'mem', kind: 'memory' },
      { module: 'env', name: 'step', kind: 'function' },
      { module: 'env', name: 'field', kind: 'function' },
      { module: 'env', name: 'call', kind: 'function' },
    ]);
    expect(WebAssembly.Module.exports(module)).toEqual([
      { name: 'run', kind: 'function' },
      { name: 'run0', kind: 'function' },
    ]);
  });

  it('keeps the registers only an atomic writes (its fetched source, cmpxchg\'s r0), and the ones it never writes, as the interpreter does', () => {
    // r1 (the input's address) and r0 are written by nothing but the atomics; r2, r9 by nothing.
    const insns = program('*(u64 *)(r10 - 8) = 7\nr1 = atomic_fetch_add((u64 *)(r10 - 8), r1)\nr0 = cmpxchg_64(r10 - 8, r0, r3)\nr3 = *(u64 *)(r10 - 8)\nexit');
    const tally = { wasm: 0, total: 0 };
    const [wasm, interpreted] = both(insns, new Uint8Array(16), 1_000, tally);
    expect(wasm).toEqual(interpreted);
    expect(tally.wasm).toBe(tally.total);
    const vm = createRawVm(insns, { tier: 'wasm', maxInsns: 1_000, mem: new Uint8Array(16) });
    const r1 = vm.reg(1);
    vm.run();
    expect(vm.reg(1)).toBe(7n);
    // The stack held 7 + the address; cmpxchg (r0 = 0 ≠ it) leaves it, and r0 gets it.
    expect(vm.reg(0)).toBe(BigInt.asUintN(64, 7n + r1));
  });

  it('hints each check: the window\'s in-bounds branch likely, slow paths and the budget\'s stop unlikely, every hint at an if or br_if', () => {
    // A load through r1 (the window) and a store through r10 (the stack window) in a loop.
    const insns = program('r2 = 0\nloop:\nr3 = *(u16 *)(r1 + 0)\nr0 += r3\n*(u64 *)(r10 - 8) = r0\nr2 += 1\nif r2 < 10 goto loop\nexit');
    const { bytes } = moduleOf(insns);
    const at = { i: 8 };
    const uleb = (): number => {
      let v = 0;
      for (let shift = 0; ; shift += 7) {
        const b = bytes[at.i++] ?? 0;
        v |= (b & 0x7f) << shift;
        if ((b & 0x80) === 0) return v >>> 0;
      }
    };
    const hints: { fn: number; offset: number; value: number }[] = [];
    const bodies: Uint8Array[] = [];
    const order: string[] = [];
    while (at.i < bytes.length) {
      const id = bytes[at.i++] ?? 0;
      const end = uleb() + at.i;
      if (id === 0) {
        const nameLength = uleb();
        const name = new TextDecoder().decode(bytes.subarray(at.i, at.i + nameLength));
        at.i += nameLength;
        order.push(name);
        if (name === 'metadata.code.branch_hint') {
          for (let f = uleb(); f > 0; f--) {
            const fn = uleb();
            for (let n = uleb(); n > 0; n--) {
              const offset = uleb();
              expect(uleb()).toBe(1);
              hints.push({ fn, offset, value: bytes[at.i++] ?? -1 });
            }
          }
        }
      } else if (id === 10) {
        order.push('code');
        for (let n = uleb(); n > 0; n--) {
          const size = uleb();
          bodies.push(bytes.subarray(at.i, at.i + size));
          at.i += size;
        }
      }
      at.i = end;
    }
    // Before the code section, so that an engine has the hints when it compiles the functions.
    expect(order).toEqual(['metadata.code.branch_hint', 'code']);
    const IF = 0x04;
    const BR_IF = 0x0d;
    // The two functions (run, run0: after the three imports), each hint on an if or a br_if of its body.
    expect(new Set(hints.map((h) => h.fn))).toEqual(new Set([3, 4]));
    for (const h of hints) expect([IF, BR_IF]).toContain(bodies[h.fn - 3]?.[h.offset]);
    // Per function: offsets in order, two likely hints (the load's window, the store's stack
    // window: in `run0` those of the loop as ever, its counted copy checking neither), the rest unlikely.
    for (const fn of [3, 4]) {
      const mine = hints.filter((h) => h.fn === fn);
      expect(mine.map((h) => h.offset)).toEqual([...mine.map((h) => h.offset)].sort((a, b) => a - b));
      expect(mine.filter((h) => h.value === 1)).toHaveLength(2);
      expect(mine.filter((h) => h.value === 0).length).toBeGreaterThanOrEqual(5);
    }
  });

  it('structures the jumps as blocks and loops: forward jumps end blocks, backward ones start loops, crossing ones nest', () => {
    // A loop with a forward jump inside it and one out of it: the block out of the loop
    // opens with the loop (it encloses it); the one inside stays inside.
    expect(constructsOf('r1 = 9\ntop:\nif r1 == 3 goto skip\nr0 += 1\nskip:\nif r1 == 5 goto out\nr1 += -1\nif r1 != 0 goto top\nr0 += 5\nout:\nexit')).toEqual([
      ['block', 1, 7],
      ['loop', 1, 6],
      ['block', 1, 3],
    ]);
    // Two loops that share a tail (a backward jump to each header from the end): the outer
    // one's end moves to the inner one's.
    expect(constructsOf('a:\nr0 += 1\nb:\nr0 += 2\nif r0 < 10 goto a\nif r0 < 20 goto b\nexit')).toEqual([
      ['loop', 0, 4],
      ['loop', 1, 4],
    ]);
    // Two forward jumps whose spans cross: the later-starting block opens with the first.
    expect(constructsOf('if r1 == 0 goto x\nif r1 == 1 goto y\nr0 = 1\nx:\nr0 += 1\ny:\nexit')).toEqual([
      ['block', 0, 4],
      ['block', 0, 3],
    ]);
    // A jump from before a loop into its body, past the header: irreducible, no structure.
    expect(constructsOf('if r1 == 0 goto mid\ntop:\nr0 += 1\nmid:\nr0 += 2\nif r0 < 9 goto top\nexit')).toBeUndefined();
    // Entries past pc 0 open blocks before pc 0 (the prelude's br_table jumps to them) …
    expect(constructsOf('r0 = 1\nr0 += 1\nr0 += 2\nexit', [2])).toEqual([['block', -1, 2]]);
    // … and one inside a loop body makes the structure irreducible.
    expect(constructsOf('r0 = 1\ntop:\nr0 += 1\nr0 += 2\nif r0 < 9 goto top\nexit', [2])).toBeUndefined();
  });

  it('runs an irreducible CFG through the dispatch function, with the same results', () => {
    // Two ways into a loop: at its header and, from the start, into its body.
    const insns = program('r0 = 0\nr1 = 1000\nif r2 == 0 goto mid\ntop:\nr0 += 3\nmid:\nr0 ^= r1\nr1 += -1\nif r1 != 0 goto top\nexit');
    expect(moduleOf(insns).structured).toBe(false);
    const tally = { wasm: 0, total: 0 };
    const [wasm, interpreted] = both(insns, undefined, 1_000_000, tally);
    expect(wasm).toEqual(interpreted);
    expect(tally.wasm).toBe(tally.total);
    expect(tally.total).toBeGreaterThan(4_000);
  });

  it('goes on in the structured function after an access the interpreter took, where that is outside every loop', () => {
    // A context load (no permission bits: the interpreter's) before a loop: the Vm enters
    // the structured function again after it, at an entry of its prelude.
    const insns = program('r2 = *(u32 *)(r1 + 0)\nr0 = 0\nr3 = 50000\nloop:\nr0 += r3\nr3 += -1\nif r3 != 0 goto loop\nr0 += r2\nexit');
    const m = moduleOf(insns);
    expect(m.structured).toBe(true);
    expect(m.entries[1]).toBe(3);
    const run = (tier: VmTier): { vm: Vm; out: unknown } => {
      const memory = new GuestMemory();
      const ctx = memory.map('ctx', 'context', 16);
      memory.setSpecial(ctx, { load: () => ({ lo: 7, hi: 0 }), store: () => true });
      const vm = new Vm(insns, { tier, memory });
      vm.onReset = (v) => v.setRegPointer(1, ctx);
      vm.reset();
      return { vm, out: outcome(vm, vm.run()) };
    };
    const w = run('wasm');
    const i = run('interpreter');
    expect(w.out).toEqual(i.out);
    expect(w.vm.reg(0)).toBe(1_250_025_000n + 7n);
    expect(w.vm.wasmInsns).toBe(w.vm.count - 1);
  });

  const available = sharedAvailable(CONFORMANCE_DIR);
  if (!available) console.log(`skipped: bpf_conformance suite not found at ${CONFORMANCE_DIR} (WebAssembly-tier comparison)`);
  it.skipIf(!available)('agrees on every program of the bpf_conformance suite', () => {
    const compared = forEachConformanceProgram((name, bytes, options) => {
      // The same run but for the count of instructions WebAssembly ran.
      const { wasmInsns: _wasm, ...wasm } = { wasmInsns: 0, ...runRaw(bytes, { ...options, tier: 'wasm' }) };
      const { wasmInsns: _none, ...interpreted } = { wasmInsns: 0, ...runRaw(bytes, { ...options, tier: 'interpreter' }) };
      expect(wasm, name).toEqual(interpreted);
    });
    expect(compared).toBeGreaterThanOrEqual(300);
  });
});
