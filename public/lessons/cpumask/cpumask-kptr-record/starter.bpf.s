# Record the new task's affinity in cpumask_map[task->pid]: the mask must end up IN the map.
# (A key past the end of the map: release the mask and return -ENOENT, -2.)
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

        # Your code: look up cpumask_map[task->pid] and move the mask into its kptr slot with
        # bpf_kptr_xchg; whatever comes out of the slot is now yours.
        r1 = r7
        call bpf_cpumask_release                # (the starter just drops it)
        r0 = 0
        exit

enomem:
        r0 = -12                                # -ENOMEM
        exit
