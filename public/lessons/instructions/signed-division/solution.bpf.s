.section raw
        r0 = *(u64 *)(r1 + 0)           # a
        r2 = *(u64 *)(r1 + 8)           # b
        r3 = r0
        r3 s/= r2                       # quotient, truncated toward zero
        r0 s%= r2                       # remainder, with the sign of a
        r0 += r3
        exit
