# Hello, eBPF! A raw program that adds 5 + 4 + 3 + 2 + 1, prints the running sum to the
# trace pipe at each step, and returns the total in r0.
#
# Run it with Ctrl+Enter. Then step through it with F11 and watch the registers and the
# stack change; click a line number to set a breakpoint and continue to it with F5.
.section raw
        r6 = 5                          # counter: r6-r9 survive helper calls
        r7 = 0                          # running sum
loop:
        r7 += r6
        r1 = 0x000a64253d6d7573 ll      # "sum=%d\n" and its NUL, little-endian
        *(u64 *)(r10 - 8) = r1          # the format string lives on the stack
        r1 = r10
        r1 += -8                        # r1: pointer to the format
        r2 = 8                          # r2: its size, NUL included
        r3 = r7                         # r3: the value printed by %d
        call bpf_trace_printk
        r6 += -1
        if r6 != 0 goto loop
        r0 = r7                         # 15
        exit
