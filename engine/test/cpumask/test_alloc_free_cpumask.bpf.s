# cpumask selftest test_alloc_free_cpumask (tools/testing/selftests/bpf/progs/cpumask_success.c),
# 6.3 and later: runs under linux-6.3 and linux-6.18.
# Allocates a cpumask and releases it. The selftest's global `err` is the return value here:
# 0 = pass, 1 = bpf_cpumask_create returned NULL, 2 = the new mask was not empty.
# The is_test_task() pid filter is left out: the simulated kernel runs the program once.

.section tp_btf/task_newtask
.license "GPL"

test_alloc_free_cpumask:
        call bpf_cpumask_create                 # create_cpumask(): r0 = new mask or NULL
        if r0 == 0 goto err_1                   # err = 1: allocation failed
        r6 = r0                                 # r6 = cpumask (referenced)
        r1 = r6                                 # r1 = cpumask
        call bpf_cpumask_empty                  # r0 = true if no CPU is set
        w0 &= 1                                 # bool: only the low bits are defined
        if w0 == 0 goto err_2                   # err = 2: a new mask must be empty
        r1 = r6                                 # r1 = cpumask
        call bpf_cpumask_release                # the last reference: the mask is freed
        r0 = 0                                  # pass
        exit

err_2:
        r1 = r6                                 # r1 = cpumask
        call bpf_cpumask_release                # release before reporting
        r0 = 2                                  # err = 2
        exit
err_1:
        r0 = 1                                  # err = 1
        exit
