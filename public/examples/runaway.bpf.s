# A runaway loop: it never reaches exit. The instruction budget (10,000,000) stops it with a
# clear message, and the page keeps working. The kernel's verifier would refuse the loop.
.section raw
        r0 = 0
spin:
        r0 += 1
        goto spin
