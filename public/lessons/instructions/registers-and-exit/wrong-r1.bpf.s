.section raw
        r0 = r1
        r0 *= 2
        r0 += 1
        exit
