// One traffic run: frames from a source through the emulated NIC into the XDP program, and each
// verdict carried out as the kernel does — ABORTED and DROP drop, PASS builds an skb that the
// file's tc program (if any) sees with the XDP metadata in front of it, TX sends the frame back
// out, REDIRECT goes where bpf_redirect/bpf_redirect_map pointed (another device, whose XDP
// program sees the frame without hardware metadata; a CPU, where it becomes an skb; an AF_XDP
// socket, whose UMEM gets metadata and packet), and any other value is dropped as illegal.
// The loop is allocation-free for packets beyond the first KEEP ones, which are recorded.

import type { AttachedProgram, LoadedProgram } from '../kernel/loader.ts';
import { RedirectMap } from '../kernel/maps/redirect-maps.ts';
import { tcActionName } from '../kernel/skb.ts';
import { ERRNO } from '../kernel/services.ts';
import { noHints, XDP_ACTIONS, type RxHints, type XdpBuff } from '../kernel/xdp-buff.ts';
import { XskSocket } from './afxdp.ts';
import { ByteLog } from './byte-log.ts';
import type { Frame, FrameSource } from './frames.ts';
import { Nic } from './nic.ts';
import { RSS_INPUT_MAX, rssInputFast } from './packet/rss.ts';
import type { TrafficProfile } from './profile.ts';
import { emptyCounters, type MutableNicCounters, type NicCounters, type PacketFate, type PacketSummary, type XdpActionName } from './types.ts';

/** Packets whose summary (and wire and output bytes, for pcap export) are kept. */
export const KEEP = 10_000;
/** Packets whose whole frame buffer, AF_XDP and TC views are kept for the packet detail. */
export const DETAIL = 1_000;
/** From the NIC's timestamp to the program's first instruction: interrupt and NAPI poll, virtual ns. */
const RX_LATENCY_NS = 1_000;

export const DEVICES: Readonly<Record<number, string>> = { 1: 'lo', 2: 'eth0', 3: 'veth0', 4: 'veth1' };
export const ETH0 = 2;
const VETH0 = 3;
const VETH1 = 4;
/** The section of a second XDP program, attached to veth1: it sees what is redirected into veth0. */
export const PEER_SECTION = 'xdp/peer';

const ACTIONS: readonly XdpActionName[] = XDP_ACTIONS;


/**
 * Where the detail of one of the first DETAIL packets lives: the frame buffer (data_hard_start
 * .. data_end after the program) and the AF_XDP consumer's view in the run's ByteLog, as places.
 */
interface DetailPlaces {
  readonly bufferAt: number;
  readonly bufferLength: number;
  readonly metaOffset: number;
  readonly dataOffset: number;
  readonly endOffset: number;
  readonly xsk: { readonly queue: number; readonly addr: number; readonly len: number; readonly metadataAt: number; readonly metadataLength: number; readonly packetAt: number } | undefined;
  readonly tc: StoredDetail['tc'] | undefined;
  readonly traceFrom: number;
  readonly traceTo: number;
}

/**
 * What is kept of a packet for the packets table, the detail view and pcap export: numbers and
 * ByteLog places, one object per packet. While the traffic runs nothing else is made — no
 * timestamp string, no fate object unless it is one of a few constants (an AF_XDP delivery is
 * its queue and addr), no copy of the frame buffer: the summary is made when first asked for,
 * and the bytes are read out of the ByteLog as fresh copies.
 */
export class KeptPacket {
  readonly tsNs: number;
  private readonly index: number;
  private readonly queue: number;
  private readonly tsStatus: number;
  private readonly ts: number;
  private readonly hashStatus: number;
  private readonly hash: number;
  private readonly hashType: number;
  private readonly vlanTci: number;
  private readonly length: number;
  private readonly flow: number;
  /** The packet's fate, or undefined for an AF_XDP delivery (xskQueue, xskAddr). */
  private readonly fate: PacketFate | undefined;
  private readonly xskQueue: number;
  private readonly xskAddr: number;
  private readonly wireAt: number;
  private readonly arrivedAt: number;
  private readonly arrivedLength: number;
  private made: PacketSummary | undefined;

  constructor(
    private readonly log: ByteLog,
    c: Current,
    h: RxHints,
    o: Outcome,
    private readonly retval: number,
    /** The action's index in ACTIONS, or ACTIONS.length for ILLEGAL. */
    private readonly action: number,
    private readonly insns: number,
    private readonly metaLength: number,
    private readonly outAt: number,
    private readonly outLength: number,
    private readonly metaAt: number,
    private readonly places: DetailPlaces | undefined,
  ) {
    this.tsNs = c.tsNs;
    this.index = c.index;
    this.queue = c.queue;
    this.vlanTci = c.vlanTci;
    this.length = c.wireLength;
    this.flow = c.flow;
    this.wireAt = c.wireAt;
    this.arrivedAt = c.arrivedAt;
    this.arrivedLength = c.arrivedLength;
    this.tsStatus = h.tsStatus;
    this.ts = h.ts;
    this.hashStatus = h.hashStatus;
    this.hash = h.hash;
    this.hashType = h.hashType;
    this.fate = o.fate;
    this.xskQueue = o.xskQueue;
    this.xskAddr = o.xskAddr;
  }

  get summary(): PacketSummary {
    if (this.made) return this.made;
    this.made = {
      index: this.index,
      queue: this.queue,
      rxTimestamp: this.tsStatus === 0 ? String(this.ts) : null,
      rxHash: this.hashStatus === 0 ? this.hash : null,
      rssType: this.hashStatus === 0 ? this.hashType : 0,
      vlan: this.vlanTci >= 0 ? this.vlanTci & 0xfff : null,
      length: this.length,
      flow: this.flow,
      action: ACTIONS[this.action] ?? 'ILLEGAL',
      retval: this.retval,
      fate: this.fate ?? { kind: 'xsk', queue: this.xskQueue, addr: `0x${this.xskAddr.toString(16)}` },
      insns: this.insns,
      metaLength: this.metaLength,
    };
    return this.made;
  }

  /** The frame as it arrived on the wire. */
  get wire(): Uint8Array {
    return this.log.read(this.wireAt, this.length);
  }
  /** The frame the program saw first (after VLAN stripping). */
  get arrived(): Uint8Array {
    return this.log.read(this.arrivedAt, this.arrivedLength);
  }
  /** The data as the program left it (what left the NIC, unless the packet was dropped). */
  get out(): Uint8Array {
    return this.log.read(this.outAt, this.outLength);
  }
  /** The metadata area in front of the data as the program left it (empty when it wrote none). */
  get meta(): Uint8Array {
    return this.log.read(this.metaAt, this.metaLength);
  }

  /** The frame buffer and the consumers' views, for the first DETAIL packets (fresh copies). */
  get detail(): StoredDetail | undefined {
    const d = this.places;
    if (!d) return undefined;
    const x = d.xsk;
    return {
      buffer: this.log.read(d.bufferAt, d.bufferLength),
      metaOffset: d.metaOffset,
      dataOffset: d.dataOffset,
      endOffset: d.endOffset,
      ...(x ? { xsk: { queue: x.queue, addr: x.addr, len: x.len, metadata: this.log.read(x.metadataAt, x.metadataLength), packet: this.log.read(x.packetAt, x.len) } } : {}),
      ...(d.tc ? { tc: d.tc } : {}),
      traceFrom: d.traceFrom,
      traceTo: d.traceTo,
    };
  }
}

export interface StoredDetail {
  /** data_hard_start .. data_end after the program, and the bounds as offsets into it. */
  readonly buffer: Uint8Array;
  readonly metaOffset: number;
  readonly dataOffset: number;
  readonly endOffset: number;
  readonly xsk?: { readonly queue: number; readonly addr: number; readonly len: number; readonly metadata: Uint8Array; readonly packet: Uint8Array };
  readonly tc?: { readonly section: string; readonly retval: number; readonly dataMeta: Uint8Array; readonly data: Uint8Array; readonly skb: readonly { name: string; value: string }[] };
  readonly traceFrom: number;
  readonly traceTo: number;
}

interface Current {
  /** Whether a packet is in the program (the object is reused from packet to packet). */
  active: boolean;
  index: number;
  flow: number;
  tsNs: number;
  queue: number;
  vlanTci: number;
  wireLength: number;
  traceFrom: number;
  /** ByteLog places of the frame as received and as the program first saw it (kept packets only). */
  wireAt: number;
  arrivedAt: number;
  arrivedLength: number;
}

export class TrafficRun {
  readonly nic: Nic;
  readonly sockets: XskSocket[];
  readonly counters: MutableNicCounters;
  readonly kept: KeptPacket[] = [];
  readonly tc: AttachedProgram | undefined;
  readonly peer: AttachedProgram | undefined;
  /** Why the run stopped early (a fault), if it did. */
  stopped: string | undefined;
  /** Warnings the kernel would print once (bpf_warn_invalid_xdp_action). */
  readonly warnings: string[] = [];
  private readonly frame: Frame;
  private readonly buff: XdpBuff;
  /** Per generated flow, its RSS input code (rssInputFast) and Toeplitz hash, once known: a flow's tuple never changes. */
  private readonly flowCode: Int32Array;
  private readonly flowHash: Int32Array;
  private readonly flowKnown: Uint8Array;
  private readonly rssInput = new Uint8Array(RSS_INPUT_MAX);
  private readonly cur: Current = { active: false, index: 0, flow: 0, tsNs: 0, queue: 0, vlanTci: -1, wireLength: 0, traceFrom: 0, wireAt: -1, arrivedAt: -1, arrivedLength: 0 };
  /** The bytes of the kept packets. */
  private readonly log = new ByteLog();
  private readonly outcome: Outcome = { fate: undefined, xskQueue: 0, xskAddr: 0, xsk: undefined, tc: undefined };
  private done = false;

  constructor(
    readonly program: LoadedProgram,
    readonly profile: TrafficProfile,
    readonly source: FrameSource,
  ) {
    const buff = program.context.xdp;
    if (!buff) throw new Error('internal: a traffic run needs an XDP program loaded for the NIC');
    this.buff = buff;
    this.nic = new Nic(profile.nic, profile.queues);
    this.flowCode = new Int32Array(profile.flows.length);
    this.flowHash = new Int32Array(profile.flows.length);
    this.flowKnown = new Uint8Array(profile.flows.length);
    this.sockets = Array.from({ length: profile.queues }, (_, q) => new XskSocket(q, profile.xsk));
    this.frame = { bytes: buff.receiveArea(), length: 0, index: 0, flow: 0, tsNs: 0 };
    this.counters = emptyCounters();
    const sections = [...program.programs.keys()];
    const tcName = sections.find((n) => n !== program.section.name && /^(tc|classifier|tcx)(\/|$)/.test(n));
    this.tc = tcName ? this.attachOrThrow(tcName) : undefined;
    this.peer = sections.includes(PEER_SECTION) && PEER_SECTION !== program.section.name ? this.attachOrThrow(PEER_SECTION) : undefined;
    if (this.peer?.context.xdp) this.peer.context.xdp.ingressIfindex = VETH1;
    this.registerSockets();
  }

  private attachOrThrow(name: string): AttachedProgram {
    const r = this.program.attach(name, { nic: true });
    if (!r.ok) throw new AttachError(r.problems.map((p) => p.message));
    return r.attached;
  }

  /** The consumers bind one socket per queue: an XSKMAP with no entries gets socket q at key q. */
  private registerSockets(): void {
    for (const m of this.program.kernel.maps.maps) {
      if (!(m instanceof RedirectMap) || m.type !== 'xskmap' || m.size > 0) continue;
      for (let q = 0; q < Math.min(this.profile.queues, m.decl.maxEntries); q++) m.load({ key: Uint8Array.of(q & 0xff, q >> 8, 0, 0), values: [Uint8Array.of(q & 0xff, q >> 8, 0, 0)], where: `socket of queue ${q}` });
    }
  }

  get total(): number {
    return this.source.total;
  }

  get finished(): boolean {
    return this.done;
  }

  /** The packet in the program now, if any. */
  get packetIndex(): number | undefined {
    return this.cur.active ? this.cur.index : undefined;
  }

  /**
   * Takes the next frame through the NIC into the XDP program's frame and resets the program to
   * its first instruction; false when the traffic is over.
   */
  begin(): boolean {
    return this.pull() && this.deliver();
  }

  /** The source's next frame into the XDP frame's data area (the generator's part of begin); false when the traffic is over. */
  private pull(): boolean {
    const f = this.frame;
    // The source writes into the frame in guest memory; a helper that mapped memory may have moved it.
    f.bytes = this.buff.receiveArea();
    if (this.done || this.stopped || !this.source.next(f)) {
      this.done = true;
      this.cur.active = false;
      return false;
    }
    return true;
  }

  /** The frame just pulled through the NIC (RSS, hints, VLAN strip) into the program, reset to its first instruction (the NIC's part of begin). */
  private deliver(): boolean {
    const f = this.frame;
    const kernel = this.program.kernel;
    const keep = f.index < KEEP;
    const wireAt = keep ? this.log.append(f.bytes, 0, f.length) : -1;
    const flow = f.flow;
    let code: number;
    let hash: number;
    if (flow >= 0 && flow < this.flowKnown.length && this.flowKnown[flow] === 1) {
      code = this.flowCode[flow] ?? 0;
      hash = (this.flowHash[flow] ?? 0) >>> 0;
    } else {
      code = rssInputFast(f.bytes, f.length, this.rssInput);
      hash = this.nic.hash(code, this.rssInput);
      if (flow >= 0 && flow < this.flowKnown.length) {
        this.flowCode[flow] = code;
        this.flowHash[flow] = hash;
        this.flowKnown[flow] = 1;
      }
    }
    const buff = this.buff;
    const nic = this.nic;
    nic.receive(f.bytes, f.length, f.tsNs, code, hash, buff.rx);
    buff.load(f.bytes, nic.length);
    buff.rxQueueIndex = nic.queue;
    buff.ingressIfindex = ETH0;
    kernel.enter('xdp', this.program.context);
    kernel.cpu = nic.queue % kernel.nrCpus;
    kernel.clockNs = f.tsNs + RX_LATENCY_NS;
    kernel.redirectTo.kind = 'none';
    const c = this.cur;
    c.active = true;
    c.index = f.index;
    c.flow = f.flow;
    c.tsNs = f.tsNs;
    c.queue = nic.queue;
    c.vlanTci = nic.vlanTci;
    c.wireLength = f.length;
    c.traceFrom = kernel.trace.total;
    c.wireAt = wireAt;
    // Without a stripped tag the program saw the wire's bytes: one copy serves both.
    c.arrivedAt = !keep ? -1 : nic.vlanTci < 0 ? wireAt : this.log.append(f.bytes, 0, nic.length);
    c.arrivedLength = nic.length;
    this.counters.received++;
    this.program.vm.reset(false);
    return true;
  }

  /** After the program stopped (exited or faulted): its verdict carried out, counted, and (for the first KEEP packets) recorded. */
  finish(): void {
    const c = this.cur;
    if (!c.active) return;
    c.active = false;
    const vm = this.program.vm;
    const counters = this.counters;
    const o = this.outcome;
    o.fate = NOT_KEPT;
    o.xsk = undefined;
    o.tc = undefined;
    let action = 0;
    let retval = 0;
    const keep = c.index < KEEP;
    // The frame buffer as the program left it, before the verdict is carried out.
    const bufferAt = c.index < DETAIL ? this.log.append(this.program.kernel.mem.bytes, this.buff.hardStart, this.buff.dataEnd) : -1;
    if (vm.status !== 'exited') {
      const message = vm.faultInfo?.message ?? `stopped: ${vm.status}`;
      counters.faults++;
      this.stopped = `packet ${c.index}: ${message}`;
      o.fate = { kind: 'fault', message };
    } else {
      retval = vm.regLo(0) >>> 0;
      // Beyond the KEEP packets no fate is recorded: NOT_KEPT stands in. Fates that are always
      // the same are constants. (Counters by name, not `actions[name]++`: a keyed access with a
      // varying name is a dictionary lookup, per packet.)
      const actions = counters.actions;
      switch (retval) {
        case 0:
          actions.XDP_ABORTED++;
          if (keep) o.fate = ABORTED;
          break;
        case 1:
          actions.XDP_DROP++;
          if (keep) o.fate = DROPPED;
          break;
        case 2:
          actions.XDP_PASS++;
          if (this.tc) this.passToTc(c, keep);
          else if (keep) o.fate = PASSED;
          break;
        case 3:
          actions.XDP_TX++;
          if (keep) o.fate = TRANSMITTED;
          break;
        case 4:
          actions.XDP_REDIRECT++;
          this.redirect(c, keep);
          break;
        default:
          actions.ILLEGAL++;
          if (this.warnings.length < 1) this.warnings.push(`Illegal XDP return value ${retval} on prog (eth0), expect packet loss!`);
          if (keep) o.fate = { kind: 'dropped', reason: `illegal return value ${retval}: the driver drops the frame (bpf_warn_invalid_xdp_action)` };
      }
      action = retval < ACTIONS.length ? retval : ACTIONS.length;
    }
    if (!keep || c.wireAt < 0) return;
    const b = this.buff;
    const start = b.hardStart;
    const places: DetailPlaces | undefined =
      bufferAt < 0
        ? undefined
        : {
            bufferAt,
            bufferLength: b.dataEnd - start,
            metaOffset: b.data - b.metaLength - start,
            dataOffset: b.data - start,
            endOffset: b.dataEnd - start,
            xsk: o.xsk,
            tc: o.tc,
            traceFrom: c.traceFrom,
            traceTo: this.program.kernel.trace.total,
          };
    const bytes = this.program.kernel.mem.bytes;
    const log = this.log;
    const outAt = log.append(bytes, b.data, b.dataEnd);
    const metaAt = log.append(bytes, b.data - b.metaLength, b.data);
    this.kept.push(new KeptPacket(log, c, b.rx, o, retval, action, vm.count, b.metaLength, outAt, b.dataEnd - b.data, metaAt, places));
  }

  /**
   * XDP_PASS (or a cpumap): the frame becomes an skb; the tc program, if any, sees it with the
   * metadata. Returns the tc program's action (undefined without one) and sets outcome.tc.
   * Through a cpumap the skb is built from the xdp_frame on the target CPU
   * (__xdp_build_skb_from_frame, net/core/xdp.c), which carries none of the driver's hints: no
   * RX hash, no hardware timestamp, no stripped VLAN tag, no RX queue.
   */
  private runTc(c: Current, keep: boolean, fromFrame = false): string | undefined {
    const tc = this.tc;
    if (!tc?.context.skb) return undefined;
    const kernel = this.program.kernel;
    const mem = kernel.mem;
    const b = this.buff;
    const h = b.rx;
    tc.context.skb.load({
      packet: mem.bytes.subarray(b.data, b.dataEnd),
      meta: mem.bytes.slice(b.data - b.metaLength, b.data),
      ifindex: ETH0,
      ...(fromFrame
        ? {}
        : {
            queueMapping: c.queue + 1,
            ...(h.hashStatus === 0 ? { hash: h.hash } : {}),
            ...(c.vlanTci >= 0 ? { vlanTci: c.vlanTci, vlanProto: 0x8100 } : {}),
            ...(h.tsStatus === 0 ? { hwtstamp: BigInt(h.ts) } : {}),
          }),
      tstamp: BigInt(kernel.clockNs),
    });
    kernel.enter('tc', tc.context);
    tc.vm.reset(false);
    const status = tc.vm.run();
    kernel.enter('xdp', this.program.context);
    if (status !== 'exited') {
      const message = tc.vm.faultInfo?.message ?? status;
      this.counters.faults++;
      this.stopped = `packet ${c.index}: ${tc.section.name}: ${message}`;
      return `fault: ${message}`;
    }
    const retval = tc.vm.regLo(0);
    const action = tcActionName(retval);
    this.counters.tc[action] = (this.counters.tc[action] ?? 0) + 1;
    const skb = tc.context.skb;
    if (keep && c.index < DETAIL) {
      this.outcome.tc = { section: tc.section.name, retval, dataMeta: skb.metadata(), data: skb.packet(), skb: skb.fields().map((f) => ({ name: f.name, value: typeof f.value === 'bigint' ? String(f.value) : `${f.value} (0x${(f.value >>> 0).toString(16)})` })) };
    }
    return action;
  }

  /** XDP_PASS with the file's tc program: the fate names its action. */
  private passToTc(c: Current, keep: boolean): void {
    const action = this.runTc(c, keep);
    if (keep) this.outcome.fate = action === undefined ? PASSED : { kind: 'passed', tc: action };
  }

  /** A redirect that could not be carried out: counted, and the frame dropped. */
  private redirectFailed(reason: string): void {
    this.counters.redirectErrors++;
    this.outcome.fate = { kind: 'dropped', reason };
  }

  /** XDP_REDIRECT carried out where bpf_redirect or bpf_redirect_map pointed; sets the outcome. */
  private redirect(c: Current, keep: boolean): void {
    const kernel = this.program.kernel;
    const r = kernel.redirectTo;
    if (r.kind === 'none' || (r.kind === 'map' && !r.map)) return this.redirectFailed('XDP_REDIRECT with no target: neither bpf_redirect nor bpf_redirect_map was called (xdp_do_redirect fails with -EINVAL)');
    if (r.kind === 'ifindex') return this.toDevice(r.ifindex, c, keep);
    const map = r.map;
    const entry = map?.redirectTarget(r.key);
    if (!entry) return this.redirectFailed(`${map?.name ?? ''}[${r.key}] is empty (xdp_do_redirect fails)`);
    if (entry.kind === 'dev') return this.toDevice(entry.ifindex, c, keep);
    const o = this.outcome;
    if (entry.kind === 'cpu') {
      this.counters.cpus++;
      const action = this.runTc(c, keep, true);
      if (keep) o.fate = action === undefined ? { kind: 'cpu', cpu: entry.cpu } : { kind: 'cpu', cpu: entry.cpu, tc: action };
      return;
    }
    // XSKMAP: the socket must be bound to the frame's device and queue (xsk_rcv_check).
    if (entry.queue !== c.queue) return this.redirectFailed(`the AF_XDP socket in ${map?.name ?? ''}[${r.key}] is bound to queue ${entry.queue}, but the frame came in on queue ${c.queue} (__xsk_rcv refuses it: -EINVAL)`);
    const socket = this.sockets[entry.queue];
    if (!socket) return this.redirectFailed(`no AF_XDP socket on queue ${entry.queue}`);
    const b = this.buff;
    const addr = socket.receive(kernel.mem.bytes, b.data - b.metaLength, b.data, b.dataEnd);
    if (addr < 0) return this.redirectFailed(socket.tooLong(b.dataEnd - b.data));
    this.counters.xsk++;
    if (!keep) return;
    // The fate is made from these when the summary is asked for.
    o.fate = undefined;
    o.xskQueue = entry.queue;
    o.xskAddr = addr;
    if (c.index < DETAIL) {
      // What the consumer reads: METADATA_SIZE bytes in front of addr, and the packet.
      const len = b.dataEnd - b.data;
      const from = socket.metadataStart(addr);
      o.xsk = { queue: entry.queue, addr, len, metadataAt: this.log.append(socket.umem, from, addr), metadataLength: addr - from, packetAt: this.log.append(socket.umem, addr, addr + len) };
    }
  }

  private toDevice(ifindex: number, c: Current, keep: boolean): void {
    const name = DEVICES[ifindex];
    if (!name) return this.redirectFailed(`there is no device with ifindex ${ifindex} (eth0 is 2, veth0 3, veth1 4): -ENODEV`);
    if (ifindex === 1) return this.redirectFailed('lo cannot transmit XDP frames (it has no ndo_xdp_xmit): -EOPNOTSUPP');
    this.counters.devices++;
    const o = this.outcome;
    const peer = this.peer;
    const pb = peer?.context.xdp;
    if (ifindex !== VETH0 || !peer || !pb) {
      if (keep) o.fate = { kind: 'device', ifindex, name };
      return;
    }
    // Into veth0, out of veth1: its XDP program sees the frame with the custom metadata
    // (xdp_frame keeps metasize) but no hardware hints (veth has no skb for it: -ENODATA).
    const kernel = this.program.kernel;
    const b = this.buff;
    const meta = kernel.mem.bytes.slice(b.data - b.metaLength, b.data);
    pb.load(kernel.mem.bytes.subarray(b.data, b.dataEnd));
    if (meta.length) {
      pb.dataMeta = pb.data - meta.length;
      kernel.mem.bytes.set(meta, pb.dataMeta);
    }
    Object.assign(pb.rx, noHints(-ERRNO.ENODATA));
    pb.rxQueueIndex = 0;
    kernel.enter('xdp', peer.context);
    peer.vm.reset(false);
    const status = peer.vm.run();
    kernel.enter('xdp', this.program.context);
    if (status !== 'exited') {
      this.counters.faults++;
      const message = `${PEER_SECTION}: ${peer.vm.faultInfo?.message ?? status}`;
      this.stopped = `packet ${c.index}: ${message}`;
      o.fate = { kind: 'fault', message };
      return;
    }
    const ret = peer.vm.regLo(0) >>> 0;
    if (keep) o.fate = { kind: 'device', ifindex, name, peerAction: ret < ACTIONS.length ? (ACTIONS[ret] ?? 'ILLEGAL') : 'ILLEGAL' };
  }

  /**
   * Runs up to `max` packets — the one in the program now first — and returns how many ran;
   * fewer when the traffic ends or a fault stops it. The hot loop lives here, in a small
   * function called batch after batch, which V8 optimizes as a whole and keeps from run to
   * run (a loop in a function entered once per run only ever gets on-stack-replaced code,
   * whose speed varied by half between processes).
   */
  runBatch(max: number): number {
    const vm = this.program.vm;
    let n = 0;
    while (n < max && this.cur.active) {
      vm.run();
      this.finish();
      n++;
      if (this.stopped) break;
      this.begin();
    }
    return n;
  }

  /**
   * runBatch with the time of each stage added into `split` (ms): [0] the source making the
   * frame, [1] the NIC receiving it (RSS, hints, XDP buff, VM reset), [2] the program (the VM
   * run with its helper and kfunc calls), [3] the verdict carried out (redirect, AF_XDP, the kept
   * packets' records). For the benchmark's instrumented runs: the timers cost time themselves,
   * so the timed runs use runBatch. Every packet is taken through exactly as runBatch does.
   */
  runBatchTimed(max: number, split: Float64Array): number {
    const vm = this.program.vm;
    let n = 0;
    let t0 = performance.now();
    while (n < max && this.cur.active) {
      vm.run();
      const t1 = performance.now();
      this.finish();
      const t2 = performance.now();
      split[2] += t1 - t0;
      split[3] += t2 - t1;
      n++;
      if (this.stopped) break;
      const more = this.pull();
      const t3 = performance.now();
      split[0] += t3 - t2;
      if (more) this.deliver();
      t0 = performance.now();
      split[1] += t0 - t3;
    }
    return n;
  }

  counterView(): NicCounters {
    const c = this.counters;
    return { ...c, actions: { ...c.actions }, tc: { ...c.tc } };
  }

  keptPacket(index: number): KeptPacket | undefined {
    const k = this.kept[index];
    return k && k.summary.index === index ? k : this.kept.find((p) => p.summary.index === index);
  }

}

/** The fate of a packet that is not kept (never recorded). */
const NOT_KEPT: PacketFate = { kind: 'dropped', reason: 'not kept' };
/** The fates that are always the same (shared by every packet that has them). */
const ABORTED: PacketFate = { kind: 'dropped', reason: 'XDP_ABORTED (the xdp:xdp_exception tracepoint fires)' };
const DROPPED: PacketFate = { kind: 'dropped', reason: 'XDP_DROP' };
const PASSED: PacketFate = { kind: 'passed' };
const TRANSMITTED: PacketFate = { kind: 'transmitted' };

/**
 * What carrying out the verdict gave for the packet just finished: one record, rewritten per
 * packet (no object per packet). `fate` undefined means an AF_XDP delivery, made into a fate
 * from xskQueue and xskAddr when the summary is asked for.
 */
interface Outcome {
  fate: PacketFate | undefined;
  xskQueue: number;
  xskAddr: number;
  xsk: DetailPlaces['xsk'];
  tc: StoredDetail['tc'] | undefined;
}

export class AttachError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

