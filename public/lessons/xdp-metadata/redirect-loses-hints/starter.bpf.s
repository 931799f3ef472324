# eth0's program redirects every frame into veth0 (ifindex 3); veth1's program (xdp/peer) sees it
# there and should record, for every frame,
#   types[rss_type] += 1          last[0] = rx_timestamp (when there is one)
# It asks the metadata kfuncs, and finds nothing. Make the hints survive the redirect: eth0's
# program copies them into the metadata area, in this layout, and the peer reads them from there.
#   struct meta { __u64 rx_timestamp; __u32 rx_hash; __u32 rss_type; };   16 bytes
# (a field eth0's driver could not fill is 0; rx_timestamp 0 means "no timestamp").
.section xdp
.license "GPL"
.map types type=hash key=4 value=8 max_entries=64
.map last type=array key=4 value=8 max_entries=1

        r1 = 3                                  # veth0
        r2 = 0
        call bpf_redirect                       # XDP_REDIRECT
        exit

.section xdp/peer
        r6 = r1
        r1 = r6
        r2 = r10
        r2 += -8
        call bpf_xdp_metadata_rx_timestamp
        if r0 != 0 goto hash
        *(u32 *)(r10 - 12) = 0
        r1 = last ll
        r2 = r10
        r2 += -12
        r3 = r10
        r3 += -8
        r4 = 0
        call bpf_map_update_elem
hash:
        r1 = r6
        r2 = r10
        r2 += -20                               # u32 hash
        r3 = r10
        r3 += -16                               # u32 rss_type
        call bpf_xdp_metadata_rx_hash
        if r0 != 0 goto pass
        r1 = types ll
        r2 = r10
        r2 += -16
        call bpf_map_lookup_elem
        if r0 == 0 goto first
        r1 = 1
        lock *(u64 *)(r0 + 0) += r1
        goto pass
first:
        r1 = 1
        *(u64 *)(r10 - 24) = r1
        r1 = types ll
        r2 = r10
        r2 += -16
        r3 = r10
        r3 += -24
        r4 = 0
        call bpf_map_update_elem
pass:
        r0 = 2                                  # XDP_PASS
        exit
