# eth0's program copies the hardware hints into the metadata area and redirects every frame
# into veth0 (ifindex 3); veth1's program (xdp/peer) sees it there and records
#   types[rss_type] += 1          last[0] = rx_timestamp
# from the metadata: after a redirect the metadata kfuncs have no descriptor to read.
#   struct meta { __u64 rx_timestamp; __u32 rx_hash; __u32 rss_type; };   16 bytes
.section xdp
.license "GPL"
.map types type=hash key=4 value=8 max_entries=64
.map last type=array key=4 value=8 max_entries=1

        r6 = r1
        r1 = r6
        r2 = -16
        call bpf_xdp_adjust_meta
        if r0 != 0 goto out
        r7 = *(u32 *)(r6 + xdp_md.data_meta)
        r3 = *(u32 *)(r6 + xdp_md.data)
        r4 = r7
        r4 += 16
        if r4 > r3 goto out
        r1 = 0
        *(u64 *)(r7 + 0) = r1
        *(u64 *)(r7 + 8) = r1
        r1 = r6
        r2 = r7
        call bpf_xdp_metadata_rx_timestamp      # on eth0 the driver still has the descriptor
        r1 = r6
        r2 = r7
        r2 += 8
        r3 = r7
        r3 += 12
        call bpf_xdp_metadata_rx_hash
out:
        r1 = 3                                  # veth0
        r2 = 0
        call bpf_redirect                       # XDP_REDIRECT
        exit

.section xdp/peer
        r2 = *(u32 *)(r1 + xdp_md.data_meta)
        r3 = *(u32 *)(r1 + xdp_md.data)
        r4 = r2
        r4 += 16
        if r4 > r3 goto pass                    # no metadata came along
        r6 = *(u64 *)(r2 + 0)                   # rx_timestamp
        r7 = *(u32 *)(r2 + 12)                  # rss_type
        if r6 == 0 goto type
        *(u64 *)(r10 - 8) = r6
        *(u32 *)(r10 - 12) = 0
        r1 = last ll
        r2 = r10
        r2 += -12
        r3 = r10
        r3 += -8
        r4 = 0
        call bpf_map_update_elem
type:
        *(u32 *)(r10 - 16) = r7
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
