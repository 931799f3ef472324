// Declarations of what the simulated kernel offers programs — helper prototypes and kfunc
// signatures, flags and profiles — as plain data. The verifier reads these; editors show them;
// the implementations live elsewhere and are looked up by name. Nothing here runs code.

import type { ProgType } from '../program/program.ts';
import type { KernelProfile } from './profiles.ts';

/** Helper argument types (the kernel's enum bpf_arg_type, the ones these helpers use). */
export type HelperArg =
  | 'anything'
  | 'const_map_ptr'
  | 'ptr_to_map_key'
  | 'ptr_to_map_value'
  | 'ptr_to_mem'
  | 'ptr_to_uninit_mem'
  | 'const_size'
  | 'const_size_or_zero'
  | 'ptr_to_ctx'
  | 'ptr_to_kptr'
  | 'ptr_to_btf_id_or_null'
  | 'ptr_to_func'
  | 'ptr_to_stack_or_null'
  | 'const_alloc_size_or_zero'
  | 'ptr_to_ringbuf_mem'
  | 'ptr_to_const_str'
  /**
   * ARG_PTR_TO_MEM_OR_NULL (ARG_PTR_TO_MEM | PTR_MAYBE_NULL): memory as `ptr_to_mem`, or the
   * constant 0 (NULL), in which case its size argument must be 0 too (bpf_csum_diff's from/to,
   * bpf_snprintf's str and data).
   */
  | 'ptr_to_mem_or_null'
  /**
   * ARG_PTR_TO_BTF_ID_SOCK_COMMON: a socket of any flavour — PTR_TO_SOCK_COMMON, PTR_TO_SOCKET,
   * PTR_TO_TCP_SOCK, PTR_TO_XDP_SOCK, or a BTF pointer to struct sock_common (verifier.c
   * compatible_reg_types btf_id_sock_common_types). bpf_sk_release takes it with OBJ_RELEASE.
   */
  | 'ptr_to_btf_id_sock_common'
  /** ARG_PTR_TO_SPIN_LOCK: a map value's struct bpf_spin_lock (bpf_spin_lock, bpf_spin_unlock). */
  | 'ptr_to_spin_lock';

/**
 * Type flags OR-ed into an argument or return type (include/linux/bpf.h enum bpf_type_flag):
 * MEM_RDONLY (the helper only reads the memory, so read-only memory passes), PTR_MAYBE_NULL,
 * OBJ_RELEASE (the helper releases the reference the register holds), MEM_RINGBUF (the memory
 * must come from bpf_ringbuf_reserve), PTR_TRUSTED (a returned BTF pointer is trusted:
 * RET_PTR_TO_BTF_ID_TRUSTED of bpf_get_current_task_btf).
 */
export type HelperArgFlag = 'MEM_RDONLY' | 'PTR_MAYBE_NULL' | 'OBJ_RELEASE' | 'MEM_RINGBUF' | 'PTR_TRUSTED';

export interface HelperArgDecl {
  readonly name: string;
  readonly type: HelperArg;
  readonly flags?: readonly HelperArgFlag[];
}

/** Helper return types (enum bpf_return_type). */
export type HelperRet =
  /** RET_INTEGER: an unknown scalar. */
  | 'integer'
  /** RET_VOID: r0 is left unknown (bpf_tail_call, bpf_ringbuf_submit). */
  | 'void'
  /** RET_PTR_TO_MAP_VALUE_OR_NULL: a value of the map argument, or NULL. */
  | 'ptr_to_map_value_or_null'
  /** RET_PTR_TO_MEM_OR_NULL (with retFlags MEM_RINGBUF for bpf_ringbuf_reserve). */
  | 'ptr_to_mem_or_null'
  /** RET_PTR_TO_BTF_ID_OR_NULL: a BTF pointer (bpf_kptr_xchg: of the kptr field's type) or NULL. */
  | 'ptr_to_btf_id_or_null'
  /**
   * RET_PTR_TO_SOCKET_OR_NULL: PTR_TO_SOCKET_OR_NULL, a full struct bpf_sock the program holds a
   * reference to (bpf_sk_lookup_tcp/udp; `acquire`): it must reach bpf_sk_release.
   */
  | 'ptr_to_socket_or_null'
  /**
   * RET_PTR_TO_SOCK_COMMON_OR_NULL: PTR_TO_SOCK_COMMON_OR_NULL, a referenced struct
   * bpf_sock's common part, possibly a request or timewait socket (bpf_skc_lookup_tcp).
   */
  | 'ptr_to_sock_common_or_null'
  /**
   * RET_PTR_TO_BTF_ID: a non-NULL PTR_TO_BTF_ID of `retBtfType`, with `retFlags` (PTR_TRUSTED
   * for bpf_get_current_task_btf, whose RET_PTR_TO_BTF_ID_TRUSTED is a trusted task_struct).
   */
  | 'ptr_to_btf_id';

/** What a callback (ARG_PTR_TO_FUNC) receives in r1..r5 when the helper calls it. */
export type CallbackArg =
  /** A number the helper passes (bpf_loop's index). */
  | 'scalar'
  /** The map the helper iterates (CONST_PTR_TO_MAP). */
  | 'map'
  /** PTR_TO_MAP_KEY of that map (key_size bytes, read-only). */
  | 'map_key'
  /** PTR_TO_MAP_VALUE of that map. */
  | 'map_value'
  /** The helper's callback_ctx argument, as the caller passed it. */
  | 'callback_ctx'
  /** Not set (NOT_INIT): reading it is an error. */
  | 'unset';

export interface HelperCallback {
  /** Index (0-based) of the ARG_PTR_TO_FUNC argument. */
  readonly arg: number;
  /** r1..r5 of the callback frame. */
  readonly frame: readonly [CallbackArg, CallbackArg, CallbackArg, CallbackArg, CallbackArg];
  /** The range the callback's r0 must lie in at its exit (inclusive). */
  readonly retRange: readonly [number, number];
}

export interface HelperDecl {
  readonly id: number;
  readonly name: string;
  readonly args: readonly HelperArgDecl[];
  readonly ret: HelperRet;
  /** Flags of the return type: MEM_RINGBUF for bpf_ringbuf_reserve's memory. */
  readonly retFlags?: readonly HelperArgFlag[];
  /**
   * For `ptr_to_mem_or_null`: the argument (0-based) whose constant value is the memory's size
   * (bpf_ringbuf_reserve: ARG_CONST_ALLOC_SIZE_OR_ZERO, verifier.c check_helper_call).
   */
  readonly retSizeArg?: number;
  /**
   * For `ptr_to_btf_id_or_null`: where the type comes from. 'kptr_field': the kptr field arg 0
   * points at (bpf_kptr_xchg: ret_btf_id = BPF_PTR_POISON, resolved from the map's BTF).
   */
  readonly retBtfFrom?: 'kptr_field';
  /** For `ptr_to_btf_id`: the kernel struct it points to (ret_btf_id: `task_struct`). */
  readonly retBtfType?: string;
  /**
   * The returned pointer is a reference the program must release (verifier.c
   * is_acquire_function: bpf_sk_lookup_tcp/udp, bpf_skc_lookup_tcp, bpf_ringbuf_reserve,
   * bpf_kptr_xchg).
   */
  readonly acquire?: boolean;
  /** The helper takes a callback (bpf_loop, bpf_for_each_map_elem). */
  readonly callback?: HelperCallback;
  /** May be passed packet pointers (bpf_func_proto.pkt_access). */
  readonly pktAccess?: boolean;
  /** Program types that may call it; 'any' for all. */
  readonly progTypes: 'any' | readonly ProgType[];
  /** Where a profile differs from `progTypes`. */
  readonly profileProgTypes?: Partial<Record<KernelProfile, 'any' | readonly ProgType[]>>;
  /**
   * Where a program type gets another bpf_func_proto of the same helper id (get_func_proto
   * answers per type): bpf_get_socket_cookie takes the skb context in tc and socket filters but
   * any socket pointer in tracing programs. `args` is the prototype everywhere else.
   */
  readonly progTypeArgs?: Partial<Record<ProgType, readonly HelperArgDecl[]>>;
  readonly gplOnly: boolean;
  /**
   * Linux has it, the verifier checks calls to it against this prototype, but the simulated
   * kernel has no implementation: a program calling it stops there with "helper NAME (ID) is
   * not available in the simulated kernel yet" (kernel.ts resolveHelper).
   */
  readonly unimplemented?: boolean;
}

/** The arguments of `d` as program type `t` sees them (`progTypeArgs`, else `args`). */
export function helperArgs(d: HelperDecl, t: ProgType): readonly HelperArgDecl[] {
  return d.progTypeArgs?.[t] ?? d.args;
}

/**
 * The argument (0-based) that holds the size of memory argument `i`: the kernel pairs an
 * ARG_PTR_TO_*MEM argument with the ARG_CONST_SIZE(_OR_ZERO) right after it (verifier.c
 * check_mem_size_reg via arg_type_is_mem_size). Undefined when `i` is not such a pair.
 */
export function helperSizeArg(d: HelperDecl, i: number): number | undefined {
  const a = d.args[i];
  const next = d.args[i + 1];
  if (!a || !next) return undefined;
  if (a.type !== 'ptr_to_mem' && a.type !== 'ptr_to_uninit_mem' && a.type !== 'ptr_to_mem_or_null') return undefined;
  return next.type === 'const_size' || next.type === 'const_size_or_zero' ? i + 1 : undefined;
}

/** The map argument (ARG_CONST_MAP_PTR) of a helper, 0-based, if it has one. */
export function helperMapArg(d: HelperDecl): number | undefined {
  const i = d.args.findIndex((a) => a.type === 'const_map_ptr');
  return i < 0 ? undefined : i;
}

export type KfFlag = 'KF_ACQUIRE' | 'KF_RELEASE' | 'KF_RET_NULL' | 'KF_TRUSTED_ARGS' | 'KF_RCU' | 'KF_KPTR_GET' | 'KF_SLEEPABLE';

/** A scalar C type of a kfunc's argument or return, with its size. */
export type KfuncScalar = 'u8' | 'u16' | 'u32' | 's32' | 'int' | 'u64' | 's64' | 'long' | 'size_t' | 'bool';

/** Bytes and signedness of each scalar C type on x86-64. */
export const KFUNC_SCALARS: Readonly<Record<KfuncScalar, { readonly size: 1 | 2 | 4 | 8; readonly signed: boolean }>> = {
  u8: { size: 1, signed: false },
  u16: { size: 2, signed: false },
  u32: { size: 4, signed: false },
  s32: { size: 4, signed: true },
  int: { size: 4, signed: true },
  u64: { size: 8, signed: false },
  s64: { size: 8, signed: true },
  long: { size: 8, signed: true },
  size_t: { size: 8, signed: false },
  bool: { size: 1, signed: false },
};

/**
 * A kfunc argument or return type as the verifier classifies it (verifier.c
 * get_kfunc_ptr_arg_type / check_kfunc_args; the `__sz` pairing is is_kfunc_arg_mem_size).
 */
export type KfuncType =
  | { readonly kind: 'void' }
  | { readonly kind: 'scalar'; readonly c: KfuncScalar }
  /**
   * `struct X *` of a kernel BTF type: PTR_TO_BTF_ID. `nullable` is the `__nullable` name
   * suffix (a NULL register passes).
   */
  | { readonly kind: 'ptr'; readonly btf: string; readonly const: boolean; readonly nullable?: boolean }
  /**
   * The program's context (`struct xdp_md *`, `struct __sk_buff *`): KF_ARG_PTR_TO_CTX, when
   * `btf` is the calling program type's context (btf_is_prog_ctx_type). The conntrack kfuncs are
   * registered for xdp and tc alike, so the xdp ones are callable from tc but no tc register
   * fits their argument.
   */
  | { readonly kind: 'ctx'; readonly btf: 'xdp_md' | '__sk_buff'; readonly const: boolean }
  /**
   * Memory the kfunc reads or writes. `pointee` is its C type (`void`, `u64`, `struct
   * bpf_sock_tuple`…). Its size is argument `sizeArg` (a `__sz` pair: KF_ARG_PTR_TO_MEM_SIZE),
   * or else `size` bytes, the pointee's size (KF_ARG_PTR_TO_MEM).
   */
  | { readonly kind: 'mem'; readonly pointee: string; readonly const: boolean; readonly sizeArg?: number; readonly size?: number }
  /** The `__sz` half of a pair: the byte size of memory argument `of`. */
  | { readonly kind: 'mem_size'; readonly c: KfuncScalar; readonly of: number }
  /** `struct X **`: a kptr field in a map value (KF_KPTR_GET's first argument, 6.3 only). */
  | { readonly kind: 'kptr_slot'; readonly btf: string };

export interface KfuncArg {
  readonly name: string;
  readonly type: KfuncType;
}

/** The C spelling of a kfunc type — `struct bpf_cpumask *`, `const struct cpumask *`, `u32`, `void *`. */
export function cTypeOf(t: KfuncType): string {
  switch (t.kind) {
    case 'void':
      return 'void';
    case 'scalar':
    case 'mem_size':
      return t.c;
    case 'ptr':
    case 'ctx':
      return `${t.const ? 'const ' : ''}struct ${t.btf} *`;
    case 'mem':
      return `${t.const ? 'const ' : ''}${t.pointee} *`;
    case 'kptr_slot':
      return `struct ${t.btf} **`;
  }
}

/**
 * `___init` strict type matching (verifier.c btf_type_ids_nocast_alias): two struct names that
 * differ only by this suffix (nf_conn / nf_conn___init) never stand for each other, although
 * one is the first member of the other. Release kfuncs given a referenced pointer also match
 * strictly (process_kf_arg_ptr_to_btf_id).
 */
export const NOCAST_ALIAS_SUFFIX = '___init';

/** Whether `a` and `b` are a no-cast alias pair (`X` and `X___init`, either way round). */
export function isNocastAlias(a: string, b: string): boolean {
  return a !== b && (a === `${b}${NOCAST_ALIAS_SUFFIX}` || b === `${a}${NOCAST_ALIAS_SUFFIX}`);
}

/** A kfunc as it exists in one profile. */
export interface KfuncInProfile {
  readonly flags: readonly KfFlag[];
  readonly progTypes: readonly ProgType[];
}

export interface KfuncDecl {
  /** BTF-style id, stable across runs (programs call kfuncs by it). */
  readonly id: number;
  readonly name: string;
  readonly ret: KfuncType;
  readonly args: readonly KfuncArg[];
  /** Present in each profile it exists in, with that profile's flags and program types. */
  readonly profiles: Partial<Record<KernelProfile, KfuncInProfile>>;
  readonly summary: string;
  readonly returns: string;
}

/** The C prototype, derived from the typed declaration. */
export function signatureOf(k: KfuncDecl): string {
  const c = cTypeOf(k.ret);
  const ret = c.endsWith('*') ? c : `${c} `;
  const arg = (a: KfuncArg) => {
    const t = cTypeOf(a.type);
    return `${t}${t.endsWith('*') ? '' : ' '}${a.name}`;
  };
  return `${ret}${k.name}(${k.args.length ? k.args.map(arg).join(', ') : 'void'})`;
}
