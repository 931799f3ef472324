// Reference data for editors: what every instruction, register, helper, kfunc, directive and
// kernel struct is, with examples in both dialects. Derived from the ISA table and the kernel's
// declarations, so hovers and completions can never describe something the engine lacks.

import { FORMS, formOf, isaName, type Form, type Insn } from '../isa/index.ts';
import { STRUCT_LAYOUTS, type StructLayout } from '../kernel/btf/layouts.ts';
import { HELPER_DOCS } from '../kernel/helpers/docs.ts';
import { HELPER_DECLS } from '../kernel/helpers/prototypes.ts';
import { signatureOf } from '../kernel/decls.ts';
import { KFUNC_DECLS } from '../kernel/kfuncs/decls.ts';
import { assemble } from './assembler.ts';
import type { DialectName } from './dialect.ts';
import { llvmDialect } from './llvm.ts';
import { ubpfDialect } from './ubpf.ts';
import { dictionary } from '../util/dictionary.ts';

export interface InstructionDoc {
  readonly id: string;
  /** ubpf mnemonic, e.g. `add32`. */
  readonly mnemonic: string;
  readonly opcode: number;
  readonly summary: string;
  readonly isa: string;
  readonly group: string;
  /** The form written out with sample operands in each dialect. */
  readonly llvm: string;
  readonly ubpf: string;
}

export interface FunctionDoc {
  readonly kind: 'helper' | 'kfunc';
  readonly name: string;
  readonly id: number;
  readonly signature: string;
  readonly summary: string;
  readonly returns: string;
  /** kfunc flags (KF_ACQUIRE …) and the kernel profiles it exists in; empty for helpers. */
  readonly flags: readonly string[];
  readonly profiles: readonly string[];
}

export interface DirectiveDoc {
  readonly name: string;
  readonly syntax: string;
  readonly summary: string;
}

function sample(form: Form): Insn {
  const t = form.template;
  switch (t.kind) {
    case 'alu':
      return { ...t, dst: 1, src: t.src.type === 'reg' ? { type: 'reg', reg: 2 } : { type: 'imm', imm: 4 } };
    case 'movsx':
      return { ...t, dst: 1, src: 2 };
    case 'addr_space_cast':
      // cast_kern: an arena pointer (address space 1) to a kernel one (0).
      return { ...t, dst: 1, src: 2, dstAs: 0, srcAs: 1 };
    case 'neg':
    case 'end':
      return { ...t, dst: 1 };
    case 'ldimm64':
      return { ...t, dst: 1, imm: t.pseudo === 0 ? 0x1234 : 1 };
    case 'load':
      return { ...t, dst: 1, base: 2, off: 8 };
    case 'store':
      return { ...t, base: 10, off: -8, src: t.src.type === 'reg' ? { type: 'reg', reg: 1 } : { type: 'imm', imm: 4 } };
    case 'atomic':
      return { ...t, base: 10, off: -8, src: 1 };
    case 'ja':
      return { ...t, off: 3 };
    case 'jcond':
      return { ...t, dst: 1, src: t.src.type === 'reg' ? { type: 'reg', reg: 2 } : { type: 'imm', imm: 4 }, off: 3 };
    case 'may_goto':
      return { ...t, off: 3 };
    case 'call':
      return { ...t, imm: 1 };
    case 'exit':
      return t;
    case 'ldpkt':
      return { ...t, src: t.mode === 'ind' ? 1 : 0, imm: 12 };
  }
}

export const INSTRUCTION_DOCS: readonly InstructionDoc[] = FORMS.map((form) => {
  const insn = sample(form);
  return {
    id: form.id,
    mnemonic: form.mnemonic,
    opcode: form.opcode,
    summary: form.summary,
    isa: isaName(form.isa),
    group: form.group,
    llvm: llvmDialect.format(insn, { pc: 0 }),
    ubpf: ubpfDialect.format(insn, { pc: 0 }),
  };
});

export const FUNCTION_DOCS: readonly FunctionDoc[] = [
  ...HELPER_DOCS.map((d) => {
    const decl = HELPER_DECLS.find((h) => h.name === d.name);
    // Helpers are frozen since 6.x (new functionality is kfunc-only): both profiles have them all.
    const flags = decl ? [`program types: ${decl.progTypes === 'any' ? 'all' : decl.progTypes.join(', ')}`, ...(decl.gplOnly ? ['GPL-compatible license only'] : [])] : [];
    return { kind: 'helper' as const, id: decl?.id ?? 0, flags, profiles: ['linux-6.3', 'linux-6.18'], ...d };
  }),
  ...KFUNC_DECLS.map((d) => {
    const profiles = Object.keys(d.profiles);
    // Flags differ between profiles (KF_TRUSTED_ARGS in 6.3, KF_RCU later): say which is which.
    const flags = Object.entries(d.profiles).map(([p, x]) => `${p}: ${x?.flags.length ? x.flags.join(' | ') : 'no flags'} (program types: ${x?.progTypes.join(', ')})`);
    return { kind: 'kfunc' as const, name: d.name, id: d.id, signature: signatureOf(d), summary: d.summary, returns: d.returns, flags, profiles };
  }),
];

/** Prototype-less: editors look words of the source up here. */
export const REGISTER_DOCS: Readonly<Record<string, string>> = dictionary({
  r0: 'return value of helpers, kfuncs and the program',
  r1: 'first argument; at entry, the context (or the input memory of a raw program)',
  r2: 'second argument; at entry of a raw program, the input length',
  r3: 'third argument (clobbered by calls)',
  r4: 'fourth argument (clobbered by calls)',
  r5: 'fifth argument (clobbered by calls)',
  r6: 'callee-saved',
  r7: 'callee-saved',
  r8: 'callee-saved',
  r9: 'callee-saved',
  r10: 'read-only frame pointer: the stack is the 512 bytes below it',
});

export const DIRECTIVE_DOCS: readonly DirectiveDoc[] = [
  { name: '.section', syntax: '.section xdp', summary: 'Starts a program; names as libbpf SEC(): xdp, tc, syscall, socket, tp_btf/task_newtask, tp_btf/cgroup_mkdir, raw.' },
  { name: '.license', syntax: '.license "GPL"', summary: 'The program\'s license; GPL-only helpers need a GPL-compatible one.' },
  { name: '.map', syntax: '.map NAME type=array key=4 value=8 max_entries=16 [kptr=0:bpf_cpumask] [flags=…]', summary: 'Declares a map; `r1 = NAME ll` loads a pointer to it.' },
];

export const STRUCT_DOCS: readonly StructLayout[] = STRUCT_LAYOUTS;

/** The instruction on one line of source, if the line holds exactly one instruction. */
export function describeLine(text: string, dialect: DialectName): { doc: InstructionDoc; insn: Insn; bytes: Uint8Array } | undefined {
  // Labels and symbols on the line would not resolve alone; swap them for numbers first.
  const line = text.replace(/^\s*[A-Za-z_.$][\w.$]*:\s*/, '');
  if (!line.trim()) return undefined;
  const candidates = [line, line.replace(/\bgoto\s+[A-Za-z_.$][\w.$]*/, 'goto +0').replace(/,\s*[A-Za-z_.$][\w.$]*\s*$/, ', +0')];
  for (const candidate of candidates) {
    const r = assemble(candidate, { dialect });
    const section = r.sections[0];
    const insn = section?.insns[0];
    if (r.ok && insn) {
      const doc = INSTRUCTION_DOCS.find((d) => d.id === formOf(insn)?.id);
      if (doc) return { doc, insn, bytes: section.bytes };
    }
  }
  return undefined;
}
