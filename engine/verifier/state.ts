// The verifier's state on one path (struct bpf_verifier_state): call frames with their
// registers and 512-byte stacks, the references held, the RCU read section; copying, and the
// comparison that lets a path stop where an equivalent or wider state was already verified.

import { rangeWithin, scalarEquals } from './scalar.ts';
import { notInit, type Reg } from './reg.ts';

export const MAX_BPF_STACK = 512;
export const SLOTS = MAX_BPF_STACK / 8;

export const enum Slot {
  Invalid = 0,
  Spill = 1,
  Misc = 2,
  Zero = 3,
}

export interface StackSlot {
  /** Per byte, lowest address first (byte 0 is fp-8*(i+1)). */
  types: Uint8Array;
  /** The register spilled here (a full 8-byte spill, or a narrower scalar spill). */
  spilled: Reg;
  /** The state generation that may change this slot in place (see `ownSlot`). */
  gen: number;
}

export interface Frame {
  regs: Reg[];
  /** Slot i covers fp-8*(i+1) .. fp-8*i-1. Absent: never written. */
  stack: (StackSlot | undefined)[];
  /** Bytes of stack used (the deepest access). */
  depth: number;
  frameno: number;
  /** The call instruction that made this frame (-1 for the main program). */
  callsite: number;
  /** The subprogram this frame runs. */
  subprog: number;
  /** A callback's frame (bpf_loop, bpf_for_each_map_elem): what its r0 must be. */
  callback?: { readonly retMin: bigint; readonly retMax: bigint };
}

export interface RefState {
  readonly id: number;
  /** The instruction that acquired it (printed by the leak message). */
  readonly insn: number;
  readonly kind: 'ptr' | 'ringbuf';
}

export interface VState {
  frames: Frame[];
  refs: RefState[];
  /** Inside bpf_rcu_read_lock(). */
  rcuLock: number;
  /** Loop iterations seen on this path (for the "infinite loop detected" check). */
  insnIdx: number;
  /** Changes with every copy: slots of another generation are shared and copied before a change. */
  gen: number;
}

let generations = 0;
export const newGen = (): number => ++generations;

export function newFrame(frameno: number, callsite: number, subprog: number): Frame {
  const regs: Reg[] = [];
  for (let i = 0; i < 11; i++) regs.push(notInit());
  return { regs, stack: [], depth: 0, frameno, callsite, subprog, callback: undefined };
}

// Copies share what they can. Registers are never changed once they are in a state (every
// change puts a new Reg in its place). Stack slots are copied on write: a copy gives both the
// original and the copy a new generation, so neither owns a slot until it copies it (`ownSlot`).
export function copyFrame(f: Frame): Frame {
  // A literal in newFrame's field order (not a spread): copied at every two-way branch.
  return { regs: f.regs.slice(), stack: f.stack.slice(), depth: f.depth, frameno: f.frameno, callsite: f.callsite, subprog: f.subprog, callback: f.callback };
}

export function copyState(s: VState): VState {
  s.gen = newGen();
  return { frames: s.frames.map(copyFrame), refs: [...s.refs], rcuLock: s.rcuLock, insnIdx: s.insnIdx, gen: newGen() };
}

/** Slot `i` of frame `f` (of state `st`), made if absent, this state's own to change. */
export function ownSlot(st: VState, f: Frame, i: number): StackSlot {
  const s = f.stack[i];
  if (s && s.gen === st.gen) return s;
  const own = s ? { types: s.types.slice(), spilled: s.spilled, gen: st.gen } : { types: new Uint8Array(8), spilled: notInit(), gen: st.gen };
  f.stack[i] = own;
  return own;
}

/** Slot `i` to read: absent slots read as never written. */
export function readSlot(f: Frame, i: number): StackSlot {
  return f.stack[i] ?? NEVER_WRITTEN;
}
const NEVER_WRITTEN: StackSlot = Object.freeze({ types: new Uint8Array(8), spilled: notInit(), gen: -1 }) as StackSlot;

/**
 * `cur` is covered by `old` (an already verified state at the same instruction): everything
 * `old` allows `cur` allows too (regsafe / stacksafe / refsafe, without liveness: every register
 * and slot is compared, which prunes less than Linux but never unsoundly).
 */
export function stateCovers(old: VState, cur: VState, idmap: Map<number, number>, liveRegs: number, relevantRegs = 0x7ff): boolean {
  if (old.frames.length !== cur.frames.length || old.rcuLock !== cur.rcuLock || old.refs.length !== cur.refs.length) return false;
  for (let i = 0; i < old.refs.length; i++) {
    const a = old.refs[i];
    const b = cur.refs[i];
    if (!a || !b || !checkId(a.id, b.id, idmap)) return false;
  }
  for (let fi = 0; fi < old.frames.length; fi++) {
    const a = old.frames[fi];
    const b = cur.frames[fi];
    if (!a || !b || a.callsite !== b.callsite) return false;
    for (let r = 0; r < 11; r++) {
      // A register the rest of the program never reads before writing cannot matter
      // (compute_live_registers); only the current frame's liveness is known here.
      if (fi === old.frames.length - 1 && !(liveRegs & (1 << r))) continue;
      const x = a.regs[r];
      const y = b.regs[r];
      if (!x || !y) return false;
      // The same register (states share them): covered, unless ids must be mapped.
      if (x === y && !x.id && !x.refObjId) continue;
      // A scalar whose value can no longer reach a check need only still be a scalar.
      if (fi === old.frames.length - 1 && x.kind === 'scalar' && !(relevantRegs & (1 << r))) {
        if (y.kind !== 'scalar') return false;
        continue;
      }
      if (!regCovers(x, y, idmap)) return false;
    }
    if (!stackCovers(a, b, idmap)) return false;
  }
  return true;
}

/** Ids of the old state map one-to-one onto ids of the current one (check_ids). */
function checkId(oldId: number, curId: number, idmap: Map<number, number>): boolean {
  if (!oldId && !curId) return true;
  if (!oldId || !curId) return false;
  const seen = idmap.get(oldId);
  if (seen === undefined) {
    idmap.set(oldId, curId);
    return true;
  }
  return seen === curId;
}

function regCovers(old: Reg, cur: Reg, idmap: Map<number, number>): boolean {
  if (old.kind === 'not_init') return true;
  if (old.kind !== cur.kind) return false;
  if (old.kind === 'scalar') {
    // Every scalar is compared as if precise (no precision backtracking yet): sound, prunes less.
    return rangeWithin(old.s, cur.s) && (!old.id || checkId(old.id, cur.id, idmap));
  }
  if (old.flags !== cur.flags || old.off !== cur.off || old.map !== cur.map || old.btf !== cur.btf || old.memSize !== cur.memSize || old.frameno !== cur.frameno) return false;
  if (old.kind === 'pkt' || old.kind === 'pkt_meta') {
    // A wider known range is safe: everything the old path read is there.
    if (old.range > cur.range) return false;
  }
  if (!rangeWithin(old.s, cur.s)) return false;
  if (!checkId(old.id, cur.id, idmap) || !checkId(old.refObjId, cur.refObjId, idmap)) return false;
  return true;
}

function stackCovers(old: Frame, cur: Frame, idmap: Map<number, number>): boolean {
  const n = Math.max(old.stack.length, cur.stack.length);
  for (let i = 0; i < n; i++) {
    const a = old.stack[i];
    const b = cur.stack[i];
    if (!a) continue;
    if (a === b && !a.spilled.id && !a.spilled.refObjId) continue;
    for (let j = 0; j < 8; j++) {
      const ta = a.types[j] ?? Slot.Invalid;
      const tb = b?.types[j] ?? Slot.Invalid;
      if (ta === Slot.Invalid) continue;
      if (ta === Slot.Misc && (tb === Slot.Misc || tb === Slot.Zero || tb === Slot.Spill)) continue;
      if (ta !== tb) return false;
    }
    if (a.types[7] === Slot.Spill && b) {
      if (!regCovers(a.spilled, b.spilled, idmap)) return false;
    }
  }
  return true;
}

/** Two scalars identical (used when widening loop states is not wanted). */
export function sameScalar(a: Reg, b: Reg): boolean {
  return a.kind === 'scalar' && b.kind === 'scalar' && scalarEquals(a.s, b.s);
}
