// BTF for the playground: read .BTF / .BTF.ext sections of clang objects, ask them about maps,
// kfuncs, functions and field offsets, and write them back for exported objects.

export * from './btf.ts';
export { readBtf, readBtfExt } from './reader.ts';
export { MAX_RESOLVE_DEPTH, memberOffset, resolve, typeById, typeSize, type FieldLocation } from './layout.ts';
export { mapDefinitions, type BtfKptrField, type BtfMapDefinition, type BtfMapError, type KptrTag } from './map-definitions.ts';
export { functionNames, kfuncExterns, type BtfFunction } from './functions.ts';
export { BtfBuilder, type MapSpec, type MemberSpec } from './writer.ts';
