// Public face of the ISA: the instruction table, typed instructions and the codec.
export * from './opcodes.ts';
export * from './insn.ts';
export * from './table.ts';
export * from './codec.ts';
