.section raw
# r1 = the input: a (s64) at offset 0, b (s64, never 0) at offset 8.
# Return (a s/ b) + (a s% b).
        r0 = 0
        exit
