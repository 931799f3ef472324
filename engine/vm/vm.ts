// One loaded program ready to run: registers, call frames with their stacks, guest memory,
// and the debugger's controls (single step, step over, continue to a breakpoint, snapshot).
// Breakpoints and steps patch a TRAP handler into the pre-decoded code, so the hot loop
// pays nothing for them.

import { BPF_MAX_LOOPS, MAX_CALL_FRAMES, STACK_SIZE, type Insn } from '../isa/index.ts';
import { formatAddress, GUEST_BASE_HI, GuestMemory, PERM_READ, PERM_WRITE, type Region, type SpecialAccess } from './memory.ts';
import { execute, fuse, OP, predecode, Stop, STRIDE } from './interpreter.ts';
import { warmUpInterpreter } from './warmup.ts';
import { compileProgram, FALLBACK, MAX_COMPILED_SOURCE, programSource, type CompiledProgram } from './compile.ts';
import { REENTER, wasmHandBackPoints, wasmPays, wasmProgram, type WasmProgram } from './wasm.ts';
import { cfgOf } from '../program/cfg.ts';

/**
 * Module-local copies of the imported codes the hand-back loop compares with, per hand-over
 * (an imported binding can cost a getter call per read where modules are transpiled to CommonJS).
 */
const HAND_OVER: number = FALLBACK;
const ENTER: Stop = Stop.Enter;

export type FaultKind = 'memory' | 'call-depth' | 'invalid' | 'helper' | 'kfunc' | 'budget';

export interface Fault {
  readonly kind: FaultKind;
  readonly pc: number;
  readonly message: string;
  /** For memory faults. */
  readonly address?: string;
  readonly size?: number;
  readonly region?: string;
}

/** What the kernel (or a test harness) provides: helpers, kfuncs, the legacy packet. */
export interface VmHost {
  /** Runs helper `id` (arguments in r1-r5, result into r0). Returns false after `vm.fault`. */
  helper(id: number, vm: Vm, pc: number): boolean;
  kfunc(btfId: number, off: number, vm: Vm, pc: number): boolean;
  /** The packet LD_ABS/LD_IND read from: arena offset and length. */
  packet?(vm: Vm): { start: number; length: number } | undefined;
  /**
   * Optionally, helper or kfunc `id` resolved once for a call site of the compiled tier: a
   * function that does what `helper`/`kfunc` would do for it, without looking it up per call.
   * Undefined leaves the site to `helper`/`kfunc`. What is bound may depend on the host's
   * state (the program type): `bindKey` names that state, and a new key rebinds every site.
   */
  bind?(kind: 'helper' | 'kfunc', id: number, off: number): BoundCall | undefined;
  bindKey?(): string;
}

/**
 * A call site's helper or kfunc, resolved (VmHost.bind): r0's new value (a number within the
 * int32 range, sign-extended; or any 64-bit value as a bigint), true when it set r0 itself, or
 * false after `vm.fault`. The compiled code stores the result into r0 at each call site, so
 * that V8 sees one callee per site and can inline it.
 */
export type BoundCall = (vm: Vm, pc: number) => number | bigint | boolean;

export type RunStatus = 'exited' | 'fault' | 'breakpoint' | 'step' | 'paused';

export interface VmOptions {
  /** Instruction budget; a run stops with a fault beyond it (default 10,000,000). */
  readonly maxInsns?: number;
  readonly host?: VmHost;
  readonly memory?: GuestMemory;
  /** Run pairs of instructions as one handler where possible (default true). */
  readonly superinstructions?: boolean;
  /**
   * Run each program through the compiled tier when no breakpoint or step needs the
   * interpreter (default true; results must not differ).
   */
  readonly compile?: boolean;
  /**
   * Which tier runs a program when no breakpoint or step needs the interpreter: 'auto' (the
   * default: per program, WebAssembly where it pays, else compiled — see wasm.ts `wasmPays`),
   * 'compiled' (the default when `compile` is true), 'interpreter' (when `compile` is false),
   * or 'wasm' (engine/vm/wasm.ts). Results must not differ.
   */
  readonly tier?: VmTier;
  /** Name of the program (section) for tail calls and snapshots. */
  readonly section?: string;
  /** The other programs of the file, for bpf_tail_call. */
  readonly resolveProgram?: (name: string) => ProgramRef | undefined;
  /** Value of each lddw (resolves map pseudo-loads); default: the 64-bit immediate. */
  readonly imm64?: (pc: number, insn: Insn & { kind: 'ldimm64' }) => { lo: number; hi: number };
}

export type VmTier = 'interpreter' | 'compiled' | 'wasm' | 'auto';

export const DEFAULT_MAX_INSNS = 10_000_000;

/** The fault of a run past its budget, wherever it is noticed (a jump, a call, a callback's return). */
function budgetMessage(maxInsns: number): string {
  return `instruction budget exhausted: ${maxInsns.toLocaleString('en-US')} instructions executed without reaching exit (an endless loop?)`;
}
const FRAME_INTS = 16;

/** A host with no helpers: every call faults with a message naming the helper. */
export const noHost: VmHost = {
  helper: (id, vm, pc) => vm.fail(pc, 'helper', `pc ${pc}: helper ${id} is not available here (no simulated kernel)`),
  kfunc: (id, _off, vm, pc) => vm.fail(pc, 'kfunc', `pc ${pc}: kfunc ${id} is not available here (no simulated kernel)`),
};

export interface RegisterValue {
  /** Unsigned 64-bit value. */
  readonly value: bigint;
  readonly lo: number;
  readonly hi: number;
}

export interface VmSnapshot {
  readonly pc: number;
  readonly insns: number;
  readonly depth: number;
  readonly status: RunStatus | 'ready';
  /** r0..r10 as unsigned 64-bit values. */
  readonly regs: readonly bigint[];
  /** Return addresses of the active BPF-to-BPF calls, outermost first. */
  readonly callStack: readonly number[];
  /** Bytes of the current frame's stack (512), and its guest address range. */
  readonly stack: Uint8Array;
  readonly stackBase: bigint;
  readonly fault?: Fault;
  /** The program running (changes after a tail call). */
  readonly section: string;
}

/** Another program of the same file, for bpf_tail_call. */
export interface ProgramRef {
  readonly name: string;
  readonly insns: readonly (Insn | null)[];
}

const MAX_TAIL_CALLS = 33; // MAX_TAIL_CALL_CNT (include/linux/bpf.h)

/**
 * The 'auto' tier's choice per program (wasm.ts wasmPays), kept: a program is installed again
 * at every tail call into it and every reset after one, and the choice may write the compiled
 * tier's source to see whether it would compile.
 */
const pays = new WeakMap<readonly (Insn | null)[], boolean>();
function paysOf(insns: readonly (Insn | null)[], decide: () => boolean): boolean {
  let known = pays.get(insns);
  if (known === undefined) pays.set(insns, (known = decide()));
  return known;
}

/** A program of this VM: its call sites bound for the host's bindKey, and compiled once asked (null: it cannot be). */
interface ProgramEntry {
  readonly insns: readonly (Insn | null)[];
  fn: CompiledProgram | null | undefined;
  /** The WebAssembly tier's function (tier 'wasm'), made once asked (null: it cannot be). */
  wasm: WasmProgram | null | undefined;
  calls: BoundCall[];
  key: string;
}

export class Vm {
  insns: readonly (Insn | null)[];
  code: Int32Array;
  regs: Int32Array;
  readonly mem: GuestMemory;
  readonly host: VmHost;
  /** The program running now (a tail call switches it). */
  section: string;
  /** Handler of each slot alone (what a TRAP resumes with, and what stepping reasons about). */
  private ops: Int32Array;
  /** Handler of each slot when nothing stops at it or after it: with superinstructions. */
  private fast: Int32Array;
  /** The temporary stops of a step (in the program running now). */
  private readonly stepTraps = new Set<number>();
  /** True while a step runs: a tail call then stops at the new program's first instruction. */
  private stepping = false;
  private regsTemplate: Int32Array;
  private readonly entry: { insns: readonly (Insn | null)[]; section: string };
  private readonly resolve: ((name: string) => ProgramRef | undefined) | undefined;
  private readonly imm64: (pc: number, insn: Insn & { kind: 'ldimm64' }) => { lo: number; hi: number };
  private readonly superinstructions: boolean;
  /** Whether runs without breakpoints go through the compiled tier (compile.ts). */
  private compile: boolean;
  /** Whether runs without breakpoints go through the WebAssembly tier (wasm.ts) instead. */
  private wasm: boolean;
  /** The tier asked for ('auto': chosen per program as it is installed, see `install`). */
  private readonly tier: VmTier;
  /**
   * Instructions the WebAssembly tier executed, over every run of this VM (the rest of
   * `count` was interpreted): how tests see that a program really ran there.
   */
  wasmInsns = 0;
  /**
   * True while the interpreter runs for the WebAssembly tier (after a FALLBACK): it then stops
   * at the next OP.ENTRY in the main program (Stop.Enter) for the tier to go on.
   */
  handBack = false;
  /** Per program this VM runs (the entry and its tail-call targets); the last one is checked first, without a Map lookup per run. */
  private readonly entries = new Map<readonly (Insn | null)[], ProgramEntry>();
  private lastEntry: ProgramEntry | undefined;
  /** Set by a tail-call helper; the interpreter then switches programs. */
  pendingTailCall: ProgramRef | undefined;
  tailCalls = 0;

  private readonly stacks: Region[] = [];
  private readonly frames = new Int32Array(MAX_CALL_FRAMES * FRAME_INTS);
  private readonly breakpoints = new Set<number>();
  readonly maxInsns: number;

  pc = 0;
  /** Executed instructions = n + pc (see interpreter.ts). */
  n = 0;
  limit: number;
  depth = 0;
  /**
   * may_goto's hidden loop budget of each call frame: BPF_MAX_LOOPS when the frame starts, as
   * the prologue the verifier adds to every subprogram using may_goto stores it in an extra
   * stack slot (kernel/bpf/verifier.c, do_misc_fixups). The interpreter's count, not the timed
   * one of JITs with bpf_jit_supports_timed_may_goto: a playground run must replay exactly.
   */
  readonly mayGoto = new Int32Array(MAX_CALL_FRAMES);
  resumePc = -1;
  status: RunStatus | 'ready' = 'ready';
  faultInfo: Fault | undefined;
  /**
   * Called at the end of every reset, to put the environment's inputs back (input memory,
   * context, r1/r2). A field, not a method override: every Vm keeps one hidden class, which
   * the interpreter's optimized code depends on.
   */
  onReset: (vm: Vm) => void = () => {};

  constructor(insns: readonly (Insn | null)[], options: VmOptions = {}) {
    warmUpInterpreter();
    this.mem = options.memory ?? new GuestMemory();
    this.host = options.host ?? noHost;
    this.maxInsns = options.maxInsns ?? DEFAULT_MAX_INSNS;
    this.limit = this.maxInsns;
    this.imm64 = options.imm64 ?? ((_pc, insn) => ({ lo: insn.imm, hi: insn.imm2 }));
    this.superinstructions = options.superinstructions !== false;
    const tier = options.tier ?? (options.compile === false ? 'interpreter' : options.compile === true ? 'compiled' : 'auto');
    this.tier = tier;
    this.compile = tier === 'compiled';
    this.wasm = tier === 'wasm';
    this.resolve = options.resolveProgram;
    this.section = options.section ?? 'raw';
    this.entry = { insns, section: this.section };
    // Definite assignment for the fields `install` sets.
    this.insns = insns;
    this.code = new Int32Array(0);
    this.regs = new Int32Array(0);
    this.regsTemplate = new Int32Array(0);
    this.ops = new Int32Array(0);
    this.fast = new Int32Array(0);
    this.install(insns, this.section);
    for (let i = 0; i < MAX_CALL_FRAMES; i++) this.stacks.push(this.mem.map(`stack frame ${i}`, 'stack', STACK_SIZE));
    // The frame a run at depth 0 uses: the WebAssembly tier takes its accesses with one compare.
    const first = this.stacks[0];
    if (first) this.mem.setStackWindow(first);
    this.reset();
  }

  /** Pre-decodes a program and makes it the one that runs; registers r0-r10 keep their values. */
  private install(insns: readonly (Insn | null)[], section: string): void {
    const keep = this.regs.slice(0, 22);
    const pre = predecode(insns, this.imm64);
    this.insns = insns;
    this.section = section;
    this.code = pre.code;
    this.regs = pre.regs.slice();
    this.regs.set(keep);
    this.regsTemplate = pre.regs;
    this.ops = new Int32Array(insns.length + 1);
    for (let pc = 0; pc <= insns.length; pc++) this.ops[pc] = this.code[pc * STRIDE] ?? OP.INVALID;
    this.fast = this.superinstructions ? fuse(this.ops) : this.ops.slice();
    if (this.tier === 'auto') {
      // Per program: WebAssembly where it pays (wasm.ts, wasmPays), else the compiled tier.
      this.wasm = paysOf(insns, () => wasmPays(this.ops, pre.code, cfgOf(insns), () => programSource(this.ops, pre.code, pre.regs, cfgOf(insns)).length <= MAX_COMPILED_SOURCE));
      this.compile = !this.wasm;
    }
    if (this.wasm) {
      // Where the interpreter hands back to the WebAssembly tier: no pair fused across one.
      const points = wasmHandBackPoints(this.ops, cfgOf(insns));
      for (const pc of points) if (pc > 0) this.fast[pc - 1] = this.ops[pc - 1] ?? OP.INVALID;
      for (const pc of points) this.fast[pc] = OP.ENTRY;
    }
    for (let pc = 0; pc <= insns.length; pc++) this.code[pc * STRIDE] = this.fast[pc] ?? OP.INVALID;
    // Breakpoints belong to the entry program; a tail-called one runs without them.
    for (const t of this.breakpoints) this.refreshAround(t);
  }

  /**
   * Back to pc 0 with zeroed registers and stacks (memory regions other than stacks stay). The
   * NIC keeps the stacks between packets (`clearStacks` false), as the kernel does: a verified
   * program never reads stack it has not written.
   */
  reset(clearStacks = true): void {
    if (this.section !== this.entry.section || this.insns !== this.entry.insns) this.install(this.entry.insns, this.entry.section);
    // r0-r10 start at zero, then r10 gets the frame pointer (the interpreter's constant slots
    // after the registers never change). The stores written out: per packet, a loop cost twice
    // as much and TypedArray.prototype.set or fill more still (measured).
    const r = this.regs;
    r[0] = r[1] = r[2] = r[3] = r[4] = r[5] = r[6] = r[7] = r[8] = r[9] = r[10] = 0;
    r[11] = r[12] = r[13] = r[14] = r[15] = r[16] = r[17] = r[18] = r[19] = r[20] = r[21] = 0;
    this.pendingTailCall = undefined;
    this.tailCalls = 0;
    if (clearStacks) for (const s of this.stacks) this.mem.bytes.fill(0, s.start, s.start + s.size);
    this.pc = 0;
    this.n = 0;
    this.depth = 0;
    this.mayGoto[0] = BPF_MAX_LOOPS;
    this.resumePc = -1;
    this.status = 'ready';
    this.faultInfo = undefined;
    this.setFramePointer(0);
    this.onReset(this);
  }

  private setFramePointer(depth: number): void {
    const s = this.stacks[depth];
    if (!s) return;
    this.regs[20] = s.start + s.size;
    this.regs[21] = GUEST_BASE_HI;
  }

  /**
   * The field table of the context a slow load last read (FieldTable), which the interpreter
   * reads aligned 4-byte loads from before it calls slowLoad. Empty until then.
   */
  fieldStart = 0;
  fieldSize = 0;
  fieldValues: Int32Array = new Int32Array(0);
  fieldReadable: Uint8Array = new Uint8Array(0);

  /** The special region (a context) the last slow load read: the next one usually reads it too. */
  private lastSpecial: { region: Region; access: SpecialAccess } | undefined;

  /** Sets a register to an integer in [-2^31, 2^32): sign-extended when negative (an -errno), else zero-extended. */
  setRegSmall(r: number, value: number): void {
    this.regs[r * 2] = value | 0;
    this.regs[r * 2 + 1] = value < 0 ? -1 : 0;
  }

  setReg(r: number, value: bigint): void {
    // Most helper results are small non-negative numbers: no 64-bit BigInt arithmetic for them.
    if (value >= 0n && value <= 0x7fffffffn) {
      this.regs[r * 2] = Number(value);
      this.regs[r * 2 + 1] = 0;
      return;
    }
    const u = BigInt.asUintN(64, value);
    this.regs[r * 2] = Number(u & 0xffffffffn) | 0;
    this.regs[r * 2 + 1] = Number(u >> 32n) | 0;
  }
  /** Sets a register to a pointer into a region. */
  setRegPointer(r: number, region: Region, offset = 0): void {
    // What mem.addressOf gives, without the object (this runs at every reset: per packet on the NIC).
    this.regs[r * 2] = (region.start + offset) | 0;
    this.regs[r * 2 + 1] = GUEST_BASE_HI;
  }
  reg(r: number): bigint {
    return (BigInt((this.regs[r * 2 + 1] ?? 0) >>> 0) << 32n) | BigInt((this.regs[r * 2] ?? 0) >>> 0);
  }
  regLo(r: number): number {
    return this.regs[r * 2] ?? 0;
  }
  regHi(r: number): number {
    return this.regs[r * 2 + 1] ?? 0;
  }

  /** Executed instruction count so far. */
  get count(): number {
    return this.pc < 0 ? this.n : this.n + this.pc;
  }
  get finished(): boolean {
    return this.status === 'exited' || this.status === 'fault';
  }

  // ---- running ---------------------------------------------------------------------------

  /** Runs to exit, a fault, a breakpoint, or (with `slice`) pauses after about `slice` insns. */
  run(slice?: number): RunStatus {
    if (this.finished) return this.status as RunStatus;
    this.resumePc = this.pc;
    return this.go(slice);
  }

  /** Executes exactly one instruction (stepping into BPF-to-BPF calls). */
  step(): RunStatus {
    if (this.finished) return this.status as RunStatus;
    const patched: number[] = [];
    for (const s of this.successors()) {
      if (s >= 0 && s <= this.insns.length && !this.stepTraps.has(s)) {
        this.stepTraps.add(s);
        this.refreshAround(s);
        patched.push(s);
      }
    }
    this.resumePc = this.pc;
    this.stepping = true;
    const st = this.go();
    this.stepping = false;
    for (const s of patched) {
      this.stepTraps.delete(s);
      this.refreshAround(s);
    }
    if (st === 'breakpoint' && !this.breakpoints.has(this.pc)) this.status = 'step';
    return this.status as RunStatus;
  }

  /** Like step, but runs a BPF-to-BPF call to its return. */
  stepOver(): RunStatus {
    if (this.finished) return this.status as RunStatus;
    if (this.ops[this.pc] !== OP.CALL_LOCAL) return this.step();
    const ret = this.pc + 1;
    const depth = this.depth;
    const wasTrap = this.stepTraps.has(ret);
    this.stepTraps.add(ret);
    this.refreshAround(ret);
    this.resumePc = this.pc;
    let st = this.go();
    // Recursion can reach the return address deeper in the call stack: keep going.
    while (st === 'breakpoint' && this.pc === ret && this.depth > depth && !this.breakpoints.has(ret)) {
      this.resumePc = this.pc;
      st = this.go();
    }
    if (!wasTrap) {
      this.stepTraps.delete(ret);
      this.refreshAround(ret);
    }
    if (st === 'breakpoint' && this.pc === ret && !this.breakpoints.has(ret)) this.status = 'step';
    return this.status as RunStatus;
  }

  private go(slice?: number): RunStatus {
    const budgetEnd = this.maxInsns;
    this.limit = slice === undefined ? budgetEnd : Math.min(budgetEnd, this.count + slice);
    let stop: Stop;
    try {
      stop = this.exec();
      while (stop === Stop.TailCall) {
        this.switchToTailCall();
        if (this.stepping) {
          stop = Stop.Trap;
          break;
        }
        stop = this.exec();
      }
    } catch (e) {
      // An exception here is a bug of ours (or of a helper); it ends the run as a fault.
      this.fail(this.pc, 'invalid', `internal error at pc ${this.pc}: ${e instanceof Error ? e.message : String(e)}`);
      stop = Stop.Fault;
    }
    this.resumePc = -1;
    switch (stop) {
      case Stop.Exit:
        this.status = 'exited';
        break;
      case Stop.Fault:
        this.status = 'fault';
        break;
      case Stop.Trap:
        this.status = 'breakpoint';
        break;
      case Stop.Budget:
        if (this.count > budgetEnd) {
          this.fail(this.pc, 'budget', budgetMessage(budgetEnd));
          this.status = 'fault';
        } else this.status = 'paused';
        break;
    }
    return this.status as RunStatus;
  }

  /**
   * Runs from vm.pc: the compiled program when nothing needs to stop inside it (no breakpoint,
   * no step), else — or from a pc it has no entry for — the interpreter.
   */
  private exec(): Stop {
    const entry = this.bound();
    if ((this.compile || this.wasm) && !this.stepping && this.breakpoints.size === 0 && this.stepTraps.size === 0) {
      const wasm = this.wasm ? (entry.wasm === undefined ? this.wasmEntry(entry) : entry.wasm) : null;
      if (wasm) return this.runWasm(wasm);
      // No module (no WebAssembly here, or a main thread that refuses to compile a large one):
      // a program the engine chose WebAssembly for runs compiled.
      if (!this.wasm || this.tier === 'auto') {
        const compiled = entry.fn === undefined ? this.compileEntry(entry) : entry.fn;
        if (compiled) {
          const stop = compiled(this);
          if (stop !== FALLBACK) return stop as Stop;
        }
      }
    }
    return execute(this);
  }

  /**
   * The WebAssembly tier and the interpreter taking turns: the module runs until an
   * instruction it hands over (FALLBACK at vm.pc); the interpreter runs that one (a helper
   * call, an atomic, a context load; a BPF-to-BPF call to its return) and the ones after it up
   * to the next entry of the module in the main program (OP.ENTRY, Stop.Enter), where the
   * module goes on. Neither changes the count or checks the budget at a hand-over, so both are
   * the interpreter's own.
   */
  private runWasm(wasm: WasmProgram): Stop {
    // An arena in an ordinary ArrayBuffer (no Memory could be had): the module cannot run on it.
    if (this.mem.wasmBacking() === undefined) return execute(this);
    for (;;) {
      const stop = wasm(this);
      // The interpreter, running an instruction for the module, stopped at another entry.
      if (stop === REENTER) continue;
      if (stop !== HAND_OVER) return stop as Stop;
      const next = this.interpretForWasm();
      if (next !== ENTER) return next;
    }
  }

  /**
   * The interpreter from vm.pc for the WebAssembly tier: the instruction at vm.pc runs even if
   * it is an entry (`resumePc`), and the run stops at the next entry in the main program
   * (`handBack`: Stop.Enter there). Used after a FALLBACK and by the module's `step` import.
   */
  interpretForWasm(): Stop {
    this.resumePc = this.pc;
    this.handBack = true;
    try {
      return execute(this);
    } finally {
      this.handBack = false;
      this.resumePc = -1;
    }
  }

  /** Whether the program running now goes through the compiled tier (it may be too large, see MAX_COMPILED_SOURCE). */
  get compiled(): boolean {
    if (!this.compile) return false;
    const entry = this.bound();
    return (entry.fn === undefined ? this.compileEntry(entry) : entry.fn) !== null;
  }

  /** The JavaScript the compiled tier makes of the program running now (for tests and the curious). */
  compiledSource(): string {
    return programSource(this.ops, this.code, this.regsTemplate, cfgOf(this.insns));
  }

  /**
   * The entry of the program running now, with its call sites bound for the host's state now
   * (both tiers call helpers and kfuncs through `vm.calls`, which this sets).
   */
  private bound(): ProgramEntry {
    const key = this.host.bindKey?.() ?? '';
    let c = this.lastEntry;
    if (c === undefined || c.insns !== this.insns) {
      c = this.entries.get(this.insns);
      if (c === undefined) {
        c = { insns: this.insns, fn: undefined, wasm: undefined, calls: this.bindCalls(), key };
        this.entries.set(this.insns, c);
      }
      this.lastEntry = c;
    }
    if (c.key !== key) {
      c.calls = this.bindCalls();
      c.key = key;
    }
    this.calls = c.calls;
    return c;
  }

  /** The program of `entry` compiled (once per program the VM runs), or null when it cannot be. */
  private compileEntry(entry: ProgramEntry): CompiledProgram | null {
    entry.fn = compileProgram(this.ops, this.code, this.regsTemplate, cfgOf(this.insns)) ?? null;
    return entry.fn;
  }

  /** The program of `entry` as WebAssembly (once per program the VM runs), or null when it cannot be. */
  private wasmEntry(entry: ProgramEntry): WasmProgram | null {
    entry.wasm = wasmProgram(this.ops, this.code, this.regsTemplate, cfgOf(this.insns)) ?? null;
    return entry.wasm;
  }

  /** Whether the program running now goes through the WebAssembly tier (tier 'wasm', and it could be translated). */
  get wasmReady(): boolean {
    if (!this.wasm) return false;
    const entry = this.bound();
    return (entry.wasm === undefined ? this.wasmEntry(entry) : entry.wasm) !== null;
  }

  /** The helper and kfunc of each call instruction, in program order (what `vm.calls[k]` is to both tiers). */
  private bindCalls(): BoundCall[] {
    const calls: BoundCall[] = [];
    for (let pc = 0; pc < this.insns.length; pc++) {
      const op = this.ops[pc];
      if (op !== OP.CALL_HELPER && op !== OP.CALL_KFUNC) continue;
      const b = pc * STRIDE;
      const id = this.code[b + 4] ?? 0;
      const off = this.code[b + 3] ?? 0;
      const bound = this.host.bind?.(op === OP.CALL_HELPER ? 'helper' : 'kfunc', id, off);
      calls.push(bound ?? (op === OP.CALL_HELPER ? (vm, at) => vm.callHelper(at, id) : (vm, at) => vm.callKfunc(at, id, off)));
    }
    return calls;
  }

  /** The bound calls of the program running now (read by the interpreter and the compiled code). */
  calls: BoundCall[] = [];

  /**
   * bpf_tail_call: the helper asks for `name`; after it returns the interpreter continues at
   * instruction 0 of that program with the same registers (r1 is still the context) and a
   * fresh frame. False when the chain is already MAX_TAIL_CALL_CNT long.
   */
  requestTailCall(name: string): boolean {
    if (this.tailCalls >= MAX_TAIL_CALLS) return false;
    const target = name === this.entry.section ? { name, insns: this.entry.insns } : this.resolve?.(name);
    if (!target) return false;
    this.pendingTailCall = target;
    return true;
  }

  private switchToTailCall(): void {
    const target = this.pendingTailCall;
    this.pendingTailCall = undefined;
    if (!target) return;
    this.tailCalls++;
    const count = this.count + 1; // the call instruction itself
    this.install(target.insns, target.name);
    this.depth = 0;
    this.mayGoto[0] = BPF_MAX_LOOPS;
    this.setFramePointer(0);
    this.pc = 0;
    this.n = count;
  }

  /**
   * Runs the BPF function at `target` with r1-r5 = `args` (a helper's callback: bpf_loop,
   * bpf_for_each_map_elem) and returns its r0, or false after a fault. Counts its instructions,
   * keeps the caller's r6-r10 and stack, ignores breakpoints while it runs.
   *
   * The budget holds inside: the callback runs against the whole budget (a helper cannot pause
   * halfway, so a slice does not apply), and its return is a budget check as a taken jump is
   * — a callback without jumps would otherwise run unchecked once per iteration, 2^23 times per
   * bpf_loop. On a fault the count stays exact (callback instructions included) and vm.pc is
   * the helper's call site, where the calling tier reads vm.n back.
   */
  invokeCallback(pc: number, target: number, args: readonly bigint[]): bigint | false {
    if (target < 0 || target >= this.insns.length || !this.insns[target]) {
      return this.fail(pc, 'helper', `pc ${pc}: the callback is not a function of this program (pc ${target})`);
    }
    if (this.depth + 1 >= MAX_CALL_FRAMES) {
      return this.fail(pc, 'call-depth', `pc ${pc}: call nesting deeper than ${MAX_CALL_FRAMES} frames (MAX_CALL_FRAMES), counting the callback`);
    }
    const saved = { pc: this.pc, count: this.count, limit: this.limit, resumePc: this.resumePc };
    if (saved.count > this.maxInsns) return this.failAt(saved.pc, saved.count, 'budget', budgetMessage(this.maxInsns));
    // r0-r5 as the helper left them (12 int32 halves), put back after the callback.
    const savedCaller = this.regs.slice(0, 12);
    this.pushFrame(-2);
    args.forEach((v, i) => this.setReg(i + 1, v));
    this.pc = target;
    this.n = saved.count - target;
    this.limit = this.maxInsns;
    // Breakpoints inside a callback do not stop it: a helper cannot be paused halfway.
    let stop = execute(this);
    while (stop === Stop.Trap) {
      this.resumePc = this.pc;
      stop = execute(this);
    }
    const after = this.count;
    this.limit = saved.limit;
    this.resumePc = saved.resumePc;
    if (stop !== Stop.Return) {
      const at = this.pc;
      if (stop === Stop.Budget) this.fail(at, 'budget', budgetMessage(this.maxInsns));
      else if (stop === Stop.TailCall) this.fail(at, 'helper', `pc ${at}: a tail call inside a callback is not allowed`);
      else if (stop === Stop.Exit) this.fail(at, 'invalid', `pc ${at}: the callback returned past its frame`);
      return this.failAt(saved.pc, after, undefined);
    }
    if (after > this.maxInsns) return this.failAt(saved.pc, after, 'budget', budgetMessage(this.maxInsns));
    const r0 = this.reg(0);
    // The helper's own r0-r5 come back; its caller's r6-r10 were restored by the frame.
    this.regs.set(savedCaller, 0);
    this.pc = saved.pc;
    this.n = after - saved.pc;
    return r0;
  }

  /**
   * Ends a callback with a fault (recorded now, or already by the code that stopped): the
   * count stays `count` and vm.pc goes back to the helper's call site `pc`.
   */
  private failAt(pc: number, count: number, kind: FaultKind | undefined, message = ''): false {
    if (kind !== undefined) this.fail(pc, kind, message);
    this.pc = pc;
    this.n = count - pc;
    return false;
  }

  /** The load slow path: a context field the kernel serves, or a fault. */
  slowLoad(pc: number, count: number, d: number, baseLo: number, baseHi: number, off: number, size: number, signExtend: boolean): boolean {
    // Context fields are read once or more per packet: no allocation on this path.
    const sum = (baseLo >>> 0) + off;
    const lo = sum | 0;
    const hi = (baseHi + (sum >= 2 ** 32 ? 1 : sum < 0 ? -1 : 0)) | 0;
    const at = this.mem.offsetOf(lo, hi);
    let special = this.lastSpecial;
    if (!special || at < special.region.start || at >= special.region.start + special.region.size || special.region.freed) {
      special = at >= 0 ? this.mem.specialAt(at) : undefined;
      if (special) this.lastSpecial = special;
    }
    if (special) {
      const rel = at - special.region.start;
      const table = special.access.fields;
      if (table !== undefined && size === 4 && !signExtend && (rel & 3) === 0 && table.readable[rel >> 2] === 1) {
        // The interpreter answers the next loads of this context itself.
        this.fieldStart = special.region.start;
        this.fieldSize = special.region.size;
        this.fieldValues = table.values;
        this.fieldReadable = table.readable;
        this.regs[d] = table.values[rel >> 1] ?? 0;
        this.regs[d + 1] = table.values[(rel >> 1) + 1] ?? 0;
        return true;
      }
      const v = special.access.load(rel, size);
      if (typeof v === 'string') {
        this.fault(pc, count, 'memory', `pc ${pc}: invalid read of ${size} byte${size === 1 ? '' : 's'} at ${formatAddress(lo, hi)}: ${v}`, { address: formatAddress(lo, hi), size, region: special.region.name });
        return false;
      }
      let vlo = v.lo;
      let vhi = v.hi;
      if (signExtend && size < 8) {
        vlo = size === 1 ? (vlo << 24) >> 24 : size === 2 ? (vlo << 16) >> 16 : vlo;
        vhi = vlo >> 31;
      }
      this.regs[d] = vlo;
      this.regs[d + 1] = vhi;
      return true;
    }
    this.memoryFault(pc, count, baseLo, baseHi, off, size, false);
    return false;
  }

  /** The store slow path: a context field the kernel accepts, or a fault. */
  slowStore(pc: number, count: number, baseLo: number, baseHi: number, off: number, size: number, vlo: number, vhi: number): boolean {
    const { lo, hi } = addOffset(baseLo, baseHi, off);
    const at = this.mem.offsetOf(lo, hi);
    const special = at >= 0 ? this.mem.specialAt(at) : undefined;
    if (special) {
      const r = special.access.store(at - special.region.start, size, vlo, vhi);
      if (r === true) return true;
      this.fault(pc, count, 'memory', `pc ${pc}: invalid write of ${size} byte${size === 1 ? '' : 's'} at ${formatAddress(lo, hi)}: ${r}`, { address: formatAddress(lo, hi), size, region: special.region.name });
      return false;
    }
    this.memoryFault(pc, count, baseLo, baseHi, off, size, true);
    return false;
  }

  /** Where execution can go after the current instruction. */
  private successors(): number[] {
    const pc = this.pc;
    const b = pc * STRIDE;
    const op = this.ops[pc] ?? OP.INVALID;
    if (op === OP.EXIT) return this.depth > 0 ? [this.frames[(this.depth - 1) * FRAME_INTS] ?? 0] : [];
    if (op === OP.JA || op === OP.CALL_LOCAL) return [this.code[b + 5] ?? 0];
    if (op === OP.LDDW) return [pc + 2];
    if (op === OP.MAY_GOTO || (op >= OP.JEQ64 && op <= OP.JSLE32)) return [pc + 1, this.code[b + 5] ?? 0];
    return [pc + 1];
  }

  setBreakpoints(pcs: Iterable<number>): void {
    const old = [...this.breakpoints];
    this.breakpoints.clear();
    for (const pc of old) this.refreshAround(pc);
    for (const pc of pcs) {
      if (pc < 0 || pc >= this.entry.insns.length || !this.entry.insns[pc]) continue;
      this.breakpoints.add(pc);
      this.refreshAround(pc);
    }
  }

  private trapped(pc: number): boolean {
    return this.stepTraps.has(pc) || (this.section === this.entry.section && this.breakpoints.has(pc));
  }

  /** Re-derives the handlers of `pc` and of the pair that would run through it. */
  private refreshAround(pc: number): void {
    this.refreshSlot(pc);
    if (pc > 0) this.refreshSlot(pc - 1);
  }

  private refreshSlot(pc: number): void {
    if (pc < 0 || pc > this.insns.length) return;
    const op = this.trapped(pc) ? OP.TRAP : this.trapped(pc + 1) ? this.ops[pc] : this.fast[pc];
    this.code[pc * STRIDE] = op ?? OP.INVALID;
  }

  // ---- called by the interpreter ------------------------------------------------------------

  origOp(pc: number): number {
    return this.ops[pc] ?? OP.INVALID;
  }

  pushFrame(ret: number): void {
    const f = this.depth * FRAME_INTS;
    this.frames[f] = ret;
    for (let i = 0; i < 10; i++) this.frames[f + 1 + i] = this.regs[12 + i] ?? 0; // r6..r10
    this.depth++;
    this.mayGoto[this.depth] = BPF_MAX_LOOPS;
    this.setFramePointer(this.depth);
  }

  popFrame(): number {
    this.depth--;
    const f = this.depth * FRAME_INTS;
    for (let i = 0; i < 10; i++) this.regs[12 + i] = this.frames[f + 1 + i] ?? 0;
    return this.frames[f] ?? 0;
  }

  /** Records a fault and returns the Fault stop code (for the interpreter). */
  fault(pc: number, _count: number, kind: FaultKind, message: string, extra: Partial<Fault> = {}): Stop {
    this.faultInfo = { kind, pc, message, ...extra };
    return Stop.Fault;
  }
  /** Records a fault and returns false (for helpers). */
  fail(pc: number, kind: FaultKind, message: string, extra: Partial<Fault> = {}): false {
    this.faultInfo = { kind, pc, message, ...extra };
    return false;
  }

  /** Ends a run stopped at a breakpoint with a fault at its pc: what a watcher outside the VM found there. */
  faultHere(kind: FaultKind, message: string): 'fault' {
    this.fail(this.pc, kind, message);
    this.status = 'fault';
    return 'fault';
  }

  memoryFault(pc: number, count: number, baseLo: number, baseHi: number, off: number, size: number, write: boolean): Stop {
    const { lo: alo, hi: ahi } = addOffset(baseLo, baseHi, off);
    const address = formatAddress(alo, ahi);
    const why = this.mem.explain(alo, ahi, size, write);
    return this.fault(pc, count, 'memory', `pc ${pc}: invalid ${write ? 'write' : 'read'} of ${size} byte${size === 1 ? '' : 's'} at ${address}: ${why.reason}`, {
      address,
      size,
      region: why.region,
    });
  }

  invalidMessage(pc: number): string {
    if (pc >= this.insns.length) return `pc ${pc}: fell off the end of the program (the last instruction must be exit or a jump)`;
    if (pc > 0 && this.insns[pc - 1]?.kind === 'ldimm64') return `pc ${pc}: jumped into the middle of the lddw at pc ${pc - 1}`;
    return `pc ${pc}: invalid instruction`;
  }

  callHelper(pc: number, id: number): boolean {
    return this.host.helper(id, this, pc);
  }
  callKfunc(pc: number, id: number, off: number): boolean {
    return this.host.kfunc(id, off, this, pc);
  }

  /** BPF_STX|BPF_ATOMIC; `b` indexes the pre-decoded slot. */
  atomic(pc: number, count: number, b: number): boolean {
    const C = this.code;
    const R = this.regs;
    const d = C[b + 1] ?? 0;
    const s = C[b + 2] ?? 0;
    const off = C[b + 3] ?? 0;
    const code = C[b + 4] ?? 0;
    const size = C[b + 5] ?? 8;
    const a = ((R[d] ?? 0) >>> 0) + off;
    if (R[d + 1] !== this.mem.address(0).hi || !this.mem.accessible(a, size, PERM_READ | PERM_WRITE)) {
      this.memoryFault(pc, count, R[d] ?? 0, R[d + 1] ?? 0, off, size, true);
      return false;
    }
    const dv = this.mem.dv;
    const oldLo = dv.getInt32(a, true);
    const oldHi = size === 8 ? dv.getInt32(a + 4, true) : 0;
    const srcLo = R[s] ?? 0;
    const srcHi = size === 8 ? (R[s + 1] ?? 0) : 0;
    const op = code & 7;
    const fetch = (code & 8) !== 0;
    let newLo = oldLo;
    let newHi = oldHi;
    switch (op) {
      case 0: {
        newLo = (oldLo + srcLo) | 0;
        newHi = (oldHi + srcHi + ((newLo >>> 0) < (oldLo >>> 0) ? 1 : 0)) | 0;
        break;
      }
      case 1:
        newLo = oldLo | srcLo;
        newHi = oldHi | srcHi;
        break;
      case 2:
        newLo = oldLo & srcLo;
        newHi = oldHi & srcHi;
        break;
      case 3:
        newLo = oldLo ^ srcLo;
        newHi = oldHi ^ srcHi;
        break;
      case 4:
        newLo = srcLo;
        newHi = srcHi;
        break;
      case 5: {
        // cmpxchg compares with r0 (its low half for 32-bit) and always loads the old value into r0.
        const eq = size === 8 ? oldLo === R[0] && oldHi === R[1] : oldLo === R[0];
        if (eq) {
          newLo = srcLo;
          newHi = srcHi;
        }
        R[0] = oldLo;
        R[1] = oldHi;
        break;
      }
    }
    dv.setInt32(a, newLo, true);
    if (size === 8) dv.setInt32(a + 4, newHi, true);
    if (fetch && op !== 5) {
      R[s] = oldLo;
      R[s + 1] = oldHi;
    }
    return true;
  }

  /** Legacy LD_ABS/LD_IND: r0 = big-endian load from the packet. Returns 1 when out of bounds. */
  ldpkt(_pc: number, b: number): number {
    const C = this.code;
    const R = this.regs;
    const pkt = this.host.packet?.(this);
    const size = C[b + 5] ?? 4;
    const off = ((C[b + 3] === 1 ? (R[C[b + 2] ?? 0] ?? 0) : 0) + (C[b + 4] ?? 0)) | 0;
    if (!pkt || off < 0 || off + size > pkt.length) return 1;
    const dv = this.mem.dv;
    const a = pkt.start + off;
    R[0] = size === 1 ? dv.getUint8(a) : size === 2 ? dv.getUint16(a, false) : dv.getInt32(a, false);
    R[1] = 0;
    return 0;
  }

  // ---- inspection ----------------------------------------------------------------------------

  snapshot(): VmSnapshot {
    const regs: bigint[] = [];
    for (let r = 0; r <= 10; r++) regs.push(this.reg(r));
    const callStack: number[] = [];
    for (let i = 0; i < this.depth; i++) callStack.push(this.frames[i * FRAME_INTS] ?? 0);
    const frame = this.stacks[this.depth] ?? this.stacks[0];
    const stack = frame ? this.mem.bytes.slice(frame.start, frame.start + frame.size) : new Uint8Array(0);
    const base = frame ? this.mem.addressOf(frame) : { lo: 0, hi: 0 };
    return {
      pc: this.pc,
      insns: this.count,
      depth: this.depth,
      status: this.status,
      regs,
      callStack,
      stack,
      stackBase: (BigInt(base.hi >>> 0) << 32n) | BigInt(base.lo >>> 0),
      section: this.section,
      ...(this.faultInfo ? { fault: this.faultInfo } : {}),
    };
  }

  stackRegion(depth = this.depth): Region | undefined {
    return this.stacks[depth];
  }
}

/** base + off as a 64-bit guest address. */
function addOffset(baseLo: number, baseHi: number, off: number): { lo: number; hi: number } {
  const lo = (baseLo >>> 0) + off;
  const carry = lo >= 2 ** 32 ? 1 : lo < 0 ? -1 : 0;
  return { lo: lo | 0, hi: (baseHi + carry) | 0 };
}

export { PERM_READ, PERM_WRITE };
