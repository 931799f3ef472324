# Packets and bytes per RX queue — how RSS spreads the traffic: struct xdp_md's rx_queue_index
# says which queue the NIC put each frame on (the Toeplitz hash of its flow through the
# indirection table). `per_queue[q]` holds { u64 packets; u64 bytes; }. Every frame is passed.
# Runs under both profiles; no metadata kfuncs, so it also runs in BPF_PROG_TEST_RUN.

.section xdp
.license "GPL"
.map per_queue type=array key=4 value=16 max_entries=64

count:
        r2 = *(u32 *)(r1 + xdp_md.data)
        r3 = *(u32 *)(r1 + xdp_md.data_end)
        r3 -= r2                                # the frame's length
        r6 = r3
        r2 = *(u32 *)(r1 + xdp_md.rx_queue_index)
        *(u32 *)(r10 - 4) = r2                  # key = the queue
        r1 = per_queue ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem                # r0 = &per_queue[q], or NULL past max_entries
        if r0 == 0 goto out
        r1 = 1
        lock *(u64 *)(r0 + 0) += r1             # packets
        lock *(u64 *)(r0 + 8) += r6             # bytes
out:
        r0 = 2                                  # XDP_PASS
        exit
