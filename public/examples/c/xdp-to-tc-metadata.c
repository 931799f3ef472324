// SPDX-License-Identifier: GPL-2.0
/*
 * xdp-to-tc-metadata.c: the C twin of ../xdp-to-tc-metadata.bpf.s: two programs in one file.
 * Documentation/networking/xdp-rx-metadata.rst, "XDP_PASS": the kernel does not consume the
 * custom metadata when it builds the skb, so a tc program can read it through
 * __sk_buff->data_meta.
 *
 * xdp_stamp (section xdp) stores the hardware RX timestamp and RSS hash in 16 bytes of
 * metadata and passes every frame. tc_read (section tc) finds them in front of the packet,
 * prints "tc: ts=%llu hash=%x type=%u" and lets the packet go on (TC_ACT_OK).
 *
 * xdp_stamp calls the metadata kfuncs, so it is device-bound (loaded for one netdev, with
 * BPF_F_XDP_DEV_BOUND_ONLY); tc_read is an ordinary classifier and must not be.
 */
#include "kernel-types.h"
#include <bpf/bpf_helpers.h>
#include "stack-printk.h"

extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, __u64 *timestamp) __ksym;
extern int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, __u32 *hash,
				    enum xdp_rss_hash_type *rss_type) __ksym;

struct meta {
	__u64 rx_timestamp;
	__u32 rx_hash;
	__u32 rx_hash_type;
};

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int xdp_stamp(struct xdp_md *ctx)
{
	struct meta *meta;
	void *data;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct meta)))
		return XDP_PASS;
	meta = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if ((void *)(meta + 1) > data)
		return XDP_PASS;

	/* zero unless the driver has a timestamp / a hash; the kfuncs write only on success */
	meta->rx_timestamp = 0;
	meta->rx_hash = 0;
	meta->rx_hash_type = 0;
	bpf_xdp_metadata_rx_timestamp(ctx, &meta->rx_timestamp);
	bpf_xdp_metadata_rx_hash(ctx, &meta->rx_hash, (enum xdp_rss_hash_type *)&meta->rx_hash_type);

	return XDP_PASS; /* on to the stack, and to tc */
}

SEC("tc")
int tc_read(struct __sk_buff *skb)
{
	struct meta *meta = (void *)(long)skb->data_meta;
	void *data = (void *)(long)skb->data;

	if ((void *)(meta + 1) > data)
		return TC_ACT_OK; /* no metadata (XDP did not run, or adjust_meta failed) */

	STACK_PRINTK("tc: ts=%llu hash=%x type=%u", meta->rx_timestamp, meta->rx_hash,
		     meta->rx_hash_type);
	return TC_ACT_OK;
}
