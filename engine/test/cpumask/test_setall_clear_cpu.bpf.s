# cpumask selftest test_setall_clear_cpu (progs/cpumask_success.c), 6.3 and later: runs under
# linux-6.3 and linux-6.18.
# setall must make the mask full, clear must make it empty. Return value = `err`: 0 = pass;
# 1, 2 = create_cpumask() failed; 3 = not full after setall; 4 = not empty after clear.

.section tp_btf/task_newtask
.license "GPL"

test_setall_clear_cpu:
        call bpf_cpumask_create                 # create_cpumask(): r0 = new mask or NULL
        if r0 == 0 goto err_1                   # err = 1
        r6 = r0                                 # r6 = cpumask (referenced)
        r1 = r6
        call bpf_cpumask_empty                  # r0 = true if the new mask is empty
        w0 &= 1                                 # bool: keep the defined bits
        r7 = 2                                  # err = 2 if not
        if w0 == 0 goto release_exit

        r1 = r6                                 # r1 = cpumask
        call bpf_cpumask_setall                 # set every CPU below nr_cpu_ids
        r1 = r6                                 # r1 = cast(cpumask)
        call bpf_cpumask_full                   # r0 = every CPU set?
        w0 &= 1
        r7 = 3                                  # err = 3 if not
        if w0 == 0 goto release_exit

        r1 = r6                                 # r1 = cpumask
        call bpf_cpumask_clear                  # clear every CPU
        r1 = r6                                 # r1 = cast(cpumask)
        call bpf_cpumask_empty                  # r0 = no CPU set?
        w0 &= 1
        r7 = 4                                  # err = 4 if not
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
