.section raw
# r1 = the input, r2 = its length in bytes.
# Return 2 * length + 1.
        r0 = 0
        exit
