// Helper function ids (enum bpf_func_id, include/uapi/linux/bpf.h). Ids are UAPI and never
// change. Two tables: UAPI_HELPER_NAMES (uapi-names.ts) names every id Linux 6.18 has, which is
// what the verifier's log prints and what the assembler resolves; HELPER_IDS holds the helpers
// the simulated kernel implements — what editors offer after `call`. Both are null-prototype,
// so `call toString` finds no helper.

import { dictionary } from '../../util/dictionary.ts';
import { BPF_FUNC_MAX_ID, UAPI_HELPER_NAMES } from './uapi-names.ts';

export { BPF_FUNC_MAX_ID, UAPI_HELPER_NAMES };

/** The helpers the simulated kernel implements (registry.ts helperImpl), by name. */
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
  bpf_skb_pull_data: 39,
  bpf_xdp_adjust_head: 44,
  bpf_redirect_map: 51,
  bpf_xdp_adjust_meta: 54,
  bpf_xdp_adjust_tail: 65,
  bpf_sk_lookup_tcp: 84,
  bpf_sk_lookup_udp: 85,
  bpf_sk_release: 86,
  bpf_skc_lookup_tcp: 99,
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

/** Every UAPI helper, by name (bpf_unspec = 0 included, as enum bpf_func_id has it). */
export const UAPI_HELPER_IDS: Readonly<Record<string, number>> = dictionary(Object.fromEntries(UAPI_HELPER_NAMES.map((name, id) => [name, id])));

/**
 * The UAPI name of helper `id` (`bpf_skb_load_bytes` for 26), for every id below
 * __BPF_FUNC_MAX_ID, whether or not the simulated kernel implements or declares it; undefined
 * past it (the kernel's "invalid func unknown#N").
 */
export function helperName(id: number): string | undefined {
  return Number.isInteger(id) && id >= 0 && id < BPF_FUNC_MAX_ID ? UAPI_HELPER_NAMES[id] : undefined;
}
