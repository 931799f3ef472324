.section raw
        r0 = *(u64 *)(r1 + 0)
        r2 = *(u64 *)(r1 + 8)
        r0 += r2
        r0 &= 0xffffffff
        exit
