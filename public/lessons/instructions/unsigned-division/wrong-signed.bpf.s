.section raw
        r0 = *(u64 *)(r1 + 0)
        r2 = *(u64 *)(r1 + 8)
        r3 = r0
        r3 s/= r2
        r4 = r0
        r4 s%= r2
        w5 = w0
        w5 s/= w2
        w6 = w0
        w6 s%= w2
        r0 = r3
        r0 += r4
        r0 += r5
        r0 += r6
        exit
