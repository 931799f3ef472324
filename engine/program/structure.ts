// The structural checks Linux makes on every program before (and independently of) the
// verifier's path analysis (kernel/bpf/verifier.c: check_subprogs, check_cfg). Messages are
// the kernel's own.

import { writtenRegs, type Insn } from '../isa/index.ts';

export interface StructureError {
  readonly pc: number;
  readonly message: string;
}

export function checkStructure(insns: readonly (Insn | null)[]): StructureError[] {
  const errors: StructureError[] = [];
  const len = insns.length;
  if (len === 0) return [{ pc: 0, message: 'the program has no instructions' }];
  const target = (pc: number, to: number, what: string): void => {
    if (to < 0 || to >= len) errors.push({ pc, message: `${what} out of range from insn ${pc} to ${to}` });
    else if (insns[to] === null && insns[to - 1]?.kind === 'ldimm64') errors.push({ pc, message: `jump into the middle of ldimm64 insn ${to - 1}` });
  };
  insns.forEach((insn, pc) => {
    if (!insn) return;
    if (insn.kind === 'ja' || insn.kind === 'jcond' || insn.kind === 'may_goto') target(pc, pc + 1 + insn.off, 'jump');
    if (insn.kind === 'call' && insn.target === 'local') target(pc, pc + 1 + insn.imm, 'call');
    if (writtenRegs(insn).includes(10)) errors.push({ pc, message: 'frame pointer is read only' });
  });
  // The last instruction of the program must not fall through (check_subprogs).
  let last = len - 1;
  while (last > 0 && insns[last] === null && insns[last - 1]?.kind === 'ldimm64') last--;
  const lastInsn = insns[last];
  if (!lastInsn || (lastInsn.kind !== 'exit' && lastInsn.kind !== 'ja')) errors.push({ pc: last, message: 'last insn is not an exit or jmp' });
  return errors;
}
