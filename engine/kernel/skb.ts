// struct sk_buff as a tc (sched_cls) program or a socket filter sees it through struct __sk_buff: the packet from
// its MAC header (data) to data_end, the metadata an XDP program left in front of it
// (data_meta), and the fields convert_ctx_access serves (include/uapi/linux/bpf.h; offsets
// checked against this machine's UAPI header). Reads of 32-bit fields may be narrower, as
// bpf_ctx_narrow_access_ok allows; tc programs may write mark, priority, queue_mapping,
// tc_index, tc_classid, cb[] and tstamp.
//
// The skb may be non-linear, as drivers build it: only the first bytes in the head
// (skb_headlen, what data..data_end covers), the rest in page fragments (skb->len counts them
// all); and cloned (its head shared with another skb). bpf_skb_pull_data makes bytes writable
// as skb_ensure_writable does, pulling fragment bytes into the head and reallocating the head
// (pskb_expand_head) when it has no room for them or is shared: the packet then lives in a new
// region of guest memory, and the old head faults, naming the call, for any stale pointer.

import { PERM_READ, PERM_WRITE, type GuestMemory, type Region } from '../vm/index.ts';
import { ERRNO } from './services.ts';
import { outsidePacketWords } from './xdp-buff.ts';

/** sizeof(struct __sk_buff). */
export const SK_BUFF_CTX_SIZE = 192;
/** Headroom before the MAC header (NET_SKB_PAD), room for the metadata. */
const SKB_HEADROOM = 256;
const SKB_BUF = 4096;
/** ETH_HLEN: eth_type_trans needs the Ethernet header in the head. */
const ETH_HLEN = 14;
/** __pskb_pull_tail's pskb_expand_head(skb, 0, eat + 128): the tailroom a reallocated head gets beyond what the pull needs. */
const PULL_TAIL_SLACK = 128;
const NO_BYTES = new Uint8Array(0);

/** TC actions (include/uapi/linux/pkt_cls.h). */
export const TC_ACTIONS: Readonly<Record<number, string>> = {
  [-1]: 'TC_ACT_UNSPEC',
  0: 'TC_ACT_OK',
  1: 'TC_ACT_RECLASSIFY',
  2: 'TC_ACT_SHOT',
  3: 'TC_ACT_PIPE',
  4: 'TC_ACT_STOLEN',
  5: 'TC_ACT_QUEUED',
  6: 'TC_ACT_REPEAT',
  7: 'TC_ACT_REDIRECT',
  8: 'TC_ACT_TRAP',
};

export function tcActionName(retval: number): string {
  return TC_ACTIONS[retval | 0] ?? `${retval | 0} (not a TC action: treated as TC_ACT_UNSPEC)`;
}

/** u32 fields of struct __sk_buff by offset; `rw` ones a tc program may write. */
const U32_FIELDS: Readonly<Record<number, { name: string; rw: boolean }>> = {
  0: { name: 'len', rw: false },
  4: { name: 'pkt_type', rw: false },
  8: { name: 'mark', rw: true },
  12: { name: 'queue_mapping', rw: true },
  16: { name: 'protocol', rw: false },
  20: { name: 'vlan_present', rw: false },
  24: { name: 'vlan_tci', rw: false },
  28: { name: 'vlan_proto', rw: false },
  32: { name: 'priority', rw: true },
  36: { name: 'ingress_ifindex', rw: false },
  40: { name: 'ifindex', rw: false },
  44: { name: 'tc_index', rw: true },
  48: { name: 'cb[0]', rw: true },
  52: { name: 'cb[1]', rw: true },
  56: { name: 'cb[2]', rw: true },
  60: { name: 'cb[3]', rw: true },
  64: { name: 'cb[4]', rw: true },
  68: { name: 'hash', rw: false },
  72: { name: 'tc_classid', rw: true },
  84: { name: 'napi_id', rw: false },
  88: { name: 'family', rw: false },
  160: { name: 'wire_len', rw: false },
  164: { name: 'gso_segs', rw: false },
  176: { name: 'gso_size', rw: false },
};

/** __sk_buff.sk (an 8-byte pointer) and cb[0..4] (20 bytes). */
const SK_OFF = 168;
const CB_OFF = 48;
const CB_END = 68;

export interface SkbInit {
  /** The packet from its MAC header. */
  readonly packet: Uint8Array;
  /** Metadata in front of the MAC header (what XDP put there), possibly empty. */
  readonly meta?: Uint8Array;
  readonly ifindex: number;
  /** skb->queue_mapping as skb_record_rx_queue leaves it: the RX queue + 1 (0 = none recorded). */
  readonly queueMapping?: number;
  readonly hash?: number;
  readonly vlanTci?: number;
  readonly vlanProto?: number;
  /** skb->tstamp (software receive time) and the hardware timestamp, ns. */
  readonly tstamp?: bigint;
  readonly hwtstamp?: bigint;
  /**
   * The skb starts at the network header (a socket filter under BPF_PROG_TEST_RUN: only tc
   * programs get the MAC header pushed back, bpf_prog_test_run_skb's is_l2), so skb->len and
   * LD_ABS offsets count from there; skb->protocol still comes from the Ethernet header.
   */
  readonly fromNetworkHeader?: boolean;
  /** PACKET_HOST 0, BROADCAST 1, MULTICAST 2, OTHERHOST 3. */
  readonly pktType?: number;
  /**
   * A non-linear skb: only the first `linear` bytes (at least ETH_HLEN) are in the head, which
   * has no tailroom; the rest of the packet is in page fragments. Absent: all in the head.
   */
  readonly linear?: number;
  /** skb_cloned(): the head is shared with another skb (TCP's transmitted segments are clones). */
  readonly cloned?: boolean;
}

export class SkBuff {
  /** The head `load` builds the skb in. */
  readonly buf: Region;
  readonly ctx: Region;
  /** buf, then the heads reallocations moved it into (made as needed, reused run after run). */
  private readonly heads: Region[];
  /** Which of `heads` the skb is in now. */
  private headIndex = 0;
  /** Arena offsets of skb->data (the MAC header), skb_tail_pointer and the metadata's start. */
  data = 0;
  dataEnd = 0;
  dataMeta = 0;
  /** skb_end_pointer: the head's room ends here (its tailroom is end - dataEnd). */
  private end = 0;
  /** The packet's bytes in page fragments, after the head's (skb->data_len of them). */
  private frags: Uint8Array = NO_BYTES;
  /** skb_cloned(). */
  cloned = false;
  /** A non-linear packet copied whole, where LD_ABS/LD_IND read it (no permissions: the program cannot touch it). */
  private linearized: Region | undefined;
  /** The u32 fields, by offset (len and the pointers are computed). */
  private readonly u32 = new Map<number, number>();
  tstamp = 0n;
  hwtstamp = 0n;

  /**
   * `permits`: whether the program type may make an access to struct __sk_buff (the verifier's
   * context declaration, engine/kernel/decls); one it may not faults as the verifier refuses it.
   * `progType` names the program type in those faults.
   */
  constructor(
    private readonly mem: GuestMemory,
    permits?: (offset: number, size: number, access: 'read' | 'write') => boolean,
    progType = 'tc',
  ) {
    this.buf = mem.map('skb data', 'packet', SKB_BUF, PERM_READ | PERM_WRITE);
    this.heads = [this.buf];
    this.ctx = mem.map('__sk_buff', 'context', SK_BUFF_CTX_SIZE);
    const ptr = (off: number) => mem.address(off);
    const refused = (offset: number, size: number, access: 'read' | 'write'): string | undefined =>
      permits && !permits(offset, size, access) ? `invalid bpf_context access off=${offset} size=${size} (struct __sk_buff${access === 'write' ? ' write' : ''} not allowed for ${progType} programs)` : undefined;
    mem.setSpecial(this.ctx, {
      load: (offset, size) => {
        const no = refused(offset, size, 'read');
        if (no) return no;
        if (offset === 76 || offset === 80 || offset === 140) {
          if (size !== 4) return `__sk_buff.${offset === 76 ? 'data' : offset === 80 ? 'data_end' : 'data_meta'} is read as a 4-byte load (it becomes a packet pointer)`;
          return ptr(offset === 76 ? this.data : offset === 80 ? this.dataEnd : this.dataMeta);
        }
        if (offset === 152 || offset === 184) {
          if (size !== 8) return `__sk_buff.${offset === 152 ? 'tstamp' : 'hwtstamp'} is read as an 8-byte load`;
          const v = offset === 152 ? this.tstamp : this.hwtstamp;
          return { lo: Number(v & 0xffffffffn) | 0, hi: Number(v >> 32n) | 0 };
        }
        // skb->sk: a packet of BPF_PROG_TEST_RUN belongs to no socket, so the pointer is NULL.
        if (offset === SK_OFF) return size === 8 ? { lo: 0, hi: 0 } : `__sk_buff.sk is read as an 8-byte load`;
        const base = offset & ~3;
        const field = U32_FIELDS[base];
        if (!field || offset + size > base + 4) return `invalid bpf_context access off=${offset} size=${size} (struct __sk_buff has no such field for tc programs)`;
        const v = base === 0 ? this.len : (this.u32.get(base) ?? 0);
        const shifted = (v >>> ((offset - base) * 8)) & (size === 4 ? 0xffffffff : (1 << (size * 8)) - 1);
        return { lo: shifted | 0, hi: 0 };
      },
      store: (offset, size, lo, hi) => {
        const no = refused(offset, size, 'write');
        if (no) return no;
        if (offset === 152 && size === 8) {
          this.tstamp = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
          return true;
        }
        // cb[0..4] take stores of any size inside them (bpf_skb_is_valid_access), byte by byte.
        if (offset >= CB_OFF && offset + size <= CB_END) {
          for (let i = 0; i < size; i++) {
            const at = offset + i;
            const word = at & ~3;
            const shift = (at - word) * 8;
            const byte = i < 4 ? (lo >>> (i * 8)) & 0xff : (hi >>> ((i - 4) * 8)) & 0xff;
            const old = this.u32.get(word) ?? 0;
            this.u32.set(word, ((old & ~(0xff << shift)) | (byte << shift)) >>> 0);
          }
          return true;
        }
        const field = U32_FIELDS[offset];
        if (!field || size !== 4 || !field.rw) return `invalid bpf_context access off=${offset} size=${size}${field ? ` (__sk_buff.${field.name} is read-only)` : ''}`;
        this.u32.set(offset, lo >>> 0);
        return true;
      },
    });
  }

  /** The head the skb is in now: `buf`, or the one bpf_skb_pull_data reallocated it into. */
  get head(): Region {
    return this.heads[this.headIndex] ?? this.buf;
  }

  /** skb->len: the bytes in the head and in the fragments. */
  get len(): number {
    return this.dataEnd - this.data + this.frags.length;
  }

  /** skb_headlen: the bytes in the head, what data..data_end covers. */
  get headlen(): number {
    return this.dataEnd - this.data;
  }

  /** Builds the skb of a packet: data at the MAC header, the metadata in front of it. */
  load(init: SkbInit): void {
    if (this.headIndex !== 0) this.resetHeads();
    const bytes = this.mem.bytes;
    const meta = init.meta ?? NO_BYTES;
    bytes.fill(0, this.buf.start, this.buf.start + SKB_HEADROOM);
    this.data = this.buf.start + SKB_HEADROOM;
    const from = init.fromNetworkHeader ? Math.min(14, init.packet.length) : 0;
    const len = Math.min(init.packet.length - from, SKB_BUF - SKB_HEADROOM);
    if (init.linear === undefined) {
      bytes.set(init.packet.subarray(from, from + len), this.data);
      this.dataEnd = this.data + len;
      this.end = this.buf.start + SKB_BUF;
      this.frags = NO_BYTES;
    } else {
      // The head holds what the driver copied into it and has no tailroom; the rest is in fragments.
      const room = Math.min(Math.max(init.linear, ETH_HLEN), SKB_BUF - SKB_HEADROOM);
      const headlen = Math.min(room, len);
      bytes.set(init.packet.subarray(from, from + headlen), this.data);
      this.dataEnd = this.data + headlen;
      this.end = this.data + room;
      bytes.fill(0, this.dataEnd, this.buf.start + SKB_BUF);
      this.frags = headlen < len ? init.packet.slice(from + headlen, from + len) : NO_BYTES;
      if (this.frags.length) this.linearized ??= this.mem.map('skb (non-linear) copied whole for LD_ABS', 'scratch', SKB_BUF, 0);
    }
    this.cloned = init.cloned === true;
    this.mem.bytes.set(meta, this.data - meta.length);
    this.dataMeta = this.data - meta.length;
    this.u32.clear();
    const p = init.packet;
    // skb->protocol from eth_type_trans, stored in network byte order; 802.1Q stays in the frame unless stripped.
    const ethertype = p.length >= 14 ? ((p[12] ?? 0) << 8) | (p[13] ?? 0) : 0;
    this.u32.set(16, ((ethertype & 0xff) << 8) | (ethertype >> 8));
    this.u32.set(4, init.pktType ?? 0);
    this.u32.set(12, init.queueMapping ?? 0);
    this.u32.set(36, init.ifindex);
    this.u32.set(40, init.ifindex);
    this.u32.set(68, init.hash ?? 0);
    if (init.vlanTci !== undefined) {
      this.u32.set(20, 1);
      this.u32.set(24, init.vlanTci);
      const proto = init.vlanProto ?? 0x8100;
      this.u32.set(28, ((proto & 0xff) << 8) | (proto >> 8));
    }
    this.u32.set(160, len);
    this.u32.set(164, 1);
    this.tstamp = init.tstamp ?? 0n;
    this.hwtstamp = init.hwtstamp ?? 0n;
    if (this.strict) this.refence();
  }

  /**
   * Strict mode (ContextInputs.strictPacket: running a verifier counterexample): only the packet's
   * bytes (data_meta, or data, to data_end) of the head may be accessed, so the access the
   * verifier refused faults where Linux would touch the memory around the packet.
   */
  strict = false;

  /** In strict mode, fences the head to data_meta..data_end; call after a bound moves. */
  private refence(): void {
    const data = this.data;
    const lo = Math.min(this.dataMeta, data);
    const len = this.dataEnd - data;
    this.mem.fence(this.head, lo, this.dataEnd, (off, size, write) => outsidePacketWords(off - data, size, write, len, lo < data));
  }

  /** The packet as it is now (data_out): the head's bytes, then the fragments'. */
  packet(): Uint8Array {
    const head = this.mem.bytes.subarray(this.data, this.dataEnd);
    if (!this.frags.length) return head.slice();
    const out = new Uint8Array(head.length + this.frags.length);
    out.set(head);
    out.set(this.frags, head.length);
    return out;
  }

  /**
   * Where LD_ABS/LD_IND read the packet: the head, or for a non-linear skb a copy of the whole
   * packet (bpf_skb_load_helper_* read past the head with skb_copy_bits).
   */
  loadView(): { start: number; length: number } {
    const headlen = this.dataEnd - this.data;
    const whole = this.linearized;
    if (!this.frags.length || !whole) return { start: this.data, length: headlen };
    const bytes = this.mem.bytes;
    bytes.copyWithin(whole.start, this.data, this.dataEnd);
    bytes.set(this.frags, whole.start + headlen);
    return { start: whole.start, length: headlen + this.frags.length };
  }

  /**
   * bpf_skb_pull_data (net/core/filter.c): bpf_try_make_writable(skb, len ?: skb_headlen(skb)),
   * which is skb_ensure_writable — pskb_may_pull (-ENOMEM past skb->len; past the head,
   * __pskb_pull_tail moves fragment bytes into it, reallocating a head without the tailroom or a
   * cloned one), then a cloned skb gets a head of its own (pskb_expand_head) — and
   * bpf_compute_data_pointers. `pc` is the call's, for the fault a stale pointer then meets.
   */
  pullData(len: number, pc: number): number {
    const headlen = this.dataEnd - this.data;
    const want = len === 0 ? headlen : len;
    if (want > headlen) {
      if (want > headlen + this.frags.length) return -ERRNO.ENOMEM;
      const delta = want - headlen;
      const eat = this.dataEnd + delta - this.end;
      if (eat > 0 || this.cloned) this.reallocate(eat > 0 ? eat + PULL_TAIL_SLACK : 0, pc);
      this.mem.bytes.set(this.frags.subarray(0, delta), this.dataEnd);
      this.frags = this.frags.length === delta ? NO_BYTES : this.frags.subarray(delta);
      this.dataEnd += delta;
    }
    // skb_clone_writable is false for a clone whose header is shared, as `cloned` means here.
    if (this.cloned) this.reallocate(0, pc);
    if (this.strict) this.refence();
    return 0;
  }

  /**
   * pskb_expand_head(skb, 0, ntail): a new head holding the old one's bytes up to the tail
   * (headroom and metadata included), `ntail` more bytes of tailroom, not cloned. The old head
   * is no longer the skb's: every access to it faults.
   */
  private reallocate(ntail: number, pc: number): void {
    const old = this.head;
    const index = this.headIndex + 1;
    let next = this.heads[index];
    if (!next) {
      next = this.mem.map(`skb data (head ${index + 1})`, 'packet', SKB_BUF, PERM_READ | PERM_WRITE);
      this.heads.push(next);
    }
    this.mem.unfence(next);
    const shift = next.start - old.start;
    const bytes = this.mem.bytes;
    bytes.copyWithin(next.start, old.start, this.dataEnd);
    bytes.fill(0, this.dataEnd + shift, next.start + next.size);
    const oldData = this.data;
    const shared = this.cloned;
    this.data += shift;
    this.dataEnd += shift;
    this.dataMeta += shift;
    this.end = Math.min(this.end + shift + ntail, next.start + next.size);
    this.headIndex = index;
    this.cloned = false;
    this.mem.fence(old, old.start, old.start, (off) => {
      const what = shared
        ? `the skb's old head, given up when bpf_skb_pull_data reallocated it at pc ${pc} (the skb was cloned: it got a head of its own, the old one stays with the other skb)`
        : `the skb's old head, freed when bpf_skb_pull_data reallocated it at pc ${pc}`;
      return `stale packet pointer (offset ${off - oldData} from the old skb->data): ${what}; the packet is now in a new head: load skb->data and skb->data_end again after the call (the verifier invalidates every packet pointer there)`;
    });
  }

  /** Back to the first head for a new packet; the others fault until a reallocation takes them. */
  private resetHeads(): void {
    this.mem.unfence(this.buf);
    for (const h of this.heads) if (h !== this.buf) this.mem.fence(h, h.start, h.start, () => `an skb head not in use (bpf_skb_pull_data reallocates a head into it)`);
    this.headIndex = 0;
  }

  metadata(): Uint8Array {
    return this.mem.bytes.slice(this.dataMeta, this.data);
  }

  /** The fields a program can read, by name, for the UI. */
  fields(): { name: string; value: number | bigint; offset: number }[] {
    const out: { name: string; value: number | bigint; offset: number }[] = [];
    for (const [off, f] of Object.entries(U32_FIELDS)) {
      const o = Number(off);
      out.push({ name: f.name, value: o === 0 ? this.len : (this.u32.get(o) ?? 0), offset: o });
    }
    out.push({ name: 'tstamp', value: this.tstamp, offset: 152 }, { name: 'hwtstamp', value: this.hwtstamp, offset: 184 });
    return out;
  }
}
