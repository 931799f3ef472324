# Claim CPUs with bpf_cpumask_test_and_set_cpu and give them back with
# bpf_cpumask_test_and_clear_cpu. Both change the bit and return what it was BEFORE.
#   io[0] = CPU a, io[1] = CPU b (the grader puts them there)
#   io[2] = test_and_set(a)    io[3] = test_and_set(b)
#   io[4] = test_and_clear(a)  io[5] = test_and_clear(b)
# all on one new mask, in that order.
.section tp_btf/task_newtask
.license "GPL"
.map io type=array key=4 value=8 max_entries=6

claim:
        r6 = *(u64 *)(r1 + 0)                   # r6 = struct task_struct *task
        *(u32 *)(r10 - 4) = 0                   # key 0
        r1 = io ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem                # r0 = &io[0] or NULL
        if r0 == 0 goto out
        r8 = *(u64 *)(r0 + 0)                   # r8 = io[0]
        *(u32 *)(r10 - 4) = 1                   # key 1
        r1 = io ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem                # r0 = &io[1] or NULL
        if r0 == 0 goto out
        r9 = *(u64 *)(r0 + 0)                   # r9 = io[1]

        # Your code: create a mask (NULL → return -12), make the four calls in order,
        # store each answer with `call store`, release the mask.
        r1 = 2
        r2 = 0
        call store                              # for example: io[2] = 0

out:
        r0 = 0
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
