# cpumask selftest test_first_firstzero_cpu (progs/cpumask_success.c), 6.3 and later: runs
# under linux-6.3 and linux-6.18.
# On an empty mask first must be ≥ nr_cpus and first_zero 0; after setting CPU 0, first must be
# 0 and first_zero 1. Return value = `err`: 0 = pass; 1, 2 = create_cpumask() failed;
# 3 = first(empty) < nr_cpus; 4 = first_zero(empty) != 0; 5 = first({0}) != 0;
# 6 = first_zero({0}) != 1; 99 = nr_cpus was not set.
# The selftest's global `int nr_cpus` (set by the test to the number of possible CPUs) is the
# one-element array `bss` here, addressed as libbpf addresses a global (BPF_PSEUDO_MAP_VALUE);
# give it with --maps nr_cpus-8.json (or the --cpus you run with). The selftest's bpf_printk
# on the err = 4 path is left out.

.section tp_btf/task_newtask
.license "GPL"
.map bss type=array key=4 value=4 max_entries=1

test_first_firstzero_cpu:
        ld_pseudo r1, 2, 0                      # r1 = &bss value (map 0, offset 0): &nr_cpus
        r8 = *(u32 *)(r1 + 0)                   # r8 = nr_cpus
        if r8 == 0 goto unset                   # not given: the checks below would be vacuous

        call bpf_cpumask_create                 # create_cpumask(): r0 = new mask or NULL
        if r0 == 0 goto err_1                   # err = 1
        r6 = r0                                 # r6 = cpumask (referenced)
        r1 = r6
        call bpf_cpumask_empty                  # r0 = true if the new mask is empty
        w0 &= 1                                 # bool: keep the defined bits
        r7 = 2                                  # err = 2 if not
        if w0 == 0 goto release_exit

        r1 = r6                                 # r1 = cast(cpumask), empty
        call bpf_cpumask_first                  # r0 = first set CPU, ≥ nr_cpu_ids when none
        r7 = 3                                  # err = 3 if it names a real CPU
        if w0 < w8 goto release_exit            # u32 compare, as the C does

        r1 = r6                                 # r1 = cast(cpumask), empty
        call bpf_cpumask_first_zero             # r0 = first clear CPU: 0
        r7 = 4                                  # err = 4 if not 0
        if w0 != 0 goto release_exit

        r1 = 0                                  # r1 = cpu 0
        r2 = r6                                 # r2 = cpumask
        call bpf_cpumask_set_cpu                # cpumask = {0}
        r1 = r6
        call bpf_cpumask_first                  # r0 = 0
        r7 = 5                                  # err = 5 if not
        if w0 != 0 goto release_exit
        r1 = r6
        call bpf_cpumask_first_zero             # r0 = 1
        r7 = 6                                  # err = 6 if not
        if w0 != 1 goto release_exit
        r7 = 0                                  # pass

release_exit:
        r1 = r6                                 # r1 = cpumask
        call bpf_cpumask_release                # drop the only reference
        r0 = r7                                 # return err
        exit
err_1:
        r0 = 1                                  # err = 1
        exit
unset:
        r0 = 99                                 # nr_cpus missing from bss
        exit
