# The entry program tail-calls jumps[0], which the loader fills with the program xdp/count.
# xdp/count counts every frame under its RSS hash type (types[rss_type] += 1) and passes it.
# It asks the driver itself, which makes it device-bound: the loader cannot put it in the
# prog_array. Fix it: ask the driver in the entry program (it is attached to the device), hand
# rss_type on in 4 bytes of metadata (u32 at data_meta + 0), and read it there in xdp/count.
.section xdp
.license "GPL"
.map jumps type=prog_array key=4 value=4 max_entries=1
.map types type=hash key=4 value=8 max_entries=64

        r2 = jumps ll
        r3 = 0
        call bpf_tail_call
        r0 = 2                                  # XDP_PASS if jumps[0] is empty
        exit

.section xdp/count
        r6 = r1
        r1 = r6
        r2 = r10
        r2 += -8                                # u32 hash
        r3 = r10
        r3 += -4                                # u32 rss_type
        call bpf_xdp_metadata_rx_hash
        if r0 != 0 goto pass
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
