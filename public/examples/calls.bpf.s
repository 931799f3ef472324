# BPF-to-BPF calls: factorial(5) with a recursive function.
# Arguments go in r1-r5, the result comes back in r0, and r6-r9 survive the call.
# Each call gets its own 512-byte stack; at most 8 frames may be active.
# Step into the calls with F11, or over them with F10.
.section raw
        r1 = 5
        call factorial
        exit                            # r0 = 120

factorial:                              # r0 = r1!
        r0 = 1
        if r1 <= 1 goto done
        r6 = r1                         # keep n across the call
        r1 += -1
        call factorial                  # r0 = (n - 1)!
        r0 *= r6
done:
        exit
