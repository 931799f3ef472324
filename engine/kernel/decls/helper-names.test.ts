import { describe, expect, it } from 'vitest';
import { helperImpl } from '../helpers/registry.ts';
import { BPF_FUNC_MAX_ID, helperName, HELPER_IDS, UAPI_HELPER_IDS, UAPI_HELPER_NAMES } from './index.ts';

describe('UAPI helper names (enum bpf_func_id of Linux 6.18)', () => {
  it('names every id from bpf_unspec (0) to bpf_cgrp_storage_delete (211), __BPF_FUNC_MAX_ID = 212', () => {
    expect(BPF_FUNC_MAX_ID).toBe(212);
    expect(UAPI_HELPER_NAMES).toHaveLength(212);
    for (let id = 0; id < BPF_FUNC_MAX_ID; id++) expect(helperName(id), `id ${id}`).toMatch(/^bpf_[a-z0-9_]+$/);
    expect(new Set(UAPI_HELPER_NAMES).size).toBe(UAPI_HELPER_NAMES.length);
  });

  it('knows the ids the verifier corpus and common programs use', () => {
    const known: Record<number, string> = {
      0: 'bpf_unspec',
      1: 'bpf_map_lookup_elem',
      9: 'bpf_skb_store_bytes',
      25: 'bpf_perf_event_output',
      26: 'bpf_skb_load_bytes',
      27: 'bpf_get_stackid',
      28: 'bpf_csum_diff',
      35: 'bpf_get_current_task',
      39: 'bpf_skb_pull_data',
      48: 'bpf_set_hash',
      84: 'bpf_sk_lookup_tcp',
      85: 'bpf_sk_lookup_udp',
      86: 'bpf_sk_release',
      99: 'bpf_skc_lookup_tcp',
      109: 'bpf_send_signal',
      158: 'bpf_get_current_task_btf',
      181: 'bpf_loop',
      194: 'bpf_kptr_xchg',
      208: 'bpf_ktime_get_tai_ns',
      211: 'bpf_cgrp_storage_delete',
    };
    for (const [id, name] of Object.entries(known)) {
      expect(helperName(Number(id))).toBe(name);
      expect(UAPI_HELPER_IDS[name]).toBe(Number(id));
    }
  });

  it('has no name past __BPF_FUNC_MAX_ID, for negative or fractional ids, or for Object.prototype words', () => {
    for (const id of [212, 9999, -1, 1.5, Number.NaN]) expect(helperName(id), String(id)).toBeUndefined();
    expect(UAPI_HELPER_IDS['toString']).toBeUndefined();
    expect(UAPI_HELPER_IDS['__proto__']).toBeUndefined();
  });

  it('agrees with HELPER_IDS (the implemented helpers) on every id', () => {
    for (const [name, id] of Object.entries(HELPER_IDS)) expect(helperName(id), name).toBe(name);
  });

  it('HELPER_IDS holds exactly the helpers the simulated kernel implements', () => {
    const implemented = UAPI_HELPER_NAMES.filter((n) => helperImpl(n) !== undefined);
    expect(Object.keys(HELPER_IDS).sort()).toEqual([...implemented].sort());
  });

});
