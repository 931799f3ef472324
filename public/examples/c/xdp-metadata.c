// SPDX-License-Identifier: GPL-2.0
/*
 * xdp-metadata.c: the C twin of ../xdp-metadata.bpf.s, the playground's version of the kernel
 * selftest program xdp_metadata (Documentation/networking/xdp-rx-metadata.rst, "AF_XDP").
 *
 * For each UDP datagram to port 8080 (IPv4 or IPv6, with or without an 802.1Q tag), reserve
 * 24 bytes of metadata in front of the packet (bpf_xdp_adjust_meta), ask the driver for the
 * frame's hardware RX timestamp and RSS hash (the metadata kfuncs), write them there, and
 * redirect the frame to the AF_XDP socket of its RX queue (the XSKMAP xsk, flags XDP_PASS: a
 * queue without a socket passes the frame on). Everything else gets XDP_PASS; XDP_DROP if the
 * metadata area cannot be made.
 *
 * The consumer finds the metadata at rx_desc.addr - sizeof(struct xdp_meta): the descriptor
 * does not say how long it is, both sides agree on it.
 *
 * Calling the metadata kfuncs makes this a device-bound program: it has to be loaded for one
 * netdev (BPF_F_XDP_DEV_BOUND_ONLY and prog_ifindex; `bpftool prog load ... xdpmeta_dev DEV`).
 */
#include "kernel-types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, __u64 *timestamp) __ksym;
extern int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, __u32 *hash,
				    enum xdp_rss_hash_type *rss_type) __ksym;

struct xdp_meta {
	__u64 rx_timestamp;   /* ns, or 0 when the driver gave none */
	__u32 rx_hash;
	__s32 rx_hash_type;   /* enum xdp_rss_hash_type, or -errno */
	__u32 rx_queue_index;
	__u32 reserved;
};

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 64);
} xsk SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

#define UDP_PORT 8080

SEC("xdp")
int rx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct xdp_meta *meta;
	struct udphdr *udp;
	__u32 queue;
	__be16 proto;
	void *l3;
	int ret;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS; /* shorter than an Ethernet header */
	proto = eth->h_proto;
	l3 = eth + 1;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		/* the tag is still in the frame when the driver does not strip it */
		struct vlan_hdr *vlan = l3;

		if ((void *)(vlan + 1) > data_end)
			return XDP_PASS;
		proto = vlan->h_vlan_encapsulated_proto;
		l3 = vlan + 1;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = l3;

		if ((void *)(iph + 1) > data_end)
			return XDP_PASS;
		if (iph->protocol != IPPROTO_UDP)
			return XDP_PASS;
		udp = l3 + iph->ihl * 4; /* header length in bytes, options included */
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = l3;

		if ((void *)(ip6h + 1) > data_end)
			return XDP_PASS;
		if (ip6h->nexthdr != IPPROTO_UDP) /* no extension headers here */
			return XDP_PASS;
		udp = (void *)(ip6h + 1);
	} else {
		return XDP_PASS;
	}

	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	if (udp->dest != bpf_htons(UDP_PORT))
		return XDP_PASS;

	/* Grow the metadata area; every packet pointer taken before this is now invalid. */
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct xdp_meta)))
		return XDP_DROP;
	meta = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if ((void *)(meta + 1) > data)
		return XDP_DROP; /* the verifier wants this check before any write */

	meta->rx_timestamp = 0; /* until the driver says otherwise */
	if (bpf_xdp_metadata_rx_timestamp(ctx, &meta->rx_timestamp))
		meta->rx_timestamp = 0; /* no timestamp: leave 0 */

	ret = bpf_xdp_metadata_rx_hash(ctx, &meta->rx_hash,
				       (enum xdp_rss_hash_type *)&meta->rx_hash_type);
	if (ret) {
		meta->rx_hash = 0;       /* no hash */
		meta->rx_hash_type = ret; /* -EOPNOTSUPP or -ENODATA */
	}

	queue = ctx->rx_queue_index;
	meta->rx_queue_index = queue;
	meta->reserved = 0;

	/* XDP_REDIRECT to the queue's socket, or XDP_PASS when its slot is empty */
	return bpf_redirect_map(&xsk, queue, XDP_PASS);
}
