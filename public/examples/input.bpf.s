# Input memory: a raw program gets a pointer to its input in r1 and the length in r2.
# Set the input in the Program panel (hex bytes); this program sums them.
.section raw
        r0 = 0
        r3 = r1
        r3 += r2                        # r3: one past the last byte
next:
        if r1 >= r3 goto done
        r4 = *(u8 *)(r1 + 0)
        r0 += r4
        r1 += 1
        goto next
done:
        exit
