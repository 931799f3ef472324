// The BTF data model: one typed value per type record of a .BTF section (kinds as in
// include/uapi/linux/btf.h), plus the .BTF.ext records that point into a program's sections.

export const BTF_MAGIC = 0xeb9f;
export const BTF_VERSION = 1;
export const BTF_HEADER_LEN = 24;
/** The .BTF.ext header with the CO-RE relocation fields (older objects stop after line_info, at 24). */
export const BTF_EXT_HEADER_LEN = 32;

/** The kind numbers of `BTF_INFO_KIND`, indexed by kind name. */
export const BTF_KIND = {
  int: 1,
  ptr: 2,
  array: 3,
  struct: 4,
  union: 5,
  enum: 6,
  fwd: 7,
  typedef: 8,
  volatile: 9,
  const: 10,
  restrict: 11,
  func: 12,
  func_proto: 13,
  var: 14,
  datasec: 15,
  float: 16,
  decl_tag: 17,
  type_tag: 18,
  enum64: 19,
} as const;

export type BtfKind = keyof typeof BTF_KIND;

/** FUNC linkage (`enum btf_func_linkage`) and VAR linkage (`enum btf_var_linkage`) share 0..2. */
export type BtfLinkage = 'static' | 'global' | 'extern';
export const BTF_LINKAGES: readonly BtfLinkage[] = ['static', 'global', 'extern'];

export interface BtfMember {
  readonly name: string;
  readonly type: number;
  /** Offset from the start of the struct, in bits. */
  readonly bitOffset: number;
  /** Bitfield width in bits; 0 for an ordinary member. */
  readonly bitfieldSize: number;
}

export interface BtfParam {
  readonly name: string;
  readonly type: number;
}

export interface BtfEnumValue<V> {
  readonly name: string;
  readonly value: V;
}

export interface BtfSecinfo {
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}

/** The fields every type record has: its id (1-based; 0 is void), name and byte offset in .BTF. */
interface Base {
  readonly id: number;
  readonly name: string;
  /** Byte offset of the record in the .BTF section, for messages. */
  readonly offset: number;
}

export type BtfType =
  | { readonly kind: 'void'; readonly id: 0; readonly name: ''; readonly offset: 0 }
  | (Base & {
      readonly kind: 'int';
      readonly size: number;
      readonly signed: boolean;
      readonly char: boolean;
      readonly bool: boolean;
      readonly bitOffset: number;
      readonly bits: number;
    })
  | (Base & { readonly kind: 'ptr' | 'typedef' | 'volatile' | 'const' | 'restrict'; readonly type: number })
  | (Base & { readonly kind: 'array'; readonly type: number; readonly indexType: number; readonly nelems: number })
  | (Base & { readonly kind: 'struct' | 'union'; readonly size: number; readonly members: readonly BtfMember[] })
  | (Base & { readonly kind: 'enum'; readonly size: number; readonly signed: boolean; readonly values: readonly BtfEnumValue<number>[] })
  | (Base & { readonly kind: 'enum64'; readonly size: number; readonly signed: boolean; readonly values: readonly BtfEnumValue<bigint>[] })
  | (Base & { readonly kind: 'fwd'; readonly union: boolean })
  | (Base & { readonly kind: 'func'; readonly type: number; readonly linkage: BtfLinkage })
  | (Base & { readonly kind: 'func_proto'; readonly returnType: number; readonly params: readonly BtfParam[] })
  | (Base & { readonly kind: 'var'; readonly type: number; readonly linkage: BtfLinkage })
  | (Base & { readonly kind: 'datasec'; readonly size: number; readonly vars: readonly BtfSecinfo[] })
  | (Base & { readonly kind: 'float'; readonly size: number })
  /** `componentIdx` is -1 for the type itself, else a member or parameter index. */
  | (Base & { readonly kind: 'decl_tag'; readonly type: number; readonly componentIdx: number })
  /** `attr` is the kind_flag: a `btf_type_attr` rather than a `btf_type_tag`. */
  | (Base & { readonly kind: 'type_tag'; readonly type: number; readonly attr: boolean });

export type BtfTypeOf<K extends BtfType['kind']> = Extract<BtfType, { kind: K }>;

export interface Btf {
  /** `types[id]`; `types[0]` is void. */
  readonly types: readonly BtfType[];
  /** The string section, kept for the .BTF.ext reader (its names point here). */
  readonly strings: Uint8Array;
  readonly flags: number;
}

export interface BtfError {
  /** Byte offset in the section being read. */
  readonly offset: number;
  readonly message: string;
}

export interface BtfFuncInfo {
  /** Byte offset of the instruction in its section, as the object file stores it (libbpf divides by 8). */
  readonly insnOff: number;
  readonly typeId: number;
}

export interface BtfLineInfo {
  readonly insnOff: number;
  readonly fileName: string;
  readonly lineText: string;
  readonly line: number;
  readonly col: number;
}

/** `enum bpf_core_relo_kind`, in order. */
export const CORE_RELO_KINDS = [
  'field_byte_offset',
  'field_byte_size',
  'field_exists',
  'field_signed',
  'field_lshift_u64',
  'field_rshift_u64',
  'type_id_local',
  'type_id_target',
  'type_exists',
  'type_size',
  'enumval_exists',
  'enumval_value',
  'type_matches',
] as const;

export type CoreReloKind = (typeof CORE_RELO_KINDS)[number];

export interface BtfCoreRelo {
  readonly insnOff: number;
  readonly typeId: number;
  /** Access string such as "0:1:2": an index on the root type, then member or element indices. */
  readonly access: string;
  readonly kind: CoreReloKind;
}

/** Records of one program section (`sec_name_off` names it, e.g. "xdp" or ".text"). */
export interface BtfExtSection<R> {
  readonly section: string;
  readonly records: readonly R[];
}

export interface BtfExt {
  readonly funcInfo: readonly BtfExtSection<BtfFuncInfo>[];
  readonly lineInfo: readonly BtfExtSection<BtfLineInfo>[];
  readonly coreRelos: readonly BtfExtSection<BtfCoreRelo>[];
}
