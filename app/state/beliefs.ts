// "Beliefs beside reality": what the verifier believed at each step of a refusal's path
// (VerdictError.states) beside the registers a run of the program saw there (traceAlong), and
// whether any concrete value lies outside what the verifier believed — that would be a bug of
// the verifier (or of the interpreter): there should be none. Pure functions of plain data.

import type { ConcreteReg, RegBelief, ScalarBelief } from '../../engine/worker/protocol.ts';

/**
 * How a concrete 64-bit value falls outside a scalar's believed bounds and tnum, in words; empty
 * when it lies within every one of them.
 */
export function outsideBelief(b: ScalarBelief, seen: Pick<ConcreteReg, 'unsigned'>): string[] {
  const u = BigInt.asUintN(64, BigInt(seen.unsigned));
  const s = BigInt.asIntN(64, u);
  const u32 = Number(u & 0xffff_ffffn);
  const s32 = u32 | 0;
  const out: string[] = [];
  if (u < BigInt(b.umin)) out.push(`below umin ${b.umin}`);
  if (u > BigInt(b.umax)) out.push(`above umax ${b.umax}`);
  if (s < BigInt(b.smin)) out.push(`below smin ${b.smin}`);
  if (s > BigInt(b.smax)) out.push(`above smax ${b.smax}`);
  if (u32 < b.u32min) out.push(`below umin32 ${b.u32min}`);
  if (u32 > b.u32max) out.push(`above umax32 ${b.u32max}`);
  if (s32 < b.s32min) out.push(`below smin32 ${b.s32min}`);
  if (s32 > b.s32max) out.push(`above smax32 ${b.s32max}`);
  const value = BigInt(b.value);
  const mask = BigInt(b.mask);
  if ((u & ~mask & 0xffff_ffff_ffff_ffffn) !== value) out.push(`bits known by the tnum (${b.value}; ${b.mask}) differ`);
  return out;
}

/** One register of a step: the belief, the value seen (when compared) and what disagrees. */
export interface RegRow {
  readonly reg: number;
  readonly belief?: RegBelief;
  readonly seen?: ConcreteReg;
  /** For a scalar: how the seen value lies outside the belief (empty: within it). */
  readonly outside: readonly string[];
}

/** The rows of a step: each register the verifier believed initialized, with what the run saw. */
export function regRows(beliefs: readonly RegBelief[], seen: readonly ConcreteReg[] | undefined): RegRow[] {
  return beliefs.map((belief) => {
    const value = seen?.find((c) => c.reg === belief.reg);
    const outside = value && belief.scalar ? outsideBelief(belief.scalar, value) : [];
    return { reg: belief.reg, belief, ...(value ? { seen: value } : {}), outside };
  });
}
