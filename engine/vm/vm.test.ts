// Memory, atomics, calls, faults, the budget and the debugger controls of the VM.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeProgram, type Insn } from '../isa/index.ts';
import { OP } from './interpreter.ts';
import { createRawVm, runRaw } from './raw.ts';
import { Vm, type VmHost } from './vm.ts';

const I = {
  lddw: (dst: number, v: bigint): Insn => {
    const u = BigInt.asUintN(64, v);
    return { kind: 'ldimm64', dst, pseudo: 0, imm: Number(BigInt.asIntN(32, u)), imm2: Number(BigInt.asIntN(32, u >> 32n)) };
  },
  mov: (dst: number, imm: number): Insn => ({ kind: 'alu', width: 64, op: 'mov', dst, src: { type: 'imm', imm } }),
  movr: (dst: number, src: number): Insn => ({ kind: 'alu', width: 64, op: 'mov', dst, src: { type: 'reg', reg: src } }),
  add: (dst: number, imm: number): Insn => ({ kind: 'alu', width: 64, op: 'add', dst, src: { type: 'imm', imm } }),
  addr: (dst: number, src: number): Insn => ({ kind: 'alu', width: 64, op: 'add', dst, src: { type: 'reg', reg: src } }),
  ld: (size: 1 | 2 | 4 | 8, dst: number, base: number, off: number, signExtend = false): Insn => ({ kind: 'load', size, signExtend, dst, base, off }),
  st: (size: 1 | 2 | 4 | 8, base: number, off: number, imm: number): Insn => ({ kind: 'store', size, base, off, src: { type: 'imm', imm } }),
  stx: (size: 1 | 2 | 4 | 8, base: number, off: number, reg: number): Insn => ({ kind: 'store', size, base, off, src: { type: 'reg', reg } }),
  ja: (off: number): Insn => ({ kind: 'ja', long: false, off }),
  call: (imm: number): Insn => ({ kind: 'call', target: 'local', imm, off: 0 }),
  exit: { kind: 'exit' } as Insn,
};

function ok(insns: Insn[], mem?: Uint8Array): bigint {
  const r = runRaw(encodeProgram(insns), mem ? { mem } : {});
  if (!r.ok) throw new Error(r.error);
  return r.r0;
}
function fails(insns: Insn[], mem?: Uint8Array, maxInsns?: number): string {
  const r = runRaw(encodeProgram(insns), { ...(mem ? { mem } : {}), ...(maxInsns ? { maxInsns } : {}) });
  if (r.ok) throw new Error(`expected a fault, got r0=${r.r0}`);
  return r.error;
}

describe('the pre-decoded switch', () => {
  it('uses the OP numbers as its case literals, every one of them', () => {
    const src = readFileSync(new URL('./interpreter.ts', import.meta.url), 'utf8');
    const cases = [...src.matchAll(/case (\d+):(?: \{)? \/\/ ([A-Z0-9_]+)/g)].map((m) => [Number(m[1]), m[2] ?? ''] as const);
    for (const [n, name] of cases) expect(OP[name as keyof typeof OP], `case ${n} // ${name}`).toBe(n);
    const covered = new Set(cases.map(([n]) => n));
    for (const [name, n] of Object.entries(OP)) if (name !== 'INVALID') expect(covered.has(n), `OP.${name} has a case`).toBe(true);
  });
});

describe('loads and stores', () => {
  const mem = Uint8Array.from([0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x01, 0x02]);
  it('zero-extends LDX and sign-extends LDXS, little-endian', () => {
    expect(ok([I.ld(1, 0, 1, 0), I.exit], mem)).toBe(0x81n);
    expect(ok([I.ld(2, 0, 1, 0), I.exit], mem)).toBe(0x8281n);
    expect(ok([I.ld(4, 0, 1, 0), I.exit], mem)).toBe(0x84838281n);
    expect(ok([I.ld(8, 0, 1, 0), I.exit], mem)).toBe(0x8887868584838281n);
    expect(ok([I.ld(1, 0, 1, 0, true), I.exit], mem)).toBe(0xffffffffffffff81n);
    expect(ok([I.ld(2, 0, 1, 0, true), I.exit], mem)).toBe(0xffffffffffff8281n);
    expect(ok([I.ld(4, 0, 1, 0, true), I.exit], mem)).toBe(0xffffffff84838281n);
    expect(ok([I.ld(2, 0, 1, 8, true), I.exit], mem)).toBe(0x0201n);
  });
  it('ST sign-extends its immediate to 64 bits; narrow stores truncate', () => {
    expect(ok([I.st(8, 10, -8, -2), I.ld(8, 0, 10, -8), I.exit])).toBe(0xfffffffffffffffen);
    expect(ok([I.lddw(1, 0x1122334455667788n), I.stx(8, 10, -8, 1), I.stx(2, 10, -8, 0), I.ld(8, 0, 10, -8), I.exit])).toBe(0x1122334455660000n);
    expect(ok([I.st(8, 10, -8, 0), I.st(1, 10, -7, 0x1ff), I.ld(8, 0, 10, -8), I.exit])).toBe(0xff00n);
  });
  it('the stack is 512 bytes below r10', () => {
    expect(ok([I.st(8, 10, -512, 7), I.ld(8, 0, 10, -512), I.exit])).toBe(7n);
    expect(fails([I.st(8, 10, -520, 7), I.exit])).toMatch(/^pc 0: invalid write of 8 bytes at 0xffff8881[0-9a-f]{8}: 8 bytes below the start of stack frame 0 \(the stack spans r10-512..r10\)$/);
    expect(fails([I.ld(4, 0, 10, 0), I.exit])).toMatch(/invalid read of 4 bytes/);
  });
});

describe('faults name pc, address, size and region', () => {
  const mem = new Uint8Array(8);
  it('reading past the input', () => {
    expect(fails([I.mov(0, 0), I.ld(4, 0, 1, 6), I.exit], mem)).toMatch(/^pc 1: invalid read of 4 bytes at 0xffff8881[0-9a-f]{8}: access at offset 6 of 4 bytes crosses the bounds of input \(8 bytes\)$/);
  });
  it('a NULL pointer', () => {
    expect(fails([I.mov(1, 0), I.ld(8, 0, 1, 16), I.exit])).toBe('pc 1: invalid read of 8 bytes at 0x0000000000000010: NULL pointer dereference');
  });
  it('a scalar that is no pointer', () => {
    expect(fails([I.lddw(1, 0x1234567890n), I.stx(8, 1, 0, 1), I.exit])).toMatch(/pc 2: invalid write of 8 bytes at 0x0000001234567890: address outside guest memory/);
  });
  it('use-after-free', () => {
    const vm = createRawVm([I.ld(4, 0, 1, 0), I.exit], { mem });
    const input = vm.mem.allRegions().find((r) => r.name === 'input');
    if (!input) throw new Error('no input region');
    input.note = 'refcount 0';
    vm.mem.free(input);
    expect(vm.run()).toBe('fault');
    expect(vm.faultInfo?.message).toMatch(/use-after-free: input was freed \(refcount 0\)/);
    expect(vm.faultInfo).toMatchObject({ kind: 'memory', pc: 0, size: 4, region: 'input' });
  });
});

describe('atomics', () => {
  type Op = 'add' | 'or' | 'and' | 'xor' | 'xchg' | 'cmpxchg';
  const at = (size: 4 | 8, op: Op, fetch: boolean, src: number): Insn => ({ kind: 'atomic', size, op, fetch, base: 10, off: -8, src });
  const prog = (size: 4 | 8, op: Op, fetch: boolean, mem0: bigint, src: bigint, r0: bigint, result: 'mem' | 'src' | 'r0'): bigint =>
    ok([
      I.lddw(1, mem0),
      I.stx(8, 10, -8, 1),
      I.lddw(2, src),
      I.lddw(0, r0),
      at(size, op, fetch, 2),
      ...(result === 'mem' ? [I.ld(8, 0, 10, -8)] : result === 'src' ? [I.movr(0, 2)] : []),
      I.exit,
    ]);
  const m = 0x00000000_f0f0f0f0n;
  it.each([
    ['add', m + 0x0f0f0f10n],
    ['or', m | 0x0f0f0f10n],
    ['and', m & 0x0f0f0f10n],
    ['xor', m ^ 0x0f0f0f10n],
  ] as const)('%s updates memory (64-bit)', (op, expected) => {
    expect(prog(8, op, false, m, 0x0f0f0f10n, 0n, 'mem')).toBe(expected);
  });
  it('32-bit add carries nothing into the next word and fetch zero-extends the old value', () => {
    expect(prog(4, 'add', false, 0x11111111_ffffffffn, 1n, 0n, 'mem')).toBe(0x11111111_00000000n);
    expect(prog(4, 'add', true, 0x11111111_ffffffffn, 0xaaaaaaaa_00000001n, 0n, 'src')).toBe(0xffffffffn);
  });
  it('fetch forms return the old value in src', () => {
    expect(prog(8, 'or', true, 0x1234n, 0x1n, 0n, 'src')).toBe(0x1234n);
    expect(prog(8, 'xchg', true, 0x1234n, 0x99n, 0n, 'src')).toBe(0x1234n);
    expect(prog(8, 'xchg', true, 0x1234n, 0x99n, 0n, 'mem')).toBe(0x99n);
  });
  it('cmpxchg compares with r0, stores on equality and always loads the old value into r0', () => {
    expect(prog(8, 'cmpxchg', true, 5n, 9n, 5n, 'mem')).toBe(9n);
    expect(prog(8, 'cmpxchg', true, 5n, 9n, 6n, 'mem')).toBe(5n);
    expect(prog(8, 'cmpxchg', true, 5n, 9n, 6n, 'r0')).toBe(5n);
    expect(prog(4, 'cmpxchg', true, 0xffffffff_00000005n, 9n, 0x77777777_00000005n, 'mem')).toBe(0xffffffff_00000009n);
    expect(prog(4, 'cmpxchg', true, 0xffffffff_00000005n, 9n, 0x5n, 'r0')).toBe(5n);
  });
  it('faults on a read-only or unmapped target', () => {
    expect(fails([I.mov(1, 0), { kind: 'atomic', size: 8, op: 'add', fetch: false, base: 1, off: 0, src: 1 }, I.exit])).toMatch(/pc 1: invalid write of 8 bytes at 0x0000000000000000: NULL/);
  });
});

describe('BPF-to-BPF calls', () => {
  it('preserve r6-r9, pass r1-r5 and return r0', () => {
    const prog = [I.mov(6, 6), I.mov(9, 9), I.mov(1, 40), I.call(3), I.addr(0, 6), I.addr(0, 9), I.exit, I.mov(6, 0), I.mov(9, 0), I.movr(0, 1), I.exit];
    expect(ok(prog)).toBe(55n);
  });
  it('give each frame its own 512-byte stack', () => {
    const prog = [I.st(8, 10, -8, 1), I.call(2), I.ld(8, 0, 10, -8), I.exit, I.st(8, 10, -8, 2), I.exit];
    expect(ok(prog)).toBe(1n);
  });
  it('stop at 8 frames', () => {
    expect(fails([I.call(-1), I.exit])).toBe('pc 0: call nesting deeper than 8 frames (MAX_CALL_FRAMES)');
  });
});

describe('the instruction budget', () => {
  it('stops a runaway loop with a clear message and the count', () => {
    const r = runRaw(encodeProgram([I.ja(-1), I.exit]), { maxInsns: 1000 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatch(/instruction budget exhausted: 1,000 instructions executed without reaching exit/);
      expect(r.insns).toBeGreaterThan(1000);
    }
  });
  it('counts instructions, not slots (lddw counts once)', () => {
    const r = runRaw(encodeProgram([I.lddw(0, 1n), I.mov(1, 2), I.exit]));
    expect(r.ok && r.insns).toBe(3);
  });
});

describe('legacy packet loads', () => {
  const mem = Uint8Array.from([0x12, 0x34, 0x56, 0x78]);
  it('read big-endian from the input and end the program with 0 when out of bounds', () => {
    expect(ok([{ kind: 'ldpkt', mode: 'abs', size: 2, src: 0, imm: 1 }, I.exit], mem)).toBe(0x3456n);
    expect(ok([I.mov(3, 1), { kind: 'ldpkt', mode: 'ind', size: 1, src: 3, imm: 2 }, I.exit], mem)).toBe(0x78n);
    expect(ok([I.mov(0, 7), { kind: 'ldpkt', mode: 'abs', size: 4, src: 0, imm: 1 }, I.mov(0, 9), I.exit], mem)).toBe(0n);
  });
});

describe('debugger controls', () => {
  const loop = [I.mov(0, 0), I.mov(1, 3), I.add(0, 10), I.add(1, -1), { kind: 'jcond', width: 64, cond: 'jne', dst: 1, src: { type: 'imm', imm: 0 }, off: -3 } as Insn, I.exit];
  it('step executes one instruction at a time with an exact count', () => {
    const vm = createRawVm(loop);
    const pcs: number[] = [];
    while (!vm.finished) {
      pcs.push(vm.pc);
      vm.step();
    }
    expect(pcs).toEqual([0, 1, 2, 3, 4, 2, 3, 4, 2, 3, 4, 5]);
    expect(vm.status).toBe('exited');
    expect(vm.reg(0)).toBe(30n);
    expect(vm.count).toBe(12);
  });
  it('a breakpoint stops before the instruction each time it is reached; continue resumes', () => {
    const vm = createRawVm(loop);
    vm.setBreakpoints([3]);
    const hits: bigint[] = [];
    while (vm.run() === 'breakpoint') hits.push(vm.reg(0));
    expect(hits).toEqual([10n, 20n, 30n]);
    expect(vm.status).toBe('exited');
    expect(vm.count).toBe(12);
  });
  it('step over runs a call to its return; step into enters it', () => {
    const prog = [I.mov(0, 1), I.call(2), I.add(0, 100), I.exit, I.mov(0, 5), I.exit];
    const over = createRawVm(prog);
    over.step();
    expect(over.stepOver()).toBe('step');
    expect(over.pc).toBe(2);
    expect(over.reg(0)).toBe(5n);
    const into = createRawVm(prog);
    into.step();
    into.step();
    expect(into.pc).toBe(4);
    expect(into.snapshot().callStack).toEqual([2]);
  });
  it('a self-loop single-steps back onto itself', () => {
    const vm = createRawVm([I.ja(-1), I.exit], { maxInsns: 100 });
    vm.step();
    vm.step();
    expect(vm.pc).toBe(0);
    expect(vm.count).toBe(2);
  });
  it('snapshots registers, the current stack and the fault', () => {
    const vm = createRawVm([I.st(8, 10, -8, 0x41), I.mov(1, 0), I.ld(8, 0, 1, 0), I.exit]);
    vm.step();
    const s = vm.snapshot();
    expect(s.stack[504]).toBe(0x41);
    expect(s.regs[10]).toBe(s.stackBase + 512n);
    vm.run();
    expect(vm.snapshot()).toMatchObject({ status: 'fault', pc: 2, fault: { kind: 'memory', pc: 2 } });
  });
  it('paused slices add up to the same result', () => {
    const vm = createRawVm(loop);
    let status = vm.run(2);
    let slices = 1;
    while (status === 'paused') {
      status = vm.run(2);
      slices++;
    }
    expect(status).toBe('exited');
    expect(slices).toBeGreaterThan(1);
    expect(vm.reg(0)).toBe(30n);
  });
});

describe('load-time structure checks (the kernel\'s wording)', () => {
  it('rejects jumps out of range, into lddw, writes to r10 and a fall-through end', () => {
    expect(runRaw(encodeProgram([I.ja(5), I.exit]))).toMatchObject({ ok: false, stage: 'load', error: 'pc 0: jump out of range from insn 0 to 6' });
    expect(runRaw(encodeProgram([I.ja(1), I.lddw(0, 1n), I.exit]))).toMatchObject({ ok: false, error: 'pc 0: jump into the middle of ldimm64 insn 1' });
    expect(runRaw(encodeProgram([I.mov(10, 0), I.exit]))).toMatchObject({ ok: false, error: 'pc 0: frame pointer is read only' });
    expect(runRaw(encodeProgram([I.mov(0, 0)]))).toMatchObject({ ok: false, error: 'pc 0: last insn is not an exit or jmp' });
  });
});

describe('superinstructions', () => {
  const loop = [I.mov(0, 0), I.mov(1, 3), I.add(0, 10), I.add(1, -1), { kind: 'jcond', width: 64, cond: 'jne', dst: 1, src: { type: 'imm', imm: 0 }, off: -3 } as Insn, I.exit];
  it('a breakpoint on the second instruction of a fused pair stops there every time', () => {
    const vm = createRawVm(loop);
    vm.setBreakpoints([4]);
    const seen: bigint[] = [];
    while (vm.run() === 'breakpoint') {
      expect(vm.pc).toBe(4);
      seen.push(vm.reg(1));
    }
    expect(seen).toEqual([2n, 1n, 0n]);
    expect(vm.count).toBe(12);
  });
  it('removing the breakpoint fuses the pair again, with the same result', () => {
    const vm = createRawVm(loop);
    vm.setBreakpoints([4]);
    vm.run();
    vm.setBreakpoints([]);
    expect(vm.run()).toBe('exited');
    expect(vm.reg(0)).toBe(30n);
    expect(vm.count).toBe(12);
  });
  // A bubble sort of four values on the stack: two neighbours loaded (a fused pair at pc 8) and
  // compared, swapped by two stores (a fused pair at pc 11).
  const sort: Insn[] = [
    I.st(8, 10, -32, 9), I.st(8, 10, -24, 3), I.st(8, 10, -16, 7), I.st(8, 10, -8, 1),
    I.mov(2, 24), // the sort limit, in bytes
    I.mov(3, 0), // outer: the offset
    I.movr(5, 10), I.addr(5, 3), // inner: r5 = r10 + r3
    I.ld(8, 4, 5, -32), I.ld(8, 6, 5, -24), { kind: 'jcond', width: 64, cond: 'jle', dst: 4, src: { type: 'reg', reg: 6 }, off: 2 } as Insn,
    I.stx(8, 5, -32, 6), I.stx(8, 5, -24, 4),
    I.add(3, 8), { kind: 'jcond', width: 64, cond: 'jlt', dst: 3, src: { type: 'reg', reg: 2 }, off: -9 } as Insn,
    I.add(2, -8), { kind: 'jcond', width: 64, cond: 'jne', dst: 2, src: { type: 'imm', imm: 0 }, off: -12 } as Insn,
    // r0: the sorted values as four nibbles, the smallest first.
    I.ld(8, 0, 10, -32), I.ld(8, 1, 10, -24), { kind: 'alu', width: 64, op: 'lsh', dst: 0, src: { type: 'imm', imm: 4 } } as Insn, I.addr(0, 1),
    I.ld(8, 1, 10, -16), { kind: 'alu', width: 64, op: 'lsh', dst: 0, src: { type: 'imm', imm: 4 } } as Insn, I.addr(0, 1),
    I.ld(8, 1, 10, -8), { kind: 'alu', width: 64, op: 'lsh', dst: 0, src: { type: 'imm', imm: 4 } } as Insn, I.addr(0, 1),
    I.exit,
  ];
  it('pairs of loads and of stores sort as single instructions do', () => {
    const plain = createRawVm(sort, { tier: 'interpreter', superinstructions: false });
    const fused = createRawVm(sort, { tier: 'interpreter' });
    expect(fused.code[8 * 8]).toBe(OP.LDXDW_LDXDW);
    expect(fused.code[11 * 8]).toBe(OP.STDW_STDW);
    expect(plain.run()).toBe('exited');
    expect(fused.run()).toBe('exited');
    expect(fused.reg(0)).toBe(0x1379n);
    expect(fused.count).toBe(plain.count);
  });
  it('a breakpoint on the second load or store of a pair stops there every time, and the pair fuses again without it', () => {
    const plain = createRawVm(sort, { tier: 'interpreter', superinstructions: false });
    plain.run();
    for (const [at, times] of [[9, 6], [12, 5]] as const) {
      const vm = createRawVm(sort, { tier: 'interpreter' });
      vm.setBreakpoints([at]);
      let stops = 0;
      while (vm.run() === 'breakpoint') {
        expect(vm.pc).toBe(at);
        stops++;
      }
      expect(stops, `breakpoint at ${at}`).toBe(times); // 3 + 2 + 1 comparisons, 5 swaps (inversions)
      expect(vm.reg(0)).toBe(0x1379n);
      expect(vm.count).toBe(plain.count);
      vm.setBreakpoints([]);
      expect(vm.code[(at - 1) * 8]).toBe(at === 9 ? OP.LDXDW_LDXDW : OP.STDW_STDW);
    }
  });
  it('a fault in the second load of a fused pair is that instruction\'s, as without fusion', () => {
    const prog: Insn[] = [I.st(8, 10, -8, 1), I.ld(8, 1, 10, -8), I.ld(8, 2, 10, 8), { kind: 'jcond', width: 64, cond: 'jle', dst: 1, src: { type: 'reg', reg: 2 }, off: 0 } as Insn, I.mov(0, 0), I.exit];
    const fused = runRaw(encodeProgram(prog), { tier: 'interpreter' });
    expect(fused).toEqual(runRaw(encodeProgram(prog), { tier: 'interpreter', superinstructions: false }));
    expect(fused).toMatchObject({ ok: false });
    expect(JSON.stringify(fused)).toContain('pc 2');
  });
  it('a pointer idiom (mov then add) and a loop tail (add then goto) keep their semantics', () => {
    const prog = [I.mov(2, 0), I.mov(3, 0), I.movr(1, 10), I.add(1, -8), I.st(8, 1, 0, 5), I.ld(8, 4, 10, -8), I.addr(2, 4), I.add(3, 1), { kind: 'jcond', width: 64, cond: 'jeq', dst: 3, src: { type: 'imm', imm: 4 }, off: 1 } as Insn, I.ja(-8), I.movr(0, 2), I.exit];
    const fused = runRaw(encodeProgram(prog));
    expect(fused).toMatchObject({ ok: true, r0: 20n });
  });
});

describe('helper call sites', () => {
  // call helper 7; exit — r0 is what the call site's binding gave.
  const program: Insn[] = [{ kind: 'call', target: 'helper', imm: 7, off: 0 }, I.exit];
  /** A host whose bindings depend on its key, as the kernel's depend on the program type. */
  function keyedHost(): { host: VmHost; setKey: (k: string) => void; binds: () => number } {
    let key = 'number';
    let binds = 0;
    const host: VmHost = {
      helper: (_id, vm) => {
        vm.setReg(0, 100n);
        return true;
      },
      kfunc: (_id, _off, vm, pc) => vm.fail(pc, 'kfunc', 'no kfuncs'),
      bindKey: () => key,
      bind: () => {
        binds++;
        const k = key;
        if (k === 'unbound') return undefined;
        return (vm, pc) => {
          if (k === 'number') return -5;
          if (k === 'bigint') return 0x1_0000_0001n;
          if (k === 'sets-r0') {
            vm.setReg(0, 42n);
            return true;
          }
          return vm.fail(pc, 'helper', `pc ${pc}: refused under '${k}'`);
        };
      },
    };
    return { host, setKey: (k) => (key = k), binds: () => binds };
  }

  for (const compile of [true, false]) {
    it(`${compile ? 'compiled tier' : 'interpreter'}: stores each binding's result in r0 and rebinds when the host's key changes`, () => {
      const { host, setKey, binds } = keyedHost();
      const vm = new Vm(program, { host, compile });
      const run = (): bigint => {
        vm.reset();
        expect(vm.run()).toBe('exited');
        return vm.reg(0);
      };
      expect(run()).toBe(2n ** 64n - 5n); // a negative number is sign-extended
      expect(run()).toBe(2n ** 64n - 5n);
      expect(binds()).toBe(1); // bound once while the key stays
      setKey('bigint');
      expect(run()).toBe(0x1_0000_0001n);
      setKey('sets-r0');
      expect(run()).toBe(42n);
      setKey('unbound');
      expect(run()).toBe(100n); // no binding: the host's helper()
      setKey('refuses');
      vm.reset();
      expect(vm.run()).toBe('fault');
      expect(vm.faultInfo?.message).toBe("pc 0: refused under 'refuses'");
      expect(binds()).toBe(5);
    });
  }
});
