// SPDX-License-Identifier: GPL-2.0
/*
 * cpumask-and-or-xor.c: the C twin of ../cpumask-and-or-xor.bpf.s.
 * Documentation/bpf/cpumasks.rst, §3.1.2 "Operations between cpumasks".
 *
 * mask1 = {0} and mask2 = {1}. dst1 = mask1 AND mask2 must be empty (bpf_cpumask_and says so
 * by returning false); dst1 = mask1 OR mask2 must hold CPUs 0 and 1; dst2 = mask1 XOR mask2
 * must equal dst1. All four masks are created with a NULL check each, and every path releases
 * exactly the masks it created. Nothing is printed.
 *
 * Returns 0; 1 = and() returned true, 2 = dst1 not empty after and(), 3 = CPU 0 missing after
 * or(), 4 = CPU 1 missing after or() (as on a machine with one CPU), 5 = xor() differs from
 * or(); -ENOMEM if an allocation failed.
 */
#include "kernel-types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;
extern void bpf_cpumask_set_cpu(u32 cpu, struct bpf_cpumask *cpumask) __ksym;
extern bool bpf_cpumask_test_cpu(u32 cpu, const struct cpumask *cpumask) __ksym;
extern bool bpf_cpumask_and(struct bpf_cpumask *dst, const struct cpumask *src1,
			    const struct cpumask *src2) __ksym;
extern void bpf_cpumask_or(struct bpf_cpumask *dst, const struct cpumask *src1,
			   const struct cpumask *src2) __ksym;
extern void bpf_cpumask_xor(struct bpf_cpumask *dst, const struct cpumask *src1,
			    const struct cpumask *src2) __ksym;
extern bool bpf_cpumask_empty(const struct cpumask *cpumask) __ksym;
extern bool bpf_cpumask_equal(const struct cpumask *src1, const struct cpumask *src2) __ksym;

#define cast(mask) ((const struct cpumask *)(mask))

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/task_newtask")
int BPF_PROG(test_and_or_xor, struct task_struct *task, u64 clone_flags)
{
	struct bpf_cpumask *mask1, *mask2, *dst1, *dst2;
	int code;

	mask1 = bpf_cpumask_create();
	if (!mask1)
		return -ENOMEM;
	mask2 = bpf_cpumask_create();
	if (!mask2)
		goto enomem_1;
	dst1 = bpf_cpumask_create();
	if (!dst1)
		goto enomem_2;
	dst2 = bpf_cpumask_create();
	if (!dst2)
		goto enomem_3;

	bpf_cpumask_set_cpu(0, mask1);
	bpf_cpumask_set_cpu(1, mask2);

	code = 1; /* should never happen: the intersection of {0} and {1} is empty */
	if (bpf_cpumask_and(dst1, cast(mask1), cast(mask2)))
		goto release_exit;
	code = 2;
	if (!bpf_cpumask_empty(cast(dst1)))
		goto release_exit;

	bpf_cpumask_or(dst1, cast(mask1), cast(mask2));
	code = 3;
	if (!bpf_cpumask_test_cpu(0, cast(dst1)))
		goto release_exit;
	code = 4;
	if (!bpf_cpumask_test_cpu(1, cast(dst1)))
		goto release_exit;

	bpf_cpumask_xor(dst2, cast(mask1), cast(mask2));
	code = 5;
	if (!bpf_cpumask_equal(cast(dst1), cast(dst2)))
		goto release_exit;
	code = 0; /* every check passed */

release_exit:
	bpf_cpumask_release(mask1);
	bpf_cpumask_release(mask2);
	bpf_cpumask_release(dst1);
	bpf_cpumask_release(dst2);
	return code;

enomem_3:
	bpf_cpumask_release(dst1);
enomem_2:
	bpf_cpumask_release(mask2);
enomem_1:
	bpf_cpumask_release(mask1);
	return -ENOMEM;
}
