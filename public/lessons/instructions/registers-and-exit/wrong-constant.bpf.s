.section raw
        r0 = 21
        exit
