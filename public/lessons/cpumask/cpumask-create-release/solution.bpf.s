# Allocate a bpf_cpumask, NULL-check it, release it.
.section tp_btf/task_newtask
.license "GPL"

record:
        call bpf_cpumask_create                 # r0 = a new empty mask (refcount 1) or NULL
        if r0 == 0 goto enomem                  # KF_RET_NULL: check before any use
        r1 = r0                                 # r1 = the mask
        call bpf_cpumask_release                # KF_RELEASE: our reference is gone
        r0 = 0
        exit

enomem:
        r0 = -12                                # -ENOMEM
        exit
