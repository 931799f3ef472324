# The entry program (device-bound: it calls a metadata kfunc) asks the driver for the hash type
# and leaves it in 4 bytes of metadata; xdp/count, which jumps[0] holds, reads it from there
# and counts types[rss_type] += 1. xdp/count calls no metadata kfunc, so it is not bound to a
# device and may go into the prog_array.
.section xdp
.license "GPL"
.map jumps type=prog_array key=4 value=4 max_entries=1
.map types type=hash key=4 value=8 max_entries=64

        r6 = r1
        r1 = r6
        r2 = r10
        r2 += -8                                # u32 hash
        r3 = r10
        r3 += -4                                # u32 rss_type
        call bpf_xdp_metadata_rx_hash
        if r0 != 0 goto pass                    # no hash: nothing to count
        r1 = r6
        r2 = -4
        call bpf_xdp_adjust_meta
        if r0 != 0 goto pass
        r2 = *(u32 *)(r6 + xdp_md.data_meta)
        r3 = *(u32 *)(r6 + xdp_md.data)
        r4 = r2
        r4 += 4
        if r4 > r3 goto pass
        r1 = *(u32 *)(r10 - 4)
        *(u32 *)(r2 + 0) = r1                   # rss_type for the next program
        r1 = r6
        r2 = jumps ll
        r3 = 0
        call bpf_tail_call
pass:
        r0 = 2                                  # XDP_PASS
        exit

.section xdp/count
        r2 = *(u32 *)(r1 + xdp_md.data_meta)
        r3 = *(u32 *)(r1 + xdp_md.data)
        r4 = r2
        r4 += 4
        if r4 > r3 goto pass                    # no metadata: nothing to count
        r1 = *(u32 *)(r2 + 0)
        *(u32 *)(r10 - 4) = r1                  # key: rss_type
        r1 = types ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem
        if r0 == 0 goto first
        r1 = 1
        lock *(u64 *)(r0 + 0) += r1
        goto pass
first:
        r1 = 1
        *(u64 *)(r10 - 16) = r1
        r1 = types ll
        r2 = r10
        r2 += -4
        r3 = r10
        r3 += -16
        r4 = 0
        call bpf_map_update_elem
pass:
        r0 = 2                                  # XDP_PASS
        exit
