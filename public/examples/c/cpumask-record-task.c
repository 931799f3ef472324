// SPDX-License-Identifier: GPL-2.0
/*
 * cpumask-record-task.c: the C twin of ../cpumask-record-task.bpf.s.
 * Documentation/bpf/cpumasks.rst, §2.1.1 "struct bpf_cpumask * lifecycle".
 *
 * When a task is created, allocate a bpf_cpumask, print "task %s has CPU affinity" if the task
 * may not run on every CPU, copy task->cpus_ptr into the mask and store the mask in
 * cpumask_map at key = the task's pid. Storing moves the program's reference into the map
 * (bpf_kptr_xchg), so nothing is left to release at exit.
 *
 * Returns 0; bpf_map_update_elem's -errno if the slot cannot be written, -ENOENT if the lookup
 * after it finds nothing, -ENOMEM if bpf_cpumask_create failed.
 */
#include "kernel-types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "stack-printk.h"

#ifndef __kptr
#define __kptr __attribute__((btf_type_tag("kptr")))
#endif

extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;
extern bool bpf_cpumask_full(const struct cpumask *cpumask) __ksym;
extern void bpf_cpumask_copy(struct bpf_cpumask *dst, const struct cpumask *src) __ksym;

/* One kptr at offset 0: the map holds a reference to a bpf_cpumask, or NULL. */
struct cpumask_map_value {
	struct bpf_cpumask __kptr *cpumask;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, u32);
	__type(value, struct cpumask_map_value);
	__uint(max_entries, 65536);
} cpumask_map SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

/* Store mask at key pid, taking over the caller's reference: on failure, release it. */
static __always_inline int cpumask_map_insert(struct bpf_cpumask *mask, u32 pid)
{
	struct cpumask_map_value local, *v;
	struct bpf_cpumask *old;
	u32 key = pid;
	long status;

	local.cpumask = NULL;
	status = bpf_map_update_elem(&cpumask_map, &key, &local, BPF_ANY);
	if (status) {
		bpf_cpumask_release(mask);
		return status;
	}

	v = bpf_map_lookup_elem(&cpumask_map, &key);
	if (!v) {
		bpf_cpumask_release(mask);
		return -ENOENT;
	}

	old = bpf_kptr_xchg(&v->cpumask, mask);
	if (old)
		bpf_cpumask_release(old); /* the reference bpf_kptr_xchg handed back */

	return 0;
}

SEC("tp_btf/task_newtask")
int BPF_PROG(record_task_cpumask, struct task_struct *task, u64 clone_flags)
{
	struct bpf_cpumask *cpumask;

	cpumask = bpf_cpumask_create();
	if (!cpumask)
		return -ENOMEM;

	if (!bpf_cpumask_full(task->cpus_ptr))
		STACK_PRINTK("task %s has CPU affinity", task->comm);

	bpf_cpumask_copy(cpumask, task->cpus_ptr);
	return cpumask_map_insert(cpumask, task->pid);
}
