// The engine's facade: everything the UI (through the worker) and the command line may ask
// of the engine, as plain data in and out. worker.ts exposes it over Comlink; the CLI calls
// it directly, so both drive the very same code.

import { decodeProgram } from '../isa/index.ts';
import { createKernelHost } from '../kernel/host.ts';
import { TracePipe, type TraceLine } from '../kernel/trace/pipe.ts';
import { checkStructure } from '../program/structure.ts';
import { createRawVm, GUEST_BASE_HI, runRaw, type Vm } from '../vm/index.ts';
import type {
  DebugSnapshot,
  EngineApi,
  LoadReply,
  ProgramImage,
  RawRunReply,
  RawRunRequest,
  RegisterView,
  RunProgress,
  RunSettings,
  TraceLineView,
} from './protocol.ts';

/** Instructions between progress reports of a long run. */
const SLICE = 2_000_000;
const STACK_BYTES = 512;
const FRAMES = 8;

function hex64(v: bigint): string {
  return `0x${v.toString(16).padStart(16, '0')}`;
}

function traceView(l: TraceLine): TraceLineView {
  return { seq: l.seq, cpu: l.cpu, ns: l.ns, comm: l.comm, pid: l.pid, text: l.text };
}

interface Loaded {
  readonly vm: Vm;
  readonly trace: TracePipe;
  readonly resetHost: () => void;
  prevRegs: bigint[];
  prevStacks: Uint8Array;
  touched: Uint8Array;
  lastChanged: Uint8Array;
  traceSent: number;
}

export class Session implements Omit<EngineApi, 'ping'> {
  private current: Loaded | undefined;

  /** Decodes, checks and runs a `raw` program (bpf_conformance convention). Never throws. */
  runRaw(request: RawRunRequest): RawRunReply {
    return runRaw(request.bytecode, {
      host: createKernelHost({ trace: new TracePipe() }),
      ...(request.mem ? { mem: request.mem } : {}),
      ...(request.maxInsns ? { maxInsns: request.maxInsns } : {}),
      ...(request.isa ? { isa: request.isa } : {}),
    });
  }

  load(image: ProgramImage, settings: RunSettings): LoadReply {
    this.current = undefined;
    try {
      const decoded = decodeProgram(image.bytecode, settings.isa);
      if (decoded.errors.length) return { ok: false, problems: decoded.errors.map((e) => ({ pc: e.pc, message: e.message, stage: 'decode' })) };
      const structural = checkStructure(decoded.insns);
      if (structural.length) return { ok: false, problems: structural.map((e) => ({ pc: e.pc, message: e.message, stage: 'structure' })) };
      if (image.progType !== 'raw' && image.progType !== 'unknown') {
        return {
          ok: false,
          problems: [{ pc: 0, stage: 'unsupported', message: `section '${image.section}': ${image.progType} programs need the simulated kernel and the NIC, which are not built yet; run a raw program (.section raw) for now` }],
        };
      }
      const trace = new TracePipe();
      const host = createKernelHost({ trace, ...(settings.seed === undefined ? {} : { seed: settings.seed }) });
      const vm = createRawVm(decoded.insns, { maxInsns: settings.maxInsns, ...(settings.input ? { mem: settings.input } : {}), host });
      this.current = {
        vm,
        trace,
        resetHost: () => host.reset(),
        prevRegs: [],
        prevStacks: this.stacks(vm),
        touched: new Uint8Array(STACK_BYTES * FRAMES),
        lastChanged: new Uint8Array(STACK_BYTES * FRAMES),
        traceSent: 0,
      };
      this.current.prevRegs = this.regValues(vm);
      return { ok: true, slots: decoded.insns.length };
    } catch (e) {
      return { ok: false, problems: [{ pc: 0, stage: 'unsupported', message: `internal error while loading: ${e instanceof Error ? e.message : String(e)}` }] };
    }
  }

  run(breakpoints: readonly number[], onProgress?: (p: RunProgress) => void): DebugSnapshot {
    this.reset();
    return this.continue(breakpoints, onProgress);
  }

  continue(breakpoints: readonly number[], onProgress?: (p: RunProgress) => void): DebugSnapshot {
    const c = this.current;
    if (!c) return this.snapshot();
    c.vm.setBreakpoints(breakpoints);
    let status = c.vm.run(SLICE);
    while (status === 'paused') {
      if (onProgress) {
        const fresh = c.trace.since(c.traceSent);
        c.traceSent = c.trace.total;
        onProgress({ insns: c.vm.count, trace: fresh.map(traceView) });
      }
      status = c.vm.run(SLICE);
    }
    return this.stop();
  }

  step(): DebugSnapshot {
    this.current?.vm.step();
    return this.stop();
  }

  stepOver(): DebugSnapshot {
    this.current?.vm.stepOver();
    return this.stop();
  }

  reset(): DebugSnapshot {
    const c = this.current;
    if (c) {
      c.vm.reset();
      c.trace.clear();
      c.resetHost();
      c.traceSent = 0;
      c.touched.fill(0);
      c.lastChanged.fill(0);
      c.prevStacks = this.stacks(c.vm);
      c.prevRegs = this.regValues(c.vm);
    }
    return this.snapshot();
  }

  /** After a run or step: what changed since the previous stop. */
  private stop(): DebugSnapshot {
    const c = this.current;
    if (c) {
      const now = this.stacks(c.vm);
      for (let i = 0; i < now.length; i++) {
        const changed = now[i] !== c.prevStacks[i] ? 1 : 0;
        c.lastChanged[i] = changed;
        if (changed) c.touched[i] = 1;
      }
      const snap = this.snapshot();
      c.prevStacks = now;
      c.prevRegs = this.regValues(c.vm);
      c.traceSent = c.trace.total;
      return snap;
    }
    return this.snapshot();
  }

  snapshot(): DebugSnapshot {
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
      };
    }
    const vm = c.vm;
    const s = vm.snapshot();
    const values = this.regValues(vm);
    const regs: RegisterView[] = values.map((v, r) => this.describe(vm, `r${r}`, v, v !== c.prevRegs[r]));
    const frame = s.depth * STACK_BYTES;
    const fault = s.fault;
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
      trace: c.trace.since(0).map(traceView),
      traceDropped: c.trace.dropped,
    };
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

  private describe(vm: Vm, name: string, v: bigint, changed: boolean): RegisterView {
    const base = { name, hex: hex64(v), unsigned: v.toString(), signed: BigInt.asIntN(64, v).toString(), changed };
    const hi = Number(v >> 32n) | 0;
    if (hi === GUEST_BASE_HI) {
      const off = Number(v & 0xffffffffn);
      const region = vm.mem.regionAt(off) ?? vm.mem.regionAt(off - 1);
      if (region) return { ...base, kind: 'pointer', region: region.name + (region.freed ? ' (freed)' : ''), offset: off - region.start };
    }
    return { ...base, kind: 'scalar' };
  }
}
