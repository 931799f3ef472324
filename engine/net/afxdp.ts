// AF_XDP consumers: one socket per RX queue of the emulated NIC, each with its UMEM. A frame an
// XDP program redirects to an XSKMAP entry lands in the next UMEM chunk as copy mode lays it
// out (net/xdp/xsk.c __xsk_rcv): the packet at chunk + XDP_PACKET_HEADROOM, which is the RX
// descriptor's addr, and the metadata the program wrote right before it. The descriptor carries
// no metadata length: the consumer reads its own METADATA_SIZE bytes in front of addr
// (Documentation/networking/xdp-rx-metadata.rst).

import { XDP_PACKET_HEADROOM } from '../kernel/xdp-buff.ts';
import { SpanViews } from '../util/span-views.ts';
import { copyBytes } from '../util/typed-set.ts';
import type { XskConfig } from './profile.ts';

export class XskSocket {
  private memory: Uint8Array | undefined;
  private nextChunk = 0;
  received = 0;
  private readonly views = new SpanViews();
  /** The config's numbers, read once: receive runs per packet. */
  private readonly frames: number;
  private readonly frameSize: number;
  private readonly metadataSize: number;

  constructor(
    readonly queue: number,
    readonly config: XskConfig,
  ) {
    this.frames = config.frames;
    this.frameSize = config.frameSize;
    this.metadataSize = config.metadataSize;
  }

  /**
   * The socket's UMEM, made when the first packet arrives: every run has a socket per RX queue
   * (up to 64 MiB of UMEM in all), and most runs send nothing to most of them — zeroing them
   * all up front was the largest cost of a short traffic run.
   */
  get umem(): Uint8Array {
    this.memory ??= new Uint8Array(this.frames * this.frameSize);
    return this.memory;
  }

  /**
   * Copies metadata + packet into the next chunk (the consumer is assumed to recycle chunks as
   * fast as they come: the fill ring never runs dry) and returns the RX descriptor's addr (the
   * UMEM offset of the packet; rx_desc.len is dataEnd - dataStart), or -1 when the frame does
   * not fit a chunk (tooLong says why).
   */
  receive(source: Uint8Array, metaStart: number, dataStart: number, dataEnd: number): number {
    const len = dataEnd - dataStart;
    const metaLength = dataStart - metaStart;
    const frameSize = this.frameSize;
    if (XDP_PACKET_HEADROOM + len > frameSize) return -1;
    const umem = this.memory ?? this.umem;
    const chunk = this.nextChunk;
    this.nextChunk = chunk + 1 === this.frames ? 0 : chunk + 1;
    const base = chunk * frameSize;
    const addr = base + XDP_PACKET_HEADROOM;
    // What the consumer reads in front of the packet beyond what the program wrote is zero, not
    // an older frame's bytes.
    const from = addr - metaLength;
    const readFrom = addr - this.metadataSize;
    if (readFrom < from) umem.fill(0, readFrom < base ? base : readFrom, from);
    copyBytes(umem, this.views.of(source, metaStart, dataEnd), from);
    this.received++;
    return addr;
  }

  /** Why receive answered -1 for a frame of `len` bytes. */
  tooLong(len: number): string {
    return `the ${len}-byte frame does not fit a ${this.frameSize}-byte UMEM chunk after ${XDP_PACKET_HEADROOM} bytes of headroom`;
  }

  /** Where what the consumer reads as metadata for the packet at `addr` starts: METADATA_SIZE bytes before it. */
  metadataStart(addr: number): number {
    return Math.max(0, addr - this.config.metadataSize);
  }
}
