# Operations between cpumasks — Documentation/bpf/cpumasks.rst, §3.1.2 "Operations between
# cpumasks": test_and_or_xor. Runs under both profiles (linux-6.3 and linux-6.18).
#
# mask1 = {0} and mask2 = {1}; dst1 = mask1 AND mask2 must be empty (and bpf_cpumask_and says
# so by returning false); dst1 = mask1 OR mask2 must hold CPUs 0 and 1; dst2 = mask1 XOR mask2
# must equal dst1. The documentation elides creating dst1 and dst2 ("...Safely create the other
# two masks..."): here all four are created with a NULL check each, and every path releases
# exactly the masks it created.
#
# Returns 0 on success; each "should never happen" has its own code: 1 = and() returned true,
# 2 = dst1 not empty after and(), 3 = CPU 0 missing after or(), 4 = CPU 1 missing after or(),
# 5 = xor() differs from or(); -ENOMEM (-12) if an allocation failed. Nothing is printed.
# (Needs 2 CPUs or more: with --cpus 1, CPU 1 does not exist and code 4 is returned.)
#
# Registers: r6 = mask1, r7 = mask2, r8 = dst1, r9 = dst2 (callee-saved, so they survive the
# calls); the return code waits at r10 - 8 while the masks are released.

.section tp_btf/task_newtask
.license "GPL"

test_and_or_xor:
        call bpf_cpumask_create                 # r0 = mask1 or NULL
        if r0 == 0 goto enomem                  # nothing to release yet
        r6 = r0                                 # r6 = mask1
        call bpf_cpumask_create                 # r0 = mask2 or NULL
        if r0 == 0 goto enomem_1                # release mask1
        r7 = r0                                 # r7 = mask2
        call bpf_cpumask_create                 # r0 = dst1 or NULL
        if r0 == 0 goto enomem_2                # release mask1, mask2
        r8 = r0                                 # r8 = dst1
        call bpf_cpumask_create                 # r0 = dst2 or NULL
        if r0 == 0 goto enomem_3                # release mask1, mask2, dst1
        r9 = r0                                 # r9 = dst2

        r1 = 0                                  # r1 = cpu 0
        r2 = r6                                 # r2 = mask1
        call bpf_cpumask_set_cpu                # mask1 = {0}
        r1 = 1                                  # r1 = cpu 1
        r2 = r7                                 # r2 = mask2
        call bpf_cpumask_set_cpu                # mask2 = {1}

        r1 = r8                                 # r1 = dst1
        r2 = r6                                 # r2 = src1 = mask1
        r3 = r7                                 # r3 = src2 = mask2
        call bpf_cpumask_and                    # dst1 = {0} & {1}; r0 = true if dst1 is not empty
        w0 &= 1                                 # a bool kfunc defines only the low bits: mask as clang does
        r1 = 1                                  # code 1
        if w0 != 0 goto release_exit            # should never happen: the intersection is empty
        r1 = r8                                 # r1 = dst1
        call bpf_cpumask_empty                  # r0 = true if dst1 is empty
        w0 &= 1                                 # keep the defined bits
        r1 = 2                                  # code 2
        if w0 == 0 goto release_exit            # should never happen

        r1 = r8                                 # r1 = dst1
        r2 = r6                                 # r2 = mask1
        r3 = r7                                 # r3 = mask2
        call bpf_cpumask_or                     # dst1 = {0} | {1} = {0, 1}
        r1 = 0                                  # r1 = cpu 0
        r2 = r8                                 # r2 = dst1
        call bpf_cpumask_test_cpu               # r0 = true if CPU 0 is in dst1
        w0 &= 1                                 # keep the defined bits
        r1 = 3                                  # code 3
        if w0 == 0 goto release_exit            # should never happen
        r1 = 1                                  # r1 = cpu 1
        r2 = r8                                 # r2 = dst1
        call bpf_cpumask_test_cpu               # r0 = true if CPU 1 is in dst1
        w0 &= 1                                 # keep the defined bits
        r1 = 4                                  # code 4
        if w0 == 0 goto release_exit            # should never happen

        r1 = r9                                 # r1 = dst2
        r2 = r6                                 # r2 = mask1
        r3 = r7                                 # r3 = mask2
        call bpf_cpumask_xor                    # dst2 = {0} ^ {1} = {0, 1}
        r1 = r8                                 # r1 = dst1
        r2 = r9                                 # r2 = dst2
        call bpf_cpumask_equal                  # r0 = true if dst1 == dst2
        w0 &= 1                                 # keep the defined bits
        r1 = 5                                  # code 5
        if w0 == 0 goto release_exit            # should never happen
        r1 = 0                                  # every check passed: code 0

release_exit:
        *(u64 *)(r10 - 8) = r1                  # keep the code on the stack across the calls
        r1 = r6                                 # r1 = mask1
        call bpf_cpumask_release
        r1 = r7                                 # r1 = mask2
        call bpf_cpumask_release
        r1 = r8                                 # r1 = dst1
        call bpf_cpumask_release
        r1 = r9                                 # r1 = dst2
        call bpf_cpumask_release
        r0 = *(u64 *)(r10 - 8)                  # r0 = the code
        exit

enomem_3:
        r1 = r8                                 # r1 = dst1
        call bpf_cpumask_release
enomem_2:
        r1 = r7                                 # r1 = mask2
        call bpf_cpumask_release
enomem_1:
        r1 = r6                                 # r1 = mask1
        call bpf_cpumask_release
enomem:
        r0 = -12                                # -ENOMEM
        exit
