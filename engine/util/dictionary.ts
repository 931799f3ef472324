// Frozen lookup tables without a prototype. A table keyed by names a user can type (helpers,
// kfuncs, directives) must answer `toString`, `constructor` or `__proto__` like any other unknown
// name — `undefined` — not with what Object.prototype inherits.

/** `entries` copied into a frozen object whose prototype is null. */
export function dictionary<T>(entries: Readonly<Record<string, T>>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}
