// The one door the verifier uses into the kernel: the declarations of what the simulated
// kernel offers and how it types things — helper prototypes, kfunc flags and typed arguments,
// context descriptors, kernel types with pointer-field trust. Plain data and pure lookups.

export type {
  CallbackArg,
  HelperArg,
  HelperArgDecl,
  HelperArgFlag,
  HelperCallback,
  HelperDecl,
  HelperRet,
  KfFlag,
  KfuncArg,
  KfuncDecl,
  KfuncInProfile,
  KfuncScalar,
  KfuncType,
} from '../decls.ts';
export { cTypeOf, helperArgs, helperMapArg, helperSizeArg, isNocastAlias, KFUNC_SCALARS, NOCAST_ALIAS_SUFFIX, signatureOf } from '../decls.ts';
export { HELPER_DECLS, helperProgTypes, helperPrototype } from '../helpers/prototypes.ts';
export { BPF_FUNC_MAX_ID, helperName, HELPER_IDS, UAPI_HELPER_IDS, UAPI_HELPER_NAMES } from '../helpers/ids.ts';
export { KFUNC_DECLS, XDP_METADATA_KFUNCS } from '../kfuncs/decls.ts';
export { kfuncByName, kfuncDecl, KFUNC_IDS } from '../kfuncs/ids.ts';
export type { FieldLayout, FieldType, StructLayout } from '../btf/layouts.ts';
export { fieldOf, structLayout, STRUCT_LAYOUTS, typeName } from '../btf/layouts.ts';
export type { AccessSize, BtfPtrFlag, ContextDesc, CtxAccess, CtxField, CtxYield, RawCtxDesc, StructCtxDesc, SyscallCtxDesc } from './context-desc.ts';
export { contextDesc, ctxAccess, TRACEPOINT_NAMES } from './context-desc.ts';
export type { KernelField, KernelType, PtrTrust } from './types.ts';
export { castsTo, fieldAt, fieldTrust, isScalarStruct, KERNEL_TYPES, kernelTypeOf } from './types.ts';
