.section raw
# r1 = the input: a (u64) at offset 0, b (u64, 1..1000) at offset 8.
# Call divmod(a, b, p) with p = a slot of this frame's stack,
# then return quotient * 1000 + remainder.
# Read b through r1 before r1 is overwritten with a.
        r0 = 0
        exit

divmod:                                 # r1 = a, r2 = b, r3 = p
                                        # returns a / b; stores a % b at *(u64 *)p
        r0 = 0
        exit
