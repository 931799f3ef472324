# 8 bytes of metadata in front of every frame:
#   offset 0: u32 0x4154454d ("META" in memory)
#   offset 4: u32 the RX queue of the frame
.section xdp
.license "GPL"

        r6 = r1
        r7 = *(u32 *)(r6 + xdp_md.rx_queue_index)
        r1 = r6
        r2 = -8                                 # negative: data_meta moves 8 bytes down
        call bpf_xdp_adjust_meta
        if r0 != 0 goto pass                    # the driver or the headroom said no
        r2 = *(u32 *)(r6 + xdp_md.data_meta)    # reload: the call invalidated packet pointers
        r3 = *(u32 *)(r6 + xdp_md.data)
        r1 = 0x4154454d
        *(u32 *)(r2 + 0) = r1
        *(u32 *)(r2 + 4) = r7
pass:
        r0 = 2                                  # XDP_PASS
        exit
