# cpumask selftest test_firstand_nocpu (progs/cpumask_success.c), today's kernels only
# (bpf_cpumask_first_and arrived after 6.3): runs under linux-6.18.
# mask1 = {0}, mask2 = {1} share no CPU, so first_and must answer ≥ nr_cpu_ids, i.e. above 1.
# Return value = `err`: 0 = pass; 1, 2 = creating a mask failed (NULL, not empty); 3 =
# first_and named CPU 0 or 1. Needs 2 CPUs or more.
# Registers: r6 = mask1, r7 = mask2, r8 = err.

.section tp_btf/task_newtask
.license "GPL"

test_firstand_nocpu:
        r8 = 0                                  # err = 0
        call bpf_cpumask_create                 # create_cpumask(): r0 = mask1 or NULL
        if r0 == 0 goto err_1                   # err = 1, nothing to release
        r6 = r0                                 # r6 = mask1
        r1 = r6
        call bpf_cpumask_empty                  # r0 = mask1 empty?
        w0 &= 1                                 # bool: keep the defined bits
        if w0 == 0 goto err_2_mask1             # err = 2: release mask1 only

        call bpf_cpumask_create                 # create_cpumask(): r0 = mask2 or NULL
        r8 = 1                                  # err = 1 if NULL
        if r0 == 0 goto release_mask1           # the C's "if (mask2) release" skips it
        r7 = r0                                 # r7 = mask2
        r8 = 0
        r1 = r7
        call bpf_cpumask_empty                  # r0 = mask2 empty?
        w0 &= 1
        r8 = 2                                  # err = 2 if not
        if w0 == 0 goto release_exit
        r8 = 0

        r1 = 0                                  # r1 = cpu 0
        r2 = r6                                 # r2 = mask1
        call bpf_cpumask_set_cpu                # mask1 = {0}
        r1 = 1                                  # r1 = cpu 1
        r2 = r7                                 # r2 = mask2
        call bpf_cpumask_set_cpu                # mask2 = {1}
        r1 = r6                                 # r1 = cast(mask1)
        r2 = r7                                 # r2 = cast(mask2)
        call bpf_cpumask_first_and              # r0 = first CPU in both: none, so ≥ nr_cpu_ids
        if w0 > 1 goto release_exit             # u32 "first <= 1" fails: pass
        r8 = 3                                  # err = 3

release_exit:
        r1 = r7                                 # release mask2
        call bpf_cpumask_release
release_mask1:
        r1 = r6                                 # release mask1
        call bpf_cpumask_release
        r0 = r8                                 # return err
        exit

err_2_mask1:
        r1 = r6                                 # create_cpumask() releases a non-empty mask
        call bpf_cpumask_release
        r0 = 2                                  # err = 2
        exit
err_1:
        r0 = 1                                  # err = 1
        exit
