// The emulated NIC's receive side: RSS (a Toeplitz hash of the flow tuple, its enum
// xdp_rss_hash_type, and an indirection table from hash to RX queue), the hardware RX
// timestamp, 802.1Q tag stripping, and what the driver then tells the metadata kfuncs:
// "full" drivers give timestamp, hash and VLAN tag; "hash-only" the hash; "none" nothing
// (the generic kfunc bodies return -EOPNOTSUPP). A frame without the information gives -ENODATA.

import { ERRNO } from '../kernel/services.ts';
import type { RxHints } from '../kernel/xdp-buff.ts';
import type { NicConfig } from './profile.ts';
import { RSS_DYNHDR, RSS_IPV4, RSS_IPV6, RSS_L4_MASK, RSS_L4_TCP, RSS_LENGTH_MASK, RSS_PORTS, RSS_PTP } from './packet/rss.ts';
import { toeplitzFor, type Toeplitz, XDP_RSS } from './toeplitz.ts';

const ETH_P_8021Q = 0x8100;

/** The driver profiles as numbers (receive runs per packet: no string comparisons there). */
const DRIVER_NONE = 0;
const DRIVER_HASH_ONLY = 1;
const DRIVER_FULL = 2;

export class Nic {
  private readonly toeplitz: Toeplitz;
  private readonly mask: number;
  /** The indirection table as numbers, and the config read once (receive runs per packet). */
  private readonly indirection: Int32Array;
  private readonly driver: number;
  private readonly stampAll: boolean;
  private readonly stampPtp: boolean;
  private readonly vlanStrip: boolean;
  /** What receive() decided for the last frame (fields, not an object: it runs per packet). */
  queue = 0;
  /** Length after VLAN stripping. */
  length = 0;
  /** The tag the NIC stripped (TCI), or -1. */
  vlanTci = -1;

  constructor(
    readonly config: NicConfig,
    readonly queues: number,
  ) {
    this.toeplitz = toeplitzFor(config.rssKey);
    this.mask = config.indirection.length - 1;
    if ((config.indirection.length & this.mask) !== 0) throw new Error(`the RSS indirection table has ${config.indirection.length} entries; it needs a power of two`);
    this.indirection = Int32Array.from(config.indirection, (q) => q ?? 0);
    this.driver = config.driver === 'full' ? DRIVER_FULL : config.driver === 'hash-only' ? DRIVER_HASH_ONLY : DRIVER_NONE;
    this.stampAll = config.timestamps === 'all';
    this.stampPtp = config.timestamps === 'ptp';
    this.vlanStrip = this.driver === DRIVER_FULL && config.vlanStrip;
  }

  /** The Toeplitz hash of a tuple found by rssInputFast (`code`, `input`); 0 for non-IP frames, which RSS leaves alone. */
  hash(code: number, input: Uint8Array): number {
    const length = code & RSS_LENGTH_MASK;
    return length === 0 ? 0 : this.toeplitz.hash(input, length);
  }

  /** The RX queue of a hash: the indirection table, indexed by the hash's low bits. */
  queueOf(hash: number, rssType: number): number {
    return rssType === 0 ? 0 : (this.indirection[hash & this.mask] ?? 0);
  }

  /**
   * Receives a frame (in place: a stripped VLAN tag is removed from `frame`) and fills the
   * driver's hints for the metadata kfuncs. `code` is rssInputFast's answer for the frame and
   * `hash` this.hash of it, both cached by the caller per flow. Sets queue, length and vlanTci.
   */
  receive(frame: Uint8Array, length: number, tsNs: number, code: number, hash: number, hints: RxHints): void {
    const rssType = rssTypeOf(code);
    const driver = this.driver;
    let vlanTci = -1;
    let len = length;
    if (this.vlanStrip && length >= 18 && frame[12] === ETH_P_8021Q >> 8 && frame[13] === (ETH_P_8021Q & 0xff)) {
      vlanTci = ((frame[14] ?? 0) << 8) | (frame[15] ?? 0);
      // rx-vlan-offload: the tag leaves the frame; the encapsulated ethertype follows the MACs.
      frame.copyWithin(12, 16, length);
      len = length - 4;
    }
    if (driver === DRIVER_NONE) {
      hints.ts = 0;
      hints.hash = 0;
      hints.hashType = 0;
      hints.vlanProto = 0;
      hints.vlanTci = 0;
      hints.tsStatus = UNSUPPORTED;
      hints.hashStatus = UNSUPPORTED;
      hints.vlanStatus = UNSUPPORTED;
    } else {
      if (driver === DRIVER_FULL) {
        const stamped = this.stampAll || (this.stampPtp && (code & RSS_PTP) !== 0);
        hints.tsStatus = stamped ? 0 : NODATA;
        hints.ts = stamped ? tsNs : 0;
        hints.vlanStatus = vlanTci >= 0 ? 0 : NODATA;
        hints.vlanProto = vlanTci >= 0 ? ETH_P_8021Q : 0;
        hints.vlanTci = vlanTci >= 0 ? vlanTci : 0;
      } else {
        hints.ts = 0;
        hints.vlanProto = 0;
        hints.vlanTci = 0;
        hints.tsStatus = UNSUPPORTED;
        hints.vlanStatus = UNSUPPORTED;
      }
      hints.hashStatus = rssType === 0 ? NODATA : 0;
      hints.hash = hash;
      hints.hashType = rssType;
    }
    this.queue = rssType === 0 ? 0 : (this.indirection[hash & this.mask] ?? 0);
    this.length = len;
    this.vlanTci = vlanTci;
  }
}

const UNSUPPORTED = -ERRNO.EOPNOTSUPP;
const NODATA = -ERRNO.ENODATA;

/**
 * The enum xdp_rss_hash_type drivers report for a tuple: L3 when only the addresses were hashed,
 * L4 with TCP or UDP when the ports were too; DYNHDR for IPv4 options (L3 only: IPv4 has no
 * "_EX" L4 types) and IPv6 extension headers. 0 (XDP_RSS_TYPE_NONE) for frames RSS did not hash.
 */
export function rssTypeOf(code: number): number {
  const v4 = (code & RSS_IPV4) !== 0;
  if (!v4 && (code & RSS_IPV6) === 0) return 0;
  const dynhdr = (code & RSS_DYNHDR) !== 0;
  const l3 = v4 ? XDP_RSS.L3_IPV4 : XDP_RSS.L3_IPV6;
  if ((code & RSS_PORTS) === 0) return l3 | (dynhdr ? XDP_RSS.L3_DYNHDR : 0);
  const l4 = (code & RSS_L4_MASK) === RSS_L4_TCP ? XDP_RSS.L4_TCP : XDP_RSS.L4_UDP;
  return l3 | XDP_RSS.L4 | l4 | (!v4 && dynhdr ? XDP_RSS.L3_DYNHDR : 0);
}
