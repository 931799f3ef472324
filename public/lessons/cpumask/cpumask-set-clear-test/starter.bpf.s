# Set, test, clear and test one CPU in a mask of your own, then ask whether the new task may
# run on that CPU. Results go into the map io (see store below):
#   io[0] = the CPU to try (the grader puts it there)
#   io[1] = bpf_cpumask_test_cpu(cpu, mask) after bpf_cpumask_set_cpu(cpu, mask)
#   io[2] = bpf_cpumask_test_cpu(cpu, mask) after bpf_cpumask_clear_cpu(cpu, mask)
#   io[3] = bpf_cpumask_test_cpu(cpu, task->cpus_ptr)
.section tp_btf/task_newtask
.license "GPL"
.map io type=array key=4 value=8 max_entries=4

set_clear_test:
        r6 = *(u64 *)(r1 + 0)                   # r6 = struct task_struct *task
        *(u32 *)(r10 - 4) = 0                   # key 0
        r1 = io ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem                # r0 = &io[0] or NULL
        if r0 == 0 goto out
        r8 = *(u64 *)(r0 + 0)                   # r8 = the CPU to try

        # Your code: create a mask (NULL → return -12), set/test/clear/test CPU r8 in it,
        # test CPU r8 in task->cpus_ptr, store each answer with `call store`, release the mask.
        r1 = 1
        r2 = 0
        call store                              # for example: io[1] = 0

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
