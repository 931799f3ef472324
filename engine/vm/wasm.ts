// The WebAssembly tier (first slice of issue 16): a pre-decoded program translated once into a
// WebAssembly module whose one function runs it from an entry pc. It plugs into the same hook
// as the compiled tier (`Vm.exec`) and keeps the same contract with the interpreter:
//
// - registers r0–r10 are i64 locals, loaded from and stored back to the Vm's Int32Array (as
//   lo/hi int32 pairs, which is the little-endian layout of an i64);
// - the executed count is `n + pc`: `n` changes only at taken jumps (by the slot's delta), at
//   lddw (−1) and at exit (+ pc + 1), and the budget is checked at taken jumps exactly as the
//   compiled tier checks it (`n + target > limit` stops with Stop.Budget at the target);
// - helper and kfunc calls it makes through the `call` import (the call site's bound
//   implementation, as the interpreter calls it), and a context field the interpreter would read
//   from its field table it reads through the `field` import; atomics it runs where their
//   fast path takes them (`atomic`);
// - anything else it does not run — BPF-to-BPF calls, LD_ABS/LD_IND, may_goto, invalid
//   slots, the end of the program, an entry pc it has no block for, and every other memory access
//   the fast path of the interpreter would not take (address not 0xffff8881_xxxxxxxx, outside the
//   arena, a shadow byte at the first or last byte without the permission — contexts included,
//   whose bytes have no permission at all) — the interpreter runs in place (the `step` import),
//   or stops with FALLBACK at that pc, before executing it. So every fault and its message come
//   from the interpreter (or, for a call, from the helper, as in the interpreter).
// - the hand-back: the instruction after each one it may stop at is an entry too, and the Vm
//   patches an ENTRY handler into the interpreter's code at the entries (`wasmHandBackPoints`):
//   after a FALLBACK the interpreter runs that one instruction (a helper call, an atomic, a
//   context load; a BPF-to-BPF call to its return) and stops at the next entry at depth 0 with
//   Stop.Enter, and the Vm calls the module again from there (`Vm.runWasm`).
//
// The module:
//   (import "env" "mem" (memory 1))     the GuestMemory's own WebAssembly.Memory (memory.ts)
//   (func (export "run") (param $entry i32) (param $n f64) (param $limit f64) (param $len i32) (result i32))
// Memory layout (memory.ts): [0, 88) r0–r10 as i64, 88 n on return (f64), 96 pc on return
// (i32); the arena at ARENA_OFFSET, its shadow right after it (ARENA_OFFSET + $len). The
// arena is the GuestMemory's: nothing is copied but the registers.
// Control flow: a loop around a br_table over the entry points (pc 0, jump targets, call
// returns, the instruction after each one it may hand over, the end). Each entry opens a
// block; a taken jump sets $pc and branches to the loop, straight-line code falls through from
// one block into the next. Any CFG works, irreducible ones included; reconstructing structured
// control flow is a later step.

import type { Cfg } from '../program/cfg.ts';
import { OP, REG_INTS, Stop, STRIDE } from './interpreter.ts';
import { ARENA_OFFSET, GUEST_BASE_HI, HDR_STACK_WINDOW, HDR_WINDOW, PERM_READ, PERM_WRITE } from './memory.ts';
import { entryPoints, FALLBACK } from './compile.ts';
import type { Vm } from './vm.ts';
import { Recent } from './recent.ts';
import { emitWasmAccess, emitWasmOp, wasmAccessOf, wasmOpKind } from './wasm-ops.ts';
import { countedLoop, fromFramePointer, type CountedLoop } from './wasm-loops.ts';

/** A program translated for this tier: runs from vm.pc and returns a Stop code or FALLBACK. */
export type WasmProgram = (vm: Vm) => number;

const HDR_N = 88;
const HDR_PC = 96;
/** Where the `field` import leaves a context field's value (i64). */
const HDR_FIELD = 104;
/** Where arena offset 0 lives in the module's memory (a memarg offset of every access). */
const ARENA = ARENA_OFFSET;
/**
 * Largest program translated: one br_table entry per pc, and V8 refuses tables longer than
 * 65,520 entries. Larger programs are interpreted.
 */
export const MAX_WASM_INSNS = 65_000;

// ---- the encoder ----------------------------------------------------------------------------

const I32 = 0x7f;
const I64 = 0x7e;
const F64 = 0x7c;
const VOID = 0x40;

const W = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  br_table: 0x0e,
  return: 0x0f,
  call: 0x10,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  i32_load: 0x28,
  i64_load: 0x29,
  f64_load: 0x2b,
  i32_load8_u: 0x2d,
  i32_load16_u: 0x2f,
  i64_load8_s: 0x30,
  i64_load8_u: 0x31,
  i64_load16_s: 0x32,
  i64_load16_u: 0x33,
  i64_load32_s: 0x34,
  i64_load32_u: 0x35,
  i32_store: 0x36,
  i64_store: 0x37,
  f64_store: 0x39,
  i64_store8: 0x3c,
  i64_store16: 0x3d,
  i64_store32: 0x3e,
  i32_const: 0x41,
  i64_const: 0x42,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_s: 0x4a,
  i32_gt_u: 0x4b,
  i32_le_s: 0x4c,
  i32_le_u: 0x4d,
  i32_ge_s: 0x4e,
  i32_ge_u: 0x4f,
  i64_eqz: 0x50,
  i64_eq: 0x51,
  i64_ne: 0x52,
  i64_lt_s: 0x53,
  i64_lt_u: 0x54,
  i64_gt_s: 0x55,
  i64_gt_u: 0x56,
  i64_le_s: 0x57,
  i64_le_u: 0x58,
  i64_ge_s: 0x59,
  i64_ge_u: 0x5a,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_div_s: 0x6d,
  i32_div_u: 0x6e,
  i32_rem_s: 0x6f,
  i32_rem_u: 0x70,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_xor: 0x73,
  i32_shl: 0x74,
  i32_shr_s: 0x75,
  i32_shr_u: 0x76,
  i32_rotl: 0x77,
  i32_rotr: 0x78,
  i64_add: 0x7c,
  i64_sub: 0x7d,
  i64_mul: 0x7e,
  i64_div_s: 0x7f,
  i64_div_u: 0x80,
  i64_rem_s: 0x81,
  i64_rem_u: 0x82,
  i64_and: 0x83,
  i64_or: 0x84,
  i64_xor: 0x85,
  i64_shl: 0x86,
  i64_shr_s: 0x87,
  i64_shr_u: 0x88,
  i32_wrap_i64: 0xa7,
  i64_extend_i32_u: 0xad,
  f64_convert_i64_s: 0xb9,
  i32_extend8_s: 0xc0,
  i32_extend16_s: 0xc1,
  i64_extend8_s: 0xc2,
  i64_extend16_s: 0xc3,
  i64_extend32_s: 0xc4,
  prefix_fc: 0xfc,
} as const;
/** i64.trunc_sat_f64_s (after the 0xfc prefix). */
const TRUNC_SAT_F64_S = 6;

/** Where bytes go: an array, or a function body's ByteSink. */
interface Sink {
  push(byte: number): unknown;
}

/**
 * A growing byte buffer: a function body, megabytes for a large program, where a JavaScript
 * array of numbers cost about 100 ns a byte to fill and copy (a 7,500-instruction program's
 * module took 670 ms to make).
 */
class ByteSink {
  private buf = new Uint8Array(1 << 12);
  length = 0;
  push(byte: number): void {
    if (this.length === this.buf.length) {
      const grown = new Uint8Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[this.length++] = byte;
  }
  /** The bytes so far (a view: valid until the next push). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** Unsigned LEB128 (the test's own modules use it too). */
export function uleb(out: Sink, v: number): void {
  let x = v >>> 0;
  for (;;) {
    const byte = x & 0x7f;
    x >>>= 7;
    if (x === 0) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

function sleb32(out: Sink, v: number): void {
  let x = v | 0;
  for (;;) {
    const byte = x & 0x7f;
    x >>= 7;
    if ((x === 0 && (byte & 0x40) === 0) || (x === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

/** Signed LEB128 of a 64-bit value. */
export function sleb64(out: Sink, v: bigint): void {
  let x = BigInt.asIntN(64, v);
  for (;;) {
    const byte = Number(x & 0x7fn);
    x >>= 7n;
    if ((x === 0n && (byte & 0x40) === 0) || (x === -1n && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

/** A section: id, then its contents prefixed by their length. */
function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  uleb(out, body.length);
  for (const b of body) out.push(b);
}

function name(out: number[], s: string): void {
  uleb(out, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

// ---- locals ----------------------------------------------------------------------------------

/** Local indexes: the parameters (entry, n, limit, the arena's length), then r0–r10, then the rest. */
const P_ENTRY = 0;
const P_N = 1;
const P_LIMIT = 2;
const L_LEN = 3;
const L_R0 = 4;
/**
 * The count's `n` less the limit (so a taken jump's budget check, `n + target > limit`, is a
 * compare with the constant −target); `n` is this plus L_LIMIT.
 */
const L_N = 15;
const L_LIMIT = 16;
const L_T = 17;
/**
 * Where the prologue leaves `len − size` for accesses of 1, 2, 4 and 8 bytes (the last arena
 * offset each may start at, i64) and the shadow's base (i32): read from memory by an access
 * off the window, so that they hold no machine register in a loop that does not need them.
 */
const HDR_LIMITS: Readonly<Record<number, number>> = { 1: 136, 2: 144, 4: 152, 8: 160 };
const HDR_SHADOW = 168;
/**
 * The window (memory.ts HDR_WINDOW): its first byte's guest address negated, and how many
 * offsets from it start a readable (writable) 8-byte access — an access in it needs one compare,
 * of `base + −start + off` (one x86 lea: a subtraction needed a copy and a sub, 3 % slower on
 * pkt_csum).
 */
const L_WG = 18;
const L_WR = 19;
const L_WW = 20;
/** The stack window (memory.ts HDR_STACK_WINDOW), the same three. */
const L_SG = 21;
const L_SR = 22;
const L_SW = 23;
const I64_LOCALS = 20; // r0–r10, n − limit, limit, t, the windows' three each
const L_PC = 24;
const L_A = 25;
const L_X = 26;
const I32_LOCALS = 3; // pc, a, x
/** A function body's local declarations: two groups, I64_LOCALS i64s and I32_LOCALS i32s. */
function localsDeclaration(): number[] {
  const fn: number[] = [];
  uleb(fn, 2);
  uleb(fn, I64_LOCALS);
  fn.push(I64);
  uleb(fn, I32_LOCALS);
  fn.push(I32);
  return fn;
}

/** The labels every function has, by level (0 outermost): see `functionBody`. */
const LV_EXIT = 0;
const LV_FALLBACK = 1;
const LV_BUDGET = 2;

/** The function body's code, with the level of each open label (branches name a label by level). */
class Body {
  /** `written`: the registers the module may write (writtenRegisters), which it stores back into the header. */
  constructor(readonly written = ALL_REGISTERS) {}
  readonly b = new ByteSink();
  /** Labels open (blocks, loops, ifs). */
  level = 0;
  /** Branch hints: byte offset of an `if` or `br_if` in the body, and 1 likely / 0 unlikely. */
  readonly hints: number[] = [];
  /** The next instruction (an `if` or `br_if`) is likely (1) or unlikely (0) taken. */
  hint(likely: 0 | 1): this {
    this.hints.push(this.b.length, likely);
    return this;
  }

  op(...codes: number[]): this {
    for (let i = 0; i < codes.length; i++) this.b.push(codes[i] ?? 0);
    return this;
  }
  get(l: number): this {
    this.b.push(W.local_get);
    uleb(this.b, l);
    return this;
  }
  set(l: number): this {
    this.b.push(W.local_set);
    uleb(this.b, l);
    return this;
  }
  tee(l: number): this {
    this.b.push(W.local_tee);
    uleb(this.b, l);
    return this;
  }
  i32(v: number): this {
    this.b.push(W.i32_const);
    sleb32(this.b, v);
    return this;
  }
  i64(v: bigint): this {
    this.b.push(W.i64_const);
    sleb64(this.b, v);
    return this;
  }
  /** A load or store with its memarg (alignment hint 0: any address is fine). */
  mem(code: number, offset: number): this {
    this.b.push(code);
    this.b.push(0);
    uleb(this.b, offset);
    return this;
  }
  open(code: number, type = VOID): this {
    this.b.push(code);
    this.b.push(type);
    this.level++;
    return this;
  }
  else(): this {
    this.b.push(W.else);
    return this;
  }
  end(): this {
    this.b.push(W.end);
    this.level--;
    return this;
  }
  /** Branch (conditional with `when`) to the label opened at `level`. */
  br(level: number, when = false): this {
    this.b.push(when ? W.br_if : W.br);
    uleb(this.b, this.level - 1 - level);
    return this;
  }
  /** Stops at `pc` for the interpreter. */
  fallbackAt(pc: number): this {
    return this.i32(pc).set(L_PC).br(LV_FALLBACK);
  }
}

/**
 * How the code of one instruction leaves the straight line: a taken jump (after the count
 * and budget), and an instruction the module hands to the interpreter in place (`escape`).
 */
interface Flow {
  /** Branch to `target` (the count already moved by the jump's delta, the budget checked). */
  jumpTo(w: Body, P: number, target: number): void;
  /** After an lddw at P whose second slot is an entry (jumped into): go on at P + 2. */
  overLddwTail(w: Body, P: number): void;
  /**
   * The instruction at P run by the interpreter: a call (helper, kfunc, BPF-to-BPF) when
   * `call`, else an access or atomic off the fast path, LD_ABS/IND or may_goto.
   */
  escape(w: Body, P: number, call: boolean): void;
}

/** The function index of the `step` import (imports come first). */
const F_STEP = 0;
/** The function index of the `field` import. */
const F_FIELD = 1;
/** The function index of the `call` import. */
const F_CALL = 2;
/** Imported functions: the module's own are numbered after them. */
const IMPORTED_FUNCTIONS = 3;
/** What `step` returns when the interpreter ran the instruction and stopped at the next one. */
const STEP_ON = -1;
/**
 * Returned by the module when the interpreter ended the run inside a `step` (added to its Stop
 * code): the VM's registers and count are the interpreter's, not the module's.
 */
const ENDED = 0x100;
/** A Stop code (returned by a WasmProgram): the module should be entered again at vm.pc. */
export const REENTER = -2;

/**
 * The instruction at P run by the interpreter in place (`step` import): the registers go to
 * the header, the interpreter runs it (a helper or kfunc with its callbacks, a BPF-to-BPF call
 * to its return, an atomic, a context access, …) and stops at P + 1; the module then reloads
 * the registers and the count and goes on. Any other end (an exit, a fault, the budget, a tail
 * call, a stop elsewhere) returns at once with ENDED added: the VM's state is the interpreter's.
 */
function escape(w: Body, P: number): void {
  callStep(w, P);
  goOnOrEnd(w);
}

/**
 * After `step` or `call` (its result on the stack): STEP_ON reloads the registers and the count
 * from the header and goes on; anything else ends the run with ENDED added.
 */
function goOnOrEnd(w: Body): void {
  w.tee(L_X).i32(STEP_ON).op(W.i32_ne).hint(0).open(W.if);
  w.get(L_X).i32(ENDED).op(W.i32_add, W.return);
  w.end();
  for (let r = 0; r <= 10; r++) w.i32(0).mem(W.i64_load, r * 8).set(L_R0 + r);
  w.i32(0).mem(W.f64_load, HDR_N).op(W.prefix_fc, TRUNC_SAT_F64_S).get(L_LIMIT).op(W.i64_sub).set(L_N);
  loadWindow(w);
}

/** The windows from the header (at entry and after each call: a helper may have moved one). */
function loadWindow(w: Body): void {
  w.i64(0n).i32(0).mem(W.i64_load, HDR_WINDOW).op(W.i64_sub).set(L_WG);
  w.i32(0).mem(W.i64_load32_u, HDR_WINDOW + 8).set(L_WR);
  w.i32(0).mem(W.i64_load32_u, HDR_WINDOW + 12).set(L_WW);
  w.i32(0).mem(W.i64_load, HDR_STACK_WINDOW).set(L_SG);
  w.i32(0).mem(W.i64_load32_u, HDR_STACK_WINDOW + 8).set(L_SR);
  w.i32(0).mem(W.i64_load32_u, HDR_STACK_WINDOW + 12).set(L_SW);
}

/** Every register r0–r10, as a mask. */
const ALL_REGISTERS = 0x7ff;

/**
 * The registers the module itself may write, a bit each: an instruction's dst, and an atomic's
 * source and r0 — all but stores, jumps, exits and calls, whose effects come back through the
 * header. The others hold the header's value all along, so the epilogue and the calls need not
 * store them back.
 */
export function writtenRegisters(ops: Int32Array, code: Int32Array, length: number): number {
  let mask = 0;
  for (let P = 0; P < length; P++) {
    const op = ops[P] ?? OP.INVALID;
    if (op === OP.INVALID || op === OP.JA || op === OP.EXIT || op === OP.CALL_HELPER || op === OP.CALL_KFUNC || op === OP.CALL_LOCAL) continue;
    if (wasmOpKind(op) === 'cond' || wasmAccessOf(op)?.kind === 'store') continue;
    mask |= 1 << ((code[P * STRIDE + 1] ?? 0) >> 1);
    if (op === OP.ATOMIC) mask |= 1 | (1 << ((code[P * STRIDE + 2] ?? 0) >> 1));
  }
  return mask & ALL_REGISTERS;
}

/** The registers the module wrote into the header (the others are there already). */
function storeRegisters(w: Body): void {
  for (let r = 0; r <= 10; r++) if ((w.written >> r) & 1) w.i32(0).get(L_R0 + r).mem(W.i64_store, r * 8);
}

/** The registers into the header, then `step(P, n)`: its result on the stack. */
function callStep(w: Body, P: number): void {
  storeRegisters(w);
  w.i32(P).get(L_N).get(L_LIMIT).op(W.i64_add, W.f64_convert_i64_s, W.call);
  uleb(w.b, F_STEP);
}

/**
 * A helper or kfunc call at P (its call site `site`, Vm.calls) made by the module through the
 * `call` import, which does what the interpreter's CALL_HELPER case does without the
 * interpreter: the registers go through the header, and the module goes on after it or the
 * run ends there (a fault, a tail call, the budget; REENTER when the arena moved).
 */
function callDirect(w: Body, P: number, site: number): void {
  storeRegisters(w);
  w.i32(site).i32(P).get(L_N).get(L_LIMIT).op(W.i64_add, W.f64_convert_i64_s, W.call);
  uleb(w.b, F_CALL);
  goOnOrEnd(w);
}

/**
 * The instruction at P run by the interpreter, and the module's run ends there: REENTER (the
 * Vm enters the module again after it, at P + 1) or the interpreter's Stop, with ENDED added.
 * Nothing of the module is live across the call, which keeps a loop's registers in machine
 * registers where the fast path of an access is the only one taken.
 */
function escapeAndLeave(w: Body, P: number): void {
  callStep(w, P);
  w.tee(L_X).i32(STEP_ON).op(W.i32_eq).open(W.if, I32).i32(REENTER).else().get(L_X).end();
  w.i32(ENDED).op(W.i32_add, W.return);
}

/**
 * Branches to `refused` unless each of the `size` bytes at arena offset L_A has every bit of
 * `perm` in the shadow, read as one number (loads, stores and atomics alike).
 */
function refuseWithout(w: Body, perm: number, size: number, refused: number): void {
  w.get(L_A).i32(0).mem(W.i32_load, HDR_SHADOW).op(W.i32_add);
  if (size === 8) {
    const mask = BigInt(perm) * 0x0101010101010101n;
    w.mem(W.i64_load, 0).i64(mask).op(W.i64_and).i64(mask).op(W.i64_ne);
  } else {
    const mask = perm * (size === 1 ? 1 : size === 2 ? 0x0101 : 0x01010101);
    w.mem(size === 1 ? W.i32_load8_u : size === 2 ? W.i32_load16_u : W.i32_load, 0).i32(mask).op(W.i32_and).i32(mask).op(W.i32_ne);
  }
  w.hint(0).br(refused, true);
}

/**
 * An atomic read-modify-write (the interpreter's Vm.atomic): `code & 7` add, or, and, xor, xchg,
 * cmpxchg, `code & 8` fetch; 4 or 8 bytes at `d` + off. The interpreter takes it unless the base's
 * upper half is the arena's, the lower half plus off (not wrapped, as Vm.atomic adds it) lies in
 * the arena, and every byte is readable and writable — stricter than Vm.atomic, which asks each
 * byte for either permission, so whatever this refuses the interpreter decides as ever.
 */
function atomic(w: Body, P: number, d: number, s: number, off: number, code: number, size: number, flow: Flow): void {
  const base = L_R0 + (d >> 1);
  const src = L_R0 + (s >> 1);
  const kind = code & 7;
  const wide = size === 8;
  const ok = w.level;
  w.open(W.block);
  const refused = w.level;
  w.open(W.block);
  w.get(base).i64(32n).op(W.i64_shr_u, W.i32_wrap_i64).i32(GUEST_BASE_HI | 0).op(W.i32_ne).hint(0).br(refused, true);
  w.get(base).i64(0xffff_ffffn).op(W.i64_and).i64(BigInt(off)).op(W.i64_add).tee(L_T);
  w.i32(0).mem(W.i64_load, HDR_LIMITS[size] ?? 0).op(W.i64_gt_u).hint(0).br(refused, true);
  w.get(L_T).op(W.i32_wrap_i64).set(L_A);
  refuseWithout(w, PERM_READ | PERM_WRITE, size, refused);
  // The old value (zero-extended for 4 bytes) in L_T; the new one stored (its low half for 4).
  w.get(L_A).mem(wide ? W.i64_load : W.i64_load32_u, ARENA).set(L_T);
  w.get(L_A);
  if (kind === 5) {
    // cmpxchg: the source where the old value equals r0 (its low half for 4 bytes), else the old
    // value again; r0 gets the old value either way.
    if (wide) w.get(L_T).get(L_R0).op(W.i64_eq);
    else w.get(L_T).op(W.i32_wrap_i64).get(L_R0).op(W.i32_wrap_i64).op(W.i32_eq);
    w.open(W.if, I64).get(src).else().get(L_T).end();
    w.mem(wide ? W.i64_store : W.i64_store32, ARENA);
  } else {
    if (kind === 4) w.get(src);
    else w.get(L_T).get(src).op(kind === 0 ? W.i64_add : kind === 1 ? W.i64_or : kind === 2 ? W.i64_and : W.i64_xor);
    w.mem(wide ? W.i64_store : W.i64_store32, ARENA);
  }
  if (kind === 5) w.get(L_T).set(L_R0);
  else if ((code & 8) !== 0) w.get(L_T).set(src);
  w.br(ok);
  w.end();
  // Not the fast path's: the interpreter takes it (and faults where it must).
  flow.escape(w, P, false);
  w.end();
}

/** The value of a source slot as an i64 (a register, or a constant of the template) on the stack. */
function src64(w: Body, regs: Int32Array, s: number): void {
  if (s >= REG_INTS) w.i64((BigInt(regs[s + 1] ?? 0) << 32n) | BigInt((regs[s] ?? 0) >>> 0));
  else w.get(L_R0 + (s >> 1));
}

function src32(w: Body, regs: Int32Array, s: number): void {
  if (s >= REG_INTS) w.i32(regs[s] ?? 0);
  else w.get(L_R0 + (s >> 1)).op(W.i32_wrap_i64);
}

/**
 * Handlers the module runs whatever the operands: every ALU handler and jump condition of the
 * definitions (engine/isa/ops.ts, lowered by wasm-ops.ts), lddw, ja and exit; loads and stores
 * where the fast path takes them; the rest it hands to the interpreter.
 */
const RUNS = new Set<number>([...Object.values(OP).filter((op) => wasmOpKind(op) !== undefined), OP.LDDW, OP.JA, OP.EXIT]);

/**
 * Where control can enter the function: pc 0, jump and call targets, the instruction after
 * each call, the end; the instruction after each one it may hand to the interpreter (an
 * atomic, LD_ABS/IND, may_goto, a load or store: where the interpreter hands back); and after
 * an lddw whose second slot is an entry (the lddw jumps over it).
 */
export function wasmEntryPoints(ops: Int32Array, cfg: Cfg): Set<number> {
  return entryPoints(cfg, (pc) => {
    const op = ops[pc] ?? OP.INVALID;
    return op !== OP.INVALID && !RUNS.has(op);
  });
}

/**
 * The entries at which the interpreter, running for this tier, stops to hand back to the
 * module (Vm patches OP.ENTRY there): every entry that holds an instruction — the one after
 * an instruction the module runs in the interpreter (`escape`) above all, so the interpreter
 * stops right after it, even when that is another such instruction. Ascending.
 */
export function wasmHandBackPoints(ops: Int32Array, cfg: Cfg): number[] {
  if (cfg.length > MAX_WASM_INSNS) return [];
  return [...wasmEntryPoints(ops, cfg)].filter((pc) => pc < cfg.length && (ops[pc] ?? OP.INVALID) !== OP.INVALID).sort((a, b) => a - b);
}

/**
 * Pushes whether an access at the address `pushBase` pushes, plus `add`, lies in the window (or
 * the stack window) with the permission: `address − start < count + slack`, where the header's
 * count is of the offsets an 8-byte access may start at, and an access of `size` bytes may start
 * 8 − size further on (`slack`: 0, or 8 − size where the caller has made sure the count is not 0). Both windows'
 * starts and counts are locals, loaded with the registers (`loadWindow`): read from the header at
 * each access instead, a stack access cost two loads that V8 cannot hoist past the loop's stores
 * (stack_bubblesort about 1,900 against 2,150 M instructions/s).
 */
function inWindow(w: Body, pushBase: () => void, add: bigint, store: boolean, stack: boolean, slack = 0): void {
  pushBase();
  w.get(stack ? L_SG : L_WG);
  w.op(W.i64_add);
  if (add !== 0n) w.i64(add).op(W.i64_add);
  windowCount(w, store, stack);
  if (slack !== 0) w.i64(BigInt(slack)).op(W.i64_add);
  w.op(W.i64_lt_u);
}

/** Pushes the window's (or the stack window's) count of offsets an 8-byte load (store) may start at. */
function windowCount(w: Body, store: boolean, stack: boolean): void {
  w.get(stack ? (store ? L_SW : L_SR) : store ? L_WW : L_WR);
}

/** The instruction at `P` into `w` (straight-line code that falls through to P + 1 unless it branches). */
function instruction(w: Body, P: number, op: number, ops: Int32Array, code: Int32Array, regs: Int32Array, labels: ReadonlySet<number>, flow: Flow, ranged?: CountedLoop['ranged']): void {
  const b = P * STRIDE;
  const d = code[b + 1] ?? 0;
  const s = code[b + 2] ?? 0;
  const off = code[b + 3] ?? 0;
  const imm = code[b + 4] ?? 0;
  const aux = code[b + 5] ?? 0;
  const delta = code[b + 6] ?? 0;
  const D = L_R0 + (d >> 1);
  const jump = (): void => {
    // n += delta; past the budget at the target: stop there (Stop.Budget), else branch.
    w.get(L_N).i64(BigInt(delta)).op(W.i64_add).tee(L_N).i64(BigInt(-aux)).op(W.i64_gt_s).hint(0).open(W.if);
    w.i32(aux).set(L_PC).br(LV_BUDGET);
    w.end();
    flow.jumpTo(w, P, aux);
  };

  const operands = { dst: D, src64: () => src64(w, regs, s), src32: () => src32(w, regs, s), imm, scratch32: L_X };
  const kind = wasmOpKind(op);
  if (kind !== undefined) {
    // The definition of the handler (engine/isa/ops.ts), lowered onto the locals.
    emitWasmOp(w, op, operands);
    if (kind === 'cond') {
      w.open(W.if);
      jump();
      w.end();
    }
    return;
  }
  if (op === OP.ATOMIC) {
    atomic(w, P, d, s, off, imm, aux, flow);
    return;
  }
  const def = wasmAccessOf(op);
  if (def !== undefined) {
    const load = def.kind === 'load';
    const size = def.size;
    const base = L_R0 + ((load ? s : d) >> 1);
    // The access at the arena offset on the stack, from its definition.
    const access_ = (): void => {
      emitWasmAccess(w, def, operands, ARENA);
      if (load) w.set(D);
    };
    // In a window, the arena offset is the guest address's lower half.
    const inWindowAccess = (): void => {
      w.get(base).op(W.i32_wrap_i64).i32(off).op(W.i32_add);
      access_();
    };
    if (ranged?.has(P)) {
      // A counted loop's fast copy: its entry found every iteration's address in the window.
      inWindowAccess();
      return;
    }
    const ok = w.level;
    w.open(W.block);
    const refused = w.level;
    w.open(W.block); // refused: the interpreter takes the instruction
    // Inside the window (the packet or input a loop walks, memory.ts), or the stack window where
    // the base seems to come from r10: its bytes all have the permission, and the 64-bit sum is
    // the address the interpreter finds, so one compare decides. The arena offset is then the
    // sum's lower half (the guest address's), added in 32 bits.
    inWindow(w, () => w.get(base), BigInt(off), !load, fromFramePointer(ops, code, P, (load ? s : d) >> 1));
    w.hint(1).open(W.if);
    inWindowAccess();
    w.br(ok);
    w.end();
    // The arena offset in 64 bits: the address less the arena's base, at most len − size.
    // The interpreter's fast path asks for the upper half to be the arena's and wraps the lower
    // half's sum. Where the two differ: a sum that carries out of an arena address is refused
    // here (the interpreter decides); one that carries into the arena from the half below is
    // the arena address its slow path finds, adding in 64 bits as this does.
    w.get(base).i64(BigInt.asIntN(64, BigInt(off) - (BigInt(GUEST_BASE_HI >>> 0) << 32n))).op(W.i64_add).tee(L_T);
    w.i32(0).mem(W.i64_load, HDR_LIMITS[size] ?? 0).op(W.i64_gt_u).hint(0).br(refused, true);
    w.get(L_T).op(W.i32_wrap_i64).set(L_A);
    // Every byte's permission, read as one number: the interpreter checks the first and the
    // last byte; asking more only sends an access to the interpreter, which decides as ever.
    refuseWithout(w, load ? PERM_READ : PERM_WRITE, size, refused);
    w.get(L_A);
    access_();
    w.br(ok);
    w.end();
    if (op === OP.LDXW) {
      // A context field from the table the last slow load found (the interpreter's own path for a
      // 4-byte load off the fast path, Vm.fieldStart…): the `field` import leaves it in the header.
      // A context is read at every run of most programs; stepping out for it cost a round trip.
      w.get(base).i64(32n).op(W.i64_shr_u, W.i32_wrap_i64).i32(GUEST_BASE_HI | 0).op(W.i32_eq).open(W.if);
      w.get(base).op(W.i32_wrap_i64).i32(off).op(W.i32_add, W.call);
      uleb(w.b, F_FIELD);
      w.open(W.if);
      w.i32(0).mem(W.i64_load, HDR_FIELD).set(D);
      w.br(ok);
      w.end();
      w.end();
    }
    // Not the fast path's: the interpreter takes the access (a context, a fault, …).
    flow.escape(w, P, false);
    w.end();
    return;
  }
  switch (op) {
    case OP.LDDW: {
      // The value the loader resolved (a map's address for the pseudo forms), as the interpreter loads it.
      w.i64((BigInt(aux) << 32n) | BigInt(imm >>> 0)).set(D);
      // One instruction in two slots: it counts once.
      w.get(L_N).i64(1n).op(W.i64_sub).set(L_N);
      // A jump into the second slot makes it an entry (whose code is the interpreter's fault): go over it.
      if (labels.has(P + 1)) flow.overLddwTail(w, P);
      return;
    }
    case OP.JA:
      jump();
      return;
    case OP.EXIT:
      // Only the main program's exit: the tier runs at depth 0 and makes no calls.
      w.get(L_N).i64(BigInt(P + 1)).op(W.i64_add).set(L_N);
      w.i32(-1).set(L_PC).i32(Stop.Exit).set(L_X).br(LV_EXIT);
      return;
    default: {
      // Invalid slots and the end: the interpreter's fault. BPF-to-BPF calls, LD_ABS/LD_IND,
      // may_goto: the interpreter runs them in place (see RUNS); helpers and kfuncs: `call`.
      if (op === OP.INVALID) w.fallbackAt(P);
      else if (op === OP.CALL_HELPER || op === OP.CALL_KFUNC) callDirect(w, P, aux);
      else flow.escape(w, P, op === OP.CALL_LOCAL);
    }
  }
}

/**
 * A counted loop's fast copy (wasm-loops.ts), where control comes to its header from before it:
 * `block $checked { the entry's tests; loop { the body, window checks of the ranged accesses
 * left out; the latch, counting without the budget's test } br $done }`, then the loop as ever.
 * `done`: the level of the block the caller opened, which ends right after the loop.
 */
function fastLoop(w: Body, loop: CountedLoop, done: number, ops: Int32Array, code: Int32Array, regs: Int32Array, labels: ReadonlySet<number>, flow: Flow): void {
  const { header, latch, iv, step, bound } = loop;
  const IV = L_R0 + iv;
  const up = step > 0n;
  const pushBound = (): void => void ('reg' in bound ? w.get(L_R0 + bound.reg) : w.i64(bound.value));
  w.open(W.block);
  const checked = w.level - 1;
  if ('reg' in bound && (up || loop.inclusive || loop.signed)) {
    // Counting up to a register, or comparing signed: below 2⁶² (unsigned), so that iv + step
    // cannot wrap on the way and the signed order is the unsigned one's near it. Counting down
    // to one with unsigned `>=`: not 0, which every value is at least.
    pushBound();
    if (up || loop.signed) w.i64(1n << 62n).op(W.i64_ge_u);
    else w.op(W.i64_eqz);
    w.hint(0).br(checked, true);
  }
  // The distance D (see CountedLoop.inclusive); T − 1 = ⌈D / |step|⌉ − 1 = ⌊(D − 1) / |step|⌋ into L_T,
  // where 1 ≤ D ≤ 2³¹ (else the loop as ever: it has not started, or runs too long to ask here).
  const pushStart = (): void => {
    w.get(IV);
    if (loop.lead !== 0n) w.i64(loop.lead).op(W.i64_add);
  };
  if (up) {
    pushBound();
    pushStart();
    w.op(W.i64_sub);
  } else {
    pushStart();
    pushBound();
    w.op(W.i64_sub);
  }
  if (!loop.inclusive) w.i64(1n).op(W.i64_sub);
  w.tee(L_T).i64(1n << 31n).op(W.i64_ge_u).hint(0).br(checked, true);
  const magnitude = up ? step : -step;
  if (magnitude !== 1n) {
    const shift = (magnitude & (magnitude - 1n)) === 0n ? magnitude.toString(2).length - 1 : -1;
    w.get(L_T);
    if (shift >= 0) w.i64(BigInt(shift)).op(W.i64_shr_u);
    else w.i64(magnitude).op(W.i64_div_u);
    w.set(L_T);
  }
  // The budget at the last back edge (the count only grows): n + (T − 1) × delta + header ≤ limit.
  w.get(L_N).get(L_T).i64(BigInt(loop.delta)).op(W.i64_mul, W.i64_add).i64(BigInt(-header)).op(W.i64_gt_s).hint(0).br(checked, true);
  // Each ranged access's first and last address in the window (memory.ts): the ones between step
  // evenly. The window's counts are of offsets an 8-byte access may start at (0 without the
  // permission); one of `size` bytes may start up to 8 − size further on, which a loop reading to
  // the packet's last byte needs.
  const ranged = [...loop.ranged.values()];
  for (const stack of [false, true]) {
    for (const store of [false, true]) {
      if (!ranged.some((a) => a.stack === stack && a.store === store)) continue;
      windowCount(w, store, stack);
      w.op(W.i64_eqz).hint(0).br(checked, true);
    }
  }
  const asked = new Set<string>();
  for (const a of ranged) {
    const key = `${a.base} ${a.moves} ${a.add} ${a.store} ${a.stack} ${a.size}`;
    if (asked.has(key)) continue;
    asked.add(key);
    for (const last of a.moves ? [false, true] : [false]) {
      // The address: base (or 0) + iv at the first iteration (+ (T − 1) × step at the last) + add.
      const address = (): void => {
        if (a.base >= 0) w.get(L_R0 + a.base);
        if (a.moves) {
          w.get(IV);
          if (a.base >= 0) w.op(W.i64_add);
        }
        if (last) w.get(L_T).i64(step).op(W.i64_mul, W.i64_add);
      };
      inWindow(w, address, a.add, a.store, a.stack, 8 - a.size);
      w.op(W.i32_eqz).hint(0).br(checked, true);
    }
  }
  w.open(W.loop);
  const top = w.level - 1;
  for (let P = header; P < latch; P++) instruction(w, P, ops[P] ?? OP.INVALID, ops, code, regs, labels, flow, loop.ranged);
  const b = latch * STRIDE;
  const s = code[b + 2] ?? 0;
  emitWasmOp(w, ops[latch] ?? OP.INVALID, { dst: L_R0 + loop.compared, src64: () => src64(w, regs, s), src32: () => src32(w, regs, s), imm: code[b + 4] ?? 0, scratch32: L_X });
  w.open(W.if);
  w.get(L_N).i64(BigInt(loop.delta)).op(W.i64_add).set(L_N).br(top);
  w.end();
  w.end(); // the loop
  w.br(done);
  w.end(); // $checked
}

/**
 * Whether the WebAssembly tier pays for a program (the 'auto' tier): one with a loop whose body
 * the module runs alone — no call, LD_ABS/IND or may_goto in it, each a round trip to
 * JavaScript that costs more here than in the compiled tier — and one the compiled tier would
 * leave to the interpreter (`compiles`: whether it compiles it, compile.ts MAX_COMPILED_SOURCE;
 * asked only when the loops do not decide). A program without a loop runs a few dozen
 * instructions; the compiled tier's cheaper entry and calls win there (the NIC's programs).
 */
export function wasmPays(ops: Int32Array, code: Int32Array, cfg: Cfg, compiles: () => boolean): boolean {
  const length = cfg.length;
  if (typeof WebAssembly === 'undefined' || length > MAX_WASM_INSNS) return false;
  return loopsRunAlone(ops, code, length) || !compiles();
}

/** Whether the program has a loop and every loop's body runs in the module alone. */
function loopsRunAlone(ops: Int32Array, code: Int32Array, length: number): boolean {
  let loop = false;
  for (let P = 0; P < length; P++) {
    if (!isJump(ops[P] ?? OP.INVALID)) continue;
    const t = code[P * STRIDE + 5] ?? 0;
    if (t < 0 || t > P) continue;
    for (let i = t; i <= P; i++) if (!RUNS.has(ops[i] ?? OP.INVALID) && wasmAccessOf(ops[i] ?? -1) === undefined && ops[i] !== OP.ATOMIC && ops[i] !== OP.INVALID) return false;
    loop = true;
  }
  return loop;
}

/** A program's module. */
export interface WasmModule {
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Per pc: 0 no entry, 1 an entry of `run` (the dispatch function), 3 of `run0` (the structured one) too. */
  readonly entries: Uint8Array;
  /** Whether the module has the structured function `run0`. */
  readonly structured: boolean;
}

/** Whether the handler is a jump whose target the CFG structure must reach (ja and the conditional ones). */
function isJump(op: number): boolean {
  return op === OP.JA || wasmOpKind(op) === 'cond';
}

/** A block (a forward jump's target is its end) or a loop (a backward jump's target is its start). */
interface Construct {
  readonly loop: boolean;
  start: number;
  end: number;
  /** The label's level once opened. */
  level: number;
}

/** More constructs than this: the structure is not attempted (the search is quadratic). */
const MAX_CONSTRUCTS = 2_000;

/**
 * Structured control flow for the program entered at pc 0, from the jumps in program order:
 * one `block` per forward target (it ends at the target and opens at or before the earliest
 * jump to it) and one `loop` per backward target (it starts at the target and ends after the
 * last jump back). Blocks may open earlier and loops end later without changing what the code
 * does; that is how crossing intervals are nested. A block that opens before a loop and ends
 * inside it is a jump into the loop's body past its header — an irreducible CFG (or a layout
 * this does not untangle): undefined, and the program runs through the dispatch function.
 * `valid(t)`: a target code can be at (not past the end, not the second slot of an lddw).
 * `entries`: pcs besides 0 the function can be entered at, through a br_table before pc 0.
 */
export function structure(ops: Int32Array, code: Int32Array, length: number, valid: (t: number) => boolean, entries: readonly number[] = []): Construct[] | undefined {
  const blocks = new Map<number, Construct>();
  const loops = new Map<number, Construct>();
  // The entries past pc 0: a forward jump each from the prelude's br_table (position −1).
  for (const e of entries) if (e > 0 && valid(e)) blocks.set(e, { loop: false, start: -1, end: e, level: -1 });
  for (let P = 0; P < length; P++) {
    if (!isJump(ops[P] ?? OP.INVALID)) continue;
    const t = code[P * STRIDE + 5] ?? 0;
    if (t === P + 1 || !valid(t)) continue;
    if (t > P) {
      const c = blocks.get(t);
      if (c) c.start = Math.min(c.start, P);
      else blocks.set(t, { loop: false, start: P, end: t, level: -1 });
    } else {
      const c = loops.get(t);
      if (c) c.end = Math.max(c.end, P + 1);
      else loops.set(t, { loop: true, start: t, end: P + 1, level: -1 });
    }
  }
  const all = [...blocks.values(), ...loops.values()];
  if (all.length > MAX_CONSTRUCTS) return undefined;
  for (let changed = true, rounds = 0; changed; rounds++) {
    if (rounds > 4 * all.length + 8) return undefined;
    changed = false;
    for (const x of all) {
      for (const y of all) {
        // x opens first and y ends last, and they overlap without nesting.
        if (!(x.start < y.start && y.start < x.end && x.end < y.end)) continue;
        if (x.loop && y.loop) x.end = y.end;
        else if (!x.loop && !y.loop) y.start = x.start;
        else if (x.loop) y.start = x.start; // a block from inside a loop to past its end: it encloses the loop
        else return undefined; // a block from before a loop into its body: irreducible here
        changed = true;
      }
    }
  }
  return all;
}

/** The outer labels of both functions: `block $exit { block $fallback { block $budget { … } } }`. */
function openOuter(w: Body): void {
  w.open(W.block).open(W.block).open(W.block);
}

/** Closes the outer labels: the budget stop, the fallback, then the epilogue (registers, count and pc back into the header). */
function closeOuter(w: Body): void {
  w.op(W.unreachable).end(); // $budget
  w.i32(Stop.Budget).set(L_X).br(LV_EXIT).end(); // $fallback
  w.i32(FALLBACK).set(L_X).end(); // $exit
  storeRegisters(w);
  w.i32(0).get(L_N).get(L_LIMIT).op(W.i64_add, W.f64_convert_i64_s).mem(W.f64_store, HDR_N);
  w.i32(0).get(L_PC).mem(W.i32_store, HDR_PC);
  w.get(L_X).op(W.end);
}

/** Registers, count, limit and the shadow's base into locals. */
function prologue(w: Body): void {
  for (let r = 0; r <= 10; r++) w.i32(0).mem(W.i64_load, r * 8).set(L_R0 + r);
  w.get(P_N).op(W.prefix_fc, TRUNC_SAT_F64_S);
  w.get(P_LIMIT).op(W.prefix_fc, TRUNC_SAT_F64_S).tee(L_LIMIT).op(W.i64_sub).set(L_N);
  w.i32(0).get(L_LEN).i32(ARENA).op(W.i32_add).mem(W.i32_store, HDR_SHADOW);
  for (const size of [1, 2, 4, 8]) w.i32(0).get(L_LEN).i32(size).op(W.i32_sub, W.i64_extend_i32_u).mem(W.i64_store, HDR_LIMITS[size] ?? 0);
  loadWindow(w);
  w.get(P_ENTRY).set(L_PC);
}

/** Whether pc is the second slot of an lddw (no code of its own). */
function lddwTail(ops: Int32Array, pc: number, length: number): boolean {
  return pc > 0 && pc < length && ops[pc] === OP.INVALID && ops[pc - 1] === OP.LDDW;
}

/**
 * The function entered anywhere: a loop around a br_table over the entry points (pc 0, jump
 * targets, call returns, the instruction after each escape, the end). Each entry opens a
 * block; a taken jump sets $pc and branches to the loop, straight-line code falls through from
 * one block into the next. Any CFG works.
 */
function dispatchBody(ops: Int32Array, code: Int32Array, regs: Int32Array, length: number, labels: ReadonlySet<number>, written: number): Body {
  const starts = [...labels].filter((pc) => pc >= 0 && pc <= length).sort((a, b) => a - b);
  const k = starts.length - 1;
  const w = new Body(written);
  prologue(w);
  openOuter(w);
  w.open(W.loop);
  const top = w.level - 1;
  const flow: Flow = {
    jumpTo: (b, _P, target) => void b.i32(target).set(L_PC).br(top),
    overLddwTail: (b, P) => void b.i32(P + 2).set(L_PC).br(top),
    escape: (b, P) => escape(b, P),
  };
  for (let i = 0; i <= k; i++) w.open(W.block); // B_k … B_0
  w.open(W.block); // not an entry
  w.get(L_PC).op(W.br_table);
  const entryIndex = new Map<number, number>();
  starts.forEach((pc, i) => entryIndex.set(pc, i));
  uleb(w.b, length + 1);
  for (let pc = 0; pc <= length; pc++) {
    const i = entryIndex.get(pc);
    uleb(w.b, i === undefined ? 0 : i + 1);
  }
  uleb(w.b, 0);
  w.end();
  // $pc is no entry: the interpreter goes on from it.
  w.br(LV_FALLBACK);
  for (let i = 0; i <= k; i++) {
    w.end(); // B_i: the code of the segment [starts[i], starts[i + 1]) follows
    const from = starts[i] ?? length;
    const to = starts[i + 1] ?? length + 1;
    for (let P = from; P < to; P++) {
      const op = P < length ? (ops[P] ?? OP.INVALID) : OP.INVALID;
      // The second slot of an lddw: skipped by the lddw, and an entry's fault otherwise.
      if (P > from && lddwTail(ops, P, length)) continue;
      instruction(w, P, op, ops, code, regs, labels, flow);
    }
  }
  w.end(); // the loop
  closeOuter(w);
  return w;
}

/**
 * The function entered at pc 0 only, with the program's own loops and blocks (`structure`):
 * a taken jump is a branch to its block's end or its loop's start, so the engine sees the
 * loops. A jump the structure does not hold (past the end, into an lddw) stops for the interpreter.
 */
function structuredBody(ops: Int32Array, code: Int32Array, regs: Int32Array, length: number, labels: ReadonlySet<number>, constructs: readonly Construct[], written: number): Body {
  const w = new Body(written);
  const opening = new Map<number, Construct[]>();
  const blockAt = new Map<number, Construct>();
  const loopAt = new Map<number, Construct>();
  for (const c of constructs) {
    const list = opening.get(c.start) ?? [];
    list.push(c);
    opening.set(c.start, list);
    (c.loop ? loopAt : blockAt).set(c.loop ? c.start : c.end, c);
  }
  // Outermost first: the later end; a loop before a block that ends with it.
  for (const list of opening.values()) list.sort((a, b) => b.end - a.end || (a.loop === b.loop ? 0 : a.loop ? -1 : 1));
  // Counted loops (wasm-loops.ts): loops no other construct starts or ends inside.
  const counted = new Map<Construct, CountedLoop>();
  for (const c of constructs) {
    if (!c.loop || constructs.some((x) => x !== c && ((x.start > c.start && x.start < c.end) || (x.end > c.start && x.end < c.end)))) continue;
    const loop = countedLoop(ops, code, regs, c.start, c.end - 1);
    if (loop) counted.set(c, loop);
  }
  const flow: Flow = {
    jumpTo: (b, P, target) => {
      if (target === P + 1) return;
      const c = target > P ? blockAt.get(target) : loopAt.get(target);
      if (c === undefined || c.level < 0) b.fallbackAt(target);
      else b.br(c.level);
    },
    // No jump into the second slot is structured (it is not a valid target): nothing to skip.
    overLddwTail: () => undefined,
    // Calls go on in place; the rest leaves (see escapeAndLeave).
    escape: (b, P, call) => (call ? escape(b, P) : escapeAndLeave(b, P)),
  };
  prologue(w);
  openOuter(w);
  const open: Construct[] = [];
  // The prelude: the blocks of the entries past pc 0, and a br_table to them on $entry.
  const entryBlocks = (opening.get(-1) ?? []).filter((c) => !c.loop);
  for (const c of entryBlocks) {
    w.open(W.block);
    c.level = w.level - 1;
    open.push(c);
  }
  if (entryBlocks.length > 0) {
    w.open(W.block); // pc 0 (and any pc that is no entry: the wrapper never asks for one)
    w.get(P_ENTRY).op(W.br_table);
    uleb(w.b, length + 1);
    for (let pc = 0; pc <= length; pc++) {
      const c = pc > 0 ? blockAt.get(pc) : undefined;
      uleb(w.b, c !== undefined && c.start === -1 ? w.level - 1 - c.level : 0);
    }
    uleb(w.b, 0);
    w.end();
  }
  for (let p = 0; p <= length; p++) {
    while (open.length > 0 && open[open.length - 1]?.end === p) {
      w.end();
      const c = open.pop();
      if (c) c.level = -1;
    }
    for (const c of opening.get(p) ?? []) {
      const loop = counted.get(c);
      if (loop) {
        // Its fast copy first, in a block that ends with the loop (closed with it, below).
        w.open(W.block);
        const done: Construct = { loop: false, start: p, end: c.end, level: w.level - 1 };
        open.push(done);
        fastLoop(w, loop, done.level, ops, code, regs, labels, flow);
      }
      w.open(c.loop ? W.loop : W.block);
      c.level = w.level - 1;
      open.push(c);
    }
    if (p === length) {
      w.fallbackAt(length);
      break;
    }
    if (lddwTail(ops, p, length)) continue;
    instruction(w, p, ops[p] ?? OP.INVALID, ops, code, regs, labels, flow);
  }
  closeOuter(w);
  return w;
}

/**
 * The WebAssembly module of a program (`ops`: each slot's handler without superinstructions
 * or traps; `code`: the pre-decoded slots; `regs`: the register file template with the
 * constants), and its entry points. It exports `run` (the dispatch function, any entry) and,
 * when the program's CFG could be structured, `run0` (entered at pc 0).
 */
export function wasmModuleBytes(ops: Int32Array, code: Int32Array, regs: Int32Array, cfg: Cfg): WasmModule {
  const length = cfg.length;
  const labels = wasmEntryPoints(ops, cfg);
  const written = writtenRegisters(ops, code, length);
  const bodies = [dispatchBody(ops, code, regs, length, labels, written)];
  const valid = (t: number): boolean => t >= 0 && t <= length && !lddwTail(ops, t, length);
  // The structured function's entries past pc 0: every entry of the dispatch function outside
  // all loops (where the Vm enters again after an instruction the interpreter ran), when the
  // structure holds with them; else pc 0 alone.
  let constructs = structure(ops, code, length, valid);
  let structuredEntries: number[] = [];
  if (constructs) {
    const loops = constructs.filter((c) => c.loop);
    const candidates = [...labels].filter((pc) => pc > 0 && pc < length && !loops.some((c) => c.start <= pc && pc < c.end)).sort((a, b) => a - b);
    const withEntries = candidates.length > 0 ? structure(ops, code, length, valid, candidates) : undefined;
    if (withEntries) {
      constructs = withEntries;
      structuredEntries = candidates;
    }
  }
  if (constructs) bodies.push(structuredBody(ops, code, regs, length, labels, constructs, written));

  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  // type 0: run (i32 entry, f64 n, f64 limit, i32 len) -> i32; type 1: step (i32 pc, f64 n) -> i32;
  // type 2: field (i32 address's lower half) -> i32; type 3: call (i32 site, i32 pc, f64 n) -> i32
  section(out, 1, [4, 0x60, 4, I32, F64, F64, I32, 1, I32, 0x60, 2, I32, F64, 1, I32, 0x60, 1, I32, 1, I32, 0x60, 3, I32, I32, F64, 1, I32]);
  const imports: number[] = [1 + IMPORTED_FUNCTIONS];
  name(imports, 'env');
  name(imports, 'mem');
  imports.push(0x02, 0x00, 1); // memory, limits: min 1 page
  name(imports, 'env');
  name(imports, 'step');
  imports.push(0x00, 1); // function of type 1
  name(imports, 'env');
  name(imports, 'field');
  imports.push(0x00, 2); // function of type 2
  name(imports, 'env');
  name(imports, 'call');
  imports.push(0x00, 3); // function of type 3
  section(out, 2, imports);
  section(out, 3, [bodies.length, ...bodies.map(() => 0)]);
  const exports: number[] = [bodies.length];
  name(exports, 'run');
  exports.push(0x00, IMPORTED_FUNCTIONS);
  if (bodies.length > 1) {
    name(exports, 'run0');
    exports.push(0x00, IMPORTED_FUNCTIONS + 1);
  }
  section(out, 7, exports);
  if (bodies.some((w) => w.hints.length > 0)) {
    // metadata.code.branch_hint (the branch hinting proposal, standard since 2024): per function,
    // each hinted branch's offset from the body's start (its local declarations included), size
    // 1, and the hint. Before the code section, so that an engine has it when it compiles.
    const localsLength = localsDeclaration().length;
    const hintBody: number[] = [];
    name(hintBody, 'metadata.code.branch_hint');
    const hinted = bodies.map((w, i) => [i, w] as const).filter(([, w]) => w.hints.length > 0);
    uleb(hintBody, hinted.length);
    for (const [i, w] of hinted) {
      uleb(hintBody, IMPORTED_FUNCTIONS + i);
      uleb(hintBody, w.hints.length / 2);
      for (let k = 0; k < w.hints.length; k += 2) {
        uleb(hintBody, (w.hints[k] ?? 0) + localsLength);
        hintBody.push(1, w.hints[k + 1] ?? 0);
      }
    }
    section(out, 0, hintBody);
  }
  // The code section: its bodies (a large program's are megabytes) copied in with one `set`
  // each, where pushing them byte by byte into arrays took most of the module's making.
  const heads = bodies.map((w) => {
    const fn = localsDeclaration();
    const size: number[] = [];
    uleb(size, fn.length + w.b.length);
    return [...size, ...fn];
  });
  const count: number[] = [];
  uleb(count, bodies.length);
  const contents = count.length + bodies.reduce((sum, w, i) => sum + (heads[i]?.length ?? 0) + w.b.length, 0);
  out.push(10);
  uleb(out, contents);
  const bytes = new Uint8Array(out.length + contents);
  bytes.set(out);
  let at = out.length;
  bytes.set(count, at);
  at += count.length;
  bodies.forEach((w, i) => {
    const head = heads[i] ?? [];
    bytes.set(head, at);
    at += head.length;
    bytes.set(w.b.bytes(), at);
    at += w.b.length;
  });

  const entries = new Uint8Array(length + 1);
  for (const pc of labels) if (pc >= 0 && pc <= length) entries[pc] = 1;
  if (constructs) {
    entries[0] = 3;
    for (const pc of structuredEntries) entries[pc] = 3;
  }
  return { bytes, entries, structured: constructs !== undefined };
}

// ---- running --------------------------------------------------------------------------------

type RunFn = (entry: number, n: number, limit: number, len: number) => number;

/** An instance's two functions: any entry, and pc 0 through the structured code (when there is one). */
interface Runs {
  readonly run: RunFn;
  readonly run0: RunFn | undefined;
}

/** A compiled module and its instances, one per GuestMemory's WebAssembly.Memory it ran on. */
interface CachedModule {
  readonly module: WebAssembly.Module;
  readonly instances: WeakMap<WebAssembly.Memory, Runs>;
}

/** Compiled modules by their bytes, least recently used first (a program loaded again reuses its module). */
const recent = new Recent<CachedModule>(32);

/**
 * The run in progress (the innermost: a helper may run another program's module inside a
 * step): the `step` import of every instance works on it.
 */
let curVm: Vm | undefined;
let curMemory: WebAssembly.Memory | undefined;
let curLen = 0;
let curH32 = new Int32Array(0);
/** r0–r10 in the header (the first REG_INTS ints of curH32). */
let curRegs: Int32Array = new Int32Array(0);

let registersFile: Int32Array = new Int32Array(0);
let registersView: Int32Array = new Int32Array(0);
/**
 * r0–r10 of a Vm's register file as a view (kept for the last file asked): copied with
 * TypedArray.set, the registers cross between the header and the file in one move — a loop
 * of element copies cost more than the call it surrounded (108 → 66 ns a helper call, measured).
 */
function registersOf(R: Int32Array): Int32Array {
  if (R !== registersFile) {
    registersFile = R;
    registersView = R.subarray(0, REG_INTS);
  }
  return registersView;
}
let curF64 = new Float64Array(0);
/** Instructions the interpreter ran inside steps, during the current run. */
let curStepped = 0;

/**
 * The `step` import: the interpreter runs the instruction at pc with the module's registers
 * (in the header) and count, and stops at the next entry (OP.ENTRY, Stop.Enter). Stopped at
 * pc + 1 on the same memory: the registers and count go back to the header and the module goes
 * on (STEP_ON). Otherwise the run ends here and the VM holds its state: the Stop code, or
 * REENTER when the interpreter stopped at another entry (a may_goto's target) or the arena
 * moved to a new Memory, for the Vm to enter the module again.
 */
function step(pc: number, n: number): number {
  const vm = toVm(pc, n);
  if (vm === undefined) return Stop.Fault;
  const stop = vm.interpretForWasm();
  curStepped += vm.n + vm.pc - (n + pc);
  if (stop !== Stop.Enter) return stop;
  return vm.pc === pc + 1 ? toModule(vm) : REENTER;
}

/** The module's registers (in the header) and count into the VM, at pc: the VM, or undefined outside a run. */
function toVm(pc: number, n: number): Vm | undefined {
  const vm = curVm;
  if (vm === undefined) return undefined;
  vm.regs.set(curRegs);
  vm.pc = pc;
  vm.n = n;
  return vm;
}

/**
 * The module goes on after an instruction run outside it: the VM's registers and count into
 * the header (STEP_ON), or REENTER when the arena moved to a new Memory meanwhile.
 */
function toModule(vm: Vm): number {
  if (vm.mem.wasmMemory !== curMemory || vm.mem.bytes.length !== curLen) return REENTER;
  curRegs.set(registersOf(vm.regs));
  curF64[HDR_N >> 3] = vm.n;
  return STEP_ON;
}

/**
 * The `field` import: for a 4-byte load the module's fast path refused whose address is in the
 * arena's half (`a` its lower half), the context field the interpreter would read from the
 * field table of the last slow load (Vm.fieldStart, fieldSize, fieldReadable, fieldValues) —
 * the same test as the interpreter's LDXW — into the header (1), or 0: not one, step.
 */
function field(a: number): number {
  const vm = curVm;
  if (vm === undefined) return 0;
  const f = (a - vm.fieldStart) | 0;
  if (f < 0 || f >= vm.fieldSize || (f & 3) !== 0 || vm.fieldReadable[f >> 2] !== 1) return 0;
  const V = vm.fieldValues;
  curH32[HDR_FIELD >> 2] = V[f >> 1] ?? 0;
  curH32[(HDR_FIELD >> 2) + 1] = V[(f >> 1) + 1] ?? 0;
  return 1;
}

/**
 * The `call` import: the helper or kfunc of call site `site` at pc, as the interpreter's
 * CALL_HELPER case calls it (vm.calls, bound once per program and host state), with the module's
 * registers (in the header) and count. STEP_ON when the module goes on at pc + 1, the registers
 * and count back in the header; else the run ends here, the VM holding its state, with the Stop
 * code: a fault (at pc), a tail call (at pc), the budget (at pc + 1), or REENTER (at pc + 1)
 * when the arena moved to a new Memory.
 */
function call(site: number, pc: number, n: number): number {
  const vm = toVm(pc, n);
  if (vm === undefined) return Stop.Fault;
  const R = vm.regs;
  const r = vm.calls[site]?.(vm, pc) ?? false;
  if (typeof r === 'number') {
    R[0] = r;
    R[1] = r < 0 ? -1 : 0;
  } else if (r === false) {
    vm.pc = pc;
    return Stop.Fault;
  } else if (r !== true) vm.setReg(0, r);
  // The instructions of a callback (bpf_loop, …) are the interpreter's.
  curStepped += vm.n - n;
  if (vm.pendingTailCall !== undefined) {
    vm.pc = pc;
    return Stop.TailCall;
  }
  vm.pc = pc + 1;
  if (vm.n + pc + 1 > vm.limit) return Stop.Budget;
  return toModule(vm);
}

function instanceFor(cached: CachedModule, memory: WebAssembly.Memory): Runs | undefined {
  const known = cached.instances.get(memory);
  if (known) return known;
  try {
    const exports = new WebAssembly.Instance(cached.module, { env: { mem: memory, step, field, call } }).exports;
    const run = exports['run'];
    const run0 = exports['run0'];
    if (typeof run !== 'function') return undefined;
    const runs: Runs = { run: run as RunFn, run0: typeof run0 === 'function' ? (run0 as RunFn) : undefined };
    cached.instances.set(memory, runs);
    return runs;
  } catch {
    return undefined;
  }
}

/**
 * The program as a WebAssembly function for the Vm, or undefined when it cannot be one (no
 * WebAssembly, a page whose Content-Security-Policy forbids compiling it, a program larger
 * than MAX_WASM_INSNS): the interpreter then runs everything.
 */
export function wasmProgram(ops: Int32Array, code: Int32Array, regs: Int32Array, cfg: Cfg): WasmProgram | undefined {
  if (typeof WebAssembly === 'undefined' || cfg.length > MAX_WASM_INSNS) return undefined;
  const { bytes, entries } = wasmModuleBytes(ops, code, regs, cfg);
  let key = '';
  for (let i = 0; i < bytes.length; i += 4096) key += String.fromCharCode(...bytes.subarray(i, i + 4096));
  let cached = recent.get(key);
  if (!cached) {
    try {
      // Synchronous compilation: fine in Node and workers; a browser's main thread allows it
      // for small modules only (asynchronous compilation is for a later step).
      cached = { module: new WebAssembly.Module(bytes), instances: new WeakMap() };
    } catch {
      return undefined;
    }
  }
  recent.set(key, cached);
  const module = cached;
  // Module-local copies of imported constants: the closure below runs per hand-over, and an
  // imported binding can cost a getter call per read where modules are transpiled to CommonJS.
  const fallback = FALLBACK;
  const ended = ENDED;
  // The memory last run on, its instance and views of its header (a new Memory when the arena grew).
  let memory: WebAssembly.Memory | undefined;
  let runs: Runs | undefined;
  let h32 = new Int32Array(0);
  let regsView: Int32Array = new Int32Array(0);
  let hf64 = new Float64Array(0);
  return (vm) => {
    const pc = vm.pc;
    // The tier makes no calls and exits only the main program: inside a BPF-to-BPF call, and at
    // a pc that is no entry, the interpreter runs.
    const entry = entries[pc] ?? 0;
    if (vm.depth !== 0 || entry === 0) return fallback;
    const mem = vm.mem;
    if (mem.wasmMemory !== memory) {
      memory = mem.wasmMemory;
      runs = memory ? instanceFor(module, memory) : undefined;
      if (memory) {
        h32 = new Int32Array(memory.buffer, 0, ARENA >> 2);
        regsView = new Int32Array(memory.buffer, 0, REG_INTS);
        hf64 = new Float64Array(memory.buffer, 0, ARENA >> 3);
      }
    }
    // An arena in an ordinary ArrayBuffer (no Memory could be had): interpreted.
    if (runs === undefined) return fallback;
    // Only the registers are copied (88 bytes); the arena and its shadow are the GuestMemory's.
    const R = vm.regs;
    regsView.set(registersOf(R));
    const before = vm.n + pc;
    const len = mem.bytes.length;
    const sVm = curVm, sMemory = curMemory, sLen = curLen, sH32 = curH32, sRegs = curRegs, sF64 = curF64, sStepped = curStepped;
    curVm = vm;
    curMemory = memory;
    curLen = len;
    curH32 = h32;
    curRegs = regsView;
    curF64 = hf64;
    curStepped = 0;
    let stop: number;
    let stepped: number;
    try {
      const run0 = runs.run0;
      stop = entry === 3 && run0 !== undefined ? run0(pc, vm.n, vm.limit, len) : runs.run(pc, vm.n, vm.limit, len);
    } finally {
      stepped = curStepped;
      curVm = sVm;
      curMemory = sMemory;
      curLen = sLen;
      curH32 = sH32;
      curRegs = sRegs;
      curF64 = sF64;
      curStepped = sStepped;
    }
    if (stop >= ended - 8) {
      // The interpreter ended the run inside a step: the VM's registers, count and pc are its own.
      vm.wasmInsns += vm.count - before - stepped;
      return stop - ended;
    }
    R.set(regsView);
    vm.n = hf64[HDR_N >> 3] ?? 0;
    vm.pc = h32[HDR_PC >> 2] ?? 0;
    vm.wasmInsns += vm.count - before - stepped;
    return stop;
  };
}
