# cpumask selftest test_global_mask_nested_deep_array_rcu (progs/cpumask_success.c), today's
# kernels only: runs under linux-6.18.
# CPUMASK_KPTR_FIELDS_MAX (11, as BTF_FIELDS_MAX; a later selftest patch raises it to 13)
# kptrs in arrays nested three ways, each filled alone through _global_mask_array_rcu (below,
# with mask1 = NULL). The three .bss globals become one-element arrays:
#   global_mask_nested_deep_array_1: { long dummy; { int dummy; { int dummy; mask[11]; } } }
#     -> kptrs at 24 + 8i
#   global_mask_nested_deep_array_2: { long dummy; { int dummy; { long dummy[2]; mask; } d_2[11] } }
#     -> kptrs at 32 + 24i
#   global_mask_nested_deep_array_3: { long dummy; { int dummy; { long dummy[2]; mask; } d_2 } d_1[11] }
#     -> kptrs at 32 + 32i
# The selftest ignores the calls' results and reads the global err afterwards; here the
# return value is the last non-zero err (0 = pass). After the run all 33 slots hold a mask.
# Registers: r6 = the slot, r7 = slots left, r8 = err.

.section tp_btf/task_newtask
.license "GPL"
.map global_mask_nested_deep_array_1 type=array key=4 value=112 max_entries=1 kptr=24:bpf_cpumask kptr=32:bpf_cpumask kptr=40:bpf_cpumask kptr=48:bpf_cpumask kptr=56:bpf_cpumask kptr=64:bpf_cpumask kptr=72:bpf_cpumask kptr=80:bpf_cpumask kptr=88:bpf_cpumask kptr=96:bpf_cpumask kptr=104:bpf_cpumask
.map global_mask_nested_deep_array_2 type=array key=4 value=280 max_entries=1 kptr=32:bpf_cpumask kptr=56:bpf_cpumask kptr=80:bpf_cpumask kptr=104:bpf_cpumask kptr=128:bpf_cpumask kptr=152:bpf_cpumask kptr=176:bpf_cpumask kptr=200:bpf_cpumask kptr=224:bpf_cpumask kptr=248:bpf_cpumask kptr=272:bpf_cpumask
.map global_mask_nested_deep_array_3 type=array key=4 value=360 max_entries=1 kptr=32:bpf_cpumask kptr=64:bpf_cpumask kptr=96:bpf_cpumask kptr=128:bpf_cpumask kptr=160:bpf_cpumask kptr=192:bpf_cpumask kptr=224:bpf_cpumask kptr=256:bpf_cpumask kptr=288:bpf_cpumask kptr=320:bpf_cpumask kptr=352:bpf_cpumask

test_global_mask_nested_deep_array_rcu:
        r8 = 0                                  # err = 0

        ld_pseudo r6, 2, 0                      # r6 = &global_mask_nested_deep_array_1 (map 0)
        r7 = 11                                 # r7 = slots left: CPUMASK_KPTR_FIELDS_MAX
        r6 += 24                                # r6 = &d_1.d_2.mask[0]
loop_1:
        r1 = r6                                 # r1 = &d_1.d_2.mask[i]
        r2 = 0                                  # r2 = NULL: one slot only
        call global_mask_array_rcu              # r0 = err
        if r0 == 0 goto next_1                  # no err from this slot
        r8 = r0                                 # err = the latest non-zero result
next_1:
        r6 += 8                                 # next slot, 8 bytes on
        r7 += -1                                # one slot fewer
        if r7 != 0 goto loop_1                  # i < CPUMASK_KPTR_FIELDS_MAX

        ld_pseudo r6, 2, 1                      # r6 = &global_mask_nested_deep_array_2 (map 1)
        r7 = 11                                 # r7 = slots left: CPUMASK_KPTR_FIELDS_MAX
        r6 += 32                                # r6 = &d_1.d_2[0].mask
loop_2:
        r1 = r6                                 # r1 = &d_1.d_2[i].mask
        r2 = 0                                  # r2 = NULL: one slot only
        call global_mask_array_rcu              # r0 = err
        if r0 == 0 goto next_2                  # no err from this slot
        r8 = r0                                 # err = the latest non-zero result
next_2:
        r6 += 24                                # next slot, 24 bytes on
        r7 += -1                                # one slot fewer
        if r7 != 0 goto loop_2                  # i < CPUMASK_KPTR_FIELDS_MAX

        ld_pseudo r6, 2, 2                      # r6 = &global_mask_nested_deep_array_3 (map 2)
        r7 = 11                                 # r7 = slots left: CPUMASK_KPTR_FIELDS_MAX
        r6 += 32                                # r6 = &d_1[0].d_2.mask
loop_3:
        r1 = r6                                 # r1 = &d_1[i].d_2.mask
        r2 = 0                                  # r2 = NULL: one slot only
        call global_mask_array_rcu              # r0 = err
        if r0 == 0 goto next_3                  # no err from this slot
        r8 = r0                                 # err = the latest non-zero result
next_3:
        r6 += 32                                # next slot, 32 bytes on
        r7 += -1                                # one slot fewer
        if r7 != 0 goto loop_3                  # i < CPUMASK_KPTR_FIELDS_MAX

        r0 = r8                                 # return err
        exit                                    # done

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
