# cpumask selftest test_populate (progs/cpumask_success.c), today's kernels only: runs under
# linux-6.18.
# Fills the source with 0xaa bytes (the odd bits), populates a new mask from all of it, and
# checks CPU by CPU below nr_cpus that exactly the odd CPUs are set. Return value = `err`:
# 0 = pass; 1 = create failed; 2 = populate failed; 3 = nr_cpus out of range; 4 = a CPU has
# the wrong bit; 99 = nr_cpus was not set.
# The selftest's globals become one-element arrays read through BPF_PSEUDO_MAP_VALUE:
# `int nr_cpus` is `bss` (give it with --maps nr_cpus-8.json), and `u64 bits[65]` is `bits`
# (CPUMASK_TEST_MASKLEN = sizeof(cpumask_t) = 512 bytes for the simulated NR_CPUS of 4096).
# Registers: r6 = mask, r7 = err, r8 = i, r9 = nr_cpus.

.section tp_btf/task_newtask
.license "GPL"
.map bss type=array key=4 value=4 max_entries=1
.map bits type=array key=4 value=520 max_entries=1

test_populate:
        ld_pseudo r1, 2, 0                      # r1 = &nr_cpus (map 0, offset 0)
        r9 = *(u32 *)(r1 + 0)                   # r9 = nr_cpus
        if r9 == 0 goto unset                   # not given: the loop below would check nothing

        ld_pseudo r1, 2, 1                      # r1 = &bits (map 1, offset 0)
        r2 = 0xaaaaaaaaaaaaaaaa ll              # r2 = 8 bytes of 0xaa
        r3 = 64                                 # r3 = words left: CPUMASK_TEST_MASKLEN / 8
memset:
        *(u64 *)(r1 + 0) = r2                   # __builtin_memset(bits, 0xaa, 512), a word a time
        r1 += 8
        r3 += -1
        if r3 != 0 goto memset

        call bpf_cpumask_create                 # r0 = mask or NULL
        if r0 == 0 goto err_1                   # err = 1
        r6 = r0                                 # r6 = mask (referenced)
        r1 = r6                                 # r1 = (struct cpumask *)mask
        ld_pseudo r2, 2, 1                      # r2 = bits
        r3 = 512                                # r3 = CPUMASK_TEST_MASKLEN: the whole array
        call bpf_cpumask_populate               # r0 = 0; copies nr_cpu_ids bits
        r7 = 2                                  # err = 2 if it failed
        if r0 != 0 goto out

        r7 = 3                                  # err = 3 if nr_cpus < 0 or > 512 * 8
        if w9 s< 0 goto out
        if w9 > 4096 goto out

        r8 = 0                                  # i = 0
loop:
        r1 = r8                                 # r1 = cpu i
        r2 = r6                                 # r2 = (const struct cpumask *)mask
        call bpf_cpumask_test_cpu               # r0 = bit i
        w0 &= 1                                 # bool: keep the defined bits
        r1 = r8
        r1 &= 1                                 # r1 = (i % 2 != 0): odd CPUs must be set
        r7 = 4                                  # err = 4 if bit != odd
        if r0 != r1 goto out
        r8 += 1                                 # next CPU
        if r8 < r9 goto loop                    # bpf_for(i, 0, nr_cpus)
        r7 = 0                                  # pass
out:
        r1 = r6                                 # r1 = mask
        call bpf_cpumask_release                # drop the only reference
        r0 = r7                                 # return err
        exit
err_1:
        r0 = 1                                  # err = 1
        exit
unset:
        r0 = 99                                 # nr_cpus missing from bss
        exit
