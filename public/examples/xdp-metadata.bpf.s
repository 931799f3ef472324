# XDP RX metadata to AF_XDP — Documentation/networking/xdp-rx-metadata.rst, "AF_XDP".
# Runs under both profiles (linux-6.3 and linux-6.18), on the emulated NIC.
#
# For each UDP datagram to port 8080, the program reserves 24 bytes of metadata in front of the
# packet (bpf_xdp_adjust_meta), asks the driver for the frame's hardware RX timestamp and RSS
# hash (the metadata kfuncs), writes them there, and redirects the frame to the AF_XDP socket
# of its RX queue. Everything else goes on to the kernel (XDP_PASS).
#
# The consumer finds the metadata at rx_desc.addr - METADATA_SIZE (24, set in the traffic
# profile's xsk.metadata_size): the descriptor does not say how long it is; both sides agree.
#
#   struct xdp_meta {            offset
#       __u64 rx_timestamp;       0   ns, or 0 when the driver gave none
#       __u32 rx_hash;            8
#       __s32 rx_hash_type;      12   enum xdp_rss_hash_type, or -errno
#       __u32 rx_queue_index;    16
#       __u32 reserved;          20
#   };
#
# Calling the metadata kfuncs binds the program to the device (BPF_F_XDP_DEV_BOUND_ONLY): it
# runs on the emulated NIC, not in BPF_PROG_TEST_RUN. Try the driver profiles in the Traffic
# panel: "hash-only" gives no timestamps (-EOPNOTSUPP), "none" neither (the generic stubs).

.section xdp
.license "GPL"
.map xsk type=xskmap key=4 value=4 max_entries=64

rx:
        r6 = r1                                 # r6 = ctx (struct xdp_md *), kept across calls
        r2 = *(u32 *)(r6 + xdp_md.data)         # r2 = data: the Ethernet header
        r3 = *(u32 *)(r6 + xdp_md.data_end)     # r3 = data_end
        r4 = r2
        r4 += 14
        if r4 > r3 goto pass                    # shorter than an Ethernet header
        r5 = *(u16 *)(r2 + 12)                  # h_proto, network order read little-endian
        r2 += 14                                # r2 = the L3 header
        if r5 != 0x0081 goto l3                 # 802.1Q tag still in the frame (hash-only/none drivers)?
        r4 = r2
        r4 += 4
        if r4 > r3 goto pass
        r5 = *(u16 *)(r2 + 2)                   # the encapsulated ethertype
        r2 += 4
l3:
        if r5 == 0x0008 goto ipv4               # ETH_P_IP (0x0800)
        if r5 == 0xdd86 goto ipv6               # ETH_P_IPV6 (0x86dd)
        goto pass

ipv4:
        r4 = r2
        r4 += 20
        if r4 > r3 goto pass                    # IPv4 header does not fit
        r5 = *(u8 *)(r2 + 9)                    # protocol
        if r5 != 17 goto pass                   # not UDP
        r5 = *(u8 *)(r2 + 0)                    # version and IHL
        r5 &= 0x0f
        r5 <<= 2                                # header length in bytes (options included)
        r2 += r5                                # r2 = the UDP header
        goto udp

ipv6:
        r4 = r2
        r4 += 40
        if r4 > r3 goto pass                    # IPv6 header does not fit
        r5 = *(u8 *)(r2 + 6)                    # next header (no extension headers here)
        if r5 != 17 goto pass                   # not UDP
        r2 += 40                                # r2 = the UDP header

udp:
        r4 = r2
        r4 += 8
        if r4 > r3 goto pass                    # UDP header does not fit
        r5 = *(u16 *)(r2 + 2)                   # destination port, network order
        if r5 != 0x901f goto pass               # not port 8080 (0x1f90)

        r1 = r6
        r2 = -24                                # grow the metadata area by sizeof(struct xdp_meta)
        call bpf_xdp_adjust_meta                # r0 = 0, or -EACCES / -EINVAL
        if r0 != 0 goto drop
        r7 = *(u32 *)(r6 + xdp_md.data_meta)    # reload: adjust_meta moved the bounds
        r3 = *(u32 *)(r6 + xdp_md.data)
        r4 = r7
        r4 += 24
        if r4 > r3 goto drop                    # the verifier wants this check before writing

        r1 = 0
        *(u64 *)(r7 + 0) = r1                   # meta->rx_timestamp = 0 until the driver says otherwise
        r1 = r6
        r2 = r7                                 # &meta->rx_timestamp (metadata is packet memory)
        call bpf_xdp_metadata_rx_timestamp      # r0 = 0, -EOPNOTSUPP or -ENODATA
        if r0 == 0 goto hash
        r1 = 0
        *(u64 *)(r7 + 0) = r1                   # no timestamp: leave 0

hash:
        r1 = r6
        r2 = r7
        r2 += 8                                 # &meta->rx_hash
        r3 = r7
        r3 += 12                                # &meta->rx_hash_type
        call bpf_xdp_metadata_rx_hash           # r0 = 0, -EOPNOTSUPP or -ENODATA
        if r0 == 0 goto queue
        *(u32 *)(r7 + 8) = 0                    # no hash
        *(u32 *)(r7 + 12) = r0                  # rx_hash_type holds -errno

queue:
        r2 = *(u32 *)(r6 + xdp_md.rx_queue_index)
        *(u32 *)(r7 + 16) = r2                  # meta->rx_queue_index
        *(u32 *)(r7 + 20) = 0                   # meta->reserved

        r1 = xsk ll                             # the XSKMAP: one socket per queue
        r3 = 2                                  # flags: XDP_PASS when the slot is empty
        call bpf_redirect_map                   # r0 = XDP_REDIRECT, or XDP_PASS
        exit

pass:
        r0 = 2                                  # XDP_PASS
        exit
drop:
        r0 = 1                                  # XDP_DROP
        exit
