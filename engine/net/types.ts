// What a traffic run reports about each packet, in plain serialisable data: the worker
// protocol passes these to the UI unchanged, and `bpfp xdp` prints them.

/** XDP actions as the kernel names them; ILLEGAL is any other return value (the packet is dropped). */
export type XdpActionName = 'XDP_ABORTED' | 'XDP_DROP' | 'XDP_PASS' | 'XDP_TX' | 'XDP_REDIRECT' | 'ILLEGAL';

/** Where a packet ended up, after its verdict. */
export type PacketFate =
  | { readonly kind: 'dropped'; readonly reason: string }
  | { readonly kind: 'passed'; readonly tc?: string }
  | { readonly kind: 'transmitted' }
  | { readonly kind: 'xsk'; readonly queue: number; readonly addr: string }
  | { readonly kind: 'device'; readonly ifindex: number; readonly name: string; readonly peerAction?: XdpActionName }
  | { readonly kind: 'cpu'; readonly cpu: number; readonly tc?: string }
  | { readonly kind: 'fault'; readonly message: string };

export interface PacketSummary {
  readonly index: number;
  readonly queue: number;
  /** What bpf_xdp_metadata_rx_timestamp gives (ns), null where the driver or the frame has none. */
  readonly rxTimestamp: string | null;
  /** What bpf_xdp_metadata_rx_hash gives, null where none. */
  readonly rxHash: number | null;
  /** enum xdp_rss_hash_type of the hash. */
  readonly rssType: number;
  /** VLAN id in the descriptor (stripped by the NIC), null where none. */
  readonly vlan: number | null;
  /** Frame length as received. */
  readonly length: number;
  readonly flow: number;
  readonly action: XdpActionName;
  /** The raw return value (for ILLEGAL). */
  readonly retval: number;
  readonly fate: PacketFate;
  /** Instructions the XDP program ran for it. */
  readonly insns: number;
  /** Bytes of metadata in front of the data at the end of the program. */
  readonly metaLength: number;
}

/** The counters as a traffic run keeps them (NicCounters is the read-only view it reports). */
export interface MutableNicCounters {
  received: number;
  actions: Record<XdpActionName, number>;
  xsk: number;
  devices: number;
  cpus: number;
  tc: Record<string, number>;
  redirectErrors: number;
  faults: number;
}

/** Counters before the first packet (a fresh object each time: a run updates its own). */
export function emptyCounters(): MutableNicCounters {
  return { received: 0, actions: { XDP_ABORTED: 0, XDP_DROP: 0, XDP_PASS: 0, XDP_TX: 0, XDP_REDIRECT: 0, ILLEGAL: 0 }, xsk: 0, devices: 0, cpus: 0, tc: {}, redirectErrors: 0, faults: 0 };
}

export interface NicCounters {
  readonly received: number;
  readonly actions: Readonly<Record<XdpActionName, number>>;
  readonly xsk: number;
  readonly devices: number;
  readonly cpus: number;
  readonly tc: Readonly<Record<string, number>>;
  /** Redirects that failed (empty slot, XSK bound to another queue, …): the packet was dropped. */
  readonly redirectErrors: number;
  readonly faults: number;
}

export interface HeaderField {
  readonly name: string;
  readonly value: string;
  /** Byte offset in the frame's data and length, for highlighting. */
  readonly offset: number;
  readonly length: number;
  /** A checksum that does not match its data. */
  readonly bad?: boolean;
}

export interface HeaderLayer {
  readonly name: string;
  readonly offset: number;
  readonly length: number;
  readonly fields: readonly HeaderField[];
}

