// The seeded PRNG moved to engine/util/rng.ts (the counterexample search uses it too).
export { Rng } from '../../util/rng.ts';

/** A non-negative integer from the environment (a seed or a count of a seeded test), or the fallback. */
export function envInt(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name}=${text} is not a non-negative integer`);
  return n;
}
