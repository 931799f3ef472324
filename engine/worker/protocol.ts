// The whole contract between the UI and the engine worker, as plain serialisable data. The UI
// assembles on the main thread and sends bytecode (transferred), never source; the worker
// answers with snapshots. The app imports this file for types only.

import type { IsaLevel } from '../isa/index.ts';
import type { MapView } from '../kernel/maps/map-set.ts';
import type { KernelProfile } from '../kernel/profiles.ts';
import type { MapDecl, ProgType } from '../program/program.ts';
import type { HeaderField, HeaderLayer, NicCounters, PacketFate, PacketSummary, XdpActionName } from '../net/types.ts';
import type { RawRunResult } from '../vm/index.ts';

export type { HeaderField, HeaderLayer, KernelProfile, MapView, NicCounters, PacketFate, PacketSummary, XdpActionName };
export { KERNEL_PROFILES } from '../kernel/profiles.ts';

export interface RawRunRequest {
  /** Bytecode, 8 bytes per slot (transferred, not copied, across the worker boundary). */
  readonly bytecode: Uint8Array;
  /** Input memory: r1 points at it, r2 holds its length. */
  readonly mem?: Uint8Array;
  readonly isa?: IsaLevel;
  readonly maxInsns?: number;
}

export type RawRunReply = RawRunResult;

/** One program of the file: its bytecode (transferred) and type. */
export interface SectionImage {
  readonly name: string;
  readonly progType: ProgType;
  /** tp_btf/NAME: the tracepoint. */
  readonly attachTo?: string;
  readonly bytecode: Uint8Array;
}

/** What the worker receives: every program of the file (tail calls), the maps, no source. */
export interface ProgramImage {
  readonly sections: readonly SectionImage[];
  /** The program to run. */
  readonly entry: string;
  readonly maps: readonly MapDecl[];
  readonly license?: string;
}

export interface RunSettings {
  readonly isa: IsaLevel;
  readonly profile: KernelProfile;
  readonly cpus: number;
  /** Instruction budget of one run. */
  readonly maxInsns: number;
  /** Input memory of a raw program (r1/r2). */
  readonly input?: Uint8Array;
  /** Seed of every random choice (bpf_get_prandom_u32, …). */
  readonly seed?: number;
  /** Scenario JSON: tasks, cgroups, the tracepoint's event. */
  readonly scenario?: unknown;
  /** Map contents before the run. */
  readonly maps?: unknown;
  /** ctx_in of a syscall program. */
  readonly ctx?: Uint8Array;
  /** Traffic profile JSON for XDP programs (DESIGN.md "Traffic profile"); the default traffic when absent. */
  readonly traffic?: unknown;
  /** A pcap file to replay instead of generated traffic (its frames and timestamps). */
  readonly pcap?: Uint8Array;
}

export interface ProgramProblem {
  readonly pc: number;
  readonly message: string;
  /** decode: the bytes; structure/call/map: the kernel's load-time checks; verifier: path analysis. */
  readonly stage: 'decode' | 'structure' | 'call' | 'map' | 'context' | 'scenario' | 'verifier' | 'unsupported';
}

export type LoadReply = { readonly ok: true; readonly slots: number } | { readonly ok: false; readonly problems: readonly ProgramProblem[] };

export type DebugStatus = 'empty' | 'ready' | 'paused' | 'breakpoint' | 'step' | 'exited' | 'fault';

export interface RegisterView {
  readonly name: string;
  /** 0x + 16 hex digits. */
  readonly hex: string;
  readonly unsigned: string;
  readonly signed: string;
  /** What the value is: a pointer into a region of guest memory, or a plain scalar. */
  readonly kind: 'scalar' | 'pointer';
  readonly region?: string;
  readonly offset?: number;
  /** Changed since the previous stop. */
  readonly changed: boolean;
}

export interface StackView {
  /** Guest address of the first byte (r10 - 512). */
  readonly base: string;
  readonly bytes: Uint8Array;
  /** Per byte: 1 when the program has changed it since the last reset. */
  readonly touched: Uint8Array;
  /** Per byte: 1 when it changed since the previous stop. */
  readonly changed: Uint8Array;
  /** Call depth of the frame shown. */
  readonly depth: number;
}

export interface FaultView {
  readonly kind: string;
  readonly pc: number;
  readonly message: string;
  readonly address?: string;
  readonly size?: number;
  readonly region?: string;
}

export interface TraceLineView {
  readonly seq: number;
  readonly cpu: number;
  readonly ns: number;
  readonly comm: string;
  readonly pid: number;
  readonly text: string;
}

/** A kernel object a program can see: a bpf_cpumask, a task, a cgroup, a conntrack entry. */
export interface ObjectView {
  readonly id: number;
  readonly type: string;
  readonly label: string;
  readonly address: string;
  readonly refcount: number;
  readonly state: 'live' | 'rcu-free' | 'freed';
  /** CPUs set, for bpf_cpumask objects and tasks (their cpus_mask). */
  readonly cpus?: readonly number[];
  /** The bits changed since the previous stop (cpumasks). */
  readonly changed?: boolean;
  /** For tasks: 'new task' (what tp_btf/task_newtask sees) or 'current' (the task running the program). */
  readonly role?: string;
  /** Registers (while the program runs) and map kptr slots that point at it: ["r6", "cpumask_map[4242]"]. */
  readonly heldBy?: readonly string[];
}

export interface LeakView {
  readonly refId: number;
  readonly object: string;
  readonly pc: number;
  readonly via: string;
  readonly message: string;
}

export interface KernelView {
  readonly profile: KernelProfile;
  readonly cpus: number;
  readonly objects: readonly ObjectView[];
  readonly maps: readonly MapView[];
  /** References the program still held when it exited. */
  readonly leaks: readonly LeakView[];
  readonly rcuDepth: number;
  /** What r1 is, in words. */
  readonly context: string;
  /** The scenario in effect (the default one when the document has none). */
  readonly scenario: unknown;
}

export interface TrafficProgress {
  readonly packets: number;
  readonly total: number;
  /** Packets per second of wall-clock time so far. */
  readonly pps: number;
  readonly counters: NicCounters;
}

export interface TrafficReport {
  readonly counters: NicCounters;
  /** The first packets (up to 10,000), in order. */
  readonly packets: readonly PacketSummary[];
  readonly total: number;
  readonly durationMs: number;
  readonly pps: number;
  readonly driver: string;
  readonly queues: number;
  /** The AF_XDP consumer's METADATA_SIZE. */
  readonly xskMetadataSize: number;
  /** The program is bound to the emulated device (it calls metadata kfuncs), as the kernel requires. */
  readonly deviceBound: boolean;
  /** Why the run stopped early (a fault, the budget), if it did. */
  readonly stopped?: string;
  /** What is worth saying about the run: unknown profile fields, a capture cut short, an illegal XDP action. */
  readonly warnings: readonly string[];
}

export interface PacketDetail {
  readonly summary: PacketSummary;
  /** The frame as the NIC received it. */
  readonly received: Uint8Array;
  /**
   * The frame buffer after the program, from data_hard_start to data_end: headroom (the first
   * 40 bytes are struct xdp_frame's), metadata [metaOffset, dataOffset), data [dataOffset, endOffset).
   */
  readonly buffer: Uint8Array;
  readonly metaOffset: number;
  readonly dataOffset: number;
  readonly endOffset: number;
  /** Per byte of `buffer`: 1 where the program wrote something different from what arrived. */
  readonly changed: Uint8Array;
  /** The data as the program left it, decoded. */
  readonly layers: readonly HeaderLayer[];
  /** Where decoding stopped and why, if it did (a byte offset in the data). */
  readonly decodeError?: string;
  /** The AF_XDP consumer's view, for a packet redirected to an XSK. */
  readonly xsk?: {
    readonly queue: number;
    /** rx_desc.addr (UMEM offset of the packet) and len. */
    readonly addr: string;
    readonly len: number;
    /** The METADATA_SIZE bytes before addr, as the consumer reads them. */
    readonly metadata: Uint8Array;
    readonly packet: Uint8Array;
  };
  /** The TC program's view, for a passed packet when the file has a tc program. */
  readonly tc?: {
    readonly section: string;
    readonly action: string;
    readonly retval: number;
    readonly dataMeta: Uint8Array;
    readonly data: Uint8Array;
    readonly skb: readonly HeaderField[];
  };
  /** Trace lines the packet's programs wrote. */
  readonly trace: readonly TraceLineView[];
}

/** What to put in an exported pcap. */
export type PcapSelection = 'received' | 'passed' | 'transmitted' | 'redirected' | 'dropped';

export interface DebugSnapshot {
  readonly status: DebugStatus;
  readonly pc: number;
  readonly insns: number;
  readonly depth: number;
  readonly regs: readonly RegisterView[];
  readonly callStack: readonly number[];
  readonly stack: StackView;
  readonly fault?: FaultView;
  /** r0 as hex once the program exited. */
  readonly r0?: string;
  /** Trace pipe lines since the last reset (the last few thousand). */
  readonly trace: readonly TraceLineView[];
  readonly traceDropped: number;
  /** The program running now (a tail call changes it). */
  readonly section: string;
  readonly kernel?: KernelView;
  /** While debugging an XDP program: which packet of the traffic is in the program. */
  readonly nic?: { readonly packet: number; readonly total: number; readonly counters: NicCounters };
}

export interface RunProgress {
  readonly insns: number;
  /** Trace lines produced since the previous progress report. */
  readonly trace: readonly TraceLineView[];
}

/** The worker's API, exposed over Comlink. Every method answers with plain data. */
export interface EngineApi {
  ping(): string;
  load(image: ProgramImage, settings: RunSettings): LoadReply;
  /** Resets, then runs to exit, a fault or a breakpoint (pcs); progress comes while it runs. */
  run(breakpoints: readonly number[], onProgress?: (p: RunProgress) => void): DebugSnapshot;
  /** Runs on from where the program stopped, to exit, a fault or a breakpoint. */
  continue(breakpoints: readonly number[], onProgress?: (p: RunProgress) => void): DebugSnapshot;
  step(): DebugSnapshot;
  stepOver(): DebugSnapshot;
  reset(): DebugSnapshot;
  snapshot(): DebugSnapshot;
  runRaw(request: RawRunRequest): RawRunReply;
  /** XDP programs: runs the whole traffic through the NIC and the program (reset first). */
  runTraffic(onProgress?: (p: TrafficProgress) => void): TrafficReport;
  /** One packet of the last traffic run, in full (packets beyond the first 10,000 are not kept). */
  packetDetail(index: number): PacketDetail | undefined;
  /** A pcap file (nanosecond timestamps, Ethernet) of the last run's packets. */
  exportPcap(which: PcapSelection): Uint8Array;
}
