.section raw
        r0 = *(u64 *)(r1 + 0)           # a
        r2 = *(u64 *)(r1 + 8)           # b
        r3 = r0
        r3 /= r2                        # a / b  (0 when b is 0)
        r4 = r0
        r4 %= r2                        # a % b  (a when b is 0)
        w5 = w0
        w5 /= w2                        # low halves: a32 / b32 (0 when b32 is 0)
        w6 = w0
        w6 %= w2                        # a32 % b32 (a32, zero-extended, when b32 is 0)
        r0 = r3
        r0 += r4
        r0 += r5
        r0 += r6
        exit
