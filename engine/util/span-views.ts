// Remembered subarray views. `dst.set(src.subarray(a, b), at)` makes a view object per call,
// which costs more than the copy itself for packet-sized spans (about 50 ns against 30 on the
// machine the benchmark runs on, `npm run bench`) and feeds the garbage collector; per-packet
// copies ask this small direct-mapped cache for the view instead.

const SLOTS = 64;

export class SpanViews {
  private source: Uint8Array | undefined;
  private readonly starts = new Int32Array(SLOTS).fill(-1);
  private readonly ends = new Int32Array(SLOTS).fill(-1);
  private readonly views: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(SLOTS).fill(undefined);

  /** source[start, end) as a view, made once per span (again when `source` is another array). */
  of(source: Uint8Array, start: number, end: number): Uint8Array {
    if (source !== this.source) {
      this.source = source;
      this.starts.fill(-1);
    }
    const slot = (Math.imul(start, 31) ^ end) & (SLOTS - 1);
    const view = this.views[slot];
    if (view !== undefined && this.starts[slot] === start && this.ends[slot] === end) return view;
    const made = source.subarray(start, end);
    this.starts[slot] = start;
    this.ends[slot] = end;
    this.views[slot] = made;
    return made;
  }
}
