# The xdp_metadata selftest's programs (tools/testing/selftests/bpf/progs/xdp_metadata.c, as
# kernel-facts.md §4.9 describes them), written for the playground in assembly. linux-6.18
# profile: the rx program asks for the VLAN tag too (bpf_xdp_metadata_rx_vlan_tag is 6.10+).
#
# struct xdp_meta, 32 bytes, the selftest header's newest layout:
#   0  __u64 rx_timestamp            (union: __s32 rx_timestamp_err)
#   8  __u64 xdp_timestamp
#  16  __u32 rx_hash
#  20  __u32 rx_hash_type            (union: __s32 rx_hash_err)
#  24  __be16 rx_vlan_proto, 26 __u16 rx_vlan_tci   (union: __s32 rx_vlan_tag_err)
#  28  __u32 hint_valid              XDP_META_FIELD_TS 1, _RSS 2, _VLAN_TAG 4
#
# rx: UDP to port 8080 (IPv4 or IPv6) gets the metadata and goes to the AF_XDP socket of its
# RX queue; anything else is passed. A timestamp of 0 is stored as 1, as the 6.4 selftest does,
# so that the consumer can tell "stored" from "not written".

.section xdp
.license "GPL"
.map xsk type=xskmap key=4 value=4 max_entries=4
.map prog_arr type=prog_array key=4 value=4 max_entries=1
.map dev_map type=devmap key=4 value=8 max_entries=1

rx:
        r6 = r1
        r2 = *(u32 *)(r6 + xdp_md.data)
        r3 = *(u32 *)(r6 + xdp_md.data_end)
        r4 = r2
        r4 += 14
        if r4 > r3 goto pass
        r5 = *(u16 *)(r2 + 12)
        r2 += 14
        if r5 == 0x0008 goto ipv4
        if r5 == 0xdd86 goto ipv6
        goto pass
ipv4:
        r4 = r2
        r4 += 20
        if r4 > r3 goto pass
        r5 = *(u8 *)(r2 + 9)
        if r5 != 17 goto pass                   # IPPROTO_UDP
        r2 += 20                                # the selftest's sender sends no IP options
        goto udp
ipv6:
        r4 = r2
        r4 += 40
        if r4 > r3 goto pass
        r5 = *(u8 *)(r2 + 6)
        if r5 != 17 goto pass
        r2 += 40
udp:
        r4 = r2
        r4 += 8
        if r4 > r3 goto pass
        r5 = *(u16 *)(r2 + 2)
        if r5 != 0x901f goto pass               # dest != bpf_htons(8080)

        r1 = r6
        r2 = -32                                # -sizeof(struct xdp_meta)
        call bpf_xdp_adjust_meta
        if r0 != 0 goto drop
        r7 = *(u32 *)(r6 + xdp_md.data_meta)
        r3 = *(u32 *)(r6 + xdp_md.data)
        r4 = r7
        r4 += 32
        if r4 > r3 goto drop
        r8 = 0                                  # hint_valid

        r1 = 0
        *(u64 *)(r10 - 8) = r1
        r1 = r6
        r2 = r10
        r2 += -8                                # a local, as the selftest does
        call bpf_xdp_metadata_rx_timestamp
        if r0 == 0 goto ts_ok
        *(u32 *)(r7 + 0) = r0                   # rx_timestamp_err
        *(u32 *)(r7 + 4) = 0
        goto xdp_ts
ts_ok:
        r1 = *(u64 *)(r10 - 8)
        if r1 != 0 goto ts_store
        r1 = 1                                  # a zero timestamp is stored as 1
ts_store:
        *(u64 *)(r7 + 0) = r1
        r8 |= 1
xdp_ts:
        call bpf_ktime_get_ns                   # when XDP saw it (the selftest uses TAI time)
        *(u64 *)(r7 + 8) = r0

        r1 = r6
        r2 = r7
        r2 += 16
        r3 = r7
        r3 += 20
        call bpf_xdp_metadata_rx_hash
        if r0 == 0 goto hash_ok
        *(u32 *)(r7 + 20) = r0                  # rx_hash_err
        goto vlan
hash_ok:
        r8 |= 2
vlan:
        r1 = r6
        r2 = r7
        r2 += 24
        r3 = r7
        r3 += 26
        call bpf_xdp_metadata_rx_vlan_tag
        if r0 == 0 goto vlan_ok
        *(u32 *)(r7 + 24) = r0                  # rx_vlan_tag_err
        goto done
vlan_ok:
        r8 |= 4
done:
        *(u32 *)(r7 + 28) = r8
        r2 = *(u32 *)(r6 + xdp_md.rx_queue_index)
        r1 = xsk ll
        r3 = 2                                  # XDP_PASS when the queue has no socket
        call bpf_redirect_map
        exit
pass:
        r0 = 2
        exit
drop:
        r0 = 1
        exit

.section xdp/redirect
redirect:
        r2 = *(u32 *)(r1 + xdp_md.rx_queue_index)
        r1 = dev_map ll
        r3 = 2
        call bpf_redirect_map
        exit
