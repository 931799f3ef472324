.section raw
# r1 = the input: big-endian u16 at offset 0, u32 at offset 4, u64 at offset 8.
# Return their sum.
        r0 = 0
        exit
