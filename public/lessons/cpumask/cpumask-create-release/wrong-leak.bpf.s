.section tp_btf/task_newtask
.license "GPL"

record:
        call bpf_cpumask_create                 # r0 = a new mask or NULL
        if r0 == 0 goto enomem
        r0 = 0                                  # the mask is forgotten, never released
        exit

enomem:
        r0 = -12
        exit
