// Shrinks a failing program body to a small one that still fails, so a differential report
// shows a handful of instructions instead of two hundred: removes ever smaller blocks of
// instructions, re-aiming the jumps that cross a removed block, and keeps each removal the
// failure survives (a removal the verifier refuses simply does not survive).

import type { Insn } from '../../isa/index.ts';
import { slotCount } from '../../isa/index.ts';

/** `body` without instructions [from, to), every jump re-aimed at the same instruction (or the next survivor). */
export function withoutInsns(body: readonly Insn[], from: number, to: number): Insn[] {
  const start: number[] = [];
  let slot = 0;
  for (const insn of body) {
    start.push(slot);
    slot += slotCount(insn);
  }
  start.push(slot);
  const cutStart = start[from] ?? slot;
  const cutSlots = (start[to] ?? slot) - cutStart;
  // Slot positions after the cut: anything at or past the cut's end moves down by its size;
  // a target inside the cut lands on the first instruction after it.
  const moved = (s: number): number => (s >= cutStart + cutSlots ? s - cutSlots : Math.min(s, cutStart));
  const out: Insn[] = [];
  body.forEach((insn, i) => {
    if (i >= from && i < to) return;
    if (insn.kind !== 'ja' && insn.kind !== 'jcond' && insn.kind !== 'may_goto') {
      out.push(insn);
      return;
    }
    const next = (start[i] ?? 0) + slotCount(insn);
    out.push({ ...insn, off: moved(next + insn.off) - moved(next) });
  });
  return out;
}

/**
 * The smallest body found (greedily) for which `fails` still holds. `fails` must hold for
 * `body` itself; it is asked about each candidate in turn.
 */
export async function shrinkBody(body: readonly Insn[], fails: (candidate: Insn[]) => Promise<boolean>): Promise<Insn[]> {
  let best = [...body];
  for (let block = 64; block >= 1; block = Math.floor(block / 2)) {
    // From the end backwards: late instructions depend on early ones, rarely the reverse.
    for (let from = best.length - block; from > -block; from -= block) {
      const lo = Math.max(0, from);
      const candidate = withoutInsns(best, lo, from + block);
      if (candidate.length < best.length && (await fails(candidate))) best = candidate;
    }
  }
  return best;
}
