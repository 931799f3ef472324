// The traffic generator's PRNG: xoshiro128** (Blackman and Vigna, 2018), 32-bit state words in
// an Int32Array, seeded through splitmix32 so nearby seeds give unrelated streams. Deterministic
// on every JavaScript engine: only 32-bit integer operations.

/** One step of splitmix32 (a Weyl sequence through the MurmurHash3 finaliser): [output, next state]. */
export function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [(z ^ (z >>> 16)) >>> 0, next];
}

export class Xoshiro128 {
  /**
   * s0..s3 in an Int32Array: as object fields, 32-bit words beyond V8's small integers were
   * boxed doubles, unboxed and boxed again on every draw (a few ns per packet, measured).
   */
  private readonly s = new Int32Array(4);

  constructor(seed: number) {
    let state = seed >>> 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [out, next] = splitmix32(state);
      words.push(out);
      state = next;
    }
    this.setState(words);
  }

  /** Sets the four state words directly (not all zero: that state is a fixed point). */
  setState(words: readonly number[]): void {
    const s = this.s;
    for (let i = 0; i < 4; i++) s[i] = words[i] ?? 0;
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  }

  /** The next 32-bit output, as an unsigned number. */
  nextU32(): number {
    const s = this.s;
    const s0 = s[0] ?? 0;
    const s1 = s[1] ?? 0;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const s2 = (s[2] ?? 0) ^ s0;
    const s3 = (s[3] ?? 0) ^ s1;
    s[0] = s0 ^ s3;
    s[1] = s1 ^ s2;
    s[2] = s2 ^ (s1 << 9);
    s[3] = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** An integer in [0, n) for 1 ≤ n ≤ 2^21 by multiply-shift (bias below n / 2^32, exact in a double). */
  below(n: number): number {
    return Math.floor((this.nextU32() * n) / 4294967296);
  }

  /** A float in [0, 1) with 32 random bits. */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }
}
