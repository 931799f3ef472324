# Taking a reference to a stored kptr with bpf_cpumask_kptr_get — Documentation/bpf/cpumasks.rst,
# §2.1.1 "struct bpf_cpumask * as kptrs", as written for Linux 6.3.
# Runs under linux-6.3 only: bpf_cpumask_kptr_get (KF_ACQUIRE | KF_KPTR_GET | KF_RET_NULL) was
# removed in 6.4, when bpf_cpumask became RCU-protected (see cpumask-kptr-rcu.bpf.s for today's
# way). Under linux-6.18 the load is refused: the kfunc does not exist there.
#
# The documentation assumes a mask "was previously stored in the map". A test run starts with
# empty maps, so the program first stores a fresh (empty) mask in slot 0 itself; then comes the
# documentation's cgrp_ancestor_example: look slot 0 up, take a reference to the stored mask
# with bpf_cpumask_kptr_get (NULL if the slot is empty or the mask is being freed → -EBUSY), set
# every CPU in it and release the reference.
#
# Result: returns 0; slot 0 of cpumasks_kfunc_map holds a bpf_cpumask with refcount 1 (the
# map's; ours was taken and given back) and every CPU set. Nothing is printed.

.section tp_btf/cgroup_mkdir
.license "GPL"
# struct cpumasks_kfunc_map_value { struct bpf_cpumask __kptr_ref *cpumask; }: a kptr at offset 0.
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
        r1 = r0                                 # r1 = &v->cpumask (offset 0)
        r2 = r7                                 # r2 = the mask: our reference moves into the map
        call bpf_kptr_xchg                      # r0 = the previous kptr (now ours) or NULL
        if r0 == 0 goto example                 # slot was empty, as in a fresh test run
        r1 = r0                                 # r1 = the previous mask
        call bpf_cpumask_release                # drop the reference bpf_kptr_xchg gave back

# The documentation's program (6.3).
example:
        r1 = cpumasks_kfunc_map ll              # r1 = &cpumasks_kfunc_map
        r2 = r10
        r2 += -4                                # r2 = &key (still 0)
        call bpf_map_lookup_elem                # r0 = v or NULL
        if r0 == 0 goto enoent                  # no value: -ENOENT
        r1 = r0                                 # r1 = &v->cpumask: the address of the kptr field
        call bpf_cpumask_kptr_get               # r0 = a new reference to the stored mask, or NULL
        if r0 == 0 goto busy                    # slot emptied (or mask being freed) meanwhile: -EBUSY
        r6 = r0                                 # r6 = kptr: our reference (refcount now 2)
        r1 = r6                                 # r1 = kptr
        call bpf_cpumask_setall                 # set every CPU below nr_cpu_ids in the stored mask
        r1 = r6                                 # r1 = kptr
        call bpf_cpumask_release                # give our reference back (refcount 1: the map's)
        r0 = 0                                  # success
        exit

busy:
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
