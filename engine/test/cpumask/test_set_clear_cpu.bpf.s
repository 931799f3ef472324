# cpumask selftest test_set_clear_cpu (progs/cpumask_success.c), 6.3 and later: runs under
# linux-6.3 and linux-6.18.
# Sets CPU 0 and tests it, clears it and tests again. Return value = the selftest's `err`:
# 0 = pass; 1, 2 = create_cpumask() failed (NULL, not empty); 3 = CPU 0 not set after
# set_cpu; 4 = CPU 0 still set after clear_cpu. No pid filter (is_test_task) here.

.section tp_btf/task_newtask
.license "GPL"

test_set_clear_cpu:
        call bpf_cpumask_create                 # create_cpumask(): r0 = new mask or NULL
        if r0 == 0 goto err_1                   # err = 1
        r6 = r0                                 # r6 = cpumask (referenced)
        r1 = r6
        call bpf_cpumask_empty                  # r0 = true if the new mask is empty
        w0 &= 1                                 # bool: keep the defined bits
        r7 = 2                                  # r7 = err if the check fails
        if w0 == 0 goto release_exit            # err = 2

        r1 = 0                                  # r1 = cpu 0
        r2 = r6                                 # r2 = cpumask
        call bpf_cpumask_set_cpu                # set CPU 0
        r1 = 0                                  # r1 = cpu 0
        r2 = r6                                 # r2 = cast(cpumask)
        call bpf_cpumask_test_cpu               # r0 = CPU 0 set?
        w0 &= 1
        r7 = 3                                  # err = 3 if not
        if w0 == 0 goto release_exit

        r1 = 0                                  # r1 = cpu 0
        r2 = r6                                 # r2 = cpumask
        call bpf_cpumask_clear_cpu              # clear CPU 0
        r1 = 0                                  # r1 = cpu 0
        r2 = r6                                 # r2 = cast(cpumask)
        call bpf_cpumask_test_cpu               # r0 = CPU 0 set?
        w0 &= 1
        r7 = 4                                  # err = 4 if it is
        if w0 != 0 goto release_exit
        r7 = 0                                  # pass

release_exit:
        r1 = r6                                 # r1 = cpumask
        call bpf_cpumask_release                # drop the only reference
        r0 = r7                                 # return err
        exit
err_1:
        r0 = 1                                  # err = 1
        exit
