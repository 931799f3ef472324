# For every frame:
#   - bpf_xdp_metadata_rx_timestamp(ctx, &ts): store ts in last[0] when it returns 0
#   - bpf_xdp_metadata_rx_hash(ctx, &hash, &rss_type): when it returns 0, count the frame
#     in types[rss_type] (a u64 per hash type)
# and pass it on (XDP_PASS).
.section xdp
.license "GPL"
.map types type=hash key=4 value=8 max_entries=64
.map last type=array key=4 value=8 max_entries=1

        r6 = r1                                 # ctx, kept across calls
        r0 = 2                                  # XDP_PASS
        exit
