// `STRUCT.FIELD` as a relocation: each use of a struct field's offset is recorded on its section
// (which instruction, which field, in `off` or `imm`), for the object export's CO-RE records;
// the bytes and the diagnostics stay what the offsets written as numbers give.

import { describe, expect, it } from 'vitest';
import { assemble } from './assembler.ts';
import { kernelSymbols } from './symbols.ts';

const offset = (struct: string, field: string): number => {
  const r = kernelSymbols.fieldOffset(struct, field);
  if ('error' in r) throw new Error(r.error);
  return r.offset;
};

/** `text` with every STRUCT.FIELD written as its offset. */
const numeric = (text: string): string => text.replace(/\b(task_struct|xdp_md|cgroup)\.(\w+)/g, (_m, s: string, f: string) => String(offset(s, f)));

const LLVM = `.section tp_btf/task_newtask
  r6 = *(u64 *)(r1 + 0)
  r2 = *(u64 *)(r6 + task_struct.cpus_ptr)
  r3 = r6
  r3 += task_struct.comm
  *(u32 *)(r6 + task_struct.flags) = 1
  r4 = task_struct.start_time ll
  w5 = task_struct.pid
  if r4 > task_struct.comm goto +0
  r7 = *(u64 *)(r6 + 8)
  r0 = 0
  exit
`;

describe('STRUCT.FIELD relocations', () => {
  it('records each use with its instruction and operand (LLVM dialect)', () => {
    const r = assemble(LLVM, { dialect: 'llvm' });
    expect(r.diagnostics).toEqual([]);
    expect(r.sections[0]?.relocations).toEqual([
      { kind: 'field', pc: 1, struct: 'task_struct', path: ['cpus_ptr'], operand: 'off' },
      { kind: 'field', pc: 3, struct: 'task_struct', path: ['comm'], operand: 'imm' },
      { kind: 'field', pc: 4, struct: 'task_struct', path: ['flags'], operand: 'off' },
      // ld_imm64 takes two slots: the next instruction is at 7.
      { kind: 'field', pc: 5, struct: 'task_struct', path: ['start_time'], operand: 'imm' },
      { kind: 'field', pc: 7, struct: 'task_struct', path: ['pid'], operand: 'imm' },
      { kind: 'field', pc: 8, struct: 'task_struct', path: ['comm'], operand: 'imm' },
    ]);
  });

  it('leaves the bytes as the numeric offsets give them', () => {
    const a = assemble(LLVM, { dialect: 'llvm' });
    const b = assemble(numeric(LLVM), { dialect: 'llvm' });
    expect(b.diagnostics).toEqual([]);
    expect(a.sections[0]?.bytes).toEqual(b.sections[0]?.bytes);
    expect(b.sections[0]?.relocations).toEqual([]);
  });

  it('records the ubpf dialect’s uses too', () => {
    const text = '.section xdp\nlddw %r1, task_struct.comm\nldxdw %r2, [%r1+task_struct.cpus_ptr]\nadd %r1, xdp_md.data\nstw [%r10-task_struct.pid], 0\nmov %r0, 0\nexit\n';
    const r = assemble(text, { dialect: 'ubpf' });
    expect(r.diagnostics).toEqual([]);
    expect(r.sections[0]?.relocations).toEqual([
      { kind: 'field', pc: 0, struct: 'task_struct', path: ['comm'], operand: 'imm' },
      { kind: 'field', pc: 2, struct: 'task_struct', path: ['cpus_ptr'], operand: 'off' },
      { kind: 'field', pc: 3, struct: 'xdp_md', path: ['data'], operand: 'imm' },
      { kind: 'field', pc: 4, struct: 'task_struct', path: ['pid'], operand: 'off' },
    ]);
    expect(r.sections[0]?.bytes).toEqual(assemble(numeric(text), { dialect: 'ubpf' }).sections[0]?.bytes);
  });

  it('records a negated field as a use (the export refuses it) and nothing for a line that fails', () => {
    const text = '.section xdp\n  r1 = *(u32 *)(r10 - task_struct.pid)\n  r2 = *(u8 *)(r1 + task_struct.comm) junk\n  r3 = *(u8 *)(r1 + task_struct.nope)\n  r0 = 0\n  exit\n';
    const r = assemble(text, { dialect: 'llvm' });
    expect(r.sections[0]?.relocations).toEqual([{ kind: 'field', pc: 0, struct: 'task_struct', path: ['pid'], operand: 'off' }]);
    // The diagnostics are the ones the offsets as numbers give, plus the unknown field's.
    const numbered = assemble(text.replace('task_struct.pid', String(offset('task_struct', 'pid'))).replace('task_struct.comm', String(offset('task_struct', 'comm'))), { dialect: 'llvm' });
    const messages = (d: readonly { message: string; line: number }[]) => d.map((x) => `${x.line}: ${x.message}`);
    expect(messages(r.diagnostics)).toEqual(messages(numbered.diagnostics));
    expect(messages(r.diagnostics).some((m) => m.startsWith("4: struct task_struct has no field 'nope'"))).toBe(true);
  });
});
