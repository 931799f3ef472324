# Handing metadata from XDP to TC — Documentation/networking/xdp-rx-metadata.rst, "XDP_PASS":
# the kernel does not consume the custom metadata when it builds the skb, so a tc program can
# read it through __sk_buff->data_meta. Runs under both profiles, on the emulated NIC.
#
# The XDP program stores the hardware RX timestamp and RSS hash in 16 bytes of metadata and
# passes every frame; the tc program (section tc) finds them in front of the packet, prints
# them to the trace pipe and lets the packet go on (TC_ACT_OK).
#
#   struct meta { __u64 rx_timestamp; __u32 rx_hash; __u32 rx_hash_type; };   16 bytes

.section xdp
.license "GPL"

xdp_stamp:
        r6 = r1
        r1 = r6
        r2 = -16
        call bpf_xdp_adjust_meta                # 16 bytes of metadata in front of the packet
        if r0 != 0 goto pass
        r7 = *(u32 *)(r6 + xdp_md.data_meta)
        r3 = *(u32 *)(r6 + xdp_md.data)
        r4 = r7
        r4 += 16
        if r4 > r3 goto pass
        r1 = 0
        *(u64 *)(r7 + 0) = r1                   # no timestamp unless the driver has one
        *(u64 *)(r7 + 8) = r1                   # no hash unless the driver has one
        r1 = r6
        r2 = r7
        call bpf_xdp_metadata_rx_timestamp      # writes meta->rx_timestamp on success
        r1 = r6
        r2 = r7
        r2 += 8
        r3 = r7
        r3 += 12
        call bpf_xdp_metadata_rx_hash           # writes meta->rx_hash and rx_hash_type on success
pass:
        r0 = 2                                  # XDP_PASS: on to the stack, and to tc
        exit

.section tc
tc_read:
        r2 = *(u32 *)(r1 + __sk_buff.data_meta)
        r3 = *(u32 *)(r1 + __sk_buff.data)
        r4 = r2
        r4 += 16
        if r4 > r3 goto ok                      # no metadata (XDP did not run, or adjust_meta failed)
        r6 = *(u64 *)(r2 + 0)                   # rx_timestamp
        r7 = *(u32 *)(r2 + 8)                   # rx_hash
        r8 = *(u32 *)(r2 + 12)                  # rx_hash_type
        # bpf_printk("tc: ts=%llu hash=%x type=%u")
        r1 = 0x253d7374203a6374 ll              # "tc: ts=%"
        *(u64 *)(r10 - 32) = r1
        r1 = 0x6873616820756c6c ll              # "llu hash"
        *(u64 *)(r10 - 24) = r1
        r1 = 0x657079742078253d ll              # "=%x type"
        *(u64 *)(r10 - 16) = r1
        r1 = 0x75253d ll                        # "=%u" and the NUL
        *(u64 *)(r10 - 8) = r1
        r1 = r10
        r1 += -32                               # the format
        r2 = 28                                 # its size, NUL included
        r3 = r6
        r4 = r7
        r5 = r8
        call bpf_trace_printk
ok:
        r0 = 0                                  # TC_ACT_OK
        exit
