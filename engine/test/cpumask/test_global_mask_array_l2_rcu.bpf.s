# cpumask selftest test_global_mask_array_l2_rcu (progs/cpumask_success.c), today's kernels
# only: runs under linux-6.18. Two kptrs, global_mask_array_l2[0][0] and [1][0], are filled
# independently through _global_mask_array_rcu (below). The selftest's .bss global `struct
# bpf_cpumask __kptr *global_mask_array_l2[2][1]` becomes a one-element array map with kptr
# fields at offsets 0 and 8, addressed as libbpf addresses a global (BPF_PSEUDO_MAP_VALUE:
# ld_pseudo rN, 2, MAP). Return value = the `err` _global_mask_array_rcu sets (0 = pass; see
# below). After the run the map holds two different empty masks, each with refcount 1.

.section tp_btf/task_newtask
.license "GPL"
.map global_mask_array_l2 type=array key=4 value=16 max_entries=1 kptr=0:bpf_cpumask kptr=8:bpf_cpumask

test_global_mask_array_l2_rcu:
        ld_pseudo r1, 2, 0                      # r1 = &global_mask_array_l2 (map 0): the first slot
        r2 = r1
        r2 += 8                                 # r2 = the second slot, 8 bytes on
        call global_mask_array_rcu              # r0 = err
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
