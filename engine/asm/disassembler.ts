// Bytecode to text in either dialect: one line per instruction, decode errors as lines too.

import { decodeProgram, type Insn, type IsaLevel, type IsaError } from '../isa/index.ts';
import type { DialectName } from './dialect.ts';
import { dialectByName } from './dialects.ts';

export interface DisassembleOptions {
  readonly dialect?: DialectName;
  readonly isa?: IsaLevel;
}

export interface DisassembledLine {
  readonly pc: number;
  /** 1 or 2 slots. */
  readonly slots: number;
  readonly insn?: Insn;
  /** The instruction's text, or for an undecodable slot `<unknown>`. */
  readonly text: string;
  readonly error?: IsaError;
}

export function disassemble(bytes: Uint8Array, options: DisassembleOptions = {}): { lines: DisassembledLine[]; errors: IsaError[] } {
  const dialect = dialectByName(options.dialect ?? 'llvm');
  const decoded = decodeProgram(bytes, options.isa ?? 4);
  const errorsAt = new Map(decoded.errors.map((e) => [e.pc, e]));
  const lines: DisassembledLine[] = [];
  decoded.insns.forEach((insn, pc) => {
    if (insn) {
      lines.push({ pc, slots: insn.kind === 'ldimm64' ? 2 : 1, insn, text: dialect.format(insn, { pc }) });
      return;
    }
    const error = errorsAt.get(pc);
    if (error) lines.push({ pc, slots: 1, text: '<unknown>', error });
  });
  return { lines, errors: [...decoded.errors] };
}
