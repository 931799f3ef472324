# Count what the driver gives, in the array stats (u64 counters):
#   stats[0]  frames for which bpf_xdp_metadata_rx_timestamp returned 0
#   stats[1]  ... returned -EOPNOTSUPP: this driver never gives timestamps
#   stats[2]  ... returned -ENODATA: the driver does, this frame has none
#   stats[3]  frames for which bpf_xdp_metadata_rx_hash returned -EOPNOTSUPP
# Pass every frame (XDP_PASS).
.section xdp
.license "GPL"
.map stats type=array key=4 value=8 max_entries=4

        r6 = r1
        r0 = 2                                  # XDP_PASS
        exit
