// cpumask kfuncs (tp_btf/task_newtask unless said otherwise): bpf_cpumask_create may return
// NULL and gives a reference that must be released exactly once; mutating kfuncs need a
// struct bpf_cpumask, read-only ones take any struct cpumask (task->cpus_ptr included).

import { accept, reject, topic, type Case } from './build.ts';

type Opt = { license?: string | null; note?: string; section?: string };
const tp = (name: string, body: string, expect: Case['expect'], o: Opt = {}): Case => ({ name, section: o.section ?? 'tp_btf/task_newtask', body, expect, ...(o.license !== undefined ? { license: o.license } : {}), ...(o.note ? { note: o.note } : {}) });
/** r6 = task, r7 = a new mask (NULL → return 0). */
const CREATE = 'r6 = *(u64 *)(r1 + 0)\ncall bpf_cpumask_create\nif r0 == 0 goto out\nr7 = r0';
const RELEASE = 'r1 = r7\ncall bpf_cpumask_release';
const OUT = 'out:\nr0 = 0\nexit';
const CPUS = 'task_struct.cpus_ptr';
const withMask = (use: string): string => `${CREATE}\n${use}\n${RELEASE}\n${OUT}`;

export const CPUMASK = topic('cpumask', [
  tp('create and release', withMask(''), accept),
  tp('create without NULL check, release', 'call bpf_cpumask_create\nr1 = r0\ncall bpf_cpumask_release\nr0 = 0\nexit', reject('Possibly NULL pointer passed to trusted arg0')),
  tp('create, never released', `${CREATE}\n${OUT}`, reject('Unreleased reference id=')),
  tp('create, released twice', withMask(RELEASE), reject('R1 must be referenced or trusted')),
  tp('create, used after release', `${CREATE}\n${RELEASE}\nr1 = 0\nr2 = r7\ncall bpf_cpumask_set_cpu\n${OUT}`, reject('R2 type=scalar expected=fp')),
  tp('set_cpu on the new mask', withMask('r1 = 0\nr2 = r7\ncall bpf_cpumask_set_cpu'), accept),
  tp('set_cpu on task->cpus_ptr', `r6 = *(u64 *)(r1 + 0)\nr1 = 0\nr2 = *(u64 *)(r6 + ${CPUS})\ncall bpf_cpumask_set_cpu\nr0 = 0\nexit`, reject('bpf_cpumask_set_cpu args#1 expected pointer to STRUCT bpf_cpumask but R2 has a pointer to STRUCT cpumask')),
  tp('clear on task->cpus_ptr', `r6 = *(u64 *)(r1 + 0)\nr1 = *(u64 *)(r6 + ${CPUS})\ncall bpf_cpumask_clear\nr0 = 0\nexit`, reject('expected pointer to STRUCT bpf_cpumask but R1 has a pointer to STRUCT cpumask')),
  tp('acquire task->cpus_ptr', `r6 = *(u64 *)(r1 + 0)\nr1 = *(u64 *)(r6 + ${CPUS})\ncall bpf_cpumask_acquire\nr0 = 0\nexit`, reject('R1 must be referenced or trusted')),
  tp('test_cpu on task->cpus_ptr', `r6 = *(u64 *)(r1 + 0)\nr1 = 0\nr2 = *(u64 *)(r6 + ${CPUS})\ncall bpf_cpumask_test_cpu\nr0 = 0\nexit`, accept),
  tp('first of task->cpus_ptr', `r6 = *(u64 *)(r1 + 0)\nr1 = *(u64 *)(r6 + ${CPUS})\ncall bpf_cpumask_first\nr0 = 0\nexit`, accept),
  tp('weight of task->cpus_ptr', `r6 = *(u64 *)(r1 + 0)\nr1 = *(u64 *)(r6 + ${CPUS})\ncall bpf_cpumask_weight\nr0 = 0\nexit`, accept),
  tp('any_distribute of task->cpus_ptr', `r6 = *(u64 *)(r1 + 0)\nr1 = *(u64 *)(r6 + ${CPUS})\ncall bpf_cpumask_any_distribute\nr0 = 0\nexit`, accept),
  tp('copy task->cpus_ptr into the new mask', withMask(`r1 = r7\nr2 = *(u64 *)(r6 + ${CPUS})\ncall bpf_cpumask_copy`), accept),
  tp('copy the new mask into task->cpus_ptr', withMask(`r1 = *(u64 *)(r6 + ${CPUS})\nr2 = r7\ncall bpf_cpumask_copy`), reject('expected pointer to STRUCT bpf_cpumask but R1 has a pointer to STRUCT cpumask')),
  tp('and of the new mask with task->cpus_ptr', withMask(`r1 = r7\nr2 = r7\nr3 = *(u64 *)(r6 + ${CPUS})\ncall bpf_cpumask_and`), accept),
  tp('equal with a NULL second mask', withMask('r1 = r7\nr2 = 0\ncall bpf_cpumask_equal'), reject('NULL pointer passed to trusted arg1')),
  tp('empty of NULL', 'r1 = 0\ncall bpf_cpumask_empty\nr0 = 0\nexit', reject('NULL pointer passed to trusted arg0')),
  tp('empty of the task', 'r1 = *(u64 *)(r1 + 0)\ncall bpf_cpumask_empty\nr0 = 0\nexit', reject('expected pointer to STRUCT cpumask but R1 has a pointer to STRUCT task_struct')),
  tp('empty of a scalar', 'r1 = 1234\ncall bpf_cpumask_empty\nr0 = 0\nexit', reject('R1 type=scalar expected=fp')),
  tp('set_cpu with an unknown cpu', withMask('r1 = *(u64 *)(r10 - 8)\nr2 = r7\ncall bpf_cpumask_set_cpu'), accept),
  tp('set_cpu without a cpu argument', `${CREATE}\nr2 = r7\ncall bpf_cpumask_set_cpu\n${RELEASE}\n${OUT}`, reject('R1 is not a scalar')),
  tp('release a moved mask pointer', withMask('r7 += 8'), reject('must have zero offset')),
  tp('release task->cpus_ptr', `r6 = *(u64 *)(r1 + 0)\nr1 = *(u64 *)(r6 + ${CPUS})\ncall bpf_cpumask_release\nr0 = 0\nexit`, reject('R1 must be referenced or trusted')),
  tp('acquire the new mask, release both', withMask('r1 = r7\ncall bpf_cpumask_acquire\nr1 = r0\ncall bpf_cpumask_release'), accept),
  tp('acquire the new mask, release one', withMask('r1 = r7\ncall bpf_cpumask_acquire'), reject('Unreleased reference id=')),
  tp('two masks, combined NULL check', 'call bpf_cpumask_create\nr6 = r0\ncall bpf_cpumask_create\nr7 = r0\nif r6 == 0 goto rel\nif r7 == 0 goto rel\nr1 = r6\nr2 = r7\ncall bpf_cpumask_equal\nrel:\nif r6 == 0 goto n1\nr1 = r6\ncall bpf_cpumask_release\nn1:\nif r7 == 0 goto n2\nr1 = r7\ncall bpf_cpumask_release\nn2:\nr0 = 0\nexit', accept),
  tp('a 512-byte stack buffer as a struct cpumask', 'r1 = r10\nr1 += -512\ncall bpf_cpumask_first\nr0 = 0\nexit', accept, { note: 'a cpumask is plain data: any memory of its size will do (KF_ARG_PTR_TO_MEM)' }),
  tp('populate from an 8-byte stack buffer', withMask('*(u64 *)(r10 - 8) = -1\nr1 = r7\nr2 = r10\nr2 += -8\nr3 = 8\ncall bpf_cpumask_populate'), accept),
  tp('populate from a scalar address', withMask('r1 = r7\nr2 = 0x123456\nr3 = 8\ncall bpf_cpumask_populate'), reject('leads to invalid memory access')),
  tp('populate with a size past the buffer', withMask('r1 = r7\nr2 = r10\nr2 += -8\nr3 = 16\ncall bpf_cpumask_populate'), reject('invalid read from stack R2 off=-8 size=16')),
  tp('test_and_set_cpu on the new mask', withMask('r1 = 1\nr2 = r7\ncall bpf_cpumask_test_and_set_cpu'), accept),
  tp('test_and_clear_cpu on task->cpus_ptr', `r6 = *(u64 *)(r1 + 0)\nr1 = 0\nr2 = *(u64 *)(r6 + ${CPUS})\ncall bpf_cpumask_test_and_clear_cpu\nr0 = 0\nexit`, reject('expected pointer to STRUCT bpf_cpumask but R2 has a pointer to STRUCT cpumask')),
  tp('setall and full of the new mask', withMask('r1 = r7\ncall bpf_cpumask_setall\nr1 = r7\ncall bpf_cpumask_full'), accept),
  tp('first_and of the new mask and task->cpus_ptr', withMask(`r1 = r7\nr2 = *(u64 *)(r6 + ${CPUS})\ncall bpf_cpumask_first_and`), accept),
  tp('subset of task->cpus_ptr in the new mask', withMask(`r1 = *(u64 *)(r6 + ${CPUS})\nr2 = r7\ncall bpf_cpumask_subset`), accept),
  tp('intersects with an uninitialised second mask', withMask('r1 = r7\ncall bpf_cpumask_intersects'), reject('variable ? access var_off=(0x0; 0xffffffffffffffff) disallowed'), { note: 'an uninitialised pointer argument of a kfunc is not reported as !read_ok' }),
  tp('or into task->cpus_ptr', withMask(`r1 = *(u64 *)(r6 + ${CPUS})\nr2 = r7\nr3 = r7\ncall bpf_cpumask_or`), reject('expected pointer to STRUCT bpf_cpumask but R1 has a pointer to STRUCT cpumask')),
  tp('cpus_ptr of the current task', 'call 158\nr2 = *(u64 *)(r0 + task_struct.cpus_ptr)\nr1 = 0\ncall bpf_cpumask_test_cpu\nr0 = 0\nexit', accept),
  tp('cpus_ptr of real_parent', `r6 = *(u64 *)(r1 + 0)\nr6 = *(u64 *)(r6 + task_struct.real_parent)\nr1 = *(u64 *)(r6 + ${CPUS})\ncall bpf_cpumask_first\nr0 = 0\nexit`, accept, { note: 'real_parent is RCU-protected and the program runs under RCU' }),
  tp('mask leaked on the error path only', `${CREATE}\nr1 = *(u32 *)(r6 + task_struct.pid)\nif r1 == 0 goto out\n${RELEASE}\n${OUT}`, reject('Unreleased reference id=')),
  tp('create without a GPL license', withMask(''), reject('cannot call kernel function from non-GPL compatible program'), { license: null }),
  tp('create from XDP', withMask('').replace('r6 = *(u64 *)(r1 + 0)\n', ''), reject('calling kernel function bpf_cpumask_create is not allowed'), { section: 'xdp' }),
  tp('create from tc', withMask('').replace('r6 = *(u64 *)(r1 + 0)\n', ''), reject('calling kernel function bpf_cpumask_create is not allowed'), { section: 'tc' }),
  tp('create and release from a syscall program', withMask('').replace('r6 = *(u64 *)(r1 + 0)\n', ''), accept, { section: 'syscall' }),
  tp('create and release from tp_btf/cgroup_mkdir', withMask('').replace('r6 = *(u64 *)(r1 + 0)\n', ''), accept, { section: 'tp_btf/cgroup_mkdir' }),
  tp('mask stored on the stack and released from there', withMask('*(u64 *)(r10 - 8) = r7\nr7 = *(u64 *)(r10 - 8)'), accept),
  tp('mask overwritten on the stack then released', `${CREATE}\n*(u64 *)(r10 - 8) = r7\n*(u64 *)(r10 - 8) = 0\nr1 = *(u64 *)(r10 - 8)\ncall bpf_cpumask_release\n${OUT}`, reject('NULL pointer passed to trusted arg0')),
  tp('mask passed to a subprogram that releases it', `${CREATE}\nr1 = r7\ncall f\n${OUT}\nf:\ncall bpf_cpumask_release\nr0 = 0\nexit`, accept),
]);
