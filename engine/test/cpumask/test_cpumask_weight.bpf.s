# cpumask selftest test_cpumask_weight (progs/cpumask_success.c), today's kernels only
# (bpf_cpumask_weight arrived after 6.3): runs under linux-6.18.
# The weight of a new mask is 0; after setting CPU 0 it is 1; after setting CPU 1 it is 2 if
# CPU 1 exists (on one CPU, set_cpu(1) is ignored); after clear it is 0 again. Return value =
# `err`: 0 = pass; 1, 2 = create_cpumask() failed; 3, 4, 5, 6 = the four weights, in order.

.section tp_btf/task_newtask
.license "GPL"

test_cpumask_weight:
        call bpf_cpumask_create                 # create_cpumask(): r0 = local or NULL
        if r0 == 0 goto err_1                   # err = 1
        r6 = r0                                 # r6 = local (referenced)
        r1 = r6
        call bpf_cpumask_empty                  # r0 = local empty?
        w0 &= 1                                 # bool: keep the defined bits
        if w0 == 0 goto err_2                   # err = 2 (after releasing it)

        r1 = r6                                 # r1 = cast(local)
        call bpf_cpumask_weight                 # r0 = CPUs set: 0
        r7 = 3                                  # err = 3 if not 0
        if w0 != 0 goto out

        r1 = 0                                  # r1 = cpu 0
        r2 = r6                                 # r2 = local
        call bpf_cpumask_set_cpu                # local = {0}
        r1 = r6
        call bpf_cpumask_weight                 # r0 = 1
        r7 = 4                                  # err = 4 if not 1
        if w0 != 1 goto out

        r1 = 1                                  # r1 = cpu 1
        r2 = r6                                 # r2 = local
        call bpf_cpumask_set_cpu                # local = {0, 1} (CPU 1 ignored on a 1-CPU machine)
        r1 = 1                                  # r1 = cpu 1
        r2 = r6                                 # r2 = cast(local)
        call bpf_cpumask_test_cpu               # r0 = CPU 1 set?
        w0 &= 1
        if w0 == 0 goto clear                   # no CPU 1: skip the weight-2 check
        r1 = r6
        call bpf_cpumask_weight                 # r0 = 2
        r7 = 5                                  # err = 5 if not 2
        if w0 != 2 goto out

clear:
        r1 = r6                                 # r1 = local
        call bpf_cpumask_clear                  # local = {}
        r1 = r6
        call bpf_cpumask_weight                 # r0 = 0
        r7 = 6                                  # err = 6 if not 0
        if w0 != 0 goto out
        r7 = 0                                  # pass
out:
        r1 = r6                                 # r1 = local
        call bpf_cpumask_release                # drop the only reference
        r0 = r7                                 # return err
        exit

err_2:
        r1 = r6                                 # create_cpumask() releases a non-empty mask
        call bpf_cpumask_release
        r0 = 2                                  # err = 2
        exit
err_1:
        r0 = 1                                  # err = 1
        exit
