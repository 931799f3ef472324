// The LLVM dialect: what llvm-mc-19 -triple bpfel -mcpu=v4 accepts and llvm-objdump-19 -d
// --mcpu=v4 prints, plus the playground's `call NAME`, `rX = MAP ll` and STRUCT.FIELD.
import type { Dialect } from './dialect.ts';
import { formatLlvm } from './llvm-format.ts';
import { parseLlvm } from './llvm-parse.ts';

export const llvmDialect: Dialect = {
  name: 'llvm',
  parse: parseLlvm,
  format: (insn) => formatLlvm(insn),
};
