// Helper function ids (enum bpf_func_id, include/uapi/linux/bpf.h). Ids are UAPI and never
// change; the simulated kernel attaches prototypes and implementations to them. The table has
// no prototype: `call toString` must find no helper.

import { dictionary } from '../../util/dictionary.ts';

export const HELPER_IDS: Readonly<Record<string, number>> = dictionary({
  bpf_map_lookup_elem: 1,
  bpf_map_update_elem: 2,
  bpf_map_delete_elem: 3,
  bpf_probe_read: 4,
  bpf_ktime_get_ns: 5,
  bpf_trace_printk: 6,
  bpf_get_prandom_u32: 7,
  bpf_get_smp_processor_id: 8,
  bpf_tail_call: 12,
  bpf_get_current_pid_tgid: 14,
  bpf_get_current_comm: 16,
  bpf_redirect: 23,
  bpf_csum_diff: 28,
  bpf_xdp_adjust_head: 44,
  bpf_redirect_map: 51,
  bpf_xdp_adjust_meta: 54,
  bpf_xdp_adjust_tail: 65,
  bpf_probe_read_kernel: 113,
  bpf_jiffies64: 118,
  bpf_ktime_get_boot_ns: 125,
  bpf_ringbuf_output: 130,
  bpf_ringbuf_reserve: 131,
  bpf_ringbuf_submit: 132,
  bpf_ringbuf_discard: 133,
  bpf_for_each_map_elem: 164,
  bpf_loop: 181,
  bpf_kptr_xchg: 194,
});

const byId = new Map<number, string>(Object.entries(HELPER_IDS).map(([name, id]) => [id, name]));

export function helperName(id: number): string | undefined {
  return byId.get(id);
}
