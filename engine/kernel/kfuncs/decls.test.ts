// The kfunc declarations against kernel-facts §2.3–2.5 and §3.4–3.5: which kfunc exists in
// which profile, its flags and program types; ids; and one implementation per declaration.

import { describe, expect, it } from 'vitest';
import { cTypeOf, signatureOf, type KfFlag, type KfuncDecl } from '../decls.ts';
import { kfuncRefusal } from '../kernel.ts';
import type { KernelProfile } from '../profiles.ts';
import { KFUNC_DECLS } from './decls.ts';
import { KFUNC_IDS, kfuncByName, kfuncDecl } from './ids.ts';
import { KFUNC_IMPLS } from './registry.ts';

function decl(name: string): KfuncDecl {
  const d = kfuncByName(name);
  if (!d) throw new Error(`no kfunc ${name}`);
  return d;
}

function flags(name: string, profile: KernelProfile): readonly KfFlag[] | undefined {
  return decl(name).profiles[profile]?.flags;
}

const names = (pred: (d: KfuncDecl) => boolean): string[] => KFUNC_DECLS.filter(pred).map((d) => d.name);
const cpumask = KFUNC_DECLS.filter((d) => d.name.startsWith('bpf_cpumask_'));
const LIFECYCLE = ['bpf_cpumask_create', 'bpf_cpumask_release', 'bpf_cpumask_acquire', 'bpf_cpumask_kptr_get'];

describe('kfunc ids', () => {
  it('are unique, in their blocks, and KFUNC_IDS is derived from the declarations', () => {
    const ids = KFUNC_DECLS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(KFUNC_DECLS.map((d) => d.name)).size).toBe(ids.length);
    for (const d of KFUNC_DECLS) {
      const block = d.name.startsWith('bpf_cpumask_') ? 60000 : d.name.includes('_ct_') ? 60200 : d.name.startsWith('bpf_xdp_metadata_') ? 60300 : 60100;
      expect(d.id, d.name).toBeGreaterThan(block);
      expect(d.id, d.name).toBeLessThan(block + 100);
      expect(KFUNC_IDS[d.name]).toBe(d.id);
      expect(kfuncDecl(d.id)).toBe(d);
    }
    expect(Object.keys(KFUNC_IDS)).toHaveLength(KFUNC_DECLS.length);
    expect(KFUNC_IDS['bpf_cpumask_create']).toBe(60001);
    expect(kfuncDecl(1)).toBeUndefined();
    expect(kfuncByName('bpf_nope')).toBeUndefined();
  });

  it('every declaration has an implementation and every implementation a declaration', () => {
    expect(Object.keys(KFUNC_IMPLS).sort()).toEqual(KFUNC_DECLS.map((d) => d.name).sort());
  });
});

describe('kfunc declarations per profile', () => {
  it('has the cpumask kfuncs of each era', () => {
    const only63 = names((d) => d.profiles['linux-6.3'] !== undefined && d.profiles['linux-6.18'] === undefined);
    const only618 = names((d) => d.profiles['linux-6.18'] !== undefined && d.profiles['linux-6.3'] === undefined);
    expect(only63.sort()).toEqual(['bpf_cpumask_any', 'bpf_cpumask_any_and', 'bpf_cpumask_kptr_get']);
    expect(only618.sort()).toEqual([
      'bpf_cpumask_any_and_distribute',
      'bpf_cpumask_any_distribute',
      'bpf_cpumask_first_and',
      'bpf_cpumask_populate',
      'bpf_cpumask_weight',
      'bpf_task_under_cgroup',
      'bpf_xdp_metadata_rx_vlan_tag',
    ]);
    expect(cpumask.filter((d) => d.profiles['linux-6.3'])).toHaveLength(24);
    expect(cpumask.filter((d) => d.profiles['linux-6.18'])).toHaveLength(26);
  });

  it('registers cpumask kfuncs for TRACING, and SYSCALL only in 6.18', () => {
    for (const d of cpumask) {
      if (d.profiles['linux-6.3']) expect(d.profiles['linux-6.3'].progTypes, d.name).toEqual(['tp_btf']);
      if (d.profiles['linux-6.18']) expect(d.profiles['linux-6.18'].progTypes, d.name).toEqual(['tp_btf', 'syscall']);
    }
  });

  it('6.3 marks every cpumask query/mutator KF_TRUSTED_ARGS; 6.18 marks them KF_RCU', () => {
    for (const d of cpumask.filter((x) => !LIFECYCLE.includes(x.name))) {
      const f63 = d.profiles['linux-6.3']?.flags;
      const f618 = d.profiles['linux-6.18']?.flags;
      if (f63) expect(f63, d.name).toEqual(['KF_TRUSTED_ARGS']);
      if (f618) expect(f618, d.name).toEqual(['KF_RCU']);
    }
  });

  it('gives the lifecycle kfuncs their flags', () => {
    expect(flags('bpf_cpumask_create', 'linux-6.3')).toEqual(['KF_ACQUIRE', 'KF_RET_NULL']);
    expect(flags('bpf_cpumask_create', 'linux-6.18')).toEqual(['KF_ACQUIRE', 'KF_RET_NULL']);
    expect(flags('bpf_cpumask_release', 'linux-6.3')).toEqual(['KF_RELEASE', 'KF_TRUSTED_ARGS']);
    expect(flags('bpf_cpumask_release', 'linux-6.18')).toEqual(['KF_RELEASE']);
    expect(flags('bpf_cpumask_acquire', 'linux-6.3')).toEqual(['KF_ACQUIRE', 'KF_TRUSTED_ARGS']);
    expect(flags('bpf_cpumask_acquire', 'linux-6.18')).toEqual(['KF_ACQUIRE', 'KF_TRUSTED_ARGS']);
    expect(flags('bpf_cpumask_kptr_get', 'linux-6.3')).toEqual(['KF_ACQUIRE', 'KF_KPTR_GET', 'KF_RET_NULL']);
    // KF_KPTR_GET only ever comes with KF_ACQUIRE | KF_RET_NULL, and only in 6.3.
    for (const d of KFUNC_DECLS) {
      for (const [profile, p] of Object.entries(d.profiles)) {
        if (p.flags.includes('KF_KPTR_GET')) expect([profile, p.flags.includes('KF_ACQUIRE'), p.flags.includes('KF_RET_NULL')]).toEqual(['linux-6.3', true, true]);
        expect(p.flags.includes('KF_RCU') && p.flags.includes('KF_TRUSTED_ARGS'), d.name).toBe(false);
      }
    }
  });

  it('gives the task and cgroup kfuncs the flags of kernel/bpf/helpers.c', () => {
    expect(flags('bpf_task_acquire', 'linux-6.3')).toEqual(['KF_ACQUIRE', 'KF_TRUSTED_ARGS']);
    expect(flags('bpf_task_acquire', 'linux-6.18')).toEqual(['KF_ACQUIRE', 'KF_RCU', 'KF_RET_NULL']);
    expect(flags('bpf_cgroup_ancestor', 'linux-6.3')).toEqual(['KF_ACQUIRE', 'KF_TRUSTED_ARGS', 'KF_RET_NULL']);
    expect(flags('bpf_cgroup_ancestor', 'linux-6.18')).toEqual(['KF_ACQUIRE', 'KF_RCU', 'KF_RET_NULL']);
    expect(flags('bpf_task_from_pid', 'linux-6.3')).toEqual(['KF_ACQUIRE', 'KF_RET_NULL']);
    expect(flags('bpf_cgroup_from_id', 'linux-6.18')).toEqual(['KF_ACQUIRE', 'KF_RET_NULL']);
    expect(flags('bpf_task_release', 'linux-6.18')).toEqual(['KF_RELEASE']);
    expect(flags('bpf_task_under_cgroup', 'linux-6.18')).toEqual(['KF_RCU']);
    for (const p of ['linux-6.3', 'linux-6.18'] as const) {
      expect(flags('bpf_rcu_read_lock', p)).toEqual([]);
      expect(decl('bpf_rcu_read_unlock').profiles[p]?.progTypes).toContain('socket');
    }
    expect(decl('bpf_task_acquire').profiles['linux-6.3']?.progTypes).toEqual(['tp_btf', 'tc']);
    expect(decl('bpf_task_acquire').profiles['linux-6.18']?.progTypes).toEqual(['tp_btf', 'tc', 'xdp', 'syscall']);
  });

  it('registers the conntrack kfuncs for XDP and TC in both profiles', () => {
    const ct = KFUNC_DECLS.filter((d) => d.id > 60200 && d.id < 60300);
    expect(ct).toHaveLength(10);
    for (const d of ct) {
      expect(d.profiles['linux-6.3']).toEqual(d.profiles['linux-6.18']);
      expect(d.profiles['linux-6.3']?.progTypes).toEqual(['xdp', 'tc']);
    }
    expect(flags('bpf_ct_insert_entry', 'linux-6.3')).toEqual(['KF_ACQUIRE', 'KF_RET_NULL', 'KF_RELEASE']);
    expect(flags('bpf_xdp_ct_lookup', 'linux-6.18')).toEqual(['KF_ACQUIRE', 'KF_RET_NULL']);
    expect(flags('bpf_ct_release', 'linux-6.18')).toEqual(['KF_RELEASE']);
    expect(flags('bpf_ct_set_status', 'linux-6.18')).toEqual(['KF_TRUSTED_ARGS']);
  });
});

describe('kfunc signatures', () => {
  it('render as C', () => {
    expect(signatureOf(decl('bpf_cpumask_create'))).toBe('struct bpf_cpumask *bpf_cpumask_create(void)');
    expect(signatureOf(decl('bpf_cpumask_first'))).toBe('u32 bpf_cpumask_first(const struct cpumask *cpumask)');
    expect(signatureOf(decl('bpf_cpumask_set_cpu'))).toBe('void bpf_cpumask_set_cpu(u32 cpu, struct bpf_cpumask *cpumask)');
    expect(signatureOf(decl('bpf_cpumask_kptr_get'))).toBe('struct bpf_cpumask *bpf_cpumask_kptr_get(struct bpf_cpumask **cpumaskp)');
    expect(signatureOf(decl('bpf_cpumask_populate'))).toBe('int bpf_cpumask_populate(struct cpumask *cpumask, void *src, size_t src__sz)');
    expect(signatureOf(decl('bpf_xdp_ct_alloc'))).toBe(
      'struct nf_conn___init *bpf_xdp_ct_alloc(struct xdp_md *xdp_ctx, struct bpf_sock_tuple *bpf_tuple, u32 tuple__sz, struct bpf_ct_opts *opts, u32 opts__sz)',
    );
    expect(signatureOf(decl('bpf_ct_set_status'))).toBe('int bpf_ct_set_status(const struct nf_conn___init *nfct, u32 status)');
  });

  it('all say what they do and return', () => {
    for (const d of KFUNC_DECLS) {
      expect(d.summary.length, d.name).toBeGreaterThan(10);
      expect(d.returns.length, d.name).toBeGreaterThan(3);
      expect(Object.keys(d.profiles).length, d.name).toBeGreaterThan(0);
    }
  });
});

describe('profile names from outside', () => {
  it('find no kfunc in a profile named after an Object.prototype property', () => {
    for (const profile of Object.getOwnPropertyNames(Object.prototype)) {
      for (const d of KFUNC_DECLS) {
        expect(d.profiles[profile as KernelProfile], `${d.name} in ${profile}`).toBeUndefined();
        expect(kfuncRefusal(d, d.id, profile as KernelProfile, 'tp_btf', false)).toMatch(new RegExp(`^kfunc ${d.name} does not exist in `));
      }
    }
  });
});

describe('the XDP RX metadata kfuncs', () => {
  it('are XDP-only; rx_vlan_tag arrived after 6.3; KF_TRUSTED_ARGS came after 6.3', () => {
    const md = KFUNC_DECLS.filter((d) => d.id > 60300);
    expect(md.map((d) => d.name)).toEqual(['bpf_xdp_metadata_rx_timestamp', 'bpf_xdp_metadata_rx_hash', 'bpf_xdp_metadata_rx_vlan_tag']);
    for (const d of md) {
      expect(d.profiles['linux-6.18']).toEqual({ flags: ['KF_TRUSTED_ARGS'], progTypes: ['xdp'] });
      if (d.name !== 'bpf_xdp_metadata_rx_vlan_tag') expect(d.profiles['linux-6.3']).toEqual({ flags: [], progTypes: ['xdp'] });
    }
    expect(md[1]?.args.map((a) => cTypeOf(a.type))).toEqual(['const struct xdp_md *', 'u32 *', 'enum xdp_rss_hash_type *']);
  });
});
