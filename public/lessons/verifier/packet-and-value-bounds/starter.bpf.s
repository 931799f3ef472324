# Count IPv4 packets by protocol. The frame starts with 14 bytes of Ethernet header (the
# EtherType, 0x0800 for IPv4, at bytes 12-13); the IPv4 protocol is byte 9 of the IP header,
# byte 23 of the frame. by_proto has one value: 32 u64 counters, counter p at byte p * 8.
# Protocols 32 and above, and frames too short to hold the protocol, are not counted.
# Every packet is passed (XDP_PASS = 2).
# The verifier refuses this program: make every access provably in bounds.
.section xdp
.license "GPL"
.map by_proto type=array key=4 value=256 max_entries=1

        r2 = *(u32 *)(r1 + xdp_md.data)         # r2 = data: the first byte of the frame
        r3 = *(u32 *)(r1 + xdp_md.data_end)     # r3 = data_end: one past the last byte
        r4 = *(u16 *)(r2 + 12)                  # r4 = the EtherType, in network byte order
        if r4 != 0x0008 goto out                # not IPv4 (0x0800 read little-endian)
        r6 = *(u8 *)(r2 + 23)                   # r6 = the IPv4 protocol
        r1 = 0
        *(u32 *)(r10 - 4) = r1                  # key = 0
        r1 = by_proto ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem                # r0 = &by_proto[0], or NULL
        if r0 == 0 goto out
        r6 <<= 3                                # r6 = the counter's offset, protocol * 8
        r0 += r6
        r1 = 1
        lock *(u64 *)(r0 + 0) += r1             # counter[protocol] += 1
out:
        r0 = 2                                  # XDP_PASS
        exit
