# Ask the driver for each frame's RX timestamp and RSS hash (with its type).
#   types: rss_type -> packets of that type (u64)
#   last[0]: the RX timestamp of the latest frame (ns)
.section xdp
.license "GPL"
.map types type=hash key=4 value=8 max_entries=64
.map last type=array key=4 value=8 max_entries=1

        r6 = r1                                 # ctx, kept across calls
        r1 = r6
        r2 = r10
        r2 += -8                                # u64 *timestamp on the stack
        call bpf_xdp_metadata_rx_timestamp
        if r0 != 0 goto hash                    # no timestamp for this frame
        r1 = last ll
        r2 = r10
        r2 += -16
        *(u32 *)(r10 - 16) = 0                  # key 0
        r3 = r10
        r3 += -8                                # the timestamp as the value
        r4 = 0
        call bpf_map_update_elem
hash:
        r1 = r6
        r2 = r10
        r2 += -20                               # u32 *hash
        r3 = r10
        r3 += -24                               # enum xdp_rss_hash_type *rss_type
        call bpf_xdp_metadata_rx_hash
        if r0 != 0 goto pass
        r1 = types ll
        r2 = r10
        r2 += -24                               # key: the rss_type
        call bpf_map_lookup_elem
        if r0 == 0 goto first
        r1 = 1
        lock *(u64 *)(r0 + 0) += r1
        goto pass
first:
        r1 = 1
        *(u64 *)(r10 - 32) = r1
        r1 = types ll
        r2 = r10
        r2 += -24
        r3 = r10
        r3 += -32
        r4 = 0
        call bpf_map_update_elem
pass:
        r0 = 2                                  # XDP_PASS
        exit
