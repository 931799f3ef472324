# The stack: 512 bytes below r10. This program writes the squares 0..7 into eight 8-byte
# slots, then sums them back. Open the Stack panel and step: touched slots light up.
.section raw
        r1 = 0
fill:
        r2 = r1
        r2 *= r1                        # r2 = i * i
        r3 = r1
        r3 <<= 3                        # r3 = i * 8
        r4 = r10
        r4 += -64
        r4 += r3                        # r4 = r10 - 64 + 8 * i
        *(u64 *)(r4 + 0) = r2
        r1 += 1
        if r1 < 8 goto fill
        r0 = 0
        r1 = 0
sum:
        r4 = r10
        r4 += -64
        r4 += r1
        r2 = *(u64 *)(r4 + 0)
        r0 += r2
        r1 += 8
        if r1 < 64 goto sum
        exit                            # 0 + 1 + 4 + … + 49 = 140
