// Public face of the assembler: assemble text, disassemble bytes, in either dialect.
export { assemble, type AssembleOptions, type AssembleResult } from './assembler.ts';
export { disassemble, type DisassembleOptions, type DisassembledLine } from './disassembler.ts';
export { objectSource, type ObjectSource, type OpenedObject } from './object-source.ts';
export { detectDialect, dialectByName } from './dialects.ts';
export type { DialectName } from './dialect.ts';
export { kernelSymbols, HINT_BUDGET, type AsmSymbols, type SuggestionWork } from './symbols.ts';
export { MAX_DIAGNOSTICS, MAX_DIAGNOSTICS_PER_LINE } from './diagnostic-sink.ts';
export {
  INSTRUCTION_DOCS,
  FUNCTION_DOCS,
  REGISTER_DOCS,
  DIRECTIVE_DOCS,
  STRUCT_DOCS,
  describeLine,
  type InstructionDoc,
  type FunctionDoc,
  type DirectiveDoc,
} from './reference.ts';
export type { Diagnostic, Severity } from '../program/diagnostic.ts';
export type { Section, SourceSpan, MapDecl, ProgType } from '../program/program.ts';
export { lex, type Token, type SourceLine } from './lexer.ts';
export { parseHexBytes, toHex } from '../program/hex.ts';
export { decodeProgram } from '../isa/codec.ts';
