.section raw
        r0 = *(u64 *)(r1 + 0)           # a
        r2 = *(u64 *)(r1 + 8)           # b
        w0 += w2                        # low halves only; the upper 32 bits of r0 become 0
        exit
