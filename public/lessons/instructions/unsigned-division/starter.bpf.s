.section raw
# r1 = the input: a (u64) at offset 0, b (u64) at offset 8.
# Return  a / b + a % b            (64-bit, r registers)
#       + a / b + a % b            (32-bit, w registers, on the low halves)
# b may be 0.
        r0 = 0
        exit
