// Seeded random program bodies for the kernel differential test. A body uses only r0-r8 and the
// 72 bytes of stack below r10, initialises everything before reading it, jumps forward or loops
// a counted few times, and leaves in r0 a checksum of every intermediate value, so one wrong result anywhere changes r0.
// Every choice respects the verifier's load-time rules, so the kernel accepts every body.

import type { AccessSize, AluOp, AtomicOp, Insn, JmpCond, Operand, Reg, Width } from '../../isa/index.ts';
import { slotCount } from '../../isa/index.ts';
import { COMPARE64, DIVIDENDS, DIVISORS, EDGE32, EDGE64, I32_MAX, I32_MIN, MIX_MULTIPLIERS, U64 } from './edge-values.ts';
import { Rng } from './rng.ts';

export const PROGRAM_KINDS = ['alu64', 'alu32', 'divmod', 'shift', 'endian', 'signext', 'stack', 'jump', 'atomic', 'mixed'] as const;
export type ProgramKind = (typeof PROGRAM_KINDS)[number];

/** r0 accumulates the checksum; r1-r8 are the working registers. r9 is left to the harness. */
const ACC: Reg = 0;
const WORK: readonly Reg[] = [1, 2, 3, 4, 5, 6, 7, 8];
const READABLE: readonly Reg[] = [0, ...WORK];
const FP: Reg = 10;

/** The data area: eight 8-byte slots at r10-64 .. r10-1, all written before the first read. */
const AREA_BYTES = 64;
/** Where the accumulator waits while cmpxchg needs r0. */
const STASH_OFF = -72;

const BINARY_OPS: readonly AluOp[] = ['add', 'sub', 'mul', 'div', 'sdiv', 'or', 'and', 'lsh', 'rsh', 'mod', 'smod', 'xor', 'mov', 'arsh'];
const DIV_OPS: readonly AluOp[] = ['div', 'sdiv', 'mod', 'smod'];
const SHIFT_OPS: readonly AluOp[] = ['lsh', 'rsh', 'arsh'];
const CONDS: readonly JmpCond[] = ['jeq', 'jgt', 'jge', 'jset', 'jne', 'jsgt', 'jsge', 'jlt', 'jle', 'jslt', 'jsle'];
const ATOMIC_OPS: readonly AtomicOp[] = ['add', 'or', 'and', 'xor', 'xchg', 'cmpxchg'];
const SIZES: readonly AccessSize[] = [1, 2, 4, 8];

const reg = (r: Reg): Operand => ({ type: 'reg', reg: r });
const imm = (v: number): Operand => ({ type: 'imm', imm: v | 0 });

function alu(width: Width, op: AluOp, dst: Reg, src: Operand): Insn {
  return { kind: 'alu', width, op, dst, src };
}

/** lddw with the 64-bit value split the way the ISA stores it: low half in imm, high in imm2. */
export function lddw(dst: Reg, value: bigint): Insn {
  const v = U64(value);
  return { kind: 'ldimm64', dst, pseudo: 0, imm: Number(BigInt.asIntN(32, v)), imm2: Number(BigInt.asIntN(32, v >> 32n)) };
}

function load(size: AccessSize, signExtend: boolean, dst: Reg, off: number): Insn {
  return { kind: 'load', size, signExtend, dst, base: FP, off };
}

function store(size: AccessSize, off: number, src: Operand): Insn {
  return { kind: 'store', size, base: FP, off, src };
}

function slots(insns: readonly Insn[]): number {
  return insns.reduce((n, insn) => n + slotCount(insn), 0);
}

interface Snippet {
  readonly insns: Insn[];
  /** Registers whose new values go into the checksum after the snippet. */
  readonly results: Reg[];
}

type SnippetKind = 'alu64' | 'alu32' | 'divmod' | 'shift' | 'endian' | 'signext' | 'stack' | 'jump' | 'atomic' | 'const';

class BodyBuilder {
  readonly insns: Insn[] = [];
  private mixes = 0;

  constructor(private readonly rng: Rng) {}

  value64(): bigint {
    const r = this.rng;
    const roll = r.below(100);
    if (roll < 35) return r.pick(EDGE64);
    if (roll < 50) return U64(BigInt(r.between(-16, 16)));
    if (roll < 65) return U64(BigInt(r.i32()));
    if (roll < 75) return BigInt(r.u32());
    return r.u64();
  }

  imm32(): number {
    const r = this.rng;
    const roll = r.below(100);
    if (roll < 35) return r.pick(EDGE32);
    if (roll < 55) return r.between(-16, 16);
    return r.i32();
  }

  work(): Reg {
    return this.rng.pick(WORK);
  }

  readable(): Reg {
    return this.rng.pick(READABLE);
  }

  /** A stack offset aligned to `size` inside the data area (the verifier rejects misaligned stack access). */
  areaOffset(size: AccessSize): number {
    return -AREA_BYTES + size * this.rng.below(AREA_BYTES / size);
  }

  /** r0 = (r0 ^ x) * k or (r0 + x) * k: bijective in r0, so no earlier difference is lost. */
  mix(x: Reg): Insn[] {
    const k = MIX_MULTIPLIERS[this.mixes++ % MIX_MULTIPLIERS.length] ?? 1;
    return [alu(64, this.rng.chance(0.5) ? 'xor' : 'add', ACC, reg(x)), alu(64, 'mul', ACC, imm(k))];
  }

  // ---- snippets ------------------------------------------------------------------------------

  /** One ALU instruction of the given width with random operands, always loadable. */
  aluInsn(width: Width): Insn {
    const r = this.rng;
    const dst = this.work();
    const roll = r.below(100);
    if (roll < 6) return { kind: 'neg', width, dst };
    if (roll < 14) {
      const bits = width === 64 ? r.pick([8, 16, 32] as const) : r.pick([8, 16] as const);
      return { kind: 'movsx', width, bits, dst, src: this.readable() };
    }
    const op = r.pick(BINARY_OPS);
    if (r.chance(0.5)) return alu(width, op, dst, reg(this.readable()));
    return alu(width, op, dst, imm(this.legalImm(op, width)));
  }

  /**
   * An immediate the verifier accepts for `op`: verifier.c check_alu_op refuses a constant
   * divisor of 0 ("div by zero") and a constant shift outside [0, width) ("invalid shift %d").
   */
  legalImm(op: AluOp, width: Width): number {
    if (SHIFT_OPS.includes(op)) return this.rng.pick([0, 1, width - 1, this.rng.below(width)]);
    const v = this.imm32();
    if (DIV_OPS.includes(op) && v === 0) return this.rng.pick([1, -1, I32_MIN]);
    return v;
  }

  aluSnippet(width: Width): Snippet {
    const insn = this.aluInsn(width);
    return { insns: [insn], results: writtenBy(insn) };
  }

  /** Division at the edges: by a zero register, by -1, INT_MIN dividends, low-half-only zero. */
  divmod(): Snippet {
    const r = this.rng;
    const width: Width = r.chance(0.5) ? 64 : 32;
    const op = r.pick(DIV_OPS);
    const dst = this.work();
    const insns: Insn[] = [];
    if (r.chance(0.1)) {
      // The overflow case: INT_MIN / -1 (and % -1) of the operation's width.
      const src = this.work();
      if (src !== dst) {
        insns.push(lddw(dst, width === 64 ? U64(-(1n << 63n)) : r.pick([0x8000_0000n, U64(BigInt(I32_MIN))])), lddw(src, r.pick([U64(-1n), 0xffff_ffffn])));
        insns.push(alu(width, op, dst, reg(src)));
        return { insns, results: [dst] };
      }
    }
    if (r.chance(0.5)) insns.push(lddw(dst, r.chance(0.7) ? r.pick(DIVIDENDS) : this.value64()));
    if (r.chance(0.3)) {
      // Constant divisors: -1 is rewritten to neg / w_dst = 0 by do_misc_fixups, the rest divide.
      insns.push(alu(width, op, dst, imm(r.pick([-1, -1, 1, 2, 3, -3, 7, I32_MIN, I32_MAX, this.imm32() || 5]))));
    } else {
      const src = r.chance(0.1) ? dst : this.work();
      if (src !== dst && r.chance(0.8)) insns.push(lddw(src, r.pick(DIVISORS)));
      insns.push(alu(width, op, dst, reg(src)));
    }
    return { insns, results: [dst] };
  }

  /** Register shifts by any amount (the interpreter masks it), immediates only in range. */
  shift(): Snippet {
    const r = this.rng;
    const width: Width = r.chance(0.5) ? 64 : 32;
    const op = r.pick(SHIFT_OPS);
    const dst = this.work();
    const insns: Insn[] = [];
    if (r.chance(0.3)) insns.push(lddw(dst, r.pick(EDGE64)));
    if (r.chance(0.5)) {
      insns.push(alu(width, op, dst, imm(this.legalImm(op, width))));
    } else {
      const src = this.work();
      if (src !== dst && r.chance(0.7)) {
        const amount = r.pick([0, 1, 31, 32, 33, 63, 64, 65, 127, 128, -1, -32, r.between(0, 255)]);
        insns.push(r.chance(0.5) ? alu(64, 'mov', src, imm(amount)) : lddw(src, (r.u64() & ~0xffn) | BigInt(amount & 0xff)));
      }
      insns.push(alu(width, op, dst, reg(src)));
    }
    return { insns, results: [dst] };
  }

  endian(): Snippet {
    const r = this.rng;
    const dst = this.work();
    const insns: Insn[] = [];
    if (r.chance(0.3)) insns.push(lddw(dst, r.u64()));
    insns.push({ kind: 'end', order: r.pick(['le', 'be', 'bswap'] as const), bits: r.pick([16, 32, 64] as const), dst });
    return { insns, results: [dst] };
  }

  /** movsx 8/16(/32) and sign-extending loads of values whose sign bit is set or just clear. */
  signext(): Snippet {
    const r = this.rng;
    const dst = this.work();
    if (r.chance(0.5)) {
      const width: Width = r.chance(0.5) ? 64 : 32;
      const bits = width === 64 ? r.pick([8, 16, 32] as const) : r.pick([8, 16] as const);
      const src = this.readable();
      const insns: Insn[] = [];
      if (src !== ACC && r.chance(0.5)) insns.push(lddw(src, (r.u64() & ~0xffff_ffffn) | BigInt(r.pick(EDGE32) >>> 0)));
      insns.push({ kind: 'movsx', width, bits, dst, src });
      return { insns, results: [dst] };
    }
    const size = r.pick([1, 2, 4] as const);
    const off = this.areaOffset(size);
    const insns: Insn[] = [];
    if (r.chance(0.6)) insns.push(store(size, off, imm(r.pick(EDGE32))));
    insns.push(load(size, true, dst, off));
    return { insns, results: [dst] };
  }

  /** A store (immediate or register, any size) and usually a load overlapping it. */
  stack(): Snippet {
    const r = this.rng;
    const size = r.pick(SIZES);
    const off = this.areaOffset(size);
    const insns: Insn[] = [store(size, off, r.chance(0.5) ? imm(this.imm32()) : reg(this.readable()))];
    const results: Reg[] = [];
    if (r.chance(0.8)) {
      const loadSize = r.pick(SIZES);
      const slotBase = off - (((off % 8) + 8) % 8);
      // Reading back from the slot just written exercises partial overlaps of sizes.
      const loadOff = r.chance(0.7) ? slotBase + loadSize * r.below(8 / loadSize) : this.areaOffset(loadSize);
      const dst = this.work();
      insns.push(load(loadSize, loadSize !== 8 && r.chance(0.4), dst, loadOff));
      results.push(dst);
    }
    return { insns, results };
  }

  /**
   * A forward conditional jump of any condition, width and operand source over a few
   * instructions, or an if/else diamond closed by `goto`/`gotol`. Never an unconditional jump
   * over code nothing else reaches: verifier.c check_cfg refuses unreachable instructions.
   */
  jump(): Snippet {
    const r = this.rng;
    const width: Width = r.chance(0.5) ? 64 : 32;
    const dst = this.work();
    const insns: Insn[] = [];
    const known = r.chance(0.5) ? r.pick(COMPARE64) : undefined;
    if (known !== undefined) insns.push(lddw(dst, known));
    let src: Operand;
    if (r.chance(0.5)) {
      const s = this.readable();
      if (s !== ACC && s !== dst && r.chance(0.5)) insns.push(lddw(s, r.chance(0.3) && known !== undefined ? known : r.pick(COMPARE64)));
      src = reg(s);
    } else if (known !== undefined && r.chance(0.4)) {
      // The immediate equal to dst's low half: equal in 32 bits, and in 64 only when dst is
      // that half sign-extended (JMP sign-extends imm).
      src = imm(Number(BigInt.asIntN(32, known)));
    } else {
      src = imm(r.chance(0.6) ? r.pick([0, 1, 2, -1, -2, I32_MIN, I32_MAX]) : this.imm32());
    }
    const cond = r.pick(CONDS);
    const skipped = this.jumpBody();
    const otherwise = r.chance(0.3) ? this.jumpBody() : undefined;
    if (otherwise) {
      const ja: Insn = { kind: 'ja', long: r.chance(0.5), off: slots(otherwise) };
      insns.push({ kind: 'jcond', width, cond, dst, src, off: slots(skipped) + 1 }, ...skipped, ja, ...otherwise);
    } else {
      insns.push({ kind: 'jcond', width, cond, dst, src, off: slots(skipped) }, ...skipped);
    }
    // Which way the jump went shows in the registers the skipped code writes.
    const results = new Set([...skipped, ...(otherwise ?? [])].flatMap(writtenBy));
    return { insns, results: [...results] };
  }

  /**
   * A counted loop: a backward conditional jump. The verifier accepts it because the counter
   * is a known constant that falls to zero, so it can walk every iteration (bounded loops,
   * Linux 5.3+, privileged loaders only); the body mixes into r0 on every pass.
   */
  loop(): Snippet {
    const r = this.rng;
    const counter = this.work();
    const body: Insn[] = [];
    const n = r.between(1, 3);
    while (body.length < 2 * n) {
      const insn = this.aluInsn(r.chance(0.5) ? 64 : 32);
      if (writtenBy(insn).includes(counter)) continue;
      body.push(insn, ...this.mix(writtenBy(insn)[0] ?? counter));
    }
    const step = r.chance(0.5) ? alu(64, 'sub', counter, imm(1)) : alu(64, 'add', counter, imm(-1));
    const back = -(slots(body) + 2);
    const width: Width = r.chance(0.5) ? 64 : 32;
    const insns: Insn[] = [
      lddw(counter, BigInt(r.between(1, 6))),
      ...body,
      step,
      { kind: 'jcond', width, cond: r.pick(['jne', 'jsgt', 'jgt'] as const), dst: counter, src: imm(0), off: back },
    ];
    return { insns, results: [] };
  }

  /** Up to four instructions for a jump to skip (zero makes a jump to the next instruction). */
  jumpBody(): Insn[] {
    const insns: Insn[] = [];
    const n = this.rng.pick([0, 1, 1, 2, 2, 3, 4]);
    for (let i = 0; i < n; i++) {
      insns.push(this.rng.chance(0.15) ? lddw(this.work(), this.value64()) : this.aluInsn(this.rng.chance(0.5) ? 64 : 32));
    }
    return insns;
  }

  /** Atomics on the data area. cmpxchg needs r0, so the accumulator steps aside meanwhile. */
  atomic(): Snippet {
    const r = this.rng;
    const size = r.pick([4, 8] as const);
    const off = this.areaOffset(size);
    const op = r.pick(ATOMIC_OPS);
    const src = this.work();
    if (op !== 'cmpxchg') {
      const fetch = op === 'xchg' || r.chance(0.6);
      return { insns: [{ kind: 'atomic', size, op, fetch, base: FP, off, src }], results: fetch ? [src] : [] };
    }
    const insns: Insn[] = [store(8, STASH_OFF, reg(ACC))];
    const roll = r.below(100);
    // Make the comparison succeed about half the time by loading the current memory value;
    // for 32-bit, a 64-bit load from the slot start matches in the low half only.
    if (roll < 40) insns.push(load(size, false, ACC, off));
    else if (roll < 55 && size === 4 && off % 8 === 0) insns.push(load(8, false, ACC, off));
    else if (roll < 80) insns.push(alu(64, 'mov', ACC, reg(this.work())));
    else insns.push(lddw(ACC, this.value64()));
    const old = this.work();
    insns.push(
      { kind: 'atomic', size, op: 'cmpxchg', fetch: true, base: FP, off, src },
      alu(64, 'mov', old, reg(ACC)),
      load(8, false, ACC, STASH_OFF),
    );
    return { insns, results: [old] };
  }

  constant(): Snippet {
    const dst = this.work();
    return { insns: [lddw(dst, this.value64())], results: [] };
  }

  snippet(kind: SnippetKind): Snippet {
    switch (kind) {
      case 'alu64':
        return this.aluSnippet(64);
      case 'alu32':
        return this.aluSnippet(32);
      case 'divmod':
        return this.divmod();
      case 'shift':
        return this.shift();
      case 'endian':
        return this.endian();
      case 'signext':
        return this.signext();
      case 'stack':
        return this.stack();
      case 'jump':
        return this.rng.chance(0.15) ? this.loop() : this.jump();
      case 'atomic':
        return this.atomic();
      case 'const':
        return this.constant();
    }
  }
}

/** Registers an instruction of a generated body writes (no calls appear in bodies). */
function writtenBy(insn: Insn): Reg[] {
  switch (insn.kind) {
    case 'alu':
    case 'movsx':
    case 'neg':
    case 'end':
    case 'ldimm64':
    case 'load':
      return [insn.dst];
    default:
      return [];
  }
}

const MIXED_KINDS: readonly SnippetKind[] = ['alu64', 'alu32', 'divmod', 'shift', 'endian', 'signext', 'stack', 'jump', 'atomic', 'const'];

/**
 * A program body for `seed`: initialisation of r0-r8 and the data area, 16-40 snippets of
 * `kind` (with some constants and plain ALU mixed in so values stay varied), and a final fold
 * of r1-r8 and the data area into r0. The body does not exit; the harness appends the ending.
 */
export function generateProgram(seed: number, kind: ProgramKind): Insn[] {
  const rng = new Rng(seed);
  const b = new BodyBuilder(rng);
  const out = b.insns;
  for (const r of READABLE) out.push(lddw(r, b.value64()));
  for (let off = -AREA_BYTES; off < 0; off += 8) {
    out.push(rng.chance(0.7) ? store(8, off, reg(b.readable())) : store(8, off, imm(b.imm32())));
  }
  const steps = rng.between(16, 40);
  for (let i = 0; i < steps; i++) {
    let k: SnippetKind;
    if (kind === 'mixed') k = rng.pick(MIXED_KINDS);
    else if (rng.chance(0.75)) k = kind;
    else k = rng.pick(['const', 'alu64', 'alu32'] as const);
    const s = b.snippet(k);
    out.push(...s.insns);
    for (const r of s.results) out.push(...b.mix(r));
  }
  for (const r of WORK) out.push(...b.mix(r));
  for (let off = -AREA_BYTES; off < 0; off += 8) {
    out.push(load(8, false, 1, off), ...b.mix(1));
  }
  return out;
}
