# cpumask selftest test_copy_any_anyand (progs/cpumask_success.c) as Linux 6.3 has it:
# bpf_cpumask_any / bpf_cpumask_any_and (in 6.3 the lowest CPU). Runs under linux-6.3 (6.5
# renamed them *_distribute: see test_copy_any_anyand.bpf.s).
# mask1 = {0}, mask2 = {1}, dst1 = their OR. any(mask1) must be 0; any(empty dst2) ≥ nr_cpus;
# after copy(dst2, dst1) the two are equal and any(dst2) ≤ 1; any_and(mask1, mask2) ≥ nr_cpus.
# Return value = `err`: 0 = pass; 1-5 = creating the four masks failed (as in
# test_and_or_xor); 6-10 = the five checks above, in order; 99 = nr_cpus was not set.
# `int nr_cpus` (set by the selftest to the number of possible CPUs) is the one-element array
# `bss` here, read through BPF_PSEUDO_MAP_VALUE as libbpf reads a global; give it with
# --maps nr_cpus-8.json. Needs 2 CPUs or more.
# Registers: r6 = mask1, r7 = mask2, r8 = dst1, r9 = dst2; err at r10 - 8, nr_cpus at r10 - 16.

.section tp_btf/task_newtask
.license "GPL"
.map bss type=array key=4 value=4 max_entries=1

test_copy_any_anyand:
        ld_pseudo r1, 2, 0                      # r1 = &bss value (map 0, offset 0): &nr_cpus
        r1 = *(u32 *)(r1 + 0)                   # r1 = nr_cpus
        *(u64 *)(r10 - 16) = r1                 # kept at r10 - 16 (r6-r9 hold the masks)
        *(u64 *)(r10 - 8) = 99                  # err = 99 if nr_cpus is missing
        if r1 == 0 goto out                     # nothing created yet
        *(u64 *)(r10 - 8) = 0                   # err = 0 (the selftest's global, on our stack)
        # create_cpumask_set(&mask1, &mask2, &dst1, &dst2), written out:
        r1 = r10
        r1 += -8                                # r1 = &err
        call create_cpumask                     # r0 = mask1, or NULL with err = 1 or 2
        if r0 == 0 goto out                     # nothing to release
        r6 = r0                                 # r6 = mask1
        r1 = r10
        r1 += -8                                # r1 = &err
        call create_cpumask                     # r0 = mask2 or NULL
        if r0 == 0 goto fail_2                  # err = 3
        r7 = r0                                 # r7 = mask2
        r1 = r10
        r1 += -8                                # r1 = &err
        call create_cpumask                     # r0 = dst1 or NULL
        if r0 == 0 goto fail_3                  # err = 4
        r8 = r0                                 # r8 = dst1
        r1 = r10
        r1 += -8                                # r1 = &err
        call create_cpumask                     # r0 = dst2 or NULL
        if r0 == 0 goto fail_4                  # err = 5
        r9 = r0                                 # r9 = dst2

        r1 = 0                                  # r1 = cpu 0
        r2 = r6                                 # r2 = mask1
        call bpf_cpumask_set_cpu                # mask1 = {0}
        r1 = 1                                  # r1 = cpu 1
        r2 = r7                                 # r2 = mask2
        call bpf_cpumask_set_cpu                # mask2 = {1}
        r1 = r8                                 # r1 = dst1
        r2 = r6                                 # r2 = cast(mask1)
        r3 = r7                                 # r3 = cast(mask2)
        call bpf_cpumask_or                     # dst1 = {0, 1}

        r1 = r6                                 # r1 = cast(mask1)
        call bpf_cpumask_any                    # r0 = a CPU of {0}: 0
        r1 = 6                                  # err = 6 if not 0
        if w0 != 0 goto release_exit

        r1 = r9                                 # r1 = cast(dst2), still empty
        call bpf_cpumask_any                    # r0 = ≥ nr_cpu_ids: no CPU
        r2 = *(u64 *)(r10 - 16)                 # r2 = nr_cpus
        r1 = 7                                  # err = 7 if it names a real CPU
        if w0 < w2 goto release_exit            # u32 compare, as the C does

        r1 = r9                                 # r1 = dst2
        r2 = r8                                 # r2 = cast(dst1)
        call bpf_cpumask_copy                   # dst2 = {0, 1}
        r1 = r8                                 # r1 = cast(dst1)
        r2 = r9                                 # r2 = cast(dst2)
        call bpf_cpumask_equal                  # r0 = dst1 == dst2?
        w0 &= 1                                 # bool: keep the defined bits
        r1 = 8                                  # err = 8 if not
        if w0 == 0 goto release_exit

        r1 = r9                                 # r1 = cast(dst2)
        call bpf_cpumask_any                    # r0 = 0 or 1
        r1 = 9                                  # err = 9 if above 1
        if w0 > 1 goto release_exit

        r1 = r6                                 # r1 = cast(mask1)
        r2 = r7                                 # r2 = cast(mask2)
        call bpf_cpumask_any_and                # r0 = a CPU in {0} and {1}: none
        r2 = *(u64 *)(r10 - 16)                 # r2 = nr_cpus
        r1 = 10                                 # err = 10 if it names a real CPU
        if w0 < w2 goto release_exit
        r1 = 0                                  # pass

release_exit:
        *(u64 *)(r10 - 8) = r1                  # err = the code in r1 (0 on success)
        r1 = r6                                 # release mask1, mask2, dst1, dst2
        call bpf_cpumask_release
        r1 = r7
        call bpf_cpumask_release
        r1 = r8
        call bpf_cpumask_release
        r1 = r9
        call bpf_cpumask_release
out:
        r0 = *(u64 *)(r10 - 8)                  # return err
        exit

fail_4:
        *(u64 *)(r10 - 8) = 5                   # err = 5: dst2 could not be created
        r1 = r8                                 # release dst1, then the others below
        call bpf_cpumask_release
        goto release_2
fail_3:
        *(u64 *)(r10 - 8) = 4                   # err = 4: dst1 could not be created
release_2:
        r1 = r7                                 # release mask2
        call bpf_cpumask_release
        goto release_1
fail_2:
        *(u64 *)(r10 - 8) = 3                   # err = 3: mask2 could not be created
release_1:
        r1 = r6                                 # release mask1
        call bpf_cpumask_release
        goto out

# create_cpumask(r1 = &err): r0 = a new empty bpf_cpumask (the caller gets the reference), or
# NULL with *err = 1 (allocation failed) or 2 (not empty; released).
create_cpumask:
        r6 = r1                                 # r6 = &err (this frame's r6; the caller's is kept)
        call bpf_cpumask_create                 # r0 = new mask or NULL
        if r0 == 0 goto create_null
        r7 = r0                                 # r7 = the mask
        r1 = r7
        call bpf_cpumask_empty                  # r0 = true if empty
        w0 &= 1                                 # bool: keep the defined bits
        if w0 == 0 goto create_not_empty
        r0 = r7                                 # return the mask
        exit
create_not_empty:
        r1 = r7
        call bpf_cpumask_release                # give it back
        *(u64 *)(r6 + 0) = 2                    # err = 2
        r0 = 0                                  # NULL
        exit
create_null:
        *(u64 *)(r6 + 0) = 1                    # err = 1
        r0 = 0                                  # NULL
        exit
