// The WebAssembly implementation of the primitives of engine/isa/ops.ts: each ALU handler, jump
// condition, load and store, lowered from its definition onto i64/i32 values. The WebAssembly tier
// (wasm.ts) calls emitWasmOp for every instruction the definitions cover, into its function
// body; registers are i64 locals, a source is a register's local or a constant slot's value.

import { ALU_DEFS, COND_DEFS, MEM_DEFS, type Expr, type MemDef } from '../isa/ops.ts';
import { OP } from './interpreter.ts';

/** Where the code goes: the methods of wasm.ts's function body (each appends to it). */
export interface WasmOpSink {
  op(...codes: number[]): unknown;
  get(l: number): unknown;
  set(l: number): unknown;
  tee(l: number): unknown;
  i32(v: number): unknown;
  i64(v: bigint): unknown;
  /** A load or store (`code`) with its memarg: the constant `offset` added to the address. */
  mem(code: number, offset: number): unknown;
  /** Opens a block, loop or if (`code`) of the given block type. */
  open(code: number, type?: number): unknown;
  else(): unknown;
  end(): unknown;
}

/** The operands of one instruction. */
export interface WasmOperands {
  /** dst's i64 local. */
  readonly dst: number;
  /** Pushes the source as an i64: a register's local, or the constant slot's value. */
  readonly src64: () => void;
  /** Pushes the source's low 32 bits as an i32. */
  readonly src32: () => void;
  /** The slot's immediate field (the constant shift forms: the amount, or amount − 32 for *_KHI). */
  readonly imm: number;
  /** An i32 local the code may overwrite (byte swaps). */
  readonly scratch32: number;
}

/** Value types, for `open`'s block type. */
export const WASM_I32 = 0x7f;
export const WASM_I64 = 0x7e;

const IF = 0x04;
const I64_EQZ = 0x50;
const I32_EQZ = 0x45;
const I32_WRAP_I64 = 0xa7;
const I64_EXTEND_I32_S = 0xac;
const I64_EXTEND_I32_U = 0xad;
const I32_EXTEND8_S = 0xc0;
const I32_EXTEND16_S = 0xc1;

/** Opcodes of the binary operations and comparisons: [i32, i64]. */
const BINARY: Readonly<Record<string, readonly [number, number]>> = {
  add: [0x6a, 0x7c],
  sub: [0x6b, 0x7d],
  mul: [0x6c, 0x7e],
  sdiv: [0x6d, 0x7f],
  udiv: [0x6e, 0x80],
  srem: [0x6f, 0x81],
  urem: [0x70, 0x82],
  and: [0x71, 0x83],
  or: [0x72, 0x84],
  xor: [0x73, 0x85],
  shl: [0x74, 0x86],
  sar: [0x75, 0x87],
  shr: [0x76, 0x88],
  eq: [0x46, 0x51],
  ne: [0x47, 0x52],
  slt: [0x48, 0x53],
  ult: [0x49, 0x54],
  sgt: [0x4a, 0x55],
  ugt: [0x4b, 0x56],
  sle: [0x4c, 0x57],
  ule: [0x4d, 0x58],
  sge: [0x4e, 0x59],
  uge: [0x4f, 0x5a],
};
const I32_SHL = 0x74;
const I32_SHR_U = 0x76;
const I32_ROTL = 0x77;
const I32_ROTR = 0x78;
const I32_AND = 0x71;
const I32_OR = 0x72;
// Memory: a load of each size as it extends, a store of each size from an i32 or an i64.
const I32_LOAD = { 1: 0x2d, 2: 0x2f, 4: 0x28 } as const; // load8_u, load16_u, load
const I64_LOAD_U = { 1: 0x31, 2: 0x33, 4: 0x35, 8: 0x29 } as const; // load8_u … load32_u, load
const I64_LOAD_S = { 1: 0x30, 2: 0x32, 4: 0x34 } as const; // load8_s … load32_s
const I32_STORE = { 1: 0x3a, 2: 0x3b, 4: 0x36 } as const;
const I64_STORE = { 1: 0x3c, 2: 0x3d, 4: 0x3e, 8: 0x37 } as const;
const I64_SHL = 0x86;
const I64_SHR_U = 0x88;
const I64_OR = 0x84;

class Lowering {
  private scratchBusy = false;
  /**
   * @param at a load's memarg offset: its `mem` reads the bytes at the address on the stack plus
   *   it (the address was pushed before the value's code, so `mem` must be the first leaf read).
   */
  constructor(
    private readonly w: WasmOpSink,
    private readonly x: WasmOperands,
    private readonly at?: number,
  ) {}

  /** The `size` bytes at the address on the stack, extended as `how` says (i64), or as `mem` says. */
  private read(e: Expr, how?: 'zero' | 'sign'): void {
    const size = e.size ?? 0;
    if (e.op !== 'mem' || this.at === undefined) throw new Error('wasm-ops: a read outside a load');
    const code =
      how === 'sign' ? I64_LOAD_S[size as 1 | 2 | 4]
      : how === 'zero' || size === 8 ? I64_LOAD_U[size as 1 | 2 | 4 | 8]
      : I32_LOAD[size as 1 | 2 | 4];
    if (code === undefined) throw new Error(`wasm-ops: no ${size}-byte read`);
    this.w.mem(code, this.at);
  }

  /** Writes the low `size` bytes of `value` at the address on the stack plus `offset`. */
  write(value: Expr, size: 1 | 2 | 4 | 8, offset: number): void {
    // The low bytes of a 64-bit value: an i64 store of that size, no wrap needed.
    const wide = size === 8 || value.op === 'wrap';
    this.push(size < 8 && value.op === 'wrap' ? this.arg(value, 0) : value);
    const code = wide ? I64_STORE[size] : I32_STORE[size as 1 | 2 | 4];
    this.w.mem(code, offset);
  }

  private arg(e: Expr, i: number): Expr {
    const a = e.args[i];
    if (!a) throw new Error(`wasm-ops: ${e.op} needs argument ${i}`);
    return a;
  }

  /** Pushes the value of `e`. */
  push(e: Expr): void {
    const w = this.w;
    const wide = e.ty === 'i64';
    switch (e.op) {
      case 'dst':
        w.get(this.x.dst);
        return;
      case 'src':
        this.x.src64();
        return;
      case 'kLo':
        w.i64(BigInt(this.x.imm));
        return;
      case 'kHi':
        w.i64(BigInt(this.x.imm + 32));
        return;
      case 'k32':
        w.i32(this.x.imm);
        return;
      case 'const':
        if (wide) w.i64(e.value ?? 0n);
        else w.i32(Number(BigInt.asIntN(32, e.value ?? 0n)));
        return;
      case 'wrap': {
        const a = this.arg(e, 0);
        if (a.op === 'src') this.x.src32();
        else {
          this.push(a);
          w.op(I32_WRAP_I64);
        }
        return;
      }
      case 'mem':
        this.read(e);
        return;
      case 'zext':
      case 'sext': {
        // A read extended as it loads: zext(mem), sext(mem 4), sext(sext8(mem 1)), sext(sext16(mem 2)).
        const a = this.arg(e, 0);
        const narrow = (a.op === 'sext8' && a.args[0]?.size === 1) || (a.op === 'sext16' && a.args[0]?.size === 2) ? a.args[0] : undefined;
        if (a.op === 'mem' && (e.op === 'zext' || a.size === 4)) this.read(a, e.op === 'zext' ? 'zero' : 'sign');
        else if (e.op === 'sext' && narrow?.op === 'mem') this.read(narrow, 'sign');
        else {
          this.push(a);
          w.op(e.op === 'zext' ? I64_EXTEND_I32_U : I64_EXTEND_I32_S);
        }
        return;
      }
      case 'sext8':
      case 'sext16':
        this.push(this.arg(e, 0));
        w.op(e.op === 'sext8' ? I32_EXTEND8_S : I32_EXTEND16_S);
        return;
      case 'neg':
        if (wide) w.i64(0n);
        else w.i32(0);
        this.push(this.arg(e, 0));
        w.op((BINARY['sub'] ?? [0, 0])[wide ? 1 : 0]);
        return;
      case 'bswap':
        if (wide) {
          // The swapped low half becomes the upper one, and the reverse.
          const a = this.arg(e, 0);
          if (a.op !== 'dst' && a.op !== 'src') throw new Error('wasm-ops: bswap64 of a computed value');
          this.push(a);
          w.op(I32_WRAP_I64);
          this.swap32();
          w.op(I64_EXTEND_I32_U);
          w.i64(32n);
          w.op(I64_SHL);
          this.push(a);
          w.i64(32n);
          w.op(I64_SHR_U, I32_WRAP_I64);
          this.swap32();
          w.op(I64_EXTEND_I32_U, I64_OR);
        } else {
          this.push(this.arg(e, 0));
          this.swap32();
        }
        return;
      case 'bswap16': {
        this.push(this.arg(e, 0));
        const t = this.scratch();
        w.set(t);
        w.get(t);
        w.i32(0xff);
        w.op(I32_AND);
        w.i32(8);
        w.op(I32_SHL);
        w.get(t);
        w.i32(8);
        w.op(I32_SHR_U);
        w.i32(0xff);
        w.op(I32_AND, I32_OR);
        this.scratchBusy = false;
        return;
      }
      case 'select':
        // Only the chosen side runs (a division by zero would trap).
        this.push(this.arg(e, 0));
        w.open(IF, wide ? WASM_I64 : WASM_I32);
        this.push(this.arg(e, 1));
        w.else();
        this.push(this.arg(e, 2));
        w.end();
        return;
      default: {
        const codes = BINARY[e.op];
        if (!codes) throw new Error(`wasm-ops: no ${e.op}`);
        const a = this.arg(e, 0);
        const b = this.arg(e, 1);
        const operandWide = a.ty === 'i64';
        this.push(a);
        // Against zero: eqz (and its negation).
        if ((e.op === 'eq' || e.op === 'ne') && b.op === 'const' && b.value === 0n) {
          w.op(operandWide ? I64_EQZ : I32_EQZ);
          if (e.op === 'ne') w.op(I32_EQZ);
          return;
        }
        this.push(b);
        w.op(codes[operandWide ? 1 : 0]);
      }
    }
  }

  private scratch(): number {
    if (this.scratchBusy) throw new Error('wasm-ops: nested use of the i32 scratch local');
    this.scratchBusy = true;
    return this.x.scratch32;
  }

  /** swap32 of the i32 on the stack. */
  private swap32(): void {
    const w = this.w;
    const t = this.scratch();
    w.set(t);
    w.get(t);
    w.i32(8);
    w.op(I32_ROTL);
    w.i32(0x00ff00ff);
    w.op(I32_AND);
    w.get(t);
    w.i32(8);
    w.op(I32_ROTR);
    w.i32(0xff00ff00 | 0);
    w.op(I32_AND, I32_OR);
    this.scratchBusy = false;
  }
}

/** The definition of a load or store handler (undefined: not one). */
export function wasmAccessOf(op: number): MemDef | undefined {
  const name = NAMES[op];
  return name === undefined ? undefined : MEM_DEFS[name];
}

/**
 * Emits a load or store from its definition, at the arena offset the caller pushed (an i32)
 * plus the memarg `offset`: a load pushes dst's new value (the caller sets dst), a store writes
 * the low bytes of its value. Where the address is checked, and what happens off the fast path,
 * is wasm.ts's.
 */
export function emitWasmAccess(sink: WasmOpSink, def: MemDef, x: WasmOperands, offset: number): void {
  if (def.kind === 'load') new Lowering(sink, x, offset).push(def.value);
  else new Lowering(sink, x).write(def.value, def.size, offset);
}

/** Handler names by number. */
const NAMES: readonly (string | undefined)[] = (() => {
  const names: (string | undefined)[] = [];
  for (const [name, n] of Object.entries(OP)) names[n] = name;
  return names;
})();

/** What emitWasmOp does for the handler: set dst ('alu'), push a jump's condition ('cond'), nothing (undefined). */
export function wasmOpKind(op: number): 'alu' | 'cond' | undefined {
  const name = NAMES[op];
  if (name === undefined) return undefined;
  return ALU_DEFS[name] !== undefined ? 'alu' : COND_DEFS[name] !== undefined ? 'cond' : undefined;
}

/**
 * Emits handler `op` from its definition. An ALU handler (ADD64 … SWAP64, NOP, ZEXT32, the
 * constant shifts) computes dst's new value and sets the dst local; a conditional jump
 * (JEQ64 … JSLE32) pushes an i32, non-zero when the jump is taken — the caller branches. Returns
 * false, emitting nothing, for handlers the definitions do not cover (memory, calls, JA, LDDW, …).
 */
export function emitWasmOp(sink: WasmOpSink, op: number, x: WasmOperands): boolean {
  const name = NAMES[op];
  if (name === undefined) return false;
  const alu = ALU_DEFS[name];
  if (alu) {
    if (alu.op === 'dst') return true; // NOP
    new Lowering(sink, x).push(alu);
    sink.set(x.dst);
    return true;
  }
  const cond = COND_DEFS[name];
  if (cond) {
    new Lowering(sink, x).push(cond);
    return true;
  }
  return false;
}
