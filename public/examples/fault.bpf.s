# A fault: reading through a NULL pointer. The kernel's verifier would refuse this program
# before it ran; here it runs and stops with a message naming the pc, the address, the size
# and what the address is (or is not). Run it, read the message, then fix line 7.
.section raw
        r1 = 0
        r2 = 16
        r0 = *(u64 *)(r1 + 8)           # r1 is NULL: try r1 = r10 and r0 = *(u64 *)(r1 - 8)
        exit
