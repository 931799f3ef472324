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
import { divmod64 } from './arith64.ts';
import { OP, REG_INTS, Stop, STRIDE } from './interpreter.ts';
import { GUEST_BASE_HI } from './memory.ts';
import type { Vm } from './vm.ts';
import { Recent } from './recent.ts';

/** What a compiled program returns besides the interpreter's Stop codes: "interpret from vm.pc". */
export const FALLBACK = -1;

export type CompiledProgram = (vm: Vm) => number;

const SIGN = '(-0x80000000)';

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
    const factory = new Function('divmod64', source) as (d: typeof divmod64) => CompiledProgram;
    compiled = factory(divmod64);
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
  const emit = (s: string): void => {
    lines.push(s);
  };
  // A source operand: a register's halves, or a constant slot's value as literals.
  const lo = (s: number): string => (s >= REG_INTS ? `(${regs[s] ?? 0})` : `R[${s}]`);
  const hi = (s: number): string => (s >= REG_INTS ? `(${regs[s + 1] ?? 0})` : `R[${s + 1}]`);
  const leave = (P: number | string, stop: number | string): string => `{ vm.pc = ${P}; vm.n = n; return ${stop}; }`;
  const jump = (x: Slot): string => `n += ${x.delta}; pc = ${x.aux}; if (n + pc > limit) ${leave('pc', Stop.Budget)} continue;`;

  emit('"use strict";');
  emit('return function compiled(vm) {');
  emit('const R = vm.regs;');
  emit('let DV = vm.mem.dv, SH = vm.mem.shadow;');
  emit('let pc = vm.pc, n = vm.n, t = false;');
  emit('const limit = vm.limit;');
  emit('for (;;) {');
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
    emit(instruction(op, x, lo, hi, leave, jump, labels));
  }
  emit(`default: ${leave('pc', FALLBACK)}`);
  emit('}');
  emit('}');
  emit('};');
  return lines.join('\n');
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

/** The 64-bit compare of dst with a source, for the conditional jumps (as the interpreter does it). */
function compare64(cond: number, d: number, S0: string, S1: string): string {
  // The upper halves decide unless equal; then the lower halves, compared unsigned.
  const order = (rel: string, ah: string, bh: string): string => {
    const strict = rel.startsWith('<') ? '<' : '>';
    return `{ const ah = ${ah}, bh = ${bh}; t = ah ${strict} bh || (ah === bh && (R[${d}] ^ ${SIGN}) ${rel} (${S0} ^ ${SIGN})); }`;
  };
  const unsigned = (rel: string): string => order(rel, `R[${d + 1}] ^ ${SIGN}`, `${S1} ^ ${SIGN}`);
  const signed = (rel: string): string => order(rel, `R[${d + 1}]`, S1);
  switch (cond) {
    case OP.JEQ64:
      return `t = R[${d}] === ${S0} && R[${d + 1}] === ${S1};`;
    case OP.JNE64:
      return `t = R[${d}] !== ${S0} || R[${d + 1}] !== ${S1};`;
    case OP.JSET64:
      return `t = (R[${d}] & ${S0}) !== 0 || (R[${d + 1}] & ${S1}) !== 0;`;
    case OP.JGT64:
      return unsigned('>');
    case OP.JGE64:
      return unsigned('>=');
    case OP.JLT64:
      return unsigned('<');
    case OP.JLE64:
      return unsigned('<=');
    case OP.JSGT64:
      return signed('>');
    case OP.JSGE64:
      return signed('>=');
    case OP.JSLT64:
      return signed('<');
    default:
      return signed('<='); // JSLE64
  }
}

function compare32(cond: number, d: number, S0: string): string {
  const u = (rel: string): string => `t = (R[${d}] ^ ${SIGN}) ${rel} (${S0} ^ ${SIGN});`;
  switch (cond) {
    case OP.JEQ32:
      return `t = R[${d}] === ${S0};`;
    case OP.JNE32:
      return `t = R[${d}] !== ${S0};`;
    case OP.JSET32:
      return `t = (R[${d}] & ${S0}) !== 0;`;
    case OP.JGT32:
      return u('>');
    case OP.JGE32:
      return u('>=');
    case OP.JLT32:
      return u('<');
    case OP.JLE32:
      return u('<=');
    case OP.JSGT32:
      return `t = R[${d}] > ${S0};`;
    case OP.JSGE32:
      return `t = R[${d}] >= ${S0};`;
    case OP.JSLT32:
      return `t = R[${d}] < ${S0};`;
    default:
      return `t = R[${d}] <= ${S0};`; // JSLE32
  }
}

const LOADS: Readonly<Record<number, { size: number; signed: boolean; read: (a: string) => string; high: (v: string) => string }>> = {
  [OP.LDXB]: { size: 1, signed: false, read: (a) => `DV.getUint8(${a})`, high: () => '0' },
  [OP.LDXH]: { size: 2, signed: false, read: (a) => `DV.getUint16(${a}, true)`, high: () => '0' },
  [OP.LDXW]: { size: 4, signed: false, read: (a) => `DV.getInt32(${a}, true)`, high: () => '0' },
  [OP.LDXSB]: { size: 1, signed: true, read: (a) => `DV.getInt8(${a})`, high: (v) => `${v} >> 31` },
  [OP.LDXSH]: { size: 2, signed: true, read: (a) => `DV.getInt16(${a}, true)`, high: (v) => `${v} >> 31` },
  [OP.LDXSW]: { size: 4, signed: true, read: (a) => `DV.getInt32(${a}, true)`, high: (v) => `${v} >> 31` },
};

const STORES: Readonly<Record<number, { size: number; write: (a: string, v0: string, v1: string) => string }>> = {
  [OP.STB]: { size: 1, write: (a, v) => `DV.setUint8(${a}, ${v});` },
  [OP.STH]: { size: 2, write: (a, v) => `DV.setUint16(${a}, ${v}, true);` },
  [OP.STW]: { size: 4, write: (a, v) => `DV.setInt32(${a}, ${v}, true);` },
  [OP.STDW]: { size: 8, write: (a, v0, v1) => `DV.setInt32(${a}, ${v0}, true); DV.setInt32(${a} + 4, ${v1}, true);` },
};

function instruction(
  op: number,
  x: Slot,
  lo: (s: number) => string,
  hi: (s: number) => string,
  leave: (P: number | string, stop: number | string) => string,
  jump: (x: Slot) => string,
  labels: ReadonlySet<number>,
): string {
  const { P, d, s, off, imm } = x;
  const D0 = `R[${d}]`;
  const D1 = `R[${d + 1}]`;
  const S0 = lo(s);
  const S1 = hi(s);
  const fault = leave(P, Stop.Fault);
  const zext = `${D1} = 0;`;
  switch (op) {
    // ---- 64-bit ALU: sources are read into constants first, so dst may equal src
    case OP.ADD64:
      return `{ const a0 = ${D0}, b0 = ${S0}, b1 = ${S1}, r = (a0 + b0) | 0; ${D1} = (${D1} + b1 + ((r ^ ${SIGN}) < (a0 ^ ${SIGN}) ? 1 : 0)) | 0; ${D0} = r; }`;
    case OP.SUB64:
      return `{ const a0 = ${D0}, b0 = ${S0}, b1 = ${S1}; ${D1} = (${D1} - b1 - ((a0 ^ ${SIGN}) < (b0 ^ ${SIGN}) ? 1 : 0)) | 0; ${D0} = (a0 - b0) | 0; }`;
    case OP.MUL64:
      return `{ const alo = ${D0}, ahi = ${D1}, blo = ${S0}, bhi = ${S1}; const a0 = alo & 0xffff, a1 = alo >>> 16, b0 = blo & 0xffff, b1 = blo >>> 16; const p00 = a0 * b0, p10 = a1 * b0, p01 = a0 * b1; const mid = (p00 >>> 16) + (p10 & 0xffff) + (p01 & 0xffff); ${D1} = (a1 * b1 + (p10 >>> 16) + (p01 >>> 16) + (mid >>> 16) + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0; ${D0} = Math.imul(alo, blo); }`;
    case OP.DIV64:
      return `{ const blo = ${S0}, bhi = ${S1}; if ((blo | bhi) === 0) { ${D0} = 0; ${D1} = 0; } else if ((${D1} | bhi) === 0) { ${D0} = ((${D0} >>> 0) / (blo >>> 0)) >>> 0; } else divmod64(R, ${d}, blo, bhi, 'div'); }`;
    case OP.SDIV64:
      return `{ const blo = ${S0}, bhi = ${S1}, alo = ${D0}, ahi = ${D1}; if ((blo | bhi) === 0) { ${D0} = 0; ${D1} = 0; } else if ((blo & bhi) === -1) { ${D0} = -alo | 0; ${D1} = (~ahi + (alo === 0 ? 1 : 0)) | 0; } else if (ahi === alo >> 31 && bhi === blo >> 31) { const q = (alo / blo) | 0; ${D0} = q; ${D1} = q >> 31; } else divmod64(R, ${d}, blo, bhi, 'sdiv'); }`;
    case OP.MOD64:
      return `{ const blo = ${S0}, bhi = ${S1}; if ((blo | bhi) !== 0) { if ((${D1} | bhi) === 0) ${D0} = (${D0} >>> 0) % (blo >>> 0); else divmod64(R, ${d}, blo, bhi, 'mod'); } }`;
    case OP.SMOD64:
      return `{ const blo = ${S0}, bhi = ${S1}, alo = ${D0}, ahi = ${D1}; if ((blo & bhi) === -1) { ${D0} = 0; ${D1} = 0; } else if ((blo | bhi) !== 0) { if (ahi === alo >> 31 && bhi === blo >> 31) { const r = alo % blo; ${D0} = r; ${D1} = r >> 31; } else divmod64(R, ${d}, blo, bhi, 'smod'); } }`;
    case OP.OR64:
      return `{ const b0 = ${S0}, b1 = ${S1}; ${D0} |= b0; ${D1} |= b1; }`;
    case OP.AND64:
      return `{ const b0 = ${S0}, b1 = ${S1}; ${D0} &= b0; ${D1} &= b1; }`;
    case OP.XOR64:
      return `{ const b0 = ${S0}, b1 = ${S1}; ${D0} ^= b0; ${D1} ^= b1; }`;
    case OP.MOV64:
      return `{ const b0 = ${S0}, b1 = ${S1}; ${D0} = b0; ${D1} = b1; }`;
    case OP.LSH64:
      return `{ const k = ${S0} & 63; if (k >= 32) { ${D1} = ${D0} << (k - 32); ${D0} = 0; } else if (k !== 0) { ${D1} = (${D1} << k) | (${D0} >>> (32 - k)); ${D0} <<= k; } }`;
    case OP.RSH64:
      return `{ const k = ${S0} & 63; if (k >= 32) { ${D0} = (${D1} >>> (k - 32)) | 0; ${D1} = 0; } else if (k !== 0) { ${D0} = (${D0} >>> k) | (${D1} << (32 - k)); ${D1} = ${D1} >>> k; } }`;
    case OP.ARSH64:
      return `{ const k = ${S0} & 63; if (k >= 32) { ${D0} = ${D1} >> (k - 32); ${D1} >>= 31; } else if (k !== 0) { ${D0} = (${D0} >>> k) | (${D1} << (32 - k)); ${D1} >>= k; } }`;
    case OP.NEG64:
      return `{ const a0 = ${D0}; ${D0} = -a0 | 0; ${D1} = (~${D1} + (a0 === 0 ? 1 : 0)) | 0; }`;
    case OP.MOVSX64_8:
      return `{ const v = (${S0} << 24) >> 24; ${D0} = v; ${D1} = v >> 31; }`;
    case OP.MOVSX64_16:
      return `{ const v = (${S0} << 16) >> 16; ${D0} = v; ${D1} = v >> 31; }`;
    case OP.MOVSX64_32:
      return `{ const v = ${S0}; ${D0} = v; ${D1} = v >> 31; }`;
    case OP.LSH64_KLO:
      return `${D1} = (${D1} << ${imm}) | (${D0} >>> ${32 - imm}); ${D0} <<= ${imm};`;
    case OP.LSH64_KHI:
      return `${D1} = ${D0} << ${imm}; ${D0} = 0;`;
    case OP.RSH64_KLO:
      return `${D0} = (${D0} >>> ${imm}) | (${D1} << ${32 - imm}); ${D1} = ${D1} >>> ${imm};`;
    case OP.RSH64_KHI:
      return `${D0} = (${D1} >>> ${imm}) | 0; ${D1} = 0;`;
    case OP.ARSH64_KLO:
      return `${D0} = (${D0} >>> ${imm}) | (${D1} << ${32 - imm}); ${D1} >>= ${imm};`;
    case OP.ARSH64_KHI:
      return `${D0} = ${D1} >> ${imm}; ${D1} >>= 31;`;
    // ---- 32-bit ALU: the upper half becomes zero
    case OP.ADD32:
      return `${D0} = (${D0} + ${S0}) | 0; ${zext}`;
    case OP.SUB32:
      return `${D0} = (${D0} - ${S0}) | 0; ${zext}`;
    case OP.MUL32:
      return `${D0} = Math.imul(${D0}, ${S0}); ${zext}`;
    case OP.DIV32:
      return `{ const v = ${S0} >>> 0; ${D0} = v === 0 ? 0 : ((${D0} >>> 0) / v) >>> 0; ${zext} }`;
    case OP.SDIV32:
      return `{ const v = ${S0}; ${D0} = v === 0 ? 0 : v === -1 ? -${D0} | 0 : (${D0} / v) | 0; ${zext} }`;
    case OP.OR32:
      return `${D0} |= ${S0}; ${zext}`;
    case OP.AND32:
      return `${D0} &= ${S0}; ${zext}`;
    case OP.LSH32:
      return `${D0} <<= ${S0} & 31; ${zext}`;
    case OP.RSH32:
      return `${D0} = (${D0} >>> (${S0} & 31)) | 0; ${zext}`;
    case OP.MOD32:
      return `{ const v = ${S0} >>> 0; if (v !== 0) ${D0} = (${D0} >>> 0) % v; ${zext} }`;
    case OP.SMOD32:
      return `{ const v = ${S0}; if (v === -1) ${D0} = 0; else if (v !== 0) ${D0} = ${D0} % v; ${zext} }`;
    case OP.XOR32:
      return `${D0} ^= ${S0}; ${zext}`;
    case OP.MOV32:
      return `${D0} = ${S0}; ${zext}`;
    case OP.ARSH32:
      return `${D0} >>= ${S0} & 31; ${zext}`;
    case OP.NEG32:
      return `${D0} = -${D0} | 0; ${zext}`;
    case OP.MOVSX32_8:
      return `${D0} = (${S0} << 24) >> 24; ${zext}`;
    case OP.MOVSX32_16:
      return `${D0} = (${S0} << 16) >> 16; ${zext}`;
    case OP.LSH32_K:
      return `${D0} <<= ${imm}; ${zext}`;
    case OP.RSH32_K:
      return `${D0} = ${D0} >>> ${imm}; ${zext}`;
    case OP.ARSH32_K:
      return `${D0} >>= ${imm}; ${zext}`;
    case OP.ZEXT32:
      return zext;
    case OP.NOP:
      return '';
    case OP.LE16:
      return `${D0} &= 0xffff; ${zext}`;
    case OP.LE32:
      return zext;
    case OP.SWAP16:
      return `{ const v = ${D0}; ${D0} = ((v & 0xff) << 8) | ((v >>> 8) & 0xff); ${zext} }`;
    case OP.SWAP32:
      return `{ const v = ${D0}; ${D0} = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24); ${zext} }`;
    case OP.SWAP64: {
      const sw = (v: string): string => `((${v} & 0xff) << 24) | ((${v} & 0xff00) << 8) | ((${v} >>> 8) & 0xff00) | (${v} >>> 24)`;
      return `{ const v0 = ${D0}, v1 = ${D1}; ${D0} = ${sw('v1')}; ${D1} = ${sw('v0')}; }`;
    }
    case OP.LDDW: {
      // One instruction in two slots: it counts once. Control goes on at P + 2; when P + 1 is
      // a jump target its fault follows, so the code jumps over it.
      const skip = labels.has(P + 1) ? ` pc = ${P + 2}; continue;` : '';
      return `${D0} = ${imm}; ${D1} = ${x.aux}; n--;${skip}`;
    }
    // ---- memory
    case OP.LDXB:
    case OP.LDXH:
    case OP.LDXW:
    case OP.LDXSB:
    case OP.LDXSH:
    case OP.LDXSW: {
      const l = LOADS[op];
      if (!l) return fault;
      const check = l.size === 1 ? 'SH[a]' : `SH[a] & SH[a + ${l.size - 1}]`;
      // LDXW reads context fields from the table of the last slow load, as the interpreter does.
      const field =
        op === OP.LDXW
          ? `{ const f = (a - vm.fieldStart) | 0; if (R[${s + 1}] === ${GUEST_BASE_HI} && f >= 0 && f < vm.fieldSize && (f & 3) === 0 && vm.fieldReadable[f >> 2] === 1) { const V = vm.fieldValues; ${D0} = V[f >> 1]; ${D1} = V[(f >> 1) + 1]; break slow; } }`
          : '';
      return `{ const a = (R[${s}] + ${off}) | 0; slow: if (R[${s + 1}] !== ${GUEST_BASE_HI} || (${check} & 1) === 0) { ${field} if (!vm.slowLoad(${P}, n + ${P}, ${d}, R[${s}], R[${s + 1}], ${off}, ${l.size}, ${l.signed})) ${fault} } else { const v = ${l.read('a')}; ${D0} = v; ${D1} = ${l.high('v')}; } }`;
    }
    case OP.LDXDW:
      return `{ const a = (R[${s}] + ${off}) | 0; if (R[${s + 1}] !== ${GUEST_BASE_HI} || (SH[a] & SH[a + 7] & 1) === 0) { if (!vm.slowLoad(${P}, n + ${P}, ${d}, R[${s}], R[${s + 1}], ${off}, 8, false)) ${fault} } else { ${D0} = DV.getInt32(a, true); ${D1} = DV.getInt32(a + 4, true); } }`;
    case OP.STB:
    case OP.STH:
    case OP.STW:
    case OP.STDW: {
      const st = STORES[op];
      if (!st) return fault;
      const check = st.size === 1 ? 'SH[a]' : `SH[a] & SH[a + ${st.size - 1}]`;
      return `{ const a = (R[${d}] + ${off}) | 0; if (R[${d + 1}] !== ${GUEST_BASE_HI} || (${check} & 2) === 0) { if (!vm.slowStore(${P}, n + ${P}, R[${d}], R[${d + 1}], ${off}, ${st.size}, ${S0}, ${S1})) ${fault} } else { ${st.write('a', S0, S1)} } }`;
    }
    case OP.ATOMIC:
      return `if (!vm.atomic(${P}, n + ${P}, ${P * STRIDE})) ${fault}`;
    case OP.LDPKT:
      // Out of the packet: Linux ends the program, returning 0.
      return `if (vm.ldpkt(${P}, ${P * STRIDE}) === 1) { R[0] = 0; R[1] = 0; n += ${P + 1}; ${leave(-1, Stop.Exit)} }`;
    // ---- jumps, calls, exit
    case OP.JA:
      return jump(x);
    case OP.MAY_GOTO:
      // The frame's loop budget, as the interpreter keeps it (vm.mayGoto).
      return `{ const M = vm.mayGoto, k = vm.depth; if (M[k] === 0) { ${jump(x)} } M[k]--; }`;
    case OP.CALL_HELPER:
    case OP.CALL_KFUNC: {
      // The call site's helper, bound once by the VM (VmHost.bind), k-th call in program order.
      // Its result goes into r0 here, in each site's own code: V8 then sees one callee per site
      // and may inline it (a shared wrapper would see them all).
      const call = `vm.calls[${x.call}](vm, ${P})`;
      const result = `{ const r = ${call}; if (typeof r === 'number') { R[0] = r; R[1] = r < 0 ? -1 : 0; } else if (r === false) { n = vm.n; ${leave(P, Stop.Fault)} } else if (r !== true) vm.setReg(0, r); }`;
      // A helper may have mapped memory, run a callback (the count moved on) or asked for a tail call.
      return `vm.pc = ${P}; vm.n = n; ${result} DV = vm.mem.dv; SH = vm.mem.shadow; n = vm.n; if (vm.pendingTailCall !== undefined) ${leave(P, Stop.TailCall)} if (n + ${P + 1} > limit) ${leave(P + 1, Stop.Budget)}`;
    }
    case OP.CALL_LOCAL:
      return `if (vm.depth + 1 >= ${MAX_CALL_FRAMES}) { vm.pc = ${P}; vm.n = n; return vm.fault(${P}, n + ${P}, 'call-depth', 'pc ${P}: call nesting deeper than ${MAX_CALL_FRAMES} frames (MAX_CALL_FRAMES)'); } vm.pushFrame(${P + 1}); ${jump(x)}`;
    case OP.EXIT:
      return `if (vm.depth === 0) { n += ${P + 1}; ${leave(-1, Stop.Exit)} } { const ret = vm.popFrame(); if (ret < 0) { n += ${P + 1}; ${leave(-1, Stop.Return)} } n += ${P + 1} - ret; pc = ret; continue; }`;
    default:
      if (op >= OP.JEQ64 && op <= OP.JSLE64) return `${compare64(op, d, S0, S1)} if (t) { ${jump(x)} }`;
      if (op >= OP.JEQ32 && op <= OP.JSLE32) return `${compare32(op, d, S0)} if (t) { ${jump(x)} }`;
      // INVALID, and the sentinel past the end.
      return `{ vm.pc = ${P}; vm.n = n; return vm.fault(${P}, n + ${P}, 'invalid', vm.invalidMessage(${P})); }`;
  }
}
