.section raw
        r0 = *(u16 *)(r1 + 0)
        r0 = be16 r0                    # big-endian -> the machine's order
        r2 = *(u32 *)(r1 + 4)
        r2 = be32 r2
        r3 = *(u64 *)(r1 + 8)
        r3 = bswap64 r3                 # the same as be64 on a little-endian machine
        r0 += r2
        r0 += r3
        exit
