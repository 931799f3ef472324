// The declarations the verifier reads, checked for consistency: typed kfunc arguments against
// their C spelling and __sz pairs, context fields against their structs, pointer-field trust
// per profile (kernel-facts §2.6, §3.2, §4.1), and one prototype per implemented helper.

import { describe, expect, it } from 'vitest';
import { helperImpl } from '../helpers/registry.ts';
import { HELPER_IDS } from '../helpers/ids.ts';
import { KFUNC_IMPLS } from '../kfuncs/registry.ts';
import { KERNEL_PROFILES } from '../profiles.ts';
import {
  castsTo,
  contextDesc,
  ctxAccess,
  isScalarStruct,
  cTypeOf,
  fieldTrust,
  HELPER_DECLS,
  helperMapArg,
  helperProgTypes,
  helperPrototype,
  helperSizeArg,
  isNocastAlias,
  KERNEL_TYPES,
  KFUNC_DECLS,
  kfuncByName,
  signatureOf,
  structLayout,
  TRACEPOINT_NAMES,
  type ContextDesc,
  type StructCtxDesc,
} from './index.ts';

/** The field name of an access, or 'user_mem', or undefined when refused. */
function nameOf(r: ReturnType<typeof ctxAccess>): string | undefined {
  return typeof r === 'string' ? r : r?.name;
}

function structDesc(d: ContextDesc | undefined): StructCtxDesc {
  if (!d || (d.kind !== 'struct' && d.kind !== 'args')) throw new Error('not a struct context');
  return d;
}

describe('kfunc typed arguments', () => {
  it('every argument and return has a typed form whose C spelling is a plain C type', () => {
    for (const d of KFUNC_DECLS) {
      for (const a of [...d.args.map((x) => x.type), d.ret]) {
        const c = cTypeOf(a);
        expect(c, d.name).toMatch(/^(const )?(struct [a-z_0-9]+ \*{1,2}|[a-z_0-9 ]+ \*|u8|u16|u32|s32|int|u64|s64|long|size_t|bool|void)$/);
        if (a.kind === 'ptr' || a.kind === 'ctx' || a.kind === 'kptr_slot') expect(structLayout(a.btf), `${d.name}: struct ${a.btf}`).toBeDefined();
        if (a.kind === 'mem' && a.pointee.startsWith('struct ')) expect(structLayout(a.pointee.slice(7)), `${d.name}: ${a.pointee}`).toBeDefined();
      }
    }
  });

  it('pairs each __sz argument with the memory before it, both ways', () => {
    for (const d of KFUNC_DECLS) {
      d.args.forEach((a, i) => {
        const t = a.type;
        if (t.kind === 'mem_size') {
          expect(a.name, d.name).toMatch(/__sz$/);
          const mem = d.args[t.of]?.type;
          expect(mem?.kind === 'mem' && mem.sizeArg === i, `${d.name} arg ${i}`).toBe(true);
        } else {
          expect(a.name.endsWith('__sz'), `${d.name}: ${a.name} is a __sz argument`).toBe(false);
        }
        if (t.kind === 'mem') expect(t.sizeArg !== undefined || t.size !== undefined, `${d.name} arg ${i} has a size`).toBe(true);
        if (t.kind === 'mem' && t.sizeArg !== undefined) expect(d.args[t.sizeArg]?.type.kind).toBe('mem_size');
      });
    }
  });

  it('uses a kptr slot only as the first argument of a KF_KPTR_GET kfunc, and a ctx only where that program type runs', () => {
    for (const d of KFUNC_DECLS) {
      d.args.forEach((a, i) => {
        if (a.type.kind === 'kptr_slot') {
          expect(i).toBe(0);
          for (const p of Object.values(d.profiles)) expect(p?.flags).toContain('KF_KPTR_GET');
        }
        if (a.type.kind === 'ctx') {
          const prog = a.type.btf === 'xdp_md' ? 'xdp' : 'tc';
          for (const p of Object.values(d.profiles)) expect(p?.progTypes.includes(prog), d.name).toBe(true);
        }
      });
    }
  });

  it('spells the prototypes of kernel-facts §2–§4', () => {
    const sig = (n: string) => {
      const d = kfuncByName(n);
      if (!d) throw new Error(n);
      return signatureOf(d);
    };
    expect(sig('bpf_cpumask_kptr_get')).toBe('struct bpf_cpumask *bpf_cpumask_kptr_get(struct bpf_cpumask **cpumaskp)');
    expect(sig('bpf_ct_insert_entry')).toBe('struct nf_conn *bpf_ct_insert_entry(struct nf_conn___init *nfct_i)');
    expect(sig('bpf_skb_ct_lookup')).toBe('struct nf_conn *bpf_skb_ct_lookup(struct __sk_buff *skb_ctx, struct bpf_sock_tuple *bpf_tuple, u32 tuple__sz, struct bpf_ct_opts *opts, u32 opts__sz)');
    expect(sig('bpf_xdp_metadata_rx_vlan_tag')).toBe('int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx, __be16 *vlan_proto, u16 *vlan_tci)');
    expect(sig('bpf_task_under_cgroup')).toBe('long bpf_task_under_cgroup(struct task_struct *task, struct cgroup *ancestor)');
  });

  it('takes plain memory only for structs of plain data (__btf_type_is_scalar_struct), never for a stand-in of a kernel struct', () => {
    expect(['cpumask', 'bpf_cpumask', 'bpf_sock_tuple', 'bpf_ct_opts', 'xdp_md'].filter((s) => !isScalarStruct(s))).toEqual([]);
    expect(['task_struct', 'cgroup', 'css_set', 'nf_conn', 'nf_conn___init', 'no_such_struct'].filter((s) => isScalarStruct(s))).toEqual([]);
  });

  it('keeps nf_conn and nf_conn___init apart, and lets a bpf_cpumask stand for a cpumask (first member)', () => {
    expect(isNocastAlias('nf_conn', 'nf_conn___init')).toBe(true);
    expect(isNocastAlias('nf_conn___init', 'nf_conn')).toBe(true);
    expect(isNocastAlias('nf_conn', 'nf_conn')).toBe(false);
    expect(castsTo('bpf_cpumask', 'cpumask')).toBe(true);
    expect(castsTo('cpumask', 'bpf_cpumask')).toBe(false);
    expect(castsTo('nf_conn___init', 'nf_conn')).toBe(true); // by layout; the no-cast rule refuses it first
  });
});

describe('helper prototypes', () => {
  it('every helper the kernel implements has a prototype, and a prototype has an implementation unless marked unimplemented', () => {
    for (const [name, id] of Object.entries(HELPER_IDS)) {
      if (helperImpl(name)) expect(helperPrototype(id)?.name, name).toBe(name);
    }
    for (const d of HELPER_DECLS) expect(helperImpl(d.name) !== undefined, d.name).toBe(d.unimplemented !== true);
    expect(Object.keys(KFUNC_IMPLS).length).toBe(KFUNC_DECLS.length);
  });

  it('says which argument is the map and which the size, and what a callback frame holds', () => {
    const p = (n: string) => {
      const d = HELPER_DECLS.find((x) => x.name === n);
      if (!d) throw new Error(n);
      return d;
    };
    expect(helperMapArg(p('bpf_map_lookup_elem'))).toBe(0);
    expect(helperMapArg(p('bpf_tail_call'))).toBe(1);
    expect(helperMapArg(p('bpf_loop'))).toBeUndefined();
    expect(helperSizeArg(p('bpf_ringbuf_output'), 1)).toBe(2);
    expect(helperSizeArg(p('bpf_get_current_comm'), 0)).toBe(1);
    expect(helperSizeArg(p('bpf_trace_printk'), 0)).toBe(1);
    expect(helperSizeArg(p('bpf_map_lookup_elem'), 1)).toBeUndefined();
    expect(p('bpf_ringbuf_reserve')).toMatchObject({ ret: 'ptr_to_mem_or_null', retSizeArg: 1, retFlags: ['MEM_RINGBUF'] });
    expect(p('bpf_tail_call').ret).toBe('void');
    expect(p('bpf_loop').callback).toEqual({ arg: 1, frame: ['scalar', 'callback_ctx', 'unset', 'unset', 'unset'], retRange: [0, 1] });
    expect(p('bpf_for_each_map_elem').callback?.frame).toEqual(['map', 'map_key', 'map_value', 'callback_ctx', 'unset']);
    expect(p('bpf_kptr_xchg').args[1]?.flags).toEqual(['OBJ_RELEASE']);
    expect(p('bpf_trace_printk').args[0]?.flags).toEqual(['MEM_RDONLY']);
    // Every ARG_PTR_TO_FUNC has a callback description.
    for (const d of HELPER_DECLS) expect(d.args.some((a) => a.type === 'ptr_to_func'), d.name).toBe(d.callback !== undefined);
  });

  it('allows bpf_get_current_comm to every program type in 6.18 only', () => {
    const d = HELPER_DECLS.find((x) => x.name === 'bpf_get_current_comm');
    if (!d) throw new Error('no comm');
    expect(helperProgTypes(d, 'linux-6.3')).toEqual(['tp_btf', 'raw', 'syscall']);
    expect(helperProgTypes(d, 'linux-6.18')).toBe('any');
  });
});

describe('context descriptors', () => {
  const contexts = KERNEL_PROFILES.flatMap((profile) =>
    [{ progType: 'xdp' as const }, { progType: 'tc' as const }, { progType: 'socket' as const }, ...TRACEPOINT_NAMES.map((t) => ({ progType: 'tp_btf' as const, attachTo: t }))].map((kind) => ({ profile, kind, desc: structDesc(contextDesc(kind, profile)) })),
  );

  it('every field and every access lies within its struct', () => {
    for (const { desc } of contexts) {
      for (const f of desc.fields) {
        expect(f.offset + f.size, `${desc.name}.${f.name}`).toBeLessThanOrEqual(desc.size);
        for (const a of [...f.reads, ...f.writes]) {
          expect(a.offset, `${desc.name}.${f.name}`).toBeGreaterThanOrEqual(f.offset);
          expect(a.offset + a.size, `${desc.name}.${f.name}`).toBeLessThanOrEqual(f.offset + f.size);
          expect(a.offset % a.size, `${desc.name}.${f.name} aligned`).toBe(0);
        }
      }
      if (desc.kind === 'struct') expect(desc.size).toBe(structLayout(desc.name)?.size);
    }
  });

  it('xdp_md: aligned 4-byte reads only, packet pointers from data/data_end/data_meta, nothing writable (kernel-facts §4.1)', () => {
    const x = contextDesc({ progType: 'xdp' }, 'linux-6.18');
    if (!x) throw new Error('xdp');
    expect(ctxAccess(x, 0, 4, 'read')).toMatchObject({ name: 'data', yields: 'pkt' });
    expect(ctxAccess(x, 4, 4, 'read')).toMatchObject({ name: 'data_end', yields: 'pkt_end' });
    expect(ctxAccess(x, 8, 4, 'read')).toMatchObject({ name: 'data_meta', yields: 'pkt_meta' });
    expect(ctxAccess(x, 12, 4, 'read')).toMatchObject({ name: 'ingress_ifindex', yields: 'scalar' });
    expect(ctxAccess(x, 12, 2, 'read')).toBeUndefined();
    expect(ctxAccess(x, 0, 8, 'read')).toBeUndefined();
    expect(ctxAccess(x, 20, 4, 'read')).toBeUndefined();
    expect(ctxAccess(x, 16, 4, 'write')).toBeUndefined();
  });

  it('__sk_buff: tc reads packet pointers and writes mark; socket filters do neither; sk is a socket or NULL', () => {
    const tc = contextDesc({ progType: 'tc' }, 'linux-6.3');
    const sock = contextDesc({ progType: 'socket' }, 'linux-6.3');
    if (!tc || !sock) throw new Error('skb');
    expect(ctxAccess(tc, 76, 4, 'read')).toMatchObject({ name: 'data', yields: 'pkt' });
    expect(ctxAccess(tc, 76, 2, 'read')).toBeUndefined();
    expect(ctxAccess(sock, 76, 4, 'read')).toBeUndefined();
    expect(nameOf(ctxAccess(tc, 8, 4, 'write'))).toBe('mark');
    expect(ctxAccess(tc, 8, 2, 'write')).toBeUndefined();
    expect(ctxAccess(sock, 8, 4, 'write')).toBeUndefined();
    expect(nameOf(ctxAccess(sock, 48, 8, 'write'))).toBe('cb');
    expect(ctxAccess(tc, 52, 8, 'read')).toBeUndefined();
    expect(nameOf(ctxAccess(tc, 1, 1, 'read'))).toBe('len');
    expect(nameOf(ctxAccess(tc, 2, 2, 'read'))).toBe('len');
    expect(ctxAccess(tc, 92, 4, 'read')).toBeUndefined(); // remote_ip4: other program types
    expect(ctxAccess(tc, 168, 8, 'read')).toMatchObject({ name: 'sk', yields: 'sock_common_or_null' });
    expect(nameOf(ctxAccess(tc, 180, 1, 'read'))).toBe('tstamp_type');
    expect(ctxAccess(sock, 180, 1, 'read')).toBeUndefined();
    expect(nameOf(ctxAccess(tc, 152, 8, 'write'))).toBe('tstamp');
    expect(ctxAccess(tc, 184, 8, 'write')).toBeUndefined();
  });

  it('tp_btf: struct pointer arguments are trusted, const char * is a scalar; 6.18 wants pointers loaded whole', () => {
    const nt = contextDesc({ progType: 'tp_btf', attachTo: 'task_newtask' }, 'linux-6.18');
    const mk = contextDesc({ progType: 'tp_btf', attachTo: 'cgroup_mkdir' }, 'linux-6.18');
    const nt63 = contextDesc({ progType: 'tp_btf', attachTo: 'task_newtask' }, 'linux-6.3');
    if (!nt || !mk || !nt63) throw new Error('tp_btf');
    expect(ctxAccess(nt, 0, 8, 'read')).toMatchObject({ c: 'struct task_struct *task', yields: { btf: 'task_struct', flags: ['trusted'] } });
    expect(ctxAccess(nt, 8, 4, 'read')).toMatchObject({ c: 'u64 clone_flags', yields: 'scalar' });
    expect(ctxAccess(nt, 0, 4, 'read')).toBeUndefined();
    expect(nameOf(ctxAccess(nt63, 0, 4, 'read'))).toBe('task');
    expect(ctxAccess(nt, 16, 8, 'read')).toBeUndefined();
    expect(ctxAccess(nt, 0, 8, 'write')).toBeUndefined();
    expect(ctxAccess(mk, 0, 8, 'read')).toMatchObject({ yields: { btf: 'cgroup', flags: ['trusted'] } });
    expect(ctxAccess(mk, 8, 8, 'read')).toMatchObject({ c: 'const char *path', yields: 'scalar' });
    expect(contextDesc({ progType: 'tp_btf', attachTo: 'sched_switch' }, 'linux-6.18')).toBeUndefined();
  });

  it('syscall: any aligned access below U16_MAX; raw: plain memory, no context rules', () => {
    const sys = contextDesc({ progType: 'syscall' }, 'linux-6.18');
    const raw = contextDesc({ progType: 'raw' }, 'linux-6.18');
    if (!sys || !raw) throw new Error('ctx');
    expect(ctxAccess(sys, 4096, 8, 'write')).toBe('user_mem');
    expect(ctxAccess(sys, 4, 8, 'read')).toBeUndefined();
    expect(ctxAccess(sys, 0xffff, 1, 'read')).toBeUndefined();
    expect(raw.kind).toBe('raw_mem');
    expect(ctxAccess(raw, 0, 8, 'read')).toBeUndefined();
  });
});

describe('pointer-field trust (kernel-facts §2.6, §3.2)', () => {
  it('task->cpus_ptr is trusted (nested) in 6.3 and RCU in 6.18', () => {
    expect(fieldTrust('linux-6.3', 'task_struct', 'cpus_ptr')).toBe('trusted');
    expect(fieldTrust('linux-6.18', 'task_struct', 'cpus_ptr')).toBe('rcu');
  });

  it('real_parent, cgroups and group_leader joined the RCU list after 6.3; css_set.dfl_cgrp too', () => {
    for (const f of ['real_parent', 'cgroups', 'group_leader']) expect(fieldTrust('linux-6.18', 'task_struct', f), f).toBe('rcu');
    expect(fieldTrust('linux-6.3', 'task_struct', 'group_leader')).toBe('untrusted');
    expect(fieldTrust('linux-6.3', 'task_struct', 'real_parent')).toBe('rcu_or_null');
    expect(fieldTrust('linux-6.3', 'css_set', 'dfl_cgrp')).toBe('untrusted');
    expect(fieldTrust('linux-6.18', 'css_set', 'dfl_cgrp')).toBe('rcu');
    expect(fieldTrust('linux-6.18', 'task_struct', 'parent')).toBe('rcu_or_null');
    expect(fieldTrust('linux-6.18', 'cgroup', 'ancestors')).toBe('untrusted');
    expect(fieldTrust('linux-6.18', 'task_struct', 'pid')).toBeUndefined();
  });

  it('gives every pointer field a trust in each profile and no scalar one', () => {
    for (const t of KERNEL_TYPES) {
      for (const f of t.fields) {
        const pointer = f.type.kind === 'ptr' || (f.type.kind === 'array' && f.type.of.kind === 'ptr');
        expect(f.trust !== undefined, `${t.name}.${f.name}`).toBe(pointer);
        expect(f.offset + f.size).toBeLessThanOrEqual(t.size);
      }
    }
  });

  it('marks bpf_cpumask, task_struct and cgroup kptrs RCU-protected in 6.18 only', () => {
    const k = (n: string) => KERNEL_TYPES.find((t) => t.name === n)?.kptrRcu;
    expect(k('bpf_cpumask')).toEqual({ 'linux-6.3': false, 'linux-6.18': true });
    expect(k('nf_conn')).toEqual({ 'linux-6.3': false, 'linux-6.18': false });
  });
});
