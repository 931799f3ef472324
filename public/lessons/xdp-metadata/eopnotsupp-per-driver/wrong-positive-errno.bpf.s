# What the driver gives, counted:
#   stats[0]  frames with an RX timestamp
#   stats[1]  rx_timestamp returned -EOPNOTSUPP (-95): this driver never gives timestamps
#   stats[2]  rx_timestamp returned -ENODATA (-61): the driver does, this frame has none
#   stats[3]  rx_hash returned -EOPNOTSUPP: this driver never gives hashes
.section xdp
.license "GPL"
.map stats type=array key=4 value=8 max_entries=4

        r6 = r1
        r1 = r6
        r2 = r10
        r2 += -8                                # u64 timestamp
        call bpf_xdp_metadata_rx_timestamp
        r7 = 0                                  # slot: timestamp given
        if r0 == 0 goto count_ts
        r7 = 1
        if r0 == 95 goto count_ts               # -EOPNOTSUPP
        r7 = 2
        if r0 == 61 goto count_ts               # -ENODATA
        goto hash
count_ts:
        r1 = r7
        call count
hash:
        r1 = r6
        r2 = r10
        r2 += -12                               # u32 hash
        r3 = r10
        r3 += -16                               # u32 rss_type
        call bpf_xdp_metadata_rx_hash
        if r0 != 95 goto pass
        r1 = 3
        call count
pass:
        r0 = 2                                  # XDP_PASS
        exit

# count(slot): stats[slot] += 1
count:
        *(u32 *)(r10 - 4) = r1
        r1 = stats ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem
        if r0 == 0 goto out
        r1 = 1
        lock *(u64 *)(r0 + 0) += r1
out:
        r0 = 0
        exit
