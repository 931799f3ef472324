// Helper calls: argument types (maps, memory and its size, constants), helpers a program type
// may not call, GPL-only helpers from a non-GPL program, unknown helper ids, and tail calls.
// Helpers the assembler has no name for are called by number, with the name in the case.

import { accept, reject, topic, ARRAY8, KEY0, type Case } from './build.ts';

type Opt = { maps?: readonly string[]; license?: string | null; note?: string };
const on = (section: string) => (name: string, body: string, expect: Case['expect'], o: Opt = {}): Case => ({ name, section, body, expect, ...o });
const xdp = on('xdp');
const tc = on('tc');
const socket = on('socket');
const newtask = on('tp_btf/task_newtask');

/** bpf_probe_read_kernel(dst = fp-64, size = r2 as set by `size`, src = 0). */
const probeRead = (size: string, dst = 'r1 = r10\nr1 += -64'): string => `${size}\n${dst}\nr3 = 0\ncall bpf_probe_read_kernel\nr0 = 0\nexit`;
/** bpf_trace_printk("hi", size) with the format at fp-8. */
const printk = (size: string): string => `*(u64 *)(r10 - 8) = 0x6968\nr1 = r10\nr1 += -8\n${size}\ncall bpf_trace_printk\nr0 = 0\nexit`;
const PROG_ARRAY = 'pa type=prog_array key=4 value=4 max_entries=4';

const sizes: Case[] = [
  xdp('probe_read_kernel with constant size', probeRead('r2 = 64'), accept),
  xdp('probe_read_kernel with size zero', probeRead('r2 = 0'), accept, { note: 'the size argument may be zero' }),
  xdp('probe_read_kernel with bounded variable size', probeRead('r2 = *(u32 *)(r1 + 16)\nr2 &= 63'), accept),
  xdp('probe_read_kernel with variable size past the buffer', probeRead('r2 = *(u32 *)(r1 + 16)\nr2 &= 127'), reject('invalid write to stack R1 off=-64 size=127')),
  xdp('probe_read_kernel with unbounded size', probeRead('r2 = *(u32 *)(r1 + 16)'), reject('R2 unbounded memory access')),
  xdp('probe_read_kernel with possibly negative size', probeRead('call bpf_ktime_get_ns\nr2 = r0\nif r2 s<= 64 goto +1\nr2 = 0'), reject('R2 min value is negative')),
  xdp('probe_read_kernel size past the stack buffer', probeRead('r2 = 72'), reject('invalid write to stack R1 off=-64 size=72')),
  xdp('probe_read_kernel into ctx', probeRead('r2 = 4', ''), reject('R1 type=ctx expected=')),
  xdp('probe_read_kernel into NULL', probeRead('r2 = 4', 'r1 = 0'), reject('R1 type=scalar expected=')),
  xdp('probe_read_kernel into a map value', `r1 = m ll\n${KEY0}\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\nr1 = r0\nr2 = 8\nr3 = 0\ncall bpf_probe_read_kernel\nout:\nr0 = 0\nexit`, accept, { maps: [ARRAY8] }),
  xdp('probe_read_kernel past a map value', `r1 = m ll\n${KEY0}\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\nr1 = r0\nr2 = 16\nr3 = 0\ncall bpf_probe_read_kernel\nout:\nr0 = 0\nexit`, reject('invalid access to map value, value_size=8 off=0 size=16'), { maps: [ARRAY8] }),
  xdp('trace_printk with constant size', printk('r2 = 3'), accept),
  xdp('trace_printk with size zero', printk('r2 = 0'), reject('R2 invalid zero-sized read')),
  xdp('trace_printk with size past the buffer', printk('r2 = 16'), reject('invalid read from stack R1 off=-8 size=16')),
  xdp('trace_printk without size', '*(u64 *)(r10 - 8) = 0\nr1 = r10\nr1 += -8\ncall bpf_trace_printk\nr0 = 0\nexit', reject('R2 !read_ok')),
  xdp('csum_diff with NULL and size zero', 'r1 = 0\nr2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\ncall bpf_csum_diff\nr0 = 2\nexit', accept),
  xdp('csum_diff with NULL and nonzero size', 'r1 = 0\nr2 = 4\nr3 = 0\nr4 = 0\nr5 = 0\ncall bpf_csum_diff\nr0 = 2\nexit', reject('R1 type=scalar expected=')),
];

const progTypes: Case[] = [
  xdp('get_current_comm from XDP', 'r1 = r10\nr1 += -16\nr2 = 16\ncall bpf_get_current_comm\nr0 = 0\nexit', accept, { note: 'bpf_get_current_comm is a base helper in 6.18' }),
  newtask('get_current_comm from tp_btf', 'r1 = r10\nr1 += -16\nr2 = 16\ncall bpf_get_current_comm\nr0 = 0\nexit', accept),
  tc('xdp_adjust_head from tc', 'r2 = 4\ncall bpf_xdp_adjust_head\nr0 = 0\nexit', reject('program of this type cannot use helper bpf_xdp_adjust_head#44')),
  xdp('xdp_adjust_head from XDP', 'r2 = 4\ncall bpf_xdp_adjust_head\nr0 = 2\nexit', accept),
  socket('redirect from a socket filter', 'r1 = 1\nr2 = 0\ncall bpf_redirect\nr0 = 0\nexit', reject('program of this type cannot use helper bpf_redirect#23')),
  tc('redirect from tc', 'r1 = 1\nr2 = 0\ncall bpf_redirect\nexit', accept),
  xdp('skb_load_bytes (26) from XDP', 'r2 = 0\nr3 = r10\nr3 += -8\nr4 = 8\ncall 26\nr0 = 2\nexit', reject('program of this type cannot use helper bpf_skb_load_bytes#26')),
  socket('skb_load_bytes (26) from a socket filter', 'r2 = 0\nr3 = r10\nr3 += -8\nr4 = 8\ncall 26\nr0 = 0\nexit', accept),
  socket('skb_load_bytes (26) size past the buffer', 'r2 = 0\nr3 = r10\nr3 += -8\nr4 = 16\ncall 26\nr0 = 0\nexit', reject('invalid write to stack R3 off=-8 size=16')),
  xdp('get_current_task_btf (158) from XDP', 'call 158\nr0 = 0\nexit', accept),
  newtask('get_current_task_btf (158) then read pid', 'call 158\nr0 = *(u32 *)(r0 + task_struct.pid)\nr0 = 0\nexit', accept),
  xdp('send_signal (109) from XDP', 'r1 = 9\ncall 109\nr0 = 2\nexit', accept, { note: 'a base helper for privileged programs in 6.18' }),
  newtask('send_signal (109) from tp_btf', 'r1 = 0\ncall 109\nr0 = 0\nexit', accept),
  socket('skb_store_bytes (9) from a socket filter', '*(u64 *)(r10 - 8) = 0\nr2 = 0\nr3 = r10\nr3 += -8\nr4 = 8\nr5 = 0\ncall 9\nr0 = 0\nexit', reject('program of this type cannot use helper bpf_skb_store_bytes#9')),
  tc('skb_store_bytes (9) from tc', '*(u64 *)(r10 - 8) = 0\nr2 = 0\nr3 = r10\nr3 += -8\nr4 = 8\nr5 = 0\ncall 9\nr0 = 0\nexit', accept),
  xdp('set_hash (48) from XDP', 'r2 = 1\ncall 48\nr0 = 2\nexit', reject('program of this type cannot use helper bpf_set_hash#48')),
  xdp('get_stackid (27) from XDP', 'r2 = 0\nr3 = 0\ncall 27\nr0 = 2\nexit', reject('program of this type cannot use helper bpf_get_stackid#27')),
  socket('ktime_get_ns from a socket filter', 'call bpf_ktime_get_ns\nr0 = 0\nexit', accept),
  xdp('unknown helper id', 'call 9999\nr0 = 0\nexit', reject('invalid func unknown#9999')),
  xdp('helper id zero', 'call 0\nr0 = 0\nexit', reject('program of this type cannot use helper bpf_unspec#0')),
];

const gpl: Case[] = [
  xdp('trace_printk without a license', printk('r2 = 3'), reject('cannot call GPL-restricted function from non-GPL compatible program'), { license: null }),
  xdp('trace_printk with an MIT license', printk('r2 = 3'), reject('cannot call GPL-restricted function from non-GPL compatible program'), { license: 'MIT' }),
  xdp('trace_printk with a Dual BSD/GPL license', printk('r2 = 3'), accept, { license: 'Dual BSD/GPL' }),
  xdp('trace_printk with a GPL v2 license', printk('r2 = 3'), accept, { license: 'GPL v2' }),
  xdp('probe_read_kernel without a license', probeRead('r2 = 8'), reject('cannot call GPL-restricted function from non-GPL compatible program'), { license: null }),
  xdp('ktime_get_ns without a license', 'call bpf_ktime_get_ns\nr0 = 2\nexit', accept, { license: null }),
  xdp('map lookup with a proprietary license', `r1 = m ll\n${KEY0}\ncall bpf_map_lookup_elem\nr0 = 2\nexit`, accept, { license: 'Proprietary', maps: [ARRAY8] }),
];

const tailCalls: Case[] = [
  xdp('tail call through a prog_array', 'r2 = pa ll\nr3 = 0\ncall bpf_tail_call\nr0 = 2\nexit', accept, { maps: [PROG_ARRAY] }),
  xdp('tail call with an unknown index', 'r3 = *(u32 *)(r1 + 16)\nr2 = pa ll\ncall bpf_tail_call\nr0 = 2\nexit', accept, { maps: [PROG_ARRAY] }),
  xdp('tail call through an array map', 'r2 = m ll\nr3 = 0\ncall bpf_tail_call\nr0 = 2\nexit', reject('expected prog array map for tail call'), { maps: [ARRAY8] }),
  xdp('tail call with a stack pointer as map', 'r2 = r10\nr3 = 0\ncall bpf_tail_call\nr0 = 2\nexit', reject('R2 type=fp expected=map_ptr')),
  xdp('tail call without ctx in r1', 'r1 = 0\nr2 = pa ll\nr3 = 0\ncall bpf_tail_call\nr0 = 2\nexit', reject('R1 type=scalar expected=ctx'), { maps: [PROG_ARRAY] }),
  xdp('tail call without index', 'r2 = pa ll\ncall bpf_tail_call\nr0 = 2\nexit', reject('R3 !read_ok'), { maps: [PROG_ARRAY] }),
  xdp('prog_array used by map_update_elem', `r1 = pa ll\n${KEY0}\nr3 = r10\nr3 += -8\nr4 = 0\ncall bpf_map_update_elem\nr0 = 2\nexit`, reject('cannot pass map_type 3 into func bpf_map_update_elem#2'), { maps: [PROG_ARRAY] }),
  xdp('tail call from a subprogram', 'call f\nr0 = 2\nexit\nf:\nr2 = pa ll\nr3 = 0\ncall bpf_tail_call\nr0 = 0\nexit', accept, { maps: [PROG_ARRAY], note: 'libbpf loads a clang-built object with BTF func_info, with which the kernel allows this; without it: tail_call is not allowed in subprogs without BTF' }),
  xdp('redirect_map with a devmap', 'r1 = dm ll\nr2 = 0\nr3 = 0\ncall bpf_redirect_map\nexit', accept, { maps: ['dm type=devmap key=4 value=4 max_entries=4'] }),
  xdp('redirect_map with an array map', 'r1 = m ll\nr2 = 0\nr3 = 0\ncall bpf_redirect_map\nexit', reject('cannot pass map_type 2 into func bpf_redirect_map#51'), { maps: [ARRAY8] }),
];

export const HELPERS = topic('helpers', [...sizes, ...progTypes, ...gpl, ...tailCalls]);
