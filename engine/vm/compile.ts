// The compiled tier: a pre-decoded program translated once into one JavaScript function, which
// V8 then compiles to machine code. Each instruction becomes straight-line code with its
// register indexes, immediates and jump targets as literals — no dispatch per instruction, no
// decoding — inside a `switch (pc)` whose cases are the places control can enter: the start,
// jump and call targets, and the instructions after calls. It keeps the interpreter's contract
// exactly: the same registers and memory, the count as `n + pc` (adjusted on taken jumps,
// calls and exits), the budget checked where the interpreter checks it, the same slow paths
// and faults. Anything it does not handle — entering at a pc that is not a case, a breakpoint —
// returns FALLBACK and the interpreter goes on from vm.pc. The debugger always interprets.

import { MAX_CALL_FRAMES } from '../isa/index.ts';
import { CFG_CALL, CFG_LDIMM64_TAIL, type Cfg } from '../program/cfg.ts';
import { ALU_DEFS, COND_DEFS, MEM_DEFS, signExtends } from '../isa/ops.ts';
import { divmod64, Q } from './arith64.ts';
import { OP, REG_INTS, Stop, STRIDE } from './interpreter.ts';
import { jsAccess, jsAlu, jsCond, type JsMemory, type JsOperands } from './ops-js.ts';
import { GUEST_BASE_HI, PERM_READ, PERM_WRITE } from './memory.ts';
import type { Vm } from './vm.ts';
import { Recent } from './recent.ts';

/** What a compiled program returns besides the interpreter's Stop codes: "interpret from vm.pc". */
export const FALLBACK = -1;

export type CompiledProgram = (vm: Vm) => number;

/** -0x80000000, a constant of the compiled function (`x ^ S`: unsigned order as signed order). */
const SIGN = 'S';
/** The memory model's constants, as literals. */
const MEMORY: JsMemory = { base: `${GUEST_BASE_HI}`, read: `${PERM_READ}`, write: `${PERM_WRITE}` };

/** Handler names by number. */
const OP_NAMES: readonly (string | undefined)[] = (() => {
  const names: (string | undefined)[] = [];
  for (const [name, n] of Object.entries(OP)) names[n] = name;
  return names;
})();

/** Pieces of generated code, by the operand slots of one instruction. */
interface Slot {
  /** The pc, as a literal. */
  readonly P: number;
  readonly d: number;
  readonly s: number;
  readonly off: number;
  readonly imm: number;
  readonly aux: number;
  readonly delta: number;
  /** For calls: how many call instructions come before it. */
  readonly call: number;
}

/**
 * Translates a program (`ops`: the handler of each slot without superinstructions or traps;
 * `code`: the pre-decoded slots; `regs`: the register file template with the constants) into
 * a function, or undefined when this JavaScript engine refuses to make one (a page whose
 * Content-Security-Policy forbids eval): the interpreter then runs everything.
 */
export function compileProgram(ops: Int32Array, code: Int32Array, regs: Int32Array, cfg: Cfg): CompiledProgram | undefined {
  const source = programSource(ops, code, regs, cfg);
  if (source.length > MAX_COMPILED_SOURCE) return undefined;
  // The same program loaded again (a rerun, a new traffic run) gets the same function, which
  // V8 has already optimized: a new one would start over in V8's own interpreter.
  const known = recent.get(source);
  if (known) return known;
  let compiled: CompiledProgram;
  try {
    const factory = new Function('divmod64', 'Q', source) as (d: typeof divmod64, q: typeof Q) => CompiledProgram;
    compiled = factory(divmod64, Q);
  } catch {
    return undefined;
  }
  recent.set(source, compiled);
  return compiled;
}

/**
 * Longest generated source compiled. V8 does not optimize a function whose bytecode passes
 * 60 KB, and unoptimized, the compiled program runs ten times slower than the interpreter
 * (measured: 1,800 M insns/s at 300 instructions, 19 M at 350, where the source passes
 * 55,000 characters). Larger programs are interpreted. About 250 instructions fit.
 */
export const MAX_COMPILED_SOURCE = 45_000;

/** Compiled functions by source, the last 32. */
const recent = new Recent<CompiledProgram>(32);

/** The body of the factory that returns the compiled function (exported for tests and for reading). */
export function programSource(ops: Int32Array, code: Int32Array, regs: Int32Array, cfg: Cfg): string {
  const length = cfg.length;
  const labels = entryPoints(cfg);
  const lines: string[] = [];
  const inLocals = !Array.prototype.some.call(ops.subarray(0, length), (op: number) => op === OP.CALL_HELPER || op === OP.CALL_KFUNC || op === OP.CALL_LOCAL || op === OP.ATOMIC || op === OP.LDPKT);
  const io = registerIO(inLocals);
  const emit = (s: string): void => {
    lines.push(s);
  };
  // A source operand: a register's halves, or a constant slot's value as literals.
  const lo = (s: number): string => (s >= REG_INTS ? `(${regs[s] ?? 0})` : `r${s}`);
  const hi = (s: number): string => (s >= REG_INTS ? `(${regs[s + 1] ?? 0})` : `r${s + 1}`);
  // Every way out goes through the one exit after the loop, which writes the registers back.
  const leave = (P: number | string, stop: number | string): string => `{ vm.pc = ${P}; vm.n = n; out = ${stop}; break run; }`;
  const jump = (x: Slot): string => `n += ${x.delta}; pc = ${x.aux}; if (n + pc > limit) ${leave('pc', Stop.Budget)} continue;`;

  emit('"use strict";');
  emit('return function compiled(vm) {');
  emit('const R = vm.regs;');
  // The registers in locals (V8 keeps them in machine registers; an Int32Array element costs a
  // load and a store each time, 2.8 times as much in Chromium, whose V8 sandboxes typed arrays),
  // written back before anything outside reads them and read again after anything that writes
  // them: the vm's slow paths, helpers, frames, and every return.
  if (inLocals) emit(`let ${Array.from({ length: REG_INTS }, (_, k) => `r${k} = R[${k}]`).join(', ')};`);
  emit('let DV = vm.mem.dv, SH = vm.mem.shadow;');
  emit('let pc = vm.pc, n = vm.n, t = false;');
  emit('const limit = vm.limit, S = -0x80000000;');
  emit('let out = 0;');
  emit('run: for (;;) {');
  emit('switch (pc) {');
  let calls = 0;
  for (let P = 0; P <= length; P++) {
    if (labels.has(P)) emit(`case ${P}:`);
    const b = P * STRIDE;
    const op = P < length ? (ops[P] ?? OP.INVALID) : OP.INVALID;
    const x: Slot = { P, d: code[b + 1] ?? 0, s: code[b + 2] ?? 0, off: code[b + 3] ?? 0, imm: code[b + 4] ?? 0, aux: code[b + 5] ?? 0, delta: code[b + 6] ?? 0, call: calls };
    if (op === OP.CALL_HELPER || op === OP.CALL_KFUNC) calls++;
    if (op === OP.INVALID && P > 0 && ops[P - 1] === OP.LDDW && P < length) {
      // The second slot of an lddw: reached only by a jump into it.
      if (labels.has(P)) emit(`${leave(P, `vm.fault(${P}, n + ${P}, 'invalid', vm.invalidMessage(${P}))`)}`);
      continue;
    }
    emit(`// pc ${P}`);
    emit(instruction(op, x, lo, hi, leave, jump, labels, io));
  }
  emit(`default: ${leave('pc', FALLBACK)}`);
  emit('}');
  emit('}');
  emit(io.flush());
  emit('return out;');
  emit('};');
  // Each write of a register is a 32-bit integer, as a store into the Int32Array made it.
  const source = lines.join('\n').replace(/\b(r\d{1,2}) = ([^;{}]*);/g, (all, r: string, v: string, at: number, text: string) => (text.startsWith('let ', text.lastIndexOf('\n', at) + 1) || INT32.test(v) ? all : `${r} = (${v}) | 0;`));
  // A program with calls: the registers stay in R (an element store makes the 32-bit integer).
  return inLocals ? source : source.replace(/\br(\d{1,2})\b/g, 'R[$1]');
}

/** A value that is a 32-bit integer as written: a literal, a register, an element of R or of the field table, or a `| 0`. */
const INT32 = /^(?:-?\d+|r\d{1,2}|R\[\d+\]|V\[[^\]]+\]|\(.*\) \| 0|0|DV\.getInt32\([^)]*\))$/;

/**
 * How the generated code moves the registers between its locals and the register file R:
 * `flush` writes R[from..to) back, `load` reads it again. Only a program without calls, atomics
 * or legacy packet loads keeps its registers in locals: around a call the locals would be written
 * back and read again (a helper reads r1..r5, a callback's frame saves r6..r9 from R), which cost
 * the NIC's 40-instruction program with four calls 80 ns a packet (188 → 267), so such programs
 * keep the registers in R, as before, and both write nothing.
 */
interface RegisterIO {
  flush(from?: number, to?: number): string;
  load(from?: number, to?: number): string;
}

function registerIO(inLocals: boolean): RegisterIO {
  const each = (from: number, to: number, f: (k: number) => string): string => {
    if (!inLocals) return '';
    let out = '';
    for (let k = from; k < to; k++) out += f(k);
    return out;
  };
  return {
    flush: (from = 0, to = REG_INTS) => each(from, to, (k) => `R[${k}]=r${k};`),
    load: (from = 0, to = REG_INTS) => each(from, to, (k) => `r${k}=R[${k}];`),
  };
}

/**
 * Where control can enter: pc 0, jump and call targets, returns from calls, and the end
 * (falling off it), all from the program's control flow.
 */
export function entryPoints(cfg: Cfg, handsBack?: (pc: number) => boolean): Set<number> {
  const length = cfg.length;
  const labels = new Set<number>([0, length]);
  for (const target of cfg.jumpTargets) labels.add(target);
  for (let pc = 0; pc < length; pc++) {
    // A tier that hands an instruction to the interpreter takes control back after it.
    if (handsBack?.(pc)) labels.add(pc + 1);
    if (!((cfg.flags[pc] ?? 0) & CFG_CALL)) continue;
    labels.add(pc + 1);
    const callee = cfg.callee[pc] ?? NaN;
    if (callee >= 0 && callee <= length) labels.add(callee);
  }
  // A jump into the second slot of an lddw needs the slot after it as an entry too (see above).
  for (let pc = 1; pc < length; pc++) if ((cfg.flags[pc] ?? 0) & CFG_LDIMM64_TAIL && labels.has(pc)) labels.add(pc + 1);
  return labels;
}

function instruction(
  op: number,
  x: Slot,
  lo: (s: number) => string,
  hi: (s: number) => string,
  leave: (P: number | string, stop: number | string) => string,
  jump: (x: Slot) => string,
  labels: ReadonlySet<number>,
  { flush, load }: RegisterIO,
): string {
  const { P, d, s, off, imm } = x;
  const D0 = `r${d}`;
  const D1 = `r${d + 1}`;
  const S0 = lo(s);
  const S1 = hi(s);
  const fault = leave(P, Stop.Fault);
  // ALU operations and conditional jumps: from their definitions (engine/isa/ops.ts).
  const name = OP_NAMES[op];
  const operands: JsOperands = { dst: [D0, D1], src: [S0, S1], k: `${imm}`, sign: SIGN };
  const alu = name === undefined ? undefined : ALU_DEFS[name];
  if (alu) {
    const c = jsAlu(alu, operands);
    return c.lines.length > 1 ? `{ ${c.code} }` : c.code;
  }
  const cond = name === undefined ? undefined : COND_DEFS[name];
  if (cond) {
    const c = jsCond(cond, operands);
    return `{ ${c.code} if ${c.cond} { ${jump(x)} } }`;
  }
  // Loads and stores: the fast path from the definition, else the Vm's slow path (which reads
  // the registers from R: they go back first, and dst is read again after a load).
  const access = name === undefined ? undefined : MEM_DEFS[name];
  if (access) {
    const c = jsAccess(access, { ...operands, off: `${off}` }, MEMORY);
    const fast = c.fast.join(' ');
    if (access.kind === 'store') {
      return `{ ${c.head} if (${c.refuse}) { if (!vm.slowStore(${P}, n + ${P}, r${d}, r${d + 1}, ${off}, ${access.size}, ${S0}, ${S1})) ${fault} } else { ${fast} } }`;
    }
    // A 4-byte load reads context fields from the table of the last slow load, as the interpreter does.
    const field =
      access.size === 4 && !signExtends(access)
        ? `{ const f = (${c.at} - vm.fieldStart) | 0; if (r${s + 1} === ${GUEST_BASE_HI} && f >= 0 && f < vm.fieldSize && (f & 3) === 0 && vm.fieldReadable[f >> 2] === 1) { const V = vm.fieldValues; ${D0} = V[f >> 1]; ${D1} = V[(f >> 1) + 1]; break slow; } }`
        : '';
    return `{ ${c.head} slow: if (${c.refuse}) { ${field} const ok = vm.slowLoad(${P}, n + ${P}, ${d}, r${s}, r${s + 1}, ${off}, ${access.size}, ${signExtends(access)}); ${load(d, d + 2)} if (!ok) ${fault} } else { ${fast} } }`;
  }
  switch (op) {
    case OP.LDDW: {
      // One instruction in two slots: it counts once. Control goes on at P + 2; when P + 1 is
      // a jump target its fault follows, so the code jumps over it.
      const skip = labels.has(P + 1) ? ` pc = ${P + 2}; continue;` : '';
      return `${D0} = ${imm}; ${D1} = ${x.aux}; n--;${skip}`;
    }
    // ---- memory
    case OP.ATOMIC:
      return `{ ${flush()} const ok = vm.atomic(${P}, n + ${P}, ${P * STRIDE}); ${load()} if (!ok) ${fault} }`;
    case OP.LDPKT:
      // Out of the packet: Linux ends the program, returning 0.
      return `{ ${flush()} const k = vm.ldpkt(${P}, ${P * STRIDE}); ${load()} if (k === 1) { r0 = 0; r1 = 0; n += ${P + 1}; ${leave(-1, Stop.Exit)} } }`;
    // ---- jumps, calls, exit
    case OP.JA:
      return jump(x);
    case OP.MAY_GOTO:
      // The frame's loop budget, as the interpreter keeps it (vm.mayGoto).
      return `{ const M = vm.mayGoto, k = vm.depth; if (M[k] === 0) { ${jump(x)} } M[k]--; }`;
    case OP.CALL_HELPER:
    case OP.CALL_KFUNC: {
      // All the registers go back before (a callback's frame saves r6..r9 from R) and are read
      // again after: r1..r5 may differ, and a run paused inside a callback leaves its frame's.
      // The call site's helper, bound once by the VM (VmHost.bind), k-th call in program order.
      // Its result goes into r0 here, in each site's own code: V8 then sees one callee per site
      // and may inline it (a shared wrapper would see them all).
      const call = `vm.calls[${x.call}](vm, ${P})`;
      const result = `{ const r = ${call}; ${load()} if (typeof r === 'number') { r0 = r; r1 = r < 0 ? -1 : 0; } else if (r === false) { n = vm.n; ${leave(P, Stop.Fault)} } else if (r !== true) { vm.setReg(0, r); r0 = R[0]; r1 = R[1]; } }`;
      // A helper may have mapped memory, run a callback (the count moved on) or asked for a tail call.
      return `vm.pc = ${P}; vm.n = n; ${flush()} ${result} DV = vm.mem.dv; SH = vm.mem.shadow; n = vm.n; if (vm.pendingTailCall !== undefined) ${leave(P, Stop.TailCall)} if (n + ${P + 1} > limit) ${leave(P + 1, Stop.Budget)}`;
    }
    case OP.CALL_LOCAL:
      return `if (vm.depth + 1 >= ${MAX_CALL_FRAMES}) ${leave(P, `vm.fault(${P}, n + ${P}, 'call-depth', 'pc ${P}: call nesting deeper than ${MAX_CALL_FRAMES} frames (MAX_CALL_FRAMES)')`)} ${flush(12, 22)} vm.pushFrame(${P + 1}); ${load(20, 22)} ${jump(x)}`;
    case OP.EXIT:
      return `if (vm.depth === 0) { n += ${P + 1}; ${leave(-1, Stop.Exit)} } { ${flush(12, 22)} const ret = vm.popFrame(); ${load(12, 22)} if (ret < 0) { n += ${P + 1}; ${leave(-1, Stop.Return)} } n += ${P + 1} - ret; pc = ret; continue; }`;
    default:
      // INVALID, and the sentinel past the end.
      return leave(P, `vm.fault(${P}, n + ${P}, 'invalid', vm.invalidMessage(${P}))`);
  }
}
