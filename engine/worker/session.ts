// The engine's facade: everything the UI (through the worker) and the command line may ask
// of the engine, as plain data in and out. worker.ts exposes it over Comlink; the CLI calls
// it directly, so both drive the very same code.

import { AccessWatch, programWatch, watchedFault } from '../explain/watch.ts';
import { decodeProgram } from '../isa/index.ts';
import { helperName, kfuncDecl } from '../kernel/decls/index.ts';
import { explainError } from '../verifier/catalogue.ts';
import { findCounterexample, SEARCH } from '../explain/counterexample.ts';
import type { VerifyError } from '../verifier/api.ts';
import { DEFAULT_CPUS, DEFAULT_PROFILE } from '../kernel/profiles.ts';
import { sectionKind } from '../program/program.ts';
import type { LoadedProgram, RunEnd } from '../kernel/loader.ts';
import { loadProgram, verifiable, verifyProgram, type PipelineRequest as LoadRequest } from '../load/load.ts';
import type { TraceLine } from '../kernel/trace/pipe.ts';
import type { TrafficRun } from '../net/xdp-run.ts';
import { packetDetailOf, parsePcapSelection, pcapOf, runWholeTraffic, startTraffic, trafficSetup, type TrafficSetup } from './nic-session.ts';
import { DEFAULT_MAX_INSNS, GUEST_BASE_HI, type Vm } from '../vm/index.ts';
import { KernelViews } from './kernel-view.ts';
import { traceAlong } from './trace-along.ts';
import { gradeLesson } from '../lessons/grader.ts';
import { objectOfElf } from '../load/elf-object.ts';
import { objectOfSource } from '../load/object-export.ts';
import type {
  DebugSnapshot,
  EngineApi,
  CounterexampleReply,
  LoadReply,
  MapPageQuery,
  MapPageReply,
  PacketDetail,
  PcapSelection,
  ProgramImage,
  RawRunReply,
  RawRunRequest,
  RegisterView,
  RunProgress,
  RunSettings,
  TraceLineView,
  TrafficProgress,
  TrafficReport,
  TraceAlongReply,
  KernelProfile,
  VerdictError,
  VerdictExplanation,
  VerifyReply,
  WalkedPath,
  ViewRequest,
  GradeResult,
  LessonSpec,
  OpenObjectReply,
  ExportObjectRequest,
  ExportObjectReply,
  StrictAccess,
} from './protocol.ts';

/** Instructions between progress reports of a long run. */
const SLICE = 2_000_000;
/** Steps of a refusal's path whose beliefs a verdict carries (each is a few hundred bytes). */
const STATES_SENT = 256;
const STACK_BYTES = 512;
const FRAMES = 8;

function hex64(v: bigint): string {
  return `0x${v.toString(16).padStart(16, '0')}`;
}

function traceView(l: TraceLine): TraceLineView {
  return { seq: l.seq, cpu: l.cpu, ns: l.ns, comm: l.comm, pid: l.pid, text: l.text };
}

/**
 * Whether an image runs on the emulated NIC: an XDP entry program given no test_run frame
 * (settings.input) gets its frames from the traffic instead.
 */
export function runsOnNic(image: ProgramImage, settings: RunSettings): boolean {
  return sectionKind(image.entry).progType === 'xdp' && !settings.input?.length;
}

/** The loader's request for an image and its settings. */
export function loadRequestOf(image: ProgramImage, settings: RunSettings): LoadRequest {
  const nic = runsOnNic(image, settings);
  return {
    sections: image.sections.map((s) => ({ name: s.name, kind: sectionKind(s.name), bytes: s.bytecode })),
    entry: image.entry,
    maps: image.maps,
    ...(image.license === undefined ? {} : { license: image.license }),
    profile: settings.profile,
    cpus: settings.cpus,
    isa: settings.isa,
    maxInsns: settings.maxInsns,
    ...(settings.seed === undefined ? {} : { seed: settings.seed }),
    ...(settings.scenario === undefined ? {} : { scenario: settings.scenario }),
    ...(settings.maps === undefined ? {} : { mapContents: settings.maps }),
    inputs: {
      ...(nic ? { nic: true } : { ...(settings.input ? { data: settings.input } : {}), ...(settings.ctx ? { ctx: settings.ctx } : {}) }),
      ...(settings.strictPacket ? { strictPacket: true } : {}),
    },
    verify: settings.verify !== false,
    ...(settings.tier === undefined ? {} : { tier: settings.tier }),
  };
}

interface Loaded {
  readonly request: LoadRequest;
  program: LoadedProgram;
  report: RunEnd | undefined;
  prevRegs: bigint[];
  prevStacks: Uint8Array;
  /** The kernel's objects and maps as snapshots show them (deltas against what the UI holds). */
  readonly views: KernelViews;
  touched: Uint8Array;
  lastChanged: Uint8Array;
  traceSent: number;
  /** An XDP program on the emulated NIC: the traffic, and the run whose packet is in the program. */
  readonly traffic?: { readonly setup: TrafficSetup; run: TrafficRun };
  /**
   * A counterexample's run (RunSettings.strictPacket, off the NIC): the search's watcher, so the
   * run stops at the access the search reported — outside a map value, into a record handed back
   * — where Linux, and an unwatched run, would go on without a fault.
   */
  readonly watch?: AccessWatch;
}

export class Session implements Omit<EngineApi, 'ping'> {
  private current: Loaded | undefined;
  /** The last whole traffic run (runTraffic), which packet details and pcap exports read. */
  private lastTraffic: TrafficRun | undefined;
  /** Numbers of kernels (each load and reset starts one) and of snapshots, for views as deltas. */
  private epochs = 0;
  private seq = 0;
  /** The loaded program's RunSettings.strictAccess (a counterexample's replay), for its watcher. */
  private strictAccess: StrictAccess | undefined;

  /**
   * Loads and runs a `raw` program (bpf_conformance convention: r1 = input, r2 = its length) in
   * a default simulated kernel, to its end. Never throws.
   */
  runRaw(request: RawRunRequest): RawRunReply {
    try {
      const r = loadProgram({
        sections: [{ name: 'raw', kind: { progType: 'raw' }, bytes: request.bytecode }],
        entry: 'raw',
        maps: [],
        profile: DEFAULT_PROFILE,
        cpus: DEFAULT_CPUS,
        isa: request.isa ?? 4,
        maxInsns: request.maxInsns ?? DEFAULT_MAX_INSNS,
        inputs: request.mem ? { data: request.mem } : {},
        ...(request.tier === undefined ? {} : { tier: request.tier }),
      });
      if (!r.ok) {
        const errors = r.problems.map((p) => ({ pc: p.pc, message: p.stage === 'decode' ? p.message : `pc ${p.pc}: ${p.message}` }));
        return { ok: false, stage: 'load', error: errors[0]?.message ?? 'refused', errors, insns: 0 };
      }
      const vm = r.program.vm;
      const status = vm.run();
      if (status === 'exited') return { ok: true, r0: vm.reg(0), insns: vm.count, wasmInsns: vm.wasmInsns };
      const fault = vm.faultInfo;
      const message = fault?.message ?? `stopped: ${status}`;
      return { ok: false, stage: 'run', error: message, errors: [{ pc: fault?.pc ?? vm.pc, message }], insns: vm.count, ...(fault ? { fault } : {}) };
    } catch (e) {
      const message = `internal error: ${e instanceof Error ? e.message : String(e)}`;
      return { ok: false, stage: 'internal', error: message, errors: [{ pc: 0, message }], insns: 0 };
    }
  }

  /**
   * What BPF_PROG_LOAD would answer (its checks, then the verifier with explanations, log
   * level 1), nothing loaded or run: the program being debugged stays. Never throws.
   */
  verify(image: ProgramImage, settings: RunSettings, lines?: readonly number[], states = false, deferLog = false): VerifyReply {
    const profile = settings.profile;
    try {
      if (!verifiable(sectionKind(image.entry))) return { accepted: true, profile, errors: [], log: '', unverified: 'raw' };
      const request = loadRequestOf(image, settings);
      // Beliefs only when asked (the Verifier panel's states view): recording them is most of what `explain` costs.
      const beliefs = states ? {} : { beliefs: false };
      if (deferLog) {
        // The level-1 log is most of the verifier's time (every instruction and state printed,
        // then dropped as each path ends): the verdict comes from a walk with no log, and the
        // log is made when asked for. A refusal's explanation quotes what the log would have
        // held just before its message (VerifyError.context).
        const quick = verifyProgram({ ...request, verify: true, explain: true, ...beliefs, logLevel: 0 });
        return this.verdictOf(quick, profile, image, lines, states, true);
      }
      const r = verifyProgram({ ...request, verify: true, explain: true, ...beliefs, logLevel: 1 });
      return this.verdictOf(r, profile, image, lines, states, false);
    } catch (e) {
      const message = `internal error while verifying: ${e instanceof Error ? e.message : String(e)}`;
      return { accepted: false, profile, errors: [{ pc: 0, message, stage: 'unsupported', related: [], slice: [] }], log: '' };
    }
  }

  /** The reply for a verification's outcome (`logDeferred`: it was made without its log). */
  private verdictOf(r: ReturnType<typeof verifyProgram>, profile: KernelProfile, image: ProgramImage, lines: readonly number[] | undefined, states: boolean, logDeferred: boolean): VerifyReply {
    const detail = r.verifier?.errors[0];
    const errors = r.problems.map((p, i): VerdictError => {
      const explained = i === 0 && p.stage === 'verifier' && detail !== undefined;
      return {
        pc: p.pc,
        message: p.message,
        stage: p.stage,
        ...(p.line ? { line: p.line } : {}),
        related: explained ? (detail.related ?? []).map((x) => ({ pc: x.pc, message: x.message })) : [],
        slice: explained ? [...(detail.slice ?? [])] : [],
        ...(explained ? explanationOf(detail, profile, lines, r.verifier?.log || detail.context || '', image) : {}),
        ...(explained && detail.states ? { states: detail.states.slice(-STATES_SENT), wholePath: detail.states.length <= STATES_SENT && (detail.path?.length ?? 0) < 1000 } : {}),
        ...(explained && detail.explored ? { explored: detail.explored } : {}),
      };
    });
    const walked = r.ok && states ? (r.verifier?.paths ?? (r.verifier?.firstPath ? [r.verifier.firstPath] : [])) : [];
    const paths = walked.flatMap((w): WalkedPath[] =>
      w.states ? [{ states: w.states.slice(-STATES_SENT), wholePath: w.states.length <= STATES_SENT && w.path.length < 1000, end: w.end ?? 'exit', steps: w.path.length, ...(w.explored ? { explored: w.explored } : {}) }] : [],
    );
    return {
      accepted: r.ok,
      profile,
      errors,
      log: r.verifier?.log ?? '',
      ...(logDeferred ? { logDeferred: true as const } : {}),
      ...(paths.length ? { walked: paths } : {}),
    };
  }

  counterexample(image: ProgramImage, settings: RunSettings, lines?: readonly number[]): CounterexampleReply {
    try {
      if (!verifiable(sectionKind(image.entry))) return { none: 'a raw program is not verified' };
      const request = loadRequestOf(image, settings);
      const r = verifyProgram({ ...request, verify: true, explain: true, logLevel: 0 });
      const detail = r.verifier?.errors[0];
      if (r.ok || !detail) return { none: 'the program is not refused by the verifier' };
      const where = (pc: number): string => (lines?.[pc] ? `line ${lines[pc]}` : `insn ${pc}`);
      const c = findCounterexample(request, detail, { ...SEARCH, where });
      if ('none' in c) return { none: c.none };
      const { seed: _seed, ...input } = c.input;
      return { found: { text: c.fault, pc: c.pc, here: c.here, kind: c.kind, input, ...(c.nic ? { nic: true as const } : {}), ...(c.access ? { access: c.access } : {}) } };
    } catch (e) {
      return { none: `the search stopped: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  /** The program run unverified on the settings' input, its registers at the first visit of each of `pcs`; the loaded program stays. */
  traceAlong(image: ProgramImage, settings: RunSettings, pcs: readonly number[], follow = false): TraceAlongReply {
    const nic = runsOnNic(image, settings);
    return traceAlong(loadRequestOf(image, settings), pcs, nic ? { traffic: settings.traffic, ...(settings.pcap ? { pcap: settings.pcap } : {}) } : undefined, follow);
  }

  /** A graded lesson's Check, in a kernel of its own (the loaded program stays); never throws. */
  gradeLesson(spec: LessonSpec, source: string): GradeResult {
    return gradeLesson(spec, source);
  }

  /** A clang-built object's programs, maps, license and C lines (engine/load/elf-object.ts); the loaded program stays. Never throws. */
  exportObject(request: ExportObjectRequest): ExportObjectReply {
    try {
      return objectOfSource(request.source, { ...(request.dialect ? { dialect: request.dialect } : {}), isa: request.isa, ...(request.maps === undefined ? {} : { maps: request.maps }) });
    } catch (e) {
      return { ok: false, error: `internal error while writing the object: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  openObject(bytes: Uint8Array): OpenObjectReply {
    try {
      const r = objectOfElf(bytes);
      if (!r.ok) return r;
      const o = r.object;
      return {
        ok: true,
        programs: o.programs.map((p) => ({ name: p.name, bytecode: p.bytes, lines: p.lines.map((l) => (l ? { file: l.file, line: l.line, col: l.col, text: l.text } : undefined)) })),
        maps: o.maps,
        mapContents: o.mapContents,
        ...(o.license === undefined ? {} : { license: o.license }),
        skipped: o.skipped,
      };
    } catch (e) {
      return { ok: false, error: `internal error while reading the object: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  load(image: ProgramImage, settings: RunSettings): LoadReply {
    this.current = undefined;
    this.lastTraffic = undefined;
    this.strictAccess = settings.strictPacket ? settings.strictAccess : undefined;
    try {
      const request = loadRequestOf(image, settings);
      let setup: TrafficSetup | undefined;
      if (request.inputs?.nic) {
        const t = trafficSetup(settings.traffic, settings.pcap);
        if (!t.ok) return { ok: false, problems: t.errors.map((message) => ({ pc: 0, stage: 'context', message })) };
        setup = t.setup;
      }
      const r = loadProgram(request);
      if (!r.ok) return { ok: false, problems: r.problems.map((p) => ({ pc: p.pc, message: p.message, stage: p.stage, ...(p.line ? { line: p.line } : {}) })) };
      const loaded = this.loadedOf(request, r.program, setup);
      if ('errors' in loaded) return { ok: false, problems: loaded.errors.map((message) => ({ pc: 0, stage: 'context', message })) };
      this.current = loaded;
      return { ok: true, slots: r.program.vm.insns.length };
    } catch (e) {
      return { ok: false, problems: [{ pc: 0, stage: 'unsupported', message: `internal error while loading: ${e instanceof Error ? e.message : String(e)}` }] };
    }
  }

  /** A loaded program ready to debug; on the NIC, with the traffic's first frame in it. */
  private loadedOf(request: LoadRequest, program: LoadedProgram, setup: TrafficSetup | undefined): Loaded | { errors: string[] } {
    if (!setup) return this.fresh(request, program);
    const t = startTraffic(program, setup);
    if (!t.ok) return { errors: t.errors };
    return this.fresh(request, program, { setup, run: t.run });
  }

  private fresh(request: LoadRequest, program: LoadedProgram, traffic?: Loaded['traffic']): Loaded {
    const insns = program.programs.get(program.section.name);
    const refused = this.strictAccess;
    const watch = request.inputs?.strictPacket && !traffic && insns ? new AccessWatch(programWatch(insns), { vm: program.vm, kernel: program.kernel, context: program.context, maps: request.maps, where: (pc) => `pc ${pc}`, ...(refused ? { refused } : {}) }) : undefined;
    const loaded: Loaded = {
      ...(traffic ? { traffic } : {}),
      ...(watch ? { watch } : {}),
      request,
      program,
      report: undefined,
      prevRegs: [],
      prevStacks: this.stacks(program.vm),
      views: new KernelViews(program, ++this.epochs),
      touched: new Uint8Array(STACK_BYTES * FRAMES),
      lastChanged: new Uint8Array(STACK_BYTES * FRAMES),
      traceSent: 0,
    };
    loaded.prevRegs = this.regValues(program.vm);
    return loaded;
  }

  run(breakpoints: readonly number[], onProgress?: (p: RunProgress) => void, view?: ViewRequest): DebugSnapshot {
    this.restart();
    return this.continue(breakpoints, onProgress, view);
  }

  continue(breakpoints: readonly number[], onProgress?: (p: RunProgress) => void, view?: ViewRequest): DebugSnapshot {
    const c = this.current;
    if (!c) return this.snapshot(view);
    const vm = c.program.vm;
    const watch = c.watch;
    const user = new Set(breakpoints);
    vm.setBreakpoints(watch ? [...new Set([...breakpoints, ...watch.pcs])] : breakpoints);
    this.nextPacket(c);
    let status = watch ? watch.drive(vm.run(SLICE), () => vm.run(SLICE), user) : vm.run(SLICE);
    // On the NIC, a packet's exit hands the program the next frame, up to a breakpoint or the end of the traffic.
    while (status === 'paused' || (status === 'exited' && this.nextPacket(c))) {
      if (onProgress) {
        const trace = c.program.kernel.trace;
        const fresh = trace.since(c.traceSent);
        c.traceSent = trace.total;
        onProgress({ insns: vm.count, trace: fresh.map(traceView) });
      }
      status = watch ? watch.drive(vm.run(SLICE), () => vm.run(SLICE), user) : vm.run(SLICE);
    }
    return this.stop(view);
  }


  /**
   * On the NIC, once the program has exited for a packet: carries out its verdict and loads the
   * next frame (the program back at its first instruction). False when there is none, or off the NIC.
   */
  private nextPacket(c: Loaded): boolean {
    const t = c.traffic;
    const vm = c.program.vm;
    if (!t || vm.status !== 'exited' || t.run.packetIndex === undefined) return false;
    t.run.finish();
    if (!t.run.begin()) return false;
    c.report = undefined;
    return true;
  }

  step(view?: ViewRequest): DebugSnapshot {
    const c = this.current;
    if (c && !this.nextPacket(c) && !this.watchStep(c)) c.program.vm.step();
    return this.stop(view);
  }

  stepOver(view?: ViewRequest): DebugSnapshot {
    const c = this.current;
    if (c && !this.nextPacket(c) && !this.watchStep(c)) c.program.vm.stepOver();
    return this.stop(view);
  }

  /** Before a step in a watched run: the watcher's check of the instruction about to run; true when it ended the run. */
  private watchStep(c: Loaded): boolean {
    const vm = c.program.vm;
    if (!c.watch || vm.finished || !c.watch.pcs.includes(vm.pc)) return false;
    const problem = c.watch.check();
    if (!problem) return false;
    vm.faultHere('memory', watchedFault(problem));
    return true;
  }

  /** A fresh kernel and program: maps, objects and the trace start over. */
  reset(view?: ViewRequest): DebugSnapshot {
    this.restart();
    return this.snapshot(view);
  }

  private restart(): void {
    const c = this.current;
    if (!c) return;
    const r = loadProgram(c.request);
    if (!r.ok) return;
    const loaded = this.loadedOf(c.request, r.program, c.traffic?.setup);
    if (!('errors' in loaded)) this.current = loaded;
  }

  /** One page of a map of the loaded program, as it is now. */
  mapPage(query: MapPageQuery): MapPageReply {
    const c = this.current;
    if (!c) return { ok: false, error: 'no program is loaded: run it first' };
    try {
      return c.views.page(query);
    } catch (e) {
      return { ok: false, error: `map '${query.map}' could not be read: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  /** After a run or step: what changed since the previous stop; at exit, the kernel's report. */
  private stop(view?: ViewRequest): DebugSnapshot {
    const c = this.current;
    if (!c) return this.snapshot(view);
    const vm = c.program.vm;
    if (vm.status === 'exited' && !c.report) c.report = c.program.end();
    const now = this.stacks(vm);
    for (let i = 0; i < now.length; i++) {
      const changed = now[i] !== c.prevStacks[i] ? 1 : 0;
      c.lastChanged[i] = changed;
      if (changed) c.touched[i] = 1;
    }
    c.views.stop(vm.status !== 'exited' && vm.status !== 'fault');
    const snap = this.snapshot(view);
    c.prevStacks = now;
    c.prevRegs = this.regValues(vm);
    c.traceSent = c.program.kernel.trace.total;
    return snap;
  }

  snapshot(view?: ViewRequest): DebugSnapshot {
    const c = this.current;
    if (!c) {
      return {
        status: 'empty',
        pc: 0,
        insns: 0,
        depth: 0,
        regs: [],
        callStack: [],
        stack: { base: hex64(0n), bytes: new Uint8Array(0), touched: new Uint8Array(0), changed: new Uint8Array(0), depth: 0 },
        trace: [],
        traceDropped: 0,
        section: '',
      };
    }
    const vm = c.program.vm;
    const s = vm.snapshot();
    const values = this.regValues(vm);
    const regs: RegisterView[] = values.map((v, r) => this.describe(c, `r${r}`, v, v !== c.prevRegs[r]));
    const frame = s.depth * STACK_BYTES;
    const fault = s.fault;
    const trace = c.program.kernel.trace;
    return {
      status: s.status === 'ready' ? 'ready' : s.status,
      pc: s.pc,
      insns: s.insns,
      depth: s.depth,
      regs,
      callStack: s.callStack,
      stack: {
        base: hex64(s.stackBase),
        bytes: s.stack,
        touched: c.touched.slice(frame, frame + STACK_BYTES),
        changed: c.lastChanged.slice(frame, frame + STACK_BYTES),
        depth: s.depth,
      },
      ...(fault ? { fault: { ...fault } } : {}),
      ...(s.status === 'exited' ? { r0: hex64(values[0] ?? 0n) } : {}),
      trace: trace.since(0).map(traceView),
      traceDropped: trace.dropped,
      section: s.section,
      kernel: c.views.delta(++this.seq, view, c.report?.leaks ?? []),
      ...(c.traffic ? { nic: this.nicView(c.traffic.run) } : {}),
    };
  }

  private nicView(run: TrafficRun): NonNullable<DebugSnapshot['nic']> {
    // Between packets (at the end of the traffic) the last packet is the one shown.
    const packet = run.packetIndex ?? Math.max(0, run.counters.received - 1);
    return { packet, total: run.total, counters: run.counterView() };
  }

  private regValues(vm: Vm): bigint[] {
    return Array.from({ length: 11 }, (_, r) => vm.reg(r));
  }

  private stacks(vm: Vm): Uint8Array {
    const out = new Uint8Array(STACK_BYTES * FRAMES);
    for (let d = 0; d < FRAMES; d++) {
      const r = vm.stackRegion(d);
      if (r) out.set(vm.mem.bytes.subarray(r.start, r.start + STACK_BYTES), d * STACK_BYTES);
    }
    return out;
  }

  private describe(c: Loaded, name: string, v: bigint, changed: boolean): RegisterView {
    const base = { name, hex: hex64(v), unsigned: v.toString(), signed: BigInt.asIntN(64, v).toString(), changed };
    const vm = c.program.vm;
    const hi = Number(v >> 32n) | 0;
    if (hi === GUEST_BASE_HI) {
      const off = Number(v & 0xffffffffn);
      const region = vm.mem.regionAt(off) ?? vm.mem.regionAt(off - 1);
      if (region) return { ...base, kind: 'pointer', region: region.name + (region.freed ? ' (freed)' : ''), offset: off - region.start };
    }
    const fn = c.program.kernel.functionAt(Number(v & 0xffffffffn) | 0, hi);
    if (fn !== undefined) return { ...base, kind: 'pointer', region: `function at pc ${fn}`, offset: 0 };
    return { ...base, kind: 'scalar' };
  }

  /** XDP programs on the NIC: a fresh kernel, then every frame of the traffic through the program. */
  runTraffic(onProgress?: (p: TrafficProgress) => void): TrafficReport {
    this.restart();
    const c = this.current;
    if (!c?.traffic) throw new Error(c ? 'traffic runs through XDP programs only: this program is not one (.section xdp), or it was given a test_run frame as input' : 'no program is loaded');
    const report = runWholeTraffic(c.traffic.run, c.traffic.setup, c.program.deviceBound, onProgress);
    this.lastTraffic = c.traffic.run;
    c.report = c.program.end();
    return report;
  }

  packetDetail(index: number): PacketDetail | undefined {
    const run = this.lastTraffic;
    if (!run) return undefined;
    const trace = run.program.kernel.trace;
    return packetDetailOf(run, index, (from, to) => trace.since(from).filter((l) => l.seq < to).map(traceView));
  }

  exportPcap(which: PcapSelection): Uint8Array {
    // A worker message is not type-checked: the selection is checked here, with a plain message.
    const selection = parsePcapSelection(which);
    if (!selection.ok) throw new Error(selection.error);
    const run = this.lastTraffic;
    if (!run) throw new Error('there is no traffic run to export: run the XDP program on traffic first');
    return pcapOf(run, selection.which);
  }
}

/** The catalogue's explanation of a refusal, worded with this program's lines. */
function explanationOf(error: VerifyError, profile: KernelProfile, lines: readonly number[] | undefined, log: string, image: ProgramImage): { explanation?: VerdictExplanation } {
  // The names of the helpers and kfuncs the entry program calls, for "bpf_cpumask_create, line 3".
  const bytes = image.sections.find((s) => s.name === image.entry)?.bytecode;
  const insns = bytes ? decodeProgram(bytes).insns : [];
  const insnName = (pc: number): string | undefined => {
    const insn = insns[pc];
    if (insn?.kind !== 'call') return undefined;
    if (insn.target === 'helper') return helperName(insn.imm);
    if (insn.target === 'kfunc') return kfuncDecl(insn.imm)?.name;
    return undefined;
  };
  const e = explainError(error, { profile, lineOf: (pc) => lines?.[pc] || undefined, log, insnName });
  return e ? { explanation: { id: e.id, category: e.category, title: e.title, text: e.explanation, suggestion: e.suggestion, kernelFunction: e.kernelFunction } } : {};
}
