// Every helper's prototype: its id, argument and return types (what the verifier reads) and
// the program types that may call it (include/uapi/linux/bpf.h; kernel/bpf/helpers.c,
// kernel/trace/bpf_trace.c, net/core/filter.c). Pure data, so editors can show it without
// loading the implementations (basic.ts, map-helpers.ts, packet.ts).

import type { ProgType } from '../../program/program.ts';
import type { HelperDecl } from '../decls.ts';
import { HELPER_IDS } from './ids.ts';

const TRACING: readonly ProgType[] = ['tp_btf', 'raw', 'syscall'];
const NET: readonly ProgType[] = ['xdp', 'tc', 'socket'];

function decl(name: string, args: HelperDecl['args'], ret: HelperDecl['ret'], progTypes: HelperDecl['progTypes'] = 'any', gplOnly = false): HelperDecl {
  const id = HELPER_IDS[name];
  if (id === undefined) throw new Error(`internal: no helper id for ${name}`);
  return { id, name, args, ret, progTypes, gplOnly };
}

const BASIC: readonly HelperDecl[] = [
  decl('bpf_ktime_get_ns', [], 'integer', 'any'),
  decl('bpf_ktime_get_boot_ns', [], 'integer', 'any'),
  decl('bpf_jiffies64', [], 'integer', 'any'),
  decl('bpf_get_prandom_u32', [], 'integer', 'any'),
  decl('bpf_get_smp_processor_id', [], 'integer', 'any'),
  decl('bpf_trace_printk', [{ name: 'fmt', type: 'ptr_to_mem' }, { name: 'fmt_size', type: 'const_size' }, { name: 'arg1', type: 'anything' }, { name: 'arg2', type: 'anything' }, { name: 'arg3', type: 'anything' }], 'integer', 'any', true),
  decl('bpf_get_current_pid_tgid', [], 'integer', [...TRACING]),
  decl('bpf_get_current_comm', [{ name: 'buf', type: 'ptr_to_uninit_mem' }, { name: 'size_of_buf', type: 'const_size' }], 'integer', [...TRACING]),
  decl('bpf_probe_read_kernel', [{ name: 'dst', type: 'ptr_to_uninit_mem' }, { name: 'size', type: 'const_size_or_zero' }, { name: 'unsafe_ptr', type: 'anything' }], 'integer', [...TRACING], true),
  decl('bpf_probe_read', [{ name: 'dst', type: 'ptr_to_uninit_mem' }, { name: 'size', type: 'const_size_or_zero' }, { name: 'unsafe_ptr', type: 'anything' }], 'integer', [...TRACING], true),
  decl('bpf_loop', [{ name: 'nr_loops', type: 'anything' }, { name: 'callback_fn', type: 'ptr_to_func' }, { name: 'callback_ctx', type: 'ptr_to_stack_or_null' }, { name: 'flags', type: 'anything' }], 'integer', 'any'),
  decl('bpf_redirect', [{ name: 'ifindex', type: 'anything' }, { name: 'flags', type: 'anything' }], 'integer', [...NET]),
];

const MAP = { name: 'map', type: 'const_map_ptr' } as const;
const KEY = { name: 'key', type: 'ptr_to_map_key' } as const;

/** The map helpers (implemented in map-helpers.ts). */
export const MAP_HELPER_DECLS: readonly HelperDecl[] = [
  decl('bpf_map_lookup_elem', [MAP, KEY], 'ptr_to_map_value_or_null'),
  decl('bpf_map_update_elem', [MAP, KEY, { name: 'value', type: 'ptr_to_map_value' }, { name: 'flags', type: 'anything' }], 'integer'),
  decl('bpf_map_delete_elem', [MAP, KEY], 'integer'),
  decl('bpf_tail_call', [{ name: 'ctx', type: 'ptr_to_ctx' }, { name: 'prog_array_map', type: 'const_map_ptr' }, { name: 'index', type: 'anything' }], 'integer'),
  decl('bpf_redirect_map', [MAP, { name: 'key', type: 'anything' }, { name: 'flags', type: 'anything' }], 'integer', ['xdp']),
  decl('bpf_ringbuf_output', [{ name: 'ringbuf', type: 'const_map_ptr' }, { name: 'data', type: 'ptr_to_mem' }, { name: 'size', type: 'const_size_or_zero' }, { name: 'flags', type: 'anything' }], 'integer'),
  decl('bpf_ringbuf_reserve', [{ name: 'ringbuf', type: 'const_map_ptr' }, { name: 'size', type: 'const_alloc_size_or_zero' }, { name: 'flags', type: 'anything' }], 'ptr_to_mem_or_null'),
  decl('bpf_ringbuf_submit', [{ name: 'data', type: 'ptr_to_ringbuf_mem' }, { name: 'flags', type: 'anything' }], 'void'),
  decl('bpf_ringbuf_discard', [{ name: 'data', type: 'ptr_to_ringbuf_mem' }, { name: 'flags', type: 'anything' }], 'void'),
  decl('bpf_for_each_map_elem', [MAP, { name: 'callback_fn', type: 'ptr_to_func' }, { name: 'callback_ctx', type: 'ptr_to_stack_or_null' }, { name: 'flags', type: 'anything' }], 'integer'),
  decl('bpf_kptr_xchg', [{ name: 'map_value', type: 'ptr_to_kptr' }, { name: 'ptr', type: 'ptr_to_btf_id_or_null' }], 'ptr_to_btf_id_or_null'),
];

const XDP_ADJUST = [{ name: 'xdp_md', type: 'ptr_to_ctx' }, { name: 'delta', type: 'anything' }] as const;
const PACKET: readonly HelperDecl[] = [
  decl('bpf_xdp_adjust_head', XDP_ADJUST, 'integer', ['xdp']),
  decl('bpf_xdp_adjust_meta', XDP_ADJUST, 'integer', ['xdp']),
  decl('bpf_xdp_adjust_tail', XDP_ADJUST, 'integer', ['xdp']),
];

export const HELPER_DECLS: readonly HelperDecl[] = [...BASIC, ...MAP_HELPER_DECLS, ...PACKET].sort((a, b) => a.id - b.id);
