.section tp_btf/task_newtask
.license "GPL"
.map cpumask_map type=array key=4 value=8 max_entries=1 kptr=0:bpf_cpumask

record_plus_cpu0:
        r6 = *(u64 *)(r1 + 0)                   # r6 = struct task_struct *task
        call bpf_cpumask_create                 # r0 = a new empty mask or NULL
        if r0 == 0 goto enomem
        r7 = r0                                 # r7 = mask (struct bpf_cpumask *)
        r1 = 0
        r2 = r7
        call bpf_cpumask_set_cpu                # CPU 0 only: the task's CPUs are never copied

        *(u32 *)(r10 - 4) = 0                   # key 0
        r1 = cpumask_map ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem
        if r0 == 0 goto release_enoent
        r1 = r0
        r2 = r7
        call bpf_kptr_xchg                      # the mask goes into cpumask_map[0]
        if r0 == 0 goto done
        r1 = r0
        call bpf_cpumask_release
done:
        r0 = 0
        exit

release_enoent:
        r1 = r7
        call bpf_cpumask_release
        r0 = -2
        exit

enomem:
        r0 = -12
        exit
