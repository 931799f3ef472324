// SPDX-License-Identifier: GPL-2.0
/*
 * cpumask-query-618.c: the C twin of ../cpumask-query-618.bpf.s.
 * Documentation/bpf/cpumasks.rst, §3.2 "Querying cpumasks" (and bpf_cpumask_copy, §3.1.2), with
 * the kfuncs of Linux 6.18: bpf_cpumask_any_distribute (6.5's name for bpf_cpumask_any),
 * bpf_cpumask_weight and bpf_cpumask_first_and.
 *
 * Copies the new task's affinity into a bpf_cpumask and asks questions whose answers hold for
 * any task: the copy equals the original; its first CPU is one the task may use and its first
 * zero one it may not; bpf_cpumask_any_distribute picks an allowed CPU; the copy intersects
 * the original. Then it clears the first CPU from the copy: the copy is now a strict subset,
 * one CPU lighter, and the first CPU both share is no longer the first one.
 *
 * Prints "task %s: first CPU %d, first free CPU %d" and "any_distribute picked CPU %d of %d".
 * Returns 0; a failed check returns its code (1-10); -ENOMEM if bpf_cpumask_create failed.
 */
#include "kernel-types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "stack-printk.h"

extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;
extern void bpf_cpumask_copy(struct bpf_cpumask *dst, const struct cpumask *src) __ksym;
extern void bpf_cpumask_clear_cpu(u32 cpu, struct bpf_cpumask *cpumask) __ksym;
extern bool bpf_cpumask_test_cpu(u32 cpu, const struct cpumask *cpumask) __ksym;
extern bool bpf_cpumask_equal(const struct cpumask *src1, const struct cpumask *src2) __ksym;
extern bool bpf_cpumask_intersects(const struct cpumask *src1, const struct cpumask *src2) __ksym;
extern bool bpf_cpumask_subset(const struct cpumask *src1, const struct cpumask *src2) __ksym;
extern u32 bpf_cpumask_first(const struct cpumask *cpumask) __ksym;
extern u32 bpf_cpumask_first_zero(const struct cpumask *cpumask) __ksym;
extern u32 bpf_cpumask_first_and(const struct cpumask *src1, const struct cpumask *src2) __ksym;
extern u32 bpf_cpumask_any_distribute(const struct cpumask *cpumask) __ksym;
extern u32 bpf_cpumask_weight(const struct cpumask *cpumask) __ksym;

#define cast(mask) ((const struct cpumask *)(mask))

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/task_newtask")
int BPF_PROG(query, struct task_struct *task, u64 clone_flags)
{
	struct bpf_cpumask *mask;
	u32 first, first_zero, any, weight;
	int code;

	mask = bpf_cpumask_create();
	if (!mask)
		return -ENOMEM;

	bpf_cpumask_copy(mask, task->cpus_ptr);

	code = 1; /* the copy differs from the original */
	if (!bpf_cpumask_equal(cast(mask), task->cpus_ptr))
		goto release_exit;

	/* the lowest CPU of the mask (>= nr_cpu_ids if it is empty) */
	first = bpf_cpumask_first(cast(mask));
	code = 2; /* first is not one of the task's CPUs */
	if (!bpf_cpumask_test_cpu(first, task->cpus_ptr))
		goto release_exit;

	/* the lowest CPU not in the mask (>= nr_cpu_ids if it is full: that tests false too) */
	first_zero = bpf_cpumask_first_zero(cast(mask));
	code = 3; /* first_zero is one of the task's CPUs */
	if (bpf_cpumask_test_cpu(first_zero, task->cpus_ptr))
		goto release_exit;

	STACK_PRINTK("task %s: first CPU %d, first free CPU %d", task->comm, first, first_zero);

	any = bpf_cpumask_any_distribute(cast(mask)); /* a random CPU of the mask */
	code = 4; /* any picked a CPU the task may not use */
	if (!bpf_cpumask_test_cpu(any, task->cpus_ptr))
		goto release_exit;

	weight = bpf_cpumask_weight(cast(mask));
	STACK_PRINTK("any_distribute picked CPU %d of %d", any, weight);

	code = 5; /* a copy must intersect its original */
	if (!bpf_cpumask_intersects(cast(mask), task->cpus_ptr))
		goto release_exit;

	/* the mask is now the task's CPUs without the first one */
	bpf_cpumask_clear_cpu(first, mask);

	code = 6; /* the mask must still be a subset of the task's CPUs */
	if (!bpf_cpumask_subset(cast(mask), task->cpus_ptr))
		goto release_exit;
	code = 7; /* ... but no longer hold all of them: the first one is missing */
	if (bpf_cpumask_subset(task->cpus_ptr, cast(mask)))
		goto release_exit;
	code = 8; /* so the two must differ now */
	if (bpf_cpumask_equal(cast(mask), task->cpus_ptr))
		goto release_exit;
	weight = bpf_cpumask_weight(task->cpus_ptr) - 1; /* what the mask must weigh now */
	code = 9; /* the mask must be exactly one CPU lighter */
	if (bpf_cpumask_weight(cast(mask)) != weight)
		goto release_exit;
	code = 10; /* the cleared CPU cannot be in both */
	if (bpf_cpumask_first_and(cast(mask), task->cpus_ptr) == first)
		goto release_exit;
	code = 0; /* every check passed */

release_exit:
	bpf_cpumask_release(mask);
	return code;
}
