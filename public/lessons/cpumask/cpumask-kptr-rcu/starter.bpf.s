# Linux 6.18: use a mask stored in a map under RCU (bpf_cpumask_kptr_get is gone).
# (A tp_btf program never sleeps, so its whole run already counts as an RCU read-side section
# and the verifier accepts the load even without the lock. Write bpf_rcu_read_lock/unlock
# anyway, as the documentation does: a sleepable program is refused without them.)
.section tp_btf/task_newtask
.license "GPL"
# struct cpumasks_kfunc_map_value { struct bpf_cpumask __kptr *cpumask; }: a kptr at offset 0.
.map cpumasks_kfunc_map type=array key=4 value=8 max_entries=1 kptr=0:bpf_cpumask

add_cpu0:
        r6 = *(u64 *)(r1 + 0)                   # r6 = struct task_struct *task
        *(u32 *)(r10 - 4) = 0                   # key = 0

# Set-up (done for you, as in the previous lesson): slot 0 holds a copy of the task's CPUs.
        call bpf_cpumask_create
        if r0 == 0 goto enomem
        r7 = r0
        r1 = r7
        r2 = *(u64 *)(r6 + task_struct.cpus_ptr)
        call bpf_cpumask_copy                   # r7 = a copy of the task's CPUs
        r1 = cpumasks_kfunc_map ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem
        if r0 == 0 goto release_enoent
        r1 = r0
        r2 = r7
        call bpf_kptr_xchg                      # the copy is now in slot 0
        if r0 == 0 goto example
        r1 = r0
        call bpf_cpumask_release

# The lesson: add CPU 0 to the mask stored in slot 0, without taking it out of the map.
example:
        r1 = cpumasks_kfunc_map ll
        r2 = r10
        r2 += -4                                # &key (still 0)
        call bpf_map_lookup_elem                # r0 = v or NULL
        if r0 == 0 goto enoent
        r6 = r0                                 # r6 = v: v->cpumask is at offset 0

        # Your code: add CPU 0 to the stored mask (return -16 if the slot is empty), return 0.
        r0 = 0
        exit

release_enoent:
        r1 = r7
        call bpf_cpumask_release
enoent:
        r0 = -2                                 # -ENOENT
        exit

enomem:
        r0 = -12                                # -ENOMEM
        exit
