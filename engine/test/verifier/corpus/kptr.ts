// Referenced kptrs in map values: bpf_kptr_xchg moves a bpf_cpumask reference into a map value
// slot declared as a kptr and hands back the old one; plain loads of the slot give an RCU
// pointer (maybe NULL); plain stores, narrow loads and atomics on the slot are refused.

import { accept, reject, topic, KPTR_MAP, ARRAY8, type Case } from './build.ts';

type Opt = { maps?: readonly string[]; note?: string };
const tp = (name: string, body: string, expect: Case['expect'], o: Opt = {}): Case => ({ name, section: 'tp_btf/task_newtask', maps: o.maps ?? [KPTR_MAP], body, expect, ...(o.note ? { note: o.note } : {}) });
/** r8 = the map value of key 0 of `map` (NULL → return 0). */
const VALUE = (map = 'km'): string => `r1 = ${map} ll\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\nr8 = r0`;
/** r7 = a new mask (NULL → return 0). */
const CREATE = 'call bpf_cpumask_create\nif r0 == 0 goto out\nr7 = r0';
/** bpf_kptr_xchg(r8 + off, r7), then the old mask released if there was one. */
const xchg = (off = 0): string => `r1 = r8\nr1 += ${off}\nr2 = r7\ncall bpf_kptr_xchg\nif r0 == 0 goto out\nr1 = r0\ncall bpf_cpumask_release`;
const OUT = 'out:\nr0 = 0\nexit';

export const KPTR = topic('kptr', [
  tp('xchg a new mask into the map, release the old one', `${VALUE()}\n${CREATE}\n${xchg()}\n${OUT}`, accept),
  tp('xchg out of the map and keep the old one', `${VALUE()}\n${CREATE}\nr1 = r8\nr2 = r7\ncall bpf_kptr_xchg\n${OUT}`, reject('Unreleased reference id=')),
  tp('xchg NULL out of the map, release what came out', `${VALUE()}\nr1 = r8\nr2 = 0\ncall bpf_kptr_xchg\nif r0 == 0 goto out\nr1 = r0\ncall bpf_cpumask_release\n${OUT}`, accept),
  tp('xchg into a slot that is not a kptr', `${VALUE()}\n${CREATE}\n${xchg(8)}\n${OUT}`, reject("off=8 doesn't point to kptr")),
  tp('xchg into a map without kptr fields', `${VALUE('m')}\n${CREATE}\n${xchg()}\n${OUT}`, reject("map 'm' has to have BTF in order to use bpf_kptr_xchg"), { maps: [ARRAY8], note: 'a map declared without kptr fields is created without BTF' }),
  tp('xchg task->cpus_ptr into the map', `r6 = *(u64 *)(r1 + 0)\n${VALUE()}\nr1 = r8\nr2 = *(u64 *)(r6 + task_struct.cpus_ptr)\ncall bpf_kptr_xchg\nif r0 == 0 goto out\nr1 = r0\ncall bpf_cpumask_release\n${OUT}`, reject('invalid kptr access, R2 type=rcu_ptr_cpumask expected=ptr_bpf_cpumask')),
  tp('mask used after moving it into the map', `${VALUE()}\n${CREATE}\nr1 = r8\nr2 = r7\ncall bpf_kptr_xchg\nif r0 == 0 goto use\nr1 = r0\ncall bpf_cpumask_release\nuse:\nr1 = 0\nr2 = r7\ncall bpf_cpumask_set_cpu\n${OUT}`, reject('R2 type=scalar expected=fp')),
  tp('load the kptr and test a cpu after NULL check', `${VALUE()}\nr2 = *(u64 *)(r8 + 0)\nif r2 == 0 goto out\nr1 = 0\ncall bpf_cpumask_test_cpu\n${OUT}`, accept, { note: 'a non-sleepable program is in an RCU read section: the load is an RCU pointer' }),
  tp('load the kptr and test a cpu without NULL check', `${VALUE()}\nr2 = *(u64 *)(r8 + 0)\nr1 = 0\ncall bpf_cpumask_test_cpu\n${OUT}`, reject('Possibly NULL pointer passed to trusted arg1')),
  tp('load the kptr inside rcu_read_lock', `${VALUE()}\ncall bpf_rcu_read_lock\nr1 = *(u64 *)(r8 + 0)\nif r1 == 0 goto unlock\ncall bpf_cpumask_setall\nunlock:\ncall bpf_rcu_read_unlock\n${OUT}`, accept),
  tp('loaded kptr used after rcu_read_unlock', `${VALUE()}\ncall bpf_rcu_read_lock\nr6 = *(u64 *)(r8 + 0)\ncall bpf_rcu_read_unlock\nif r6 == 0 goto out\nr1 = r6\ncall bpf_cpumask_setall\n${OUT}`, reject('R1 must be a rcu pointer')),
  tp('loaded kptr acquired then released', `${VALUE()}\nr1 = *(u64 *)(r8 + 0)\nif r1 == 0 goto out\ncall bpf_cpumask_acquire\nr1 = r0\ncall bpf_cpumask_release\n${OUT}`, reject('R1 must be referenced or trusted')),
  tp('loaded kptr released directly', `${VALUE()}\nr1 = *(u64 *)(r8 + 0)\nif r1 == 0 goto out\ncall bpf_cpumask_release\n${OUT}`, reject('R1 must be referenced or trusted')),
  tp('u32 load of the kptr slot', `${VALUE()}\nr1 = *(u32 *)(r8 + 0)\n${OUT}`, reject('kptr access size must be BPF_DW')),
  tp('plain store of a mask into the kptr slot', `${VALUE()}\n${CREATE}\n*(u64 *)(r8 + 0) = r7\n${OUT}`, reject('store to referenced kptr disallowed')),
  tp('store of zero into the kptr slot', `${VALUE()}\n*(u64 *)(r8 + 0) = 0\n${OUT}`, reject('store to referenced kptr disallowed')),
  tp('atomic add on the kptr slot', `${VALUE()}\nr1 = 1\nlock *(u64 *)(r8 + 0) += r1\n${OUT}`, reject('kptr in map can only be accessed using BPF_MEM instruction mode')),
  tp('read the scalar next to the kptr slot', `${VALUE()}\nr1 = *(u64 *)(r8 + 8)\n${OUT}`, accept),
  tp('rcu_read_lock without unlock', 'call bpf_rcu_read_lock\nr0 = 0\nexit', reject('BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region')),
  tp('rcu_read_unlock without lock', 'call bpf_rcu_read_unlock\nr0 = 0\nexit', reject('unmatched rcu read unlock')),
  tp('nested rcu_read_lock', 'call bpf_rcu_read_lock\ncall bpf_rcu_read_lock\ncall bpf_rcu_read_unlock\ncall bpf_rcu_read_unlock\nr0 = 0\nexit', reject('nested rcu read lock (kernel function bpf_rcu_read_lock)')),
]);
