// The interpreter's hot loop and its pre-decoder. Typed instructions become a flat Int32Array
// (8 ints per slot) of handler numbers and register-file indexes; immediates live in constant
// slots of the register file, so the immediate and register forms of an operation share one
// handler and each semantic is written once. Registers are int32 pairs (no BigInt); the
// executed-instruction count is `n + pc`, adjusted only on taken jumps, so straight-line code
// pays nothing for counting. Case labels are numeric literals: V8 turns a dense literal switch
// into a jump table, but not one over named constants (measured: ~3x slower).

import type { Insn } from '../isa/index.ts';
import { MAX_CALL_FRAMES } from '../isa/index.ts';
import { cfgOf } from '../program/cfg.ts';
import { divmod64, Q } from './arith64.ts';
import { GUEST_BASE_HI, PERM_READ, PERM_WRITE } from './memory.ts';
import type { Vm } from './vm.ts';

/** Handler numbers. The switch in `execute` uses the same numbers as literals (checked by a test). */
export const OP = {
  INVALID: 0,
  TRAP: 1,
  EXIT: 2,
  CALL_HELPER: 3,
  CALL_LOCAL: 4,
  CALL_KFUNC: 5,
  JA: 6,
  LDDW: 7,
  NOP: 8,
  ZEXT32: 9,
  ADD64: 10,
  SUB64: 11,
  MUL64: 12,
  DIV64: 13,
  SDIV64: 14,
  OR64: 15,
  AND64: 16,
  LSH64: 17,
  RSH64: 18,
  MOD64: 19,
  SMOD64: 20,
  XOR64: 21,
  MOV64: 22,
  ARSH64: 23,
  NEG64: 24,
  MOVSX64_8: 25,
  MOVSX64_16: 26,
  MOVSX64_32: 27,
  LSH64_KLO: 28,
  LSH64_KHI: 29,
  RSH64_KLO: 30,
  RSH64_KHI: 31,
  ARSH64_KLO: 32,
  ARSH64_KHI: 33,
  MAY_GOTO: 34,
  /** Tier 'wasm': an entry of the WebAssembly function, where the interpreter hands back (Stop.Enter). */
  ENTRY: 35,
  ADD32: 40,
  SUB32: 41,
  MUL32: 42,
  DIV32: 43,
  SDIV32: 44,
  OR32: 45,
  AND32: 46,
  LSH32: 47,
  RSH32: 48,
  MOD32: 49,
  SMOD32: 50,
  XOR32: 51,
  MOV32: 52,
  ARSH32: 53,
  NEG32: 54,
  MOVSX32_8: 55,
  MOVSX32_16: 56,
  LSH32_K: 57,
  RSH32_K: 58,
  ARSH32_K: 59,
  LE16: 60,
  LE32: 61,
  SWAP16: 62,
  SWAP32: 63,
  SWAP64: 64,
  LDXB: 70,
  LDXH: 71,
  LDXW: 72,
  LDXDW: 73,
  LDXSB: 74,
  LDXSH: 75,
  LDXSW: 76,
  STB: 77,
  STH: 78,
  STW: 79,
  STDW: 80,
  ATOMIC: 81,
  LDPKT: 82,
  JEQ64: 90,
  JGT64: 91,
  JGE64: 92,
  JSET64: 93,
  JNE64: 94,
  JSGT64: 95,
  JSGE64: 96,
  JLT64: 97,
  JLE64: 98,
  JSLT64: 99,
  JSLE64: 100,
  JEQ32: 101,
  JGT32: 102,
  JGE32: 103,
  JSET32: 104,
  JNE32: 105,
  JSGT32: 106,
  JSGE32: 107,
  JLT32: 108,
  JLE32: 109,
  JSLT32: 110,
  JSLE32: 111,
  MOV64_ADD64: 120,
  ADD64_JA: 121,
  ADD64_JEQ64: 122,
  ADD64_JNE64: 123,
  ADD64_JGT64: 124,
  ADD64_JGE64: 125,
  ADD64_JLT64: 126,
  ADD64_JLE64: 127,
  MOV64_SUB64: 128,
  MOV64_MUL64: 129,
  MOV64_AND64: 130,
  MOV64_OR64: 131,
  MOV64_XOR64: 132,
  MOV64_LSH64_KLO: 133,
  MOV64_RSH64_KLO: 134,
  MOV64_ARSH64_KLO: 135,
  MUL64_ADD64: 136,
  MOV32_MUL32: 137,
  LDXDW_LDXDW: 138,
  STDW_STDW: 139,
  LDXH_ADD64: 140,
} as const;
export type OpName = keyof typeof OP;

/** Ints per pre-decoded slot: [op, dst, src, off, imm, target/aux, delta, spare]. */
export const STRIDE = 8;
export const F_OP = 0;
export const F_DST = 1;
export const F_SRC = 2;
export const F_OFF = 3;
export const F_IMM = 4;
export const F_AUX = 5;
export const F_DELTA = 6;

/** Registers r0..r10 take 22 ints of the register file; constants follow. */
export const REG_INTS = 22;

/** Why `execute` returned. */
export const Stop = { Exit: 0, Fault: 1, Trap: 2, Budget: 3, Return: 4, TailCall: 5, Enter: 6 } as const;
export type Stop = (typeof Stop)[keyof typeof Stop];

const ALU64_OP: Record<string, number> = {
  add: OP.ADD64, sub: OP.SUB64, mul: OP.MUL64, div: OP.DIV64, sdiv: OP.SDIV64, or: OP.OR64, and: OP.AND64,
  lsh: OP.LSH64, rsh: OP.RSH64, mod: OP.MOD64, smod: OP.SMOD64, xor: OP.XOR64, mov: OP.MOV64, arsh: OP.ARSH64,
};
const ALU32_OP: Record<string, number> = {
  add: OP.ADD32, sub: OP.SUB32, mul: OP.MUL32, div: OP.DIV32, sdiv: OP.SDIV32, or: OP.OR32, and: OP.AND32,
  lsh: OP.LSH32, rsh: OP.RSH32, mod: OP.MOD32, smod: OP.SMOD32, xor: OP.XOR32, mov: OP.MOV32, arsh: OP.ARSH32,
};
const COND_BASE: Record<string, number> = {
  jeq: 0, jgt: 1, jge: 2, jset: 3, jne: 4, jsgt: 5, jsge: 6, jlt: 7, jle: 8, jslt: 9, jsle: 10,
};

export interface Predecoded {
  readonly code: Int32Array;
  /** Register file template: zeroed registers followed by the program's constants. */
  readonly regs: Int32Array;
}

/**
 * Pre-decodes typed instructions. `ldimm64` values come resolved from the loader
 * (`imm64(pc)`), so map pointers and plain constants look alike here.
 */
export function predecode(insns: readonly (Insn | null)[], imm64: (pc: number, insn: Insn & { kind: 'ldimm64' }) => { lo: number; hi: number }): Predecoded {
  const len = insns.length;
  // One sentinel slot past the end so a stray fall-through faults instead of reading garbage.
  const code = new Int32Array((len + 1) * STRIDE);
  const consts: number[] = [];
  const constIndex = new Map<string, number>();
  const constant = (lo: number, hi: number): number => {
    const key = `${lo}:${hi}`;
    let idx = constIndex.get(key);
    if (idx === undefined) {
      idx = REG_INTS + consts.length;
      consts.push(lo | 0, hi | 0);
      constIndex.set(key, idx);
    }
    return idx;
  };
  const put = (pc: number, op: number, dst = 0, src = 0, off = 0, imm = 0, aux = 0, delta = 0): void => {
    const b = pc * STRIDE;
    code[b] = op;
    code[b + F_DST] = dst;
    code[b + F_SRC] = src;
    code[b + F_OFF] = off;
    code[b + F_IMM] = imm;
    code[b + F_AUX] = aux;
    code[b + F_DELTA] = delta;
  };
  // Jump and call targets come from the program's control flow (one computation for all users).
  const cfg = cfgOf(insns);
  // Helper and kfunc calls are numbered in program order (aux): their index in vm.calls.
  let sites = 0;
  for (let pc = 0; pc < len; pc++) {
    const insn = insns[pc];
    if (!insn) continue; // INVALID (0): second slot of lddw or an undecodable slot
    switch (insn.kind) {
      case 'alu': {
        const d = insn.dst * 2;
        if (insn.src.type === 'imm' && (insn.op === 'lsh' || insn.op === 'rsh' || insn.op === 'arsh')) {
          // Shifts by a constant: the kernel rejects out-of-range amounts; raw runs mask them.
          const amount = insn.src.imm & (insn.width === 64 ? 63 : 31);
          if (amount === 0) put(pc, insn.width === 64 ? OP.NOP : OP.ZEXT32, d);
          else if (insn.width === 32) put(pc, insn.op === 'lsh' ? OP.LSH32_K : insn.op === 'rsh' ? OP.RSH32_K : OP.ARSH32_K, d, 0, 0, amount);
          else {
            const hi = amount >= 32;
            const op =
              insn.op === 'lsh' ? (hi ? OP.LSH64_KHI : OP.LSH64_KLO) : insn.op === 'rsh' ? (hi ? OP.RSH64_KHI : OP.RSH64_KLO) : hi ? OP.ARSH64_KHI : OP.ARSH64_KLO;
            put(pc, op, d, 0, 0, hi ? amount - 32 : amount);
          }
          break;
        }
        const s = insn.src.type === 'reg' ? insn.src.reg * 2 : constant(insn.src.imm, insn.width === 64 ? insn.src.imm >> 31 : 0);
        put(pc, (insn.width === 64 ? ALU64_OP : ALU32_OP)[insn.op] ?? OP.INVALID, d, s);
        break;
      }
      case 'addr_space_cast':
        // What Linux runs (kernel/bpf/verifier.c, do_misc_fixups): cast_kern becomes `wD = wS`;
        // cast_user is the JIT's low 32 bits | upper half of the arena's user_vm_start, which is
        // 0 with no arena map. So both, and the pairs the verifier refuses, are a 32-bit mov.
        put(pc, OP.MOV32, insn.dst * 2, insn.src * 2);
        break;
      case 'movsx':
        put(pc, insn.width === 64 ? (insn.bits === 8 ? OP.MOVSX64_8 : insn.bits === 16 ? OP.MOVSX64_16 : OP.MOVSX64_32) : insn.bits === 8 ? OP.MOVSX32_8 : OP.MOVSX32_16, insn.dst * 2, insn.src * 2);
        break;
      case 'neg':
        put(pc, insn.width === 64 ? OP.NEG64 : OP.NEG32, insn.dst * 2);
        break;
      case 'end': {
        // On a little-endian machine "to little endian" truncates and "to big endian" swaps.
        const op =
          insn.order === 'le'
            ? insn.bits === 16 ? OP.LE16 : insn.bits === 32 ? OP.LE32 : OP.NOP
            : insn.bits === 16 ? OP.SWAP16 : insn.bits === 32 ? OP.SWAP32 : OP.SWAP64;
        put(pc, op, insn.dst * 2);
        break;
      }
      case 'ldimm64': {
        const v = imm64(pc, insn);
        put(pc, OP.LDDW, insn.dst * 2, 0, 0, v.lo, v.hi);
        break;
      }
      case 'load': {
        const op = insn.signExtend
          ? insn.size === 1 ? OP.LDXSB : insn.size === 2 ? OP.LDXSH : OP.LDXSW
          : insn.size === 1 ? OP.LDXB : insn.size === 2 ? OP.LDXH : insn.size === 4 ? OP.LDXW : OP.LDXDW;
        put(pc, op, insn.dst * 2, insn.base * 2, insn.off);
        break;
      }
      case 'store': {
        // ST stores the immediate sign-extended (to 64 bits for DW): a constant slot holds it.
        const s = insn.src.type === 'reg' ? insn.src.reg * 2 : constant(insn.src.imm, insn.src.imm >> 31);
        put(pc, insn.size === 1 ? OP.STB : insn.size === 2 ? OP.STH : insn.size === 4 ? OP.STW : OP.STDW, insn.base * 2, s, insn.off);
        break;
      }
      case 'atomic': {
        const code4 = { add: 0, or: 1, and: 2, xor: 3, xchg: 4, cmpxchg: 5 }[insn.op];
        put(pc, OP.ATOMIC, insn.base * 2, insn.src * 2, insn.off, code4 | (insn.fetch ? 8 : 0), insn.size);
        break;
      }
      case 'ja': {
        const target = cfg.jump[pc] ?? 0;
        put(pc, OP.JA, 0, 0, 0, 0, target, pc + 1 - target);
        break;
      }
      case 'jcond': {
        const target = cfg.jump[pc] ?? 0;
        const s = insn.src.type === 'reg' ? insn.src.reg * 2 : constant(insn.src.imm, insn.width === 64 ? insn.src.imm >> 31 : 0);
        put(pc, (insn.width === 64 ? OP.JEQ64 : OP.JEQ32) + (COND_BASE[insn.cond] ?? 0), insn.dst * 2, s, 0, 0, target, pc + 1 - target);
        break;
      }
      case 'may_goto': {
        const target = pc + 1 + insn.off;
        put(pc, OP.MAY_GOTO, 0, 0, 0, 0, target, pc + 1 - target);
        break;
      }
      case 'call':
        if (insn.target === 'local') {
          const target = cfg.callee[pc] ?? 0;
          put(pc, OP.CALL_LOCAL, 0, 0, 0, 0, target, pc + 1 - target);
        } else put(pc, insn.target === 'helper' ? OP.CALL_HELPER : OP.CALL_KFUNC, 0, 0, insn.off, insn.imm, sites++);
        break;
      case 'exit':
        put(pc, OP.EXIT);
        break;
      case 'ldpkt':
        put(pc, OP.LDPKT, 0, insn.src * 2, insn.mode === 'ind' ? 1 : 0, insn.imm, insn.size);
        break;
    }
  }
  const regs = new Int32Array(REG_INTS + consts.length);
  regs.set(consts, REG_INTS);
  return { code, regs };
}

/**
 * The pairs executed as one handler (superinstructions): the handler, and the handlers of the
 * two slots. gen-interpreter.ts writes each one's case from the two definitions.
 */
export const SUPERINSTRUCTIONS: readonly (readonly [fused: OpName, first: OpName, second: OpName])[] = [
  ['MOV64_ADD64', 'MOV64', 'ADD64'],
  ['ADD64_JA', 'ADD64', 'JA'],
  ['ADD64_JEQ64', 'ADD64', 'JEQ64'],
  ['ADD64_JNE64', 'ADD64', 'JNE64'],
  ['ADD64_JGT64', 'ADD64', 'JGT64'],
  ['ADD64_JGE64', 'ADD64', 'JGE64'],
  ['ADD64_JLT64', 'ADD64', 'JLT64'],
  ['ADD64_JLE64', 'ADD64', 'JLE64'],
  // The three-address idiom `d = s; d op= x`, multiply-accumulate, a 32-bit hash step.
  ['MOV64_SUB64', 'MOV64', 'SUB64'],
  ['MOV64_MUL64', 'MOV64', 'MUL64'],
  ['MOV64_AND64', 'MOV64', 'AND64'],
  ['MOV64_OR64', 'MOV64', 'OR64'],
  ['MOV64_XOR64', 'MOV64', 'XOR64'],
  ['MOV64_LSH64_KLO', 'MOV64', 'LSH64_KLO'],
  ['MOV64_RSH64_KLO', 'MOV64', 'RSH64_KLO'],
  ['MOV64_ARSH64_KLO', 'MOV64', 'ARSH64_KLO'],
  ['MUL64_ADD64', 'MUL64', 'ADD64'],
  ['MOV32_MUL32', 'MOV32', 'MUL32'],
  // Memory: two neighbours read or written (a compare-and-swap), a checksum's load-and-add.
  ['LDXDW_LDXDW', 'LDXDW', 'LDXDW'],
  ['STDW_STDW', 'STDW', 'STDW'],
  ['LDXH_ADD64', 'LDXH', 'ADD64'],
];

/** The superinstructions by the ops of the two slots. */
const FUSIONS: ReadonlyMap<number, ReadonlyMap<number, number>> = (() => {
  const m = new Map<number, Map<number, number>>();
  for (const [fused, first, second] of SUPERINSTRUCTIONS) {
    const inner = m.get(OP[first]) ?? new Map<number, number>();
    inner.set(OP[second], OP[fused]);
    m.set(OP[first], inner);
  }
  return m;
})();

/**
 * Superinstructions: the op of slot pc for each pc whose pair (pc, pc + 1) runs as one
 * handler (SUPERINSTRUCTIONS: `p = base; p += off`, `i += k; if i < n goto loop`, `d = s; d op= x`,
 * …). Slot pc + 1
 * keeps its own handler, so a jump into it still works; the debugger un-fuses a pair when it
 * needs to stop between its two instructions. Returns the ops with fusions applied.
 */
export function fuse(ops: Int32Array): Int32Array {
  const fast = ops.slice();
  for (let pc = 0; pc + 1 < ops.length; pc++) {
    const f = FUSIONS.get(ops[pc] ?? -1)?.get(ops[pc + 1] ?? -1);
    if (f !== undefined) fast[pc] = f;
  }
  return fast;
}

/**
 * Unsigned 32-bit order is signed order with the sign bit flipped. Comparing `x ^ SIGN`
 * keeps every compare on int32 values; `x >>> 0` would produce doubles above 2^31 and make
 * V8 compile the compares for doubles (measured ~25% slower on pkt_csum).
 */
const SIGN = -0x80000000;


/**
 * Runs from vm.pc until exit, a fault, a trap (breakpoint / step) or the instruction budget.
 * All state lives in `vm`; this function copies the hot parts into locals and back.
 */
export function execute(vm: Vm): Stop {
  const C = vm.code;
  const R = vm.regs;
  let DV = vm.mem.dv;
  let SH = vm.mem.shadow;
  let pc = vm.pc;
  let n = vm.n;
  const limit = vm.limit;
  const BASE = GUEST_BASE_HI;
  let stop: Stop = Stop.Exit;
  let taken = false;

  loop: for (;;) {
    const b = pc << 3;
    let op = C[b];
    dispatch: for (;;) {
      switch (op) {
        // ---- generated from engine/isa/ops.ts by engine/vm/gen-interpreter.ts: do not edit ----
        case 8: { // NOP
          pc++;
          continue loop;
        }
        case 9: { // ZEXT32
          const d = C[b + 1];
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 10: { // ADD64
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d];
          const t0 = (a0 + R[s]) | 0;
          R[d + 1] = (R[d + 1] + R[s + 1] + ((t0 ^ SIGN) < (a0 ^ SIGN) ? 1 : 0)) | 0;
          R[d] = t0;
          pc++;
          continue loop;
        }
        case 11: { // SUB64
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d], b0 = R[s];
          R[d + 1] = (R[d + 1] - R[s + 1] - ((a0 ^ SIGN) < (b0 ^ SIGN) ? 1 : 0)) | 0;
          R[d] = (a0 - b0) | 0;
          pc++;
          continue loop;
        }
        case 12: { // MUL64
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d], b0 = R[s];
          const t0a0 = a0 & 0xffff, t0a1 = a0 >>> 16, t0b0 = b0 & 0xffff, t0b1 = b0 >>> 16; const t0p10 = t0a1 * t0b0, t0p01 = t0a0 * t0b1; const t0m = ((t0a0 * t0b0) >>> 16) + (t0p10 & 0xffff) + (t0p01 & 0xffff);
          R[d + 1] = (t0a1 * t0b1 + (t0p10 >>> 16) + (t0p01 >>> 16) + (t0m >>> 16) + Math.imul(a0, R[s + 1]) + Math.imul(R[d + 1], b0)) | 0;
          R[d] = Math.imul(a0, b0);
          pc++;
          continue loop;
        }
        case 13: { // DIV64
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d], a1 = R[d + 1], b0 = R[s], b1 = R[s + 1];
          if ((b0 | b1) === 0) { R[d + 1] = 0; R[d] = 0; } else { let t0 = 0, t1 = 0; if ((a1 | b1) === 0) { t0 = ((a0 >>> 0) / (b0 >>> 0)) | 0; t1 = 0; } else { divmod64(a0, a1, b0, b1, 'div'); t0 = Q[0]; t1 = Q[1]; } R[d + 1] = t1; R[d] = t0; }
          pc++;
          continue loop;
        }
        case 14: { // SDIV64
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d], a1 = R[d + 1], b0 = R[s], b1 = R[s + 1];
          if ((b0 | b1) === 0) { R[d + 1] = 0; R[d] = 0; } else { if ((b0 & b1) === -1) { R[d + 1] = (~a1 + (a0 === 0 ? 1 : 0)) | 0; R[d] = -a0 | 0; } else { let t0 = 0, t1 = 0; if (a1 === a0 >> 31 && b1 === b0 >> 31) { t0 = (a0 / b0) | 0; t1 = t0 >> 31; } else { divmod64(a0, a1, b0, b1, 'sdiv'); t0 = Q[0]; t1 = Q[1]; } R[d + 1] = t1; R[d] = t0; } }
          pc++;
          continue loop;
        }
        case 15: { // OR64
          const d = C[b + 1], s = C[b + 2];
          R[d + 1] = (R[d + 1] | R[s + 1]);
          R[d] = (R[d] | R[s]);
          pc++;
          continue loop;
        }
        case 16: { // AND64
          const d = C[b + 1], s = C[b + 2];
          R[d + 1] = (R[d + 1] & R[s + 1]);
          R[d] = (R[d] & R[s]);
          pc++;
          continue loop;
        }
        case 17: { // LSH64
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d], a1 = R[d + 1];
          const t0 = R[s] & 63;
          let t1 = a0, t2 = a1; if (t0 >= 32) { t1 = 0; t2 = a0 << (t0 - 32); } else if (t0 !== 0) { t1 = a0 << t0; t2 = (a1 << t0) | (a0 >>> (32 - t0)); }
          R[d + 1] = t2;
          R[d] = t1;
          pc++;
          continue loop;
        }
        case 18: { // RSH64
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d], a1 = R[d + 1];
          const t0 = R[s] & 63;
          let t1 = a0, t2 = a1; if (t0 >= 32) { t1 = (a1 >>> (t0 - 32)) | 0; t2 = 0; } else if (t0 !== 0) { t1 = (a0 >>> t0) | (a1 << (32 - t0)); t2 = (a1 >>> t0) | 0; }
          R[d + 1] = t2;
          R[d] = t1;
          pc++;
          continue loop;
        }
        case 19: { // MOD64
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d], a1 = R[d + 1], b0 = R[s], b1 = R[s + 1];
          if (!((b0 | b1) === 0)) { let t0 = 0, t1 = 0; if ((a1 | b1) === 0) { t0 = ((a0 >>> 0) % (b0 >>> 0)) | 0; t1 = 0; } else { divmod64(a0, a1, b0, b1, 'mod'); t0 = Q[0]; t1 = Q[1]; } R[d + 1] = t1; R[d] = t0; }
          pc++;
          continue loop;
        }
        case 20: { // SMOD64
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d], a1 = R[d + 1], b0 = R[s], b1 = R[s + 1];
          if (!((b0 | b1) === 0)) { if ((b0 & b1) === -1) { R[d + 1] = 0; R[d] = 0; } else { let t0 = 0, t1 = 0; if (a1 === a0 >> 31 && b1 === b0 >> 31) { t0 = (a0 % b0) | 0; t1 = t0 >> 31; } else { divmod64(a0, a1, b0, b1, 'smod'); t0 = Q[0]; t1 = Q[1]; } R[d + 1] = t1; R[d] = t0; } }
          pc++;
          continue loop;
        }
        case 21: { // XOR64
          const d = C[b + 1], s = C[b + 2];
          R[d + 1] = (R[d + 1] ^ R[s + 1]);
          R[d] = (R[d] ^ R[s]);
          pc++;
          continue loop;
        }
        case 22: { // MOV64
          const d = C[b + 1], s = C[b + 2];
          R[d + 1] = R[s + 1];
          R[d] = R[s];
          pc++;
          continue loop;
        }
        case 23: { // ARSH64
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d], a1 = R[d + 1];
          const t0 = R[s] & 63;
          let t1 = a0, t2 = a1; if (t0 >= 32) { t1 = a1 >> (t0 - 32); t2 = a1 >> 31; } else if (t0 !== 0) { t1 = (a0 >>> t0) | (a1 << (32 - t0)); t2 = a1 >> t0; }
          R[d + 1] = t2;
          R[d] = t1;
          pc++;
          continue loop;
        }
        case 24: { // NEG64
          const d = C[b + 1];
          const a0 = R[d];
          R[d + 1] = (~R[d + 1] + (a0 === 0 ? 1 : 0)) | 0;
          R[d] = -a0 | 0;
          pc++;
          continue loop;
        }
        case 25: { // MOVSX64_8
          const d = C[b + 1], s = C[b + 2];
          const t0 = ((R[s] << 24) >> 24);
          R[d + 1] = t0 >> 31;
          R[d] = t0;
          pc++;
          continue loop;
        }
        case 26: { // MOVSX64_16
          const d = C[b + 1], s = C[b + 2];
          const t0 = ((R[s] << 16) >> 16);
          R[d + 1] = t0 >> 31;
          R[d] = t0;
          pc++;
          continue loop;
        }
        case 27: { // MOVSX64_32
          const d = C[b + 1], s = C[b + 2];
          const b0 = R[s];
          R[d + 1] = b0 >> 31;
          R[d] = b0;
          pc++;
          continue loop;
        }
        case 28: { // LSH64_KLO
          const d = C[b + 1], k = C[b + 4];
          const a0 = R[d];
          R[d + 1] = (R[d + 1] << k) | (a0 >>> (32 - k));
          R[d] = a0 << k;
          pc++;
          continue loop;
        }
        case 29: { // LSH64_KHI
          const d = C[b + 1], k = C[b + 4];
          R[d + 1] = R[d] << k;
          R[d] = 0;
          pc++;
          continue loop;
        }
        case 30: { // RSH64_KLO
          const d = C[b + 1], k = C[b + 4];
          const a1 = R[d + 1];
          R[d + 1] = (a1 >>> k) | 0;
          R[d] = (R[d] >>> k) | (a1 << (32 - k));
          pc++;
          continue loop;
        }
        case 31: { // RSH64_KHI
          const d = C[b + 1], k = C[b + 4];
          const a1 = R[d + 1];
          R[d + 1] = 0;
          R[d] = (a1 >>> k) | 0;
          pc++;
          continue loop;
        }
        case 32: { // ARSH64_KLO
          const d = C[b + 1], k = C[b + 4];
          const a1 = R[d + 1];
          R[d + 1] = a1 >> k;
          R[d] = (R[d] >>> k) | (a1 << (32 - k));
          pc++;
          continue loop;
        }
        case 33: { // ARSH64_KHI
          const d = C[b + 1], k = C[b + 4];
          const a1 = R[d + 1];
          R[d + 1] = a1 >> 31;
          R[d] = a1 >> k;
          pc++;
          continue loop;
        }
        case 40: { // ADD32
          const d = C[b + 1], s = C[b + 2];
          R[d] = (R[d] + R[s]) | 0;
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 41: { // SUB32
          const d = C[b + 1], s = C[b + 2];
          R[d] = (R[d] - R[s]) | 0;
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 42: { // MUL32
          const d = C[b + 1], s = C[b + 2];
          R[d] = Math.imul(R[d], R[s]);
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 43: { // DIV32
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d], b0 = R[s];
          if (b0 === 0) { R[d] = 0; } else { R[d] = ((a0 >>> 0) / (b0 >>> 0)) | 0; }
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 44: { // SDIV32
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d], b0 = R[s];
          if (b0 === 0) { R[d] = 0; } else { if (b0 === (-1)) { R[d] = (-a0 | 0); } else { R[d] = (a0 / b0) | 0; } }
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 45: { // OR32
          const d = C[b + 1], s = C[b + 2];
          R[d] = (R[d] | R[s]);
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 46: { // AND32
          const d = C[b + 1], s = C[b + 2];
          R[d] = (R[d] & R[s]);
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 47: { // LSH32
          const d = C[b + 1], s = C[b + 2];
          R[d] = (R[d] << R[s]);
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 48: { // RSH32
          const d = C[b + 1], s = C[b + 2];
          R[d] = ((R[d] >>> R[s]) | 0);
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 49: { // MOD32
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d], b0 = R[s];
          if (!(b0 === 0)) { R[d] = ((a0 >>> 0) % (b0 >>> 0)) | 0; }
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 50: { // SMOD32
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d], b0 = R[s];
          if (!(b0 === 0)) { if (b0 === (-1)) { R[d] = 0; } else { R[d] = (a0 % b0) | 0; } }
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 51: { // XOR32
          const d = C[b + 1], s = C[b + 2];
          R[d] = (R[d] ^ R[s]);
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 52: { // MOV32
          const d = C[b + 1], s = C[b + 2];
          R[d] = R[s];
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 53: { // ARSH32
          const d = C[b + 1], s = C[b + 2];
          R[d] = (R[d] >> R[s]);
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 54: { // NEG32
          const d = C[b + 1];
          R[d] = (-R[d] | 0);
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 55: { // MOVSX32_8
          const d = C[b + 1], s = C[b + 2];
          R[d] = ((R[s] << 24) >> 24);
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 56: { // MOVSX32_16
          const d = C[b + 1], s = C[b + 2];
          R[d] = ((R[s] << 16) >> 16);
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 57: { // LSH32_K
          const d = C[b + 1], k = C[b + 4];
          R[d] = (R[d] << k);
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 58: { // RSH32_K
          const d = C[b + 1], k = C[b + 4];
          R[d] = ((R[d] >>> k) | 0);
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 59: { // ARSH32_K
          const d = C[b + 1], k = C[b + 4];
          R[d] = (R[d] >> k);
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 60: { // LE16
          const d = C[b + 1];
          R[d] = (R[d] & 65535);
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 61: { // LE32
          const d = C[b + 1];
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 62: { // SWAP16
          const d = C[b + 1];
          const a0 = R[d];
          R[d] = (((a0 & 0xff) << 8) | ((a0 >>> 8) & 0xff));
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 63: { // SWAP32
          const d = C[b + 1];
          const a0 = R[d];
          R[d] = (((a0 & 0xff) << 24) | ((a0 & 0xff00) << 8) | ((a0 >>> 8) & 0xff00) | (a0 >>> 24));
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 64: { // SWAP64
          const d = C[b + 1];
          const a0 = R[d], a1 = R[d + 1];
          R[d + 1] = (((a0 & 0xff) << 24) | ((a0 & 0xff00) << 8) | ((a0 >>> 8) & 0xff00) | (a0 >>> 24));
          R[d] = (((a1 & 0xff) << 24) | ((a1 & 0xff00) << 8) | ((a1 >>> 8) & 0xff00) | (a1 >>> 24));
          pc++;
          continue loop;
        }
        case 70: { // LDXB
          const d = C[b + 1], s = C[b + 2];
          const a = (R[s] + C[b + 3]) | 0;
          if (R[s + 1] !== BASE || (SH[a] & PERM_READ) === 0) {
            if (vm.slowLoad(pc, n + pc, d, R[s], R[s + 1], C[b + 3], 1, false)) {
              pc++;
              continue loop;
            }
            stop = Stop.Fault;
            break loop;
          }
          R[d] = DV.getUint8(a);
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 71: { // LDXH
          const d = C[b + 1], s = C[b + 2];
          const a = (R[s] + C[b + 3]) | 0;
          if (R[s + 1] !== BASE || (SH[a] & SH[a + 1] & PERM_READ) === 0) {
            if (vm.slowLoad(pc, n + pc, d, R[s], R[s + 1], C[b + 3], 2, false)) {
              pc++;
              continue loop;
            }
            stop = Stop.Fault;
            break loop;
          }
          R[d] = DV.getUint16(a, true);
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 72: { // LDXW
          const d = C[b + 1], s = C[b + 2];
          const a = (R[s] + C[b + 3]) | 0;
          if (R[s + 1] !== BASE || (SH[a] & SH[a + 3] & PERM_READ) === 0) {
            // A context field, from the table the last slow load found (vm.fieldTable): no call.
            const f = (a - vm.fieldStart) | 0;
            if (R[s + 1] === BASE && f >= 0 && f < vm.fieldSize && (f & 3) === 0 && vm.fieldReadable[f >> 2] === 1) {
              const V = vm.fieldValues;
              R[d] = V[f >> 1];
              R[d + 1] = V[(f >> 1) + 1];
              pc++;
              continue loop;
            }
            if (vm.slowLoad(pc, n + pc, d, R[s], R[s + 1], C[b + 3], 4, false)) {
              pc++;
              continue loop;
            }
            stop = Stop.Fault;
            break loop;
          }
          R[d] = DV.getInt32(a, true);
          R[d + 1] = 0;
          pc++;
          continue loop;
        }
        case 73: { // LDXDW
          const d = C[b + 1], s = C[b + 2];
          const a = (R[s] + C[b + 3]) | 0;
          if (R[s + 1] !== BASE || (SH[a] & SH[a + 7] & PERM_READ) === 0) {
            if (vm.slowLoad(pc, n + pc, d, R[s], R[s + 1], C[b + 3], 8, false)) {
              pc++;
              continue loop;
            }
            stop = Stop.Fault;
            break loop;
          }
          R[d + 1] = DV.getInt32(a + 4, true);
          R[d] = DV.getInt32(a, true);
          pc++;
          continue loop;
        }
        case 74: { // LDXSB
          const d = C[b + 1], s = C[b + 2];
          const a = (R[s] + C[b + 3]) | 0;
          if (R[s + 1] !== BASE || (SH[a] & PERM_READ) === 0) {
            if (vm.slowLoad(pc, n + pc, d, R[s], R[s + 1], C[b + 3], 1, true)) {
              pc++;
              continue loop;
            }
            stop = Stop.Fault;
            break loop;
          }
          const t0 = DV.getInt8(a);
          R[d + 1] = t0 >> 31;
          R[d] = t0;
          pc++;
          continue loop;
        }
        case 75: { // LDXSH
          const d = C[b + 1], s = C[b + 2];
          const a = (R[s] + C[b + 3]) | 0;
          if (R[s + 1] !== BASE || (SH[a] & SH[a + 1] & PERM_READ) === 0) {
            if (vm.slowLoad(pc, n + pc, d, R[s], R[s + 1], C[b + 3], 2, true)) {
              pc++;
              continue loop;
            }
            stop = Stop.Fault;
            break loop;
          }
          const t0 = DV.getInt16(a, true);
          R[d + 1] = t0 >> 31;
          R[d] = t0;
          pc++;
          continue loop;
        }
        case 76: { // LDXSW
          const d = C[b + 1], s = C[b + 2];
          const a = (R[s] + C[b + 3]) | 0;
          if (R[s + 1] !== BASE || (SH[a] & SH[a + 3] & PERM_READ) === 0) {
            if (vm.slowLoad(pc, n + pc, d, R[s], R[s + 1], C[b + 3], 4, true)) {
              pc++;
              continue loop;
            }
            stop = Stop.Fault;
            break loop;
          }
          const t0 = DV.getInt32(a, true);
          R[d + 1] = t0 >> 31;
          R[d] = t0;
          pc++;
          continue loop;
        }
        case 77: { // STB
          const d = C[b + 1], s = C[b + 2];
          const a = (R[d] + C[b + 3]) | 0;
          if (R[d + 1] !== BASE || (SH[a] & PERM_WRITE) === 0) {
            if (vm.slowStore(pc, n + pc, R[d], R[d + 1], C[b + 3], 1, R[s], R[s + 1])) {
              pc++;
              continue loop;
            }
            stop = Stop.Fault;
            break loop;
          }
          DV.setUint8(a, R[s]);
          pc++;
          continue loop;
        }
        case 78: { // STH
          const d = C[b + 1], s = C[b + 2];
          const a = (R[d] + C[b + 3]) | 0;
          if (R[d + 1] !== BASE || (SH[a] & SH[a + 1] & PERM_WRITE) === 0) {
            if (vm.slowStore(pc, n + pc, R[d], R[d + 1], C[b + 3], 2, R[s], R[s + 1])) {
              pc++;
              continue loop;
            }
            stop = Stop.Fault;
            break loop;
          }
          DV.setUint16(a, R[s], true);
          pc++;
          continue loop;
        }
        case 79: { // STW
          const d = C[b + 1], s = C[b + 2];
          const a = (R[d] + C[b + 3]) | 0;
          if (R[d + 1] !== BASE || (SH[a] & SH[a + 3] & PERM_WRITE) === 0) {
            if (vm.slowStore(pc, n + pc, R[d], R[d + 1], C[b + 3], 4, R[s], R[s + 1])) {
              pc++;
              continue loop;
            }
            stop = Stop.Fault;
            break loop;
          }
          DV.setInt32(a, R[s], true);
          pc++;
          continue loop;
        }
        case 80: { // STDW
          const d = C[b + 1], s = C[b + 2];
          const a = (R[d] + C[b + 3]) | 0;
          if (R[d + 1] !== BASE || (SH[a] & SH[a + 7] & PERM_WRITE) === 0) {
            if (vm.slowStore(pc, n + pc, R[d], R[d + 1], C[b + 3], 8, R[s], R[s + 1])) {
              pc++;
              continue loop;
            }
            stop = Stop.Fault;
            break loop;
          }
          DV.setInt32(a, R[s], true);
          DV.setInt32(a + 4, R[s + 1], true);
          pc++;
          continue loop;
        }
        case 90: { // JEQ64
          const d = C[b + 1], s = C[b + 2];
          if (R[d] === R[s] && R[d + 1] === R[s + 1]) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 91: { // JGT64
          const d = C[b + 1], s = C[b + 2];
          const t0 = (R[d + 1] ^ SIGN);
          const t1 = (R[s + 1] ^ SIGN);
          if (t0 > t1 || (t0 === t1 && (R[d] ^ SIGN) > (R[s] ^ SIGN))) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 92: { // JGE64
          const d = C[b + 1], s = C[b + 2];
          const t0 = (R[d + 1] ^ SIGN);
          const t1 = (R[s + 1] ^ SIGN);
          if (t0 > t1 || (t0 === t1 && (R[d] ^ SIGN) >= (R[s] ^ SIGN))) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 93: { // JSET64
          const d = C[b + 1], s = C[b + 2];
          if (((R[d] & R[s]) | (R[d + 1] & R[s + 1])) !== 0) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 94: { // JNE64
          const d = C[b + 1], s = C[b + 2];
          if (R[d] !== R[s] || R[d + 1] !== R[s + 1]) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 95: { // JSGT64
          const d = C[b + 1], s = C[b + 2];
          const a1 = R[d + 1], b1 = R[s + 1];
          if (a1 > b1 || (a1 === b1 && (R[d] ^ SIGN) > (R[s] ^ SIGN))) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 96: { // JSGE64
          const d = C[b + 1], s = C[b + 2];
          const a1 = R[d + 1], b1 = R[s + 1];
          if (a1 > b1 || (a1 === b1 && (R[d] ^ SIGN) >= (R[s] ^ SIGN))) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 97: { // JLT64
          const d = C[b + 1], s = C[b + 2];
          const t0 = (R[d + 1] ^ SIGN);
          const t1 = (R[s + 1] ^ SIGN);
          if (t0 < t1 || (t0 === t1 && (R[d] ^ SIGN) < (R[s] ^ SIGN))) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 98: { // JLE64
          const d = C[b + 1], s = C[b + 2];
          const t0 = (R[d + 1] ^ SIGN);
          const t1 = (R[s + 1] ^ SIGN);
          if (t0 < t1 || (t0 === t1 && (R[d] ^ SIGN) <= (R[s] ^ SIGN))) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 99: { // JSLT64
          const d = C[b + 1], s = C[b + 2];
          const a1 = R[d + 1], b1 = R[s + 1];
          if (a1 < b1 || (a1 === b1 && (R[d] ^ SIGN) < (R[s] ^ SIGN))) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 100: { // JSLE64
          const d = C[b + 1], s = C[b + 2];
          const a1 = R[d + 1], b1 = R[s + 1];
          if (a1 < b1 || (a1 === b1 && (R[d] ^ SIGN) <= (R[s] ^ SIGN))) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 101: { // JEQ32
          const d = C[b + 1], s = C[b + 2];
          if (R[d] === R[s]) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 102: { // JGT32
          const d = C[b + 1], s = C[b + 2];
          if ((R[d] ^ SIGN) > (R[s] ^ SIGN)) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 103: { // JGE32
          const d = C[b + 1], s = C[b + 2];
          if ((R[d] ^ SIGN) >= (R[s] ^ SIGN)) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 104: { // JSET32
          const d = C[b + 1], s = C[b + 2];
          if ((R[d] & R[s]) !== 0) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 105: { // JNE32
          const d = C[b + 1], s = C[b + 2];
          if (R[d] !== R[s]) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 106: { // JSGT32
          const d = C[b + 1], s = C[b + 2];
          if (R[d] > R[s]) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 107: { // JSGE32
          const d = C[b + 1], s = C[b + 2];
          if (R[d] >= R[s]) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 108: { // JLT32
          const d = C[b + 1], s = C[b + 2];
          if ((R[d] ^ SIGN) < (R[s] ^ SIGN)) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 109: { // JLE32
          const d = C[b + 1], s = C[b + 2];
          if ((R[d] ^ SIGN) <= (R[s] ^ SIGN)) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 110: { // JSLT32
          const d = C[b + 1], s = C[b + 2];
          if (R[d] < R[s]) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 111: { // JSLE32
          const d = C[b + 1], s = C[b + 2];
          if (R[d] <= R[s]) {
            n += C[b + 6];
            pc = C[b + 5];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc++;
          continue loop;
        }
        case 120: { // MOV64_ADD64: MOV64; then the ADD64 of the next slot
          const d = C[b + 1], s = C[b + 2];
          R[d + 1] = R[s + 1];
          R[d] = R[s];
          const d2 = C[b + 9], s2 = C[b + 10];
          const na0 = R[d2];
          const nt0 = (na0 + R[s2]) | 0;
          R[d2 + 1] = (R[d2 + 1] + R[s2 + 1] + ((nt0 ^ SIGN) < (na0 ^ SIGN) ? 1 : 0)) | 0;
          R[d2] = nt0;
          pc += 2;
          continue loop;
        }
        case 121: { // ADD64_JA: ADD64, then the jump of the next slot
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d];
          const t0 = (a0 + R[s]) | 0;
          R[d + 1] = (R[d + 1] + R[s + 1] + ((t0 ^ SIGN) < (a0 ^ SIGN) ? 1 : 0)) | 0;
          R[d] = t0;
          n += C[b + 14];
          pc = C[b + 13];
          if (n + pc > limit) {
            stop = Stop.Budget;
            break loop;
          }
          continue loop;
        }
        case 122: { // ADD64_JEQ64: ADD64, then the conditional jump of the next slot
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d];
          const t0 = (a0 + R[s]) | 0;
          R[d + 1] = (R[d + 1] + R[s + 1] + ((t0 ^ SIGN) < (a0 ^ SIGN) ? 1 : 0)) | 0;
          R[d] = t0;
          const d2 = C[b + 9], s2 = C[b + 10];
          if (R[d2] === R[s2] && R[d2 + 1] === R[s2 + 1]) {
            n += C[b + 14];
            pc = C[b + 13];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc += 2;
          continue loop;
        }
        case 123: { // ADD64_JNE64: ADD64, then the conditional jump of the next slot
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d];
          const t0 = (a0 + R[s]) | 0;
          R[d + 1] = (R[d + 1] + R[s + 1] + ((t0 ^ SIGN) < (a0 ^ SIGN) ? 1 : 0)) | 0;
          R[d] = t0;
          const d2 = C[b + 9], s2 = C[b + 10];
          if (R[d2] !== R[s2] || R[d2 + 1] !== R[s2 + 1]) {
            n += C[b + 14];
            pc = C[b + 13];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc += 2;
          continue loop;
        }
        case 124: { // ADD64_JGT64: ADD64, then the conditional jump of the next slot
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d];
          const t0 = (a0 + R[s]) | 0;
          R[d + 1] = (R[d + 1] + R[s + 1] + ((t0 ^ SIGN) < (a0 ^ SIGN) ? 1 : 0)) | 0;
          R[d] = t0;
          const d2 = C[b + 9], s2 = C[b + 10];
          const nt0 = (R[d2 + 1] ^ SIGN);
          const nt1 = (R[s2 + 1] ^ SIGN);
          if (nt0 > nt1 || (nt0 === nt1 && (R[d2] ^ SIGN) > (R[s2] ^ SIGN))) {
            n += C[b + 14];
            pc = C[b + 13];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc += 2;
          continue loop;
        }
        case 125: { // ADD64_JGE64: ADD64, then the conditional jump of the next slot
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d];
          const t0 = (a0 + R[s]) | 0;
          R[d + 1] = (R[d + 1] + R[s + 1] + ((t0 ^ SIGN) < (a0 ^ SIGN) ? 1 : 0)) | 0;
          R[d] = t0;
          const d2 = C[b + 9], s2 = C[b + 10];
          const nt0 = (R[d2 + 1] ^ SIGN);
          const nt1 = (R[s2 + 1] ^ SIGN);
          if (nt0 > nt1 || (nt0 === nt1 && (R[d2] ^ SIGN) >= (R[s2] ^ SIGN))) {
            n += C[b + 14];
            pc = C[b + 13];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc += 2;
          continue loop;
        }
        case 126: { // ADD64_JLT64: ADD64, then the conditional jump of the next slot
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d];
          const t0 = (a0 + R[s]) | 0;
          R[d + 1] = (R[d + 1] + R[s + 1] + ((t0 ^ SIGN) < (a0 ^ SIGN) ? 1 : 0)) | 0;
          R[d] = t0;
          const d2 = C[b + 9], s2 = C[b + 10];
          const nt0 = (R[d2 + 1] ^ SIGN);
          const nt1 = (R[s2 + 1] ^ SIGN);
          if (nt0 < nt1 || (nt0 === nt1 && (R[d2] ^ SIGN) < (R[s2] ^ SIGN))) {
            n += C[b + 14];
            pc = C[b + 13];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc += 2;
          continue loop;
        }
        case 127: { // ADD64_JLE64: ADD64, then the conditional jump of the next slot
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d];
          const t0 = (a0 + R[s]) | 0;
          R[d + 1] = (R[d + 1] + R[s + 1] + ((t0 ^ SIGN) < (a0 ^ SIGN) ? 1 : 0)) | 0;
          R[d] = t0;
          const d2 = C[b + 9], s2 = C[b + 10];
          const nt0 = (R[d2 + 1] ^ SIGN);
          const nt1 = (R[s2 + 1] ^ SIGN);
          if (nt0 < nt1 || (nt0 === nt1 && (R[d2] ^ SIGN) <= (R[s2] ^ SIGN))) {
            n += C[b + 14];
            pc = C[b + 13];
            if (n + pc > limit) {
              stop = Stop.Budget;
              break loop;
            }
            continue loop;
          }
          pc += 2;
          continue loop;
        }
        case 128: { // MOV64_SUB64: MOV64; then the SUB64 of the next slot
          const d = C[b + 1], s = C[b + 2];
          R[d + 1] = R[s + 1];
          R[d] = R[s];
          const d2 = C[b + 9], s2 = C[b + 10];
          const na0 = R[d2], nb0 = R[s2];
          R[d2 + 1] = (R[d2 + 1] - R[s2 + 1] - ((na0 ^ SIGN) < (nb0 ^ SIGN) ? 1 : 0)) | 0;
          R[d2] = (na0 - nb0) | 0;
          pc += 2;
          continue loop;
        }
        case 129: { // MOV64_MUL64: MOV64; then the MUL64 of the next slot
          const d = C[b + 1], s = C[b + 2];
          R[d + 1] = R[s + 1];
          R[d] = R[s];
          const d2 = C[b + 9], s2 = C[b + 10];
          const na0 = R[d2], nb0 = R[s2];
          const nt0a0 = na0 & 0xffff, nt0a1 = na0 >>> 16, nt0b0 = nb0 & 0xffff, nt0b1 = nb0 >>> 16; const nt0p10 = nt0a1 * nt0b0, nt0p01 = nt0a0 * nt0b1; const nt0m = ((nt0a0 * nt0b0) >>> 16) + (nt0p10 & 0xffff) + (nt0p01 & 0xffff);
          R[d2 + 1] = (nt0a1 * nt0b1 + (nt0p10 >>> 16) + (nt0p01 >>> 16) + (nt0m >>> 16) + Math.imul(na0, R[s2 + 1]) + Math.imul(R[d2 + 1], nb0)) | 0;
          R[d2] = Math.imul(na0, nb0);
          pc += 2;
          continue loop;
        }
        case 130: { // MOV64_AND64: MOV64; then the AND64 of the next slot
          const d = C[b + 1], s = C[b + 2];
          R[d + 1] = R[s + 1];
          R[d] = R[s];
          const d2 = C[b + 9], s2 = C[b + 10];
          R[d2 + 1] = (R[d2 + 1] & R[s2 + 1]);
          R[d2] = (R[d2] & R[s2]);
          pc += 2;
          continue loop;
        }
        case 131: { // MOV64_OR64: MOV64; then the OR64 of the next slot
          const d = C[b + 1], s = C[b + 2];
          R[d + 1] = R[s + 1];
          R[d] = R[s];
          const d2 = C[b + 9], s2 = C[b + 10];
          R[d2 + 1] = (R[d2 + 1] | R[s2 + 1]);
          R[d2] = (R[d2] | R[s2]);
          pc += 2;
          continue loop;
        }
        case 132: { // MOV64_XOR64: MOV64; then the XOR64 of the next slot
          const d = C[b + 1], s = C[b + 2];
          R[d + 1] = R[s + 1];
          R[d] = R[s];
          const d2 = C[b + 9], s2 = C[b + 10];
          R[d2 + 1] = (R[d2 + 1] ^ R[s2 + 1]);
          R[d2] = (R[d2] ^ R[s2]);
          pc += 2;
          continue loop;
        }
        case 133: { // MOV64_LSH64_KLO: MOV64; then the LSH64_KLO of the next slot
          const d = C[b + 1], s = C[b + 2];
          R[d + 1] = R[s + 1];
          R[d] = R[s];
          const d2 = C[b + 9], k2 = C[b + 12];
          const na0 = R[d2];
          R[d2 + 1] = (R[d2 + 1] << k2) | (na0 >>> (32 - k2));
          R[d2] = na0 << k2;
          pc += 2;
          continue loop;
        }
        case 134: { // MOV64_RSH64_KLO: MOV64; then the RSH64_KLO of the next slot
          const d = C[b + 1], s = C[b + 2];
          R[d + 1] = R[s + 1];
          R[d] = R[s];
          const d2 = C[b + 9], k2 = C[b + 12];
          const na1 = R[d2 + 1];
          R[d2 + 1] = (na1 >>> k2) | 0;
          R[d2] = (R[d2] >>> k2) | (na1 << (32 - k2));
          pc += 2;
          continue loop;
        }
        case 135: { // MOV64_ARSH64_KLO: MOV64; then the ARSH64_KLO of the next slot
          const d = C[b + 1], s = C[b + 2];
          R[d + 1] = R[s + 1];
          R[d] = R[s];
          const d2 = C[b + 9], k2 = C[b + 12];
          const na1 = R[d2 + 1];
          R[d2 + 1] = na1 >> k2;
          R[d2] = (R[d2] >>> k2) | (na1 << (32 - k2));
          pc += 2;
          continue loop;
        }
        case 136: { // MUL64_ADD64: MUL64; then the ADD64 of the next slot
          const d = C[b + 1], s = C[b + 2];
          const a0 = R[d], b0 = R[s];
          const t0a0 = a0 & 0xffff, t0a1 = a0 >>> 16, t0b0 = b0 & 0xffff, t0b1 = b0 >>> 16; const t0p10 = t0a1 * t0b0, t0p01 = t0a0 * t0b1; const t0m = ((t0a0 * t0b0) >>> 16) + (t0p10 & 0xffff) + (t0p01 & 0xffff);
          R[d + 1] = (t0a1 * t0b1 + (t0p10 >>> 16) + (t0p01 >>> 16) + (t0m >>> 16) + Math.imul(a0, R[s + 1]) + Math.imul(R[d + 1], b0)) | 0;
          R[d] = Math.imul(a0, b0);
          const d2 = C[b + 9], s2 = C[b + 10];
          const na0 = R[d2];
          const nt0 = (na0 + R[s2]) | 0;
          R[d2 + 1] = (R[d2 + 1] + R[s2 + 1] + ((nt0 ^ SIGN) < (na0 ^ SIGN) ? 1 : 0)) | 0;
          R[d2] = nt0;
          pc += 2;
          continue loop;
        }
        case 137: { // MOV32_MUL32: MOV32; then the MUL32 of the next slot
          const d = C[b + 1], s = C[b + 2];
          R[d] = R[s];
          R[d + 1] = 0;
          const d2 = C[b + 9], s2 = C[b + 10];
          R[d2] = Math.imul(R[d2], R[s2]);
          R[d2 + 1] = 0;
          pc += 2;
          continue loop;
        }
        case 138: { // LDXDW_LDXDW: LDXDW; then the LDXDW of the next slot
          const d = C[b + 1], s = C[b + 2];
          const a = (R[s] + C[b + 3]) | 0;
          if (R[s + 1] !== BASE || (SH[a] & SH[a + 7] & PERM_READ) === 0) {
            if (vm.slowLoad(pc, n + pc, d, R[s], R[s + 1], C[b + 3], 8, false)) {
              pc++;
              continue loop;
            }
            stop = Stop.Fault;
            break loop;
          }
          R[d + 1] = DV.getInt32(a + 4, true);
          R[d] = DV.getInt32(a, true);
          const d2 = C[b + 9], s2 = C[b + 10];
          const na = (R[s2] + C[b + 11]) | 0;
          if (R[s2 + 1] !== BASE || (SH[na] & SH[na + 7] & PERM_READ) === 0) {
            pc++;
            if (vm.slowLoad(pc, n + pc, d2, R[s2], R[s2 + 1], C[b + 11], 8, false)) {
              pc++;
              continue loop;
            }
            stop = Stop.Fault;
            break loop;
          }
          R[d2 + 1] = DV.getInt32(na + 4, true);
          R[d2] = DV.getInt32(na, true);
          pc += 2;
          continue loop;
        }
        case 139: { // STDW_STDW: STDW; then the STDW of the next slot
          const d = C[b + 1], s = C[b + 2];
          const a = (R[d] + C[b + 3]) | 0;
          if (R[d + 1] !== BASE || (SH[a] & SH[a + 7] & PERM_WRITE) === 0) {
            if (vm.slowStore(pc, n + pc, R[d], R[d + 1], C[b + 3], 8, R[s], R[s + 1])) {
              pc++;
              continue loop;
            }
            stop = Stop.Fault;
            break loop;
          }
          DV.setInt32(a, R[s], true);
          DV.setInt32(a + 4, R[s + 1], true);
          const d2 = C[b + 9], s2 = C[b + 10];
          const na = (R[d2] + C[b + 11]) | 0;
          if (R[d2 + 1] !== BASE || (SH[na] & SH[na + 7] & PERM_WRITE) === 0) {
            pc++;
            if (vm.slowStore(pc, n + pc, R[d2], R[d2 + 1], C[b + 11], 8, R[s2], R[s2 + 1])) {
              pc++;
              continue loop;
            }
            stop = Stop.Fault;
            break loop;
          }
          DV.setInt32(na, R[s2], true);
          DV.setInt32(na + 4, R[s2 + 1], true);
          pc += 2;
          continue loop;
        }
        case 140: { // LDXH_ADD64: LDXH; then the ADD64 of the next slot
          const d = C[b + 1], s = C[b + 2];
          const a = (R[s] + C[b + 3]) | 0;
          if (R[s + 1] !== BASE || (SH[a] & SH[a + 1] & PERM_READ) === 0) {
            if (vm.slowLoad(pc, n + pc, d, R[s], R[s + 1], C[b + 3], 2, false)) {
              pc++;
              continue loop;
            }
            stop = Stop.Fault;
            break loop;
          }
          R[d] = DV.getUint16(a, true);
          R[d + 1] = 0;
          const d2 = C[b + 9], s2 = C[b + 10];
          const na0 = R[d2];
          const nt0 = (na0 + R[s2]) | 0;
          R[d2 + 1] = (R[d2 + 1] + R[s2 + 1] + ((nt0 ^ SIGN) < (na0 ^ SIGN) ? 1 : 0)) | 0;
          R[d2] = nt0;
          pc += 2;
          continue loop;
        }
        // ---- end generated ----
        case 7: { // LDDW: one instruction in two slots, so it counts once
          const d = C[b + 1];
          R[d] = C[b + 4];
          R[d + 1] = C[b + 5];
          pc += 2;
          n--;
          continue loop;
        }
        case 81: { // ATOMIC
          if (!vm.atomic(pc, n + pc, b)) {
            stop = Stop.Fault;
            break loop;
          }
          pc++;
          continue loop;
        }
        case 82: { // LDPKT (legacy LD_ABS/LD_IND)
          const r = vm.ldpkt(pc, b);
          if (r === 1) {
            // Out of the packet: Linux ends the program, returning 0.
            R[0] = 0;
            R[1] = 0;
            n += pc + 1;
            pc = -1;
            stop = Stop.Exit;
            break loop;
          }
          pc++;
          continue loop;
        }
        case 6: // JA
          n += C[b + 6];
          pc = C[b + 5];
          if (n + pc > limit) {
            stop = Stop.Budget;
            break loop;
          }
          continue loop;
        case 34: { // MAY_GOTO: jump once the frame's loop budget is spent, else take one from it
          const M = vm.mayGoto, k = vm.depth, left = M[k];
          taken = left === 0;
          if (!taken) M[k] = left - 1;
          break dispatch;
        }
        case 3: // CALL_HELPER
        case 5: { // CALL_KFUNC
          vm.pc = pc;
          vm.n = n;
          // The call site's helper, bound once (vm.calls, numbered in aux), as the compiled tier calls it.
          const r = vm.calls[C[b + 5]](vm, pc);
          if (typeof r === 'number') {
            R[0] = r;
            R[1] = r < 0 ? -1 : 0;
          } else if (r === false) {
            // The count moved on if the fault was inside a callback (vm.invokeCallback).
            n = vm.n;
            stop = Stop.Fault;
            break loop;
          } else if (r !== true) vm.setReg(0, r);
          // A helper may have mapped memory (the arena can grow), run a callback (the count
          // moved on), or asked to continue in another program (a tail call).
          DV = vm.mem.dv;
          SH = vm.mem.shadow;
          n = vm.n;
          if (vm.pendingTailCall !== undefined) {
            stop = Stop.TailCall;
            break loop;
          }
          pc++;
          if (n + pc > limit) {
            stop = Stop.Budget;
            break loop;
          }
          continue loop;
        }
        case 4: { // CALL_LOCAL
          if (vm.depth + 1 >= MAX_CALL_FRAMES) {
            stop = vm.fault(pc, n + pc, 'call-depth', `pc ${pc}: call nesting deeper than ${MAX_CALL_FRAMES} frames (MAX_CALL_FRAMES)`);
            break loop;
          }
          vm.pushFrame(pc + 1);
          n += C[b + 6];
          pc = C[b + 5];
          if (n + pc > limit) {
            stop = Stop.Budget;
            break loop;
          }
          continue loop;
        }
        case 2: { // EXIT
          if (vm.depth === 0) {
            n += pc + 1;
            pc = -1;
            stop = Stop.Exit;
            break loop;
          }
          const ret = vm.popFrame();
          if (ret < 0) {
            // The sentinel frame of a callback: back to the helper that invoked it.
            n += pc + 1;
            pc = -1;
            stop = Stop.Return;
            break loop;
          }
          n += pc + 1 - ret;
          pc = ret;
          continue loop;
        }
        case 35: // ENTRY (tier 'wasm'): the WebAssembly tier takes over again here, in the main program
          if (pc === vm.resumePc) vm.resumePc = -1;
          else if (vm.handBack && vm.depth === 0) {
            stop = Stop.Enter;
            break loop;
          }
          op = vm.origOp(pc);
          continue dispatch;
        case 1: // TRAP (breakpoint or single-step stop)
          if (pc === vm.resumePc) {
            vm.resumePc = -1;
            op = vm.origOp(pc);
            continue dispatch;
          }
          stop = Stop.Trap;
          break loop;
        default:
          stop = vm.fault(pc, n + pc, 'invalid', vm.invalidMessage(pc));
          break loop;
      }
    }
    // may_goto leaves the switch with `taken` set: pc += off + 1, or the next insn. (The
    // conditional jumps branch in their own cases, each predicted on its own.)
    if (taken) {
      const bj = pc << 3;
      n += C[bj + 6];
      pc = C[bj + 5];
      if (n + pc > limit) {
        stop = Stop.Budget;
        break;
      }
    } else pc++;
  }
  vm.pc = pc;
  vm.n = n;
  return stop;
}
