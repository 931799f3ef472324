# Print each packet's length to the trace pipe, then keep packets of 60 bytes or more
# (XDP_PASS = 2) and drop shorter ones (XDP_DROP = 1).
.section xdp
.license "GPL"
        r2 = *(u32 *)(r1 + xdp_md.data)
        r3 = *(u32 *)(r1 + xdp_md.data_end)
        r3 -= r2                        # r3 = the packet's length
        r1 = 0x000a64253d6e656c ll      # "len=%d\n" and its NUL
        *(u64 *)(r10 - 8) = r1
        r1 = r10
        r1 += -8                        # r1 = the format, on the stack
        r2 = 8                          # r2 = its size
        call bpf_trace_printk           # prints r3
        r2 = *(u32 *)(r1 + xdp_md.data) # measure again after the call
        r3 = *(u32 *)(r1 + xdp_md.data_end)
        r3 -= r2
        r0 = 2                          # XDP_PASS
        if r3 >= 60 goto out
        r0 = 1                          # XDP_DROP
out:
        exit
