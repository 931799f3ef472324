// Kernel types as the verifier walks them: each struct's fields from the one layout source
// (btf/layouts.ts), and per profile what a pointer field read through a trusted parent becomes
// (kernel/bpf/verifier.c check_ptr_to_btf_access and its BTF_TYPE_SAFE_* allowlists).

import { STRUCT_LAYOUTS, structLayout, type FieldLayout, type FieldType, type StructLayout } from '../btf/layouts.ts';
import type { KernelProfile } from '../profiles.ts';

/**
 * What loading a pointer field of a trusted (or RCU) parent yields.
 *
 * - `trusted`: PTR_TRUSTED, as its parent. 6.3: BTF_TYPE_SAFE_NESTED; later BTF_TYPE_SAFE_TRUSTED.
 * - `rcu`: MEM_RCU, never NULL, while in an RCU critical section; outside one, plain (below).
 *   BTF_TYPE_SAFE_RCU, 6.4 on. In 6.18 a non-sleepable program (tp_btf) is always inside one
 *   (verifier.c in_rcu_cs: an RCU lock, a spin lock, or !sleepable).
 * - `rcu_or_null`: MEM_RCU | PTR_MAYBE_NULL under the same condition: a field tagged `__rcu` in
 *   the kernel's BTF and not allowlisted. 6.3 grants it only inside bpf_rcu_read_lock()
 *   (`active_rcu_lock`), with a trusted or RCU parent.
 * - `untrusted`: anything else. The pointer keeps its type but loses every trust flag — the
 *   kernel's "old deprecated" plain PTR_TO_BTF_ID (log `ptr_task_struct`), readable, refused by
 *   KF_TRUSTED_ARGS / KF_RCU kfuncs. (PTR_UNTRUSTED proper, log `untrusted_ptr_`, is what every
 *   pointer read through an untrusted parent becomes.)
 */
export type PtrTrust = 'trusted' | 'rcu' | 'rcu_or_null' | 'untrusted';

export interface KernelField {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly type: FieldType;
  /** For a pointer field: its trust per profile (a trusted or RCU parent assumed). */
  readonly trust?: Readonly<Record<KernelProfile, PtrTrust>>;
}

export interface KernelType {
  readonly name: string;
  readonly size: number;
  readonly fields: readonly KernelField[];
  /**
   * Per profile: a `__kptr` of this type loaded from a map inside an RCU section is MEM_RCU |
   * PTR_MAYBE_NULL rather than PTR_UNTRUSTED | PTR_MAYBE_NULL (verifier.c rcu_protected_types,
   * 6.4 on; 6.3 has no such set).
   */
  readonly kptrRcu: Readonly<Record<KernelProfile, boolean>>;
}

type Trust63and618 = readonly [PtrTrust, PtrTrust];

/**
 * Pointer fields that are not plain `untrusted` in some profile, as [6.3, 6.18].
 * 6.3: BTF_TYPE_SAFE_NESTED(struct task_struct) { const cpumask_t *cpus_ptr; } only; real_parent,
 * parent and cgroups carry `__rcu` in include/linux/sched.h. 6.18: BTF_TYPE_SAFE_RCU(struct
 * task_struct) { cpus_ptr, cgroups, real_parent, group_leader } and BTF_TYPE_SAFE_RCU(struct
 * css_set) { dfl_cgrp }; parent keeps its bare `__rcu` tag. BTF_TYPE_SAFE_RCU(struct cgroup)
 * lists only kn, which the playground's cgroup does not model (its ancestors[] stay untrusted).
 */
const TRUST: Readonly<Record<string, Readonly<Record<string, Trust63and618>>>> = {
  task_struct: {
    cpus_ptr: ['trusted', 'rcu'],
    real_parent: ['rcu_or_null', 'rcu'],
    parent: ['rcu_or_null', 'rcu_or_null'],
    cgroups: ['rcu_or_null', 'rcu'],
    group_leader: ['untrusted', 'rcu'],
  },
  css_set: {
    dfl_cgrp: ['untrusted', 'rcu'],
  },
};

/** rcu_protected_types in 6.18 among the playground's types (kernel/bpf/verifier.c). */
const KPTR_RCU_618: ReadonlySet<string> = new Set(['bpf_cpumask', 'task_struct', 'cgroup']);

function isPointer(t: FieldType): boolean {
  return t.kind === 'ptr' || (t.kind === 'array' && isPointer(t.of));
}

function kernelField(struct: string, f: FieldLayout): KernelField {
  if (!isPointer(f.type)) return { name: f.name, offset: f.offset, size: f.size, type: f.type };
  const t = TRUST[struct]?.[f.name] ?? ['untrusted', 'untrusted'];
  return { name: f.name, offset: f.offset, size: f.size, type: f.type, trust: { 'linux-6.3': t[0], 'linux-6.18': t[1] } };
}

function kernelType(s: StructLayout): KernelType {
  return {
    name: s.name,
    size: s.size,
    fields: s.fields.map((f) => kernelField(s.name, f)),
    kptrRcu: { 'linux-6.3': false, 'linux-6.18': KPTR_RCU_618.has(s.name) },
  };
}

/** Every struct of the simulated kernel's BTF, with pointer-field trust. */
export const KERNEL_TYPES: readonly KernelType[] = STRUCT_LAYOUTS.map(kernelType);

const byName = new Map(KERNEL_TYPES.map((t) => [t.name, t]));

export function kernelTypeOf(name: string): KernelType | undefined {
  return byName.get(name);
}

/** The field that holds byte `offset` of `struct` (the first one, for unions). */
export function fieldAt(struct: string, offset: number): KernelField | undefined {
  return byName.get(struct)?.fields.find((f) => offset >= f.offset && offset < f.offset + f.size);
}

/** What a pointer field loaded from a trusted parent becomes in `profile`; undefined for a non-pointer or unknown field. */
export function fieldTrust(profile: KernelProfile, struct: string, field: string): PtrTrust | undefined {
  return byName.get(struct)?.fields.find((f) => f.name === field)?.trust?.[profile];
}

/**
 * Whether a pointer to `from` may stand where `to` is expected because `to` sits at offset 0 of
 * `from`, member after first member (btf_struct_ids_match walking first members: a struct
 * bpf_cpumask * passes as a const struct cpumask *). `___init` pairs are refused by the caller
 * (isNocastAlias) before this is asked.
 */
export function castsTo(from: string, to: string): boolean {
  let cur: string | undefined = from;
  for (let depth = 0; cur !== undefined && depth < 8; depth++) {
    if (cur === to) return true;
    const first: FieldLayout | undefined = structLayout(cur)?.fields.find((f) => f.offset === 0);
    cur = first?.type.kind === 'struct' ? first.type.name : undefined;
  }
  return false;
}

/**
 * A struct made only of plain data (__btf_type_is_scalar_struct): every member an integer, an
 * array of integers, or such a struct, nested at most three deep. A kfunc argument of such a
 * type takes any readable memory, not a BTF object (struct cpumask, struct bpf_cpumask).
 */
export function isScalarStruct(name: string, depth = 0): boolean {
  const layout = structLayout(name);
  if (!layout || layout.standIn || layout.fields.length === 0) return false;
  return layout.fields.every((f) => {
    if (f.type.kind === 'struct') return depth < 3 && isScalarStruct(f.type.name, depth + 1);
    if (f.type.kind === 'array') return f.type.of.kind === 'int';
    return f.type.kind === 'int';
  });
}
