# Solution: setall sets every CPU below nr_cpu_ids, clear empties the mask.
.section tp_btf/task_newtask
.license "GPL"
.map io type=array key=4 value=8 max_entries=5

setall_clear:
        r6 = *(u64 *)(r1 + 0)                   # r6 = struct task_struct *task
        *(u32 *)(r10 - 4) = 0                   # key 0
        r1 = io ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem                # r0 = &io[0] or NULL
        if r0 == 0 goto out
        r8 = *(u64 *)(r0 + 0)                   # r8 = io[0]

        call bpf_cpumask_create                 # r0 = a new empty mask or NULL
        if r0 == 0 goto enomem
        r7 = r0                                 # r7 = mask

        r1 = r7                                 # the mask is the FIRST (only) argument
        call bpf_cpumask_setall                 # every CPU below nr_cpu_ids
        r1 = r8
        r2 = r7
        call bpf_cpumask_test_cpu               # r0 = 1 if CPU c is in the mask
        r2 = r0
        r1 = 1
        call store                              # io[1] = it
        r1 = r7
        call bpf_cpumask_full                 # r0 = 1: every CPU set
        r2 = r0
        r1 = 2
        call store                              # io[2] = it

        r1 = r7
        call bpf_cpumask_clear                  # no CPU at all
        r1 = r8
        r2 = r7
        call bpf_cpumask_test_cpu               # r0 = 1 if CPU c is in the mask
        r2 = r0
        r1 = 3
        call store                              # io[3] = it
        r1 = r7
        call bpf_cpumask_empty                # r0 = 1: no CPU set
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
