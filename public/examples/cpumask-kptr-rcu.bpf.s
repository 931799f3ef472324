# A bpf_cpumask kptr used under RCU — Documentation/bpf/cpumasks.rst, §2.1.1
# "struct bpf_cpumask * as kptrs" (today's version of the section).
# Runs under linux-6.18 only: from 6.4 on, struct bpf_cpumask is RCU-protected, so a kptr loaded
# inside bpf_rcu_read_lock() may be passed (after a NULL check) to the KF_RCU cpumask kfuncs. In
# 6.3 the same load is an untrusted pointer; 6.3 programs use bpf_cpumask_kptr_get instead (see
# cpumask-kptr-get.bpf.s).
#
# The documentation assumes a mask "was previously stored in the map". A test run starts with
# empty maps, so the program first stores a fresh (empty) mask in slot 0 itself; then comes the
# documentation's cgrp_ancestor_example: look slot 0 up, enter an RCU read section, load the
# kptr, return -EBUSY if it is NULL, else set every CPU in it and leave the section.
#
# Result: returns 0; slot 0 of cpumasks_kfunc_map holds a bpf_cpumask with refcount 1 (the
# map's) and every CPU set (0-7 with the default 8 CPUs). Nothing is printed.

.section tp_btf/cgroup_mkdir
.license "GPL"
# struct cpumasks_kfunc_map_value { struct bpf_cpumask __kptr *bpf_cpumask; }: a kptr at offset 0.
.map cpumasks_kfunc_map type=array key=4 value=8 max_entries=1 kptr=0:bpf_cpumask

cgrp_ancestor_example:
        *(u32 *)(r10 - 4) = 0                   # key = 0, on the stack at r10 - 4

# Set-up (not in the documentation): store a new mask in slot 0.
        call bpf_cpumask_create                 # r0 = a new empty bpf_cpumask (refcount 1) or NULL
        if r0 == 0 goto enomem                  # NULL-check before any use
        r7 = r0                                 # r7 = the new mask: the program holds this reference
        r1 = cpumasks_kfunc_map ll              # r1 = &cpumasks_kfunc_map
        r2 = r10
        r2 += -4                                # r2 = &key
        call bpf_map_lookup_elem                # r0 = v (an array always has slot 0) or NULL
        if r0 == 0 goto release_enoent          # the verifier still wants the NULL check
        r1 = r0                                 # r1 = &v->bpf_cpumask (offset 0)
        r2 = r7                                 # r2 = the mask: our reference moves into the map
        call bpf_kptr_xchg                      # r0 = the previous kptr (now ours) or NULL
        if r0 == 0 goto example                 # slot was empty, as in a fresh test run
        r1 = r0                                 # r1 = the previous mask
        call bpf_cpumask_release                # drop the reference bpf_kptr_xchg gave back

# The documentation's program.
example:
        r1 = cpumasks_kfunc_map ll              # r1 = &cpumasks_kfunc_map
        r2 = r10
        r2 += -4                                # r2 = &key (still 0)
        call bpf_map_lookup_elem                # r0 = v or NULL
        if r0 == 0 goto enoent                  # no value: -ENOENT
        r6 = r0                                 # r6 = v (callee-saved across the kfunc calls)
        call bpf_rcu_read_lock                  # enter an RCU read-side critical section
        r1 = *(u64 *)(r6 + 0)                   # r1 = kptr = v->bpf_cpumask (RCU pointer, maybe NULL)
        if r1 == 0 goto busy                    # another CPU took it out with bpf_kptr_xchg: -EBUSY
        call bpf_cpumask_setall                 # set every CPU below nr_cpu_ids in the stored mask
        call bpf_rcu_read_unlock                # leave the RCU section: kptr may not be used after this
        r0 = 0                                  # success
        exit

busy:
        call bpf_rcu_read_unlock                # leave the RCU section on this path too
        r0 = -16                                # -EBUSY
        exit

release_enoent:
        r1 = r7                                 # r1 = the mask we could not store
        call bpf_cpumask_release                # release it: no reference may leak
enoent:
        r0 = -2                                 # -ENOENT
        exit

enomem:
        r0 = -12                                # -ENOMEM
        exit
