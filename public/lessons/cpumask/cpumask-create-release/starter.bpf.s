# When a task is created: allocate a bpf_cpumask, return -ENOMEM (-12) if that failed,
# otherwise release it and return 0.
.section tp_btf/task_newtask
.license "GPL"
# r1 = args: [0] struct task_struct *task, [1] u64 clone_flags (unused here)
#
# Assembly in one breath: `call NAME` calls a kfunc or helper; its arguments go in r1, r2, …
# and its result comes back in r0. A call overwrites r1-r5 (r6-r9 survive it). `if r0 == 0
# goto LABEL` branches; "return X" is `r0 = X` then `exit`. Example ▸ "cpumasks: …" shows more.

record:
        r0 = 0
        exit
