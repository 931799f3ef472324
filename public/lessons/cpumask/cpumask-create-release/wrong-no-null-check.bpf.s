.section tp_btf/task_newtask
.license "GPL"

record:
        call bpf_cpumask_create                 # r0 = a new mask or NULL
        r1 = r0                                 # used without a NULL check
        call bpf_cpumask_release
        r0 = 0
        exit
