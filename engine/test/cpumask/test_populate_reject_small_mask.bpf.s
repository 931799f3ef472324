# cpumask selftest test_populate_reject_small_mask (progs/cpumask_success.c), today's kernels
# only (bpf_cpumask_populate arrived in ~6.15): runs under linux-6.18.
# Populating from a 1-byte source must fail with -EACCES: the source has to cover the whole
# bitmap, nr_cpu_ids bits rounded up to 8-byte words. Return value = `err`: 0 = pass; 1, 2 =
# create_cpumask() failed; 2 also when populate did not return -EACCES (as in the selftest).

.section tp_btf/task_newtask
.license "GPL"

test_populate_reject_small_mask:
        call bpf_cpumask_create                 # create_cpumask(): r0 = local or NULL
        if r0 == 0 goto err_1                   # err = 1
        r6 = r0                                 # r6 = local (referenced)
        r1 = r6
        call bpf_cpumask_empty                  # r0 = local empty?
        w0 &= 1                                 # bool: keep the defined bits
        r7 = 2                                  # err = 2 if not
        if w0 == 0 goto out

        *(u8 *)(r10 - 1) = 0                    # u8 toofewbits (the C leaves it unwritten)
        r1 = r6                                 # r1 = (struct cpumask *)local
        r2 = r10
        r2 += -1                                # r2 = &toofewbits
        r3 = 1                                  # r3 = sizeof(toofewbits)
        call bpf_cpumask_populate               # r0 = -EACCES: 1 byte is too few
        r7 = 2                                  # err = 2 unless it was -EACCES
        if r0 != -13 goto out
        r7 = 0                                  # pass
out:
        r1 = r6                                 # r1 = local
        call bpf_cpumask_release                # drop the only reference
        r0 = r7                                 # return err
        exit
err_1:
        r0 = 1                                  # err = 1
        exit
