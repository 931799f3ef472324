// The verifier's contract: what BPF_PROG_LOAD hands it and what it answers. Plain data both
// ways; a refusal is an answer, never an exception.

import type { Insn } from '../isa/index.ts';
import type { MapDecl, SectionKind } from '../program/program.ts';
import type { KernelProfile } from '../kernel/profiles.ts';

export type LogLevel = 0 | 1 | 2;

export interface VerifyRequest {
  /** The program, decoded: one entry per 8-byte slot, null for the second slot of an ldimm64. */
  readonly insns: readonly (Insn | null)[];
  /** Program type and, for tp_btf, the tracepoint. */
  readonly kind: SectionKind;
  /** The file's maps; an ldimm64 with a map pseudo refers to one by index. */
  readonly maps: readonly MapDecl[];
  /** The program's license is GPL-compatible (GPL-only helpers and kfuncs need it). */
  readonly gpl: boolean;
  readonly profile: KernelProfile;
  /** 0: no log (the verdict and message only); 1: the failing path; 2: state at every instruction. */
  readonly logLevel: LogLevel;
  /** The program calls XDP metadata kfuncs, loaded with BPF_F_XDP_DEV_BOUND_ONLY (net/core/xdp.c). */
  readonly deviceBound?: boolean;
  /** Source text per pc, printed as `; text` lines in the log where known. */
  readonly sourceLines?: readonly (string | undefined)[];
  /**
   * Record what an explanation needs (the failing path, where values came from): a refusal
   * then carries `related`, `path` and `slice`. Off by default (it costs a little per insn).
   */
  readonly explain?: boolean;
  /**
   * With `explain`: also record `beliefs`, the state at each step of the failing path (default
   * true). Formatting every register at every step is most of what `explain` costs; a caller
   * that shows no beliefs (live verification) says false. The verdict is the same either way.
   */
  readonly beliefs?: boolean;
}

/** Another instruction a refusal is about: where the problem began. */
export interface RelatedSite {
  readonly pc: number;
  /** What happened there, in plain words ("the pointer in R6 comes from here; it may be NULL"). */
  readonly message: string;
}

export interface VerifyError {
  /** The instruction the refusal is about (the kernel's `insn_idx`), when there is one. */
  readonly pc?: number;
  /** The kernel's own words (the last line of its log). */
  readonly message: string;
  /**
   * At log level 0 (no log): the lines a log would have held just before `message` (the
   * figures of `invalid access to packet, off=…`, …), for explanations that quote them.
   */
  readonly context?: string;
  /** With `explain`: where the problem began (the acquire of a leaked reference, the call whose result was not checked, …). */
  readonly related?: readonly RelatedSite[];
  /** With `explain`: the failing path's last instructions (at most 1,000 pcs), in order, ending at `pc`. */
  readonly path?: readonly number[];
  /**
   * With `explain`: the causal path — the instructions of the failing path whose results flow
   * into the failing instruction's operands (a backward slice through registers), in order.
   */
  readonly slice?: readonly number[];
  /**
   * With `explain`: what the verifier believed on reaching each instruction of `path` (same
   * length), in the log's words (`R1=ctx() R2=pkt(r=0) …`); absent when the path was too long
   * to record (over 20,000 steps).
   */
  readonly beliefs?: readonly string[];
  /**
   * With `explain`: the same beliefs as plain data, one per entry of `path` (absent with
   * `beliefs`): the registers with their types, a scalar's bounds and tnum, the stack slots
   * and the references held.
   */
  readonly states?: readonly StateBelief[];
  /**
   * With `explain`: at the instructions of `path` where the verifier kept states to prune
   * against (at most 64 pcs, 4 states each), what it kept and how many paths each stopped.
   */
  readonly explored?: readonly ExploredAt[];
}

/** A scalar's believed value: 64-bit bounds as decimal strings, 32-bit bounds, the tnum in hex. */
export interface ScalarBelief {
  readonly umin: string;
  readonly umax: string;
  readonly smin: string;
  readonly smax: string;
  readonly u32min: number;
  readonly u32max: number;
  readonly s32min: number;
  readonly s32max: number;
  /** The tnum: bits known to be 1 (`value`) and bits unknown (`mask`), as 0x… */
  readonly value: string;
  readonly mask: string;
}

/** What the verifier believed a register held. */
export interface RegBelief {
  /** 0..10. */
  readonly reg: number;
  /** Its type in the log's words: `scalar`, `ctx`, `pkt`, `ptr_or_null_bpf_cpumask`, `fp`, … */
  readonly type: string;
  /** The whole value as the log prints it: `pkt(r=0)`, `scalar(umax=255,var_off=(0x0; 0xff))`. */
  readonly text: string;
  /** For scalars: the bounds and tnum. */
  readonly scalar?: ScalarBelief;
}

/** The verifier's state on reaching one instruction of a path (its current frame). */
export interface StateBelief {
  readonly pc: number;
  /** The call frame (0: the main program). */
  readonly frame: number;
  /** The initialized registers, in order. */
  readonly regs: readonly RegBelief[];
  /** Stack slots as the log prints them (`fp-8` = `mmmmmmmm`, a spilled register's type or value). */
  readonly stack: readonly { readonly slot: string; readonly value: string }[];
  /** The ids of the references held. */
  readonly refs: readonly number[];
}

/** The states the verifier kept at one instruction, each with the number of paths it pruned. */
export interface ExploredAt {
  readonly pc: number;
  /** States kept (those evicted for missing too often are gone). */
  readonly states: readonly { readonly text: string; readonly pruned: number }[];
  /** More states were kept than are listed. */
  readonly more: number;
}

/** The figures of the kernel's last log line. */
export interface VerifyStats {
  readonly processed: number;
  readonly maxStatesPerInsn: number;
  readonly totalStates: number;
  readonly peakStates: number;
  readonly markRead: number;
}

/** A path the verifier walked, as `explain` records it (an accepted program's paths). */
export interface ExplainedPath {
  readonly path: readonly number[];
  readonly states?: readonly StateBelief[];
  explored?: readonly ExploredAt[];
  /** How it ended: at the main program's exit, or pruned (its state was within one already proved safe there). */
  readonly end?: 'exit' | 'pruned';
}

export interface VerifyResult {
  readonly accepted: boolean;
  /** With `explain`, for an accepted program: the first path it walked to the exit, with the beliefs along it. */
  readonly firstPath?: ExplainedPath;
  /**
   * With `explain` and beliefs, for an accepted program: the paths it walked, in order, each to
   * an exit or to where it was pruned (the first 16; `firstPath` is the first to an exit).
   */
  readonly paths?: readonly ExplainedPath[];
  /** Empty when accepted; the kernel stops at the first error, so at most one today. */
  readonly errors: readonly VerifyError[];
  /** The log as the kernel prints it at the requested level (empty at level 0). */
  readonly log: string;
  readonly stats: VerifyStats;
}
