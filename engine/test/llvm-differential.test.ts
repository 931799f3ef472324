// Differential test of the LLVM dialect against LLVM itself. A corpus covering every form of
// the ISA table (in several spellings, plus label jumps and calls) is assembled by llvm-mc-19
// and by our assembler: the bytes must match instruction by instruction. Then llvm-objdump-19
// disassembles llvm-mc's object, and a `.byte` object of every corpus encoding (also those
// LLVM's text cannot say), and our formatter must print the same text line by line.

import { beforeAll, describe, expect, it } from 'vitest';
import { assemble } from '../asm/assembler.ts';
import { formatLlvm, formatRoundTrips, hex } from '../asm/llvm-format.ts';
import { decodeProgram, encodeProgram, FORMS, formOf, slotCount, SLOT_BYTES, type Insn } from '../isa/index.ts';
import { formCorpus } from './form-corpus.ts';
import { findLlvmTools, llvmMc, llvmObjdump, textSection, type LlvmTools } from './oracle/llvm.ts';

const found = findLlvmTools();
const SKIP = found.ok ? '' : `skipped: ${found.missing} not found`;
if (!found.ok) console.log(SKIP);

function tools(): LlvmTools {
  if (!found.ok) throw new Error(SKIP);
  return found.tools;
}

/** llvm-mc takes numeric gotol targets only as 16-bit values (BPFAsmParser's isBrTarget). */
function llvmMcTakes(insn: Insn): boolean {
  if (insn.kind === 'ja' && insn.long && (insn.off < -0x8000 || insn.off > 0x7fff)) return false;
  return formatRoundTrips(insn);
}

// ---- spellings: objdump's text, rewritten the ways llvm-mc also accepts -------------------

type Spelling = (text: string, insn: Insn) => string;

/** The 32-bit immediate an instruction prints, if it has one. */
function imm32(insn: Insn): number | undefined {
  if ((insn.kind === 'alu' || insn.kind === 'jcond' || insn.kind === 'store') && insn.src.type === 'imm') return insn.src.imm;
  if (insn.kind === 'call' || (insn.kind === 'ldpkt' && insn.mode === 'abs')) return insn.imm;
  return undefined;
}

const SPELLINGS: readonly Spelling[] = [
  (t) => t,
  // Decimal numbers, and jump offsets without their `+`.
  (t) => t.replace(/(-?)0x([0-9a-f]+)/g, (_, sign: string, h: string) => `${sign}${BigInt(`0x${h}`)}`).replace(/goto(l?) \+/, 'goto$1 '),
  // No spaces around punctuation: `*(u64*)(r10-0x8)=r1`, `if r1 s>0x10 goto-0x3`.
  (t) => t.replace(/ ?([=+\-*/%|&^<>(),![\]]+) ?/g, '$1'),
  // Operators spread over several tokens: `r1 s >> = 3`, `if r1 > = r2`, `if r1 = = r2`.
  (t) => t.replace(/ (s?)(<<|>>|[-+*/%|&^<>=])= /, (_, s: string, op: string) => ` ${s ? 's ' : ''}${op} = `),
  // The first word in upper case (BPFAsmParser folds only that one).
  (t) => t.replace(/^\w+/, (w) => w.toUpperCase()),
  // Negative immediates written unsigned, as C compilers print them.
  (t, insn) => {
    const imm = imm32(insn);
    if (imm !== undefined && imm < 0) return t.replace(hex(imm), String(imm >>> 0));
    if (insn.kind === 'ldimm64' && insn.pseudo === 0) return t.replace(/^(\w+ = )-0x([0-9a-f]+)/, (_, lhs: string, h: string) => `${lhs}${2n ** 64n - BigInt(`0x${h}`)}`);
    if (insn.kind === 'ldimm64') return t.replace(/, 0x[0-9a-f]+$/, `, ${insn.imm}`);
    return t;
  },
  // Binary and octal literals.
  (t) => t.replace(/\b0x([0-9a-f]+)/g, (_, h: string) => `0b${BigInt(`0x${h}`).toString(2)}`),
  (t) => t.replace(/\b0x([0-9a-f]+)/g, (_, h: string) => `0${BigInt(`0x${h}`).toString(8)}`),
  // r registers where objdump prints w: zero-extending loads, narrow stores, the 32-bit lock add.
  (t, insn) => {
    if (insn.kind === 'load' && !insn.signExtend) return t.replace(/^w/, 'r');
    if ((insn.kind === 'store' && insn.src.type === 'reg') || (insn.kind === 'atomic' && insn.op === 'add' && !insn.fetch)) return t.replace(/w(\d+)$/, 'r$1');
    return t;
  },
];

// ---- the corpus -----------------------------------------------------------------------------

interface Statement {
  readonly text: string;
  readonly slot: number;
  readonly form: string;
}

const COND_OPS = ['==', '!=', '>', '>=', '<', '<=', 's>', 's>=', 's<', 's<=', '&'];

/** Jumps and calls by label, forward and backward, the way compilers write them. */
function labelBlock(statements: Statement[], start: number): string[] {
  const lines: string[] = [];
  const n = 48;
  for (let k = 0; k < n; k++) {
    const target = `.Ltarget${(k * 17 + 5) % n}`;
    const a = k % 11;
    const b = (k * 3 + 1) % 11;
    const op = COND_OPS[k % COND_OPS.length] ?? '==';
    const choices: [string, string][] = [
      [`call ${target}`, 'call_local'],
      [`goto ${target}`, 'ja'],
      [`gotol ${target}`, 'ja32'],
      [`if r${a} ${op} r${b} goto ${target}`, 'jcond'],
      [`if w${a} ${op} ${k - 20} goto ${target}`, 'jcond32'],
      [`may_goto ${target}`, 'may_goto'],
    ];
    const [text, form] = choices[k % choices.length] ?? ['exit', 'exit'];
    lines.push(`.Ltarget${k}:`, `  ${text}`);
    statements.push({ text, slot: start + k, form });
  }
  return lines;
}

interface Corpus {
  readonly source: string;
  readonly statements: readonly Statement[];
  readonly slots: number;
  /** Every instance, also those LLVM's text cannot say, for the `.byte` comparison. */
  readonly all: readonly Insn[];
  readonly forms: ReadonlySet<string>;
}

function buildCorpus(): Corpus {
  const statements: Statement[] = [];
  const lines: string[] = [];
  const all: Insn[] = [];
  const forms = new Set<string>();
  let slot = 0;
  let n = 0;
  for (const { form, insns } of formCorpus()) {
    for (const insn of insns) {
      all.push(insn);
      if (!llvmMcTakes(insn)) continue;
      const spelling = SPELLINGS[n++ % SPELLINGS.length] ?? ((t: string) => t);
      const text = spelling(formatLlvm(insn), insn);
      lines.push(`  ${text}`);
      statements.push({ text, slot, form: form.id });
      forms.add(form.id);
      slot += slotCount(insn);
    }
  }
  lines.push(...labelBlock(statements, slot));
  forms.add('call_local');
  return { source: `${lines.join('\n')}\n`, statements, slots: slot + 48, all, forms };
}

// ---- the tests ------------------------------------------------------------------------------

function hexBytes(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
}

describe.skipIf(!found.ok)(found.ok ? 'LLVM differential (llvm-mc-19, llvm-objdump-19)' : SKIP, () => {
  let corpus: Corpus;
  let ours: Uint8Array;
  let theirs: Uint8Array;
  let theirObject: Uint8Array;

  beforeAll(() => {
    corpus = buildCorpus();
    const mc = llvmMc(tools(), corpus.source);
    if (!mc.ok) throw new Error(`llvm-mc rejected the corpus:\n${mc.error.slice(0, 4000)}`);
    theirObject = mc.object;
    theirs = textSection(mc.object);
    const result = assemble(corpus.source, { dialect: 'llvm' });
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new Error(`our assembler rejected the corpus:\n${errors.slice(0, 20).map((d) => `${d.line}:${d.col}: ${d.message}`).join('\n')}`);
    ours = result.sections[0]?.bytes ?? new Uint8Array();
  });

  it('covers every form of the ISA table', () => {
    const missing = FORMS.map((f) => f.id).filter((id) => !corpus.forms.has(id) && id !== 'call_kfunc');
    expect(missing).toEqual([]);
    expect(new Set(corpus.all.map((i) => formOf(i)?.id)).size).toBe(FORMS.length);
  });

  it('assembles like llvm-mc, instruction by instruction', () => {
    expect(ours.length).toBe(corpus.slots * SLOT_BYTES);
    expect(theirs.length).toBe(ours.length);
    const differences: string[] = [];
    const ends = [...corpus.statements.map((s) => s.slot).slice(1), corpus.slots];
    corpus.statements.forEach((s, k) => {
      const a = ours.subarray(s.slot * SLOT_BYTES, (ends[k] ?? s.slot + 1) * SLOT_BYTES);
      const b = theirs.subarray(s.slot * SLOT_BYTES, (ends[k] ?? s.slot + 1) * SLOT_BYTES);
      if (hexBytes(a) !== hexBytes(b)) differences.push(`${s.form} '${s.text}': ours ${hexBytes(a)}, llvm-mc ${hexBytes(b)}`);
    });
    console.log(`llvm differential: ${corpus.forms.size} forms, ${corpus.statements.length} instructions assembled, ${differences.length} byte differences`);
    expect(differences.slice(0, 20)).toEqual([]);
  });

  it('prints llvm-mc output like llvm-objdump, line by line', () => {
    const listing = llvmObjdump(tools(), theirObject);
    const decoded = decodeProgram(ours);
    const differences: string[] = [];
    for (const line of listing) {
      const insn = decoded.insns[line.pc];
      const text = insn ? formatLlvm(insn) : '<undecodable>';
      if (text !== line.text) differences.push(`pc ${line.pc} (${hexBytes(line.bytes)}): ours '${text}', objdump '${line.text}'`);
    }
    expect(listing.length).toBe(corpus.statements.length);
    console.log(`llvm differential: ${listing.length} lines of objdump text compared, ${differences.length} differences`);
    expect(differences.slice(0, 20)).toEqual([]);
  });

  it('prints every corpus encoding like llvm-objdump, also those its text cannot say', () => {
    const bytes = encodeProgram(corpus.all);
    const lines = [];
    for (let o = 0; o < bytes.length; o += 32) lines.push(`  .byte ${[...bytes.subarray(o, o + 32)].join(', ')}`);
    const mc = llvmMc(tools(), `${lines.join('\n')}\n`);
    if (!mc.ok) throw new Error(mc.error);
    const listing = llvmObjdump(tools(), mc.object);
    expect(listing.length).toBe(corpus.all.length);
    const differences: string[] = [];
    listing.forEach((line, k) => {
      const insn = corpus.all[k];
      const text = insn ? formatLlvm(insn) : '<missing>';
      if (text !== line.text) differences.push(`${insn ? formOf(insn)?.id : '?'} (${hexBytes(line.bytes)}): ours '${text}', objdump '${line.text}'`);
    });
    console.log(`llvm differential: ${FORMS.length} forms, ${listing.length} encodings printed by objdump, ${differences.length} differences`);
    expect(differences.slice(0, 20)).toEqual([]);
  });
});
