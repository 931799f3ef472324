.section tp_btf/task_newtask
.license "GPL"
# struct cpumask_map_value { struct bpf_cpumask __kptr *cpumask; }: one kptr at offset 0.
.map cpumask_map type=array key=4 value=8 max_entries=65536 kptr=0:bpf_cpumask

record_task_cpumask:
        r6 = *(u64 *)(r1 + 0)                   # r6 = struct task_struct *task
        call bpf_cpumask_create                 # r0 = a new empty mask or NULL
        if r0 == 0 goto enomem
        r7 = r0                                 # r7 = cpumask: our reference
        r1 = r7
        r2 = *(u64 *)(r6 + task_struct.cpus_ptr)
        call bpf_cpumask_copy                   # cpumask = the task's CPUs
        r1 = *(u32 *)(r6 + task_struct.pid)
        *(u32 *)(r10 - 4) = r1                  # key = task->pid
        r1 = cpumask_map ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem                # r0 = v or NULL (a pid past max_entries)
        if r0 == 0 goto release_enoent
        r1 = r0                                 # r1 = &v->cpumask (the kptr is at offset 0)
        r2 = r7                                 # r2 = our mask: the reference moves into the map
        call bpf_kptr_xchg                      # r0 = the old kptr (now ours) or NULL
        r0 = 0                                  # the old mask (if any) is dropped on the floor
        exit

release_enoent:
        r1 = r7
        call bpf_cpumask_release                # we still own it: give it back
        r0 = -2                                 # -ENOENT
        exit

enomem:
        r0 = -12                                # -ENOMEM
        exit
