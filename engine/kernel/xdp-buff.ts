// struct xdp_buff as an XDP program sees it: one page-sized frame in guest memory —
// data_hard_start, 256 bytes of headroom (whose first 40 bytes the kernel keeps for struct
// xdp_frame), the metadata area, the packet, and the tailroom skb_shared_info needs — behind
// struct xdp_md, whose 32-bit data/data_end/data_meta fields load as 64-bit packet pointers
// (net/core/filter.c xdp_convert_ctx_access). The packet-adjusting helpers move its bounds
// exactly as net/core/filter.c does; the driver's hints for the metadata kfuncs travel with it.

import { PERM_READ, PERM_WRITE, type GuestMemory, type Region } from '../vm/index.ts';
import { SpanViews } from '../util/span-views.ts';
import type { KernelProfile } from './profiles.ts';
import { ERRNO } from './services.ts';

/** XDP_PACKET_HEADROOM (include/uapi/linux/bpf.h). */
export const XDP_PACKET_HEADROOM = 256;
/** sizeof(struct xdp_frame) on x86-64 (include/net/xdp.h), both profiles: the headroom's first bytes. */
export const XDP_FRAME_SIZE = 40;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64: the tailroom xdp_data_hard_end keeps. */
export const SKB_SHARED_INFO_SIZE = 320;
/** frame_sz: a page, as BPF_PROG_TEST_RUN and page-based drivers use. */
export const XDP_FRAME_SZ = 4096;
export const ETH_HLEN = 14;
/** Largest packet a frame holds without fragments (test_run's max_data_sz). */
export const XDP_MAX_DATA = XDP_FRAME_SZ - XDP_PACKET_HEADROOM - SKB_SHARED_INFO_SIZE;

/** The XDP actions (enum xdp_action). */
export const XDP_ACTIONS = ['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_TX', 'XDP_REDIRECT'] as const;

/**
 * Largest metadata area (xdp_metalen_invalid): 32 bytes until mid-2023, then the type maximum of
 * skb_shared_info.meta_len (u8), so 252 once rounded down to the 4-byte alignment.
 */
export function maxMetaLength(profile: KernelProfile): number {
  return profile === 'linux-6.3' ? 32 : 255;
}

/** What the driver tells the metadata kfuncs about the frame: a value, or why there is none (-errno). */
export interface RxHints {
  /** 0, -ENODATA or -EOPNOTSUPP. */
  tsStatus: number;
  /** Nanoseconds (a JS number: 2^53 ns is 104 days). */
  ts: number;
  hashStatus: number;
  hash: number;
  hashType: number;
  vlanStatus: number;
  /** Network byte order, as the kfunc stores it (0x8100 → 0x0081 in a little-endian u16). */
  vlanProto: number;
  vlanTci: number;
}

export function noHints(status: number = -ERRNO.EOPNOTSUPP): RxHints {
  return { tsStatus: status, ts: 0, hashStatus: status, hash: 0, hashType: 0, vlanStatus: status, vlanProto: 0, vlanTci: 0 };
}

/** Slots of struct xdp_md (4 bytes each): data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex. */
const MD_DATA = 0;
const MD_DATA_END = 1;
const MD_DATA_META = 2;
const MD_INGRESS = 3;
const MD_RX_QUEUE = 4;
const MD_EGRESS = 5;

export class XdpBuff {
  /** The frame: data_hard_start is its first byte. */
  readonly frame: Region;
  /** struct xdp_md. */
  readonly ctx: Region;
  /**
   * What each xdp_md field loads as (lo, hi per field): the 32-bit data fields as 64-bit
   * pointers, the others as numbers. The bounds below live here, so a program's ctx loads
   * read them from the table with no call (FieldTable).
   */
  private readonly md = new Int32Array(12);
  private readonly mdReadable = Uint8Array.of(1, 1, 1, 1, 1, 0);
  /** Drivers without metadata support present data_meta = data + 1 (xdp_set_data_meta_invalid). */
  metaSupported = true;
  /**
   * Fault at the first access outside data_meta..data_end instead of reading the frame around
   * the packet as Linux does (ContextInputs.strictPacket: running a verifier counterexample).
   */
  strict = false;
  /** The lowest data_meta or data since the last load: the headroom bytes a program may have written. */
  private lowWater = 0;
  readonly rx: RxHints = noHints();
  /** Views of the drivers' frame buffers (load runs per packet). */
  private readonly views = new SpanViews();

  /** Arena offsets of the bounds. */
  get data(): number {
    return this.md[MD_DATA * 2] ?? 0;
  }
  set data(v: number) {
    this.md[MD_DATA * 2] = v;
  }
  get dataEnd(): number {
    return this.md[MD_DATA_END * 2] ?? 0;
  }
  set dataEnd(v: number) {
    this.md[MD_DATA_END * 2] = v;
  }
  get dataMeta(): number {
    return this.md[MD_DATA_META * 2] ?? 0;
  }
  set dataMeta(v: number) {
    this.md[MD_DATA_META * 2] = v;
  }
  get ingressIfindex(): number {
    return this.md[MD_INGRESS * 2] ?? 0;
  }
  set ingressIfindex(v: number) {
    this.md[MD_INGRESS * 2] = v;
  }
  get rxQueueIndex(): number {
    return this.md[MD_RX_QUEUE * 2] ?? 0;
  }
  set rxQueueIndex(v: number) {
    this.md[MD_RX_QUEUE * 2] = v;
  }
  /** Set for programs attached to a devmap entry (BPF_XDP_DEVMAP), which may read egress_ifindex. */
  get egressIfindex(): number | undefined {
    return this.mdReadable[MD_EGRESS] === 1 ? this.md[MD_EGRESS * 2] : undefined;
  }
  set egressIfindex(v: number | undefined) {
    this.md[MD_EGRESS * 2] = v ?? 0;
    this.mdReadable[MD_EGRESS] = v === undefined ? 0 : 1;
  }

  constructor(
    private readonly mem: GuestMemory,
    readonly profile: KernelProfile,
    name = 'packet',
  ) {
    this.frame = mem.map(name, 'packet', XDP_FRAME_SZ, PERM_READ | PERM_WRITE);
    this.ctx = mem.map('xdp_md', 'context', 24);
    const base = mem.address(0).hi;
    for (const f of [MD_DATA, MD_DATA_END, MD_DATA_META]) this.md[f * 2 + 1] = base;
    this.ingressIfindex = 1;
    mem.setSpecial(this.ctx, {
      fields: { values: this.md, readable: this.mdReadable },
      // What the table does not answer: other sizes and offsets, and egress_ifindex when unset.
      load: (offset, size) => {
        if (size !== 4 || offset % 4 !== 0) return `struct xdp_md fields are read as aligned 4-byte loads (offset ${offset}, ${size} bytes)`;
        const slot = offset / 4;
        if (slot === MD_EGRESS && this.mdReadable[MD_EGRESS] !== 1) return 'xdp_md.egress_ifindex is readable only by programs attached to a devmap entry (BPF_XDP_DEVMAP)';
        if (slot < 0 || slot > MD_EGRESS) return `struct xdp_md has no field at offset ${offset} (it is 24 bytes)`;
        return { lo: this.md[slot * 2] ?? 0, hi: this.md[slot * 2 + 1] ?? 0 };
      },
      store: (offset) => `struct xdp_md is read-only (a write at offset ${offset})`,
    });
  }

  get hardStart(): number {
    return this.frame.start;
  }

  /** data_hard_end: the frame minus the tailroom kept for skb_shared_info. */
  get hardEnd(): number {
    return this.frame.start + XDP_FRAME_SZ - SKB_SHARED_INFO_SIZE;
  }

  get metaLength(): number {
    return this.metaSupported ? this.data - this.dataMeta : 0;
  }

  /**
   * A new frame from the driver: the packet after 256 bytes of (zeroed) headroom, data_meta ==
   * data (Documentation/networking/xdp-rx-metadata.rst: drivers present frames that way).
   */
  load(packet: Uint8Array, length = packet.length): void {
    const bytes = this.mem.bytes;
    const start = this.frame.start;
    // A driver that wrote the frame in place (receiveArea) has nothing to copy. (An identity
    // check: reading a typed array's .buffer costs a call per packet.)
    const inPlace = packet === this.area && this.areaGeneration === this.mem.generation;
    // The headroom starts zeroed; only what the last frame's program could have written in it
    // (from its lowest data_meta or data) is cleared again: a frame costs no 256-byte fill.
    const low = Math.max(start, Math.min(this.dataMeta, this.data, this.lowWater));
    // (Words, then bytes: a program's metadata is a few dozen bytes, less than fill()'s call costs.)
    const end = start + XDP_PACKET_HEADROOM;
    if (low < end) {
      const dv = this.mem.dv;
      let i = low;
      for (; i + 4 <= end; i += 4) dv.setInt32(i, 0);
      for (; i < end; i++) bytes[i] = 0;
    }
    this.lowWater = start + XDP_PACKET_HEADROOM;
    this.data = start + XDP_PACKET_HEADROOM;
    this.dataEnd = this.data + length;
    if (!inPlace) bytes.set(length === packet.length ? packet : this.views.of(packet, 0, length), this.data);
    this.dataMeta = this.metaSupported ? this.data : this.data + 1;
    if (this.strict) this.refence();
  }

  /** In strict mode, lets only the packet's bytes (data_meta, or data, to data_end) be accessed; call after moving a bound. */
  refence(): void {
    if (!this.strict) {
      this.mem.unfence(this.frame);
      return;
    }
    const data = this.data;
    const lo = Math.min(this.dataMeta, data);
    const len = this.dataEnd - data;
    this.mem.fence(this.frame, lo, this.dataEnd, (off, size, write) => outsidePacketWords(off - data, size, write, len, lo < data));
  }

  /**
   * Where a driver may write the next frame in place, as DMA does: the frame's bytes from
   * XDP_PACKET_HEADROOM on (a view of guest memory; ask again after the memory grows). Pass
   * it to `load`, which then copies nothing.
   */
  receiveArea(): Uint8Array {
    if (this.area === undefined || this.areaGeneration !== this.mem.generation) {
      this.area = this.mem.bytes.subarray(this.frame.start + XDP_PACKET_HEADROOM, this.frame.start + XDP_FRAME_SZ);
      this.areaGeneration = this.mem.generation;
    }
    return this.area;
  }
  private area: Uint8Array | undefined;
  private areaGeneration = -1;

  /** bpf_xdp_adjust_head: moves data (and any metadata with it); 0 or -EINVAL. */
  adjustHead(delta: number): number {
    const metalen = this.metaLength;
    const dataStart = this.hardStart + XDP_FRAME_SIZE + metalen;
    const data = this.data + delta;
    if (data < dataStart || data > this.dataEnd - ETH_HLEN) return -ERRNO.EINVAL;
    this.lowWater = Math.min(this.lowWater, this.dataMeta, this.data, data - metalen);
    if (metalen) this.mem.bytes.copyWithin(this.dataMeta + delta, this.dataMeta, this.dataMeta + metalen);
    if (this.metaSupported) this.dataMeta += delta;
    else this.dataMeta = data + 1;
    this.data = data;
    if (this.strict) this.refence();
    return 0;
  }

  /** bpf_xdp_adjust_meta: 0, -ENOTSUPP (524) without driver support, -EINVAL out of the headroom, -EACCES misaligned or too long. */
  adjustMeta(delta: number): number {
    if (!this.metaSupported) return -ERRNO.ENOTSUPP;
    const meta = this.dataMeta + delta;
    const metalen = this.data - meta;
    if (meta < this.hardStart + XDP_FRAME_SIZE || meta > this.data) return -ERRNO.EINVAL;
    if ((metalen & 3) !== 0 || metalen > maxMetaLength(this.profile)) return -ERRNO.EACCES;
    this.lowWater = Math.min(this.lowWater, this.dataMeta, this.data, meta);
    this.dataMeta = meta;
    if (this.strict) this.refence();
    return 0;
  }

  /** bpf_xdp_adjust_tail: grows (zero-filled) or shrinks the packet's end; 0 or -EINVAL. */
  adjustTail(delta: number): number {
    const end = this.dataEnd + delta;
    if (end > this.hardEnd || end < this.data + ETH_HLEN) return -ERRNO.EINVAL;
    if (delta > 0) this.mem.bytes.fill(0, this.dataEnd, end);
    this.dataEnd = end;
    if (this.strict) this.refence();
    return 0;
  }

  /** The packet as it is now (data to data_end). */
  packet(): Uint8Array {
    return this.mem.bytes.slice(this.data, this.dataEnd);
  }

  /** The metadata area as it is now. */
  metadata(): Uint8Array {
    return this.mem.bytes.slice(this.data - this.metaLength, this.data);
  }
}

/**
 * Strict mode's fault for an access outside the packet (a counterexample's run): `at` bytes from
 * data, of `size`, on a packet of `len` bytes with (`meta`) or without metadata in front.
 */
export function outsidePacketWords(at: number, size: number, write: boolean, len: number, meta: boolean): string {
  return `${write ? 'a write' : 'a read'} of ${size} byte${size === 1 ? '' : 's'} at offset ${at} of a ${len}-byte packet: outside the packet (data${meta ? '_meta' : ''}..data_end). Linux would ${write ? 'write into' : 'read'} the memory around it without a fault; this run stops here to show the access the verifier refused`;
}
