// The LLVM dialect (placeholder until the LLVM-dialect work lands).
import type { Dialect } from './dialect.ts';

export const llvmDialect: Dialect = {
  name: 'llvm',
  parse: (c) => {
    c.fail('the LLVM dialect parser is not written yet');
    return undefined;
  },
  format: (insn) => JSON.stringify(insn),
};
