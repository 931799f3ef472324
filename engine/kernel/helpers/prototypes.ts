// Helper prototypes: its id, argument and return types with their flags (what the
// verifier reads), callbacks, and the program types that may call it — each checked against
// its struct bpf_func_proto (kernel/bpf/helpers.c, kernel/bpf/ringbuf.c, kernel/bpf/bpf_iter.c,
// kernel/bpf/bpf_loop in helpers.c, kernel/trace/bpf_trace.c, net/core/filter.c). Pure data, so
// editors can show it without loading the implementations (basic.ts, map-helpers.ts, packet.ts).

import type { ProgType } from '../../program/program.ts';
import type { HelperArgDecl, HelperDecl } from '../decls.ts';
import type { KernelProfile } from '../profiles.ts';
import { UAPI_HELPER_IDS } from './ids.ts';

/**
 * bpf_tracing_func_proto's program types here: tp_btf (BPF_PROG_TYPE_TRACING), syscall
 * (syscall_prog_func_proto falls back to tracing_prog_func_proto, kernel/bpf/syscall.c), and raw,
 * the conformance convention, which is no kernel program type and gets everything.
 */
const TRACING: readonly ProgType[] = ['tp_btf', 'raw', 'syscall'];
/** xdp_func_proto and tc_cls_act_func_proto (net/core/filter.c); socket filters have neither. */
const XDP_TC: readonly ProgType[] = ['xdp', 'tc'];

type Extra = Omit<HelperDecl, 'id' | 'name' | 'args' | 'ret' | 'progTypes' | 'gplOnly'>;

function decl(name: string, args: readonly HelperArgDecl[], ret: HelperDecl['ret'], progTypes: HelperDecl['progTypes'] = 'any', gplOnly = false, extra: Extra = {}): HelperDecl {
  const id = UAPI_HELPER_IDS[name];
  if (id === undefined) throw new Error(`internal: no helper id for ${name}`);
  return { id, name, args, ret, progTypes, gplOnly, ...extra };
}

const any = (name: string): HelperArgDecl => ({ name, type: 'anything' });
/** ARG_PTR_TO_MEM | MEM_RDONLY: memory the helper only reads. */
const rdonlyMem = (name: string): HelperArgDecl => ({ name, type: 'ptr_to_mem', flags: ['MEM_RDONLY'] });
/** ARG_PTR_TO_UNINIT_MEM: memory the helper fills (it need not be initialized before). */
const uninitMem = (name: string): HelperArgDecl => ({ name, type: 'ptr_to_uninit_mem' });

const BASIC: readonly HelperDecl[] = [
  // bpf_base_func_proto: every program type.
  decl('bpf_ktime_get_ns', [], 'integer'),
  decl('bpf_ktime_get_boot_ns', [], 'integer'),
  decl('bpf_jiffies64', [], 'integer'),
  decl('bpf_get_prandom_u32', [], 'integer'),
  decl('bpf_get_smp_processor_id', [], 'integer'),
  // bpf_base_func_proto's CAP_PERFMON part: every program type (the playground loads as root).
  // bpf_trace_printk_proto declares only fmt and fmt_size: r3-r5 are not checked (they may be
  // uninitialized); the implementation reads them as the format asks.
  decl('bpf_trace_printk', [rdonlyMem('fmt'), { name: 'fmt_size', type: 'const_size' }], 'integer', 'any', true),
  decl('bpf_probe_read_kernel', [uninitMem('dst'), { name: 'size', type: 'const_size_or_zero' }, any('unsafe_ptr')], 'integer', 'any', true),
  // bpf_tracing_func_proto only in 6.3; bpf_base_func_proto gained both later, so in 6.18 every
  // program type has them (observed: an XDP program and a socket filter calling them load on 6.18).
  decl('bpf_get_current_pid_tgid', [], 'integer', [...TRACING], false, { profileProgTypes: { 'linux-6.18': 'any' } }),
  decl('bpf_get_current_comm', [uninitMem('buf'), { name: 'size_of_buf', type: 'const_size' }], 'integer', [...TRACING], false, {
    profileProgTypes: { 'linux-6.18': 'any' },
  }),
  // The compat probe_read: tracing only (x86-64 has non-overlapping address spaces); an XDP
  // program calling it is refused on 6.18 too.
  decl('bpf_probe_read', [uninitMem('dst'), { name: 'size', type: 'const_size_or_zero' }, any('unsafe_ptr')], 'integer', [...TRACING], true),
  decl('bpf_loop', [any('nr_loops'), { name: 'callback_fn', type: 'ptr_to_func' }, { name: 'callback_ctx', type: 'ptr_to_stack_or_null' }, any('flags')], 'integer', 'any', false, {
    // verifier.c set_loop_callback_state: r1 = the index (u64 scalar), r2 = callback_ctx; r0 in [0, 1].
    callback: { arg: 1, frame: ['scalar', 'callback_ctx', 'unset', 'unset', 'unset'], retRange: [0, 1] },
  }),
  decl('bpf_redirect', [any('ifindex'), any('flags')], 'integer', [...XDP_TC]),
];

const MAP = { name: 'map', type: 'const_map_ptr' } as const;
const KEY = { name: 'key', type: 'ptr_to_map_key' } as const;

/** The map helpers (implemented in map-helpers.ts). */
export const MAP_HELPER_DECLS: readonly HelperDecl[] = [
  decl('bpf_map_lookup_elem', [MAP, KEY], 'ptr_to_map_value_or_null', 'any', false, { pktAccess: true }),
  decl('bpf_map_update_elem', [MAP, KEY, { name: 'value', type: 'ptr_to_map_value' }, any('flags')], 'integer', 'any', false, { pktAccess: true }),
  decl('bpf_map_delete_elem', [MAP, KEY], 'integer', 'any', false, { pktAccess: true }),
  // bpf_tail_call_proto returns RET_VOID: it does not return when the jump succeeds.
  decl('bpf_tail_call', [{ name: 'ctx', type: 'ptr_to_ctx' }, { name: 'prog_array_map', type: 'const_map_ptr' }, any('index')], 'void'),
  decl('bpf_redirect_map', [MAP, any('key'), any('flags')], 'integer', ['xdp']),
  decl('bpf_ringbuf_output', [{ name: 'ringbuf', type: 'const_map_ptr' }, rdonlyMem('data'), { name: 'size', type: 'const_size_or_zero' }, any('flags')], 'integer'),
  // RET_PTR_TO_MEM | MEM_RINGBUF | PTR_MAYBE_NULL; its size is the constant in arg 2.
  decl('bpf_ringbuf_reserve', [{ name: 'ringbuf', type: 'const_map_ptr' }, { name: 'size', type: 'const_alloc_size_or_zero' }, any('flags')], 'ptr_to_mem_or_null', 'any', false, {
    retFlags: ['MEM_RINGBUF'],
    retSizeArg: 1,
    acquire: true,
  }),
  decl('bpf_ringbuf_submit', [{ name: 'data', type: 'ptr_to_ringbuf_mem', flags: ['MEM_RINGBUF', 'OBJ_RELEASE'] }, any('flags')], 'void'),
  decl('bpf_ringbuf_discard', [{ name: 'data', type: 'ptr_to_ringbuf_mem', flags: ['MEM_RINGBUF', 'OBJ_RELEASE'] }, any('flags')], 'void'),
  decl('bpf_for_each_map_elem', [MAP, { name: 'callback_fn', type: 'ptr_to_func' }, { name: 'callback_ctx', type: 'ptr_to_stack_or_null' }, any('flags')], 'integer', 'any', false, {
    // verifier.c set_map_elem_callback_state: (map, key, value, callback_ctx); r0 in [0, 1].
    callback: { arg: 1, frame: ['map', 'map_key', 'map_value', 'callback_ctx', 'unset'], retRange: [0, 1] },
  }),
  // arg 2 is ARG_PTR_TO_BTF_ID_OR_NULL | OBJ_RELEASE; the result's type is the kptr field's.
  decl('bpf_kptr_xchg', [{ name: 'map_value', type: 'ptr_to_kptr' }, { name: 'ptr', type: 'ptr_to_btf_id_or_null', flags: ['OBJ_RELEASE'] }], 'ptr_to_btf_id_or_null', 'any', false, { retBtfFrom: 'kptr_field', acquire: true }),
];

const XDP_ADJUST: readonly HelperArgDecl[] = [{ name: 'xdp_md', type: 'ptr_to_ctx' }, any('delta')];
const PACKET: readonly HelperDecl[] = [
  decl('bpf_xdp_adjust_head', XDP_ADJUST, 'integer', ['xdp']),
  decl('bpf_xdp_adjust_meta', XDP_ADJUST, 'integer', ['xdp']),
  decl('bpf_xdp_adjust_tail', XDP_ADJUST, 'integer', ['xdp']),
  // bpf_skb_pull_data_proto: tc_cls_act_func_proto only (sk_skb has its own, sk_skb_pull_data_proto).
  decl('bpf_skb_pull_data', [{ name: 'skb', type: 'ptr_to_ctx' }, any('len')], 'integer', ['tc']),
];

const CTX: HelperArgDecl = { name: 'ctx', type: 'ptr_to_ctx' };
const size = (name: string): HelperArgDecl => ({ name, type: 'const_size' });
const sizeOrZero = (name: string): HelperArgDecl => ({ name, type: 'const_size_or_zero' });
/** ARG_PTR_TO_MEM_OR_NULL | MEM_RDONLY. */
const rdonlyMemOrNull = (name: string): HelperArgDecl => ({ name, type: 'ptr_to_mem_or_null', flags: ['MEM_RDONLY'] });
/** Every program type of the playground, the ones bpf_base_func_proto reaches in 6.18. */
const ANY_TYPE = 'any';
/** Not implemented by the simulated kernel: the verifier checks calls, the run stops at them. */
const NOT_SIMULATED = { unimplemented: true } as const;

/**
 * Helpers Linux has and the simulated kernel does not run, declared so that the verifier
 * checks programs calling them as Linux does. Program types per profile: 6.18 as this
 * machine's 6.18 kernel answers (engine/kernel/decls/helpers-kernel.test.ts); 6.3 from the
 * 6.3 sources' bpf_base_func_proto / bpf_tracing_func_proto where they differ.
 */
const NOT_SIMULATED_DECLS: readonly HelperDecl[] = [
  // net/core/filter.c bpf_skb_store_bytes_proto: tc_cls_act_func_proto (not xdp, not socket filters).
  decl('bpf_skb_store_bytes', [CTX, any('offset'), rdonlyMem('from'), size('len'), any('flags')], 'integer', ['tc'], false, NOT_SIMULATED),
  // bpf_tracing_func_proto: ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, as probe_read_kernel.
  decl('bpf_probe_read_user', [uninitMem('dst'), sizeOrZero('size'), any('unsafe_ptr')], 'integer', ANY_TYPE, true, NOT_SIMULATED),
  decl('bpf_probe_read_user_str', [uninitMem('dst'), sizeOrZero('size'), any('unsafe_ptr')], 'integer', ANY_TYPE, true, NOT_SIMULATED),
  decl('bpf_probe_read_kernel_str', [uninitMem('dst'), sizeOrZero('size'), any('unsafe_ptr')], 'integer', ANY_TYPE, true, NOT_SIMULATED),
  // bpf_get_current_uid_gid_proto, bpf_get_current_cgroup_id_proto, bpf_send_signal_proto: only
  // bpf_tracing_func_proto in 6.3; 6.18's bpf_base_func_proto has them for every type.
  decl('bpf_get_current_uid_gid', [], 'integer', [...TRACING], false, { ...NOT_SIMULATED, profileProgTypes: { 'linux-6.18': ANY_TYPE } }),
  decl('bpf_get_current_cgroup_id', [], 'integer', [...TRACING], false, { ...NOT_SIMULATED, profileProgTypes: { 'linux-6.18': ANY_TYPE } }),
  decl('bpf_send_signal', [any('sig')], 'integer', [...TRACING], false, { ...NOT_SIMULATED, profileProgTypes: { 'linux-6.18': ANY_TYPE } }),
  // bpf_perf_event_output_proto(_raw_tp), bpf_xdp_event_output_proto, bpf_skb_event_output_proto:
  // one shape, all GPL-only.
  decl('bpf_perf_event_output', [CTX, MAP, any('flags'), rdonlyMem('data'), sizeOrZero('size')], 'integer', ANY_TYPE, true, NOT_SIMULATED),
  // bpf_skb_load_bytes_proto: tc_cls_act_func_proto and sk_filter_func_proto.
  decl('bpf_skb_load_bytes', [CTX, any('offset'), uninitMem('to'), size('len')], 'integer', ['tc', 'socket'], false, NOT_SIMULATED),
  // bpf_get_stackid_proto (kernel/bpf/stackmap.c), tracing only; the map must be a stack trace map.
  decl('bpf_get_stackid', [CTX, MAP, any('flags')], 'integer', [...TRACING], true, NOT_SIMULATED),
  // bpf_csum_diff_proto: pkt_access, from/to may be NULL with size 0.
  decl('bpf_csum_diff', [rdonlyMemOrNull('from'), sizeOrZero('from_size'), rdonlyMemOrNull('to'), sizeOrZero('to_size'), any('seed')], 'integer', [...XDP_TC], false, {
    ...NOT_SIMULATED,
    pktAccess: true,
  }),
  // bpf_get_current_task_proto: bpf_base_func_proto's CAP_PERFMON part.
  decl('bpf_get_current_task', [], 'integer', ANY_TYPE, true, NOT_SIMULATED),
  // bpf_get_numa_node_id_proto: bpf_base_func_proto, no capability needed.
  decl('bpf_get_numa_node_id', [], 'integer', ANY_TYPE, false, NOT_SIMULATED),
  // bpf_get_socket_cookie_proto (the skb's) in tc and socket filters; tracing programs get
  // bpf_get_socket_ptr_cookie_proto: ARG_PTR_TO_BTF_ID_SOCK_COMMON | PTR_MAYBE_NULL (observed:
  // NULL passes on 6.18).
  decl('bpf_get_socket_cookie', [CTX], 'integer', ['tc', 'socket', ...TRACING], false, {
    ...NOT_SIMULATED,
    progTypeArgs: Object.fromEntries(TRACING.map((t) => [t, [{ name: 'sk', type: 'ptr_to_btf_id_sock_common', flags: ['PTR_MAYBE_NULL'] }]])),
  }),
  decl('bpf_set_hash', [CTX, any('hash')], 'integer', ['tc'], false, NOT_SIMULATED),
  // bpf_sk_lookup_tcp_proto / bpf_xdp_sk_lookup_tcp_proto (and udp, skc): the tuple is read-only
  // memory with its size, which may be 0 (ARG_CONST_SIZE_OR_ZERO since the lookup protos were
  // relaxed; 6.18 accepts a zero size, found by the mutant differential); the result is a
  // referenced socket or NULL.
  decl('bpf_sk_lookup_tcp', [CTX, rdonlyMem('tuple'), sizeOrZero('tuple_size'), any('netns'), any('flags')], 'ptr_to_socket_or_null', [...XDP_TC], false, {
    pktAccess: true,
    acquire: true,
  }),
  decl('bpf_sk_lookup_udp', [CTX, rdonlyMem('tuple'), sizeOrZero('tuple_size'), any('netns'), any('flags')], 'ptr_to_socket_or_null', [...XDP_TC], false, {
    pktAccess: true,
    acquire: true,
  }),
  // bpf_sk_release_proto: ARG_PTR_TO_BTF_ID_SOCK_COMMON | OBJ_RELEASE.
  decl('bpf_sk_release', [{ name: 'sock', type: 'ptr_to_btf_id_sock_common', flags: ['OBJ_RELEASE'] }], 'integer', [...XDP_TC], false),
  // bpf_spin_lock_proto / bpf_spin_unlock_proto: bpf_base_func_proto's CAP_BPF part; RET_VOID.
  decl('bpf_spin_lock', [{ name: 'lock', type: 'ptr_to_spin_lock' }], 'void', ANY_TYPE, false, NOT_SIMULATED),
  decl('bpf_spin_unlock', [{ name: 'lock', type: 'ptr_to_spin_lock' }], 'void', ANY_TYPE, false, NOT_SIMULATED),
  decl('bpf_skc_lookup_tcp', [CTX, rdonlyMem('tuple'), sizeOrZero('tuple_size'), any('netns'), any('flags')], 'ptr_to_sock_common_or_null', [...XDP_TC], false, {
    pktAccess: true,
    acquire: true,
  }),
  // bpf_get_current_task_btf_proto: RET_PTR_TO_BTF_ID_TRUSTED, ret_btf_id task_struct (CAP_PERFMON part).
  decl('bpf_get_current_task_btf', [], 'ptr_to_btf_id', ANY_TYPE, true, { ...NOT_SIMULATED, retBtfType: 'task_struct', retFlags: ['PTR_TRUSTED'] }),
  // bpf_snprintf_proto: str may be NULL with str_size 0; fmt a constant string in a read-only
  // map; data may be NULL with data_len 0. CAP_PERFMON part of bpf_base_func_proto.
  decl('bpf_snprintf', [{ name: 'str', type: 'ptr_to_mem_or_null' }, sizeOrZero('str_size'), { name: 'fmt', type: 'ptr_to_const_str' }, rdonlyMemOrNull('data'), sizeOrZero('data_len')], 'integer', ANY_TYPE, true, NOT_SIMULATED),
  // bpf_get_func_ip_proto_tracing: tracing programs' get_func_proto hands it out, but
  // check_get_func_ip then refuses it outside fentry/fexit/fmod_ret and kprobes ("func
  // bpf_get_func_ip#173 supported only for fentry/fexit/fmod_ret programs" for tp_btf, "... not
  // supported for program type 31" for syscall).
  decl('bpf_get_func_ip', [CTX], 'integer', [...TRACING], true, NOT_SIMULATED),
  // bpf_strncmp_proto: bpf_base_func_proto, no capability needed.
  decl('bpf_strncmp', [rdonlyMem('s1'), size('s1_sz'), { name: 's2', type: 'ptr_to_const_str' }], 'integer', ANY_TYPE, false, NOT_SIMULATED),
  // bpf_ktime_get_tai_ns_proto (Linux 6.1): bpf_base_func_proto.
  decl('bpf_ktime_get_tai_ns', [], 'integer', ANY_TYPE, false, NOT_SIMULATED),
];

export const HELPER_DECLS: readonly HelperDecl[] = [...BASIC, ...MAP_HELPER_DECLS, ...PACKET, ...NOT_SIMULATED_DECLS].sort((a, b) => a.id - b.id);

const byId = new Map(HELPER_DECLS.map((d) => [d.id, d]));

/** The prototype of helper `id` (enum bpf_func_id), if the simulated kernel has it. */
export function helperPrototype(id: number): HelperDecl | undefined {
  return byId.get(id);
}

/** The program types that may call `d` in `profile`. */
export function helperProgTypes(d: HelperDecl, profile: KernelProfile): 'any' | readonly ProgType[] {
  return d.profileProgTypes?.[profile] ?? d.progTypes;
}
