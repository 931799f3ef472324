// AF_XDP consumers: one socket per RX queue of the emulated NIC, each with its UMEM. A frame an
// XDP program redirects to an XSKMAP entry lands in the next UMEM chunk as copy mode lays it
// out (net/xdp/xsk.c __xsk_rcv): the packet at chunk + XDP_PACKET_HEADROOM, which is the RX
// descriptor's addr, and the metadata the program wrote right before it. The descriptor carries
// no metadata length: the consumer reads its own METADATA_SIZE bytes in front of addr
// (Documentation/networking/xdp-rx-metadata.rst).

import { XDP_PACKET_HEADROOM } from '../kernel/xdp-buff.ts';
import type { XskConfig } from './profile.ts';

export interface XskDescriptor {
  /** Packet index in the traffic. */
  readonly packet: number;
  /** UMEM offset of the packet (rx_desc.addr) and its length (rx_desc.len). */
  readonly addr: number;
  readonly len: number;
  /** Bytes of metadata the program left in front of the packet. */
  readonly metaLength: number;
}

export class XskSocket {
  readonly umem: Uint8Array;
  private nextChunk = 0;
  received = 0;
  /** The descriptors of the packets still in the UMEM (the last `frames` ones). */
  private readonly ring: (XskDescriptor | undefined)[];

  constructor(
    readonly queue: number,
    readonly config: XskConfig,
  ) {
    this.umem = new Uint8Array(config.frames * config.frameSize);
    this.ring = new Array<XskDescriptor | undefined>(config.frames).fill(undefined);
  }

  /**
   * Copies metadata + packet into the next chunk (the consumer is assumed to recycle chunks as
   * fast as they come: the fill ring never runs dry) and returns the RX descriptor.
   */
  receive(packet: number, source: Uint8Array, metaStart: number, dataStart: number, dataEnd: number): XskDescriptor | string {
    const len = dataEnd - dataStart;
    const metaLength = dataStart - metaStart;
    if (XDP_PACKET_HEADROOM + len > this.config.frameSize) return `the ${len}-byte frame does not fit a ${this.config.frameSize}-byte UMEM chunk after ${XDP_PACKET_HEADROOM} bytes of headroom`;
    const chunk = this.nextChunk;
    this.nextChunk = (chunk + 1) % this.config.frames;
    const base = chunk * this.config.frameSize;
    const addr = base + XDP_PACKET_HEADROOM;
    // The headroom is cleared (what a consumer reads before the metadata is zero, not an older
    // frame's bytes); the rest of the chunk is overwritten by the packet.
    this.umem.fill(0, base, addr - metaLength);
    this.umem.set(source.subarray(metaStart, dataEnd), addr - metaLength);
    const d: XskDescriptor = { packet, addr, len, metaLength };
    this.ring[chunk] = d;
    this.received++;
    return d;
  }

  /** The descriptor of a packet still in the UMEM. */
  descriptorOf(packet: number): XskDescriptor | undefined {
    return this.ring.find((d) => d?.packet === packet);
  }

  /** What the consumer reads for a descriptor: METADATA_SIZE bytes before addr, and the packet. */
  view(d: XskDescriptor): { metadata: Uint8Array; packet: Uint8Array } {
    const m = this.config.metadataSize;
    return { metadata: this.umem.slice(Math.max(0, d.addr - m), d.addr), packet: this.umem.slice(d.addr, d.addr + d.len) };
  }
}
