.section raw
        r0 = *(u64 *)(r1 + 0)
        r2 = *(u64 *)(r1 + 8)
        if r2 != 0 goto divide
        r0 = 0                          # "dividing by zero gives 0"
        exit
divide:
        r3 = r0
        r3 /= r2
        r4 = r0
        r4 %= r2
        w5 = w0
        w5 /= w2
        w6 = w0
        w6 %= w2
        r0 = r3
        r0 += r4
        r0 += r5
        r0 += r6
        exit
