.section raw
        r0 = *(u64 *)(r1 + 0)
        r2 = *(u64 *)(r1 + 8)
        r3 = r0
        r3 /= r2
        r4 = r0
        r4 %= r2
        r5 = r0
        r5 /= r2
        r6 = r0
        r6 %= r2
        r0 = r3
        r0 += r4
        r0 += r5
        r0 += r6
        exit
