// One definition of each ALU operation, jump condition, load and store, in a tiny expression IR. The tiers
// do not write the semantics themselves: they lower these definitions with their own
// implementation of each primitive —
//   - engine/vm/ops-js.ts: JavaScript source on int32 pairs, for the interpreter (whose cases
//     engine/vm/gen-interpreter.ts writes into interpreter.ts) and the compiled tier;
//   - engine/vm/wasm-ops.ts: WebAssembly on i64/i32 locals.
// The BigInt reference (semantics.ts) stays written on its own: it is the oracle every tier
// (and so these definitions) is tested against.
//
// Operands: `dst` and `src` are the two 64-bit registers (the source a constant slot for the
// immediate forms); `kLo`, `kHi` and `k32` are shift amounts the pre-decoder proved constant and
// in range (1..31, 32..63 and 1..31), which the int32-pair representation implements with
// different code. `off` is the slot's offset (sign-extended); `mem` the bytes a load reads.
// Division primitives have preconditions that the definitions guarantee:
// udiv/urem never see a zero divisor, sdiv/srem never zero nor -1 (WebAssembly traps on both).

export type Ty = 'i64' | 'i32' | 'bool';

export type Prim =
  // leaves
  | 'dst' | 'src' | 'kLo' | 'kHi' | 'k32' | 'const'
  // memory: the slot's offset (i64); the `size` bytes a load reads, zero-extended (i32 for 1, 2
  // and 4 bytes, i64 for 8)
  | 'off' | 'mem'
  // arithmetic (operands and result of the node's type)
  | 'add' | 'sub' | 'mul' | 'udiv' | 'urem' | 'sdiv' | 'srem' | 'and' | 'or' | 'xor' | 'neg'
  // shifts: the amount is of the node's type, taken modulo the width
  | 'shl' | 'shr' | 'sar'
  // byte swaps: of the whole value; bswap16 swaps the low two bytes and zeroes the rest (i32)
  | 'bswap' | 'bswap16'
  // conversions: sext8/sext16 within i32; zext/sext i32 → i64; wrap i64 → i32 (the low half)
  | 'sext8' | 'sext16' | 'zext' | 'sext' | 'wrap'
  // select(cond, then, else): only the chosen side is evaluated
  | 'select'
  // comparisons of two i64 or two i32 (type bool)
  | 'eq' | 'ne' | 'ult' | 'ule' | 'ugt' | 'uge' | 'slt' | 'sle' | 'sgt' | 'sge';

export type Cmp = 'eq' | 'ne' | 'ult' | 'ule' | 'ugt' | 'uge' | 'slt' | 'sle' | 'sgt' | 'sge';

/** A node of the IR, typed by its result. */
export interface Expr<T extends Ty = Ty> {
  readonly ty: T;
  readonly op: Prim;
  readonly args: readonly Expr[];
  /** For `const`: the value (two's complement, any sign). */
  readonly value?: bigint;
  /** For `mem`: how many bytes. */
  readonly size?: Size;
}

/** The size of a memory access, in bytes. */
export type Size = 1 | 2 | 4 | 8;

type Int = 'i64' | 'i32';
type E<T extends Ty> = Expr<T>;

const node = <T extends Ty>(ty: T, op: Prim, ...args: Expr[]): E<T> => ({ ty, op, args });

// ---- builders -------------------------------------------------------------------------------

export const dst = (): E<'i64'> => node('i64', 'dst');
export const src = (): E<'i64'> => node('i64', 'src');
/** A constant shift amount 1..31 (64-bit shifts). */
export const kLo = (): E<'i64'> => node('i64', 'kLo');
/** A constant shift amount 32..63 (64-bit shifts; the pre-decoded slot holds amount − 32). */
export const kHi = (): E<'i64'> => node('i64', 'kHi');
/** A constant shift amount 1..31 (32-bit shifts). */
export const k32 = (): E<'i32'> => node('i32', 'k32');
/** The slot's offset, sign-extended (the address of a load or store is a register plus it). */
export const off = (): E<'i64'> => node('i64', 'off');
/** The `size` bytes (1, 2 or 4) a load reads, little-endian, zero-extended to 32 bits. */
export const mem = (size: 1 | 2 | 4): E<'i32'> => ({ ty: 'i32', op: 'mem', args: [], size });
/** The 8 bytes a load reads, little-endian. */
export const mem64 = (): E<'i64'> => ({ ty: 'i64', op: 'mem', args: [], size: 8 });
export const c64 = (v: bigint): E<'i64'> => ({ ty: 'i64', op: 'const', args: [], value: BigInt.asIntN(64, v) });
export const c32 = (v: number): E<'i32'> => ({ ty: 'i32', op: 'const', args: [], value: BigInt(v | 0) });
const zero = <T extends Int>(t: T): E<T> => ({ ty: t, op: 'const', args: [], value: 0n });
const minusOne = <T extends Int>(t: T): E<T> => ({ ty: t, op: 'const', args: [], value: -1n });

const bin =
  (op: Prim) =>
  <T extends Int>(a: E<T>, b: E<T>): E<T> =>
    node(a.ty, op, a, b);
export const add = bin('add');
export const sub = bin('sub');
export const mul = bin('mul');
export const udiv = bin('udiv');
export const urem = bin('urem');
export const sdiv = bin('sdiv');
export const srem = bin('srem');
export const and = bin('and');
export const or = bin('or');
export const xor = bin('xor');
export const shl = bin('shl');
export const shr = bin('shr');
export const sar = bin('sar');
export const neg = <T extends Int>(a: E<T>): E<T> => node(a.ty, 'neg', a);
export const bswap = <T extends Int>(a: E<T>): E<T> => node(a.ty, 'bswap', a);
export const bswap16 = (a: E<'i32'>): E<'i32'> => node('i32', 'bswap16', a);
export const sext8 = (a: E<'i32'>): E<'i32'> => node('i32', 'sext8', a);
export const sext16 = (a: E<'i32'>): E<'i32'> => node('i32', 'sext16', a);
export const zext = (a: E<'i32'>): E<'i64'> => node('i64', 'zext', a);
export const sext = (a: E<'i32'>): E<'i64'> => node('i64', 'sext', a);
export const wrap = (a: E<'i64'>): E<'i32'> => node('i32', 'wrap', a);
export const select = <T extends Int>(c: E<'bool'>, a: E<T>, b: E<T>): E<T> => node(a.ty, 'select', c, a, b);
const cmp =
  (op: Cmp) =>
  <T extends Int>(a: E<T>, b: E<T>): E<'bool'> =>
    node('bool', op, a, b);
export const eq = cmp('eq');
export const ne = cmp('ne');

// ---- the definitions --------------------------------------------------------------------------

/** An operation over operands of one width (d, s: dst and src seen at that width). */
type Body = <T extends Int>(d: E<T>, s: E<T>, t: T) => E<T>;

/**
 * The ALU operations, each once for both widths. The 64-bit form is the body over the
 * registers; the 32-bit form wraps the operands to their low halves and zero-extends the
 * result (so mod32 by zero keeps the low half and clears the upper one).
 */
const ALU: Readonly<Record<string, Body>> = {
  ADD: (d, s) => add(d, s),
  SUB: (d, s) => sub(d, s),
  MUL: (d, s) => mul(d, s),
  // Division by zero gives 0 (Linux); unsigned.
  DIV: (d, s, t) => select(eq(s, zero(t)), zero(t), udiv(d, s)),
  // By zero gives 0; by -1 negates, wrapping (S64_MIN / -1 = S64_MIN), as Linux does.
  SDIV: (d, s, t) => select(eq(s, zero(t)), zero(t), select(eq(s, minusOne(t)), neg(d), sdiv(d, s))),
  // By zero leaves dst.
  MOD: (d, s, t) => select(eq(s, zero(t)), d, urem(d, s)),
  // By zero leaves dst; by -1 gives 0; the sign of the dividend.
  SMOD: (d, s, t) => select(eq(s, zero(t)), d, select(eq(s, minusOne(t)), zero(t), srem(d, s))),
  OR: (d, s) => or(d, s),
  AND: (d, s) => and(d, s),
  XOR: (d, s) => xor(d, s),
  // Shifts by a register: the amount modulo the width.
  LSH: (d, s) => shl(d, s),
  RSH: (d, s) => shr(d, s),
  ARSH: (d, s) => sar(d, s),
  MOV: (_d, s) => s,
  NEG: (d) => neg(d),
};

/** The jump conditions, each once for both widths (32-bit: the low halves compared). */
const COND: Readonly<Record<string, <T extends Int>(d: E<T>, s: E<T>, t: T) => E<'bool'>>> = {
  JEQ: (d, s) => eq(d, s),
  JNE: (d, s) => ne(d, s),
  JGT: (d, s) => cmp('ugt')(d, s),
  JGE: (d, s) => cmp('uge')(d, s),
  JLT: (d, s) => cmp('ult')(d, s),
  JLE: (d, s) => cmp('ule')(d, s),
  JSGT: (d, s) => cmp('sgt')(d, s),
  JSGE: (d, s) => cmp('sge')(d, s),
  JSLT: (d, s) => cmp('slt')(d, s),
  JSLE: (d, s) => cmp('sle')(d, s),
  JSET: (d, s, t) => ne(and(d, s), zero(t)),
};

const at64 = (f: Body): E<'i64'> => f(dst(), src(), 'i64');
const at32 = (f: Body): E<'i64'> => zext(f(wrap(dst()), wrap(src()), 'i32'));

function aluDefs(): Record<string, E<'i64'>> {
  const out: Record<string, E<'i64'>> = {};
  for (const [name, f] of Object.entries(ALU)) {
    out[`${name}64`] = at64(f);
    out[`${name}32`] = at32(f);
  }
  const d = dst();
  const s = src();
  const d32 = wrap(d);
  const s32 = wrap(s);
  Object.assign(out, {
    // Sign-extending moves.
    MOVSX64_8: sext(sext8(s32)),
    MOVSX64_16: sext(sext16(s32)),
    MOVSX64_32: sext(s32),
    MOVSX32_8: zext(sext8(s32)),
    MOVSX32_16: zext(sext16(s32)),
    // Shifts by a constant (the pre-decoder's forms: amount 0 is NOP or ZEXT32).
    LSH64_KLO: shl(d, kLo()),
    LSH64_KHI: shl(d, kHi()),
    RSH64_KLO: shr(d, kLo()),
    RSH64_KHI: shr(d, kHi()),
    ARSH64_KLO: sar(d, kLo()),
    ARSH64_KHI: sar(d, kHi()),
    LSH32_K: zext(shl(d32, k32())),
    RSH32_K: zext(shr(d32, k32())),
    ARSH32_K: zext(sar(d32, k32())),
    // A 32-bit op that leaves the low half (a shift by 0), and the 64-bit one that changes nothing.
    ZEXT32: zext(d32),
    NOP: d,
    // Byte order on a little-endian machine: "to little endian" truncates, "to big endian" swaps.
    LE16: zext(and(d32, c32(0xffff))),
    LE32: zext(d32),
    SWAP16: zext(bswap16(d32)),
    SWAP32: zext(bswap(d32)),
    SWAP64: bswap(d),
  } satisfies Record<string, E<'i64'>>);
  return out;
}

function condDefs(): Record<string, E<'bool'>> {
  const out: Record<string, E<'bool'>> = {};
  for (const [name, f] of Object.entries(COND)) {
    out[`${name}64`] = f(dst(), src(), 'i64');
    out[`${name}32`] = f(wrap(dst()), wrap(src()), 'i32');
  }
  return out;
}

/** The new value of dst, by handler name (the names of the interpreter's OP table). */
export const ALU_DEFS: Readonly<Record<string, Expr<'i64'>>> = aluDefs();

/** Whether the conditional jump is taken, by handler name. */
export const COND_DEFS: Readonly<Record<string, Expr<'bool'>>> = condDefs();

/**
 * A load or a store. A load sets dst to `value`, which reads the bytes at `addr` through `mem`;
 * a store writes the low `size` bytes of `value` (an i64 for 8 bytes, an i32 below) at `addr`.
 * How an address reaches memory — the checks, the regions, the faults — is each tier's memory
 * model, written once per tier for every access (the interpreter's and the compiled tier's in
 * ops-js.ts, the WebAssembly tier's in wasm.ts); what is read or written, and how it extends,
 * is defined here.
 */
export interface MemDef {
  readonly kind: 'load' | 'store';
  readonly size: Size;
  /** The base register (src for a load, dst for a store) plus the offset. */
  readonly addr: Expr<'i64'>;
  readonly value: Expr;
}

function memDefs(): Record<string, MemDef> {
  const load = (size: Size, value: Expr<'i64'>): MemDef => ({ kind: 'load', size, addr: add(src(), off()), value });
  const store = (size: Size, value: Expr): MemDef => ({ kind: 'store', size, addr: add(dst(), off()), value });
  return {
    LDXB: load(1, zext(mem(1))),
    LDXH: load(2, zext(mem(2))),
    LDXW: load(4, zext(mem(4))),
    LDXDW: load(8, mem64()),
    // The sign-extending loads (cpu v4).
    LDXSB: load(1, sext(sext8(mem(1)))),
    LDXSH: load(2, sext(sext16(mem(2)))),
    LDXSW: load(4, sext(mem(4))),
    // Stores of a register or (the constant slot of) an immediate: its low bytes.
    STB: store(1, wrap(src())),
    STH: store(2, wrap(src())),
    STW: store(4, wrap(src())),
    STDW: store(8, src()),
  };
}

/** The loads and stores, by handler name. */
export const MEM_DEFS: Readonly<Record<string, MemDef>> = memDefs();

/** Whether a load's value is its bytes sign-extended (what a tier's slow path is told to do). */
export function signExtends(def: MemDef): boolean {
  return def.kind === 'load' && def.value.op === 'sext';
}
