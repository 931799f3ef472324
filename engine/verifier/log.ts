// The verifier log as the kernel writes it (kernel/bpf/log.c): appended text with positions,
// reset to a saved position when a level-1 log abandons a finished path, and the alignment of
// the `; state` column after an instruction.

import type { LogLevel } from './api.ts';

/** BPF_LOG_MIN_ALIGNMENT and BPF_LOG_ALIGNMENT of kernel/bpf/log.c. */
const MIN_ALIGNMENT = 8;
const ALIGNMENT = 40;

export class VerifierLog {
  private text = '';
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
    return this.text.length;
  }

  write(s: string): void {
    if (this.level > 0) this.text += s;
  }

  reset(pos: number): void {
    if (pos < this.text.length) this.text = this.text.slice(0, Math.max(0, pos));
  }

  /** vlog_alignment: the padding that puts `;` in a column after the instruction text. */
  alignment(pos: number): number {
    const target = Math.max(pos + MIN_ALIGNMENT / 2, ALIGNMENT);
    return Math.ceil(target / MIN_ALIGNMENT) * MIN_ALIGNMENT - pos - 1;
  }

  toString(): string {
    return this.text;
  }
}
