// The kernel's declarations as the verifier reads them (engine/kernel/decls, the only part of
// the kernel it may import): helper prototypes, kfunc argument and return types with their
// flags in a profile, what a context load yields, and the fields of kernel structs with the
// trust a pointer read from them carries.

import {
  contextDesc,
  ctxAccess as ctxFieldAccess,
  fieldAt,
  helperName as nameOfHelper,
  helperProgTypes,
  helperPrototype,
  isScalarStruct,
  kernelTypeOf,
  kfuncDecl,
  XDP_METADATA_KFUNCS,
  type AccessSize,
  type HelperDecl,
  type KfFlag,
  type KfuncType,
  type PtrTrust,
} from '../kernel/decls/index.ts';
import type { KernelProfile } from '../kernel/profiles.ts';
import type { ProgType, SectionKind } from '../program/program.ts';

export interface HelperView {
  readonly decl: HelperDecl;
  allowed(t: ProgType): boolean;
}

export function helperById(id: number, profile: KernelProfile): HelperView | undefined {
  const d = helperPrototype(id);
  if (!d) return undefined;
  const types = helperProgTypes(d, profile);
  return { decl: d, allowed: (t) => types === 'any' || types.includes(t) };
}

export function helperName(id: number): string | undefined {
  return nameOfHelper(id);
}

export type TypedArg =
  | { readonly kind: 'scalar' }
  | { readonly kind: 'size' }
  | { readonly kind: 'ptr'; readonly struct: string; readonly nullable: boolean }
  | { readonly kind: 'mem'; readonly sizeArg?: number; readonly size?: number }
  | { readonly kind: 'kptr_slot'; readonly struct: string }
  | { readonly kind: 'ctx' };

export type TypedRet = { readonly kind: 'void' } | { readonly kind: 'scalar' } | { readonly kind: 'ptr'; readonly struct: string };

export interface KfuncView {
  readonly name: string;
  readonly args: readonly TypedArg[];
  readonly ret: TypedRet;
  readonly flags: ReadonlySet<KfFlag>;
  readonly metadata: boolean;
  /** Program types it is registered for, in this profile. */
  readonly progTypes: readonly ProgType[];
}

function argOf(t: KfuncType): TypedArg {
  switch (t.kind) {
    case 'void':
    case 'scalar':
      return { kind: 'scalar' };
    case 'mem_size':
      return { kind: 'size' };
    case 'ptr':
      // The type as the kernel names it: an `X___init` argument takes only an `X___init` (btf_type_ids_nocast_alias, checked at the call).
      return { kind: 'ptr', struct: t.btf, nullable: t.nullable === true };
    case 'ctx':
      return { kind: 'ctx' };
    case 'mem':
      return { kind: 'mem', ...(t.sizeArg === undefined ? {} : { sizeArg: t.sizeArg }), ...(t.size === undefined ? {} : { size: t.size }) };
    case 'kptr_slot':
      return { kind: 'kptr_slot', struct: t.btf };
  }
}

function retOf(t: KfuncType): TypedRet {
  if (t.kind === 'void') return { kind: 'void' };
  if (t.kind === 'ptr') return { kind: 'ptr', struct: t.btf };
  return { kind: 'scalar' };
}

export function kfuncById(id: number, profile: KernelProfile): KfuncView | undefined {
  const d = kfuncDecl(id);
  const p = d?.profiles[profile];
  if (!d || !p) return undefined;
  return { name: d.name, args: d.args.map((a) => argOf(a.type)), ret: retOf(d.ret), flags: new Set(p.flags), metadata: XDP_METADATA_KFUNCS.has(d.name), progTypes: p.progTypes };
}

export type CtxYield = { readonly kind: 'scalar' } | { readonly kind: 'pkt' | 'pkt_end' | 'pkt_meta' | 'sock_common_or_null' } | { readonly kind: 'btf'; readonly struct: string; readonly trusted: boolean; readonly nullable: boolean };

/** check_ctx_access: what a load (or store) of the context at `off` yields; undefined: refused. */
export function ctxAccess(kind: SectionKind, profile: KernelProfile, off: number, size: AccessSize, access: 'read' | 'write'): { readonly yields: CtxYield } | undefined {
  const desc = contextDesc(kind, profile);
  if (!desc) return undefined;
  const f = ctxFieldAccess(desc, off, size, access);
  if (!f) return undefined;
  if (f === 'user_mem') return { yields: { kind: 'scalar' } };
  const y = f.yields;
  if (y === 'scalar') return { yields: { kind: 'scalar' } };
  if (y === 'sock_common_or_null') return size === 8 ? { yields: { kind: y } } : { yields: { kind: 'scalar' } };
  if (y === 'pkt' || y === 'pkt_end' || y === 'pkt_meta') return size === f.size ? { yields: { kind: y } } : { yields: { kind: 'scalar' } };
  return { yields: { kind: 'btf', struct: y.btf, trusted: y.flags.includes('trusted'), nullable: y.flags.includes('or_null') } };
}

export type BtfField =
  | { readonly kind: 'beyond' }
  | { readonly kind: 'scalar' }
  | { readonly kind: 'misaligned'; readonly member: string; readonly end: number }
  | { readonly kind: 'ptr'; readonly struct: string; readonly trust: PtrTrust };

/** The field of a kernel struct an access at `off` reads (check_ptr_to_btf_access / btf_struct_access). */
export function btfFieldAt(struct: string, off: number, size: number, profile: KernelProfile): BtfField {
  const s = kernelTypeOf(struct);
  if (!s || off + size > s.size) return { kind: 'beyond' };
  const f = fieldAt(struct, off);
  if (!f) return { kind: 'scalar' };
  if (f.type.kind === 'ptr') {
    if (off !== f.offset || size !== 8) return { kind: 'misaligned', member: f.name, end: f.offset + f.size };
    return { kind: 'ptr', struct: f.type.to, trust: f.trust?.[profile] ?? 'untrusted' };
  }
  return { kind: 'scalar' };
}

/** A kptr of this type loaded inside an RCU section is RCU-protected (6.4 on). */
export function kptrRcu(struct: string, profile: KernelProfile): boolean {
  return kernelTypeOf(struct)?.kptrRcu[profile] ?? false;
}

/** Memory of plain data may be passed for this struct (__btf_type_is_scalar_struct). */
export function scalarStruct(struct: string): boolean {
  return isScalarStruct(struct);
}

/** The size of a kernel struct in the simulated kernel's BTF (0 when unknown). */
export function structSize(struct: string): number {
  return kernelTypeOf(struct)?.size ?? 0;
}
