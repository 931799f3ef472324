# Solution: bpf_cpumask_copy(dst = our mask, src = task->cpus_ptr), then the queries.
.section tp_btf/task_newtask
.license "GPL"
.map io type=array key=4 value=8 max_entries=5

copy_and_query:
        r6 = *(u64 *)(r1 + 0)                   # r6 = struct task_struct *task

        call bpf_cpumask_create                 # r0 = a new empty mask or NULL
        if r0 == 0 goto enomem
        r7 = r0                                 # r7 = copy
        r1 = r7                                 # dst: our struct bpf_cpumask (mutable)
        r2 = *(u64 *)(r6 + task_struct.cpus_ptr)  # src: task->cpus_ptr (read-only struct cpumask)
        call bpf_cpumask_copy                   # copy = the task's CPUs
        r1 = r7
        call bpf_cpumask_first                # r0 = the lowest CPU in the copy
        r2 = r0
        r1 = 0
        call store                              # io[0] = it
        r1 = r7
        call bpf_cpumask_first_zero           # r0 = the lowest CPU NOT in it (nr_cpu_ids if none)
        r2 = r0
        r1 = 1
        call store                              # io[1] = it
        r1 = r7
        r2 = *(u64 *)(r6 + task_struct.cpus_ptr)
        call bpf_cpumask_equal
        r2 = r0
        r1 = 2
        call store                              # io[2] = it
        r1 = r7
        call bpf_cpumask_full
        r2 = r0
        r1 = 3
        call store                              # io[3] = it
        r1 = r7
        call bpf_cpumask_any_distribute       # r0 = a random CPU of the copy
        r1 = r0
        r2 = *(u64 *)(r6 + task_struct.cpus_ptr)
        call bpf_cpumask_test_cpu               # is it one of the task's?
        r2 = r0
        r1 = 4
        call store                              # io[4] = it

        r1 = r7
        call bpf_cpumask_release
        r0 = 0
        exit

enomem:
        r0 = -12
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
