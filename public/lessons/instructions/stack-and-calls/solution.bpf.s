.section raw
        r2 = *(u64 *)(r1 + 8)           # b
        r1 = *(u64 *)(r1 + 0)           # a
        r3 = r10
        r3 += -8                        # p = a slot of this frame's stack
        call divmod                     # r0 = a / b; *(u64 *)(r10 - 8) = a % b
        r0 *= 1000
        r1 = *(u64 *)(r10 - 8)
        r0 += r1
        exit

divmod:                                 # r1 = a, r2 = b, r3 = p
        r0 = r1
        r0 /= r2
        r4 = r1
        r4 %= r2
        *(u64 *)(r3 + 0) = r4           # into the caller's frame, through p
        exit
