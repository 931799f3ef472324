// A program as the assembler produces it and the loader consumes it: per-section bytecode,
// the map declarations it refers to, relocations and the source map.

import type { Insn } from '../isa/index.ts';

/** Program types the playground knows, named after libbpf's SEC() prefixes. */
export type ProgType = 'raw' | 'socket' | 'xdp' | 'tc' | 'syscall' | 'tp_btf' | 'unknown';

export interface SectionKind {
  readonly progType: ProgType;
  /** For tp_btf: the tracepoint, e.g. `task_newtask`. */
  readonly attachTo?: string;
}

/** libbpf-style section names to program types. */
export function sectionKind(name: string): SectionKind {
  if (name === 'raw' || name === '.text' || name === 'text') return { progType: 'raw' };
  if (name === 'xdp' || name.startsWith('xdp/') || name.startsWith('xdp.')) return { progType: 'xdp' };
  if (name === 'tc' || name.startsWith('tc/') || name === 'classifier' || name.startsWith('tcx/')) return { progType: 'tc' };
  if (name === 'syscall' || name === 'syscall.s') return { progType: 'syscall' };
  if (name === 'socket' || name.startsWith('socket/')) return { progType: 'socket' };
  if (name.startsWith('tp_btf/')) return { progType: 'tp_btf', attachTo: name.slice('tp_btf/'.length) };
  return { progType: 'unknown' };
}

export const MAP_TYPES = [
  'hash',
  'array',
  'prog_array',
  'percpu_hash',
  'percpu_array',
  'lru_hash',
  'lru_percpu_hash',
  'ringbuf',
  'devmap',
  'devmap_hash',
  'cpumap',
  'xskmap',
] as const;
export type MapType = (typeof MAP_TYPES)[number];

/** A `kptr=OFFSET:TYPE` field of a map value. */
export interface KptrField {
  readonly offset: number;
  readonly type: string;
}

/** `.map NAME type=… key=… value=… max_entries=… [kptr=…] [flags=…]`. */
export interface MapDecl {
  readonly name: string;
  readonly type: MapType;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly kptrs: readonly KptrField[];
  /** Source line of the declaration. */
  readonly line: number;
}

/** Where an instruction came from. */
export interface SourceSpan {
  readonly line: number;
  readonly col: number;
  readonly endCol: number;
}

export type Relocation =
  | { readonly kind: 'map'; readonly pc: number; readonly map: string }
  | { readonly kind: 'helper'; readonly pc: number; readonly name: string }
  | { readonly kind: 'kfunc'; readonly pc: number; readonly name: string }
  /** `rN = label ll`: the address of a function of this program (BPF_PSEUDO_FUNC). */
  | { readonly kind: 'func'; readonly pc: number; readonly name: string }
  /**
   * `STRUCT.FIELD` written as an offset: in the instruction's `off` (a load or store address,
   * `*(u64 *)(r6 + task_struct.cpus_ptr)`) or its `imm` (`r3 += task_struct.comm`). The bytes
   * hold the simulated kernel's offset; an exported object carries it as a CO-RE relocation.
   * `path` is the member path from `struct` (one field today).
   */
  | { readonly kind: 'field'; readonly pc: number; readonly struct: string; readonly path: readonly string[]; readonly operand: FieldOperand };

/** Which part of an instruction holds a `STRUCT.FIELD` offset. */
export type FieldOperand = 'off' | 'imm';

export interface Section {
  readonly name: string;
  readonly kind: SectionKind;
  /** Bytecode, 8 bytes per slot. */
  readonly bytes: Uint8Array;
  /** Indexed by slot (pc); the second slot of an lddw is null. */
  readonly insns: readonly (Insn | null)[];
  /** Indexed by slot: the source of each instruction (second lddw slot repeats the first). */
  readonly spans: readonly SourceSpan[];
  /** Label name to slot. */
  readonly labels: ReadonlyMap<string, number>;
  readonly relocations: readonly Relocation[];
}
