.section xdp
.license "GPL"

ct_insert:
        r6 = r1                                 # r6 = struct xdp_md *ctx
        # struct bpf_sock_tuple (IPv4) at r10 - 16: 10.0.0.1:1234 -> 10.0.0.2:80, network order
        *(u32 *)(r10 - 16) = 0x0100000a         # saddr 10.0.0.1
        *(u32 *)(r10 - 12) = 0x0200000a         # daddr 10.0.0.2
        *(u16 *)(r10 - 8) = 0xd204              # sport 1234
        *(u16 *)(r10 - 6) = 0x5000              # dport 80
        # struct bpf_ct_opts (12 bytes) at r10 - 32
        *(u32 *)(r10 - 32) = -1                 # netns_id = BPF_F_CURRENT_NETNS
        *(u32 *)(r10 - 28) = 0                  # error
        *(u32 *)(r10 - 24) = 6                  # l4proto = IPPROTO_TCP, dir = 0, reserved = 0
        r1 = r6
        r2 = r10
        r2 += -16                               # &tuple
        r3 = 12                                 # sizeof(tuple.ipv4)
        r4 = r10
        r4 += -32                               # &opts
        r5 = 12                                 # opts size
        call bpf_xdp_ct_alloc                   # r0 = struct nf_conn___init * (not yet in the table) or NULL
        if r0 == 0 goto aborted
        r7 = r0                                 # r7 = the new entry: our reference
        r1 = r7
        call bpf_ct_insert_entry
        if r0 == 0 goto drop
        r1 = r0
        r2 = 30000
        call bpf_ct_change_timeout              # fine on an nf_conn...
        r0 = 2                                  # ...but the nf_conn reference is never released
        exit

drop:
        r0 = 1
        exit

aborted:
        r0 = 0
        exit
