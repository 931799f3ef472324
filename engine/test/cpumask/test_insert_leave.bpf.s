# cpumask selftest test_insert_leave (progs/cpumask_success.c), 6.3 and later: runs under
# linux-6.3 and linux-6.18.
# Stores a new mask in slot 0 of __cpumask_map (cpumask_map_insert) and leaves it there: the map
# holds the only reference. Return value = `err`: 0 = pass; 1, 2 = create_cpumask() failed;
# 3 = the insert failed. After the run, slot 0 holds an empty bpf_cpumask with refcount 1.

.section tp_btf/task_newtask
.license "GPL"
# struct __cpumask_map_value { struct bpf_cpumask __kptr *cpumask; }
.map __cpumask_map type=array key=4 value=8 max_entries=1 kptr=0:bpf_cpumask

test_insert_leave:
        call bpf_cpumask_create                 # create_cpumask(): r0 = new mask or NULL
        if r0 == 0 goto err_1                   # err = 1
        r6 = r0                                 # r6 = cpumask (referenced)
        r1 = r6
        call bpf_cpumask_empty                  # r0 = true if the new mask is empty
        w0 &= 1                                 # bool: keep the defined bits
        if w0 == 0 goto err_2                   # err = 2 (after releasing it)
        r1 = r6                                 # r1 = cpumask (consumed by the insert)
        call cpumask_map_insert                 # r0 = 0 or -errno
        if r0 != 0 goto err_3                   # err = 3
        r0 = 0                                  # pass
        exit
err_3:
        r0 = 3                                  # err = 3
        exit
err_2:
        r1 = r6                                 # create_cpumask() releases a non-empty mask
        call bpf_cpumask_release
        r0 = 2                                  # err = 2
        exit
err_1:
        r0 = 1                                  # err = 1
        exit

# cpumask_map_insert(r1 = mask) from cpumask_common.h: stores the mask (and our reference) in
# slot 0 of __cpumask_map. r0 = 0, the update's -errno, -ENOENT, or -EEXIST when a mask was
# already there (that one is released). The mask is consumed on every path.
cpumask_map_insert:
        r6 = r1                                 # r6 = mask (this frame's r6)
        *(u32 *)(r10 - 4) = 0                   # key = 0
        *(u64 *)(r10 - 16) = 0                  # local.cpumask = NULL
        r1 = __cpumask_map ll                   # r1 = &__cpumask_map
        r2 = r10
        r2 += -4                                # r2 = &key
        r3 = r10
        r3 += -16                               # r3 = &local
        r4 = 0                                  # r4 = flags 0 (BPF_ANY)
        call bpf_map_update_elem                # r0 = status
        if r0 != 0 goto insert_release          # status != 0: release and return it
        r1 = __cpumask_map ll
        r2 = r10
        r2 += -4                                # r2 = &key
        call bpf_map_lookup_elem                # r0 = v or NULL
        r7 = -2                                 # -ENOENT if NULL
        if r0 == 0 goto insert_release_r7
        r1 = r0                                 # r1 = &v->cpumask
        r2 = r6                                 # r2 = mask: the reference moves into the map
        call bpf_kptr_xchg                      # r0 = old mask or NULL
        if r0 == 0 goto insert_done
        r1 = r0                                 # an old mask was there: release it
        call bpf_cpumask_release
        r0 = -17                                # -EEXIST
        exit
insert_done:
        r0 = 0
        exit
insert_release:
        r7 = r0                                 # r7 = status
insert_release_r7:
        r1 = r6                                 # the mask was not stored: release it
        call bpf_cpumask_release
        r0 = r7                                 # return status / -ENOENT
        exit
