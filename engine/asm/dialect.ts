// The contract between the assembler and a dialect: parse one instruction's tokens into a
// typed instruction (plus a symbolic reference to resolve later), and print one back.

import type { Insn } from '../isa/index.ts';
import type { Cursor, Span } from './cursor.ts';

export type DialectName = 'llvm' | 'ubpf';

/** A symbolic operand the assembler resolves once every label and map is known. */
export type Fixup =
  /** Jump target label: sets `off` (or the 32-bit offset of gotol). */
  | { readonly kind: 'jump'; readonly label: string; readonly span: Span }
  /** `call NAME`: a label of the section (BPF-to-BPF), else a helper, else a kfunc. */
  | { readonly kind: 'call'; readonly name: string; readonly span: Span }
  /** `call local LABEL` (ubpf) or an explicit BPF-to-BPF call. */
  | { readonly kind: 'local-call'; readonly label: string; readonly span: Span }
  /** `rX = MAP ll`: BPF_PSEUDO_MAP_FD of a `.map`. */
  | { readonly kind: 'map'; readonly name: string; readonly span: Span };

export interface ParsedInsn {
  readonly insn: Insn;
  readonly fixup?: Fixup;
}

export interface FormatOptions {
  /** Slot of the instruction (for printing absolute targets, if a dialect wants them). */
  readonly pc: number;
}

export interface Dialect {
  readonly name: DialectName;
  /**
   * Parses one instruction; the cursor holds the line's tokens after any labels. Reports
   * problems through the cursor's context and returns undefined when it cannot parse.
   */
  parse(cursor: Cursor): ParsedInsn | undefined;
  /** Text of one instruction; `parse` of that text gives the same encoding back. */
  format(insn: Insn, options: FormatOptions): string;
  /** Labels a dialect defines without a `name:` line (ubpf: `exit`, the first exit). */
  implicitLabel?(name: string, insns: readonly (Insn | null)[]): number | undefined;
}
