# The XDP half is done: a frame the NIC hashed gets 8 bytes of metadata,
#   offset 0: u32 rx_hash      offset 4: u32 rss_type (enum xdp_rss_hash_type)
# a frame without a hash gets none; all go on to the stack (XDP_PASS), where the tc program
# below sees them.
.section xdp
.license "GPL"

        r6 = r1
        r1 = r6
        r2 = r10
        r2 += -8                                # u32 hash
        r3 = r10
        r3 += -4                                # u32 rss_type
        call bpf_xdp_metadata_rx_hash
        if r0 != 0 goto pass                    # no hash: no metadata
        r1 = r6
        r2 = -8
        call bpf_xdp_adjust_meta
        if r0 != 0 goto pass
        r7 = *(u32 *)(r6 + xdp_md.data_meta)
        r3 = *(u32 *)(r6 + xdp_md.data)
        r4 = r7
        r4 += 8
        if r4 > r3 goto pass
        r1 = *(u64 *)(r10 - 8)                  # hash and rss_type, as they lie on the stack
        *(u64 *)(r7 + 0) = r1
pass:
        r0 = 2                                  # XDP_PASS
        exit

# Your part: drop (TC_ACT_SHOT, 2) the frames whose rss_type lacks XDP_RSS_L4 (8), the NIC
# hashed them without ports; let the rest go on (TC_ACT_OK, 0). Without metadata: TC_ACT_OK.
.section tc
        r0 = 0                                  # TC_ACT_OK
        exit
