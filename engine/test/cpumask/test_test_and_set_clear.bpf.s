# cpumask selftest test_test_and_set_clear (progs/cpumask_success.c), 6.3 and later: runs
# under linux-6.3 and linux-6.18.
# test_and_set(0) on an empty mask returns false; again, true; test_and_clear(0) then returns
# true. Return value = `err`: 0 = pass; 1, 2 = create_cpumask() failed; 3, 4, 5 = the three
# answers above were wrong, in that order.

.section tp_btf/task_newtask
.license "GPL"

test_test_and_set_clear:
        call bpf_cpumask_create                 # create_cpumask(): r0 = new mask or NULL
        if r0 == 0 goto err_1                   # err = 1
        r6 = r0                                 # r6 = cpumask (referenced)
        r1 = r6
        call bpf_cpumask_empty                  # r0 = true if the new mask is empty
        w0 &= 1                                 # bool: keep the defined bits
        r7 = 2                                  # err = 2 if not
        if w0 == 0 goto release_exit

        r1 = 0                                  # r1 = cpu 0
        r2 = r6                                 # r2 = cpumask
        call bpf_cpumask_test_and_set_cpu       # r0 = was CPU 0 set? (it is now)
        w0 &= 1
        r7 = 3                                  # err = 3: it was not set before
        if w0 != 0 goto release_exit

        r1 = 0                                  # r1 = cpu 0
        r2 = r6                                 # r2 = cpumask
        call bpf_cpumask_test_and_set_cpu       # r0 = was CPU 0 set? (yes, by the call above)
        w0 &= 1
        r7 = 4                                  # err = 4 if it reads as clear
        if w0 == 0 goto release_exit

        r1 = 0                                  # r1 = cpu 0
        r2 = r6                                 # r2 = cpumask
        call bpf_cpumask_test_and_clear_cpu     # r0 = was CPU 0 set? (yes; it is clear now)
        w0 &= 1
        r7 = 5                                  # err = 5 if it reads as clear
        if w0 == 0 goto release_exit
        r7 = 0                                  # pass

release_exit:
        r1 = r6                                 # r1 = cpumask
        call bpf_cpumask_release                # drop the only reference
        r0 = r7                                 # return err
        exit
err_1:
        r0 = 1                                  # err = 1
        exit
