.section raw
# r1 = the input: a (u64) at offset 0, b (u64) at offset 8.
# Return (a + b) mod 2^32, computed with one 32-bit add.
# A load names its size and address: r2 = *(u64 *)(r1 + 8) reads the u64 at offset 8.
        r0 = 0
        exit
