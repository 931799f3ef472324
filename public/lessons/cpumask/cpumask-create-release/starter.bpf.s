# When a task is created: allocate a bpf_cpumask, return -ENOMEM (-12) if that failed,
# otherwise release it and return 0.
.section tp_btf/task_newtask
.license "GPL"
# r1 = args: [0] struct task_struct *task, [1] u64 clone_flags (unused here)

record:
        r0 = 0
        exit
