# Copy the new task's affinity (task->cpus_ptr) into a mask of your own, then query the copy.
#   io[0] = bpf_cpumask_first(copy)         io[1] = bpf_cpumask_first_zero(copy)
#   io[2] = bpf_cpumask_equal(copy, task->cpus_ptr)
#   io[3] = bpf_cpumask_full(copy)
#   io[4] = bpf_cpumask_test_cpu(bpf_cpumask_any_distribute(copy), task->cpus_ptr)
.section tp_btf/task_newtask
.license "GPL"
.map io type=array key=4 value=8 max_entries=5

copy_and_query:
        r6 = *(u64 *)(r1 + 0)                   # r6 = struct task_struct *task

        # Your code: create a mask (NULL → return -12), copy task->cpus_ptr into it, store
        # the five answers with `call store`, release the mask.
        r1 = 0
        r2 = 0
        call store                              # for example: io[0] = 0

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
