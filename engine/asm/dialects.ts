// The two dialects by name, and the rule that picks one for a file.

import type { Dialect, DialectName } from './dialect.ts';
import type { SourceLine } from './lexer.ts';
import { llvmDialect } from './llvm.ts';
import { ubpfDialect } from './ubpf.ts';

export function dialectByName(name: DialectName): Dialect {
  return name === 'ubpf' ? ubpfDialect : llvmDialect;
}

/**
 * The first line that only one dialect could have written decides: `%r1` operands or a
 * mnemonic-first line (`mov …`, `ldxw …`) mean ubpf; `=`, `if … goto`, `*(` mean LLVM.
 * Lines both accept (`exit`, `call 1`) decide nothing; the default is LLVM.
 */
export function detectDialect(lines: readonly SourceLine[]): DialectName {
  for (const { tokens } of lines) {
    let k = 0;
    while (k + 1 < tokens.length && tokens[k]?.kind === 'ident' && tokens[k + 1]?.text === ':') k += 2;
    const t = k === 0 ? tokens : tokens.slice(k);
    const first = t[0];
    if (!first || (first.kind === 'ident' && first.text.startsWith('.'))) continue;
    if (t.some((x) => x.kind === 'reg')) return 'ubpf';
    if (t.some((x) => x.kind === 'punct' && /=/.test(x.text))) return 'llvm';
    if (first.kind === 'ident' && /^(if|goto|gotol|lock|callx)$/.test(first.text)) return 'llvm';
    if (first.kind === 'ident' && /^(mov|lddw|ldx|stx?|ja|j[a-z]+|add|sub|mul|div|sdiv|mod|smod|or|and|xor|lsh|rsh|arsh|neg|be|le|swap|bswap|movsx)/.test(first.text) && first.text !== 'exit')
      return 'ubpf';
  }
  return 'llvm';
}
