# cpumask selftest test_global_mask_nested_deep_rcu (progs/cpumask_success.c), today's kernels
# only: runs under linux-6.18.
# Eight kptrs spread over nested structs and arrays, filled pairwise through
# _global_mask_array_rcu (below): (ptrs[0].m.mask, ptrs[1].m.mask), then
# (ptr_pairs[i].mask_1, ptr_pairs[i].mask_2) for i = 0, 1, 2. The .bss global
#   struct kptr_nested_deep { struct kptr_nested_mid { int dummy; struct kptr_nested m; } ptrs[2];
#                             struct kptr_nested_pair { mask_1, mask_2 } ptr_pairs[3]; }
# becomes a one-element array with kptrs at 8, 24 (ptrs[i].m.mask) and 32-72 (the pairs).
# Return value = the first err a call returns (0 = pass; see below), as the selftest stops at
# the first non-zero result. After the run all eight slots hold different masks.

.section tp_btf/task_newtask
.license "GPL"
.map global_mask_nested_deep type=array key=4 value=80 max_entries=1 kptr=8:bpf_cpumask kptr=24:bpf_cpumask kptr=32:bpf_cpumask kptr=40:bpf_cpumask kptr=48:bpf_cpumask kptr=56:bpf_cpumask kptr=64:bpf_cpumask kptr=72:bpf_cpumask

test_global_mask_nested_deep_rcu:
        ld_pseudo r6, 2, 0                      # r6 = &global_mask_nested_deep (map 0)
        r1 = r6
        r1 += 8                                 # r1 = &ptrs[0].m.mask
        r2 = r6
        r2 += 24                                # r2 = &ptrs[1].m.mask
        call global_mask_array_rcu              # r0 = err
        if r0 != 0 goto out                     # if (r) return r

        r7 = 32                                 # r7 = offset of ptr_pairs[i].mask_1, i = 0
pairs:
        r1 = r6
        r1 += r7                                # r1 = &ptr_pairs[i].mask_1
        r2 = r1
        r2 += 8                                 # r2 = &ptr_pairs[i].mask_2
        call global_mask_array_rcu              # r0 = err
        if r0 != 0 goto out                     # if (r) return r
        r7 += 16                                # next pair (16 bytes each)
        if r7 < 80 goto pairs                   # i < 3
        r0 = 0                                  # pass
out:
        exit

# _global_mask_array_rcu(r1 = mask0, r2 = mask1 or NULL): mask0 and mask1 point at two kptr
# slots. Inside one RCU read section: a new mask goes into the empty *mask0, which must then
# read as non-NULL; if mask1 is given, *mask1 must be empty, a second new mask goes in, and the
# two slots must hold two different masks. r0 = the err it would set (0 if none): 1 = *mask0
# was not empty, 2 = *mask0 reads NULL after the exchange, 3 = *mask1 was not empty, 9 = the
# second mask could not be created, 10 = *mask1 was not empty at the exchange, 11 = the slots
# are not two different masks; 1, 2 also when the first create_cpumask() fails.
# Registers: r6 = mask0, r7 = mask1, r8 = local (a mask we hold, or NULL), r9 = err.
global_mask_array_rcu:
        r6 = r1                                 # r6 = mask0 (this frame's r6-r9)
        r7 = r2                                 # r7 = mask1 or NULL
        call bpf_cpumask_create                 # create_cpumask(): r0 = local or NULL
        if r0 == 0 goto g_err_1                 # err = 1
        r8 = r0                                 # r8 = local
        r1 = r8
        call bpf_cpumask_empty                  # r0 = local empty?
        w0 &= 1                                 # bool: keep the defined bits
        if w0 == 0 goto g_err_2                 # err = 2

        call bpf_rcu_read_lock                  # enter the RCU read section
        r1 = r6                                 # r1 = mask0
        r2 = r8                                 # r2 = local: our reference moves into the slot
        call bpf_kptr_xchg                      # r0 = what the slot held (now ours) or NULL
        r8 = r0                                 # local = that
        r9 = 1                                  # err = 1 if the slot was not empty
        if r8 != 0 goto g_exit
        r1 = *(u64 *)(r6 + 0)                   # r1 = *mask0 (an RCU load)
        r9 = 2                                  # err = 2 if it reads NULL
        if r1 == 0 goto g_exit
        r9 = 0
        if r7 == 0 goto g_exit                  # no second slot: done
        r1 = *(u64 *)(r7 + 0)                   # r1 = *mask1
        r9 = 3                                  # err = 3 if it is not NULL
        if r1 != 0 goto g_exit

        call bpf_cpumask_create                 # create_cpumask(): r0 = local or NULL
        r9 = 9                                  # err = 9 if it fails
        if r0 == 0 goto g_exit                  # local is NULL here
        r8 = r0                                 # r8 = local
        r1 = r8
        call bpf_cpumask_empty                  # r0 = local empty?
        w0 &= 1
        if w0 == 0 goto g_not_empty             # create_cpumask() releases it; err = 9
        r1 = r7                                 # r1 = mask1
        r2 = r8                                 # r2 = local: into the second slot
        call bpf_kptr_xchg                      # r0 = what it held or NULL
        r8 = r0                                 # local = that
        r9 = 10                                 # err = 10 if not NULL
        if r8 != 0 goto g_exit
        r1 = *(u64 *)(r6 + 0)                   # r1 = *mask0
        r2 = *(u64 *)(r7 + 0)                   # r2 = *mask1
        r9 = 11                                 # err = 11 unless two different masks
        if r1 == 0 goto g_exit
        if r2 == 0 goto g_exit
        if r1 == r2 goto g_exit
        r9 = 0                                  # no err
g_exit:
        if r8 == 0 goto g_unlock                # err_exit: release local if we hold one
        r1 = r8
        call bpf_cpumask_release
g_unlock:
        call bpf_rcu_read_unlock                # leave the RCU read section
        r0 = r9                                 # r0 = err
        exit
g_not_empty:
        r1 = r8
        call bpf_cpumask_release                # give the non-empty mask back
        r8 = 0                                  # local = NULL
        goto g_exit
g_err_2:
        r1 = r8
        call bpf_cpumask_release                # create_cpumask() releases a non-empty mask
        r0 = 2                                  # err = 2
        exit
g_err_1:
        r0 = 1                                  # err = 1
        exit
