// The last few things a tier made, by the text they were made from (a compiled function by its
// source, a WebAssembly module by its bytes): a program loaded again gets what it had, already
// optimized by the engine, and the oldest goes when there are too many.

export class Recent<V> {
  private readonly items = new Map<string, V>();

  constructor(private readonly max: number) {}

  /** The item made from `key`, now the most recently used; undefined when there is none. */
  get(key: string): V | undefined {
    const v = this.items.get(key);
    if (v !== undefined) {
      this.items.delete(key);
      this.items.set(key, v);
    }
    return v;
  }

  /** Keeps `value` as the most recently used, dropping the least recently used past `max`. */
  set(key: string, value: V): void {
    this.items.delete(key);
    this.items.set(key, value);
    if (this.items.size > this.max) {
      const oldest = this.items.keys().next().value;
      if (oldest !== undefined) this.items.delete(oldest);
    }
  }
}
