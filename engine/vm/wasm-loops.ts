// Counted loops for the WebAssembly tier (issue 16): an innermost loop whose body is straight
// code ending in its one back edge, `if iv < bound goto header` or the like, where the body moves
// the induction register `iv` by a constant once an iteration. At the loop's entry the module
// knows how many iterations the loop will run (T) before it runs one, so it can ask two questions
// once instead of at every iteration:
//
// - the budget: whether the count stays within the limit at each of the T − 1 back edges — the
//   count grows by the back edge's delta each time, so asking about the last one answers for all;
// - the windows (memory.ts): whether each access whose address is a register the body does not
//   write, plus `iv` (or not), plus a constant, stays inside the window (the packet or input), or
//   the stack window where the address seems to come from r10, at every iteration — the
//   addresses step evenly, so asking about the first and the last answers for all.
//
// When both answers are yes the module runs a copy of the loop without those checks (wasm.ts
// `fastLoop`); otherwise the loop as ever, which stops, faults and hands over exactly where the
// interpreter does. The copy counts as the loop does (its back edge adds the delta), and every
// other check of its body stays, so it leaves the same state wherever it leaves.

import { OP, REG_INTS, STRIDE } from './interpreter.ts';
import { wasmAccessOf, wasmOpKind } from './wasm-ops.ts';

/** The longest body given a checked and a fast copy: a long body pays for its checks already. */
export const MAX_FAST_BODY = 64;

/** Steps and bounds up to this (exclusive) keep every sum of the entry's test far from wrapping. */
const SMALL = 1n << 31n;

/** An access whose window check the loop's entry makes for every iteration. */
export interface RangedAccess {
  /** A register the body does not write (−1: none): the address is its value … */
  readonly base: number;
  /** … plus the induction register's value at the iteration's start (1) or not (0) … */
  readonly moves: 0 | 1;
  /** … plus this (the access's offset included), as the 64-bit sum wraps. */
  readonly add: bigint;
  readonly store: boolean;
  /** Checked against the stack window (the base seems to come from r10), else the window. */
  readonly stack: boolean;
  /** Bytes (1, 2, 4, 8). */
  readonly size: number;
}

/** A counted loop (`countedLoop`). */
export interface CountedLoop {
  readonly header: number;
  /** The back edge: a conditional jump to the header, the last slot of the loop. */
  readonly latch: number;
  /** The induction register: the body writes it once, `iv += step`. */
  readonly iv: number;
  /**
   * The register the latch compares: iv, or a register holding iv's value at the iteration's
   * start plus a constant; at the latch it holds u + t × step at iteration t, u = iv's value at
   * the entry + `lead` (0 when the latch compares iv itself, after its step).
   */
  readonly compared: number;
  readonly lead: bigint;
  /** The step: 1 … 2³¹ − 1 counting up (`<`, `<=`, and `!=` for 1), −1 counting down (`>`, `>=`, `!=`). */
  readonly step: bigint;
  /** The latch's other operand: a constant (0 … 2³¹ − 1) or a register the body does not write (tested at the entry: below 2⁶², or not 0). */
  readonly bound: { readonly reg: number } | { readonly value: bigint };
  /**
   * How the iterations follow from the distance D, computed at the entry from u (see `lead`):
   * counting up, `bound − u` (+1 for `<=`); counting down, `u − bound` (+1 for `>=`).
   * T = ⌈D / step⌉ for 1 ≤ D ≤ 2³¹, and the loop is not fast otherwise.
   */
  readonly inclusive: boolean;
  /**
   * A signed latch (`s<`, `s<=`, `s>`, `s>=`). With its bound in 0 … 2⁶² (a register's is tested
   * at the entry), whenever D is in range the signed and the unsigned counts agree on T.
   */
  readonly signed: boolean;
  /** The back edge's count delta (wasm.ts's jump adds it when taken). */
  readonly delta: number;
  /** The accesses the entry checks (pc → its address's parts); the others keep their checks. */
  readonly ranged: ReadonlyMap<number, RangedAccess>;
}

/** The value of a constant slot (a sign-extended immediate) as a signed 64-bit number. */
function constant(regs: Int32Array, s: number): bigint {
  return BigInt.asIntN(64, (BigInt(regs[s + 1] ?? 0) << 32n) | BigInt((regs[s] ?? 0) >>> 0));
}

/** The latch conditions, with whether the loop counts up and whether the bound is inclusive. */
const LATCHES: ReadonlyMap<number, { readonly up: boolean | undefined; readonly inclusive: boolean; readonly signed: boolean }> = new Map([
  [OP.JLT64, { up: true, inclusive: false, signed: false }],
  [OP.JLE64, { up: true, inclusive: true, signed: false }],
  [OP.JGT64, { up: false, inclusive: false, signed: false }],
  [OP.JGE64, { up: false, inclusive: true, signed: false }],
  // Signed, as clang compiles a loop on an `int` (a bound of 0 … 2⁶² keeps the orders alike).
  [OP.JSLT64, { up: true, inclusive: false, signed: true }],
  [OP.JSLE64, { up: true, inclusive: true, signed: true }],
  [OP.JSGT64, { up: false, inclusive: false, signed: true }],
  [OP.JSGE64, { up: false, inclusive: true, signed: true }],
  // `!=` counts either way, one at a time.
  [OP.JNE64, { up: undefined, inclusive: false, signed: false }],
]);

/**
 * Whether `reg` seems to hold r10 plus or minus something at P — copied from r10 and moved by
 * adds and subtracts since, in the (at most 32) instructions before P in the program's order,
 * jumps in between not asked about: a guess that an access is the stack's, which the window never
 * holds. A wrong guess costs speed, never a result: the checks decide either way.
 */
export function fromFramePointer(ops: Int32Array, code: Int32Array, P: number, reg: number): boolean {
  for (let q = P - 1; q >= Math.max(0, P - 32) && reg !== 10; q--) {
    const op = ops[q] ?? OP.INVALID;
    const d = (code[q * STRIDE + 1] ?? 0) >> 1;
    const s = code[q * STRIDE + 2] ?? 0;
    if (op === OP.MOV64 && d === reg) {
      if (s >= REG_INTS) return false;
      reg = s >> 1;
    } else if ((op === OP.ADD64 || op === OP.SUB64) && d === reg) {
      // Still based where it was.
    } else if (op === OP.CALL_HELPER || op === OP.CALL_KFUNC || op === OP.CALL_LOCAL || op === OP.ATOMIC) {
      return false;
    } else if (wasmAccessOf(op)?.kind !== 'store' && wasmOpKind(op) !== 'cond' && op !== OP.JA && d === reg) return false;
  }
  return reg === 10;
}

/** A register's value in the body: base's value at the iteration's start + moves × iv's + add. */
interface Sym {
  readonly base: number;
  readonly moves: 0 | 1;
  readonly add: bigint;
}

function plus(x: Sym | undefined, y: Sym | undefined): Sym | undefined {
  if (x === undefined || y === undefined || (x.base >= 0 && y.base >= 0) || x.moves + y.moves > 1) return undefined;
  return { base: x.base >= 0 ? x.base : y.base, moves: (x.moves + y.moves) as 0 | 1, add: BigInt.asIntN(64, x.add + y.add) };
}

/**
 * The loop from `header` to its back edge at `latch` when it is a counted loop as above; the
 * caller has made sure no other jump lands inside it. Only ALU instructions, loads and stores
 * may come before the latch (no jump, call, atomic, lddw or exit).
 */
export function countedLoop(ops: Int32Array, code: Int32Array, regs: Int32Array, header: number, latch: number): CountedLoop | undefined {
  if (latch <= header || latch - header > MAX_FAST_BODY) return undefined;
  const lb = latch * STRIDE;
  const kind = LATCHES.get(ops[latch] ?? OP.INVALID);
  if (kind === undefined || (code[lb + 5] ?? -1) !== header) return undefined;
  const compared = (code[lb + 1] ?? 0) >> 1;
  const ls = code[lb + 2] ?? 0;
  // What the body writes; the registers it writes once, by a constant step, and only so.
  let written = 0;
  const steps = new Map<number, bigint | undefined>();
  for (let P = header; P < latch; P++) {
    const op = ops[P] ?? OP.INVALID;
    const b = P * STRIDE;
    const d = (code[b + 1] ?? 0) >> 1;
    const s = code[b + 2] ?? 0;
    const access = wasmAccessOf(op);
    if (access?.kind === 'store') continue;
    if (access === undefined && wasmOpKind(op) !== 'alu') return undefined;
    const stepping = (op === OP.ADD64 || op === OP.SUB64) && s >= REG_INTS;
    const k = stepping ? constant(regs, s) : 0n;
    steps.set(d, ((written >> d) & 1) === 0 && stepping ? (op === OP.ADD64 ? k : -k) : undefined);
    written |= 1 << d;
  }
  let bound: CountedLoop['bound'];
  if (ls >= REG_INTS) {
    const value = constant(regs, ls);
    // A constant bound small enough that counting up to it cannot wrap; unsigned `>=` 0 never ends.
    if (value < 0n || value >= SMALL || (kind.up === false && kind.inclusive && !kind.signed && value === 0n)) return undefined;
    bound = { value };
  } else {
    const reg = ls >> 1;
    if (reg === compared || ((written >> reg) & 1) !== 0) return undefined;
    bound = { reg };
  }
  // The induction register: the one the latch compares when it is stepped, else one whose value
  // (at the iteration's start, plus a constant) the compared register holds — clang's rotated
  // loops compare a copy taken before the step.
  const candidates = steps.get(compared) !== undefined ? [compared] : [...steps].filter(([, k]) => k !== undefined).map(([r]) => r);
  for (const iv of candidates) {
    const step = steps.get(iv);
    if (step === undefined || iv === 10) continue;
    const up = step > 0n;
    if (kind.up !== undefined && kind.up !== up) continue;
    if (up ? step >= SMALL || (kind.up === undefined && step !== 1n) : step !== -1n) continue;
    if ('reg' in bound && bound.reg === iv) continue;
    const followed = follow(ops, code, regs, header, latch, iv, written);
    const at = followed.atLatch[compared];
    if (at === undefined || at.base >= 0 || at.moves !== 1) continue;
    return { header, latch, iv, step, compared, lead: BigInt.asIntN(64, at.add - step), bound, inclusive: kind.inclusive, signed: kind.signed, delta: code[lb + 6] ?? 0, ranged: followed.ranged };
  }
  return undefined;
}

/**
 * The body followed with `iv` as the induction register: each register's value as base + iv +
 * constant (at the iteration's start), the accesses whose address is such a value with a base
 * the body does not write, and the registers' values at the latch.
 */
function follow(ops: Int32Array, code: Int32Array, regs: Int32Array, header: number, latch: number, iv: number, written: number): { ranged: Map<number, RangedAccess>; atLatch: (Sym | undefined)[] } {
  const sym: (Sym | undefined)[] = Array.from({ length: 11 }, (_, r) => (r === iv ? { base: -1, moves: 1, add: 0n } : { base: r, moves: 0, add: 0n }));
  const ranged = new Map<number, RangedAccess>();
  for (let P = header; P < latch; P++) {
    const op = ops[P] ?? OP.INVALID;
    const b = P * STRIDE;
    const d = (code[b + 1] ?? 0) >> 1;
    const s = code[b + 2] ?? 0;
    const off = code[b + 3] ?? 0;
    const source = (): Sym | undefined => (s >= REG_INTS ? { base: -1, moves: 0, add: constant(regs, s) } : sym[s >> 1]);
    const access = wasmAccessOf(op);
    if (access !== undefined) {
      const store = access.kind === 'store';
      const reg = store ? d : s >> 1;
      const x = sym[reg];
      const invariant = x !== undefined && (x.base < 0 || ((written >> x.base) & 1) === 0);
      if (x !== undefined && invariant && (x.base >= 0 || x.moves === 1)) {
        const stack = x.base === 10 || fromFramePointer(ops, code, P, reg);
        ranged.set(P, { base: x.base, moves: x.moves, add: BigInt.asIntN(64, x.add + BigInt(off)), store, stack, size: access.size });
      }
      if (!store) sym[d] = undefined;
    } else if (op === OP.MOV64) sym[d] = source();
    else if (op === OP.ADD64) sym[d] = plus(sym[d], source());
    else if (op === OP.SUB64 && s >= REG_INTS) sym[d] = plus(sym[d], { base: -1, moves: 0, add: -constant(regs, s) });
    else sym[d] = undefined;
  }
  return { ranged, atLatch: sym };
}
