// Every helper's prototype: its id, argument and return types with their flags (what the
// verifier reads), callbacks, and the program types that may call it — each checked against
// its struct bpf_func_proto (kernel/bpf/helpers.c, kernel/bpf/ringbuf.c, kernel/bpf/bpf_iter.c,
// kernel/bpf/bpf_loop in helpers.c, kernel/trace/bpf_trace.c, net/core/filter.c). Pure data, so
// editors can show it without loading the implementations (basic.ts, map-helpers.ts, packet.ts).

import type { ProgType } from '../../program/program.ts';
import type { HelperArgDecl, HelperDecl } from '../decls.ts';
import type { KernelProfile } from '../profiles.ts';
import { HELPER_IDS } from './ids.ts';

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
  const id = HELPER_IDS[name];
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
  decl('bpf_trace_printk', [rdonlyMem('fmt'), { name: 'fmt_size', type: 'const_size' }, any('arg1'), any('arg2'), any('arg3')], 'integer', 'any', true),
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
  }),
  decl('bpf_ringbuf_submit', [{ name: 'data', type: 'ptr_to_ringbuf_mem', flags: ['MEM_RINGBUF', 'OBJ_RELEASE'] }, any('flags')], 'void'),
  decl('bpf_ringbuf_discard', [{ name: 'data', type: 'ptr_to_ringbuf_mem', flags: ['MEM_RINGBUF', 'OBJ_RELEASE'] }, any('flags')], 'void'),
  decl('bpf_for_each_map_elem', [MAP, { name: 'callback_fn', type: 'ptr_to_func' }, { name: 'callback_ctx', type: 'ptr_to_stack_or_null' }, any('flags')], 'integer', 'any', false, {
    // verifier.c set_map_elem_callback_state: (map, key, value, callback_ctx); r0 in [0, 1].
    callback: { arg: 1, frame: ['map', 'map_key', 'map_value', 'callback_ctx', 'unset'], retRange: [0, 1] },
  }),
  // arg 2 is ARG_PTR_TO_BTF_ID_OR_NULL | OBJ_RELEASE; the result's type is the kptr field's.
  decl('bpf_kptr_xchg', [{ name: 'map_value', type: 'ptr_to_kptr' }, { name: 'ptr', type: 'ptr_to_btf_id_or_null', flags: ['OBJ_RELEASE'] }], 'ptr_to_btf_id_or_null', 'any', false, { retBtfFrom: 'kptr_field' }),
];

const XDP_ADJUST: readonly HelperArgDecl[] = [{ name: 'xdp_md', type: 'ptr_to_ctx' }, any('delta')];
const PACKET: readonly HelperDecl[] = [
  decl('bpf_xdp_adjust_head', XDP_ADJUST, 'integer', ['xdp']),
  decl('bpf_xdp_adjust_meta', XDP_ADJUST, 'integer', ['xdp']),
  decl('bpf_xdp_adjust_tail', XDP_ADJUST, 'integer', ['xdp']),
];

export const HELPER_DECLS: readonly HelperDecl[] = [...BASIC, ...MAP_HELPER_DECLS, ...PACKET].sort((a, b) => a.id - b.id);

const byId = new Map(HELPER_DECLS.map((d) => [d.id, d]));

/** The prototype of helper `id` (enum bpf_func_id), if the simulated kernel has it. */
export function helperPrototype(id: number): HelperDecl | undefined {
  return byId.get(id);
}

/** The program types that may call `d` in `profile`. */
export function helperProgTypes(d: HelperDecl, profile: KernelProfile): 'any' | readonly ProgType[] {
  return d.profileProgTypes?.[profile] ?? d.progTypes;
}
