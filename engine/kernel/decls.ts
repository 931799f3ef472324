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
  | 'ptr_to_const_str';

/** Helper return types (enum bpf_return_type). */
export type HelperRet = 'integer' | 'void' | 'ptr_to_map_value_or_null' | 'ptr_to_mem_or_null' | 'ptr_to_btf_id_or_null';

export interface HelperDecl {
  readonly id: number;
  readonly name: string;
  readonly args: readonly { readonly name: string; readonly type: HelperArg }[];
  readonly ret: HelperRet;
  /** Program types that may call it; 'any' for all. */
  readonly progTypes: 'any' | readonly ProgType[];
  readonly gplOnly: boolean;
}

export type KfFlag = 'KF_ACQUIRE' | 'KF_RELEASE' | 'KF_RET_NULL' | 'KF_TRUSTED_ARGS' | 'KF_RCU' | 'KF_KPTR_GET' | 'KF_SLEEPABLE';

export interface KfuncArg {
  readonly name: string;
  /** The C type, e.g. `struct bpf_cpumask *`, `const struct cpumask *`, `u32`, `void *`. */
  readonly type: string;
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
  /** Return type in C. */
  readonly ret: string;
  readonly args: readonly KfuncArg[];
  /** Present in each profile it exists in, with that profile's flags and program types. */
  readonly profiles: Partial<Record<KernelProfile, KfuncInProfile>>;
  readonly summary: string;
  readonly returns: string;
}

export function signatureOf(k: KfuncDecl): string {
  const ret = k.ret.endsWith('*') ? k.ret : `${k.ret} `;
  return `${ret}${k.name}(${k.args.length ? k.args.map((a) => `${a.type}${a.type.endsWith('*') ? '' : ' '}${a.name}`).join(', ') : 'void'})`;
}
