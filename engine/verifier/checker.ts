// The verifier's path analysis (kernel/bpf/verifier.c do_check): every path of the program is
// walked with abstract register and stack state; each instruction is checked against what its
// operands may be; branches fork the state, refined on each side; a state already covered by a
// verified one at the same instruction stops its path. The first refusal ends verification with
// the kernel's message.

import { ALU_OPERATOR, type AluOp, type Insn, type JmpCond } from '../isa/index.ts';
import type { MapDecl } from '../program/program.ts';
import type { ExplainedPath, ExploredAt, RegBelief, RelatedSite, StateBelief, VerifyError, VerifyRequest, VerifyResult } from './api.ts';
import { ctxAccess, helperById, helperName, kfuncById, btfFieldAt, kptrRcu, scalarStruct, structSize, type KfuncView, type TypedArg } from './decls.ts';
import { castsTo, isNocastAlias } from '../kernel/decls/index.ts';
import { insnText, liveRegsLine, LIVE_REGS_HEADING } from './insn-text.ts';
import { VerifierLog } from './log.ts';
import { copyReg, withRange, withScalar, constScalar, formatReg, isPktPointer, maybeNull, notInit, pointer, regTypeStr, scalarReg, unknownScalar, MAYBE_NULL, RCU, RDONLY, RINGBUF, TRUSTED, UNTRUSTED, type Reg, type RegKind } from './reg.ts';
import { constNum, isBranchTaken, isConst, isZero, known, knownImm, sminNum, sminUnbounded, umaxNum, knownU32, refineBranch, scalarAlu, scalarEquals, scalarNeg, scalarEnd, scalarMovsx, signExtend, unknown, zeroExtend, type Scalar } from './scalar.ts';
import { copyState, newFrame, newGen, ownSlot, readSlot, Slot, stateCovers, MAX_BPF_STACK, type Frame, type VState } from './state.ts';
import { causalSlice, liveRegisters, loopComponents, relevantRegisters } from './liveness.ts';
import { cfgOf, subprogramAt } from '../program/cfg.ts';

export const INSN_LIMIT = 1_000_000;
/** The refusals about a reference still held (check_reference_leak and its callers). */
const LEAK_MESSAGE = /reference leak|Unreleased reference/;
/** explain: the verifier's beliefs are recorded for the first this-many steps of a path. */
const BELIEF_LIMIT = 20_000;
/** Paths of an accepted program kept for the states view (explain with beliefs), in the order walked. */
export const WALKED_PATHS = 16;
/** BPF_COMPLEXITY_LIMIT_JMP_SEQ: pending branches at once. */
const JMP_SEQ_LIMIT = 8192;
const MAX_CALL_FRAMES = 8;
/** BPF_MAX_VAR_OFF. */
const MAX_VAR_OFF = 1n << 29n;
const MAX_VAR_OFF_N = 2 ** 29;
/** MAX_PACKET_OFF. */
const MAX_PACKET_OFF = 0xffff;
const BEYOND_PKT_END = -2;
/** The value register of an atomic's write: data, never a spill. */
const ATOMIC_WRITE = -2;
const AT_PKT_END = -1;

/** A refusal: thrown inside the checker only, caught by `verify`. */
class Refusal {
  constructor(
    readonly message: string,
    readonly pc: number,
    /** Lines the kernel prints after the message (an infinite loop's states). */
    readonly trailer = '',
    /** The kernel ends this message without a newline (the next line runs on). */
    readonly noNewline = false,
  ) {}
}

interface Explored {
  /**
   * The state kept; null once evicted from its list — the node stays for branch counting (its
   * children point at it), the state's memory goes (a long loop would otherwise keep every one).
   */
  state: VState | null;
  /** Paths still being walked below this state (the kernel's `branches`). */
  branches: number;
  readonly parent: Explored | null;
  hits: number;
  misses: number;
}

interface Pending {
  readonly state: VState;
  /** The failing-path record's length when this branch was pushed (explain only). */
  readonly pathLen: number;
  readonly pc: number;
  readonly prevPc: number;
  readonly logPos: number;
  readonly parent: Explored | null;
}

/** `a op b` as `b op' a`. */
const FLIPPED: Record<JmpCond, JmpCond> = {
  jeq: 'jeq',
  jne: 'jne',
  jgt: 'jlt',
  jlt: 'jgt',
  jge: 'jle',
  jle: 'jge',
  jsgt: 'jslt',
  jslt: 'jsgt',
  jsge: 'jsle',
  jsle: 'jsge',
  jset: 'jset',
};

export class Checker {
  readonly log: VerifierLog;
  private readonly insns: readonly (Insn | null)[];
  private readonly maps: readonly MapDecl[];
  /** The explored states kept per pc (explored_state_head). */
  private readonly explored: (Explored[] | undefined)[] = [];
  private readonly pending: Pending[] = [];
  private readonly pruneAt: Uint8Array;
  private readonly live: Uint16Array;
  private readonly relevant: Uint16Array;
  private idGen = 0;
  processed = 0;
  private totalStates = 0;
  private curStates = 0;
  private peakStates = 0;
  private maxStatesPerInsn = 0;
  private scratchedRegs = 0;
  private scratchedSlots = 0n;
  private cur!: VState;
  private parent: Explored | null = null;
  private pc = 0;
  private prevPc = 0;
  private doPrintState = false;
  private jmpsProcessed = 0;
  /** The access being checked is an atomic's. */
  private atomicAccess = false;
  private prevJmpsProcessed = 0;
  private prevInsnProcessed = 0;
  /** Deepest stack of each subprogram (check_max_stack_depth). */
  private readonly subprogDepth = new Map<number, number>();
  /** explain: the pcs walked on the current path, in order (truncated when a branch is popped). */
  private readonly path: number[] | null;
  /**
   * explain: what the verifier believed on reaching each instruction of `path` (the registers,
   * stack and references in the log's words), for the first BELIEF_LIMIT steps of a path.
   */
  private readonly beliefs: string[] | null;
  /** explain: the current frame's registers beside each belief (registers are never changed once in a state). */
  private readonly beliefRegs: (readonly Reg[])[] | null;
  /** explain: comparisons of a packet pointer with the packet's end that proved a range. */
  private readonly pktChecks = new Set<number>();

  constructor(private readonly req: VerifyRequest) {
    this.log = new VerifierLog(req.logLevel);
    this.insns = req.insns;
    this.maps = req.maps;
    this.pruneAt = new Uint8Array(this.insns.length);
    this.path = req.explain ? [] : null;
    this.beliefs = req.explain && req.beliefs !== false ? [] : null;
    this.beliefRegs = req.explain && req.beliefs !== false ? [] : null;
    this.markPrunePoints();
    // A helper or kfunc reads only its own arguments (compute_live_registers reads the prototype).
    this.live = liveRegisters(this.insns, (insn) => {
      if (insn.kind !== 'call') return undefined;
      if (insn.target === 'helper') return helperById(insn.imm, req.profile)?.decl.args.length;
      return kfuncById(insn.imm, req.profile)?.args.length;
    });
    const cfg = cfgOf(this.insns);
    this.relevant = relevantRegisters(this.insns, (pc) => (subprogramAt(cfg, pc)?.index ?? 0) === 0);
  }

  private markPrunePoints(): void {
    this.insns.forEach((insn, pc) => {
      if (!insn) return;
      if (insn.kind === 'ja' || insn.kind === 'jcond' || insn.kind === 'may_goto') {
        const t = pc + 1 + insn.off;
        if (t >= 0 && t < this.pruneAt.length) this.pruneAt[t] = 1;
        // A conditional jump is itself a prune point (visit_insn), as its target is.
        if (insn.kind !== 'ja') this.pruneAt[pc] = 1;
      }
      if (insn.kind === 'call' && pc + 1 < this.pruneAt.length) this.pruneAt[pc + 1] = 1;
    });
  }

  private mapInfo = (i: number): { name: string; keySize: number; valueSize: number } | undefined => {
    const m = this.maps[i];
    return m ? { name: m.name, keySize: m.keySize, valueSize: m.valueSize } : undefined;
  };

  private refuse(message: string, trailer = '', noNewline = false): never {
    throw new Refusal(message, this.pc, trailer, noNewline);
  }

  private get frame(): Frame {
    const f = this.cur.frames[this.cur.frames.length - 1];
    if (!f) throw new Error('internal: no frame');
    return f;
  }

  private regs(): Reg[] {
    return this.frame.regs;
  }

  private reg(n: number): Reg {
    const r = this.frame.regs[n];
    if (!r) throw new Error(`internal: no register ${n}`);
    return r;
  }

  private setReg(n: number, r: Reg): void {
    // A value written for the first time comes from this instruction (explanations point at it).
    if (r.origin < 0) r.origin = this.pc;
    this.frame.regs[n] = r;
    this.scratchedRegs |= 1 << n;
  }

  // ---------------------------------------------------------------- entry

  run(): VerifyResult {
    if (this.log.level2) this.printPrologue();
    const start = this.entryState();
    this.cur = start;
    let error: VerifyError | undefined;
    try {
      this.doCheck();
      this.checkStackDepth();
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      const context = this.log.on ? '' : this.log.recent();
      this.log.write(`${e.message}${e.noNewline ? '' : '\n'}${e.trailer}`);
      error = { pc: e.pc, message: e.message, ...(context ? { context } : {}), ...(this.path ? this.explainRefusal(e) : {}) };
    }
    this.log.write(`processed ${this.processed} insns (limit ${INSN_LIMIT}) max_states_per_insn ${this.maxStatesPerInsn} total_states ${this.totalStates} peak_states ${this.peakStates} mark_read 0\n`);
    const walked = !error && this.firstExit ? this.firstExit : undefined;
    const paths = !error && this.walkedPaths.length ? this.walkedPaths : undefined;
    for (const w of new Set([...(walked ? [walked] : []), ...(paths ?? [])])) {
      if (!w.states) continue;
      const explored = this.exploredAlong(w.path);
      if (explored.length) w.explored = explored;
    }
    return {
      accepted: !error,
      ...(walked ? { firstPath: walked } : {}),
      ...(paths ? { paths } : {}),
      errors: error ? [error] : [],
      log: this.log.toString(),
      stats: { processed: this.processed, maxStatesPerInsn: this.maxStatesPerInsn, totalStates: this.totalStates, peakStates: this.peakStates, markRead: 0 },
    };
  }

  /**
   * What an explanation needs about a refusal: where its problem began (`related`), the path
   * that led to it and the slice of that path that produced its operands.
   */
  private explainRefusal(e: Refusal): { related: RelatedSite[]; path: number[]; slice: number[]; beliefs?: string[]; states?: StateBelief[]; explored?: ExploredAt[] } {
    const path = this.path ?? [];
    const related: RelatedSite[] = [];
    const add = (pc: number, message: string): void => {
      if (pc >= 0 && pc !== e.pc && !related.some((r) => r.pc === pc)) related.push({ pc, message });
    };
    if (LEAK_MESSAGE.test(e.message)) {
      for (const ref of this.cur.refs) add(ref.insn, `the reference (id=${ref.id}) was acquired here and is still held at this exit: release it on every path`);
    }
    // The register the message is about: `R<n>`, or a kfunc's `arg#<i>` / `arg<i>` (in R<i+1>).
    // A helper's `argN` is RN; a kfunc's `arg#N` / `argN` counts from 0 (R<N+1>).
    const rm = /\bR(\d+)\b/.exec(e.message);
    const hm = /\bhelper arg(\d+)\b/.exec(e.message);
    const am = /\barg#?(\d+)\b/.exec(e.message);
    const regno = rm ? Number(rm[1]) : hm ? Number(hm[1]) : am ? Number(am[1]) + 1 : -1;
    const frame = this.cur.frames[this.cur.frames.length - 1];
    const r = regno >= 0 && regno <= 10 ? frame?.regs[regno] : undefined;
    if (r && r.origin >= 0 && r.origin !== e.pc) {
      const what = regTypeStr(r.kind, r.flags) + (r.kind === 'btf_id' ? r.btf : '');
      if (maybeNull(r)) add(r.origin, `R${regno} (${what}) comes from here and may be NULL: nothing on the path tested it`);
      else if (r.kind === 'btf_id' && r.flags & RCU) add(r.origin, `R${regno} (${what}) comes from here: an RCU-protected pointer, valid inside the RCU read section`);
      else if (r.kind === 'btf_id' && !(r.flags & TRUSTED) && !r.refObjId) add(r.origin, `R${regno} (${what}) comes from here, where it lost its trust`);
      else if (r.kind === 'not_init') add(r.origin, `R${regno} was last written here (a call leaves r1-r5 unreadable)`);
      else add(r.origin, `R${regno} (${what}) got its value here`);
    }
    if (/packet/.test(e.message)) {
      let check = -1;
      for (let i = path.length - 1; i >= 0 && check < 0; i--) if (this.pktChecks.has(path[i] ?? -1)) check = path[i] ?? -1;
      if (check >= 0) add(check, 'the last bounds check on this path: the packet is known to be only this long past it');
    }
    const kept = path.slice(-1000);
    // A leak's cause is the acquire, not the values the exit reads: its path is the acquire(s), then the exit.
    const leakSlice = LEAK_MESSAGE.test(e.message) && related.length ? [...related.map((r) => r.pc).sort((a, b) => a - b), e.pc] : undefined;
    // Beliefs line up with the path's last entries only when every step of it was recorded.
    const beliefs = this.beliefs && this.beliefs.length === path.length ? this.beliefs.slice(-kept.length) : undefined;
    const regs = this.beliefRegs && this.beliefRegs.length === path.length ? this.beliefRegs.slice(-kept.length) : undefined;
    const states = beliefs && regs ? beliefs.map((text, i) => this.stateBelief(kept[i] ?? -1, text, regs[i] ?? [])) : undefined;
    const explored = this.exploredAlong(kept);
    return {
      related,
      path: kept,
      slice: leakSlice ?? causalSlice(this.insns, path, e.pc),
      ...(beliefs ? { beliefs } : {}),
      ...(states ? { states } : {}),
      ...(explored.length ? { explored } : {}),
    };
  }

  /** One recorded belief as plain data: its registers from `regs`, the stack and references from the log's words. */
  private stateBelief(pc: number, text: string, regs: readonly Reg[]): StateBelief {
    const stack: { slot: string; value: string }[] = [];
    let refs: number[] = [];
    let frame = 0;
    // The log's tokens hold no spaces: `frame1:`, `R0=…`, `fp-8=…`, `refs=1,2`, `cb`.
    for (const token of text.split(' ')) {
      const slot = /^(fp-\d+)=(.*)$/.exec(token);
      if (slot) stack.push({ slot: slot[1] ?? '', value: slot[2] ?? '' });
      else if (token.startsWith('refs=')) refs = token.slice(5).split(',').map(Number);
      else if (/^frame\d+:$/.test(token)) frame = Number(token.slice(5, -1));
    }
    const out: RegBelief[] = [];
    regs.forEach((r, reg) => {
      if (r.kind === 'not_init') return;
      const type = r.kind === 'scalar' ? 'scalar' : regTypeStr(r.kind, r.flags) + (r.kind === 'btf_id' ? r.btf : '');
      const belief: RegBelief = { reg, type, text: formatReg(r, this.mapInfo, frame) };
      if (r.kind !== 'scalar') return out.push(belief);
      const s = r.s;
      const t = s.var;
      const hex = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;
      out.push({
        ...belief,
        scalar: {
          umin: s.umin.toString(),
          umax: s.umax.toString(),
          smin: s.smin.toString(),
          smax: s.smax.toString(),
          u32min: s.u32min,
          u32max: s.u32max,
          s32min: s.s32min,
          s32max: s.s32max,
          value: hex(t.value),
          mask: hex(t.mask),
        },
      });
    });
    return { pc, frame, regs: out, stack, refs };
  }

  /** The states kept at the instructions of a path (at most 64 pcs, 4 states each), for "why was it pruned". */
  private exploredAlong(path: readonly number[]): ExploredAt[] {
    const out: ExploredAt[] = [];
    const seen = new Set<number>();
    for (let i = path.length - 1; i >= 0 && out.length < 64; i--) {
      const pc = path[i] ?? -1;
      if (seen.has(pc)) continue;
      seen.add(pc);
      const kept = (this.explored[pc] ?? []).filter((x) => x.state);
      if (!kept.length) continue;
      out.push({ pc, states: kept.slice(0, 4).map((x) => ({ text: x.state ? this.stateText(x.state).trim() : '', pruned: x.hits })), more: Math.max(0, kept.length - 4) });
    }
    return out.sort((a, b) => a.pc - b.pc);
  }

  /** A level-2 log's opening: the functions, then every instruction with the registers live before it and its loop. */
  private printPrologue(): void {
    const cfg = cfgOf(this.insns);
    cfg.subprogStarts.forEach((start, i) => this.log.write(`func#${i} @${start}\n`));
    this.log.write(`${LIVE_REGS_HEADING}\n`);
    const scc = loopComponents(this.insns);
    const names = { helper: helperName, kfunc: (id: number) => kfuncById(id, this.req.profile)?.name };
    this.insns.forEach((insn, pc) => {
      if (insn) this.log.write(`${liveRegsLine(pc, scc[pc] ?? 0, this.live[pc] ?? 0, insnText(insn, pc, names))}\n`);
    });
  }

  private entryState(): VState {
    const f = newFrame(0, -1, 0);
    const r1 = pointer('ctx');
    f.regs[1] = r1;
    const fp = pointer('fp');
    f.regs[10] = fp;
    this.scratchedRegs = 0x7ff;
    return { frames: [f], refs: [], rcuLock: 0, insnIdx: 0, gen: newGen() };
  }

  // ---------------------------------------------------------------- main loop

  private doCheck(): void {
    this.pc = 0;
    this.prevPc = 0;
    for (;;) {
      const pc = this.pc;
      const insn = this.insns[pc];
      if (pc < 0 || pc >= this.insns.length || !insn) this.refuse(`invalid insn idx ${pc} insn_cnt ${this.insns.length}`);
      if (++this.processed > INSN_LIMIT) this.refuse(`BPF program is too large. Processed ${this.processed} insn`);
      if (this.path) {
        this.path.push(pc);
        if (this.beliefs && this.beliefs.length < BELIEF_LIMIT && this.beliefs.length === this.path.length - 1) {
          this.beliefs.push(this.stateText(this.cur).trim());
          this.beliefRegs?.push(this.frame.regs.slice());
        }
      }
      if (this.pruneAt[pc]) {
        if (this.isStateVisited(pc)) {
          this.keepWalked('pruned');
          if (this.log.on) {
            if (this.doPrintState) this.log.write(`\nfrom ${this.prevPc} to ${pc}: safe\n`);
            else this.log.write(`${pc}: safe\n`);
          }
          if (!this.popState()) return;
          continue;
        }
      }
      if (this.log.level2 && this.doPrintState) {
        this.log.write(`\nfrom ${this.prevPc} to ${pc}:`);
        this.printState(true);
        this.doPrintState = false;
      }
      if (this.log.on) {
        if (this.scratchedRegs || this.scratchedSlots) this.printInsnState();
        const line = this.req.sourceLines?.[pc];
        if (line !== undefined && this.lastLine !== line) {
          this.log.write(`; ${line.trim()}\n`);
          this.lastLine = line;
        }
        this.log.prevLogPos = this.log.end;
        this.log.write(`${pc}: ${insnText(insn, pc, { helper: helperName, kfunc: (id) => kfuncById(id, this.req.profile)?.name })}\n`);
        this.log.prevInsnPrintPos = this.log.end - this.log.prevLogPos;
        this.log.prevLogPos = this.log.end;
      }
      this.prevPc = pc;
      if (insn.kind === 'ja' || insn.kind === 'jcond' || insn.kind === 'call' || insn.kind === 'exit' || insn.kind === 'may_goto') this.jmpsProcessed++;
      const next = this.step(insn, pc);
      if (next === 'exit') {
        // The first path walked to the main program's exit: what an accepted program's states view steps along.
        const kept = this.keepWalked('exit');
        if (this.path && !this.firstExit) this.firstExit = kept ?? this.recordedPath(this.path);
        if (!this.popState()) return;
        continue;
      }
      this.pc = next;
    }
  }

  private lastLine: string | undefined;
  /** With `explain`: the first path that reached the main program's exit, with its beliefs. */
  private firstExit: ExplainedPath | undefined;
  /** With `explain` and beliefs: the first WALKED_PATHS paths walked, each to an exit or to where it was pruned. */
  private readonly walkedPaths: ExplainedPath[] = [];

  /** Keeps the current path (it ends here) among `walkedPaths`, while there is room; returns it. */
  private keepWalked(end: 'exit' | 'pruned'): ExplainedPath | undefined {
    if (!this.path || !this.beliefs || this.walkedPaths.length >= WALKED_PATHS) return undefined;
    const kept = { ...this.recordedPath(this.path), end };
    this.walkedPaths.push(kept);
    return kept;
  }

  /** The path as recorded (its last 1,000 steps) and, when every step of it was recorded, its beliefs as plain data. */
  private recordedPath(path: readonly number[]): ExplainedPath {
    const kept = path.slice(-1000);
    const beliefs = this.beliefs && this.beliefs.length === path.length ? this.beliefs.slice(-kept.length) : undefined;
    const regs = this.beliefRegs && this.beliefRegs.length === path.length ? this.beliefRegs.slice(-kept.length) : undefined;
    const states = beliefs && regs ? beliefs.map((text, i) => this.stateBelief(kept[i] ?? -1, text, regs[i] ?? [])) : undefined;
    return { path: kept, ...(states ? { states } : {}) };
  }

  /** print_insn_state: the scratched registers after the instruction, on its line when nothing came between. */
  private printInsnState(): void {
    const log = this.log;
    if (log.prevLogPos && log.prevLogPos === log.end) {
      log.reset(log.prevLogPos - 1);
      log.write(`${' '.repeat(log.alignment(log.prevInsnPrintPos))};`);
    } else {
      log.write(`${this.pc}:`);
    }
    this.printState(false);
  }

  /** A state's current frame as print_verifier_state prints it (all registers). */
  private stateText(st: VState): string {
    const saved = this.cur;
    const [regs, slots] = [this.scratchedRegs, this.scratchedSlots];
    this.cur = st;
    const text = this.stateLine(true);
    this.cur = saved;
    [this.scratchedRegs, this.scratchedSlots] = [regs, slots];
    return text;
  }

  private printState(all: boolean): void {
    this.log.write(`${this.stateLine(all)}\n`);
    if (!all) {
      this.scratchedRegs = 0;
      this.scratchedSlots = 0n;
    }
  }

  private stateLine(all: boolean): string {
    const f = this.frame;
    let out = '';
    if (f.frameno) out += ` frame${f.frameno}:`;
    f.regs.forEach((r, i) => {
      if (r.kind === 'not_init') return;
      if (!all && !(this.scratchedRegs & (1 << i))) return;
      out += ` R${i}=${formatReg(r, this.mapInfo, f.frameno)}`;
    });
    f.stack.forEach((s, i) => {
      if (!s || !s.types.some((t) => t !== Slot.Invalid)) return;
      if (!all && !(this.scratchedSlots & (1n << BigInt(i)))) return;
      out += ` fp${-(i + 1) * 8}=`;
      if (s.types[0] === Slot.Spill) {
        const r = s.spilled;
        if (r.kind === 'scalar') out += `${r.precise ? 'P' : ''}${isConst(r.s) ? BigInt.asIntN(64, constValue(r.s)).toString() : ''}`;
        else out += regTypeStr(r.kind, r.flags) + (r.kind === 'btf_id' ? r.btf : '');
      } else {
        // Highest address first, as the kernel prints slot_type[0..7].
        out += [...s.types].reverse().map((t) => '?rm0'[t] ?? '?').join('');
      }
    });
    const refs = this.cur.refs.map((r) => r.id);
    if (refs.length) out += ` refs=${refs.join(',')}`;
    if (f.callback) out += ' cb';
    return out;
  }

  /** push_stack: the other side of a branch, walked later. */
  private pushState(state: VState, pc: number): void {
    // push_stack counts the new entry first, then refuses above the limit.
    if (this.pending.length + 1 > JMP_SEQ_LIMIT) this.refuse(`The sequence of ${this.pending.length + 1} jumps is too complex.`);
    for (let p = this.parent; p; p = null) p.branches++;
    this.pending.push({ state, pathLen: this.path ? this.path.length : 0, pc, prevPc: this.pc, logPos: this.log.end, parent: this.parent });
  }

  /** pop_stack: the next path to walk; false when none is left. */
  private popState(): boolean {
    this.finishPath();
    const p = this.pending.pop();
    if (!p) return false;
    this.cur = p.state;
    if (this.path) this.path.length = p.pathLen;
    if (this.beliefs && this.beliefs.length > p.pathLen) this.beliefs.length = p.pathLen;
    if (this.beliefRegs && this.beliefRegs.length > p.pathLen) this.beliefRegs.length = p.pathLen;
    this.parent = p.parent;
    this.pc = p.pc;
    this.prevPc = p.prevPc;
    if (!this.log.level2) this.log.reset(p.logPos);
    this.doPrintState = true;
    this.scratchedRegs = 0x7ff;
    this.scratchedSlots = -1n;
    return true;
  }

  /** update_branch_counts: this path is done; states with no path left below them may prune. */
  private finishPath(): void {
    let p = this.parent;
    while (p) {
      p.branches--;
      if (p.branches > 0) break;
      p = p.parent;
    }
    this.parent = null;
  }

  /** is_state_visited: prune against a finished state; catch a loop that never changes anything. */
  private isStateVisited(pc: number): boolean {
    let list = this.explored[pc];
    // A new state is kept only after 2 jumps and 8 instructions since the last one (the
    // kernel's heuristic: fewer states, the same verdicts).
    let addNew = this.jmpsProcessed - this.prevJmpsProcessed >= 2 && this.processed - this.prevInsnProcessed >= 8;
    const live = this.live[pc] ?? 0x7ff;
    if (list) {
      for (let i = 0; i < list.length; i++) {
        const e = list[i];
        const st = e?.state;
        if (!e || !st) continue;
        if (e.branches > 0) {
          // Still being walked below: an identical state means the loop makes no progress.
          if (this.statesEqual(st, this.cur)) {
            this.refuse(`infinite loop detected at insn ${pc}`, `cur state:${this.stateText(this.cur)}\nold state:${this.stateText(st)}\n`);
          }
          // Inside a loop, keep a state only now and then (every 20 jumps or 100 instructions).
          if (this.jmpsProcessed - this.prevJmpsProcessed < 20 && this.processed - this.prevInsnProcessed < 100) addNew = false;
        } else if (stateCovers(st, this.cur, this.scratchIdmap(), live, this.relevant[pc] ?? 0x7ff)) {
          e.hits++;
          return true;
        }
        // A state that keeps missing is dropped (the kernel's miss_cnt eviction); misses count
        // only when a new state is kept, so a loop keeps states of early and late iterations.
        if (addNew) e.misses++;
        if (e.misses > e.hits * 3 + 3) {
          e.state = null;
          list.splice(i, 1);
          i--;
          this.curStates--;
        }
      }
    }
    if (!addNew) return false;
    this.prevJmpsProcessed = this.jmpsProcessed;
    this.prevInsnProcessed = this.processed;
    if (!list) {
      list = [];
      this.explored[pc] = list;
    }
    const entry: Explored = { state: copyState(this.cur), branches: 1, parent: this.parent, hits: 0, misses: 0 };
    list.push(entry);
    this.parent = entry;
    this.totalStates++;
    this.curStates++;
    this.peakStates = Math.max(this.peakStates, this.curStates);
    this.maxStatesPerInsn = Math.max(this.maxStatesPerInsn, list.length);
    return false;
  }

  /** The id map of one state comparison (check_ids), reused: comparisons run at every prune point. */
  private readonly idmap = new Map<number, number>();
  private scratchIdmap(): Map<number, number> {
    this.idmap.clear();
    return this.idmap;
  }

  private statesEqual(a: VState, b: VState): boolean {
    const n = a.frames.length;
    if (n !== b.frames.length || a.refs.length !== b.refs.length || a.rcuLock !== b.rcuLock) return false;
    // The current frame first (states_maybe_looping): a loop's counter differs there.
    for (let fi = n - 1; fi >= 0; fi--) {
      const x = a.frames[fi];
      const y = b.frames[fi];
      if (!x || !y || !regsEqual(x.regs, y.regs)) return false;
    }
    for (let fi = 0; fi < n; fi++) {
      const x = a.frames[fi];
      const y = b.frames[fi];
      if (!x || !y || !stackEqual(x, y)) return false;
    }
    return true;
  }

  // ---------------------------------------------------------------- instructions

  private step(insn: Insn, pc: number): number | 'exit' {
    switch (insn.kind) {
      case 'alu':
        this.checkAlu(insn.op, insn.width, insn.dst, insn.src);
        return pc + 1;
      case 'movsx': {
        this.readReg(insn.src);
        this.writeCheck(insn.dst);
        const src = this.reg(insn.src);
        this.setReg(insn.dst, src.kind === 'scalar' ? scalarReg(scalarMovsx(insn.width, insn.bits, src.s)) : unknownScalar());
        return pc + 1;
      }
      case 'neg': {
        this.readReg(insn.dst);
        this.writeCheck(insn.dst);
        const d = this.reg(insn.dst);
        this.setReg(insn.dst, d.kind === 'scalar' ? scalarReg(scalarNeg(insn.width, d.s)) : unknownScalar());
        return pc + 1;
      }
      case 'end': {
        this.readReg(insn.dst);
        this.writeCheck(insn.dst);
        const d = this.reg(insn.dst);
        this.setReg(insn.dst, d.kind === 'scalar' ? scalarReg(scalarEnd(insn.order, insn.bits, d.s)) : unknownScalar());
        return pc + 1;
      }
      case 'ldimm64':
        this.checkLdImm64(insn.dst, insn.pseudo, insn.imm, insn.imm2, pc);
        return pc + 2;
      case 'load':
        this.checkLoad(insn.dst, insn.base, insn.off, insn.size, insn.signExtend);
        return pc + 1;
      case 'store':
        this.checkStore(insn.base, insn.off, insn.size, insn.src);
        return pc + 1;
      case 'atomic':
        this.checkAtomic(insn);
        return pc + 1;
      case 'ja':
        return pc + 1 + insn.off;
      case 'may_goto':
        // The budget may run out at any time: both ways.
        this.pushState(copyState(this.cur), pc + 1 + insn.off);
        return pc + 1;
      case 'addr_space_cast':
        this.refuse('addr_space_cast insn can only be used in a program that has an associated arena');
        break;
      case 'jcond':
        return this.checkCondJmp(insn.cond, insn.width, insn.dst, insn.src, pc + 1 + insn.off, pc + 1);
      case 'call':
        if (insn.target === 'local') return this.checkSubprogCall(pc, pc + 1 + insn.imm);
        if (insn.target === 'kfunc') this.checkKfuncCall(insn.imm, pc);
        else {
          const r = this.checkHelperCall(insn.imm, pc);
          if (r !== undefined) return r;
        }
        return pc + 1;
      case 'exit':
        return this.checkExit();
      case 'ldpkt':
        return this.checkLdPkt(insn.mode, insn.src, pc);
    }
  }

  /** check_reg_arg(SRC_OP). */
  private readReg(n: number): Reg {
    const r = this.reg(n);
    this.scratchedRegs |= 1 << n;
    if (r.kind === 'not_init') this.refuse(`R${n} !read_ok`);
    return r;
  }

  /** check_reg_arg(DST_OP). */
  private writeCheck(n: number): void {
    if (n === 10) this.refuse('frame pointer is read only');
    this.scratchedRegs |= 1 << n;
  }

  private newId(): number {
    return ++this.idGen;
  }

  // ---------------------------------------------------------------- ALU

  private checkAlu(op: AluOp, width: 32 | 64, dstN: number, src: { type: 'reg'; reg: number } | { type: 'imm'; imm: number }): void {
    if (op === 'mov') {
      if (src.type === 'reg') {
        // check_alu_op: the source is read before the destination is checked.
        const s = this.readReg(src.reg);
        this.writeCheck(dstN);
        if (width === 64) {
          // Copies share an id so that a bounds check on one refines the other (find_equal_scalars).
          // Registers in a state are never changed in place (states share them): the source
          // gets a fresh copy carrying the id.
          let shared = s;
          if (s.kind === 'scalar' && !s.id && !isConst(s.s)) {
            shared = copyReg(s);
            shared.id = this.newId();
            this.frame.regs[src.reg] = shared;
          }
          this.setReg(dstN, shared);
        } else if (s.kind === 'scalar') {
          const r = scalarReg(scalarAlu('mov', 32, unknown(), s.s));
          this.setReg(dstN, r);
        } else {
          // A pointer's low half: a scalar (root may; unprivileged gets "partial copy of pointer").
          this.setReg(dstN, scalarReg(scalarAlu('mov', 32, unknown(), unknown())));
        }
      } else {
        this.writeCheck(dstN);
        this.setReg(dstN, scalarReg(width === 64 ? knownImm(src.imm) : knownU32(src.imm >>> 0)));
      }
      return;
    }
    // check_alu_op's order: the source, the destination as a source, the immediate, the destination.
    const srcRead = src.type === 'reg' ? this.readReg(src.reg) : undefined;
    const dst = this.readReg(dstN);
    let srcReg: Reg;
    if (srcRead) srcReg = srcRead;
    else {
      const imm = src.type === 'imm' ? src.imm : 0;
      if ((op === 'div' || op === 'mod' || op === 'sdiv' || op === 'smod') && imm === 0) this.refuse('div by zero');
      if ((op === 'lsh' || op === 'rsh' || op === 'arsh') && (imm < 0 || imm >= width)) this.refuse(`invalid shift ${imm}`);
      srcReg = scalarReg(knownImm(imm));
    }
    this.writeCheck(dstN);
    if (dst.kind === 'scalar' && srcReg.kind === 'scalar') {
      const r = scalarReg(scalarAlu(op, width, dst.s, srcReg.s));
      this.setReg(dstN, r);
      return;
    }
    // Pointer arithmetic (adjust_reg_min_max_vals / adjust_ptr_min_max_vals).
    if (dst.kind !== 'scalar' && srcReg.kind !== 'scalar') {
      if (op === 'sub' && width === 64) {
        this.setReg(dstN, unknownScalar());
        return;
      }
      if (width === 32 && op === 'sub') {
        this.setReg(dstN, unknownScalar());
        return;
      }
      this.refuse(`R${dstN} pointer ${ALU_OPERATOR[op]} pointer prohibited`);
    }
    if (dst.kind === 'scalar') {
      // scalar op= pointer
      if (width === 32) {
        if (op === 'sub') {
          this.setReg(dstN, unknownScalar());
          return;
        }
        this.refuse(`R${dstN} 32-bit pointer arithmetic prohibited`);
      }
      this.adjustPtr(op, dstN, srcReg, dst, true);
      return;
    }
    if (width === 32) {
      if (op === 'sub') {
        this.setReg(dstN, unknownScalar());
        return;
      }
      this.refuse(`R${dstN} 32-bit pointer arithmetic prohibited`);
    }
    this.adjustPtr(op, dstN, dst, srcReg);
  }

  private adjustPtr(op: AluOp, dstN: number, ptr: Reg, off: Reg, scalarIsDst = false): void {
    if (maybeNull(ptr)) this.refuse(`R${dstN} pointer arithmetic on ${ptrTypeName(ptr)} prohibited, null-check it first`);
    const knownOff = isConst(off.s);
    const val = knownOff ? constNum(off.s) : 0;
    switch (ptr.kind) {
      case 'map_ptr':
        if (knownOff && val === 0 && op === 'add') break;
        this.refuse(`R${dstN} pointer arithmetic on ${ptrTypeName(ptr)} prohibited`);
        break;
      case 'pkt_end':
      case 'sock':
      case 'sock_common':
        this.refuse(`R${dstN} pointer arithmetic on ${ptrTypeName(ptr)} prohibited`);
        break;
      default:
        break;
    }
    this.checkSaneOffset(off, ptr);
    this.checkSaneOffset(ptr, ptr, true);
    switch (op) {
      case 'add':
        break;
      case 'sub':
        if (scalarIsDst) this.refuse(`R${dstN} tried to subtract pointer from scalar`);
        if (ptr.kind === 'fp') this.refuse(`R${dstN} subtraction from stack pointer prohibited`);
        break;
      case 'and':
      case 'or':
      case 'xor':
        this.refuse(`R${dstN} bitwise operator ${ALU_OPERATOR[op]} on pointer prohibited`);
        break;
      default:
        this.refuse(`R${dstN} pointer arithmetic with ${ALU_OPERATOR[op]} operator prohibited`);
    }
    const out = copyReg(ptr);
    if (knownOff) {
      // |val| < 2^29 here (checkSaneOffset), so the sum is exact.
      const nv = op === 'add' ? ptr.off + val : ptr.off - val;
      if (nv <= -MAX_VAR_OFF_N || nv >= MAX_VAR_OFF_N) this.refuse(`${regTypeStr(ptr.kind, ptr.flags)} pointer offset ${nv} is not allowed`);
      out.off = nv;
    } else {
      out.s = scalarAlu(op, 64, ptr.s, off.s);
      if (isPktPointer(ptr)) {
        out.id = this.newId();
        out.range = 0;
      }
    }
    this.checkSaneOffset(out, ptr, true);
    this.setReg(dstN, out);
  }

  /** check_reg_sane_offset. */
  private checkSaneOffset(r: Reg, ptr: Reg, isPtr = false): void {
    if (isConst(r.s)) {
      const v = constNum(r.s);
      if (v >= MAX_VAR_OFF_N || v <= -MAX_VAR_OFF_N) this.refuse(`math between ${regTypeStr(ptr.kind, ptr.flags)} pointer and ${BigInt.asIntN(64, constValue(r.s))} is not allowed`);
    }
    if (r.kind !== 'scalar' && (r.off >= Number(MAX_VAR_OFF) || r.off <= -Number(MAX_VAR_OFF))) this.refuse(`${regTypeStr(ptr.kind, ptr.flags)} pointer offset ${r.off} is not allowed`);
    if (sminUnbounded(r.s)) this.refuse(`math between ${regTypeStr(ptr.kind, ptr.flags)} pointer and register with unbounded min value is not allowed`);
    const smin = sminNum(r.s);
    if (smin >= MAX_VAR_OFF_N || smin <= -MAX_VAR_OFF_N) {
      // check_reg_sane_offset_ptr names the pointer's own offset; _scalar the value added.
      if (isPtr) this.refuse(`${regTypeStr(ptr.kind, ptr.flags)} pointer offset ${r.s.smin} is not allowed`);
      this.refuse(`value ${r.s.smin} makes ${regTypeStr(ptr.kind, ptr.flags)} pointer be out of bounds`);
    }
  }

  // ---------------------------------------------------------------- ldimm64

  private checkLdImm64(dst: number, pseudo: number, imm: number, imm2: number, pc: number): void {
    this.writeCheck(dst);
    if (pseudo === 0) {
      const v = (BigInt(imm2 >>> 0) << 32n) | BigInt(imm >>> 0);
      this.setReg(dst, constScalar(v));
      return;
    }
    if (pseudo === 1 || pseudo === 5) {
      const m = this.maps[imm];
      if (!m) this.refuse(`fd ${imm} is not pointing to valid bpf_map`);
      const r = pointer('map_ptr');
      r.map = imm;
      this.setReg(dst, r);
      return;
    }
    if (pseudo === 2 || pseudo === 6) {
      const m = this.maps[imm];
      if (!m) this.refuse(`fd ${imm} is not pointing to valid bpf_map`);
      if (m.type !== 'array') this.refuse(`direct value access on ${m.type} map is not allowed`);
      if (imm2 < 0 || imm2 >= m.valueSize) this.refuse(`invalid access to map value pointer, value_size=${m.valueSize} off=${imm2}`);
      const r = pointer('map_value');
      r.map = imm;
      r.off = imm2;
      this.setReg(dst, r);
      return;
    }
    if (pseudo === 4) {
      const r = pointer('func');
      r.frameno = pc + 1 + imm;
      this.setReg(dst, r);
      return;
    }
    this.refuse('unrecognized bpf_ld_imm64 insn');
  }

  // ---------------------------------------------------------------- memory

  /** The fixed offset of an access through `r` at `off`, refusing what the kernel refuses first. */
  private checkLoad(dstN: number, baseN: number, off: number, size: 1 | 2 | 4 | 8, signExtend: boolean): void {
    const base = this.readReg(baseN);
    this.writeCheck(dstN);
    const value = this.checkMemAccess(baseN, base, off, size, 'read', signExtend);
    this.setReg(dstN, value);
  }

  private checkStore(baseN: number, off: number, size: 1 | 2 | 4 | 8, src: { type: 'reg'; reg: number } | { type: 'imm'; imm: number }): void {
    let value: Reg;
    if (src.type === 'reg') value = this.readReg(src.reg);
    else value = scalarReg(knownImm(src.imm));
    const base = this.readReg(baseN);
    this.checkMemAccess(baseN, base, off, size, 'write', false, value, src.type === 'reg' ? src.reg : -1);
  }

  private checkAtomic(insn: Extract<Insn, { kind: 'atomic' }>): void {
    this.readReg(insn.src);
    let base = this.readReg(insn.base);
    if (insn.op === 'cmpxchg') this.readReg(0);
    if (base.kind === 'ctx' || isPktPointer(base) || base.kind === 'btf_id') {
      this.refuse(`BPF_ATOMIC stores into R${insn.base} ${regTypeStr(base.kind, base.flags)} is not allowed`);
    }
    if (insn.op === 'cmpxchg' || insn.fetch) {
      // check_atomic_rmw marks the register the old value goes to (R0 for cmpxchg) as written
      // before it checks the access: when that register is also the base, the access is made
      // through an unknown scalar.
      const load = insn.op === 'cmpxchg' ? 0 : insn.src;
      this.writeCheck(load);
      this.setReg(load, unknownScalar());
      if (load === insn.base) base = this.reg(insn.base);
    }
    this.checkStrictAlignment(base, insn.off, insn.size);
    this.atomicAccess = true;
    this.checkMemAccess(insn.base, base, insn.off, insn.size, 'read', false);
    this.atomicAccess = false;
    this.checkMemAccess(insn.base, base, insn.off, insn.size, 'write', false, unknownScalar(), ATOMIC_WRITE);
    if (insn.op === 'cmpxchg') this.setReg(0, unknownScalar());
    else if (insn.fetch) {
      this.writeCheck(insn.src);
      this.setReg(insn.src, insn.size === 4 ? scalarReg(loadResult(4, false)) : unknownScalar());
    }
  }

  /** check_ptr_alignment with strict alignment (atomics): the address a multiple of the size. */
  private checkStrictAlignment(r: Reg, off: number, size: number): void {
    if (size === 1) return;
    const desc: Partial<Record<RegKind, string>> = { map_value: 'value ', ctx: 'context ', fp: 'stack ', pkt: 'packet ', pkt_meta: 'packet ' };
    // The kernel names the pointer by its exact type: a pointer that may still be NULL has none.
    const d = maybeNull(r) ? '' : (desc[r.kind] ?? '');
    const varOk = isConst(r.s) ? Number(BigInt.asIntN(64, constValue(r.s)) % BigInt(size)) === 0 : (r.s.var.mask & BigInt(size - 1)) === 0n && (r.s.var.value & BigInt(size - 1)) === 0n;
    const total = r.off + off + (isConst(r.s) ? Number(BigInt.asIntN(64, constValue(r.s))) : 0);
    if (!varOk || ((total % size) + size) % size !== 0) this.refuse(`misaligned ${d}access off ${formatVarOff(r.s)}+${r.off}+${off} size ${size}`);
  }

  /** check_mem_access: what a read yields (a write yields its value back, unused). */
  private checkMemAccess(regno: number, r: Reg, insnOff: number, size: 1 | 2 | 4 | 8, access: 'read' | 'write', signExtend: boolean, value?: Reg, valueReg = -1): Reg {
    const off = r.off + insnOff;
    if (maybeNull(r) || r.kind === 'scalar' || r.kind === 'pkt_end' || r.kind === 'map_ptr' || r.kind === 'func') {
      if (r.kind === 'map_ptr' && !maybeNull(r)) return this.mapPtrAccess(regno, r, off, access);
      this.refuse(`R${regno} invalid mem access '${regTypeStr(r.kind, r.flags)}'`);
    }
    switch (r.kind) {
      case 'fp':
        return this.stackAccess(regno, r, off, size, access, signExtend, value, valueReg);
      case 'ctx': {
        // check_ptr_off_reg: the context only through its own pointer (as for an argument).
        this.checkArgRegOff(regno, r);
        const f = signExtend ? undefined : ctxAccess(this.req.kind, this.req.profile, off, size, access);
        if (!f) this.refuse(`invalid bpf_context access off=${off} size=${size}`);
        if (access === 'write') return notInit();
        switch (f.yields.kind) {
          case 'scalar':
            return scalarReg(loadResult(size, signExtend));
          case 'pkt':
          case 'pkt_end':
          case 'pkt_meta': {
            const p = pointer(f.yields.kind);
            return p;
          }
          case 'sock_common_or_null': {
            const p = pointer('sock_common', MAYBE_NULL);
            p.id = this.newId();
            return p;
          }
          case 'btf': {
            const p = pointer('btf_id', (f.yields.trusted ? TRUSTED : 0) | (f.yields.nullable ? MAYBE_NULL : 0));
            p.btf = f.yields.struct;
            if (f.yields.nullable) p.id = this.newId();
            return p;
          }
        }
        return scalarReg(loadResult(size, signExtend));
      }
      case 'pkt':
      case 'pkt_meta': {
        if (access === 'write' && !this.mayWritePacket()) this.refuse('cannot write into packet');
        this.checkVarOff(regno, r);
        if (off < 0 || off + size > Math.max(0, r.range) || umaxNum(r.s) + off > MAX_PACKET_OFF) {
          this.log.write(`invalid access to packet, off=${off} size=${size}, R${regno}(id=${r.id},off=${off},r=${r.range})\n`);
          this.refuse(`R${regno} offset is outside of the packet`);
        }
        return access === 'read' ? scalarReg(loadResult(size, signExtend)) : notInit();
      }
      case 'map_value': {
        const m = this.maps[r.map];
        if (!m) this.refuse(`R${regno} invalid mem access 'map_value'`);
        if (access === 'write' && (m.flags & 0x80) !== 0) this.refuse(`write into map forbidden, value_size=${m.valueSize} off=${off} size=${size}`);
        this.checkRegionBounds(regno, r, off, size, m.valueSize, 'map value');
        const kptr = m.kptrs.find((k) => off < k.offset + 8 && off + size > k.offset);
        if (kptr) {
          if (valueReg === ATOMIC_WRITE || this.atomicAccess) this.refuse('kptr in map can only be accessed using BPF_MEM instruction mode');
          if (size !== 8) this.refuse('kptr access size must be BPF_DW');
          if (!isConst(r.s) || off !== kptr.offset) this.refuse(`kptr access misaligned expected=${kptr.offset} off=${off}`);
          if (access === 'write') this.refuse(`store to referenced kptr disallowed`);
          const rcu = this.inRcu() && kptrRcu(kptr.type, this.req.profile);
          const p = pointer('btf_id', MAYBE_NULL | (rcu ? RCU : UNTRUSTED));
          p.btf = kptr.type;
          p.id = this.newId();
          return p;
        }
        return access === 'read' ? scalarReg(loadResult(size, signExtend)) : notInit();
      }
      case 'map_key': {
        const m = this.maps[r.map];
        const ks = m?.keySize ?? 0;
        if (access === 'write') this.refuse(`R${regno} cannot write into map_key`);
        this.checkRegionBounds(regno, r, off, size, ks, 'map key');
        return scalarReg(loadResult(size, signExtend));
      }
      case 'mem': {
        if (access === 'write' && r.flags & RDONLY) this.refuse(`R${regno} cannot write into ${regTypeStr(r.kind, r.flags)}`);
        this.checkRegionBounds(regno, r, off, size, r.memSize, 'memory');
        return access === 'read' ? scalarReg(loadResult(size, signExtend)) : notInit();
      }
      case 'sock':
      case 'sock_common': {
        // struct bpf_sock (bpf_sock_is_valid_access): reads of its fields; no writes.
        if (access === 'write') this.refuse(`R${regno} cannot write into ${regTypeStr(r.kind, r.flags)}`);
        if (off < 0 || off + size > (r.kind === 'sock' ? 80 : 80) || off % size !== 0) this.refuse(`R${regno} invalid ${r.kind === 'sock' ? 'sock' : 'sock_common'} access off=${off} size=${size}`);
        return scalarReg(loadResult(size, signExtend));
      }
      case 'btf_id': {
        // check_ptr_to_btf_access: a negative offset, a variable one, then a write.
        if (off < 0) this.refuse(`R${regno} is ptr_${r.btf} invalid negative access: off=${off}`);
        if (!isConst(r.s)) this.refuse(`R${regno} is ptr_${r.btf} invalid variable offset: off=${r.off}, var_off=${formatTnum(r.s)}`);
        if (access === 'write') this.refuse(`only read is supported`);
        const f = btfFieldAt(r.btf, off, size, this.req.profile);
        if (f.kind === 'beyond') this.refuse(`access beyond struct ${r.btf} at off ${off} size ${size}`);
        if (f.kind === 'scalar') return scalarReg(loadResult(size, signExtend));
        if (f.kind === 'misaligned') this.refuse(`access beyond the end of member ${f.member} (mend:${f.end}) in struct ${r.btf} with off ${off} size ${size}`);
        // A pointer field: trusted or RCU parents pass trust on only through the allowlisted
        // fields; other fields give a plain pointer, an untrusted parent an untrusted one.
        const parentTrusted = (r.flags & TRUSTED) !== 0 || r.refObjId !== 0;
        const parentRcu = (r.flags & RCU) !== 0;
        let flags = 0;
        if (r.flags & UNTRUSTED) flags = UNTRUSTED;
        else if (parentTrusted || parentRcu) {
          if (f.trust === 'trusted') flags = TRUSTED;
          else if (f.trust === 'rcu') flags = this.inRcu() ? RCU : UNTRUSTED;
          else if (f.trust === 'rcu_or_null') flags = this.inRcu() ? RCU | MAYBE_NULL : UNTRUSTED;
        }
        const p = pointer('btf_id', flags);
        p.btf = f.struct;
        if (flags & MAYBE_NULL) p.id = this.newId();
        return p;
      }
      default:
        this.refuse(`R${regno} invalid mem access '${regTypeStr(r.kind, r.flags)}'`);
    }
  }

  /** in_rcu_cs: inside bpf_rcu_read_lock, or a program that cannot sleep (it runs under RCU). */
  private inRcu(): boolean {
    return this.cur.rcuLock > 0 || this.req.kind.progType !== 'syscall';
  }

  /** check_ptr_to_map_access: a map's own struct may be read, never written. */
  private mapPtrAccess(regno: number, r: Reg, off: number, access: 'read' | 'write'): Reg {
    const t = this.maps[r.map]?.type ?? 'array';
    const struct = t.includes('array') ? 'bpf_array' : t.includes('hash') ? 'bpf_htab' : t === 'ringbuf' ? 'bpf_ringbuf_map' : t.startsWith('devmap') ? 'bpf_dtab' : t === 'cpumap' ? 'bpf_cpu_map' : 'xsk_map';
    if (off < 0) this.refuse(`R${regno} is ${struct} invalid negative access: off=${off}`);
    if (access === 'write') this.refuse(`only read from ${struct} is supported`);
    return unknownScalar();
  }

  private mayWritePacket(): boolean {
    const t = this.req.kind.progType;
    return t === 'xdp' || t === 'tc';
  }

  /** The variable part of a pointer must not make the access start below the region. */
  private checkVarOff(regno: number, r: Reg): void {
    if (isConst(r.s)) return;
    if (sminNum(r.s) < 0) this.refuse(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
    if (umaxNum(r.s) >= MAX_VAR_OFF_N) this.refuse(`R${regno} unbounded memory access, make sure to bounds check any such access`);
  }

  /** check_mem_region_access: [off + min, off + max + size) inside a region of `limit` bytes. */
  private checkRegionBounds(regno: number, r: Reg, off: number, size: number, limit: number, region: 'map value' | 'map key' | 'memory'): void {
    // The common case, in numbers: every bound small and inside. Anything else takes the exact
    // path below, which also words the refusal.
    const sminN = sminNum(r.s);
    const umaxN = umaxNum(r.s);
    if (sminN >= 0 && umaxN < MAX_VAR_OFF_N && off + sminN >= 0 && off + sminN + size <= limit && off + umaxN + size <= limit) return;
    const smin = r.s.smin;
    if (smin < 0n && (smin === -(1n << 63n) || BigInt(off) + smin < 0n)) this.refuse(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
    const lo = BigInt(off) + smin;
    if (lo < 0n || lo + BigInt(size) > BigInt(limit)) {
      this.log.write(`${regionMessage(region, limit, Number(lo), size)}\n`);
      this.refuse(`R${regno} min value is outside of the allowed memory range`);
    }
    if (r.s.umax >= MAX_VAR_OFF) this.refuse(`R${regno} unbounded memory access, make sure to bounds check any such access`);
    const hi = BigInt(off) + r.s.umax;
    if (hi + BigInt(size) > BigInt(limit)) {
      this.log.write(`${regionMessage(region, limit, Number(hi), size)}\n`);
      this.refuse(`R${regno} max value is outside of the allowed memory range`);
    }
  }

  private stackFrameOf(r: Reg): Frame {
    const f = this.cur.frames[r.frameno];
    if (!f) throw new Error('internal: stack pointer to a missing frame');
    return f;
  }

  private stackAccess(regno: number, r: Reg, off: number, size: 1 | 2 | 4 | 8, access: 'read' | 'write', signExtend: boolean, value?: Reg, valueReg = -1): Reg {
    const dir = access === 'read' ? ' read from' : ' write to';
    if (!isConst(r.s)) {
      // Variable-offset stack accesses: the whole range must lie inside the stack.
      const lo = BigInt(off) + r.s.smin;
      const hi = BigInt(off) + r.s.smax;
      if (r.s.smin === -(1n << 63n) || r.s.smax === (1n << 63n) - 1n) this.refuse(`invalid unbounded variable-offset${dir} stack R${regno}`);
      if (lo < -BigInt(MAX_BPF_STACK) || hi + BigInt(size) > 0n) this.refuse(`invalid variable-offset${dir} stack R${regno} var_off=${formatTnum(r.s)} off=${off} size=${size}`);
      const f = this.stackFrameOf(r);
      this.growStack(f, Number(lo));
      if (access === 'write') {
        for (let a = Number(lo); a < Number(hi) + size; a++) this.markStackByte(f, a, Slot.Misc);
        return notInit();
      }
      return scalarReg(loadResult(size, signExtend));
    }
    const addr = off + constNum(r.s);
    // The stack is always strictly aligned (check_ptr_alignment), before its bounds.
    if (size > 1 && addr % size !== 0) this.refuse(`misaligned stack access off ${formatVarOff(r.s)}+${r.off}+${off - r.off} size ${size}`);
    if (addr < -MAX_BPF_STACK || addr + size > 0) this.refuse(`invalid${dir} stack R${regno} off=${addr} size=${size}`);
    const f = this.stackFrameOf(r);
    this.growStack(f, addr);
    const slot = Math.floor((-addr - 1) / 8);
    if (this.log.on) this.scratchedSlots |= 1n << BigInt(slot);
    const first = addr + 8 * (slot + 1);
    if (access === 'write') {
      if (!value) throw new Error('internal: a write without a value');
      this.stackWrite(f, ownSlot(this.cur, f, slot), first, size, value, valueReg);
      return notInit();
    }
    const s = readSlot(f, slot);
    // Reads (check_stack_read_fixed_off).
    if (s.types[0] === Slot.Spill) {
      const sp = s.spilled;
      let spillSize = 0;
      while (spillSize < 8 && s.types[spillSize] === Slot.Spill) spillSize++;
      if (size === 8 && spillSize === 8) return sp;
      if (sp.kind !== 'scalar') this.refuse('invalid size of register fill');
      if (size <= spillSize && first === 0) {
        // A narrow fill from the start of a scalar spill keeps what is known of its low bytes.
        return scalarReg(signExtend ? signExtendScalar(sp.s, size) : zeroExtendScalar(sp.s, size));
      }
      let spills = 0;
      let zeros = 0;
      for (let j = first; j < first + size; j++) {
        const t = s.types[j] ?? Slot.Invalid;
        if (t === Slot.Spill) spills++;
        else if (t === Slot.Zero) zeros++;
      }
      if ((spills === size && isZero(sp.s)) || zeros === size) return constScalar(0n);
      return scalarReg(loadResult(size, signExtend));
    }
    let allZero = true;
    for (let j = first; j < first + size; j++) {
      // Root may read stack it never wrote (allow_uninit_stack): the bytes read as unknown.
      if ((s.types[j] ?? Slot.Invalid) !== Slot.Zero) allZero = false;
    }
    if (allZero) return constScalar(0n);
    return scalarReg(loadResult(size, signExtend));
  }

  /** check_stack_write_fixed_off: spills keep the register; other writes make data or zeros. */
  private stackWrite(f: Frame, s: { types: Uint8Array; spilled: Reg }, first: number, size: number, value: Reg, valueReg: number): void {
    const aligned = first === 0;
    const fromImm = valueReg < 0;
    if (valueReg === ATOMIC_WRITE) {
      if (s.types.includes(Slot.Spill)) this.invalidateSpill(s);
      for (let j = first; j < first + size; j++) s.types[j] = Slot.Misc;
      return;
    }
    if (aligned && value.kind === 'scalar' && valueReg !== ATOMIC_WRITE) {
      // A scalar (from a register, or an immediate) at the start of a slot is a spill of `size` bytes.
      this.saveRegisterState(s, value, size);
      return;
    }
    if (value.kind !== 'scalar' && !fromImm) {
      if (size !== 8) this.refuse('invalid size of register spill');
      if (value.kind === 'fp' && f !== this.frame) this.refuse('cannot spill pointers to stack into stack frame of the caller');
      this.saveRegisterState(s, value, size);
      return;
    }
    // Plain data: any spill in the slot is gone.
    if (s.types[0] === Slot.Spill || s.types.includes(Slot.Spill)) this.invalidateSpill(s);
    const zero = value.kind === 'scalar' && isZero(value.s);
    for (let j = first; j < first + size; j++) s.types[j] = zero ? Slot.Zero : Slot.Misc;
  }

  /** save_register_state: the register in the slot; its other bytes become data (zeros stay). */
  private saveRegisterState(s: { types: Uint8Array; spilled: Reg }, value: Reg, size: number): void {
    s.spilled = value;
    for (let j = 0; j < 8; j++) {
      if (j < size) s.types[j] = Slot.Spill;
      else if (s.types[j] !== Slot.Zero && s.types[j] !== Slot.Invalid) s.types[j] = Slot.Misc;
    }
  }

  private invalidateSpill(s: { types: Uint8Array; spilled: Reg }): void {
    for (let j = 0; j < 8; j++) if (s.types[j] === Slot.Spill) s.types[j] = Slot.Misc;
    s.spilled = notInit();
  }

  private markStackByte(f: Frame, addr: number, t: Slot): void {
    const slot = Math.floor((-addr - 1) / 8);
    const s = ownSlot(this.cur, f, slot);
    if (s.types[0] === Slot.Spill) this.invalidateSpill(s);
    s.types[addr + 8 * (slot + 1)] = t;
  }

  private growStack(f: Frame, addr: number): void {
    if (-addr > f.depth) f.depth = Math.ceil(-addr / 8) * 8;
    const prev = this.subprogDepth.get(f.subprog) ?? 0;
    if (f.depth > prev) this.subprogDepth.set(f.subprog, f.depth);
  }

  /** check_helper_mem_access for a pointer argument: `size` bytes readable (or writable). */
  /** check_mem_size_reg's checks of a size argument, in its order; the size register. */
  private checkSizeArg(regno: number, type: 'const_size' | 'const_size_or_zero', pktAccess: boolean): Reg {
    const sz = this.reg(regno);
    if (sz.kind === 'not_init') this.refuse(`R${regno} !read_ok`);
    if (isPktPointer(sz) && !pktAccess) this.refuse('helper access to the packet is not allowed');
    if (sz.kind !== 'scalar') this.refuse(`R${regno} type=${regTypeStr(sz.kind, sz.flags)} expected=scalar`);
    if (sz.s.smin < 0n) this.refuse(`R${regno} min value is negative, either use unsigned or 'var &= const'`);
    if (sz.s.umin === 0n && type === 'const_size') this.refuse(`R${regno} invalid zero-sized read: u64=[${sz.s.umin},${sz.s.umax}]`);
    if (sz.s.umax >= MAX_VAR_OFF) this.refuse(`R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
    return sz;
  }

  private checkHelperMem(regno: number, r: Reg, size: number, access: 'read' | 'write', zeroOk: boolean): void {
    if (size === 0 && zeroOk) return;
    if (size === 0) this.refuse('invalid zero-sized read');
    switch (r.kind) {
      case 'fp': {
        const f = this.stackFrameOf(r);
        const base = r.off + Number(BigInt.asIntN(64, isConst(r.s) ? constValue(r.s) : r.s.smin));
        const top = r.off + Number(BigInt.asIntN(64, isConst(r.s) ? constValue(r.s) : r.s.smax));
        if (base < -MAX_BPF_STACK || top + size > 0) {
          if (isConst(r.s)) this.refuse(`invalid${access === 'read' ? ' read from' : ' write to'} stack R${regno} off=${base} size=${size}`);
          this.refuse(`invalid variable-offset indirect access to stack R${regno} var_off=${formatTnum(r.s)} off=${r.off} size=${size}`);
        }
        this.growStack(f, base);
        for (let a = base; a < top + size; a++) {
          const slot = Math.floor((-a - 1) / 8);
          if (this.log.on) this.scratchedSlots |= 1n << BigInt(slot);
          if (access === 'write') this.markStackByte(f, a, Slot.Misc);
          // A read of bytes never written is allowed to root (allow_uninit_stack).
        }
        return;
      }
      case 'pkt':
      case 'pkt_meta':
        if (r.off < 0 || r.off + size > Math.max(0, r.range)) {
          this.log.write(`invalid access to packet, off=${r.off} size=${size}, R${regno}(id=${r.id},off=${r.off},r=${r.range})\n`);
          this.refuse(`R${regno} offset is outside of the packet`);
        }
        return;
      case 'map_value': {
        const m = this.maps[r.map];
        const vs = m?.valueSize ?? 0;
        this.checkRegionBounds(regno, r, r.off, size, vs, 'map value');
        return;
      }
      case 'map_key': {
        const ks = this.maps[r.map]?.keySize ?? 0;
        this.checkRegionBounds(regno, r, r.off, size, ks, 'map key');
        return;
      }
      case 'mem':
        if (access === 'write' && r.flags & RDONLY) this.refuse(`R${regno} cannot write into ${regTypeStr(r.kind, r.flags)}`);
        this.checkRegionBounds(regno, r, r.off, size, r.memSize, 'memory');
        return;
      case 'scalar':
      case 'ctx':
      case 'pkt_end':
      case 'map_ptr':
      case 'func':
      case 'sock':
      case 'sock_common':
        // check_helper_mem_access's default: not memory (a NULL of zero bytes excepted).
        if (zeroOk && size === 0 && r.kind === 'scalar' && isConst(r.s) && constValue(r.s) === 0n) return;
        this.refuse(`R${regno} type=${regTypeStr(r.kind, r.flags)} expected=fp`);
        break;
      default:
        return;
    }
  }

  // ---------------------------------------------------------------- jumps

  private checkCondJmp(cond: JmpCond, width: 32 | 64, dstN: number, src: { type: 'reg'; reg: number } | { type: 'imm'; imm: number }, target: number, fall: number): number {
    const dst = this.readReg(dstN);
    const srcReg = src.type === 'reg' ? this.readReg(src.reg) : scalarReg(width === 64 ? knownImm(src.imm) : knownU32(src.imm >>> 0));
    const srcN = src.type === 'reg' ? src.reg : -1;
    let taken: 0 | 1 | -1 = -1;
    if (dst.kind === 'scalar' && srcReg.kind === 'scalar') taken = isBranchTaken(cond, width, dst.s, srcReg.s);
    else if (regNotNull(dst) && srcReg.kind === 'scalar' && isZero(srcReg.s) && width === 64) {
      // A pointer that cannot be NULL compared with 0.
      if (cond === 'jeq') taken = 0;
      else if (cond === 'jne') taken = 1;
    } else if (regNotNull(srcReg) && dst.kind === 'scalar' && isZero(dst.s) && width === 64) {
      if (cond === 'jeq') taken = 0;
      else if (cond === 'jne') taken = 1;
    }
    if (taken === 1) return target;
    if (taken === 0) return fall;
    // Both ways: the other side is walked later.
    const other = copyState(this.cur);
    const here = this.cur;
    this.refineBoth(here, other, cond, width, dstN, srcN, dst, srcReg);
    this.pushState(other, target);
    return fall;
  }

  /** Refines `fallState` (condition false) and `jumpState` (condition true) from the comparison. */
  private refineBoth(fallState: VState, jumpState: VState, cond: JmpCond, width: 32 | 64, dstN: number, srcN: number, dst: Reg, src: Reg): void {
    if (dst.kind === 'scalar' && src.kind === 'scalar') {
      // (No closures here: this runs at every two-way branch.)
      // Both edges are possible (checkCondJmp found the branch undecided).
      const t = refineBranch(cond, width, dst.s, src.s, true, -1);
      const f = refineBranch(cond, width, dst.s, src.s, false, -1);
      if (t) this.applyRefined(jumpState, dstN, srcN, t);
      if (f) this.applyRefined(fallState, dstN, srcN, f);
      return;
    }
    // NULL checks: `if rX == 0` / `if rX != 0` on a maybe-NULL pointer.
    if (width === 64 && (cond === 'jeq' || cond === 'jne') && (isNullCheck(dst, src) || (srcN >= 0 && isNullCheck(src, dst)))) {
      const p = maybeNull(dst) ? dst : src;
      const isNullIn = cond === 'jeq' ? jumpState : fallState;
      const nonNullIn = cond === 'jeq' ? fallState : jumpState;
      this.markPtrOrNull(isNullIn, p.id, true);
      this.markPtrOrNull(nonNullIn, p.id, false);
      return;
    }
    // Packet bounds: pkt vs pkt_end (try_match_pkt_pointers).
    if (width === 64) this.matchPktPointers(cond, dst, src, fallState, jumpState, dstN, srcN);
  }

  private applyRefined(st: VState, dstN: number, srcN: number, pair: [Scalar, Scalar]): void {
    const fr = st.frames[st.frames.length - 1];
    if (!fr) throw new Error('internal: no frame');
    this.setScalar(st, fr, dstN, pair[0]);
    if (srcN >= 0) this.setScalar(st, fr, srcN, pair[1]);
  }

  private setScalar(st: VState, fr: Frame, n: number, s: Scalar): void {
    const r = fr.regs[n];
    if (!r || r.kind !== 'scalar') return;
    const id = r.id;
    fr.regs[n] = withScalar(r, s);
    if (!id) return;
    // Copies of the same scalar learn the same (find_equal_scalars).
    for (const f of st.frames) {
      for (let i = 0; i < 11; i++) {
        const q = f.regs[i];
        if (q && q.kind === 'scalar' && q.id === id) f.regs[i] = withScalar(q, s);
      }
      for (let i = 0; i < f.stack.length; i++) {
        const slot = f.stack[i];
        if (slot && slot.types[0] === Slot.Spill && slot.spilled.kind === 'scalar' && slot.spilled.id === id) ownSlot(st, f, i).spilled = withScalar(slot.spilled, s);
      }
    }
  }

  /** mark_ptr_or_null_regs: every copy of the pointer becomes NULL (a scalar 0) or the pointer. */
  private markPtrOrNull(st: VState, id: number, isNull: boolean): void {
    if (!id) return;
    let refId = 0;
    const fix = (r: Reg): Reg => {
      if (r.id !== id || !maybeNull(r)) return r;
      if (r.refObjId) refId = r.refObjId;
      if (isNull) return constScalar(0n);
      const q = copyReg(r);
      q.flags &= ~MAYBE_NULL;
      if (!q.refObjId && q.kind !== 'btf_id') q.id = 0;
      return q;
    };
    for (const f of st.frames) {
      for (let i = 0; i < 11; i++) {
        const r = f.regs[i];
        if (r) f.regs[i] = fix(r);
      }
      for (let i = 0; i < f.stack.length; i++) {
        const slot = f.stack[i];
        if (!slot || slot.types[0] !== Slot.Spill) continue;
        const fixed = fix(slot.spilled);
        if (fixed !== slot.spilled) ownSlot(st, f, i).spilled = fixed;
      }
    }
    // A NULL reference holds nothing: it need not be released.
    if (isNull && refId) st.refs = st.refs.filter((r) => r.id !== refId);
  }

  private matchPktPointers(cond: JmpCond, dst: Reg, src: Reg, fallState: VState, jumpState: VState, dstN: number, srcN: number): void {
    if (srcN < 0) return;
    let pkt: Reg;
    let c = cond;
    if (dst.kind === 'pkt' && src.kind === 'pkt_end') pkt = dst;
    else if (src.kind === 'pkt' && dst.kind === 'pkt_end') {
      pkt = src;
      c = FLIPPED[cond];
    } else if (dst.kind === 'pkt' && src.kind === 'pkt_meta') {
      // data_meta + N <= data: the meta area's range.
      pkt = src;
      c = FLIPPED[cond];
    } else if (dst.kind === 'pkt_meta' && src.kind === 'pkt') pkt = dst;
    else return;
    // c is now "pkt c end".
    let safeIn: VState | undefined;
    let beyondIn: VState | undefined;
    let rightOpen = false;
    switch (c) {
      case 'jgt':
        safeIn = fallState;
        beyondIn = jumpState;
        break;
      case 'jle':
        safeIn = jumpState;
        beyondIn = fallState;
        break;
      case 'jge':
        safeIn = fallState;
        rightOpen = true;
        break;
      case 'jlt':
        safeIn = jumpState;
        rightOpen = true;
        break;
      default:
        return;
    }
    void dstN;
    if (safeIn) {
      this.findGoodPktPointers(safeIn, pkt, rightOpen);
      this.pktChecks.add(this.pc);
    }
    if (beyondIn) this.markPktEnd(beyondIn, pkt, BEYOND_PKT_END);
    void AT_PKT_END;
  }

  /** find_good_pkt_pointers: copies of the pointer may now read `off` bytes. */
  private findGoodPktPointers(st: VState, pkt: Reg, rightOpen: boolean): void {
    if (pkt.off < 0 || (pkt.off === 0 && rightOpen)) return;
    const umax = umaxNum(pkt.s);
    if (umax > MAX_PACKET_OFF || umax + pkt.off > MAX_PACKET_OFF) return;
    const range = pkt.off + (rightOpen ? 1 : 0);
    const fix = (r: Reg): Reg => (r.kind === pkt.kind && r.id === pkt.id && r.range >= 0 ? withRange(r, Math.max(r.range, range)) : r);
    for (const f of st.frames) {
      for (let i = 0; i < 11; i++) {
        const r = f.regs[i];
        if (r) f.regs[i] = fix(r);
      }
      for (let i = 0; i < f.stack.length; i++) {
        const slot = f.stack[i];
        if (!slot || slot.types[0] !== Slot.Spill) continue;
        const fixed = fix(slot.spilled);
        if (fixed !== slot.spilled) ownSlot(st, f, i).spilled = fixed;
      }
    }
  }

  private markPktEnd(st: VState, pkt: Reg, range: number): void {
    for (const f of st.frames) {
      for (let i = 0; i < 11; i++) {
        const r = f.regs[i];
        if (r && r.kind === pkt.kind && r.id === pkt.id && r.off === pkt.off && scalarEquals(r.s, pkt.s)) f.regs[i] = withRange(r, range);
      }
    }
  }

  // ---------------------------------------------------------------- calls

  private clobberCallerSaved(): void {
    for (let i = 0; i <= 5; i++) this.setReg(i, notInit());
  }

  private checkHelperCall(id: number, pc: number): number | undefined {
    const view = helperById(id, this.req.profile);
    if (!view) {
      const known = helperName(id);
      this.refuse(known ? `program of this type cannot use helper ${known}#${id}` : `invalid func unknown#${id}`);
    }
    const h = view.decl;
    const name = `${h.name}#${id}`;
    if (!view.allowed(this.req.kind.progType)) this.refuse(`program of this type cannot use helper ${name}`);
    if (h.gplOnly && !this.req.gpl) this.refuse('cannot call GPL-restricted function from non-GPL compatible program');
    let mapIdx = -1;
    let releasedRef = 0;
    let callback: { subprog: number; args: Reg[] } | undefined;
    let sizeOfRingbuf = 0;
    let kptrType = '';
    const args = h.args;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (!a) continue;
      const regno = i + 1;
      const r = this.reg(regno);
      this.scratchedRegs |= 1 << regno;
      if (r.kind === 'not_init') this.refuse(`R${regno} !read_ok`);
      // reg_type_str: the type without the struct's name (check_reg_type prints no name).
      const typeStr = regTypeStr(r.kind, r.flags);
      const expect = (ok: boolean, expected: string): void => {
        if (!ok) this.refuse(`R${regno} type=${typeStr} expected=${expected}`);
      };
      // check_func_arg: a packet pointer, for any argument but ARG_ANYTHING, only to a helper
      // that may access the packet (pkt_access).
      if (a.type !== 'anything' && isPktPointer(r) && !h.pktAccess) this.refuse('helper access to the packet is not allowed');
      switch (a.type) {
        case 'anything':
          break;
        case 'const_map_ptr':
          expect(r.kind === 'map_ptr', 'map_ptr');
          mapIdx = r.map;
          break;
        case 'ptr_to_map_key':
        case 'ptr_to_map_value': {
          expect(!maybeNull(r) && (r.kind === 'fp' || isPktPointer(r) || r.kind === 'map_key' || r.kind === 'map_value' || r.kind === 'mem'), MEM_TYPES);
          const m = this.maps[mapIdx];
          if (!m) this.refuse(`invalid map_ptr to access map->${a.type === 'ptr_to_map_key' ? 'key' : 'value'}`);
          this.checkHelperMem(regno, r, a.type === 'ptr_to_map_key' ? m.keySize : m.valueSize, 'read', false);
          break;
        }
        case 'ptr_to_mem':
        case 'ptr_to_uninit_mem':
        case 'ptr_to_const_str': {
          expect(!maybeNull(r) && (r.kind === 'fp' || isPktPointer(r) || r.kind === 'map_key' || r.kind === 'map_value' || r.kind === 'mem' || (r.kind === 'btf_id' && (r.flags & TRUSTED) !== 0)), MEM_TYPES);
          const next = args[i + 1];
          if (next && (next.type === 'const_size' || next.type === 'const_size_or_zero')) {
            const sz = this.checkSizeArg(regno + 1, next.type, h.pktAccess === true);
            this.checkHelperMem(regno, r, Number(sz.s.umax), a.type === 'ptr_to_uninit_mem' ? 'write' : 'read', next.type === 'const_size_or_zero');
          }
          break;
        }
        case 'const_size':
        case 'const_size_or_zero':
          expect(r.kind === 'scalar', 'scalar');
          break;
        case 'const_alloc_size_or_zero':
          expect(r.kind === 'scalar', 'scalar');
          if (!isConst(r.s)) this.refuse(`R${regno} is not a known constant'`);
          sizeOfRingbuf = Number(constValue(r.s));
          break;
        case 'ptr_to_ctx':
          expect(r.kind === 'ctx', 'ctx');
          this.checkArgRegOff(regno, r);
          break;
        case 'ptr_to_func':
          expect(r.kind === 'func', 'func');
          this.checkArgRegOff(regno, r);
          callback = { subprog: r.frameno, args: [] };
          break;
        case 'ptr_to_stack_or_null':
          expect(r.kind === 'fp' || (r.kind === 'scalar' && isConst(r.s) && constValue(r.s) === 0n), 'fp');
          break;
        case 'ptr_to_ringbuf_mem':
          expect(r.kind === 'mem' && (r.flags & RINGBUF) !== 0 && !maybeNull(r), 'ringbuf_mem');
          if (r.off) this.refuse(`R${regno} must have zero offset when passed to release func or trusted arg to kfunc`);
          if (!r.refObjId) this.refuse(`R${regno} must be referenced when passed to release function`);
          releasedRef = r.refObjId;
          break;
        case 'ptr_to_mem_or_null': {
          const sizeReg = this.reg(regno + 1);
          const sizeZero = sizeReg.kind === 'scalar' && isConst(sizeReg.s) && constValue(sizeReg.s) === 0n;
          const isNull = r.kind === 'scalar' && isConst(r.s) && constValue(r.s) === 0n;
          // NULL skips the type check (then only a zero size may go with it: check_helper_mem_access
          // names the stack as expected); otherwise mem_types, a maybe-NULL pointer allowed.
          if (isNull && sizeZero) break;
          if (isNull) {
            // The memory is checked with its size (check_mem_size_reg): the size register first.
            const next = args[i + 1];
            if (next && (next.type === 'const_size' || next.type === 'const_size_or_zero')) this.checkSizeArg(regno + 1, next.type, h.pktAccess === true);
            this.refuse(`R${regno} type=${typeStr} expected=fp`);
          }
          expect(r.kind === 'fp' || isPktPointer(r) || r.kind === 'map_key' || r.kind === 'map_value' || r.kind === 'mem' || (r.kind === 'btf_id' && (r.flags & TRUSTED) !== 0), MEM_TYPES);
          const next = args[i + 1];
          const sz = this.reg(regno + 1);
          if (next && sz.kind === 'scalar') this.checkHelperMem(regno, r, Number(sz.s.umax > 0xffffn ? 0xffffn : sz.s.umax), 'read', true);
          break;
        }
        case 'ptr_to_btf_id_sock_common': {
          expect(!maybeNull(r) && (r.kind === 'sock' || r.kind === 'sock_common' || (r.kind === 'btf_id' && r.btf === 'sock_common')), 'sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_');
          if (a.flags?.includes('OBJ_RELEASE')) {
            if (!r.refObjId) this.refuse(`R${regno} must be referenced when passed to release function`);
            releasedRef = r.refObjId;
          }
          break;
        }
        case 'ptr_to_spin_lock':
          expect(r.kind === 'map_value', 'map_value');
          break;
        case 'ptr_to_kptr': {
          // kptr_xchg_dest_types: a map value, or an allocated object (PTR_TO_BTF_ID | MEM_ALLOC, printed "ptr_").
          expect(r.kind === 'map_value' && !maybeNull(r), 'map_value, ptr_');
          const m = this.maps[r.map];
          if (!isConst(r.s)) this.refuse(`R${regno} doesn't have constant offset. kptr has to be at the constant offset`);
          if (!m?.kptrs.length) this.refuse(`map '${m?.name ?? ''}' has to have BTF in order to use bpf_kptr_xchg`);
          const k = m.kptrs.find((x) => x.offset === r.off);
          if (!k) this.refuse(`off=${r.off} doesn't point to kptr`);
          kptrType = k.type;
          break;
        }
        case 'ptr_to_btf_id_or_null': {
          if (r.kind === 'scalar' && isConst(r.s) && constValue(r.s) === 0n) break;
          // btf_ptr_types (NULL allowed by the argument type), printed without the struct's name.
          expect(r.kind === 'btf_id' && !(r.flags & UNTRUSTED), 'ptr_, trusted_ptr_, rcu_ptr_');
          if (maybeNull(r)) this.refuse(`Possibly NULL pointer passed to helper arg${regno}`);
          if (r.btf !== kptrType) this.refuse(`invalid kptr access, R${regno} type=${regTypeStr(r.kind, r.flags)}${r.btf} expected=ptr_${kptrType}`);
          if (!r.refObjId) this.refuse(`R${regno} must be referenced when passed to release function`);
          releasedRef = r.refObjId;
          break;
        }
      }
    }
    this.checkMapFuncCompat(mapIdx, h.name, id);
    if (h.name === 'bpf_tail_call') this.checkResourceLeak('tail_call');
    if (releasedRef) this.releaseReference(releasedRef);
    if (CHANGES_PKT_DATA.has(h.name)) this.clearPacketPointers();
    // Callbacks (bpf_loop, bpf_for_each_map_elem): walked as a call into the callback.
    if (callback) return this.enterCallback(pc, callback.subprog, h.name, mapIdx);
    const constKey = h.name === 'bpf_map_lookup_elem' ? this.constantArrayKey(mapIdx) : false;
    this.clobberCallerSaved();
    const r0 = this.helperReturn(h.ret, mapIdx, sizeOfRingbuf, kptrType, pc, h.retBtfType ?? '');
    if (constKey) {
      // An array lookup with a constant key in range cannot fail (get_constant_map_key, 6.13 on).
      r0.flags &= ~MAYBE_NULL;
      r0.id = 0;
    }
    this.setReg(0, r0);
    return undefined;
  }

  /** The key of an array lookup is a constant below max_entries, read from the stack. */
  private constantArrayKey(mapIdx: number): boolean {
    const m = this.maps[mapIdx];
    if (!m || (m.type !== 'array' && m.type !== 'percpu_array')) return false;
    const key = this.reg(2);
    if (key.kind !== 'fp' || !isConst(key.s)) return false;
    const addr = key.off + Number(BigInt.asIntN(64, constValue(key.s)));
    if (addr < -MAX_BPF_STACK || addr + m.keySize > 0) return false;
    const f = this.stackFrameOf(key);
    const slot = Math.floor((-addr - 1) / 8);
    const s = f.stack[slot];
    if (!s) return false;
    const first = addr + 8 * (slot + 1);
    let value: bigint | undefined;
    let zeros = 0;
    for (let j = first; j < first + m.keySize && s.types[j] === Slot.Zero; j++) zeros++;
    if (zeros >= m.keySize) value = 0n;
    else if (s.types[0] === Slot.Spill && first === 0 && s.spilled.kind === 'scalar' && isConst(s.spilled.s)) {
      let spill = 0;
      while (spill < 8 && s.types[spill] === Slot.Spill) spill++;
      if (spill === m.keySize) value = constValue(s.spilled.s);
    }
    return value !== undefined && value < BigInt(m.maxEntries);
  }

  /** clear_all_pkt_pointers: packet data moved, every packet pointer is stale. */
  private clearPacketPointers(): void {
    for (const f of this.cur.frames) {
      for (let i = 0; i < 11; i++) {
        const r = f.regs[i];
        if (r && (r.kind === 'pkt' || r.kind === 'pkt_meta' || r.kind === 'pkt_end')) f.regs[i] = unknownScalar();
      }
      for (let i = 0; i < f.stack.length; i++) {
        const slot = f.stack[i];
        if (slot && slot.types[0] === Slot.Spill && (slot.spilled.kind === 'pkt' || slot.spilled.kind === 'pkt_meta' || slot.spilled.kind === 'pkt_end')) ownSlot(this.cur, f, i).spilled = unknownScalar();
      }
    }
  }

  /** check_map_func_compatibility: which maps a helper takes, which helpers a map allows. */
  private checkMapFuncCompat(mapIdx: number, helper: string, id: number): void {
    const m = this.maps[mapIdx];
    const t = m?.type;
    const bad = (): never => this.refuse(`cannot pass map_type ${MAP_TYPE_IDS[t ?? ''] ?? 0} into func ${helper}#${id}`);
    if (m) {
      // What the map allows.
      switch (t) {
        case 'prog_array':
          if (helper !== 'bpf_tail_call') bad();
          break;
        case 'ringbuf':
          if (!['bpf_ringbuf_output', 'bpf_ringbuf_reserve', 'bpf_ringbuf_query', 'bpf_ringbuf_reserve_dynptr'].includes(helper)) bad();
          break;
        case 'devmap':
        case 'devmap_hash':
        case 'xskmap':
          if (helper !== 'bpf_redirect_map' && helper !== 'bpf_map_lookup_elem') bad();
          break;
        case 'cpumap':
          if (helper !== 'bpf_redirect_map') bad();
          break;
        default:
          break;
      }
    }
    // What the helper takes.
    switch (helper) {
      case 'bpf_tail_call':
        if (t !== 'prog_array') this.refuse('expected prog array map for tail call', '', true);
        break;
      case 'bpf_ringbuf_output':
      case 'bpf_ringbuf_reserve':
        if (t !== 'ringbuf') bad();
        break;
      case 'bpf_redirect_map':
        if (t !== 'devmap' && t !== 'devmap_hash' && t !== 'cpumap' && t !== 'xskmap') bad();
        break;
      default:
        break;
    }
  }

  private helperReturn(ret: string, mapIdx: number, size: number, kptrType: string, pc: number, btfType = ''): Reg {
    switch (ret) {
      case 'void':
        // RET_VOID: R0 is left uninitialised (bpf_tail_call, bpf_ringbuf_submit, bpf_spin_lock, …).
        return notInit();
      case 'ptr_to_map_value_or_null': {
        const r = pointer('map_value', MAYBE_NULL);
        r.map = mapIdx;
        r.id = this.newId();
        return r;
      }
      case 'ptr_to_mem_or_null': {
        const r = pointer('mem', MAYBE_NULL | RINGBUF);
        r.memSize = size;
        const id = this.acquireReference(pc, 'ringbuf');
        r.id = id;
        r.refObjId = id;
        return r;
      }
      case 'ptr_to_btf_id_or_null': {
        const r = pointer('btf_id', MAYBE_NULL);
        r.btf = kptrType;
        const id = this.acquireReference(pc, 'ptr');
        r.id = id;
        r.refObjId = id;
        return r;
      }
      case 'ptr_to_socket_or_null':
      case 'ptr_to_sock_common_or_null': {
        const r = pointer(ret === 'ptr_to_socket_or_null' ? 'sock' : 'sock_common', MAYBE_NULL);
        const id = this.acquireReference(pc, 'ptr');
        r.id = id;
        r.refObjId = id;
        return r;
      }
      case 'ptr_to_btf_id': {
        const r = pointer('btf_id', TRUSTED);
        r.btf = btfType || 'task_struct';
        return r;
      }
      default:
        return unknownScalar();
    }
  }

  private acquireReference(pc: number, kind: 'ptr' | 'ringbuf'): number {
    const id = this.newId();
    this.cur.refs = [...this.cur.refs, { id, insn: pc, kind }];
    return id;
  }

  /** release_reference: the reference and every register holding it are gone. */
  private releaseReference(refId: number): void {
    if (!this.cur.refs.some((r) => r.id === refId)) this.refuse(`invalid ref_obj_id ${refId}`);
    this.cur.refs = this.cur.refs.filter((r) => r.id !== refId);
    for (const f of this.cur.frames) {
      for (let i = 0; i < 11; i++) {
        const r = f.regs[i];
        if (r && r.refObjId === refId) f.regs[i] = unknownScalar();
      }
      for (let i = 0; i < f.stack.length; i++) {
        const slot = f.stack[i];
        if (slot && slot.types[0] === Slot.Spill && slot.spilled.refObjId === refId) ownSlot(this.cur, f, i).spilled = unknownScalar();
      }
    }
  }

  private checkKfuncCall(id: number, pc: number): void {
    const k = kfuncById(id, this.req.profile);
    if (!k) this.refuse(`kernel btf_id ${id} is not a function`);
    if (k.metadata && (!this.req.deviceBound || this.req.kind.progType !== 'xdp')) this.refuse('metadata kfuncs require device-bound program');
    if (!k.progTypes.includes(this.req.kind.progType)) this.refuse(`calling kernel function ${k.name} is not allowed`);
    if (k.flags.has('KF_SLEEPABLE') && this.req.kind.progType !== 'syscall') this.refuse(`program must be sleepable to call sleepable kfunc ${k.name}`);
    if (k.name === 'bpf_rcu_read_lock') {
      if (this.cur.rcuLock) this.refuse(`nested rcu read lock (kernel function ${k.name})`);
      this.cur.rcuLock++;
      this.clobberCallerSaved();
      this.setReg(0, notInit());
      return;
    }
    if (k.name === 'bpf_rcu_read_unlock') {
      if (!this.cur.rcuLock) this.refuse(`unmatched rcu read unlock (kernel function ${k.name})`);
      this.cur.rcuLock--;
      this.invalidateRcu();
      this.clobberCallerSaved();
      this.setReg(0, notInit());
      return;
    }
    if (k.metadata && !this.req.deviceBound) this.refuse('metadata kfuncs require device-bound program');
    let released = 0;
    k.args.forEach((a, i) => this.checkKfuncArg(k, a, i, (ref) => (released = ref)));
    if (released) this.releaseReference(released);
    this.clobberCallerSaved();
    const ret = k.ret;
    if (ret.kind === 'scalar' || ret.kind === 'void') {
      this.setReg(0, ret.kind === 'void' ? notInit() : unknownScalar());
      return;
    }
    const r0 = pointer('btf_id', 0);
    r0.btf = ret.struct;
    if (k.flags.has('KF_RET_NULL')) {
      r0.flags |= MAYBE_NULL;
      r0.id = this.newId();
    }
    if (k.flags.has('KF_ACQUIRE')) {
      const ref = this.acquireReference(pc, 'ptr');
      if (!k.flags.has('KF_RET_NULL')) r0.id = 0;
      else r0.id = ref;
      r0.refObjId = ref;
    } else r0.flags |= UNTRUSTED;
    this.setReg(0, r0);
  }

  /** After bpf_rcu_read_unlock: RCU pointers are no longer protected (untrusted). */
  private invalidateRcu(): void {
    for (const f of this.cur.frames) {
      for (let i = 0; i < 11; i++) {
        const r = f.regs[i];
        if (r && r.flags & RCU) {
          const q = copyReg(r);
          q.flags = (r.flags & ~RCU) | UNTRUSTED;
          f.regs[i] = q;
        }
      }
    }
  }

  private checkKfuncArg(k: KfuncView, a: TypedArg, i: number, release: (ref: number) => void): void {
    const regno = i + 1;
    const r = this.reg(regno);
    this.scratchedRegs |= 1 << regno;
    if (a.kind === 'scalar' || a.kind === 'size') {
      if (r.kind !== 'scalar') this.refuse(`R${regno} is not a scalar`);
      return;
    }
    // The kernel's order for a pointer argument of plain memory or the context (check_kfunc_args):
    // NULL under KF_TRUSTED_ARGS, then the register's offset (check_func_arg_reg_off), then the
    // argument's own checks.
    const trustedArgs = k.flags.has('KF_TRUSTED_ARGS') || k.flags.has('KF_RCU') || k.flags.has('KF_RELEASE');
    if (a.kind === 'mem' || a.kind === 'ctx') {
      if (trustedArgs && ((r.kind === 'scalar' && isConst(r.s) && constValue(r.s) === 0n) || maybeNull(r))) this.refuse(`Possibly NULL pointer passed to trusted arg${i}`);
      this.checkArgRegOff(regno, r);
    }
    if (a.kind === 'ctx') {
      if (r.kind !== 'ctx') this.refuse(`arg#${i} expected pointer to ctx, but got ${regTypeStr(r.kind, r.flags)}`);
      return;
    }
    if (a.kind === 'mem' && a.sizeArg === undefined) {
      // KF_ARG_PTR_TO_MEM of a sized type (`u64 *`): check_mem_reg — readable, then writable.
      const size = a.size ?? 0;
      this.checkHelperMem(regno, r, size, 'read', true);
      this.checkHelperMem(regno, r, size, 'write', true);
      return;
    }
    if (a.kind === 'mem') {
      // A memory, length pair (`__sz`): the memory must hold the length's largest value.
      const sizeReg = this.reg((a.sizeArg ?? i) + 1);
      const size = sizeReg.kind === 'scalar' ? Number(sizeReg.s.umax > 0xffffffffn ? 0xffffffffn : sizeReg.s.umax) : 0;
      const pairMsg = `arg#${i} arg#${i + 1} memory, len pair leads to invalid memory access`;
      const isMem = r.kind === 'fp' || isPktPointer(r) || r.kind === 'map_value' || r.kind === 'map_key' || r.kind === 'mem';
      if (!isMem) this.refuse(pairMsg);
      try {
        this.checkHelperMem(regno, r, size, 'read', true);
      } catch (e) {
        if (e instanceof Refusal) this.refuse(pairMsg);
        throw e;
      }
      return;
    }
    if (a.kind === 'kptr_slot') {
      if (r.kind !== 'map_value') this.refuse(`arg#${i} expected pointer to map value`);
      const m = this.maps[r.map];
      if (!m?.kptrs.some((x) => x.offset === r.off)) this.refuse(`arg#${i} no referenced kptr at map value offset=${r.off}`);
      return;
    }
    // A pointer to a kernel struct.
    if (r.kind === 'scalar' && isConst(r.s) && constValue(r.s) === 0n) {
      if (a.nullable) return;
      this.refuse(`Possibly NULL pointer passed to trusted arg${i}`);
    }
    // The struct a register points to: a PTR_TO_BTF_ID's own, or for the register types the
    // kernel maps to BTF (reg2btf_ids: maps, sockets) theirs; those are trusted pointers.
    const structOf = r.kind === 'btf_id' ? r.btf : r.kind === 'map_ptr' ? 'bpf_map' : r.kind === 'sock' ? 'sock' : r.kind === 'sock_common' ? 'sock_common' : undefined;
    const isTrusted = r.kind === 'btf_id' ? r.refObjId !== 0 || ((r.flags & TRUSTED) !== 0 && !(r.flags & UNTRUSTED)) : structOf !== undefined;
    const releaseUntrusted = k.flags.has('KF_RELEASE') && (structOf === undefined || (!r.refObjId && !isTrusted));
    if (releaseUntrusted && structOf !== undefined) {
      if (maybeNull(r)) this.refuse(`Possibly NULL pointer passed to trusted arg${i}`);
      this.refuse(`R${regno} must be referenced or trusted`);
    }
    if (structOf === undefined) {
      // Not a kernel object: a struct of plain data (cpumask, bpf_cpumask) is taken as memory
      // (get_kfunc_ptr_arg_type), a release needs a referenced or trusted pointer, then the
      // register's offset is checked (an uninitialised register fails there).
      if (!scalarStruct(a.struct)) this.refuse(`arg#${i} pointer type STRUCT ${a.struct} must point to scalar, or struct with scalar`);
      if (releaseUntrusted) this.refuse(`R${regno} must be referenced or trusted`);
      if (r.kind === 'not_init') this.refuse(`variable ? access var_off=(0x0; 0xffffffffffffffff) disallowed`);
      // check_helper_mem_access: the context of a program type whose context accesses are not
      // rewritten (tracing, syscall) is checked as a one-byte access at its last byte.
      if (r.kind === 'ctx' && (this.req.kind.progType === 'tp_btf' || this.req.kind.progType === 'syscall')) {
        const last = r.off + structSize(a.struct) - 1;
        if (!ctxAccess(this.req.kind, this.req.profile, last, 1, 'read')) this.refuse(`invalid bpf_context access off=${last} size=1`);
        return;
      }
      if (r.kind === 'scalar' || r.kind === 'ctx' || r.kind === 'pkt_end' || r.kind === 'map_ptr' || r.kind === 'func') this.refuse(`R${regno} type=${regTypeStr(r.kind, r.flags)} expected=fp`);
      // KF_ARG_PTR_TO_MEM: check_mem_reg — the whole struct readable, then writable, there.
      const size = structSize(a.struct);
      this.checkHelperMem(regno, r, size, 'read', false);
      this.checkHelperMem(regno, r, size, 'write', false);
      return;
    }
    if (maybeNull(r)) this.refuse(`Possibly NULL pointer passed to trusted arg${i}`);
    const isRcu = (r.flags & RCU) !== 0;
    // check_kfunc_args' order: trust, the offset of a released pointer, the type, and (after every
    // argument) that a release kfunc got a referenced pointer.
    if (trustedArgs) {
      if (k.flags.has('KF_RCU')) {
        if (!isTrusted && !isRcu) this.refuse(`R${regno} must be a rcu pointer`);
      } else if (!isTrusted) this.refuse(`R${regno} must be referenced or trusted`);
    }
    if (k.flags.has('KF_RELEASE') && r.refObjId && r.off) this.refuse(`R${regno} must have zero offset when passed to release func or trusted arg to kfunc`);
    // Type match: a struct whose first member is the wanted struct matches too (bpf_cpumask → cpumask).
    if (!castsTo(structOf, a.struct) || isNocastAlias(structOf, a.struct)) {
      this.refuse(`kernel function ${k.name} args#${i} expected pointer to STRUCT ${a.struct} but R${regno} has a pointer to STRUCT ${structOf}`);
    }
    if (k.flags.has('KF_RELEASE') && !r.refObjId) this.refuse(`release kernel function ${k.name} expects refcounted PTR_TO_BTF_ID`);
    if (k.flags.has('KF_RELEASE')) release(r.refObjId);
  }

  /**
   * check_ptr_off_reg / check_func_arg_reg_off for the registers a kfunc's memory or context
   * argument, a helper's context or callback, or a context access can hold:
   * stack, packet, map and memory pointers and scalars may carry an offset; the context may not
   * (__check_ptr_off_reg without a fixed offset), and an uninitialised register is a pointer of
   * unknown type ('?') with an unknown offset.
   */
  private checkArgRegOff(regno: number, r: Reg): void {
    if (r.kind === 'not_init') this.refuse('variable ? access var_off=(0x0; 0xffffffffffffffff) disallowed');
    if (r.kind !== 'ctx' && r.kind !== 'func') return;
    const name = regTypeStr(r.kind, r.flags);
    if (r.off < 0) this.refuse(`negative offset ${name} ptr R${regno} off=${r.off} disallowed`);
    if (r.off) this.refuse(`dereference of modified ${name} ptr R${regno} off=${r.off} disallowed`);
    if (!isConst(r.s) || constValue(r.s) !== 0n) this.refuse(`variable ${name} access var_off=${formatTnum(r.s)} disallowed`);
  }

  private checkSubprogCall(pc: number, target: number): number {
    if (this.cur.frames.length >= MAX_CALL_FRAMES) this.refuse(`the call stack of ${this.cur.frames.length + 1} frames is too deep !`);
    const caller = this.frame;
    const callee = newFrame(this.cur.frames.length, pc, target);
    for (let i = 1; i <= 5; i++) {
      const r = caller.regs[i];
      if (r) callee.regs[i] = copyReg(r);
    }
    const fp = pointer('fp');
    fp.frameno = callee.frameno;
    callee.regs[10] = fp;
    this.cur.frames.push(callee);
    this.scratchedRegs = 0x7ff;
    if (this.log.on) {
      this.log.write('caller:');
      this.cur.frames.pop();
      this.printState(true);
      this.cur.frames.push(callee);
      this.log.write('callee:');
      this.printState(true);
    }
    return target;
  }

  private enterCallback(pc: number, subprog: number, helper: string, mapIdx: number): number {
    // push_callback_call: the callback's entry is queued and the caller goes on first, as if the
    // callback ran no time at all (R0 unknown, R1-R5 clobbered); the callback is walked when its
    // entry comes off the queue, and returns after the call.
    if (this.cur.frames.length >= MAX_CALL_FRAMES) this.refuse(`the call stack of ${this.cur.frames.length + 1} frames is too deep !`);
    const entry = copyState(this.cur);
    const caller = entry.frames[entry.frames.length - 1];
    if (!caller) throw new Error('internal: no frame');
    const callee = newFrame(entry.frames.length, pc, subprog);
    callee.callback = { retMin: 0n, retMax: 1n };
    if (helper === 'bpf_loop') {
      callee.regs[1] = unknownScalar();
      callee.regs[2] = copyReg(caller.regs[3] ?? notInit());
    } else {
      // bpf_for_each_map_elem(map, cb, ctx, flags): cb(map, key, value, ctx).
      const m = pointer('map_ptr');
      m.map = mapIdx;
      callee.regs[1] = m;
      const key = pointer('map_key');
      key.map = mapIdx;
      callee.regs[2] = key;
      const value = pointer('map_value');
      value.map = mapIdx;
      callee.regs[3] = value;
      callee.regs[4] = copyReg(caller.regs[3] ?? notInit());
    }
    const fp = pointer('fp');
    fp.frameno = callee.frameno;
    callee.regs[10] = fp;
    entry.frames.push(callee);
    this.pushState(entry, subprog);
    for (let i = 1; i <= 5; i++) this.setReg(i, notInit());
    this.setReg(0, unknownScalar());
    return pc + 1;
  }

  private checkExit(): number | 'exit' {
    const f = this.frame;
    const r0 = f.regs[0] ?? notInit();
    this.scratchedRegs |= 1;
    if (this.cur.frames.length > 1) {
      if (f.callback) {
        if (r0.kind !== 'scalar') this.refuse('R0 not a scalar value');
        if (r0.s.smin < f.callback.retMin || r0.s.smax > f.callback.retMax) this.refuse(`At callback return the register R0 has ${rangeText(r0.s)} should have been in [${f.callback.retMin}, ${f.callback.retMax}]`);
      }
      // Return to the caller (prepare_func_exit).
      const callsite = f.callsite;
      this.cur.frames.pop();
      const caller = this.frame;
      if (f.callback) caller.regs[0] = unknownScalar();
      else {
        if (r0.kind === 'fp' && r0.frameno === f.frameno) this.refuse(`cannot return stack pointer to the caller frame`);
        caller.regs[0] = copyReg(r0);
      }
      for (let i = 1; i <= 5; i++) caller.regs[i] = notInit();
      this.scratchedRegs = 0x7ff;
      if (this.log.on) {
        this.log.write('returning from callee:\n');
        this.cur.frames.push(f);
        this.printState(true);
        this.cur.frames.pop();
        this.log.write(`to caller at ${callsite + 1}:\n`);
        this.printState(true);
      }
      return callsite + 1;
    }
    // The main program's exit: references, RCU, the return value.
    this.checkResourceLeak('BPF_EXIT instruction in main prog');
    if (r0.kind === 'not_init') this.refuse('R0 !read_ok');
    this.checkReturnCode(r0);
    return 'exit';
  }

  /** check_resource_leak: no reference held (checked first), no RCU section open. */
  private checkResourceLeak(prefix: string): void {
    const leak = this.cur.refs[0];
    if (leak) {
      this.log.write(`Unreleased reference id=${leak.id} alloc_insn=${leak.insn}\n`);
      this.refuse(`${prefix} would lead to reference leak`);
    }
    if (this.cur.rcuLock) this.refuse(`${prefix} cannot be used inside bpf_rcu_read_lock-ed region`);
  }

  private checkReturnCode(r0: Reg): void {
    const range = returnRange(this.req.kind.progType, this.req.kind.attachTo);
    if (!range) return;
    if (r0.kind !== 'scalar') this.refuse(`At program exit the register R0 is not a known value (${regTypeStr(r0.kind, r0.flags)})`);
    if (r0.s.smin < range[0] || r0.s.smax > range[1]) this.refuse(`At program exit the register R0 has ${rangeText(r0.s)} should have been in [${range[0]}, ${range[1]}]`);
  }

  private checkLdPkt(mode: 'abs' | 'ind', src: number, pc: number): number {
    const t = this.req.kind.progType;
    if (t !== 'socket' && t !== 'tc') this.refuse('BPF_LD_[ABS|IND] instructions not allowed for this program type');
    // check_ld_abs: R6 readable, nothing held (the instruction may end the program), R6 the
    // context itself, then the index register.
    const r6 = this.readReg(6);
    this.checkResourceLeak('BPF_LD_[ABS|IND]');
    if (r6.kind !== 'ctx') this.refuse('at the time of BPF_LD_ABS|IND R6 != pointer to skb');
    if (mode === 'ind') this.readReg(src);
    this.checkArgRegOff(6, r6);
    this.clobberCallerSaved();
    this.setReg(0, unknownScalar());
    return pc + 1;
  }

  /**
   * check_max_stack_depth, after the walk: along every chain of calls (read from the program,
   * not from values, so recursion is caught) at most 8 frames, and their stacks, each rounded up
   * to 16 bytes as the JIT lays them out, within 512 bytes.
   */
  private checkStackDepth(): void {
    const cfg = cfgOf(this.insns);
    const depthOf = (start: number): number => {
      const d = this.subprogDepth.get(start) ?? 0;
      return Math.ceil(d / 16) * 16;
    };
    const calls = (start: number): number[] => {
      const sub = subprogramAt(cfg, start);
      const out: number[] = [];
      if (!sub) return out;
      for (let pc = sub.start; pc < sub.end; pc++) {
        const insn = this.insns[pc];
        if (insn?.kind === 'call' && insn.target === 'local') out.push(pc + 1 + insn.imm);
      }
      return out;
    };
    const walk = (start: number, frame: number, total: number): void => {
      const depth = total + depthOf(start);
      if (depth > MAX_BPF_STACK) this.refuse(`combined stack size of ${frame + 1} calls is ${depth}. Too large`);
      for (const callee of calls(start)) {
        if (frame + 1 >= MAX_CALL_FRAMES) this.refuse(`the call stack of ${frame + 1} frames is too deep !`);
        walk(callee, frame + 1, depth);
      }
    };
    walk(0, 0, 0);
  }
}

/** A known scalar's value (u64). */
/** A pointer's type as the pointer-arithmetic messages name it (a BTF pointer with its struct). */
/** The pointer's type as adjust_ptr_min_max_vals names it (reg_type_str: no struct name). */
function ptrTypeName(ptr: Reg): string {
  return regTypeStr(ptr.kind, ptr.flags);
}

/** How check_mem_region_access's log line names each region's size. */
const REGION_SIZE_NAME = { 'map value': 'value_size', 'map key': 'key_size', memory: 'mem_size' } as const;

function regionMessage(region: keyof typeof REGION_SIZE_NAME, limit: number, off: number, size: number): string {
  return `invalid access to ${region}, ${REGION_SIZE_NAME[region]}=${limit} off=${off} size=${size}`;
}

/** Two frames' registers are the same abstract values (the infinite-loop check's exact comparison). */
function regsEqual(ra: readonly Reg[], rb: readonly Reg[]): boolean {
  for (let r = 0; r < 11; r++) {
    const p = ra[r];
    const q = rb[r];
    if (p === q) continue;
    if (!p || !q || p.kind !== q.kind) return false;
    if (p.kind === 'not_init') continue;
    if (p.s !== q.s && !scalarEquals(p.s, q.s)) return false;
    if (p.off !== q.off || p.flags !== q.flags || p.range !== q.range) return false;
  }
  return true;
}

function stackEqual(x: Frame, y: Frame): boolean {
  const n = Math.max(x.stack.length, y.stack.length);
  for (let i = 0; i < n; i++) {
    const s = x.stack[i];
    const t = y.stack[i];
    if (s === t) continue;
    const st = s?.types ?? NO_BYTES;
    const tt = t?.types ?? NO_BYTES;
    for (let j = 0; j < 8; j++) if (st[j] !== tt[j]) return false;
    if (s && t && s.types[0] === Slot.Spill) {
      if (s.spilled.kind !== t.spilled.kind || !scalarEquals(s.spilled.s, t.spilled.s) || s.spilled.off !== t.spilled.off) return false;
    }
  }
  return true;
}

/** The bytes of a slot never written. */
const NO_BYTES = new Uint8Array(8);

/** `ptr == 0` / `ptr != 0` on a maybe-NULL pointer (the operand `other` is the constant 0). */
function isNullCheck(ptr: Reg, other: Reg): boolean {
  return maybeNull(ptr) && other.kind === 'scalar' && isZero(other.s);
}

function constValue(s: Scalar): bigint {
  return s.var.value;
}

/** What a load of `size` bytes yields: unknown, zero- or sign-extended. */
/**
 * What a load of `size` bytes of unknown data yields. Always the same value per size and
 * extension (Scalars are immutable), so it is made once: loads are among the commonest insns.
 */
function loadResult(size: 1 | 2 | 4 | 8, sx: boolean): Scalar {
  const i = size + (sx ? 8 : 0);
  let s = LOAD_RESULTS[i];
  if (!s) {
    s = sx ? signExtend(unknown(), size) : zeroExtend(unknown(), size);
    LOAD_RESULTS[i] = s;
  }
  return s;
}
const LOAD_RESULTS: (Scalar | undefined)[] = [];

/** compatible_reg_types of the memory argument types, as the refusal lists them. */
const MEM_TYPES = 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_';

/** Helpers after which packet pointers are stale (bpf_helper_changes_pkt_data). */
const CHANGES_PKT_DATA = new Set(['bpf_xdp_adjust_head', 'bpf_xdp_adjust_meta', 'bpf_xdp_adjust_tail', 'bpf_skb_pull_data', 'bpf_skb_store_bytes', 'bpf_skb_change_head', 'bpf_skb_change_tail', 'bpf_skb_vlan_push', 'bpf_skb_vlan_pop', 'bpf_skb_adjust_room', 'bpf_l3_csum_replace', 'bpf_l4_csum_replace', 'bpf_clone_redirect', 'bpf_skb_change_proto']);

const MAP_TYPE_IDS: Partial<Record<string, number>> = {
  hash: 1,
  array: 2,
  prog_array: 3,
  percpu_hash: 5,
  percpu_array: 6,
  lru_hash: 9,
  lru_percpu_hash: 10,
  devmap: 14,
  cpumap: 16,
  xskmap: 17,
  devmap_hash: 25,
  ringbuf: 27,
};

/** A variable offset as the misaligned-access message prints it: the value when known. */
function formatVarOff(s: Scalar): string {
  return isConst(s) ? BigInt.asIntN(64, s.var.value).toString() : formatTnum(s);
}

function zeroExtendScalar(s: Scalar, size: 1 | 2 | 4 | 8): Scalar {
  return zeroExtend(s, size);
}

function signExtendScalar(s: Scalar, size: 1 | 2 | 4 | 8): Scalar {
  return signExtend(s, size);
}

/** reg_not_null: pointers that can never be NULL (not stack, ctx or packet pointers, as Linux has it). */
function regNotNull(r: Reg): boolean {
  if (maybeNull(r)) return false;
  switch (r.kind) {
    case 'map_value':
    case 'map_key':
    case 'map_ptr':
      return true;
    case 'btf_id':
      return r.refObjId !== 0 || ((r.flags & TRUSTED) !== 0 && !(r.flags & UNTRUSTED));
    case 'mem':
      return !(r.flags & UNTRUSTED);
    default:
      return false;
  }
}

function formatTnum(s: Scalar): string {
  return `(0x${s.var.value.toString(16)}; 0x${s.var.mask.toString(16)})`;
}

function rangeText(s: Scalar): string {
  if (s.smin === -(1n << 63n) && s.smax === (1n << 63n) - 1n) return 'unknown scalar value';
  return `smin=${s.smin} smax=${s.smax}`;
}

/** check_return_code: the values a program type may return (none: no check). */
function returnRange(t: string, attach?: string): [bigint, bigint] | undefined {
  void attach;
  switch (t) {
    default:
      return undefined;
  }
}

// Kept for the scalar domain's constant helper (a pointer's known offset).
export const knownScalar = known;
export type { RegKind };
