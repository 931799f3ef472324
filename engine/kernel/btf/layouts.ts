// The simulated kernel's type information, as BTF would give it: structures with their sizes,
// field offsets and field types. The assembler resolves STRUCT.FIELD from it, the kernel lays
// out its objects by it, and the verifier will type pointers with it. UAPI structures
// (xdp_md, bpf_sock_tuple, bpf_ct_opts) have their real layouts; kernel-internal ones
// (task_struct, cgroup, nf_conn) are compact stand-ins with the fields programs use.

import { NR_CPUS } from '../profiles.ts';

export type FieldType =
  | { readonly kind: 'int'; readonly size: 1 | 2 | 4 | 8; readonly signed: boolean }
  | { readonly kind: 'ptr'; readonly to: string }
  | { readonly kind: 'array'; readonly of: FieldType; readonly count: number }
  | { readonly kind: 'struct'; readonly name: string };

export interface FieldLayout {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly type: FieldType;
}

export interface StructLayout {
  readonly name: string;
  readonly size: number;
  readonly fields: readonly FieldLayout[];
  /** One line on what it is, for hovers and the types panel. */
  readonly doc: string;
  /**
   * A compact stand-in for a kernel-internal struct: the real one holds more than these
   * fields (pointers, locks), so it is never plain data, whatever the modelled fields are.
   */
  readonly standIn: boolean;
  /**
   * A UAPI structure (a program context, a kfunc argument on the stack): its layout is a stable
   * ABI, so programs use its offsets as they are. The others live in kernel memory, where C
   * reads them through CO-RE (preserve_access_index), and an exported object relocates them.
   */
  readonly uapi: boolean;
}

/** The kernel-internal structs modelled by a few of their fields (see the file's header). */
const STAND_INS: ReadonlySet<string> = new Set(['task_struct', 'cgroup', 'css_set', 'nf_conn']);

/** The UAPI structs (include/uapi/linux/bpf.h), with their real layouts. */
const UAPI: ReadonlySet<string> = new Set(['xdp_md', '__sk_buff', 'bpf_sock', 'bpf_sock_tuple', 'bpf_ct_opts']);

const u8: FieldType = { kind: 'int', size: 1, signed: false };
const u16: FieldType = { kind: 'int', size: 2, signed: false };
const u32: FieldType = { kind: 'int', size: 4, signed: false };
const s32: FieldType = { kind: 'int', size: 4, signed: true };
const u64: FieldType = { kind: 'int', size: 8, signed: false };
const ptr = (to: string): FieldType => ({ kind: 'ptr', to });
const arr = (of: FieldType, count: number): FieldType => ({ kind: 'array', of, count });
const struct = (name: string): FieldType => ({ kind: 'struct', name });

function sizeOf(t: FieldType, sizes: ReadonlyMap<string, number>): number {
  switch (t.kind) {
    case 'int':
      return t.size;
    case 'ptr':
      return 8;
    case 'array':
      return sizeOf(t.of, sizes) * t.count;
    case 'struct':
      return sizes.get(t.name) ?? 0;
  }
}

/** Lays out fields at explicit offsets and checks they neither overlap nor overflow. */
function layout(name: string, size: number, doc: string, fields: readonly [string, number, FieldType][], sizes: Map<string, number>, union = false): StructLayout {
  const out: FieldLayout[] = fields.map(([fname, offset, type]) => ({ name: fname, offset, size: sizeOf(type, sizes), type }));
  const sorted = [...out].sort((a, b) => a.offset - b.offset);
  for (let i = 0; i < sorted.length; i++) {
    const f = sorted[i];
    const next = sorted[i + 1];
    if (!f) continue;
    if (!union && next && f.offset + f.size > next.offset) throw new Error(`${name}.${f.name} overlaps ${next.name}`);
    if (f.offset + f.size > size) throw new Error(`${name}.${f.name} ends past the struct (${size} bytes)`);
  }
  sizes.set(name, size);
  return { name, size, doc, fields: out, standIn: STAND_INS.has(name), uapi: UAPI.has(name) };
}

/** Bytes of struct cpumask: NR_CPUS bits. */
export const CPUMASK_BYTES = NR_CPUS / 8;

function build(): StructLayout[] {
  const sizes = new Map<string, number>();
  const L = (name: string, size: number, doc: string, fields: readonly [string, number, FieldType][], union = false) => layout(name, size, doc, fields, sizes, union);
  return [
    L('xdp_md', 24, 'XDP context (UAPI): data, data_end and data_meta read as packet pointers', [
      ['data', 0, u32],
      ['data_end', 4, u32],
      ['data_meta', 8, u32],
      ['ingress_ifindex', 12, u32],
      ['rx_queue_index', 16, u32],
      ['egress_ifindex', 20, u32],
    ]),
    L('__sk_buff', 192, 'tc context (UAPI): the skb as a tc program sees it; data, data_end and data_meta read as packet pointers', [
      ['len', 0, u32],
      ['pkt_type', 4, u32],
      ['mark', 8, u32],
      ['queue_mapping', 12, u32],
      ['protocol', 16, u32],
      ['vlan_present', 20, u32],
      ['vlan_tci', 24, u32],
      ['vlan_proto', 28, u32],
      ['priority', 32, u32],
      ['ingress_ifindex', 36, u32],
      ['ifindex', 40, u32],
      ['tc_index', 44, u32],
      ['cb', 48, arr(u32, 5)],
      ['hash', 68, u32],
      ['tc_classid', 72, u32],
      ['data', 76, u32],
      ['data_end', 80, u32],
      ['napi_id', 84, u32],
      ['family', 88, u32],
      ['remote_ip4', 92, u32],
      ['local_ip4', 96, u32],
      ['remote_ip6', 100, arr(u32, 4)],
      ['local_ip6', 116, arr(u32, 4)],
      ['remote_port', 132, u32],
      ['local_port', 136, u32],
      ['data_meta', 140, u32],
      ['flow_keys', 144, u64],
      ['tstamp', 152, u64],
      ['wire_len', 160, u32],
      ['gso_segs', 164, u32],
      ['sk', 168, ptr('bpf_sock')],
      ['gso_size', 176, u32],
      ['tstamp_type', 180, u8],
      ['hwtstamp', 184, u64],
    ]),
    L('bpf_sock', 80, 'a socket as BPF programs see it (UAPI): what __sk_buff.sk points at', [
      ['bound_dev_if', 0, u32],
      ['family', 4, u32],
      ['type', 8, u32],
      ['protocol', 12, u32],
      ['mark', 16, u32],
      ['priority', 20, u32],
      ['src_ip4', 24, u32],
      ['src_ip6', 28, arr(u32, 4)],
      ['src_port', 44, u32],
      ['dst_port', 48, u16],
      ['dst_ip4', 52, u32],
      ['dst_ip6', 56, arr(u32, 4)],
      ['state', 72, u32],
      ['rx_queue_mapping', 76, s32],
    ]),
    L('cpumask', CPUMASK_BYTES, `a bitmap of NR_CPUS (${NR_CPUS}) CPUs`, [['bits', 0, arr(u64, NR_CPUS / 64)]]),
    L('bpf_cpumask', CPUMASK_BYTES + 8, 'a cpumask allocated by BPF: the mask first (so it casts to struct cpumask *), then its reference count', [
      ['cpumask', 0, struct('cpumask')],
      ['usage', CPUMASK_BYTES, u32],
    ]),
    L('css_set', 16, 'the set of cgroups a task belongs to', [
      ['refcount', 0, u32],
      ['dfl_cgrp', 8, ptr('cgroup')],
    ]),
    L('task_struct', 96 + CPUMASK_BYTES, 'a task (thread); cpus_ptr points at its own cpus_mask', [
      ['usage', 0, u32],
      ['__state', 4, u32],
      ['flags', 8, u32],
      ['pid', 16, s32],
      ['tgid', 20, s32],
      ['real_parent', 24, ptr('task_struct')],
      ['parent', 32, ptr('task_struct')],
      ['group_leader', 40, ptr('task_struct')],
      ['cpus_ptr', 48, ptr('cpumask')],
      ['nr_cpus_allowed', 56, s32],
      ['comm', 64, arr(u8, 16)],
      ['cgroups', 80, ptr('css_set')],
      ['start_time', 88, u64],
      ['cpus_mask', 96, struct('cpumask')],
    ]),
    L('cgroup', 112, 'a cgroup; ancestors[level] is the cgroup itself, ancestors[0] the root', [
      ['refcnt', 0, u32],
      ['level', 4, s32],
      ['id', 8, u64],
      ['max_depth', 16, s32],
      ['ancestors', 48, arr(ptr('cgroup'), 8)],
    ]),
    L('nf_conn', 80, 'a conntrack entry', [
      ['ct_general', 0, u32],
      ['status', 8, u64],
      ['timeout', 16, u32],
      ['mark', 20, u32],
      ['zone', 24, u16],
      ['proto', 28, u8],
      ['dir', 29, u8],
      ['src', 32, arr(u8, 16)],
      ['dst', 48, arr(u8, 16)],
      ['sport', 64, u16],
      ['dport', 66, u16],
    ]),
    L('nf_conn___init', 80, 'a conntrack entry allocated by BPF but not inserted yet (___init: typed strictly apart from nf_conn)', [['ct', 0, struct('nf_conn')]]),
    L('bpf_sock_tuple', 36, 'a connection tuple (UAPI): ipv4 (12 bytes) or ipv6 (36 bytes), addresses and ports in network order', [
      ['ipv4_saddr', 0, u32],
      ['ipv4_daddr', 4, u32],
      ['ipv4_sport', 8, u16],
      ['ipv4_dport', 10, u16],
      ['ipv6_saddr', 0, arr(u32, 4)],
      ['ipv6_daddr', 16, arr(u32, 4)],
      ['ipv6_sport', 32, u16],
      ['ipv6_dport', 34, u16],
    ], true),
    L('bpf_ct_opts', 16, 'conntrack lookup/alloc options (UAPI, NF_BPF_CT_OPTS_SZ = 16)', [
      ['netns_id', 0, s32],
      ['error', 4, s32],
      ['l4proto', 8, u8],
      ['dir', 9, u8],
      ['ct_zone_id', 10, u16],
      ['ct_zone_dir', 12, u8],
      ['reserved', 13, arr(u8, 3)],
    ]),
  ];
}

/** UAPI context structures and the simulated kernel's objects. */
export const STRUCT_LAYOUTS: readonly StructLayout[] = build();

const byName = new Map(STRUCT_LAYOUTS.map((s) => [s.name, s]));

export function structLayout(name: string): StructLayout | undefined {
  return byName.get(name);
}

export function fieldOf(struct: string, field: string): FieldLayout | undefined {
  return byName.get(struct)?.fields.find((f) => f.name === field);
}

/** `u32`, `struct cpumask *`, `u8[16]` — a field type as C would write it. */
export function typeName(t: FieldType): string {
  switch (t.kind) {
    case 'int':
      return `${t.signed ? 's' : 'u'}${t.size * 8}`;
    case 'ptr':
      return `struct ${t.to} *`;
    case 'array':
      return `${typeName(t.of)}[${t.count}]`;
    case 'struct':
      return `struct ${t.name}`;
  }
}
