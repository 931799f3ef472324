// Public face of the assembler: assemble text, disassemble bytes, in either dialect.
export { assemble, type AssembleOptions, type AssembleResult } from './assembler.ts';
export { disassemble, type DisassembleOptions, type DisassembledLine } from './disassembler.ts';
export { detectDialect, dialectByName } from './dialects.ts';
export type { DialectName } from './dialect.ts';
export { kernelSymbols, type AsmSymbols } from './symbols.ts';
