.section raw
        r0 = *(u16 *)(r1 + 0)
        r2 = *(u32 *)(r1 + 4)
        r3 = *(u64 *)(r1 + 8)
        r0 += r2
        r0 += r3
        exit
