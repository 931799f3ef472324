# Count packets by length: by_length[len] += 1 for every packet, then pass it (XDP_PASS = 2).
# by_length has 128 slots, so a longer packet has no slot: it is passed without being counted.
# The verifier refuses this program: read its message and fix it.
.section xdp
.license "GPL"
.map by_length type=array key=4 value=8 max_entries=128

        r2 = *(u32 *)(r1 + xdp_md.data)
        r3 = *(u32 *)(r1 + xdp_md.data_end)
        r3 -= r2                        # r3 = the packet's length
        *(u32 *)(r10 - 4) = r3          # key = the length, on the stack
        r1 = by_length ll               # r1 = the map
        r2 = r10
        r2 += -4                        # r2 = &key
        call bpf_map_lookup_elem        # r0 = &by_length[len]
        r1 = 1
        lock *(u64 *)(r0 + 0) += r1     # by_length[len] += 1
        r0 = 2                          # XDP_PASS
        exit
