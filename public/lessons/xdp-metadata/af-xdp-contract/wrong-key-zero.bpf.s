# Every frame to the AF_XDP socket of its RX queue, with the 16 bytes of metadata the consumer
# reads at rx_desc.addr - 16:
#   struct meta { __u64 rx_timestamp; __u32 rx_hash; __u32 rss_type; };   (0 where none)
.section xdp
.license "GPL"
.map xsk type=xskmap key=4 value=4 max_entries=64

        r6 = r1
        r1 = r6
        r2 = -16                                # METADATA_SIZE, agreed with the consumer
        call bpf_xdp_adjust_meta
        if r0 != 0 goto pass
        r7 = *(u32 *)(r6 + xdp_md.data_meta)
        r3 = *(u32 *)(r6 + xdp_md.data)
        r4 = r7
        r4 += 16
        if r4 > r3 goto pass
        r1 = 0
        *(u64 *)(r7 + 0) = r1                   # zeros unless the driver says otherwise
        *(u64 *)(r7 + 8) = r1
        r1 = r6
        r2 = r7                                 # &meta->rx_timestamp
        call bpf_xdp_metadata_rx_timestamp
        r1 = r6
        r2 = r7
        r2 += 8                                 # &meta->rx_hash
        r3 = r7
        r3 += 12                                # &meta->rss_type
        call bpf_xdp_metadata_rx_hash
        if r0 == 0 goto redirect
        *(u64 *)(r7 + 8) = 0                    # no hash: leave hash and type 0
redirect:
        r2 = 0                                  # the socket
        r1 = xsk ll
        r3 = 2                                  # XDP_PASS when the slot is empty
        call bpf_redirect_map
        exit
pass:
        r0 = 2
        exit
