# Put 8 bytes of metadata in front of every frame, then pass it (XDP_PASS):
#   offset 0: u32 0x4154454d
#   offset 4: u32 the frame's RX queue (xdp_md.rx_queue_index)
#
#   data_hard_start ... data_meta | metadata | data ... data_end
.section xdp
.license "GPL"

        r6 = r1
        r0 = 2                                  # XDP_PASS
        exit
