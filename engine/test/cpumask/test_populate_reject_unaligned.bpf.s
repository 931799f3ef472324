# cpumask selftest test_populate_reject_unaligned (progs/cpumask_success.c), today's kernels
# only: runs under linux-6.18.
# On an architecture without efficient unaligned access, populating from a source that is one
# byte off a long boundary must fail with -EINVAL. The selftest reads the kconfig
# CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS and skips itself where it is set — as on x86-64, which
# the simulated kernel is. This translation keeps the kconfig as a constant (1, as on x86-64)
# and, where the selftest would just return, checks the other side of the same rule: with
# efficient unaligned access the misaligned populate succeeds. Return value = `err`: 0 = pass;
# 1 = create failed; 2 = populate did not return 0 (x86-64) / -EINVAL (strict alignment).
# The selftest's global `u64 bits[CPUMASK_TEST_MASKLEN / 8 + 1]` is the one-element array
# `bits` (520 bytes: sizeof(cpumask_t) = 512 for the simulated NR_CPUS of 4096, plus a word).

.section tp_btf/task_newtask
.license "GPL"
.map bits type=array key=4 value=520 max_entries=1

test_populate_reject_unaligned:
        r8 = 1                                  # r8 = CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS (x86-64: y)
        call bpf_cpumask_create                 # r0 = mask or NULL
        if r0 == 0 goto err_1                   # err = 1
        r6 = r0                                 # r6 = mask (referenced)

        ld_pseudo r2, 2, 0                      # r2 = &bits (map 0, offset 0)
        r2 += 1                                 # r2 = src = &((char *)bits)[1]: misaligned
        r1 = r6                                 # r1 = (struct cpumask *)mask
        r3 = 512                                # r3 = CPUMASK_TEST_MASKLEN
        call bpf_cpumask_populate               # r0 = 0 (x86-64) or -EINVAL (strict alignment)
        r7 = 2                                  # err = 2 if it is not the expected one
        if r8 == 0 goto strict
        if r0 != 0 goto out                     # efficient unaligned access: must succeed
        r7 = 0                                  # pass
        goto out
strict:
        if r0 != -22 goto out                   # strict alignment: must be -EINVAL
        r7 = 0                                  # pass
out:
        r1 = r6                                 # r1 = mask
        call bpf_cpumask_release                # drop the only reference
        r0 = r7                                 # return err
        exit
err_1:
        r0 = 1                                  # err = 1
        exit
