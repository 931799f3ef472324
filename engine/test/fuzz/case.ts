// The fuzz harness's vocabulary: a surface is one public entry point of the product with a
// generator of inputs for it; a case is (surface, seed, index), which always makes the same
// input, so any case replays alone; a finding is what a case showed wrong.

import { Rng } from '../kernel/rng.ts';

export { Rng };

/**
 * exception: something thrown out of the public entry point; hang: a case over the time limit;
 * non-text: a message that is not a non-empty string (or is one made of a non-text value,
 * "[object Object]"); internal: an "internal error" or a stack trace shown to the user;
 * crash: the worker died (out of memory, a native stack overflow).
 */
export const FINDING_KINDS = ['exception', 'hang', 'non-text', 'internal', 'crash'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  readonly kind: FindingKind;
  /** One line: what was wrong and where (the field path, the message, the top stack frame). */
  readonly detail: string;
}

export interface Surface<I = unknown> {
  readonly name: string;
  /** One line for the report: which entry points the surface drives. */
  readonly about: string;
  /** The input of case `index`, from its own generator. */
  generate(rng: Rng, index: number): I;
  /**
   * Feeds the input to the product and returns what the product answered (plain data, walked
   * for messages afterwards). Throws only when the product threw.
   */
  run(input: I): unknown;
  /** The input in full, as text, for --replay. */
  show(input: I): string;
}

/** A case's generator: seeded by the surface, the run's seed and the index alone. */
export function caseRng(surface: string, seed: number, index: number): Rng {
  // FNV-1a over the three, so neighbouring indexes and seeds give unrelated streams.
  let h = 0x811c9dc5;
  for (const ch of `${surface}:${seed}:${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return new Rng(h >>> 0);
}

/** The command that reruns one case and prints its input. */
export function reproducer(surface: string, seed: number, index: number): string {
  return `npm run fuzz -- --replay ${surface}:${seed}:${index}`;
}

/** `text` on one line, cut to `max` characters. */
export function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** What a thrown value says, with the first stack frame inside the repository (where it was thrown). */
export function describeThrown(e: unknown): string {
  if (!(e instanceof Error)) return `threw ${typeof e}: ${oneLine(String(e))}`;
  const frame = (e.stack ?? '')
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .find((l) => /\/(engine|app)\//.test(l) && !l.includes('/test/fuzz/'));
  const where = frame ? ` (${frame.replace(/^at /, '').replace(/^.*\/((?:engine|app)\/)/, '$1').replace(/\)$/, '')})` : '';
  return `${e.name}: ${oneLine(e.message, 120)}${where}`;
}
