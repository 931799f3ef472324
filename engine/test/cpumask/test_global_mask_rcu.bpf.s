# cpumask selftest test_global_mask_rcu (progs/cpumask_success.c), 6.4 and later (struct
# bpf_cpumask became RCU-protected then): runs under linux-6.18.
# A new mask goes into the empty global kptr global_mask; inside bpf_rcu_read_lock() the
# global is read back (an RCU pointer, NULL-checked) and passed to bpf_cpumask_test_cpu, a
# KF_RCU kfunc. The .bss global `struct bpf_cpumask __kptr *global_mask` becomes a one-element
# array map with a kptr at offset 0, addressed as libbpf addresses a global
# (BPF_PSEUDO_MAP_VALUE: ld_pseudo rN, 2, MAP). Return value = `err`: 0 = pass; 1, 2 =
# create_cpumask() failed; 3 = the global was not empty; 4 = it reads NULL under RCU.
# After the run the map holds the empty mask with refcount 1.

.section tp_btf/task_newtask
.license "GPL"
.map global_mask type=array key=4 value=8 max_entries=1 kptr=0:bpf_cpumask

test_global_mask_rcu:
        call bpf_cpumask_create                 # create_cpumask(): r0 = local or NULL
        if r0 == 0 goto err_1                   # err = 1
        r6 = r0                                 # r6 = local (referenced)
        r1 = r6
        call bpf_cpumask_empty                  # r0 = local empty?
        w0 &= 1                                 # bool: keep the defined bits
        if w0 == 0 goto err_2                   # err = 2 (after releasing it)

        ld_pseudo r7, 2, 0                      # r7 = &global_mask (map 0, offset 0)
        r1 = r7                                 # r1 = &global_mask
        r2 = r6                                 # r2 = local: our reference moves into the global
        call bpf_kptr_xchg                      # r0 = prev (now ours) or NULL
        if r0 != 0 goto err_3                   # the global was not empty

        call bpf_rcu_read_lock                  # enter the RCU read section
        r2 = *(u64 *)(r7 + 0)                   # r2 = local = global_mask (RCU pointer or NULL)
        if r2 == 0 goto err_4                   # err = 4
        r1 = 0                                  # r1 = cpu 0
        call bpf_cpumask_test_cpu               # test_cpu(0, local): allowed on an RCU pointer
        call bpf_rcu_read_unlock                # leave the RCU section
        r0 = 0                                  # pass
        exit

err_4:
        call bpf_rcu_read_unlock                # leave the RCU section on this path too
        r0 = 4                                  # err = 4
        exit
err_3:
        r1 = r0                                 # r1 = prev
        call bpf_cpumask_release                # release what was there
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
