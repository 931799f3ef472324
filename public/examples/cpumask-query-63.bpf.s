# Querying cpumasks, Linux 6.3 — Documentation/bpf/cpumasks.rst, §3.2 "Querying cpumasks"
# (and bpf_cpumask_copy from §3.1.2). Runs under linux-6.3 only: bpf_cpumask_any is the 6.3
# name (6.5 renamed it bpf_cpumask_any_distribute; see cpumask-query-618.bpf.s).
#
# Copies the new task's affinity (task->cpus_ptr) into a bpf_cpumask and asks questions whose
# answers hold for any task: the copy equals the original; its first CPU is one the task may
# use and its first zero one it may not (an invalid CPU ≥ nr_cpu_ids also tests false);
# bpf_cpumask_any picks an allowed CPU (in 6.3 simply the lowest); the copy intersects the
# original. Then it clears the first CPU from the copy: the copy is now a strict subset.
#
# Prints, with the default scenario (task 4242 "worker", CPUs 0,2 of 8):
#   task worker: first CPU 0, first free CPU 1
#   bpf_cpumask_any picked CPU 0
# Returns 0; a failed check returns its code (1-8, see each check); -ENOMEM if create failed.
#
# Registers: r6 = task, r7 = mask (our copy), r8 = the first CPU, r9 = a CPU being checked.

.section tp_btf/task_newtask
.license "GPL"

query:
        r6 = *(u64 *)(r1 + 0)                   # r6 = ctx[0]: struct task_struct *task (trusted)
        call bpf_cpumask_create                 # r0 = a new empty bpf_cpumask (refcount 1) or NULL
        if r0 == 0 goto enomem                  # NULL-check before any use
        r7 = r0                                 # r7 = mask: the program holds this reference

        r1 = r7                                 # r1 = dst: mask
        r2 = *(u64 *)(r6 + task_struct.cpus_ptr)  # r2 = src: task->cpus_ptr
        call bpf_cpumask_copy                   # mask = the task's CPUs

        r1 = r7                                 # r1 = mask
        r2 = *(u64 *)(r6 + task_struct.cpus_ptr)  # r2 = task->cpus_ptr
        call bpf_cpumask_equal                  # r0 = true if both hold the same CPUs
        w0 &= 1                                 # a bool kfunc defines only the low bits: mask as clang does
        r1 = 1                                  # code 1: the copy differs from the original
        if w0 == 0 goto release_exit

        r1 = r7                                 # r1 = mask
        call bpf_cpumask_first                  # r0 = lowest CPU in mask (≥ nr_cpu_ids if empty)
        r8 = r0                                 # r8 = first
        r1 = r8                                 # r1 = cpu = first
        r2 = *(u64 *)(r6 + task_struct.cpus_ptr)  # r2 = task->cpus_ptr
        call bpf_cpumask_test_cpu               # r0 = true if the task may use it
        w0 &= 1                                 # keep the defined bits
        r1 = 2                                  # code 2: first is not one of the task's CPUs
        if w0 == 0 goto release_exit

        r1 = r7                                 # r1 = mask
        call bpf_cpumask_first_zero             # r0 = lowest CPU not in mask (≥ nr_cpu_ids if full)
        r9 = r0                                 # r9 = first_zero
        r1 = r9                                 # r1 = cpu = first_zero
        r2 = *(u64 *)(r6 + task_struct.cpus_ptr)  # r2 = task->cpus_ptr
        call bpf_cpumask_test_cpu               # r0 = true if the task may use it
        w0 &= 1                                 # keep the defined bits
        r1 = 3                                  # code 3: first_zero is one of the task's CPUs
        if w0 != 0 goto release_exit

        # bpf_printk("task %s: first CPU %d, first free CPU %d", task->comm, first, first_zero)
        r1 = 0x3a7325206b736174 ll              # "task %s:"
        *(u64 *)(r10 - 48) = r1
        r1 = 0x4320747372696620 ll              # " first C"
        *(u64 *)(r10 - 40) = r1
        r1 = 0x66202c6425205550 ll              # "PU %d, f"
        *(u64 *)(r10 - 32) = r1
        r1 = 0x6572662074737269 ll              # "irst fre"
        *(u64 *)(r10 - 24) = r1
        r1 = 0x6425205550432065 ll              # "e CPU %d"
        *(u64 *)(r10 - 16) = r1
        r1 = 0                                  # the NUL (and padding)
        *(u64 *)(r10 - 8) = r1
        r1 = r10
        r1 += -48                               # r1 = the format, on the stack
        r2 = 41                                 # r2 = its size, NUL included
        r3 = r6
        r3 += task_struct.comm                  # r3 = task->comm (%s)
        r4 = r8                                 # r4 = first (%d)
        r5 = r9                                 # r5 = first_zero (%d)
        call bpf_trace_printk                   # r0 = bytes written (ignored)

        r1 = r7                                 # r1 = mask
        call bpf_cpumask_any                    # r0 = a CPU of mask (6.3: the lowest), ≥ nr_cpu_ids if empty
        r9 = r0                                 # r9 = any
        r1 = r9                                 # r1 = cpu = any
        r2 = *(u64 *)(r6 + task_struct.cpus_ptr)  # r2 = task->cpus_ptr
        call bpf_cpumask_test_cpu               # r0 = true if the task may use it
        w0 &= 1                                 # keep the defined bits
        r1 = 4                                  # code 4: any picked a CPU the task may not use
        if w0 == 0 goto release_exit

        # bpf_printk("bpf_cpumask_any picked CPU %d", any)
        r1 = 0x6d7570635f667062 ll              # "bpf_cpum"
        *(u64 *)(r10 - 32) = r1
        r1 = 0x20796e615f6b7361 ll              # "ask_any "
        *(u64 *)(r10 - 24) = r1
        r1 = 0x432064656b636970 ll              # "picked C"
        *(u64 *)(r10 - 16) = r1
        r1 = 0x0000006425205550 ll              # "PU %d" and the NUL
        *(u64 *)(r10 - 8) = r1
        r1 = r10
        r1 += -32                               # r1 = the format
        r2 = 30                                 # r2 = its size, NUL included
        r3 = r9                                 # r3 = any (%d)
        call bpf_trace_printk                   # r0 = bytes written (ignored)

        r1 = r7                                 # r1 = mask
        r2 = *(u64 *)(r6 + task_struct.cpus_ptr)  # r2 = task->cpus_ptr
        call bpf_cpumask_intersects             # r0 = true if they share a CPU
        w0 &= 1                                 # keep the defined bits
        r1 = 5                                  # code 5: a copy must intersect its original
        if w0 == 0 goto release_exit

        r1 = r8                                 # r1 = cpu = first
        r2 = r7                                 # r2 = mask
        call bpf_cpumask_clear_cpu              # mask = the task's CPUs without the first one

        r1 = r7                                 # r1 = src1 = mask
        r2 = *(u64 *)(r6 + task_struct.cpus_ptr)  # r2 = src2 = task->cpus_ptr
        call bpf_cpumask_subset                 # r0 = true if every CPU of mask is the task's
        w0 &= 1                                 # keep the defined bits
        r1 = 6                                  # code 6: mask must still be a subset
        if w0 == 0 goto release_exit
        r1 = *(u64 *)(r6 + task_struct.cpus_ptr)  # r1 = src1 = task->cpus_ptr
        r2 = r7                                 # r2 = src2 = mask
        call bpf_cpumask_subset                 # r0 = true if every CPU of the task's is in mask
        w0 &= 1                                 # keep the defined bits
        r1 = 7                                  # code 7: the first CPU is missing from mask now
        if w0 != 0 goto release_exit
        r1 = r7                                 # r1 = mask
        r2 = *(u64 *)(r6 + task_struct.cpus_ptr)  # r2 = task->cpus_ptr
        call bpf_cpumask_equal                  # r0 = true if both hold the same CPUs
        w0 &= 1                                 # keep the defined bits
        r1 = 8                                  # code 8: they must differ now
        if w0 != 0 goto release_exit
        r1 = 0                                  # every check passed: code 0

release_exit:
        *(u64 *)(r10 - 8) = r1                  # keep the code on the stack across the call
        r1 = r7                                 # r1 = mask
        call bpf_cpumask_release                # drop our reference: the mask is freed
        r0 = *(u64 *)(r10 - 8)                  # r0 = the code
        exit

enomem:
        r0 = -12                                # -ENOMEM
        exit
