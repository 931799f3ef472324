# Solution. Results go into the map io:
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

        call bpf_cpumask_create                 # r0 = a new empty mask or NULL
        if r0 == 0 goto enomem
        r7 = r0                                 # r7 = mask (callee-saved: survives the calls)

        r1 = r8                                 # r1 = cpu
        r2 = r7                                 # r2 = mask (struct bpf_cpumask *)
        call bpf_cpumask_set_cpu                # set the CPU (ignored if cpu >= nr_cpu_ids)
        r1 = r8
        r2 = r7                                 # a bpf_cpumask is also a struct cpumask
        call bpf_cpumask_test_cpu               # r0 = 1 if set
        r2 = r0
        r1 = 1
        call store                              # io[1] = it

        r1 = r8
        r2 = r7
        call bpf_cpumask_clear_cpu              # clear it again
        r1 = r8
        r2 = r7
        call bpf_cpumask_test_cpu               # r0 = 0 now
        r2 = r0
        r1 = 2
        call store                              # io[2] = it

        r1 = r8
        r2 = r7                                 # asks our own mask again, not the task's
        call bpf_cpumask_test_cpu               # r0 = 1 if the task may run on the CPU
        r2 = r0
        r1 = 3
        call store                              # io[3] = it

        r1 = r7
        call bpf_cpumask_release                # drop our reference
        r0 = 0
        exit

enomem:
        r0 = -12
        exit

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
