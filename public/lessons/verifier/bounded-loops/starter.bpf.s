# Sum the frame's first 64 bytes (all of them when the frame is shorter), store the sum in
# byte_sum[0] and pass the frame (XDP_PASS = 2).
# The verifier refuses this program: read its message and fix the loop.
.section xdp
.license "GPL"
.map byte_sum type=array key=4 value=8 max_entries=1

        r2 = *(u32 *)(r1 + xdp_md.data)         # r2 = the next byte to add
        r3 = *(u32 *)(r1 + xdp_md.data_end)     # r3 = one past the last byte
        r7 = 0                                  # r7 = the sum
next:
        r4 = r2
        r4 += 1
        if r4 > r3 goto done                    # no byte left in the frame
        r5 = *(u8 *)(r2 + 0)
        r7 += r5                                # sum += *p
        r2 += 1                                 # p++
        goto next
done:
        r1 = 0
        *(u32 *)(r10 - 4) = r1                  # key = 0
        r1 = byte_sum ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem                # r0 = &byte_sum[0], or NULL
        if r0 == 0 goto out
        *(u64 *)(r0 + 0) = r7                   # byte_sum[0] = the sum
out:
        r0 = 2                                  # XDP_PASS
        exit
