.section raw
        r2 = *(u64 *)(r1 + 8)
        r1 = *(u64 *)(r1 + 0)
        r3 = r10
        r3 += 8                         # above the frame pointer
        call divmod
        r0 *= 1000
        r1 = *(u64 *)(r10 + 8)
        r0 += r1
        exit

divmod:
        r0 = r1
        r0 /= r2
        r4 = r1
        r4 %= r2
        *(u64 *)(r3 + 0) = r4
        exit
