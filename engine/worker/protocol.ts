// The whole contract between the UI and the engine worker, as plain serialisable data. The UI
// assembles on the main thread and sends bytecode (transferred), never source; the worker
// answers with snapshots. The app imports this file for types only.

import type { IsaLevel } from '../isa/index.ts';
import type { MapEntryView, MapPage, MapView, RingbufView } from '../kernel/maps/map-set.ts';
import type { KernelProfile } from '../kernel/profiles.ts';
import type { MapDecl, ProgType } from '../program/program.ts';
import type { HeaderField, HeaderLayer, NicCounters, PacketFate, PacketSummary, XdpActionName } from '../net/types.ts';
import type { RawRunResult, VmTier } from '../vm/index.ts';
import type { ExploredAt, StateBelief } from '../verifier/api.ts';
import type { RefusedAccess } from '../explain/watch.ts';
import type { GradeCheck, GradeResult } from '../lessons/grader.ts';
import type { LessonKind, LessonSpec, TrackId } from '../lessons/spec.ts';

export type { HeaderField, HeaderLayer, KernelProfile, MapEntryView, MapPage, MapView, NicCounters, PacketFate, PacketSummary, RingbufView, XdpActionName };
export type { ExploredAt, RegBelief, ScalarBelief, StateBelief } from '../verifier/api.ts';
export type { GradeCheck, GradeResult, LessonKind, LessonSpec, TrackId };
export { KERNEL_PROFILES } from '../kernel/profiles.ts';

/**
 * The VM tier that runs a program when not debugging (engine/vm, VmOptions.tier): the
 * interpreter, the compiled JavaScript tier or the WebAssembly tier. It changes speed, never
 * results. Unset: the engine chooses per program (VmTier 'auto': WebAssembly where it pays,
 * else compiled).
 */
export type RunTier = Exclude<VmTier, 'auto'>;
export const RUN_TIERS = ['interpreter', 'compiled', 'wasm'] as const satisfies readonly RunTier[];
// Fails to compile when the VM gains a tier this list lacks.
const _allTiersListed: [Exclude<RunTier, (typeof RUN_TIERS)[number]>] extends [never] ? true : never = true;

/** A tier's name as given (`bpfp --tier`), or undefined when it names none. */
export function parseRunTier(v: unknown): RunTier | undefined {
  return RUN_TIERS.find((t) => t === v);
}

export interface RawRunRequest {
  /** Bytecode, 8 bytes per slot (transferred, not copied, across the worker boundary). */
  readonly bytecode: Uint8Array;
  /** Input memory: r1 points at it, r2 holds its length. */
  readonly mem?: Uint8Array;
  readonly isa?: IsaLevel;
  readonly maxInsns?: number;
  /** The tier that runs it (default: the engine's choice); results must not differ. */
  readonly tier?: RunTier;
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
  /**
   * false: run without the verifier ("run unverified", for studying the interpreter; only the
   * runtime's faults protect the run). Default true: a program Linux refuses is refused.
   */
  readonly verify?: boolean;
  /**
   * true: an access outside the packet (data_meta..data_end) stops the run with a fault instead
   * of reading the frame around it as Linux would — for running a verifier counterexample
   * ("Run it unverified"), whose point is that access.
   */
  readonly strictPacket?: boolean;
  /** With strictPacket: the counterexample's refused access, checked against the area its pointer is into (a metadata read must end at data). */
  readonly strictAccess?: StrictAccess;
  /**
   * Force a VM tier (the toolbar's Tier setting, `bpfp --tier`); unset: the engine chooses per
   * program. Speed only: the debugger still interprets, and results must not differ.
   */
  readonly tier?: RunTier;
}

export interface ProgramProblem {
  readonly pc: number;
  readonly message: string;
  /** decode: the bytes; structure/call/map: the kernel's load-time checks; verifier: path analysis. */
  readonly stage: 'decode' | 'structure' | 'call' | 'map' | 'context' | 'scenario' | 'verifier' | 'unsupported';
  /** The source line of the declaration it concerns (a refused .map), when it is not about an instruction. */
  readonly line?: number;
}

/** One refusal of a live verification (`EngineApi.verify`), with what explains it. */
export interface VerdictError {
  readonly pc: number;
  /** The kernel's own words. */
  readonly message: string;
  readonly stage: ProgramProblem['stage'];
  /** The source line of a refused declaration, when it is not about an instruction. */
  readonly line?: number;
  /** Where the problem began (the call whose result was never tested, the acquire of a leaked reference, …). */
  readonly related: readonly { readonly pc: number; readonly message: string }[];
  /** The causal path: the instructions whose results flow into the failing one, in order. */
  readonly slice: readonly number[];
  /** The catalogue's explanation (engine/verifier/catalogue.ts) with this program's values, when it has one. */
  readonly explanation?: VerdictExplanation;
  /**
   * The failing path's last steps (at most 256), ending at `pc`: what the verifier believed on
   * reaching each (registers, a scalar's bounds and tnum, stack, references).
   */
  readonly states?: readonly StateBelief[];
  /** `states` is the whole path, from the program's first instruction (not only its last steps). */
  readonly wholePath?: boolean;
  /** The states the verifier kept at instructions of the path, and how many paths each pruned. */
  readonly explored?: readonly ExploredAt[];
}

/** A register's concrete value in a run (`EngineApi.traceAlong`). */
export interface ConcreteReg {
  /** 0..10. */
  readonly reg: number;
  /** 0x + 16 hex digits. */
  readonly hex: string;
  readonly unsigned: string;
  readonly signed: string;
  /** A pointer into guest memory: the region's name (`packet`, `stack`, …) and the offset in it. */
  readonly region?: string;
  readonly offset?: number;
}

/** The registers a run had on reaching an instruction. */
export interface ConcreteStep {
  readonly pc: number;
  /**
   * Following a path: the step of the path this is (the run took every step before it, in
   * order). Absent: the first time the run reached `pc`, off the path (or not following one).
   */
  readonly index?: number;
  readonly regs: readonly ConcreteReg[];
}

/** The program run unverified on the current input, its registers recorded at chosen instructions. */
export interface TraceAlongReply {
  /** False when the program could not even be loaded (`error` says why). */
  readonly ok: boolean;
  /** One per step of the path the run followed, then one per other instruction asked about it reached, in the order it reached them. */
  readonly steps: readonly ConcreteStep[];
  /** Following a path: how many of its steps the run took, in order, from the first. */
  readonly followed: number;
  /**
   * How the run ended: `reached` (stopped once every instruction asked about was reached),
   * `exited`, `fault` (with `message`), `limit` (instructions), `error` (not loaded).
   */
  readonly end: 'reached' | 'exited' | 'fault' | 'limit' | 'error';
  readonly message?: string;
}

/** A refusal explained: its category, what it means here, what to do, and the kernel function that refuses. */
export interface VerdictExplanation {
  readonly id: string;
  readonly category: string;
  readonly title: string;
  readonly text: string;
  readonly suggestion: string;
  readonly kernelFunction: string;
}

/** What BPF_PROG_LOAD would answer for a program, without running anything. */
export interface VerifyReply {
  readonly accepted: boolean;
  readonly profile: KernelProfile;
  readonly errors: readonly VerdictError[];
  /** The verifier's log at level 1 (the failing path). */
  readonly log: string;
  /** Asked with `deferLog`: `log` is empty, not made; a request without `deferLog` makes it. */
  readonly logDeferred?: true;
  /** A raw (bpf_conformance) program: Linux has no such program type; nothing to verify. */
  readonly unverified?: 'raw';
  /**
   * Asked with `states`, for an accepted program: the paths the verifier walked (the first 16,
   * in order), each to an exit or to where it was pruned, with its beliefs (the states view
   * steps along the one chosen as along a refusal's path).
   */
  readonly walked?: readonly WalkedPath[];
}

/** One path the verifier walked through an accepted program. */
export interface WalkedPath {
  /** Its last steps' beliefs (at most 256). */
  readonly states: readonly StateBelief[];
  /** `states` is the whole path. */
  readonly wholePath: boolean;
  readonly explored?: readonly ExploredAt[];
  /** It reached the exit, or was pruned: its state was within one already proved safe at its last instruction. */
  readonly end: 'exit' | 'pruned';
  /** Its length in steps (the states may be only its last ones). */
  readonly steps: number;
}

/**
 * A concrete input on which a refused program, run unverified, shows the danger the verifier
 * refused it for (engine/explain/counterexample.ts), or why none was found.
 */
export interface CounterexampleFound {
  /** What goes wrong, in words with source lines ("with a 20-byte packet, line 7 reads …"). */
  readonly text: string;
  /** The instruction that faults (a leak: the acquire). */
  readonly pc: number;
  /** At the refused instruction or on its causal path (false: elsewhere, and the text says so). */
  readonly here: boolean;
  readonly kind: 'fault' | 'leak';
  /** The input, as the document holds it: packet and context hex, map contents. */
  readonly input: { readonly data?: string; readonly ctx?: string; readonly maps?: unknown; readonly scenario?: Record<string, unknown> };
  /** The program is device-bound: the packet is a frame for the emulated NIC (a one-frame capture), not BPF_PROG_TEST_RUN's data_in. */
  readonly nic?: true;
  /** The refused access and the area the verifier typed its pointer into: what a replay passes as RunSettings.strictAccess. */
  readonly access?: StrictAccess;
}

/**
 * An access of a strict run whose pointer is into the packet's metadata (data_meta..data) or the
 * packet, as the verifier typed it: the refused access the counterexample search watched.
 */
export type StrictAccess = RefusedAccess;

/** One of the two: `found`, or `none` saying why nothing was found. */
export interface CounterexampleReply {
  readonly found?: CounterexampleFound;
  readonly none?: string;
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
  /** CPUs set, for bpf_cpumask objects and tasks (their cpus_mask), as the kernel's cpulist prints them: "0-3,8", "all", "none". */
  readonly cpus?: string;
  /** The bits changed at the last stop (cpumasks). */
  readonly changed?: boolean;
  /** For tasks: 'new task' (what tp_btf/task_newtask sees) or 'current' (the task running the program). */
  readonly role?: string;
  /** Registers (while the program runs) and map kptr slots that point at it: ["r6", "cpumask_map[4242]"]. */
  readonly heldBy?: readonly string[];
  /** The instruction that created it, when a program did. */
  readonly createdAt?: number;
}

export interface LeakView {
  readonly refId: number;
  readonly object: string;
  readonly pc: number;
  readonly via: string;
  readonly message: string;
}

export interface LeakSite {
  readonly pc: number;
  readonly via: string;
  readonly count: number;
  readonly object: string;
}

/** What a map is, and one page of what it holds (the Maps panel pages through the rest). */
export interface MapSummary {
  readonly name: string;
  readonly type: MapView['type'];
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** Elements held (an array always holds max_entries). */
  readonly count: number;
  /** Bumped whenever what the map holds may have changed: a page of an older generation is stale. */
  readonly generation: number;
  /** The page asked for (MapPageQuery); absent in a snapshot when the client's page is current. */
  readonly page?: MapPage;
}

/** Which page of a map to show. Values are cut to `valueBytes` each (the entry gives its whole length). */
export interface MapPageQuery {
  readonly map: string;
  /** Position of the first entry: an array's index, a hash map's place in its order. */
  readonly start?: number;
  /** Or the page that starts at this key: hex bytes, or an index for array-like maps. */
  readonly key?: string;
  /** Entries per page (default 64, at most 256). */
  readonly limit?: number;
  /** Bytes shown of each value (default 64, at most 1 MiB); per-CPU maps show the first 8 CPUs. */
  readonly valueBytes?: number;
}

/** A page the client holds, and the map generation it was built at. */
export interface HeldMapPage extends MapPageQuery {
  readonly generation: number;
}

/**
 * What the client already holds, so a snapshot carries only what changed: maps whose
 * generation moved, objects that changed since snapshot `seq`. Without it, everything.
 */
export interface ViewRequest {
  /** The kernel (load or reset) the held views come from. */
  readonly epoch: number;
  /** The last snapshot merged. */
  readonly seq: number;
  readonly maps: readonly HeldMapPage[];
}

/**
 * The kernel in a snapshot, as a delta against what the client holds (ViewRequest):
 * engine/worker/view-cache.ts merges it into a whole KernelView.
 */
export interface KernelDelta {
  /** A load or reset starts a new epoch: views of another epoch do not apply. */
  readonly epoch: number;
  readonly seq: number;
  readonly profile: KernelProfile;
  readonly cpus: number;
  /** Objects that changed since the client's snapshot (all of them in a new epoch). */
  readonly objects: readonly ObjectView[];
  /** Every object shown, in order: present when the set changed since the client's snapshot. */
  readonly objectIds?: readonly number[];
  /** Objects whose refcount reached 0 that are not shown (only the most recent are). */
  readonly releasedHidden: number;
  /** Every map's summary; a page only where the client's is stale. */
  readonly maps: readonly MapSummary[];
  /** References the program still held when it exited (the first 64 of them). */
  readonly leaks: readonly LeakView[];
  /** How many there were in all. */
  readonly leakCount: number;
  /** The leaks by the instruction that took the reference: how many, and the first one's object. */
  readonly leakSites: readonly LeakSite[];
  readonly rcuDepth: number;
  /** What r1 is, in words. */
  readonly context: string;
  /** The scenario in effect (the default one when the document has none): in a new epoch only. */
  readonly scenario?: unknown;
}

/** The kernel as the UI holds it: every delta so far merged. */
export interface KernelView extends Omit<KernelDelta, 'objectIds' | 'scenario'> {
  /** Every object shown (live ones, and the most recently released), by id. */
  readonly objects: readonly ObjectView[];
  readonly scenario: unknown;
}

export type MapPageReply = { readonly ok: true; readonly epoch: number; readonly map: MapSummary } | { readonly ok: false; readonly error: string };

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

/** One C source line of an object's instruction (BTF line info). */
export interface ObjectLineView {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly text: string;
}

/** A program of a clang-built object, as libbpf would load it. */
export interface ObjectProgramView {
  /** Its SEC() name. */
  readonly name: string;
  readonly bytecode: Uint8Array;
  /** Per instruction slot: its C line, when the object has line info. */
  readonly lines: readonly (ObjectLineView | undefined)[];
}

/** A clang-built object read by the engine (`openObject`), or why it could not be. */
export type OpenObjectReply =
  | {
      readonly ok: true;
      readonly programs: readonly ObjectProgramView[];
      readonly maps: readonly MapDecl[];
      /** Initial contents of the global data maps, in the `--maps` format. */
      readonly mapContents: Readonly<Record<string, readonly { key: string; value: string }[]>>;
      readonly license?: string;
      /** Program sections left out, with why. */
      readonly skipped: readonly string[];
    }
  | { readonly ok: false; readonly error: string };

/** A program's text to write as an object file (`exportObject`). */
export interface ExportObjectRequest {
  readonly source: string;
  readonly dialect?: 'llvm' | 'ubpf';
  readonly isa: IsaLevel;
  /** The document's map contents (`--maps` format): the initial bytes of `.data` and `.rodata`. */
  readonly maps?: unknown;
}

/** The object file's bytes, or why it cannot be written (yet). */
export type ExportObjectReply = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly error: string };

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
  readonly kernel?: KernelDelta;
  /** While debugging an XDP program: which packet of the traffic is in the program. */
  readonly nic?: { readonly packet: number; readonly total: number; readonly counters: NicCounters };
}

/** A snapshot as the UI holds it: its kernel delta merged with the ones before. */
export interface HeldSnapshot extends Omit<DebugSnapshot, 'kernel'> {
  readonly kernel?: KernelView;
}

export interface RunProgress {
  readonly insns: number;
  /** Trace lines produced since the previous progress report. */
  readonly trace: readonly TraceLineView[];
}

/**
 * The worker's API, exposed over Comlink. Every method answers with plain data. Snapshots leave
 * out what the caller says it holds (`view`); without it they carry every object and a first
 * page of every map.
 */
export interface EngineApi {
  ping(): string;
  load(image: ProgramImage, settings: RunSettings): LoadReply;
  /** BPF_PROG_LOAD's checks and the verifier (with explanations), nothing loaded or run; the loaded program stays. */
  /** `lines`: the source line of each pc of the entry program, for the explanation's words. */
  /** `states`: a refusal carries the verifier's beliefs along its path (VerdictError.states), which costs most of the time. */
  /** `deferLog`: the answer comes without its level-1 log (VerifyReply.logDeferred), which costs most of the time. */
  verify(image: ProgramImage, settings: RunSettings, lines?: readonly number[], states?: boolean, deferLog?: boolean): VerifyReply;
  /** For a refusal about memory safety, NULL, bounds or a leak: a concrete input that shows it (the search of `bpfp verify --explain`: same seed, same tries, same input). */
  counterexample(image: ProgramImage, settings: RunSettings, lines?: readonly number[]): CounterexampleReply;
  /**
   * Runs the program unverified on the settings' input (the first frame of the traffic for XDP
   * without one), in a kernel of its own (the loaded program stays), recording the registers the
   * first time each of `pcs` is reached. With `follow`, `pcs` is a path from the first
   * instruction: the registers are recorded at each of its steps for as long as the run takes it.
   */
  traceAlong(image: ProgramImage, settings: RunSettings, pcs: readonly number[], follow?: boolean): TraceAlongReply;
  /**
   * A graded lesson's Check (engine/lessons/grader.ts): assembles `source` — the one call that
   * takes source, as the grader reports each check at a line of it —, verifies it under the
   * lesson's profiles and runs it on the lesson's hidden inputs; each check passed or failed in words.
   */
  gradeLesson(spec: LessonSpec, source: string): GradeResult;
  /** Reads a clang-built BPF object (.o) as libbpf would: its programs, maps, license and each instruction's C line. */
  openObject(bytes: Uint8Array): OpenObjectReply;
  /** Writes the program as a relocatable object libbpf and bpftool load (`bpfp asm -o OUT.o` does the same). */
  exportObject(request: ExportObjectRequest): ExportObjectReply;
  /** Resets, then runs to exit, a fault or a breakpoint (pcs); progress comes while it runs. */
  run(breakpoints: readonly number[], onProgress?: (p: RunProgress) => void, view?: ViewRequest): DebugSnapshot;
  /** Runs on from where the program stopped, to exit, a fault or a breakpoint. */
  continue(breakpoints: readonly number[], onProgress?: (p: RunProgress) => void, view?: ViewRequest): DebugSnapshot;
  step(view?: ViewRequest): DebugSnapshot;
  stepOver(view?: ViewRequest): DebugSnapshot;
  reset(view?: ViewRequest): DebugSnapshot;
  snapshot(view?: ViewRequest): DebugSnapshot;
  /** One page of a map as it is now (another page, a jump to a key, a value shown whole). */
  mapPage(query: MapPageQuery): MapPageReply;
  runRaw(request: RawRunRequest): RawRunReply;
  /** XDP programs: runs the whole traffic through the NIC and the program (reset first). */
  runTraffic(onProgress?: (p: TrafficProgress) => void): TrafficReport;
  /** One packet of the last traffic run, in full (packets beyond the first 10,000 are not kept). */
  packetDetail(index: number): PacketDetail | undefined;
  /** A pcap file (nanosecond timestamps, Ethernet) of the last run's packets. */
  exportPcap(which: PcapSelection): Uint8Array;
}
