// SPDX-License-Identifier: GPL-2.0
/*
 * cpumask-kptr-rcu.c: the C twin of ../cpumask-kptr-rcu.bpf.s.
 * Documentation/bpf/cpumasks.rst, §2.1.1 "struct bpf_cpumask * as kptrs" (Linux 6.4 and later:
 * struct bpf_cpumask is RCU-protected, so a kptr loaded inside bpf_rcu_read_lock() may be
 * passed, once NULL-checked, to the cpumask kfuncs).
 *
 * A fresh run starts with empty maps, so the program first stores a new (empty) mask in slot 0
 * itself. Then it does what the documentation shows: look slot 0 up, enter an RCU read-side
 * section, load the kptr, return -EBUSY if it is NULL, else set every CPU in it and leave the
 * section. Nothing is printed.
 *
 * Returns 0 (slot 0 then holds a mask with every CPU set); -ENOENT if a lookup fails, -EBUSY
 * if the slot is empty, -ENOMEM if bpf_cpumask_create failed.
 */
#include "kernel-types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#ifndef __kptr
#define __kptr __attribute__((btf_type_tag("kptr")))
#endif

extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;
extern void bpf_cpumask_setall(struct bpf_cpumask *cpumask) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

struct cpumasks_kfunc_map_value {
	struct bpf_cpumask __kptr *bpf_cpumask;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, u32);
	__type(value, struct cpumasks_kfunc_map_value);
	__uint(max_entries, 1);
} cpumasks_kfunc_map SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(cgrp_ancestor_example, struct cgroup *cgrp, const char *path)
{
	struct cpumasks_kfunc_map_value *v;
	struct bpf_cpumask *mask, *old, *kptr;
	u32 key = 0;

	/* Set-up (not in the documentation): store a new mask in slot 0. */
	mask = bpf_cpumask_create();
	if (!mask)
		return -ENOMEM;
	v = bpf_map_lookup_elem(&cpumasks_kfunc_map, &key);
	if (!v) {
		bpf_cpumask_release(mask); /* no reference may leak */
		return -ENOENT;
	}
	old = bpf_kptr_xchg(&v->bpf_cpumask, mask); /* our reference moves into the map */
	if (old)
		bpf_cpumask_release(old);

	/* The documentation's program. */
	v = bpf_map_lookup_elem(&cpumasks_kfunc_map, &key);
	if (!v)
		return -ENOENT;

	bpf_rcu_read_lock();
	kptr = v->bpf_cpumask;
	if (!kptr) {
		/* another program took it out with bpf_kptr_xchg */
		bpf_rcu_read_unlock();
		return -EBUSY;
	}
	bpf_cpumask_setall(kptr);
	bpf_rcu_read_unlock(); /* kptr may not be used after this */

	return 0;
}
