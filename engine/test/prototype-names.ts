// Object.prototype's property names, for tests that every lookup keyed by user text treats them
// as ordinary names: each case runs once with such a name and once with an ordinary name of the
// same length, and the results must agree once the name is swapped out.

export const PROTOTYPE_NAMES: readonly string[] = Object.getOwnPropertyNames(Object.prototype);

/** A name no table holds and no "did you mean" is near; same length, so columns agree. */
export function ordinaryName(name: string): string {
  return `q${'z'.repeat(name.length - 1)}`;
}

/** `text` with `name` (as written, or lower-cased as ubpf mnemonics are) swapped for ordinaryName(name). */
export function normalize(text: string, name: string): string {
  const ordinary = ordinaryName(name);
  return text.split(name).join(ordinary).split(name.toLowerCase()).join(ordinary);
}
