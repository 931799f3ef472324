// The kernel's declarations as the verifier reads them: helper prototypes, kfunc argument and
// return types with their flags in a profile, what a context load yields, and the fields of
// kernel structs with the trust a pointer read from them carries.

import { helperDeclById } from '../kernel/helpers/registry.ts';
import { helperName as nameOfHelper } from '../kernel/helpers/ids.ts';
import { kfuncDecl } from '../kernel/kfuncs/ids.ts';
import { XDP_METADATA_KFUNCS } from '../kernel/kfuncs/decls.ts';
import { structLayout } from '../kernel/btf/layouts.ts';
import type { KfFlag } from '../kernel/decls.ts';
import type { KernelProfile } from '../kernel/profiles.ts';
import type { ProgType, SectionKind } from '../program/program.ts';

export interface HelperView {
  readonly id: number;
  readonly name: string;
  readonly args: readonly { readonly name: string; readonly type: string }[];
  readonly ret: string;
  readonly gplOnly: boolean;
  allowed(t: ProgType): boolean;
}

export function helperById(id: number): HelperView | undefined {
  const d = helperDeclById(id);
  if (!d) return undefined;
  return { id: d.id, name: d.name, args: d.args, ret: d.ret, gplOnly: d.gplOnly, allowed: (t) => d.progTypes === 'any' || d.progTypes.includes(t) };
}

export function helperName(id: number): string | undefined {
  return nameOfHelper(id);
}

export type TypedArg =
  | { readonly kind: 'scalar' }
  | { readonly kind: 'ptr'; readonly struct: string; readonly strict: boolean }
  | { readonly kind: 'mem' }
  | { readonly kind: 'size' }
  | { readonly kind: 'kptr_slot'; readonly struct: string }
  | { readonly kind: 'ctx' };

export type TypedRet = { readonly kind: 'void' } | { readonly kind: 'scalar' } | { readonly kind: 'ptr'; readonly struct: string };

export interface KfuncView {
  readonly name: string;
  readonly args: readonly TypedArg[];
  readonly ret: TypedRet;
  readonly flags: ReadonlySet<KfFlag | 'KF_RCU_PROTECTED'>;
  /** Returns an RCU-protected pointer. */
  readonly retRcu: boolean;
  readonly metadata: boolean;
}

function typedOf(c: string, name: string): TypedArg {
  const t = c.replace(/\bconst\b/g, '').trim();
  if (name.endsWith('__sz')) return { kind: 'size' };
  const m = /^struct\s+(\w+)\s*\*$/.exec(t);
  if (m?.[1]) {
    const struct = m[1];
    if (struct === 'xdp_md' || struct === '__sk_buff') return { kind: 'ctx' };
    const base = struct.endsWith('___init') ? struct.slice(0, -'___init'.length) : struct;
    return { kind: 'ptr', struct: base, strict: struct.endsWith('___init') };
  }
  const kp = /^struct\s+(\w+)\s*\*\*$/.exec(t);
  if (kp?.[1]) return { kind: 'kptr_slot', struct: kp[1] };
  if (t.endsWith('*')) return { kind: 'mem' };
  return { kind: 'scalar' };
}

function retOf(c: string): TypedRet {
  const t = c.replace(/\bconst\b/g, '').trim();
  if (t === 'void') return { kind: 'void' };
  const m = /^struct\s+(\w+)\s*\*$/.exec(t);
  if (m?.[1]) return { kind: 'ptr', struct: m[1].replace(/___init$/, '') };
  return { kind: 'scalar' };
}

export function kfuncById(id: number, profile: KernelProfile): KfuncView | undefined {
  const d = kfuncDecl(id);
  const p = d?.profiles[profile];
  if (!d || !p) return undefined;
  return {
    name: d.name,
    args: d.args.map((a) => typedOf(a.type, a.name)),
    ret: retOf(d.ret),
    flags: new Set(p.flags),
    retRcu: false,
    metadata: XDP_METADATA_KFUNCS.has(d.name),
  };
}

export type CtxYield = { readonly kind: 'scalar' } | { readonly kind: 'pkt' | 'pkt_end' | 'pkt_meta' } | { readonly kind: 'btf'; readonly struct: string; readonly trusted: boolean; readonly nullable: boolean };

/** check_ctx_access for the program types the playground has (net/core/filter.c, kernel/bpf/btf.c). */
export function ctxAccess(kind: SectionKind, profile: KernelProfile, off: number, size: number, access: 'read' | 'write'): { readonly yields: CtxYield } | undefined {
  void profile;
  const scalar = { yields: { kind: 'scalar' as const } };
  switch (kind.progType) {
    case 'xdp': {
      // struct xdp_md: u32 fields; only aligned 4-byte reads (xdp_is_valid_access).
      if (access === 'write' || off < 0 || off >= 24 || off % size !== 0) return undefined;
      if (size !== 4) return undefined;
      if (off === 0) return { yields: { kind: 'pkt' } };
      if (off === 4) return { yields: { kind: 'pkt_end' } };
      if (off === 8) return { yields: { kind: 'pkt_meta' } };
      return scalar;
    }
    case 'tc':
    case 'socket': {
      // struct __sk_buff (bpf_skb_is_valid_access and its program-type filters).
      if (off < 0 || off + size > 192 || off % size !== 0) return undefined;
      const data = 76;
      const dataEnd = 80;
      const dataMeta = 140;
      if (off === data || off === dataEnd || off === dataMeta) {
        if (access === 'write' || size !== 4) return undefined;
        if (kind.progType === 'socket') return undefined;
        return { yields: { kind: off === data ? 'pkt' : off === dataEnd ? 'pkt_end' : 'pkt_meta' } };
      }
      if (access === 'write') {
        const writable = kind.progType === 'tc' ? [8, 12, 40, 48, 52, 56, 60, 64, 68, 152] : [48, 52, 56, 60, 64];
        const base = off - (off % 4);
        if (!writable.includes(base) || size !== 4) return undefined;
        return scalar;
      }
      return scalar;
    }
    case 'syscall':
      // The context is the caller's buffer: any in-range access reads data.
      if (off < 0 || off + size > 0xffff) return undefined;
      return scalar;
    case 'tp_btf': {
      // u64 args[]: each argument is one 8-byte slot (btf_ctx_access).
      if (access === 'write' || size !== 8 || off % 8 !== 0) return undefined;
      const args = TRACEPOINT_ARGS[kind.attachTo ?? ''] ?? [];
      const a = args[off / 8];
      if (!a) return undefined;
      if (a === 'scalar') return scalar;
      return { yields: { kind: 'btf', struct: a, trusted: true, nullable: false } };
    }
    default:
      if (off < 0 || off + size > 0xffff) return undefined;
      return scalar;
  }
}

/** The arguments of the tracepoints the playground's tp_btf programs attach to. */
const TRACEPOINT_ARGS: Readonly<Record<string, readonly string[]>> = {
  task_newtask: ['task_struct', 'scalar'],
  cgroup_mkdir: ['cgroup', 'scalar'],
  cgroup_rmdir: ['cgroup', 'scalar'],
  sched_switch: ['scalar', 'task_struct', 'task_struct', 'scalar'],
};

export type BtfField =
  | { readonly kind: 'beyond' }
  | { readonly kind: 'scalar' }
  | { readonly kind: 'misaligned'; readonly member: string; readonly end: number }
  | { readonly kind: 'ptr'; readonly struct: string; readonly trust: 'trusted' | 'rcu' | 'untrusted' };

/** The trust a pointer field keeps when read from a trusted parent, per profile (verifier.c BTF_TYPE_SAFE_*). */
function trustOf(struct: string, field: string, profile: KernelProfile): 'trusted' | 'rcu' | 'untrusted' {
  if (struct === 'task_struct' && ['cpus_ptr', 'cgroups', 'real_parent', 'group_leader'].includes(field)) {
    if (profile === 'linux-6.3') return field === 'cpus_ptr' ? 'trusted' : 'untrusted';
    return 'rcu';
  }
  if (struct === 'css_set' && field === 'dfl_cgrp' && profile !== 'linux-6.3') return 'rcu';
  return 'untrusted';
}

export function btfFieldAt(struct: string, off: number, size: number, profile: KernelProfile): BtfField {
  const s = structLayout(struct);
  if (!s || off + size > s.size) return { kind: 'beyond' };
  const f = s.fields.find((x) => off >= x.offset && off < x.offset + x.size);
  if (!f) return { kind: 'scalar' };
  if (f.type.kind === 'ptr') {
    if (off !== f.offset || size !== 8) return { kind: 'misaligned', member: f.name, end: f.offset + f.size };
    return { kind: 'ptr', struct: f.type.to, trust: trustOf(struct, f.name, profile) };
  }
  return { kind: 'scalar' };
}
