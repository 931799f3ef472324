# The NIC benchmark's program: the workload issue 5 names — "a 40-instruction metadata program".
# It is the AF_XDP metadata program of Documentation/networking/xdp-rx-metadata.rst
# (public/examples/xdp-metadata.bpf.s) for the traffic the benchmark sends, untagged IPv4/UDP:
# it parses Ethernet, IPv4 without options and UDP in one bounds check, reserves 24 bytes of
# metadata, stores the hardware RX timestamp, the RSS hash and its type and the RX queue, and
# redirects the frame to the AF_XDP socket of its queue: 40 instructions per packet.
# The full example (VLAN tags, IPv6, IPv4 options: 54 instructions per packet) is measured too.

.section xdp
.license "GPL"
.map xsk type=xskmap key=4 value=4 max_entries=64

rx:
        r6 = r1
        r2 = *(u32 *)(r6 + xdp_md.data)
        r3 = *(u32 *)(r6 + xdp_md.data_end)
        r4 = r2
        r4 += 42                                # Ethernet + IPv4 (no options) + UDP
        if r4 > r3 goto pass
        r5 = *(u16 *)(r2 + 12)                  # h_proto
        if r5 == 0x0081 goto pass               # an 802.1Q tag left in the frame: not for us
        if r5 != 0x0008 goto pass               # not IPv4
        r5 = *(u8 *)(r2 + 23)                   # protocol
        if r5 != 17 goto pass                   # not UDP
        r5 = *(u16 *)(r2 + 36)                  # destination port
        if r5 != 0x901f goto pass               # not 8080
        r1 = r6
        r2 = -24
        call bpf_xdp_adjust_meta
        if r0 != 0 goto drop
        r7 = *(u32 *)(r6 + xdp_md.data_meta)
        r3 = *(u32 *)(r6 + xdp_md.data)
        r4 = r7
        r4 += 24
        if r4 > r3 goto drop
        r1 = r6
        r2 = r7
        call bpf_xdp_metadata_rx_timestamp      # into meta->rx_timestamp
        if r0 == 0 goto hash
        *(u64 *)(r7 + 0) = 0                    # no timestamp
hash:
        r1 = r6
        r2 = r7
        r2 += 8                                 # &meta->rx_hash
        r3 = r7
        r3 += 12                                # &meta->rx_hash_type
        call bpf_xdp_metadata_rx_hash
        if r0 == 0 goto queue
        *(u32 *)(r7 + 8) = 0                    # no hash
        *(u32 *)(r7 + 12) = r0                  # rx_hash_type holds -errno
queue:
        r2 = *(u32 *)(r6 + xdp_md.rx_queue_index)
        *(u32 *)(r7 + 16) = r2
        *(u32 *)(r7 + 20) = 0
        r1 = xsk ll
        r3 = 2                                  # XDP_PASS when the queue has no socket
        call bpf_redirect_map
        exit
pass:
        r0 = 2
        exit
drop:
        r0 = 1
        exit
