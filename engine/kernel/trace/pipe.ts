// The trace pipe (/sys/kernel/tracing/trace_pipe): lines from bpf_trace_printk with the task,
// CPU and timestamp the kernel prefixes them with. Bounded, so a chatty loop cannot exhaust memory.

export interface TraceLine {
  /** Sequence number since the pipe was created (lines dropped beyond the cap keep counting). */
  readonly seq: number;
  readonly comm: string;
  readonly pid: number;
  readonly cpu: number;
  /** Virtual nanoseconds. */
  readonly ns: number;
  readonly text: string;
}

export class TracePipe {
  private lines: TraceLine[] = [];
  private next = 0;

  constructor(private readonly cap = 10_000) {}

  push(line: Omit<TraceLine, 'seq'>): void {
    this.lines.push({ ...line, seq: this.next++ });
    // Trimmed in batches, so a program printing for each of millions of packets stays O(1) a line.
    if (this.lines.length >= this.cap * 2) this.lines = this.lines.slice(this.lines.length - this.cap);
  }

  /** Lines beyond the cap are gone: the oldest kept line's seq. */
  private get first(): number {
    return Math.max(0, this.next - this.cap);
  }

  /** How many lines were dropped because the pipe overflowed. */
  get dropped(): number {
    return this.first;
  }

  /** Lines with seq >= `from` (the last `cap` at most). */
  since(from: number): TraceLine[] {
    const start = Math.max(from, this.first);
    const i = this.lines.findIndex((l) => l.seq >= start);
    return i < 0 ? [] : this.lines.slice(i);
  }

  get total(): number {
    return this.next;
  }

  clear(): void {
    this.lines = [];
    this.next = 0;
  }
}

/** The text of a line as `cat trace_pipe` shows it. */
export function formatTraceLine(l: TraceLine): string {
  const secs = (l.ns / 1e9).toFixed(6).padStart(12);
  return `${`${l.comm}-${l.pid}`.padStart(16)} [${String(l.cpu).padStart(3, '0')}] d..31 ${secs}: bpf_trace_printk: ${l.text}`;
}
