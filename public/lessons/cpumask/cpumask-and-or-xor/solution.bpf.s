# Operations between cpumasks, after the documentation's test_and_or_xor example.
#   io[0] = CPU a, io[1] = CPU b (the grader puts them there); mask1 = {a}, mask2 = {b}
#   io[2] = bpf_cpumask_and(dst1, mask1, mask2)   (true if dst1 is not empty)
#   io[3] = bpf_cpumask_empty(dst1)               after the and
#   io[4] = bpf_cpumask_test_cpu(a, dst1)          after dst1 = mask1 | mask2
#   io[5] = bpf_cpumask_test_cpu(b, dst1)
#   io[6] = bpf_cpumask_equal(dst1, dst2)          after dst2 = mask1 ^ mask2
# Registers: r6 = mask1, r7 = mask2, r8 = dst1, r9 = dst2; a at r10 - 24, b at r10 - 32.
# Solution: dst1 and dst2 are created (and NULL-checked) like mask1 and mask2.
.section tp_btf/task_newtask
.license "GPL"
.map io type=array key=4 value=8 max_entries=7

test_and_or_xor:
        r6 = *(u64 *)(r1 + 0)                   # r6 = struct task_struct *task
        *(u32 *)(r10 - 4) = 0                   # key 0
        r1 = io ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem                # r0 = &io[0] or NULL
        if r0 == 0 goto out
        r1 = *(u64 *)(r0 + 0)                   # r1 = io[0]
        *(u64 *)(r10 - 24) = r1                 # a
        *(u32 *)(r10 - 4) = 1                   # key 1
        r1 = io ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem                # r0 = &io[1] or NULL
        if r0 == 0 goto out
        r1 = *(u64 *)(r0 + 0)                   # r1 = io[1]
        *(u64 *)(r10 - 32) = r1                 # b

        call bpf_cpumask_create                 # r0 = mask1 or NULL
        if r0 == 0 goto enomem
        r6 = r0                                 # r6 = mask1
        call bpf_cpumask_create                 # r0 = mask2 or NULL
        if r0 == 0 goto enomem_1                # release mask1
        r7 = r0                                 # r7 = mask2
        call bpf_cpumask_create                 # r0 = dst1 or NULL
        if r0 == 0 goto enomem_2                # release mask1 and mask2
        r8 = r0                                 # r8 = dst1
        call bpf_cpumask_create                 # r0 = dst2 or NULL
        if r0 == 0 goto enomem_3                # release mask1, mask2 and dst1
        r9 = r0                                 # r9 = dst2

        r1 = *(u64 *)(r10 - 24)                 # a
        r2 = r6
        call bpf_cpumask_set_cpu                # mask1 = {a}
        r1 = *(u64 *)(r10 - 32)                 # b
        r2 = r7
        call bpf_cpumask_set_cpu                # mask2 = {b}

        r1 = r8                                 # dst1
        r2 = r6                                 # src1 = mask1
        r3 = r7                                 # src2 = mask2
        call bpf_cpumask_and                    # dst1 = mask1 & mask2
        r2 = r0
        r1 = 2
        call store                              # io[2] = r0
        r1 = r8
        call bpf_cpumask_empty
        r2 = r0
        r1 = 3
        call store                              # io[3] = r0

        r1 = r8                                 # dst1
        r2 = r6
        r3 = r7
        call bpf_cpumask_or                     # dst1 = mask1 | mask2
        r1 = *(u64 *)(r10 - 24)                 # a
        r2 = r8
        call bpf_cpumask_test_cpu
        r2 = r0
        r1 = 4
        call store                              # io[4] = r0
        r1 = *(u64 *)(r10 - 32)                 # b
        r2 = r8
        call bpf_cpumask_test_cpu
        r2 = r0
        r1 = 5
        call store                              # io[5] = r0

        r1 = r9                                 # dst2
        r2 = r6
        r3 = r7
        call bpf_cpumask_xor                    # dst2 = mask1 ^ mask2
        r1 = r8
        r2 = r9
        call bpf_cpumask_equal                  # dst1 == dst2 ?
        r2 = r0
        r1 = 6
        call store                              # io[6] = r0

        r1 = r6
        call bpf_cpumask_release                # mask1
        r1 = r7
        call bpf_cpumask_release                # mask2
        r1 = r8
        call bpf_cpumask_release                # dst1
        r1 = r9
        call bpf_cpumask_release                # dst2
        r0 = 0
        exit

enomem_3:
        r1 = r8
        call bpf_cpumask_release                # dst1
enomem_2:
        r1 = r7
        call bpf_cpumask_release                # mask2
enomem_1:
        r1 = r6
        call bpf_cpumask_release                # mask1
enomem:
        r0 = -12                                # -ENOMEM
        exit


out:
        r0 = -2                                 # io[] missing: -ENOENT
        exit

# store(r1 = key, r2 = value): io[key] = value. A BPF-to-BPF call: r6-r9 survive it.
store:
        *(u32 *)(r10 - 4) = r1
        *(u64 *)(r10 - 16) = r2
        r1 = io ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem
        if r0 == 0 goto store_out
        r1 = *(u64 *)(r10 - 16)
        *(u64 *)(r0 + 0) = r1
store_out:
        r0 = 0
        exit
