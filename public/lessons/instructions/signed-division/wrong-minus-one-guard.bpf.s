.section raw
        r0 = *(u64 *)(r1 + 0)
        r2 = *(u64 *)(r1 + 8)
        if r2 != -1 goto divide
        r0 = 0                          # "LLONG_MIN / -1 overflows"
        exit
divide:
        r3 = r0
        r3 s/= r2
        r0 s%= r2
        r0 += r3
        exit
