/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kernel-types.h: the few kernel types the C examples use, in place of a generated vmlinux.h.
 *
 * A vmlinux.h (bpftool btf dump file /sys/kernel/btf/vmlinux format c) declares every type of
 * one kernel build: well over 100,000 lines. The examples need a handful, so they are written
 * out here. Structs that live in kernel memory carry preserve_access_index: clang then records
 * a CO-RE relocation for every field access, and libbpf fixes each offset against the running
 * kernel's BTF when it loads the object. So a struct here lists only the fields that are used,
 * in any order, and its layout does not have to match the kernel's.
 *
 * The program contexts (struct xdp_md, struct __sk_buff) are UAPI: their layout is a stable
 * ABI and is given as it is. The packet headers (ethhdr, iphdr, ...) are wire formats, not
 * kernel memory, so they have no preserve_access_index either.
 *
 * The UAPI headers of this system (<linux/bpf.h>, <linux/if_ether.h>) cannot be used with
 * `clang -target bpf` alone: they include <asm/types.h>, which only the host's multiarch
 * include folder has. That is why the basic integer types are spelled out below as well.
 */
#ifndef BPFP_KERNEL_TYPES_H
#define BPFP_KERNEL_TYPES_H

typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef short __s16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

/* errno values the examples return (negated), as in include/uapi/asm-generic/errno*.h */
#define ENOENT 2
#define ENOMEM 12
#define EBUSY 16

/* enum bpf_map_type (include/uapi/linux/bpf.h): only the map types used, with their values */
enum bpf_map_type {
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_XSKMAP = 17,
};

/* bpf_map_update_elem flags */
#define BPF_ANY 0

/* enum xdp_action and the tc verdict used */
enum xdp_action {
	XDP_ABORTED = 0,
	XDP_DROP = 1,
	XDP_PASS = 2,
	XDP_TX = 3,
	XDP_REDIRECT = 4,
};
#define TC_ACT_OK 0

/* ---- kernel memory (CO-RE) ---- */

/* include/linux/cpumask_types.h: a bitmap of nr_cpu_ids bits. Only passed by pointer. */
struct cpumask {
	unsigned long bits[1];
} __attribute__((preserve_access_index));

/*
 * kernel/bpf/cpumask.c: the refcounted cpumask that BPF programs allocate. Its first member is
 * a struct cpumask, which is why a struct bpf_cpumask * may be passed where a kfunc takes a
 * const struct cpumask *. The map values' kptr fields point to this type: the kernel looks its
 * name up in its own BTF, so it must be a full struct here (a forward declaration is refused).
 */
struct bpf_cpumask {
	struct cpumask cpumask;
} __attribute__((preserve_access_index));

/* include/linux/sched.h: the three fields the examples read */
struct task_struct {
	int pid;
	const struct cpumask *cpus_ptr;
	char comm[16];
} __attribute__((preserve_access_index));

/* include/linux/cgroup-defs.h: the tp_btf/cgroup_mkdir argument, not dereferenced */
struct cgroup {
	int level;
} __attribute__((preserve_access_index));

/* include/net/xdp.h: what bpf_xdp_metadata_rx_hash reports about the hash it returns */
enum xdp_rss_hash_type {
	XDP_RSS_TYPE_NONE = 0,
	XDP_RSS_L3_IPV4 = 1,
	XDP_RSS_L3_IPV6 = 2,
	XDP_RSS_L3_DYNHDR = 4,
	XDP_RSS_L4 = 8,
	XDP_RSS_L4_TCP = 16,
	XDP_RSS_L4_UDP = 32,
	XDP_RSS_L4_SCTP = 64,
	XDP_RSS_L4_IPSEC = 128,
	XDP_RSS_L4_ICMP = 256,
};

/* ---- program contexts (UAPI, include/uapi/linux/bpf.h) ---- */

struct xdp_md {
	__u32 data;
	__u32 data_end;
	__u32 data_meta;
	__u32 ingress_ifindex;
	__u32 rx_queue_index;
	__u32 egress_ifindex;
};

/* struct __sk_buff up to data_meta, the last field the tc example reads */
struct __sk_buff {
	__u32 len;
	__u32 pkt_type;
	__u32 mark;
	__u32 queue_mapping;
	__u32 protocol;
	__u32 vlan_present;
	__u32 vlan_tci;
	__u32 vlan_proto;
	__u32 priority;
	__u32 ingress_ifindex;
	__u32 ifindex;
	__u32 tc_index;
	__u32 cb[5];
	__u32 hash;
	__u32 tc_classid;
	__u32 data;
	__u32 data_end;
	__u32 napi_id;
	__u32 family;
	__u32 remote_ip4;
	__u32 local_ip4;
	__u32 remote_ip6[4];
	__u32 local_ip6[4];
	__u32 remote_port;
	__u32 local_port;
	__u32 data_meta;
};

/* ---- packet headers (wire formats, include/uapi/linux/if_ether.h, ip.h, ipv6.h, udp.h) ---- */

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_8021Q 0x8100
#define ETH_P_IPV6 0x86DD
#define IPPROTO_UDP 17

struct ethhdr {
	unsigned char h_dest[6];
	unsigned char h_source[6];
	__be16 h_proto;
};

/* the 802.1Q tag that follows the MAC addresses when h_proto is ETH_P_8021Q */
struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

struct iphdr {
	__u8 ihl:4, version:4; /* little-endian bit order, as on x86 and bpfel */
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__u16 check;
	__be32 saddr;
	__be32 daddr;
};

struct ipv6hdr {
	__u8 priority:4, version:4;
	__u8 flow_lbl[3];
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__u8 saddr[16];
	__u8 daddr[16];
};

struct udphdr {
	__be16 source;
	__be16 dest;
	__be16 len;
	__u16 check;
};

#endif /* BPFP_KERNEL_TYPES_H */
