// Every kfunc the simulated kernel offers, as data: typed signature (its C spelling derives from it), per-profile flags and the
// program types it is registered for (kernel/bpf/cpumask.c, kernel/bpf/helpers.c,
// net/netfilter/nf_conntrack_bpf.c, net/core/xdp.c). Ids are our stand-ins for BTF ids: explicit, stable and
// never reused — cpumask 60001…, task/cgroup/RCU 60101…, conntrack 60201…, XDP metadata 60301….

import type { ProgType } from '../../program/program.ts';
import type { KfFlag, KfuncArg, KfuncDecl, KfuncInProfile, KfuncScalar, KfuncType } from '../decls.ts';

// register_btf_kfunc_id_set() targets, in the playground's program types (STRUCT_OPS has none).
/** cpumask_kfunc_init: TRACING (and STRUCT_OPS) in 6.3; SYSCALL joins later. */
const CPUMASK_63: readonly ProgType[] = ['tp_btf'];
const CPUMASK_618: readonly ProgType[] = ['tp_btf', 'syscall'];
/** kfunc_init's generic set: TRACING, SCHED_CLS (6.3); XDP and SYSCALL join later. */
const GENERIC_63: readonly ProgType[] = ['tp_btf', 'tc'];
const GENERIC_618: readonly ProgType[] = ['tp_btf', 'tc', 'xdp', 'syscall'];
/** kfunc_init's common set is registered for BPF_PROG_TYPE_UNSPEC: every program type. */
const EVERY: readonly ProgType[] = ['socket', 'xdp', 'tc', 'syscall', 'tp_btf'];
/** register_nf_conntrack_bpf: XDP and SCHED_CLS. */
const NET: readonly ProgType[] = ['xdp', 'tc'];

type Flags = readonly KfFlag[] | null;

const ACQ_NULL: readonly KfFlag[] = ['KF_ACQUIRE', 'KF_RET_NULL'];
const TRUSTED: readonly KfFlag[] = ['KF_TRUSTED_ARGS'];
const RCU: readonly KfFlag[] = ['KF_RCU'];

function arg(type: KfuncType, name: string): KfuncArg {
  return { name, type };
}

const VOID: KfuncType = { kind: 'void' };
const scalar = (c: KfuncScalar): KfuncType => ({ kind: 'scalar', c });
/** `struct btf *` (PTR_TO_BTF_ID). */
const ptr = (btf: string): KfuncType => ({ kind: 'ptr', btf, const: false });
/** `const struct btf *`. */
const cptr = (btf: string): KfuncType => ({ kind: 'ptr', btf, const: true });
/** `pointee *` of a fixed size, written by the kfunc (KF_ARG_PTR_TO_MEM). */
const out = (pointee: string, size: number): KfuncType => ({ kind: 'mem', pointee, const: false, size });
/** A `__sz` pair: memory at argument i, its size at i + 1. */
function sized(pointee: string, name: string, sizeName: string, c: KfuncScalar, i: number): [KfuncArg, KfuncArg] {
  return [arg({ kind: 'mem', pointee, const: false, sizeArg: i + 1 }, name), arg({ kind: 'mem_size', c, of: i }, sizeName)];
}
const U32 = scalar('u32');
const BOOL = scalar('bool');
const INT = scalar('int');

/** Without a prototype: a profile name that came from outside finds nothing, not Object's methods. */
function profiles(f63: Flags, t63: readonly ProgType[], f618: Flags, t618: readonly ProgType[]): KfuncDecl['profiles'] {
  const out = Object.create(null) as Partial<Record<'linux-6.3' | 'linux-6.18', KfuncInProfile>>;
  if (f63) out['linux-6.3'] = { flags: f63, progTypes: t63 };
  if (f618) out['linux-6.18'] = { flags: f618, progTypes: t618 };
  return out;
}

interface Text {
  readonly summary: string;
  readonly returns: string;
}

function cpumask(id: number, name: string, ret: KfuncType, args: readonly KfuncArg[], f63: Flags, f618: Flags, text: Text): KfuncDecl {
  return { id, name, ret, args, profiles: profiles(f63, CPUMASK_63, f618, CPUMASK_618), ...text };
}

function generic(id: number, name: string, ret: KfuncType, args: readonly KfuncArg[], f63: Flags, f618: Flags, text: Text): KfuncDecl {
  return { id, name, ret, args, profiles: profiles(f63, GENERIC_63, f618, GENERIC_618), ...text };
}

function conntrack(id: number, name: string, ret: KfuncType, args: readonly KfuncArg[], flags: readonly KfFlag[], text: Text): KfuncDecl {
  return { id, name, ret, args, profiles: profiles(flags, NET, flags, NET), ...text };
}

const MASK = arg(cptr('cpumask'), 'cpumask');
const BPF_MASK = arg(ptr('bpf_cpumask'), 'cpumask');
const SRC1 = arg(cptr('cpumask'), 'src1');
const SRC2 = arg(cptr('cpumask'), 'src2');
const DST = arg(ptr('bpf_cpumask'), 'dst');
const CPU = arg(U32, 'cpu');
const NONE = 'nr_cpu_ids (or more) when there is none';
const CPUMASK_DECLS: readonly KfuncDecl[] = [
  cpumask(60001, 'bpf_cpumask_create', ptr('bpf_cpumask'), [], ACQ_NULL, ACQ_NULL, {
    summary: 'Allocates an empty cpumask with one reference, which the program must release or store in a map (bpf_kptr_xchg).',
    returns: 'the new cpumask, or NULL when the allocator is out of memory — check before use',
  }),
  cpumask(60002, 'bpf_cpumask_release', VOID, [BPF_MASK], ['KF_RELEASE', 'KF_TRUSTED_ARGS'], ['KF_RELEASE'], {
    summary: 'Drops a reference; the last one frees the mask (6.3: at once; 6.18: after an RCU grace period).',
    returns: 'nothing',
  }),
  cpumask(60003, 'bpf_cpumask_acquire', ptr('bpf_cpumask'), [BPF_MASK], ['KF_ACQUIRE', 'KF_TRUSTED_ARGS'], ['KF_ACQUIRE', 'KF_TRUSTED_ARGS'], {
    summary: 'Takes another reference to a trusted bpf_cpumask.',
    returns: 'the same pointer, now also referenced by the caller (never NULL)',
  }),
  cpumask(60004, 'bpf_cpumask_kptr_get', ptr('bpf_cpumask'), [arg({ kind: 'kptr_slot', btf: 'bpf_cpumask' }, 'cpumaskp')], ['KF_ACQUIRE', 'KF_KPTR_GET', 'KF_RET_NULL'], null, {
    summary: 'Reads the bpf_cpumask kptr stored in a map value and takes a reference to it, unless it is already being freed.',
    returns: 'a new reference, or NULL when the slot is empty or the mask has no references left',
  }),
  cpumask(60005, 'bpf_cpumask_first', U32, [MASK], TRUSTED, RCU, { summary: 'Finds the lowest CPU set in the mask.', returns: `that CPU, or ${NONE}` }),
  cpumask(60006, 'bpf_cpumask_first_zero', U32, [MASK], TRUSTED, RCU, { summary: 'Finds the lowest CPU not set in the mask.', returns: `that CPU, or ${NONE}` }),
  cpumask(60007, 'bpf_cpumask_first_and', U32, [SRC1, SRC2], null, RCU, { summary: 'Finds the lowest CPU set in both masks.', returns: `that CPU, or ${NONE}` }),
  cpumask(60008, 'bpf_cpumask_set_cpu', VOID, [CPU, BPF_MASK], TRUSTED, RCU, { summary: 'Sets a CPU in a bpf_cpumask; a CPU ≥ nr_cpu_ids is ignored.', returns: 'nothing' }),
  cpumask(60009, 'bpf_cpumask_clear_cpu', VOID, [CPU, BPF_MASK], TRUSTED, RCU, { summary: 'Clears a CPU in a bpf_cpumask; a CPU ≥ nr_cpu_ids is ignored.', returns: 'nothing' }),
  cpumask(60010, 'bpf_cpumask_test_cpu', BOOL, [CPU, MASK], TRUSTED, RCU, { summary: 'Tests whether a CPU is set.', returns: 'true if set; false if clear or the CPU is invalid' }),
  cpumask(60011, 'bpf_cpumask_test_and_set_cpu', BOOL, [CPU, BPF_MASK], TRUSTED, RCU, {
    summary: 'Sets a CPU and reports whether it was set before (atomically).',
    returns: 'the previous bit; false for an invalid CPU',
  }),
  cpumask(60012, 'bpf_cpumask_test_and_clear_cpu', BOOL, [CPU, BPF_MASK], TRUSTED, RCU, {
    summary: 'Clears a CPU and reports whether it was set before (atomically).',
    returns: 'the previous bit; false for an invalid CPU',
  }),
  cpumask(60013, 'bpf_cpumask_setall', VOID, [BPF_MASK], TRUSTED, RCU, { summary: 'Sets every CPU below nr_cpu_ids.', returns: 'nothing' }),
  cpumask(60014, 'bpf_cpumask_clear', VOID, [BPF_MASK], TRUSTED, RCU, { summary: 'Clears every CPU.', returns: 'nothing' }),
  cpumask(60015, 'bpf_cpumask_and', BOOL, [DST, SRC1, SRC2], TRUSTED, RCU, { summary: 'dst = src1 AND src2.', returns: 'true if dst has any CPU set afterwards' }),
  cpumask(60016, 'bpf_cpumask_or', VOID, [DST, SRC1, SRC2], TRUSTED, RCU, { summary: 'dst = src1 OR src2.', returns: 'nothing' }),
  cpumask(60017, 'bpf_cpumask_xor', VOID, [DST, SRC1, SRC2], TRUSTED, RCU, { summary: 'dst = src1 XOR src2.', returns: 'nothing' }),
  cpumask(60018, 'bpf_cpumask_equal', BOOL, [SRC1, SRC2], TRUSTED, RCU, { summary: 'Compares two masks.', returns: 'true if they hold the same CPUs' }),
  cpumask(60019, 'bpf_cpumask_intersects', BOOL, [SRC1, SRC2], TRUSTED, RCU, { summary: 'Tests whether two masks share a CPU.', returns: 'true if at least one CPU is in both' }),
  cpumask(60020, 'bpf_cpumask_subset', BOOL, [SRC1, SRC2], TRUSTED, RCU, { summary: 'Tests whether src1 ⊆ src2.', returns: 'true if every CPU of src1 is also in src2' }),
  cpumask(60021, 'bpf_cpumask_empty', BOOL, [MASK], TRUSTED, RCU, { summary: 'Tests whether no CPU is set.', returns: 'true if the mask is empty' }),
  cpumask(60022, 'bpf_cpumask_full', BOOL, [MASK], TRUSTED, RCU, { summary: 'Tests whether every CPU below nr_cpu_ids is set.', returns: 'true if the mask is full' }),
  cpumask(60023, 'bpf_cpumask_copy', VOID, [DST, arg(cptr('cpumask'), 'src')], TRUSTED, RCU, { summary: 'Copies src into dst.', returns: 'nothing' }),
  cpumask(60024, 'bpf_cpumask_any', U32, [MASK], TRUSTED, null, { summary: 'Picks a CPU of the mask (in 6.3 simply the lowest one).', returns: `a set CPU, or ${NONE}` }),
  cpumask(60025, 'bpf_cpumask_any_and', U32, [SRC1, SRC2], TRUSTED, null, { summary: 'Picks a CPU set in both masks (in 6.3 simply the lowest one).', returns: `a CPU in both, or ${NONE}` }),
  cpumask(60026, 'bpf_cpumask_any_distribute', U32, [MASK], null, RCU, {
    summary: 'Picks a CPU of the mask, spreading successive picks over its CPUs (seeded here, so runs replay).',
    returns: `a set CPU, or ${NONE}`,
  }),
  cpumask(60027, 'bpf_cpumask_any_and_distribute', U32, [SRC1, SRC2], null, RCU, {
    summary: 'Picks a CPU set in both masks, spreading successive picks (seeded here, so runs replay).',
    returns: `a CPU in both, or ${NONE}`,
  }),
  cpumask(60028, 'bpf_cpumask_weight', U32, [MASK], null, RCU, { summary: 'Counts the CPUs set in the mask.', returns: 'the number of CPUs set' }),
  cpumask(60029, 'bpf_cpumask_populate', INT, [arg(ptr('cpumask'), 'cpumask'), ...sized('void', 'src', 'src__sz', 'size_t', 1)], null, RCU, {
    summary: 'Copies nr_cpu_ids bits from program memory into the mask.',
    returns: '0; -EACCES when src__sz is smaller than the bitmap (nr_cpu_ids rounded up to whole 8-byte words)',
  }),
];

const TASK = arg(ptr('task_struct'), 'p');
const CGRP = arg(ptr('cgroup'), 'cgrp');
const TASK_CGROUP_DECLS: readonly KfuncDecl[] = [
  generic(60101, 'bpf_task_acquire', ptr('task_struct'), [TASK], ['KF_ACQUIRE', 'KF_TRUSTED_ARGS'], ['KF_ACQUIRE', 'KF_RCU', 'KF_RET_NULL'], {
    summary: 'Takes a reference to a task.',
    returns: 'the task (6.3: never NULL; 6.18: NULL when the task is already exiting)',
  }),
  generic(60102, 'bpf_task_release', VOID, [TASK], ['KF_RELEASE'], ['KF_RELEASE'], { summary: 'Drops a task reference.', returns: 'nothing' }),
  generic(60103, 'bpf_task_from_pid', ptr('task_struct'), [arg(scalar('s32'), 'pid')], ACQ_NULL, ACQ_NULL, {
    summary: 'Finds a task by pid (in the initial pid namespace) and takes a reference to it.',
    returns: 'the task, or NULL when there is no such pid',
  }),
  generic(60104, 'bpf_cgroup_acquire', ptr('cgroup'), [CGRP], ['KF_ACQUIRE', 'KF_TRUSTED_ARGS'], ['KF_ACQUIRE', 'KF_RCU', 'KF_RET_NULL'], {
    summary: 'Takes a reference to a cgroup.',
    returns: 'the cgroup (6.3: never NULL; 6.18: NULL when it is already being destroyed)',
  }),
  generic(60105, 'bpf_cgroup_release', VOID, [CGRP], ['KF_RELEASE'], ['KF_RELEASE'], { summary: 'Drops a cgroup reference.', returns: 'nothing' }),
  generic(60106, 'bpf_cgroup_ancestor', ptr('cgroup'), [CGRP, arg(INT, 'level')], ['KF_ACQUIRE', 'KF_TRUSTED_ARGS', 'KF_RET_NULL'], ['KF_ACQUIRE', 'KF_RCU', 'KF_RET_NULL'], {
    summary: 'The ancestor of a cgroup at a given depth (0 = the root, cgrp->level = the cgroup itself), referenced.',
    returns: 'the ancestor, or NULL when level is negative or deeper than the cgroup',
  }),
  generic(60107, 'bpf_cgroup_from_id', ptr('cgroup'), [arg(scalar('u64'), 'cgid')], ACQ_NULL, ACQ_NULL, {
    summary: 'Finds a cgroup by its id and takes a reference to it.',
    returns: 'the cgroup, or NULL when there is no such id',
  }),
  generic(60108, 'bpf_task_under_cgroup', scalar('long'), [arg(ptr('task_struct'), 'task'), arg(ptr('cgroup'), 'ancestor')], null, RCU, {
    summary: "Tests whether a task's default-hierarchy cgroup is the ancestor or below it.",
    returns: '1 if it is, 0 if not',
  }),
  { id: 60109, name: 'bpf_rcu_read_lock', ret: VOID, args: [], profiles: profiles([], EVERY, [], EVERY), summary: 'Enters an RCU read-side critical section (they nest).', returns: 'nothing' },
  { id: 60110, name: 'bpf_rcu_read_unlock', ret: VOID, args: [], profiles: profiles([], EVERY, [], EVERY), summary: 'Leaves the innermost RCU read-side critical section.', returns: 'nothing' },
];

function ctArgs(ctx: KfuncArg): readonly KfuncArg[] {
  return [ctx, ...sized('struct bpf_sock_tuple', 'bpf_tuple', 'tuple__sz', 'u32', 1), ...sized('struct bpf_ct_opts', 'opts', 'opts__sz', 'u32', 3)];
}
const XDP_CTX = arg({ kind: 'ctx', btf: 'xdp_md', const: false }, 'xdp_ctx');
const SKB_CTX = arg({ kind: 'ctx', btf: '__sk_buff', const: false }, 'skb_ctx');
const ALLOC: Text = {
  summary: 'Allocates a conntrack entry for the tuple (10 s timeout), not yet in the table: set its timeout and status, then bpf_ct_insert_entry.',
  returns: 'the new nf_conn___init, or NULL with opts->error set (-EINVAL, -EPROTO, -EAFNOSUPPORT, -ENONET)',
};
const LOOKUP: Text = {
  summary: 'Looks the tuple up in the conntrack table and takes a reference to the entry; sets opts->dir to the direction that matched.',
  returns: 'the entry, or NULL with opts->error set (-ENOENT when not found; -EINVAL, -EPROTO, -EAFNOSUPPORT, -ENONET)',
};
const NFCT = arg(ptr('nf_conn'), 'nfct');
const NFCT_INIT = arg(ptr('nf_conn___init'), 'nfct');
const CONNTRACK_DECLS: readonly KfuncDecl[] = [
  conntrack(60201, 'bpf_xdp_ct_alloc', ptr('nf_conn___init'), ctArgs(XDP_CTX), ACQ_NULL, ALLOC),
  conntrack(60202, 'bpf_xdp_ct_lookup', ptr('nf_conn'), ctArgs(XDP_CTX), ACQ_NULL, LOOKUP),
  conntrack(60203, 'bpf_skb_ct_alloc', ptr('nf_conn___init'), ctArgs(SKB_CTX), ACQ_NULL, ALLOC),
  conntrack(60204, 'bpf_skb_ct_lookup', ptr('nf_conn'), ctArgs(SKB_CTX), ACQ_NULL, LOOKUP),
  conntrack(60205, 'bpf_ct_insert_entry', ptr('nf_conn'), [arg(ptr('nf_conn___init'), 'nfct_i')], ['KF_ACQUIRE', 'KF_RET_NULL', 'KF_RELEASE'], {
    summary: 'Inserts an allocated entry into the table; consumes the nf_conn___init reference.',
    returns: 'a referenced nf_conn (the same object), or NULL when the tuple is already tracked (the allocation is then freed)',
  }),
  conntrack(60206, 'bpf_ct_release', VOID, [NFCT], ['KF_RELEASE'], { summary: 'Drops a reference to a conntrack entry.', returns: 'nothing' }),
  conntrack(60207, 'bpf_ct_set_timeout', VOID, [NFCT_INIT, arg(U32, 'timeout')], TRUSTED, { summary: 'Sets the timeout (ms) of an entry not inserted yet.', returns: 'nothing' }),
  conntrack(60208, 'bpf_ct_change_timeout', INT, [NFCT, arg(U32, 'timeout')], TRUSTED, {
    summary: 'Changes the timeout (ms) of an inserted entry.',
    returns: '0; -EPERM when IPS_FIXED_TIMEOUT is set; -ETIME when the entry is dying',
  }),
  conntrack(60209, 'bpf_ct_set_status', INT, [arg(cptr('nf_conn___init'), 'nfct'), arg(U32, 'status')], TRUSTED, {
    summary: 'Sets status bits of an entry not inserted yet (bits the kernel manages are ignored).',
    returns: '0; -EBUSY when status would change EXPECTED/CONFIRMED/DYING or clear SEEN_REPLY/ASSURED',
  }),
  conntrack(60210, 'bpf_ct_change_status', INT, [NFCT, arg(U32, 'status')], TRUSTED, {
    summary: 'Sets status bits of an inserted entry (bits the kernel manages are ignored).',
    returns: '0; -EBUSY when status would change EXPECTED/CONFIRMED/DYING or clear SEEN_REPLY/ASSURED',
  }),
];

/** net/core/xdp.c: registered for XDP only; no flags in 6.3, KF_TRUSTED_ARGS later. */
const XDP_ONLY: readonly ProgType[] = ['xdp'];
const XDP_CTX_ARG = arg({ kind: 'ctx', btf: 'xdp_md', const: true }, 'ctx');
const XDP_METADATA_DECLS: readonly KfuncDecl[] = [
  {
    id: 60301,
    name: 'bpf_xdp_metadata_rx_timestamp',
    ret: INT,
    args: [XDP_CTX_ARG, arg(out('u64', 8), 'timestamp')],
    profiles: profiles([], XDP_ONLY, TRUSTED, XDP_ONLY),
    summary: "Reads the frame's hardware RX timestamp (ns) from the driver. Only device-bound programs may call it: the playground binds XDP programs to its emulated NIC.",
    returns: '0; -EOPNOTSUPP when the driver cannot give timestamps; -ENODATA when this frame has none',
  },
  {
    id: 60302,
    name: 'bpf_xdp_metadata_rx_hash',
    ret: INT,
    args: [XDP_CTX_ARG, arg(out('u32', 4), 'hash'), arg(out('enum xdp_rss_hash_type', 4), 'rss_type')],
    profiles: profiles([], XDP_ONLY, TRUSTED, XDP_ONLY),
    summary:
      "Reads the frame's RSS hash and what it was computed over (enum xdp_rss_hash_type). The 6.3 release candidates had a two-argument form (ctx, hash) without rss_type; 6.3 itself and later take three.",
    returns: '0; -EOPNOTSUPP when the driver cannot give hashes; -ENODATA when this frame has none',
  },
  {
    id: 60303,
    name: 'bpf_xdp_metadata_rx_vlan_tag',
    ret: INT,
    args: [XDP_CTX_ARG, arg(out('__be16', 2), 'vlan_proto'), arg(out('u16', 2), 'vlan_tci')],
    profiles: profiles(null, XDP_ONLY, TRUSTED, XDP_ONLY),
    summary: 'Reads the VLAN tag the NIC stripped from the frame: the protocol (network byte order) and the TCI (host order; VID = tci & 0xfff).',
    returns: '0; -EOPNOTSUPP when the driver cannot give tags; -ENODATA when the frame had no tag stripped',
  },
];

/** The kfuncs that make a program device-bound (net/core/xdp.c bpf_dev_bound_kfunc_id). */
export const XDP_METADATA_KFUNCS: ReadonlySet<string> = new Set(XDP_METADATA_DECLS.map((d) => d.name));

export const KFUNC_DECLS: readonly KfuncDecl[] = [...CPUMASK_DECLS, ...TASK_CGROUP_DECLS, ...CONNTRACK_DECLS, ...XDP_METADATA_DECLS];
