// The verifier log as the kernel writes it (kernel/bpf/log.c): appended text with positions,
// reset to a saved position when a level-1 log abandons a finished path, and the alignment of
// the `; state` column after an instruction.

import type { LogLevel } from './api.ts';

/** BPF_LOG_MIN_ALIGNMENT and BPF_LOG_ALIGNMENT of kernel/bpf/log.c. */
const MIN_ALIGNMENT = 8;
const ALIGNMENT = 40;
/** Lines kept at level 0 for a refusal's context (VerifyError.context). */
const RECENT_LINES = 4;

export class VerifierLog {
  /** The text in pieces: resets cut from the end, so the whole is never copied. */
  private readonly parts: string[] = [];
  private length = 0;
  /** Where the last instruction's line ended (env->prev_log_pos); 0: none. */
  prevLogPos = 0;
  /** Length of the last instruction's text (env->prev_insn_print_pos). */
  prevInsnPrintPos = 0;

  constructor(readonly level: LogLevel) {}

  get on(): boolean {
    return this.level > 0;
  }

  get level2(): boolean {
    return this.level >= 2;
  }

  get end(): number {
    return this.length;
  }

  /** At level 0: the last few lines written (what a log would end with), see `recent`. */
  private readonly lastLines: string[] = [];

  write(s: string): void {
    if (!s) return;
    if (this.level === 0) {
      this.lastLines.push(s);
      if (this.lastLines.length > RECENT_LINES) this.lastLines.shift();
      return;
    }
    this.parts.push(s);
    this.length += s.length;
  }

  /** bpf_vlog_reset: the log as it was when it was `pos` long. */
  reset(pos: number): void {
    const target = Math.max(0, pos);
    while (this.length > target) {
      const last = this.parts.pop();
      if (last === undefined) break;
      this.length -= last.length;
      if (this.length < target) {
        const keep = last.slice(0, target - this.length);
        this.parts.push(keep);
        this.length += keep.length;
      }
    }
  }

  /** vlog_alignment: the padding that puts `;` in a column after the instruction text. */
  alignment(pos: number): number {
    const target = Math.max(pos + MIN_ALIGNMENT / 2, ALIGNMENT);
    return Math.ceil(target / MIN_ALIGNMENT) * MIN_ALIGNMENT - pos - 1;
  }

  /** At level 0, the last lines written (nothing is kept otherwise: the log holds them). */
  recent(): string {
    return this.lastLines.join('');
  }

  toString(): string {
    const text = this.parts.join('');
    this.parts.length = 0;
    this.parts.push(text);
    return text;
  }
}
