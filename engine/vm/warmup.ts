// Primes the interpreter's type feedback. V8 optimizes `execute` for the value kinds each
// handler has seen; a handler first met later (or with a value kind it has not seen, like an
// unsigned 32-bit value above 2^31) deoptimizes the function, and after a few such rounds the
// optimized code is measurably slower for the rest of the process. Running every handler once
// with small, negative and large values before any real program avoids that churn.

import { FORMS, type AluOp, type Insn, type Operand } from '../isa/index.ts';
import { GUEST_BASE_HI } from './memory.ts';
import { Vm, type VmHost } from './vm.ts';

const VALUES: readonly [number, number][] = [
  [7, 0],
  [-3, -1],
  [0x9e3779b9 | 0, 0x7f4a7c15],
  [0x80000000 | 0, 0xffffffff | 0],
];

function operandFor(src: Operand, reg: number): Operand {
  return src.type === 'reg' ? { type: 'reg', reg } : { type: 'imm', imm: src.imm === 0 ? 5 : src.imm };
}

/** One straight-line program: every form once, operating on r1..r5, memory on the stack. */
function exerciser(): Insn[] {
  const out: Insn[] = [];
  for (const form of FORMS) {
    const t = form.template;
    switch (t.kind) {
      case 'alu':
        out.push({ ...t, dst: 1, src: operandFor(t.src, 2) });
        out.push({ ...t, dst: 3, src: t.src.type === 'reg' ? { type: 'reg', reg: 4 } : { type: 'imm', imm: -7 } });
        if (t.op === 'lsh' || t.op === 'rsh' || t.op === 'arsh') out.push({ ...t, dst: 4, src: t.src.type === 'reg' ? { type: 'reg', reg: 2 } : { type: 'imm', imm: 37 & (t.width - 1) } });
        break;
      case 'movsx':
      case 'addr_space_cast':
        out.push({ ...t, dst: 1, src: 2 });
        break;
      case 'may_goto':
        // Off 0: taken or not, the next instruction.
        out.push({ ...t, off: 0 });
        break;
      case 'neg':
      case 'end':
        out.push({ ...t, dst: 3 });
        break;
      case 'load':
        out.push({ kind: 'store', size: 8, base: 10, off: -16, src: { type: 'reg', reg: 3 } });
        out.push({ ...t, dst: 1, base: 10, off: -16 });
        // The slow path too: r6 points at a context the kernel serves (SpecialAccess).
        out.push({ ...t, dst: 1, base: 6, off: 0 });
        break;
      case 'store':
        out.push({ ...t, base: 10, off: -24, src: operandFor(t.src, 2) });
        out.push({ ...t, base: 6, off: 8, src: operandFor(t.src, 2) });
        break;
      case 'atomic':
        out.push({ kind: 'store', size: 8, base: 10, off: -32, src: { type: 'reg', reg: 4 } });
        out.push({ ...t, base: 10, off: -32, src: 5 });
        break;
      case 'jcond':
        // Both outcomes: jump over nothing (off 0) is "taken" and "not taken" to the same place.
        out.push({ ...t, dst: 1, src: operandFor(t.src, 2), off: 0 });
        out.push({ ...t, dst: 3, src: operandFor(t.src, 4), off: 0 });
        break;
      case 'ja':
        out.push({ ...t, off: 0 });
        break;
      case 'ldimm64':
        if (t.pseudo === 0) out.push({ ...t, dst: 2, imm: 0x12345678, imm2: -2 });
        break;
      case 'ldpkt':
        out.push({ ...t, src: 0, imm: 0 });
        break;
      case 'call':
        if (t.target !== 'local') out.push({ ...t, imm: 1 });
        break;
      case 'exit':
        break;
    }
  }
  // The superinstruction idioms: `p = base; p += off` and `i += k; if i <cond> n goto`.
  const add = (dst: number, src: Operand): Insn => ({ kind: 'alu', width: 64, op: 'add', dst, src });
  out.push({ kind: 'alu', width: 64, op: 'mov', dst: 1, src: { type: 'reg', reg: 2 } }, add(1, { type: 'reg', reg: 3 }));
  out.push(add(4, { type: 'imm', imm: 1 }), { kind: 'ja', long: false, off: 0 });
  for (const cond of ['jeq', 'jne', 'jgt', 'jge', 'jlt', 'jle'] as const) {
    for (const src of [{ type: 'imm', imm: 9 }, { type: 'reg', reg: 5 }] as const) {
      out.push(add(3, { type: 'imm', imm: 8 }), { kind: 'jcond', width: 64, cond, dst: 3, src, off: 0 });
    }
  }
  const alu = (op: AluOp, width: 64 | 32, dst: number, src: Operand): Insn => ({ kind: 'alu', width, op, dst, src });
  // Every condition, both widths, register and immediate, on operands equal in both halves,
  // equal in the lower half only, equal in the upper half only and equal in neither: a 64-bit
  // compare reads one half and the other only when the first decides nothing (lower halves
  // equal for ==, upper for <), and a comparison V8 meets first in an optimized loop — a
  // countdown's `if r6 != 0` at its last pass — deoptimized it until these were here.
  const ld = (dst: number, v: bigint): Insn => ({ kind: 'ldimm64', dst, pseudo: 0, imm: Number(BigInt.asIntN(32, v)), imm2: Number(BigInt.asIntN(32, v >> 32n)) });
  const PAIRS: readonly [bigint, bigint][] = [
    [5n, 5n],
    [0x1_0000_0005n, 0x2_0000_0005n],
    [0x1_0000_0005n, 0x1_0000_0007n],
    [7n, 5n],
    [-1n, 5n],
  ];
  for (const [a, b] of PAIRS) {
    for (const cond of ['jeq', 'jgt', 'jge', 'jset', 'jne', 'jsgt', 'jsge', 'jlt', 'jle', 'jslt', 'jsle'] as const) {
      for (const width of [64, 32] as const) {
        out.push(ld(1, a), ld(2, b), { kind: 'jcond', width, cond, dst: 1, src: { type: 'reg', reg: 2 }, off: 0 });
        if (BigInt.asIntN(32, b) === b) out.push({ kind: 'jcond', width, cond, dst: 1, src: { type: 'imm', imm: Number(b) }, off: 0 });
      }
      // The fused `i += k; if i <cond> n goto` (r4 = 0 in between keeps the load from fusing with the add).
      if (['jeq', 'jne', 'jgt', 'jge', 'jlt', 'jle'].includes(cond)) {
        out.push(ld(3, a - 8n), ld(5, b), alu('mov', 64, 4, { type: 'imm', imm: 0 }), add(3, { type: 'imm', imm: 8 }), { kind: 'jcond', width: 64, cond, dst: 3, src: { type: 'reg', reg: 5 }, off: 0 });
        if (BigInt.asIntN(32, b) === b) out.push(ld(3, a - 8n), alu('mov', 64, 4, { type: 'imm', imm: 0 }), add(3, { type: 'imm', imm: 8 }), { kind: 'jcond', width: 64, cond, dst: 3, src: { type: 'imm', imm: Number(b) }, off: 0 });
      }
    }
  }
  // `d = s; d op= x`, `d *= x; d += y` and `w = v; w *= k`.
  for (const op of ['sub', 'mul', 'and', 'or', 'xor'] as const) out.push(alu('mov', 64, 1, { type: 'reg', reg: 2 }), alu(op, 64, 1, { type: 'reg', reg: 3 }));
  for (const op of ['lsh', 'rsh', 'arsh'] as const) out.push(alu('mov', 64, 4, { type: 'reg', reg: 1 }), alu(op, 64, 4, { type: 'imm', imm: 13 }));
  out.push(alu('mul', 64, 4, { type: 'imm', imm: 0x2545f491 }), alu('add', 64, 2, { type: 'reg', reg: 4 }));
  out.push(alu('mov', 32, 5, { type: 'reg', reg: 1 }), alu('mul', 32, 5, { type: 'imm', imm: 16777619 }));
  // Neighbours loaded and stored (a compare-and-swap), on the stack and (the second slot's slow
  // path) in the context; a checksum's load-and-add.
  const ld8 = (dst: number, base: number, off: number): Insn => ({ kind: 'load', size: 8, signExtend: false, dst, base, off });
  const st8 = (base: number, off: number, reg: number): Insn => ({ kind: 'store', size: 8, base, off, src: { type: 'reg', reg } });
  out.push(st8(10, -40, 3), st8(10, -48, 4), ld8(1, 10, -48), ld8(2, 10, -40), ld8(1, 10, -40), ld8(2, 6, 0), st8(10, -40, 2), st8(6, 8, 1));
  out.push({ kind: 'load', size: 2, signExtend: false, dst: 1, base: 10, off: -40 }, add(4, { type: 'reg', reg: 1 }));
  // A BPF-to-BPF call and its return.
  out.push({ kind: 'call', target: 'local', imm: 1, off: 0 }, { kind: 'ja', long: false, off: 1 }, { kind: 'exit' }, { kind: 'exit' });
  return out;
}

let done = false;

/**
 * Runs the exerciser with each value set; cheap (a few thousand instructions), once per
 * process. The Vm constructor calls it, so it runs before the first real program.
 */
export function warmUpInterpreter(): void {
  if (done) return;
  done = true;
  const input: { packet?: { start: number; length: number } } = {};
  const host: VmHost = { helper: () => true, kfunc: () => true, packet: () => input.packet };
  const vm = new Vm(exerciser(), { host, maxInsns: 1_000_000, compile: false });
  const region = vm.mem.map('packet', 'packet', 64);
  input.packet = { start: region.start, length: region.size };
  // A context whose aligned 4-byte loads come from a field table and whose other accesses are served by calls.
  const ctx = vm.mem.map('context', 'context', 16);
  const answer = { lo: 1, hi: 0 };
  vm.mem.setSpecial(ctx, { fields: { values: Int32Array.of(ctx.start, GUEST_BASE_HI, 3, 0), readable: Uint8Array.of(1, 1, 0, 0) }, load: () => answer, store: () => true });
  // V8 allocates a function's feedback vector only after its first calls (lazy feedback
  // allocation): what those calls ran records nothing. Hence several rounds, each of which
  // takes every path — the context field table forgotten before every other run, so that both
  // the interpreter's table path and the call into slowLoad are seen late enough to count.
  for (let round = 0; round < 8; round++) {
    for (const [lo, hi] of VALUES) {
      vm.reset();
      if (round % 2 === 0) vm.fieldSize = 0;
      for (let r = 1; r <= 5; r++) {
        vm.regs[r * 2] = (lo * r) | 0;
        vm.regs[r * 2 + 1] = (hi ^ r) | 0;
      }
      vm.setRegPointer(6, ctx);
      vm.run();
    }
  }
}
