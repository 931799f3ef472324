// A clang-built object (as engine/load/elf-object.ts read it: the worker's `openObject`, the
// CLI's `bpfp disasm FILE.o`) as the playground's assembly:
// each program disassembled in the LLVM dialect with map references, helpers and kfuncs by name
// and jump targets as labels, the maps as `.map` lines, the license, and above each group of
// instructions the C line it came from as a comment (`# file.c:LINE: text`). The text is
// assembled again and compared with the object's bytecode slot by slot; when the named form
// does not give the same bytes, the plain numeric disassembly (uBPF dialect, which keeps every
// field) is used instead, and the caller is told. Pure: tested in Node.

import { assemble } from './assembler.ts';
import type { DialectName } from './dialect.ts';
import { disassemble } from './disassembler.ts';
import { kernelSymbols } from './symbols.ts';
import type { MapDecl } from '../program/program.ts';

/** What the text is made of: an object's programs (with the C line of each slot), maps and license. */
export interface OpenedObject {
  readonly programs: readonly { readonly name: string; readonly bytecode: Uint8Array; readonly lines: readonly ({ readonly file: string; readonly line: number; readonly text: string } | undefined)[] }[];
  readonly maps: readonly MapDecl[];
  readonly license?: string;
  /** Program sections left out, with why. */
  readonly skipped: readonly string[];
}

export interface ObjectSource {
  readonly text: string;
  readonly dialect: DialectName;
  /** Whether the named (LLVM) form was used; false when it fell back to the numeric uBPF form. */
  readonly named: boolean;
  /** Whether the text assembles back to the object's bytecode, every program slot for slot. */
  readonly sameBytes: boolean;
  /** What does not reassemble to the same bytes, in words (empty when all does). */
  readonly mismatches: readonly string[];
  /** How many instructions carry a C line. */
  readonly cLines: number;
}

const INDENT = '        ';

let reverse: { helpers: Map<number, string>; kfuncs: Map<number, string> } | undefined;
function names(): { helpers: Map<number, string>; kfuncs: Map<number, string> } {
  if (reverse) return reverse;
  const helpers = new Map<number, string>();
  for (const n of kernelSymbols.helperNames()) {
    const id = kernelSymbols.helperId(n);
    if (id !== undefined && !helpers.has(id)) helpers.set(id, n);
  }
  const kfuncs = new Map<number, string>();
  for (const n of kernelSymbols.kfuncNames()) {
    const id = kernelSymbols.kfuncId(n);
    if (id !== undefined && !kfuncs.has(id)) kfuncs.set(id, n);
  }
  reverse = { helpers, kfuncs };
  return reverse;
}

function mapLine(m: MapDecl): string {
  const parts = [`.map ${m.name} type=${m.type} key=${m.keySize} value=${m.valueSize} max_entries=${m.maxEntries}`];
  if (m.flags) parts.push(`flags=0x${m.flags.toString(16)}`);
  for (const k of m.kptrs) parts.push(`kptr=${k.offset}:${k.type}`);
  return parts.join(' ');
}

const baseName = (file: string): string => file.slice(file.lastIndexOf('/') + 1);
/** One line of C as a comment: tabs as spaces, trimmed, at most 160 characters. */
const cText = (text: string): string => {
  const t = text.replace(/\t/g, ' ').trim();
  return t.length > 160 ? `${t.slice(0, 157)}...` : t;
};

/** One program's instructions as text lines. */
function programLines(p: OpenedObject['programs'][number], maps: readonly MapDecl[], dialect: DialectName): { lines: string[]; cLines: number } {
  const d = disassemble(p.bytecode, { dialect });
  const named = dialect === 'llvm';
  const { helpers, kfuncs } = names();
  // Targets that get labels: jumps, BPF-to-BPF calls and callback addresses.
  const targets = new Set<number>();
  const target = (pc: number, slots: number): number | undefined => {
    const insn = d.lines.find((l) => l.pc === pc)?.insn;
    if (!insn) return undefined;
    if (insn.kind === 'jcond' || insn.kind === 'may_goto') return pc + slots + insn.off;
    if (insn.kind === 'ja') return pc + 1 + insn.off;
    if (insn.kind === 'call' && insn.target === 'local') return pc + 1 + insn.imm;
    if (insn.kind === 'ldimm64' && insn.pseudo === 4) return pc + 2 + insn.imm;
    return undefined;
  };
  if (named) {
    for (const l of d.lines) {
      const t = target(l.pc, l.slots);
      if (t !== undefined && d.lines.some((x) => x.pc === t)) targets.add(t);
    }
  }
  const label = (pc: number): string => `L${pc}`;
  const out: string[] = [];
  let cLines = 0;
  let last = '';
  for (const l of d.lines) {
    const c = p.lines[l.pc];
    if (targets.has(l.pc)) {
      if (out.length) out.push('');
      out.push(`${label(l.pc)}:`);
      last = ''; // a label starts a block: its C line is said again
    }
    if (c) {
      cLines++;
      const key = `${c.file}:${c.line}`;
      if (key !== last) {
        last = key;
        if (out.length && !out[out.length - 1]?.endsWith(':')) out.push('');
        out.push(`${INDENT}# ${baseName(c.file)}:${c.line}: ${cText(c.text)}`);
      }
    }
    if (l.error || !l.insn) {
      out.push(`${INDENT}# pc ${l.pc}: ${l.error?.message ?? 'undecodable'}`);
      continue;
    }
    let text = l.text.replace(/\t/g, ' ');
    const insn = l.insn;
    if (named) {
      const t = target(l.pc, l.slots);
      if (insn.kind === 'call' && insn.target === 'kfunc' && insn.off === 0 && kfuncs.has(insn.imm)) text = `call ${kfuncs.get(insn.imm)}`;
      else if (insn.kind === 'call' && insn.target === 'helper' && helpers.has(insn.imm)) text = `call ${helpers.get(insn.imm)}`;
      else if (insn.kind === 'ldimm64' && insn.pseudo === 1 && insn.imm2 === 0 && maps[insn.imm]) text = `r${insn.dst} = ${maps[insn.imm]?.name} ll`;
      else if (t !== undefined && targets.has(t)) {
        if (insn.kind === 'call') text = `call ${label(t)}`;
        else if (insn.kind === 'ldimm64') text = `r${insn.dst} = ${label(t)} ll`;
        else text = text.replace(/(goto|gotol|may_goto) [+-]?(0x)?[0-9a-f]+$/, `$1 ${label(t)}`);
      }
    }
    out.push(`${INDENT}${text}`);
  }
  return { lines: out, cLines };
}

function render(name: string, o: OpenedObject, dialect: DialectName): { text: string; cLines: number } {
  const head = [
    `# ${name}: a clang-built BPF object, disassembled${dialect === 'ubpf' ? ' (numeric form)' : ''}.`,
    '# The C source line each group of instructions came from is the comment above it.',
  ];
  if (o.skipped.length) head.push(...o.skipped.map((s) => `# left out: section ${s}`));
  const body: string[] = [];
  if (o.license !== undefined) body.push(`.license ${JSON.stringify(o.license)}`);
  for (const m of o.maps) body.push(mapLine(m));
  let cLines = 0;
  for (const p of o.programs) {
    const r = programLines(p, o.maps, dialect);
    cLines += r.cLines;
    body.push('', `.section ${p.name}`, ...r.lines);
  }
  return { text: [...head, ...body].join('\n') + '\n', cLines };
}

/** Each program's slots that differ after assembling `text` again, in words. */
function compare(text: string, dialect: DialectName, o: OpenedObject): string[] {
  const r = assemble(text, { dialect, isa: 4 });
  const problems: string[] = [];
  if (!r.ok) {
    const first = r.diagnostics.find((x) => x.severity === 'error');
    problems.push(`the text does not assemble${first ? ` (line ${first.line}: ${first.message})` : ''}`);
    return problems;
  }
  for (const p of o.programs) {
    const s = r.sections.find((x) => x.name === p.name);
    if (!s) {
      problems.push(`${p.name}: missing after assembling`);
      continue;
    }
    if (s.bytes.length !== p.bytecode.length) {
      problems.push(`${p.name}: ${s.bytes.length / 8} slots instead of ${p.bytecode.length / 8}`);
      continue;
    }
    const bad: number[] = [];
    for (let i = 0; i < p.bytecode.length; i += 8) {
      for (let k = 0; k < 8; k++) {
        if (s.bytes[i + k] !== p.bytecode[i + k]) {
          bad.push(i / 8);
          break;
        }
      }
    }
    if (bad.length) problems.push(`${p.name}: instruction${bad.length > 1 ? 's' : ''} at pc ${bad.slice(0, 8).join(', ')}${bad.length > 8 ? ', …' : ''}`);
  }
  const want = o.maps.map(mapLine).join('\n');
  const got = r.maps.map(mapLine).join('\n');
  if (want !== got) problems.push('the maps differ');
  if (r.license !== o.license) problems.push('the license differs');
  return problems;
}

/** The object as assembly text, checked to assemble back to the same bytecode (the LLVM dialect unless it does not, or `dialect` asks for uBPF's). */
export function objectSource(name: string, o: OpenedObject, dialect?: DialectName): ObjectSource {
  if (dialect === 'ubpf') {
    const plain = render(name, o, 'ubpf');
    const plainProblems = compare(plain.text, 'ubpf', o);
    return { text: plain.text, dialect: 'ubpf', named: false, sameBytes: !plainProblems.length, mismatches: plainProblems, cLines: plain.cLines };
  }
  const named = render(name, o, 'llvm');
  const namedProblems = compare(named.text, 'llvm', o);
  if (!namedProblems.length) return { text: named.text, dialect: 'llvm', named: true, sameBytes: true, mismatches: [], cLines: named.cLines };
  const plain = render(name, o, 'ubpf');
  const plainProblems = compare(plain.text, 'ubpf', o);
  if (!plainProblems.length) return { text: plain.text, dialect: 'ubpf', named: false, sameBytes: true, mismatches: namedProblems, cLines: plain.cLines };
  return { text: named.text, dialect: 'llvm', named: true, sameBytes: false, mismatches: namedProblems, cLines: named.cLines };
}
