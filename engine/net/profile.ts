// The traffic profile (DESIGN.md "Traffic profile", a contract shared by the UI, share links
// and `bpfp xdp`) as the engine uses it once validated: flows to generate, how many packets at
// what rate, the NIC's queues and driver, and the AF_XDP consumer's configuration.

/** What the driver offers the metadata kfuncs (drivers' xdp_metadata_ops). */
export type DriverProfile = 'full' | 'hash-only' | 'none';

/** Which frames get a hardware RX timestamp (the hwtstamp filter of SIOCSHWTSTAMP). */
export type TimestampFilter = 'all' | 'ptp' | 'none';

export type FlowProto = 'udp' | 'tcp' | 'icmp';

/** A payload size: fixed, a range drawn uniformly, or the simple IMIX (7:4:1 of 64, 576, 1500). */
export type FlowSize = number | readonly [number, number] | 'imix';

export interface Flow {
  readonly proto: FlowProto;
  readonly ipv6: boolean;
  /** Addresses as text ("10.0.0.1", "2001:db8::1"). */
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  /** 802.1Q VLAN id (1-4094), absent for untagged frames. */
  readonly vlan?: number;
  /** Frame size on the wire without the FCS: 64 is the smallest Ethernet frame. */
  readonly size: FlowSize;
  /** Relative share of the packets. */
  readonly weight: number;
  /** Source and destination MAC addresses ("02:00:00:00:00:01"). */
  readonly srcMac: string;
  readonly dstMac: string;
  /** TCP flags of every segment of the flow (default ACK, 0x10: DEFAULT_TCP_FLAGS of the generator); ignored for others. */
  readonly tcpFlags?: number;
}

export interface NicConfig {
  readonly driver: DriverProfile;
  /** Toeplitz key, at least 40 bytes (default: the Microsoft verification key). */
  readonly rssKey: Uint8Array;
  /** RSS indirection table: hash → queue (default 128 entries, i % queues). */
  readonly indirection: readonly number[];
  readonly timestamps: TimestampFilter;
  /** The "full" driver strips the 802.1Q tag into the descriptor (rx-vlan-offload), as real NICs do by default. */
  readonly vlanStrip: boolean;
}

export interface XskConfig {
  /** The consumer's METADATA_SIZE: the bytes it reads in front of each packet (an out-of-band constant). */
  readonly metadataSize: number;
  /** UMEM frame size (XSK_UMEM__DEFAULT_FRAME_SIZE). */
  readonly frameSize: number;
  /** UMEM frames per socket. */
  readonly frames: number;
}

export interface TrafficProfile {
  readonly seed: number;
  readonly packets: number;
  /** Packets per second: the virtual clock advances 1e9 / rate_pps ns per packet. */
  readonly ratePps: number;
  readonly queues: number;
  readonly nic: NicConfig;
  readonly flows: readonly Flow[];
  readonly xsk: XskConfig;
}

export const MAX_PACKETS = 10_000_000;
export const MAX_QUEUES = 64;
export const MAX_FLOWS = 256;
/** Largest frame the generator builds and the NIC accepts (no jumbo frames, no multi-buffer). */
export const MAX_FRAME = 1514;
export const MIN_FRAME = 60;

/** The 40-byte Microsoft RSS verification key (kernel-facts.md §8.2), the default key. */
export const MICROSOFT_RSS_KEY = Uint8Array.from([
  0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb,
  0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
]);

export const DEFAULT_XSK: XskConfig = { metadataSize: 24, frameSize: 4096, frames: 64 };

/** The default traffic: one UDP flow to port 8080 (what the xdp_metadata selftest's rx program wants), 64 packets on 4 queues. */
export const DEFAULT_TRAFFIC_JSON = {
  seed: 1,
  packets: 64,
  rate_pps: 1_000_000,
  queues: 4,
  nic: { driver: 'full' },
  flows: [
    { proto: 'udp', src: '10.0.0.1', dst: '10.0.0.2', sport: 1234, dport: 8080, size: 64, weight: 3 },
    { proto: 'tcp', src: '10.0.0.3', dst: '10.0.0.2', sport: 40000, dport: 80, size: [64, 1500], weight: 1 },
    { proto: 'udp', ipv6: true, src: '2001:db8::1', dst: '2001:db8::2', sport: 5353, dport: 8080, vlan: 59, size: 'imix', weight: 1 },
  ],
} as const;
