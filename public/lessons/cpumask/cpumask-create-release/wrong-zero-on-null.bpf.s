.section tp_btf/task_newtask
.license "GPL"

record:
        call bpf_cpumask_create
        if r0 == 0 goto out                     # NULL: nothing to release, but says nothing either
        r1 = r0
        call bpf_cpumask_release
out:
        r0 = 0
        exit
