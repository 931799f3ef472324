// Assembly text for the two dialects: programs built from line templates (most of them
// assemble, so the loader and the run see them), word soup from the dialect's vocabulary, and
// mutations of the real programs — the examples and the bpf_conformance suite.

import { kernelSymbols } from '../../../asm/index.ts';
import { FORMS } from '../../../isa/index.ts';
import { MAP_TYPES } from '../../../program/program.ts';
import type { Rng } from '../case.ts';
import { conformanceCorpus, exampleCorpus } from '../corpus.ts';
import { EDGE_NUMBERS, mutateLines, mutateText, PROTO_NAMES } from '../mutate.ts';

export type Dialect = 'llvm' | 'ubpf';

const HELPERS = kernelSymbols.helperNames();
const KFUNCS = kernelSymbols.kfuncNames();
const FIELDS = ['xdp_md.data', 'xdp_md.data_end', 'xdp_md.data_meta', 'xdp_md.rx_queue_index', '__sk_buff.len', 'task_struct.pid', 'task_struct.cpus_ptr', 'task_struct.nope', 'nope.field', 'xdp_md.__proto__', '__proto__.data'];
export const SECTIONS = ['xdp', 'tc', 'syscall', 'socket', 'raw', 'tp_btf/task_newtask', 'tp_btf/cgroup_mkdir', 'xdp/peer', 'xdp.frags', 'tp_btf/nope', 'classifier', 'text', 'foo'];
const LABELS = ['L0', 'L1', 'L2', 'out', 'loop', 'fn', 'cb'];
const MAP_NAMES = ['m', 'counts', 'jumps', 'per', 'xsk', 'cpumask_map'];
const KPTR_TYPES = ['bpf_cpumask', 'task_struct', 'cgroup', 'nope'];
const UBPF_MNEMONICS = [...new Set(FORMS.map((f) => f.mnemonic))];

const SIZES = ['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32'];
const ALU = ['+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=', 's>>=', '=', 's/=', 's%='];
const CMP = ['==', '!=', '>', '>=', '<', '<=', 's>', 's>=', 's<', 's<=', '&'];

function name(rng: Rng, pool: readonly string[]): string {
  const r = rng.below(20);
  if (r < 2) return rng.pick(PROTO_NAMES);
  if (r < 3) return `n${rng.below(1000)}`;
  return rng.pick(pool);
}

function imm(rng: Rng): string {
  const r = rng.below(12);
  if (r < 5) return String(rng.below(16));
  if (r < 7) return String(rng.pick(EDGE_NUMBERS.filter(Number.isInteger)));
  if (r < 8) return `0x${rng.u32().toString(16)}`;
  if (r < 9) return `-${rng.below(1 << rng.below(32))}`;
  if (r < 10) return rng.pick(FIELDS);
  if (r < 11) return rng.pick(['0xffffffffffffffff', '99999999999999999999', '0b101', "'a'", '1e5', '08', '0x']);
  return String(rng.i32());
}

function off(rng: Rng): string {
  const v = rng.chance(0.8) ? rng.below(64) * rng.pick([1, 2, 4, 8]) : rng.pick([32767, 32768, 65536, 512]);
  return rng.chance(0.4) ? ` - ${v || 8}` : ` + ${v}`;
}

function reg(rng: Rng, width: 'r' | 'w' = 'r'): string {
  return `${width}${rng.chance(0.97) ? rng.below(11) : rng.pick([11, 12, 99])}`;
}

function mapDecl(rng: Rng, dialectName: string = name(rng, MAP_NAMES)): string {
  const type = rng.chance(0.9) ? rng.pick(MAP_TYPES) : rng.pick(['queue', 'nope', '__proto__']);
  const key = rng.pick([0, 1, 4, 4, 4, 8, 16, 64, 512, 4096]);
  const value = rng.pick([0, 1, 4, 8, 8, 16, 64, 512, 4096, 65536]);
  const max = rng.pick([0, 1, 2, 4, 16, 64, 256, 4096, 65536, 4294967295, 4294967296]);
  let line = `.map ${dialectName} type=${type} key=${key} value=${value} max_entries=${max}`;
  if (rng.chance(0.15)) line += ` kptr=${rng.pick([0, 8, 4, 1000])}:${rng.pick(KPTR_TYPES)}`;
  if (rng.chance(0.1)) line += ` flags=${rng.pick([0, 1, 2, 4, 0x400, 0xffffffff])}`;
  if (rng.chance(0.05)) line += ` ${rng.pick(['foo=1', 'key=4', 'type=hash', '=', 'max_entries'])}`;
  return line;
}

/** One instruction or directive line of the LLVM dialect. */
export function llvmLine(rng: Rng): string {
  switch (rng.below(22)) {
    case 0:
    case 1:
      return `\t${reg(rng)} = ${imm(rng)}`;
    case 2:
    case 3:
      return `\t${reg(rng)} ${rng.pick(ALU)} ${rng.chance(0.5) ? reg(rng) : imm(rng)}`;
    case 4:
      return `\t${reg(rng, 'w')} ${rng.pick(ALU)} ${rng.chance(0.5) ? reg(rng, 'w') : imm(rng)}`;
    case 5:
      return `\t${reg(rng)} = *(${rng.pick(SIZES)} *)(${reg(rng)}${off(rng)})`;
    case 6:
      return `\t*(${rng.pick(SIZES)} *)(${reg(rng)}${off(rng)}) = ${rng.chance(0.6) ? reg(rng) : imm(rng)}`;
    case 7:
    case 8:
      return `\tif ${reg(rng)} ${rng.pick(CMP)} ${rng.chance(0.5) ? reg(rng) : imm(rng)} goto ${rng.chance(0.8) ? name(rng, LABELS) : `+${rng.below(8)}`}`;
    case 9:
      return `\tgoto${rng.chance(0.1) ? 'l' : ''} ${rng.chance(0.8) ? name(rng, LABELS) : `${rng.chance(0.5) ? '+' : '-'}${rng.below(8)}`}`;
    case 10:
    case 11:
      return `\tcall ${rng.chance(0.45) ? name(rng, HELPERS) : rng.chance(0.6) ? name(rng, KFUNCS) : rng.chance(0.5) ? name(rng, LABELS) : String(rng.below(220))}`;
    case 12:
      return '\texit';
    case 13:
      return `${name(rng, LABELS)}:`;
    case 14:
      return `\t${reg(rng)} = ${name(rng, rng.chance(0.7) ? MAP_NAMES : LABELS)} ll`;
    case 15:
      return `\tlock *(${rng.pick(['u32', 'u64'])} *)(${reg(rng)}${off(rng)}) ${rng.pick(['+=', '|=', '&=', '^='])} ${reg(rng)}`;
    case 16:
      return `\t${reg(rng)} = ${rng.pick(['bswap16', 'bswap32', 'bswap64', 'be16', 'be32', 'be64', 'le16', 'le32', 'le64'])} ${reg(rng)}`;
    case 17:
      return `\t${reg(rng)} = (${rng.pick(['s8', 's16', 's32'])})${reg(rng)}`;
    case 18:
      return `.section ${name(rng, SECTIONS)}`;
    case 19:
      return mapDecl(rng);
    case 20:
      return `.license "${rng.pick(['GPL', 'MIT', 'Dual BSD/GPL', '', 'GPL v2', '__proto__'])}"`;
    default:
      return `\t${reg(rng)} = ${rng.chance(0.5) ? '-' : ''}${reg(rng)}`;
  }
}

/** One instruction or directive line of the ubpf dialect. */
export function ubpfLine(rng: Rng): string {
  const r = (): string => `%r${rng.chance(0.97) ? rng.below(11) : rng.pick([11, 16])}`;
  const mem = (): string => `[${r()}${rng.chance(0.5) ? '+' : '-'}${rng.below(64)}]`;
  const target = (): string => (rng.chance(0.6) ? name(rng, LABELS) : `${rng.chance(0.7) ? '+' : '-'}${rng.below(8)}`);
  switch (rng.below(16)) {
    case 0:
    case 1:
    case 2:
      return `${rng.pick(['mov', 'add', 'sub', 'mul', 'div', 'mod', 'and', 'or', 'xor', 'lsh', 'rsh', 'arsh', 'sdiv', 'smod'])}${rng.chance(0.4) ? '32' : ''} ${r()}, ${rng.chance(0.5) ? r() : imm(rng)}`;
    case 3:
      return `${rng.pick(['ldxb', 'ldxh', 'ldxw', 'ldxdw', 'ldxsb', 'ldxsh', 'ldxsw'])} ${r()}, ${mem()}`;
    case 4:
      return `${rng.pick(['stxb', 'stxh', 'stxw', 'stxdw'])} ${mem()}, ${r()}`;
    case 5:
      return `${rng.pick(['stb', 'sth', 'stw', 'stdw'])} ${mem()}, ${imm(rng)}`;
    case 6:
    case 7:
      return `${rng.pick(['jeq', 'jne', 'jgt', 'jge', 'jlt', 'jle', 'jsgt', 'jsge', 'jslt', 'jsle', 'jset'])}${rng.chance(0.2) ? '32' : ''} ${r()}, ${rng.chance(0.5) ? r() : imm(rng)}, ${target()}`;
    case 8:
      return `ja ${target()}`;
    case 9:
      return `call ${rng.chance(0.5) ? name(rng, HELPERS) : rng.chance(0.5) ? name(rng, KFUNCS) : String(rng.below(220))}`;
    case 10:
      return 'exit';
    case 11:
      return `${name(rng, LABELS)}:`;
    case 12:
      return `lddw ${r()}, ${rng.chance(0.7) ? imm(rng) : name(rng, MAP_NAMES)}`;
    case 13:
      return `lock ${rng.chance(0.5) ? 'fetch ' : ''}${rng.pick(['add', 'or', 'and', 'xor', 'xchg', 'cmpxchg'])}${rng.chance(0.5) ? '32' : ''} ${mem()}, ${r()}`;
    case 14:
      return `${rng.pick(['be16', 'be32', 'be64', 'le16', 'le32', 'le64', 'neg', 'neg32'])} ${r()}`;
    default:
      return rng.chance(0.5) ? mapDecl(rng) : `.section ${name(rng, SECTIONS)}`;
  }
}

/** A whole program: a section, maps, a body of template lines, an exit; sometimes a function after it. */
function structured(rng: Rng, dialect: Dialect): string {
  const line = dialect === 'llvm' ? llvmLine : ubpfLine;
  const lines: string[] = [];
  if (rng.chance(0.7)) lines.push(`.section ${rng.chance(0.85) ? rng.pick(SECTIONS.slice(0, 7)) : name(rng, SECTIONS)}`);
  if (rng.chance(0.3)) lines.push('.license "GPL"');
  const maps = rng.below(3);
  for (let i = 0; i < maps; i++) lines.push(mapDecl(rng, rng.chance(0.8) ? (MAP_NAMES[i] ?? 'm') : name(rng, MAP_NAMES)));
  const body = rng.below(14);
  for (let i = 0; i < body; i++) lines.push(line(rng));
  lines.push(dialect === 'llvm' ? '\tr0 = 0' : 'mov %r0, 0', dialect === 'llvm' ? '\texit' : 'exit');
  if (rng.chance(0.2)) lines.push(`${rng.pick(LABELS)}:`, ...Array.from({ length: rng.below(4) }, () => line(rng)), dialect === 'llvm' ? '\texit' : 'exit');
  return lines.join('\n');
}

const LLVM_WORDS = ['r0', 'r1', 'r10', 'w3', 'r11', '=', '+=', 's>>=', '*', '(', ')', ',', ':', '+', '-', 'if', 'goto', 'gotol', 'call', 'exit', 'lock', 'll', 'u8', 'u64', 's32', '*(u32 *)', '(r1 + 8)', 'be16', 'bswap64', '.section', '.map', '.license', 'xdp', 'type=array', 'key=4', 'value=8', 'max_entries=0', 'kptr=3:x', '"GPL"', '"', '/*', '*/', '#', ';', '//', '\t', '\u00e9', '\\', '@', '`'];
const UBPF_WORDS = ['%r0', '%r1', '%r10', '%r16', ',', '[', ']', '+', '-', ':', 'exit', 'call', 'lock', 'fetch', '.section', '.map', 'xdp', '#', ';', '\t', '0x', '-1', ...UBPF_MNEMONICS.slice(0, 40)];

function soup(rng: Rng, dialect: Dialect): string {
  const words = dialect === 'llvm' ? LLVM_WORDS : UBPF_WORDS;
  const lines: string[] = [];
  const n = rng.below(8);
  for (let l = 0; l < n; l++) {
    const k = rng.below(9);
    const ws: string[] = [];
    for (let i = 0; i < k; i++) ws.push(rng.chance(0.15) ? rng.pick(PROTO_NAMES) : rng.chance(0.1) ? imm(rng) : rng.pick(words));
    lines.push(ws.join(rng.chance(0.8) ? ' ' : ''));
  }
  return lines.join(rng.chance(0.9) ? '\n' : '\r\n');
}

/** A source of `dialect`: a built program, word soup, or a real program mutated. */
export function assemblyText(rng: Rng, dialect: Dialect): string {
  const r = rng.below(10);
  if (r < 4) return structured(rng, dialect);
  if (r < 5) return soup(rng, dialect);
  const real = realPrograms(dialect);
  const base = rng.pick(real);
  const line = dialect === 'llvm' ? llvmLine : ubpfLine;
  let text = rng.chance(0.6) ? mutateLines(rng, base, line) : base;
  if (rng.chance(0.6)) text = mutateText(rng, text, 1 + rng.below(3), dialect === 'llvm' ? LLVM_WORDS : UBPF_WORDS);
  return text;
}

function realPrograms(dialect: Dialect): readonly string[] {
  const examples = exampleCorpus()
    .filter((e) => e.dialect === dialect)
    .map((e) => e.text);
  if (dialect === 'llvm') return examples;
  return [...examples, ...conformanceCorpus().map((c) => c.asm)];
}
