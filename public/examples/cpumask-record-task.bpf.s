# Recording a task's CPU affinity as a kptr — Documentation/bpf/cpumasks.rst, §2.1.1
# "struct bpf_cpumask * lifecycle": record_task_cpumask and cpumask_map_insert.
# Runs under both profiles (linux-6.3 and linux-6.18).
#
# When a task is created (tp_btf/task_newtask), the program allocates a bpf_cpumask, prints a
# line if the task may not run on every CPU, copies task->cpus_ptr into the mask and stores the
# mask in cpumask_map at key = the task's pid. Storing moves the program's reference into the
# map (bpf_kptr_xchg), so nothing is left to release at exit.
#
# With the default scenario the new task is pid 4242 "worker" on CPUs 0,2 of 8: the trace
# shows "task worker has CPU affinity" and slot 4242 of the map holds a bpf_cpumask with
# refcount 1 (the map's reference) and CPUs 0 and 2 set. Returns 0.

.section tp_btf/task_newtask
.license "GPL"
# struct cpumask_map_value { struct bpf_cpumask __kptr *cpumask; }: one kptr at offset 0.
.map cpumask_map type=array key=4 value=8 max_entries=65536 kptr=0:bpf_cpumask

record_task_cpumask:
        r6 = *(u64 *)(r1 + 0)                   # r6 = ctx[0]: struct task_struct *task (trusted)
        call bpf_cpumask_create                 # r0 = a new empty bpf_cpumask (refcount 1) or NULL
        if r0 == 0 goto enomem                  # the allocator may fail: NULL-check before any use
        r7 = r0                                 # r7 = cpumask: the program holds this reference

        r1 = *(u64 *)(r6 + task_struct.cpus_ptr)  # r1 = task->cpus_ptr (const struct cpumask *)
        call bpf_cpumask_full                   # r0 = true if the task may run on every CPU
        w0 &= 1                                 # a bool kfunc defines only the low bits: mask as clang does
        if w0 != 0 goto copy                    # full affinity: nothing to print

        # bpf_printk("task %s has CPU affinity", task->comm): the format goes on the stack.
        r1 = 0x207325206b736174 ll              # "task %s "
        *(u64 *)(r10 - 32) = r1
        r1 = 0x2055504320736168 ll              # "has CPU "
        *(u64 *)(r10 - 24) = r1
        r1 = 0x7974696e69666661 ll              # "affinity"
        *(u64 *)(r10 - 16) = r1
        r1 = 0                                  # the terminating NUL (and padding)
        *(u64 *)(r10 - 8) = r1
        r1 = r10
        r1 += -32                               # r1 = the format, on the stack
        r2 = 25                                 # r2 = its size, NUL included
        r3 = r6
        r3 += task_struct.comm                  # r3 = task->comm, printed by %s
        call bpf_trace_printk                   # r0 = bytes written (ignored)

copy:
        r1 = r7                                 # r1 = dst: our bpf_cpumask
        r2 = *(u64 *)(r6 + task_struct.cpus_ptr)  # r2 = src: task->cpus_ptr
        call bpf_cpumask_copy                   # cpumask = the task's CPUs

# cpumask_map_insert(cpumask, task->pid), inlined as clang would.
        r1 = *(u32 *)(r6 + task_struct.pid)     # r1 = task->pid
        *(u32 *)(r10 - 4) = r1                  # key = pid, on the stack at r10 - 4
        r1 = 0
        *(u64 *)(r10 - 16) = r1                 # local.cpumask = NULL, at r10 - 16
        r1 = cpumask_map ll                     # r1 = &cpumask_map
        r2 = r10
        r2 += -4                                # r2 = &key
        r3 = r10
        r3 += -16                               # r3 = &local
        r4 = 0                                  # r4 = BPF_ANY
        call bpf_map_update_elem                # r0 = 0 or -errno (the slot now holds a NULL kptr)
        if r0 != 0 goto release_status          # update failed: give the mask back, return status

        r1 = cpumask_map ll                     # r1 = &cpumask_map
        r2 = r10
        r2 += -4                                # r2 = &key
        call bpf_map_lookup_elem                # r0 = v, the map value for key, or NULL
        if r0 == 0 goto release_enoent          # no such slot: release and return -ENOENT

        r1 = r0                                 # r1 = &v->cpumask (the kptr is at offset 0)
        r2 = r7                                 # r2 = cpumask: our reference moves into the map
        call bpf_kptr_xchg                      # r0 = old kptr (a reference we now own) or NULL
        if r0 == 0 goto done                    # the slot was empty: nothing to release
        r1 = r0                                 # r1 = old mask
        call bpf_cpumask_release                # drop the reference bpf_kptr_xchg handed back
done:
        r0 = 0                                  # success
        exit

release_status:
        r8 = r0                                 # r8 = status from bpf_map_update_elem
        r1 = r7                                 # r1 = cpumask
        call bpf_cpumask_release                # we still own it: release before leaving
        r0 = r8                                 # return status
        exit

release_enoent:
        r1 = r7                                 # r1 = cpumask
        call bpf_cpumask_release                # release the mask we could not store
        r0 = -2                                 # -ENOENT
        exit

enomem:
        r0 = -12                                # -ENOMEM
        exit
