# When a task is created: which CPU other than CPU 0 (kept for housekeeping) may it start on?
# The program copies the task's CPUs into a new bpf_cpumask, clears CPU 0, prints
# "<comm>: first cpu <n>" with the first CPU left and returns it. A task that may run on
# CPU 0 only has none left: nothing is printed and it returns -1 (-12 if memory ran out).
.section tp_btf/task_newtask
.license "GPL"
        r6 = *(u64 *)(r1 + 0)                   # r6 = the new task (trusted)
        call bpf_cpumask_create                 # r0 = a new, empty bpf_cpumask (a reference), or NULL
        r7 = r0                                 # r7 = the mask: ours until released
        r8 = -12                                # -ENOMEM unless we get further
        if r7 == 0 goto done                    # no memory: to the one exit
        r1 = r7
        r2 = *(u64 *)(r6 + task_struct.cpus_ptr)
        call bpf_cpumask_copy                   # mask = the task's CPUs
        r1 = 0
        r2 = r7
        call bpf_cpumask_clear_cpu              # mask -= CPU 0
        r8 = -1                                 # r8 = the CPU to return: none yet
        r1 = r7
        call bpf_cpumask_empty                  # r0 = true if no CPU is left
        w0 &= 1                                 # a bool kfunc defines only the low bits
        if w0 != 0 goto done                    # only CPU 0: nothing to print
        r1 = r7
        call bpf_cpumask_first                  # r0 = the lowest CPU left
        r8 = r0
        r1 = 0x73726966203a7325 ll              # "%s: first cpu %d\n" and its NUL
        *(u64 *)(r10 - 24) = r1
        r1 = 0x6425207570632074 ll
        *(u64 *)(r10 - 16) = r1
        r1 = 0xa
        *(u64 *)(r10 - 8) = r1
        r1 = r10
        r1 += -24                               # r1 = the format
        r2 = 18                                 # r2 = its size, NUL included
        r3 = r6
        r3 += task_struct.comm                  # r3 = task->comm, for %s
        r4 = r8                                 # r4 = the CPU, for %d
        call bpf_trace_printk
done:
        r1 = r7
        call bpf_cpumask_release                # give the reference back
        r0 = r8                                 # the CPU, or -1
        exit
