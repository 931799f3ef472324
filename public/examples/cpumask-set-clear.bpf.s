# Setting, clearing and testing one CPU — Documentation/bpf/cpumasks.rst, §3.1.1 "Setting and
# clearing CPUs": test_set_clear_cpu. Runs under both profiles (linux-6.3 and linux-6.18).
#
# Creates a bpf_cpumask, sets CPU 0 and checks it is set, clears it and checks it is clear, then
# asks the same question of the new task's own mask (task->cpus_ptr, a plain struct cpumask *
# that the query kfuncs accept too) and prints "task %s can use CPU %d" if it may run on CPU 0.
#
# The documentation returns 0 everywhere; here each "should never happen" returns its own code
# so that a wrong kfunc shows: 1 = CPU 0 not set after set_cpu, 2 = still set after clear_cpu.
# With the default scenario (task 4242 "worker", CPUs 0,2) it prints
# "task worker can use CPU 0" and returns 0. No reference is left: the mask is released.

.section tp_btf/task_newtask
.license "GPL"

test_set_clear_cpu:
        r6 = *(u64 *)(r1 + 0)                   # r6 = ctx[0]: struct task_struct *task (trusted)
        call bpf_cpumask_create                 # r0 = a new empty bpf_cpumask (refcount 1) or NULL
        if r0 == 0 goto enomem                  # NULL-check before any use
        r7 = r0                                 # r7 = cpumask: the program holds this reference
        r8 = 0                                  # r8 = the return code: 0 unless a check fails

        r1 = 0                                  # r1 = cpu 0
        r2 = r7                                 # r2 = cpumask
        call bpf_cpumask_set_cpu                # set CPU 0
        r1 = 0                                  # r1 = cpu 0
        r2 = r7                                 # r2 = cpumask, as a const struct cpumask * (cast())
        call bpf_cpumask_test_cpu               # r0 = true if CPU 0 is set
        w0 &= 1                                 # a bool kfunc defines only the low bits: mask as clang does
        r8 = 1                                  # code 1 if the check below fails
        if w0 == 0 goto release_exit            # should never happen: CPU 0 must be set now

        r1 = 0                                  # r1 = cpu 0
        r2 = r7                                 # r2 = cpumask
        call bpf_cpumask_clear_cpu              # clear CPU 0
        r1 = 0                                  # r1 = cpu 0
        r2 = r7                                 # r2 = cpumask
        call bpf_cpumask_test_cpu               # r0 = true if CPU 0 is set
        w0 &= 1                                 # keep the defined bits
        r8 = 2                                  # code 2 if the check below fails
        if w0 != 0 goto release_exit            # should never happen: CPU 0 must be clear now
        r8 = 0                                  # both checks passed

        # struct cpumask * pointers such as task->cpus_ptr can also be queried.
        r1 = 0                                  # r1 = cpu 0
        r2 = *(u64 *)(r6 + task_struct.cpus_ptr)  # r2 = task->cpus_ptr
        call bpf_cpumask_test_cpu               # r0 = true if the task may run on CPU 0
        w0 &= 1                                 # keep the defined bits
        if w0 == 0 goto release_exit            # not allowed on CPU 0: print nothing

        # bpf_printk("task %s can use CPU %d", task->comm, 0): the format goes on the stack.
        r1 = 0x207325206b736174 ll              # "task %s "
        *(u64 *)(r10 - 24) = r1
        r1 = 0x20657375206e6163 ll              # "can use "
        *(u64 *)(r10 - 16) = r1
        r1 = 0x0000642520555043 ll              # "CPU %d" and the NUL
        *(u64 *)(r10 - 8) = r1
        r1 = r10
        r1 += -24                               # r1 = the format, on the stack
        r2 = 23                                 # r2 = its size, NUL included
        r3 = r6
        r3 += task_struct.comm                  # r3 = task->comm, printed by %s
        r4 = 0                                  # r4 = 0, printed by %d
        call bpf_trace_printk                   # r0 = bytes written (ignored)

release_exit:
        r1 = r7                                 # r1 = cpumask
        call bpf_cpumask_release                # drop our reference: the mask is freed
        r0 = r8                                 # return the code (0 on success)
        exit

enomem:
        r0 = -12                                # -ENOMEM
        exit
