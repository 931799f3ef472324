// SPDX-License-Identifier: GPL-2.0
/*
 * cpumask-set-clear.c: the C twin of ../cpumask-set-clear.bpf.s.
 * Documentation/bpf/cpumasks.rst, §3.1.1 "Setting and clearing CPUs".
 *
 * When a task is created, make a bpf_cpumask, set CPU 0 in it and check that it is set, clear
 * it and check that it is clear, then ask the same question of the new task's own mask
 * (task->cpus_ptr, a plain const struct cpumask *) and print "task %s can use CPU %d" if the
 * task may run on CPU 0. The mask is released on every path.
 *
 * Returns 0; 1 if CPU 0 is not set after bpf_cpumask_set_cpu, 2 if it is still set after
 * bpf_cpumask_clear_cpu; -ENOMEM if bpf_cpumask_create failed.
 */
#include "kernel-types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "stack-printk.h"

extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;
extern void bpf_cpumask_set_cpu(u32 cpu, struct bpf_cpumask *cpumask) __ksym;
extern void bpf_cpumask_clear_cpu(u32 cpu, struct bpf_cpumask *cpumask) __ksym;
extern bool bpf_cpumask_test_cpu(u32 cpu, const struct cpumask *cpumask) __ksym;

/* A struct bpf_cpumask begins with its struct cpumask: the query kfuncs take either. */
#define cast(mask) ((const struct cpumask *)(mask))

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/task_newtask")
int BPF_PROG(test_set_clear_cpu, struct task_struct *task, u64 clone_flags)
{
	struct bpf_cpumask *cpumask;
	int code = 0;

	cpumask = bpf_cpumask_create();
	if (!cpumask)
		return -ENOMEM;

	bpf_cpumask_set_cpu(0, cpumask);
	if (!bpf_cpumask_test_cpu(0, cast(cpumask))) {
		code = 1; /* should never happen: CPU 0 must be set now */
		goto release_exit;
	}

	bpf_cpumask_clear_cpu(0, cpumask);
	if (bpf_cpumask_test_cpu(0, cast(cpumask))) {
		code = 2; /* should never happen: CPU 0 must be clear now */
		goto release_exit;
	}

	/* struct cpumask * pointers such as task->cpus_ptr can be queried too. */
	if (bpf_cpumask_test_cpu(0, task->cpus_ptr))
		STACK_PRINTK("task %s can use CPU %d", task->comm, 0);

release_exit:
	bpf_cpumask_release(cpumask);
	return code;
}
