.section raw
        r0 = *(u16 *)(r1 + 0)
        r0 = le16 r0
        r2 = *(u32 *)(r1 + 4)
        r2 = le32 r2
        r3 = *(u64 *)(r1 + 8)
        r3 = le64 r3
        r0 += r2
        r0 += r3
        exit
