// Instruction forms that some kernel builds refuse (newer than the rest of the ISA: cpu v4's
// signed division, sign extension, bswap and gotol; JMP32; the atomic operations beyond
// BPF_XADD), as probe-able features of the kernel differential. Each probe is a tiny XDP
// program around one instance of the form, with every register and the stack slot it
// touches initialised, so that only the form itself can make the kernel refuse it.

import { encodeProgram, type Insn } from '../../isa/index.ts';
import type { Feature } from './features.ts';
import { PACKET_BYTES } from './harness.ts';

/** The name of the instruction form `insn` belongs to, when it is one a kernel may lack. */
export function insnFormName(insn: Insn): string | undefined {
  switch (insn.kind) {
    case 'alu':
      return insn.op === 'sdiv' || insn.op === 'smod' ? `${insn.op}${insn.width}` : undefined;
    case 'movsx':
      return `movsx${insn.width}_${insn.bits}`;
    case 'load':
      return insn.signExtend ? `ldsx${insn.size * 8}` : undefined;
    case 'end':
      return insn.order === 'bswap' ? `bswap${insn.bits}` : undefined;
    case 'ja':
      return insn.long ? 'gotol' : undefined;
    case 'jcond':
      return insn.width === 32 ? 'jmp32' : undefined;
    case 'atomic': {
      // BPF_XADD (add without fetch) is as old as eBPF; the rest came with BPF_ATOMIC (5.12).
      if (insn.op === 'add' && !insn.fetch) return undefined;
      const fetch = insn.fetch && insn.op !== 'xchg' && insn.op !== 'cmpxchg' ? 'fetch_' : '';
      return `atomic${insn.size * 8}_${fetch}${insn.op}`;
    }
    default:
      return undefined;
  }
}

/** One instance of the form of `insn`, on registers and a stack slot the probe initialises. */
function canonical(insn: Insn): Insn {
  switch (insn.kind) {
    case 'alu':
      return { kind: 'alu', width: insn.width, op: insn.op, dst: 1, src: { type: 'imm', imm: 3 } };
    case 'movsx':
      return { kind: 'movsx', width: insn.width, bits: insn.bits, dst: 1, src: 2 };
    case 'load':
      return { kind: 'load', size: insn.size, signExtend: insn.signExtend, dst: 1, base: 10, off: -8 };
    case 'end':
      return { kind: 'end', order: insn.order, bits: insn.bits, dst: 1 };
    case 'ja':
      return { kind: 'ja', long: insn.long, off: 0 };
    case 'jcond':
      return { kind: 'jcond', width: insn.width, cond: insn.cond, dst: 1, src: { type: 'imm', imm: 0 }, off: 0 };
    case 'atomic':
      return { kind: 'atomic', size: insn.size, op: insn.op, fetch: insn.fetch, base: 10, off: -8, src: 2 };
    default:
      return insn;
  }
}

const XDP_PASS = 2;
const known = new Map<string, Feature>();

/** The feature of `insn`'s form with its probe (one object per form), or undefined for a form every kernel has. */
export function insnFeature(insn: Insn): Feature | undefined {
  const name = insnFormName(insn);
  if (name === undefined) return undefined;
  let f = known.get(name);
  if (!f) {
    const mov = (dst: number, imm: number): Insn => ({ kind: 'alu', width: 64, op: 'mov', dst, src: { type: 'imm', imm } });
    const prog = [...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((r) => mov(r, 1)), { kind: 'store', size: 8, base: 10, off: -8, src: { type: 'imm', imm: 0 } } as Insn, canonical(insn), mov(0, XDP_PASS), { kind: 'exit' } as Insn];
    f = { name, probe: { prog: encodeProgram(prog), data: new Uint8Array(PACKET_BYTES) } };
    known.set(name, f);
  }
  return f;
}

/** The features of a program's instructions, in order of first use, once each. */
export function insnFeatures(insns: readonly (Insn | null)[]): Feature[] {
  const out: Feature[] = [];
  for (const insn of insns) {
    const f = insn ? insnFeature(insn) : undefined;
    if (f && !out.includes(f)) out.push(f);
  }
  return out;
}
