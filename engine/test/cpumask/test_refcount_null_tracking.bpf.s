# cpumask selftest test_refcount_null_tracking (progs/cpumask_success.c), today's kernels only:
# runs under linux-6.18.
# Two masks are created and used only after one combined NULL check (if (!mask1 || !mask2));
# each is then released if it is not NULL. The verifier must track both references through the
# combined check; at run time both are created, used and released. No err: returns 0.
# Registers: r6 = mask1, r7 = mask2 (either may be NULL).

.section tp_btf/task_newtask
.license "GPL"

test_refcount_null_tracking:
        call bpf_cpumask_create                 # r0 = mask1 or NULL (not checked yet)
        r6 = r0                                 # r6 = mask1
        call bpf_cpumask_create                 # r0 = mask2 or NULL
        r7 = r0                                 # r7 = mask2

        if r6 == 0 goto free_masks_return       # !mask1 ||
        if r7 == 0 goto free_masks_return       #   !mask2: skip the uses
        r1 = 0                                  # r1 = cpu 0
        r2 = r6                                 # r2 = mask1, known non-NULL here
        call bpf_cpumask_test_cpu               # result unused
        r1 = 0                                  # r1 = cpu 0
        r2 = r7                                 # r2 = mask2, known non-NULL here
        call bpf_cpumask_test_cpu               # result unused

free_masks_return:
        if r6 == 0 goto free_mask2              # if (mask1)
        r1 = r6
        call bpf_cpumask_release                #   release mask1
free_mask2:
        if r7 == 0 goto done                    # if (mask2)
        r1 = r7
        call bpf_cpumask_release                #   release mask2
done:
        r0 = 0                                  # return 0
        exit
