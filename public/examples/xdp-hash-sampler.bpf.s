# Sampling by RSS hash — keep one flow in four, drop the rest, using the hash the NIC already
# computed (bpf_xdp_metadata_rx_hash) instead of hashing the headers again. A flow always maps
# to the same hash, so a sampled flow is sampled whole: of the default traffic's three flows,
# the IPv6 one is kept (its hash ends in binary 00). Counts go to `counts`: [0] kept,
# [1] dropped, [2] frames without a hash (the driver said -ENODATA or -EOPNOTSUPP; kept).
# Runs under both profiles, on the emulated NIC.

.section xdp
.license "GPL"
.map counts type=percpu_array key=4 value=8 max_entries=3

sampler:
        r6 = r1                                 # ctx
        r1 = r6
        r2 = r10
        r2 += -8                                # &hash on the stack
        r3 = r10
        r3 += -4                                # &rss_type on the stack
        call bpf_xdp_metadata_rx_hash           # r0 = 0 or -errno
        r7 = 2                                  # counter index: no hash
        r8 = 2                                  # verdict: XDP_PASS
        if r0 != 0 goto count
        r1 = *(u32 *)(r10 - 8)                  # the hash
        r1 &= 3                                 # its low two bits pick one flow in four
        r7 = 0                                  # counter: kept
        if r1 == 0 goto count
        r7 = 1                                  # counter: dropped
        r8 = 1                                  # XDP_DROP

count:
        *(u32 *)(r10 - 12) = r7                 # key = the counter's index
        r1 = counts ll
        r2 = r10
        r2 += -12
        call bpf_map_lookup_elem                # r0 = this CPU's counter, or NULL
        if r0 == 0 goto out
        r1 = 1
        lock *(u64 *)(r0 + 0) += r1             # one more
out:
        r0 = r8
        exit
