.section raw
        r0 = *(u32 *)(r1 + 0)
        r2 = *(u32 *)(r1 + 8)
        r0 += r2
        exit
