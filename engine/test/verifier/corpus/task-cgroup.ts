// Task and cgroup kfuncs: bpf_task_acquire / bpf_task_from_pid / bpf_cgroup_from_id and friends
// may return NULL and give references that must be released with the matching release kfunc.

import { accept, reject, topic, type Case } from './build.ts';

type Opt = { section?: string; note?: string };
const tp = (name: string, body: string, expect: Case['expect'], o: Opt = {}): Case => ({ name, section: o.section ?? 'tp_btf/task_newtask', body, expect, ...(o.note ? { note: o.note } : {}) });
const OUT = 'out:\nr0 = 0\nexit';
const TASK = 'r6 = *(u64 *)(r1 + 0)';
const TASK_REL = 'r1 = r0\ncall bpf_task_release';
const CG_REL = 'r1 = r0\ncall bpf_cgroup_release';

export const TASK_CGROUP = topic('task-cgroup', [
  tp('task_acquire the argument, NULL check, release', `${TASK}\nr1 = r6\ncall bpf_task_acquire\nif r0 == 0 goto out\n${TASK_REL}\n${OUT}`, accept),
  tp('task_acquire without NULL check, release', `${TASK}\nr1 = r6\ncall bpf_task_acquire\n${TASK_REL}\n${OUT}`, reject('Possibly NULL pointer passed to trusted arg0')),
  tp('task_acquire never released', `${TASK}\nr1 = r6\ncall bpf_task_acquire\nif r0 == 0 goto out\n${OUT}`, reject('Unreleased reference id=')),
  tp('task_release of the unacquired argument', `${TASK}\nr1 = r6\ncall bpf_task_release\n${OUT}`, reject('release kernel function bpf_task_release expects refcounted PTR_TO_BTF_ID')),
  tp('task_acquire of real_parent', `${TASK}\nr1 = *(u64 *)(r6 + task_struct.real_parent)\ncall bpf_task_acquire\nif r0 == 0 goto out\n${TASK_REL}\n${OUT}`, accept, { note: 'real_parent is RCU-safe and the program runs under RCU' }),
  tp('task_acquire of parent', `${TASK}\nr1 = *(u64 *)(r6 + task_struct.parent)\ncall bpf_task_acquire\nif r0 == 0 goto out\n${TASK_REL}\n${OUT}`, reject('R1 must be a rcu pointer')),
  tp('task_acquire of a NULL pointer', 'r1 = 0\ncall bpf_task_acquire\nif r0 == 0 goto out\nr1 = r0\ncall bpf_task_release\nout:\nr0 = 0\nexit', reject('NULL pointer passed to trusted arg0')),
  tp('task_from_pid, read pid, release', `r1 = 1\ncall bpf_task_from_pid\nif r0 == 0 goto out\nr1 = *(u32 *)(r0 + task_struct.pid)\n${TASK_REL}\n${OUT}`, accept),
  tp('task_from_pid used without NULL check', `r1 = 1\ncall bpf_task_from_pid\nr1 = *(u32 *)(r0 + task_struct.pid)\nif r0 == 0 goto out\n${TASK_REL}\n${OUT}`, reject('invalid mem access')),
  tp('task_from_pid never released', `r1 = 1\ncall bpf_task_from_pid\nif r0 == 0 goto out\n${OUT}`, reject('Unreleased reference id=')),
  tp('task_from_pid released twice', `r1 = 1\ncall bpf_task_from_pid\nif r0 == 0 goto out\nr7 = r0\n${TASK_REL}\nr1 = r7\ncall bpf_task_release\n${OUT}`, reject('arg#0 pointer type STRUCT task_struct must point to scalar, or struct with scalar')),
  tp('task_from_pid from XDP', `r1 = 1\ncall bpf_task_from_pid\nif r0 == 0 goto out\n${TASK_REL}\nout:\nr0 = 2\nexit`, accept, { section: 'xdp', note: 'the generic kfuncs are registered for XDP too' }),
  tp('task_from_pid from a socket filter', `r1 = 1\ncall bpf_task_from_pid\nif r0 == 0 goto out\n${TASK_REL}\n${OUT}`, reject('calling kernel function bpf_task_from_pid is not allowed'), { section: 'socket' }),
  tp('task released with cgroup_release', `r1 = 1\ncall bpf_task_from_pid\nif r0 == 0 goto out\n${CG_REL}\n${OUT}`, reject('expected pointer to STRUCT cgroup but R1 has a pointer to STRUCT task_struct')),
  tp('current task acquired and released', 'call 158\nr1 = r0\ncall bpf_task_acquire\nif r0 == 0 goto out\nr1 = r0\ncall bpf_task_release\nout:\nr0 = 0\nexit', accept),
  tp('task reference kept in a callee-saved register across a call', `r1 = 1\ncall bpf_task_from_pid\nif r0 == 0 goto out\nr7 = r0\ncall bpf_ktime_get_ns\nr1 = r7\ncall bpf_task_release\n${OUT}`, accept),
  tp('task reference lost in r1 across a helper call', `r1 = 1\ncall bpf_task_from_pid\nif r0 == 0 goto out\nr1 = r0\ncall bpf_ktime_get_ns\n${OUT}`, reject('Unreleased reference id=')),
  tp('cgroup_from_id then release', `r1 = 1\ncall bpf_cgroup_from_id\nif r0 == 0 goto out\n${CG_REL}\n${OUT}`, accept),
  tp('cgroup_from_id never released', `r1 = 1\ncall bpf_cgroup_from_id\nif r0 == 0 goto out\n${OUT}`, reject('Unreleased reference id=')),
  tp('cgroup_acquire of the mkdir argument', `r1 = *(u64 *)(r1 + 0)\ncall bpf_cgroup_acquire\nif r0 == 0 goto out\n${CG_REL}\n${OUT}`, accept, { section: 'tp_btf/cgroup_mkdir' }),
  tp('cgroup_ancestor of the mkdir argument', `r1 = *(u64 *)(r1 + 0)\nr2 = 0\ncall bpf_cgroup_ancestor\nif r0 == 0 goto out\n${CG_REL}\n${OUT}`, accept, { section: 'tp_btf/cgroup_mkdir' }),
  tp('cgroup_ancestor result leaked', `r1 = *(u64 *)(r1 + 0)\nr2 = 0\ncall bpf_cgroup_ancestor\nif r0 == 0 goto out\n${OUT}`, reject('Unreleased reference id='), { section: 'tp_btf/cgroup_mkdir' }),
  tp('task_under_cgroup with a looked-up cgroup', `${TASK}\nr1 = 1\ncall bpf_cgroup_from_id\nif r0 == 0 goto out\nr7 = r0\nr1 = r6\nr2 = r7\ncall bpf_task_under_cgroup\nr1 = r7\ncall bpf_cgroup_release\n${OUT}`, accept),
  tp('task_under_cgroup with a NULL cgroup', `${TASK}\nr1 = r6\nr2 = 0\ncall bpf_task_under_cgroup\n${OUT}`, reject('NULL pointer passed to trusted arg1')),
  tp('task and cgroup both held and released', `${TASK}\nr1 = r6\ncall bpf_task_acquire\nif r0 == 0 goto out\nr7 = r0\nr1 = 1\ncall bpf_cgroup_from_id\nif r0 == 0 goto rel\n${CG_REL}\nrel:\nr1 = r7\ncall bpf_task_release\n${OUT}`, accept),
]);
