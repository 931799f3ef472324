// A register's abstract value as the verifier tracks it (the kernel's struct bpf_reg_state):
// its type with flags, the scalar part (a scalar's value, a pointer's variable offset), the
// fixed offset, ids for NULL checks and references, the packet range, and what it points at.

import type { Scalar } from './scalar.ts';
import { formatScalar, isConst, known, unknown } from './scalar.ts';

export type RegKind =
  | 'not_init'
  | 'scalar'
  | 'ctx'
  | 'map_ptr'
  | 'map_value'
  | 'map_key'
  | 'fp'
  | 'pkt'
  | 'pkt_meta'
  | 'pkt_end'
  | 'btf_id'
  | 'mem'
  | 'func'
  | 'sock'
  | 'sock_common';

/** Type flags (enum bpf_type_flag), as bits. */
export const MAYBE_NULL = 1;
export const RDONLY = 2;
export const RINGBUF = 4;
export const RCU = 8;
export const UNTRUSTED = 16;
export const TRUSTED = 32;
/** MEM_ALLOC: memory the program owns through a reference (a bpf_cpumask it created). */
export const ALLOC = 64;

/**
 * A class, not object literals: every register shares one hidden class from its constructor,
 * which V8 keeps stable over a long session of many programs (literal and spread copies drifted
 * into many shapes and made the checker's property reads megamorphic).
 */
export class Reg {
  kind: RegKind;
  flags: number;
  /** A scalar's value; a pointer's variable offset. */
  s: Scalar;
  /** A pointer's fixed offset. */
  off: number;
  /** Shared by copies of one pointer (NULL checks, packet ranges) or related scalars. */
  id: number;
  /** The reference this pointer holds (0: none). */
  refObjId: number;
  /** Bytes known to be in the packet after a pkt pointer. */
  range: number;
  /** Map index for map_ptr / map_value / map_key. */
  map: number;
  /** Struct name for btf_id pointers. */
  btf: string;
  /** Size of a mem region. */
  memSize: number;
  /** Frame of an fp pointer; subprogram of a func pointer. */
  frameno: number;
  /** A scalar whose value mattered for a decision (precision tracking); printed as P. */
  precise: boolean;

  /**
   * The instruction that produced this value (the call that returned it, the load that read
   * it), -1 before any; for explanations ("bpf_cpumask_create, line 4, may return NULL").
   */
  origin: number;
  constructor(kind: RegKind, flags: number, s: Scalar, off: number, id: number, refObjId: number, range: number, map: number, btf: string, memSize: number, frameno: number, precise: boolean, origin = -1) {
    this.origin = origin;
    this.kind = kind;
    this.flags = flags;
    this.s = s;
    this.off = off;
    this.id = id;
    this.refObjId = refObjId;
    this.range = range;
    this.map = map;
    this.btf = btf;
    this.memSize = memSize;
    this.frameno = frameno;
    this.precise = precise;
  }
}

export function notInit(): Reg {
  return new Reg('not_init', 0, unknown(), 0, 0, 0, 0, -1, '', 0, 0, false);
}

export function scalarReg(s: Scalar): Reg {
  return new Reg('scalar', 0, s, 0, 0, 0, 0, -1, '', 0, 0, false);
}

export const unknownScalar = (): Reg => scalarReg(unknown());
export const constScalar = (v: bigint): Reg => scalarReg(known(v));

/** A pointer of `kind` with a zero offset. */
export function pointer(kind: RegKind, flags = 0): Reg {
  const r = notInit();
  r.kind = kind;
  r.flags = flags;
  r.s = known(0n);
  return r;
}

export function copyReg(r: Reg): Reg {
  return new Reg(r.kind, r.flags, r.s, r.off, r.id, r.refObjId, r.range, r.map, r.btf, r.memSize, r.frameno, r.precise, r.origin);
}

/** `r` with another packet range. */
export function withRange(r: Reg, range: number): Reg {
  const q = copyReg(r);
  q.range = range;
  return q;
}

/** `r` with another scalar part. */
export function withScalar(r: Reg, s: Scalar): Reg {
  const q = copyReg(r);
  q.s = s;
  return q;
}

export const isPointer = (r: Reg): boolean => r.kind !== 'scalar' && r.kind !== 'not_init';
export const isPktPointer = (r: Reg): boolean => r.kind === 'pkt' || r.kind === 'pkt_meta';
export const maybeNull = (r: Reg): boolean => (r.flags & MAYBE_NULL) !== 0;

const BASE_NAME: Record<RegKind, string> = {
  not_init: '?',
  scalar: 'scalar',
  ctx: 'ctx',
  map_ptr: 'map_ptr',
  map_value: 'map_value',
  map_key: 'map_key',
  fp: 'fp',
  pkt: 'pkt',
  pkt_meta: 'pkt_meta',
  pkt_end: 'pkt_end',
  btf_id: 'ptr_',
  mem: 'mem',
  func: 'func',
  sock: 'sock',
  sock_common: 'sock_common',
};

/** reg_type_str: flag prefixes, the base name, `_or_null` (`or_null_` before a BTF type name). */
export function regTypeStr(kind: RegKind, flags: number): string {
  let prefix = '';
  if (flags & RDONLY) prefix += 'rdonly_';
  if (flags & RINGBUF) prefix += 'ringbuf_';
  if (flags & RCU) prefix += 'rcu_';
  if (flags & UNTRUSTED) prefix += 'untrusted_';
  if (flags & TRUSTED) prefix += 'trusted_';
  let postfix = '';
  if (flags & MAYBE_NULL) postfix = kind === 'btf_id' ? 'or_null_' : '_or_null';
  return `${prefix}${BASE_NAME[kind]}${postfix}`;
}

/** What the log shows for a register: `ctx()`, `fp-8`, `pkt(off=14,r=14)`, `7`, `scalar(…)`. */
export function formatReg(r: Reg, mapName: (index: number) => { name: string; keySize: number; valueSize: number } | undefined, curFrame = r.frameno): string {
  if (r.kind === 'scalar') return `${r.precise ? 'P' : ''}${formatScalar(r.s)}`;
  if (r.kind === 'fp' && isConst(r.s)) return `fp${r.frameno !== curFrame ? `[${r.frameno}]` : ''}${Number(BigInt.asIntN(64, r.s.var.value)) + r.off}`;
  let out = regTypeStr(r.kind, r.flags);
  if (r.kind === 'btf_id') out += r.btf;
  const attrs: string[] = [];
  if (r.id) attrs.push(`id=${r.id}`);
  if (r.refObjId) attrs.push(`ref_obj_id=${r.refObjId}`);
  if (r.off) attrs.push(`off=${r.off}`);
  if (isPktPointer(r)) attrs.push(`r=${r.range < 0 ? `0x${BigInt.asUintN(64, BigInt(r.range)).toString(16)}` : r.range}`);
  else if (r.kind === 'map_ptr' || r.kind === 'map_value' || r.kind === 'map_key') {
    const m = mapName(r.map);
    if (m) attrs.push(`map=${m.name}`, `ks=${m.keySize},vs=${m.valueSize}`);
  }
  if (r.kind === 'mem' && r.memSize) attrs.push(`sz=${r.memSize}`);
  if (isConst(r.s)) {
    if (r.s.var.value !== 0n) attrs.push(`imm=${r.s.var.value.toString(16)}`);
  } else {
    // A pointer's variable part prints as a scalar's ranges do, inside the parentheses.
    const inner = formatScalar(r.s);
    const m = /^scalar\((.*)\)$/.exec(inner);
    if (m?.[1]) attrs.push(m[1]);
  }
  return `${out}(${attrs.join(',')})`;
}
