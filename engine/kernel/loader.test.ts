// BPF_PROG_LOAD's profile check of the Linux extensions: may_goto and addr_space_cast exist in
// linux-6.18, and linux-6.3 refuses them with what Linux 6.3 says.

import { describe, expect, it } from 'vitest';
import { encodeProgram, type Insn } from '../isa/index.ts';
import { sectionKind } from '../program/program.ts';
import type { KernelProfile } from './profiles.ts';
import { loadProgram } from './loader.ts';

function load(insns: Insn[], profile: KernelProfile) {
  const bytes = encodeProgram(insns);
  return loadProgram({ sections: [{ name: 'raw', kind: sectionKind('raw'), bytes }], entry: 'raw', maps: [], profile, cpus: 2, isa: 4, maxInsns: 100 });
}

const mov = (dst: number, imm: number): Insn => ({ kind: 'alu', width: 64, op: 'mov', dst, src: { type: 'imm', imm } });
const exit: Insn = { kind: 'exit' };
// r0 = 2; may_goto +1; r0 = 1; exit
const MAY_GOTO: Insn[] = [mov(0, 2), { kind: 'may_goto', off: 1 }, mov(0, 1), exit];
// r1 = 0; r1 = addr_space_cast(r1, 0, 1); r0 = 2; exit
const CAST: Insn[] = [mov(1, 0), { kind: 'addr_space_cast', dst: 1, src: 1, dstAs: 0, srcAs: 1 }, mov(0, 2), exit];

describe('Linux extensions by profile', () => {
  it('linux-6.18 loads may_goto and addr_space_cast', () => {
    expect(load(MAY_GOTO, 'linux-6.18').ok).toBe(true);
    expect(load(CAST, 'linux-6.18').ok).toBe(true);
  });
  it('linux-6.3 refuses them at load, saying which release brought them and what Linux 6.3 says', () => {
    expect(load(MAY_GOTO, 'linux-6.3')).toEqual({
      ok: false,
      problems: [{ pc: 1, stage: 'structure', message: 'may_goto does not exist in linux-6.3 (Linux 6.9 brought it; the linux-6.18 profile has it); Linux 6.3 says: unknown opcode e5' }],
    });
    expect(load(CAST, 'linux-6.3')).toEqual({
      ok: false,
      problems: [{ pc: 1, stage: 'structure', message: 'addr_space_cast does not exist in linux-6.3 (Linux 6.9 brought it; the linux-6.18 profile has it); Linux 6.3 says: BPF_MOV uses reserved fields' }],
    });
  });
  it('checks a may_goto target like any jump', () => {
    const r = load([{ kind: 'may_goto', off: 5 }, exit], 'linux-6.18');
    expect(r.ok ? [] : r.problems.map((p) => p.message)).toEqual(['jump out of range from insn 0 to 6']);
  });
});
