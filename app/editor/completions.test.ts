import { describe, expect, it } from 'vitest';
import { FUNCTION_DOCS } from '../../engine/asm/index.ts';
import { completionsAt, expectsName, labelsIn, toSnippet, wordBefore, type CompletionContext } from './completions.ts';

const at = (before: string, dialect: CompletionContext['dialect'] = 'llvm') =>
  completionsAt({ before, dialect, mapNames: ['counters', 'masks'], labels: ['out', 'loop'] });
const labels = (before: string, dialect: CompletionContext['dialect'] = 'llvm') => at(before, dialect).map((i) => i.label);

describe('completions', () => {
  it('takes the word before the cursor as Monaco does with our word pattern', () => {
    expect(wordBefore('  r1 = *(u32 *)(r2 + xdp_md.da')).toBe('xdp_md.da');
    expect(wordBefore('mov %r')).toBe('%r');
    expect(wordBefore('.sec')).toBe('.sec');
    expect(wordBefore('r1 = ')).toBe('');
  });

  it('turns registers and numbers of a form into snippet placeholders', () => {
    expect(toSnippet('r1 += 0x4')).toBe('${1:r1} += ${2:0x4}');
    expect(toSnippet('*(u32 *)(r10 - 0x8) = w1')).toBe('*(u32 *)(${1:r10} - ${2:0x8}) = ${3:w1}');
    expect(toSnippet('ldxw %r1, [%r2+8]')).toBe('ldxw ${1:%r1}, [${2:%r2}${3:+8}]');
  });

  it('offers LLVM forms at the start of a line, and what may follow a typed prefix', () => {
    const start = at('');
    expect(start.find((i) => i.label === 'r1 += 0x4')?.insertText).toBe('${1:r1} += ${2:0x4}');
    expect(start.some((i) => i.label === 'exit')).toBe(true);
    expect(start.some((i) => i.label.startsWith('ld_pseudo'))).toBe(false);
    expect(start.filter((i) => i.label === 'call')).toHaveLength(1);
    // After `r3 = `, the forms continue with the typed register carried in, plus map loads.
    const value = at('  r3 = ');
    expect(value.map((i) => i.label)).toEqual(expect.arrayContaining(['0x4', 'r2', '-r3', 'bswap64 r3', 'counters']));
    expect(value.find((i) => i.label === 'counters')?.insertText).toBe('counters ll');
    expect(labels('if w2 ')).toContain('s> w2 goto +0x3');
    expect(labels('lock ')).toContain('*(u64 *)(r10 - 0x8) += r1');
  });

  it('offers helpers, kfuncs and local functions after call', () => {
    const items = at('  call ');
    expect(items.filter((i) => i.kind === 'function')).toHaveLength(FUNCTION_DOCS.length);
    expect(items.find((i) => i.label === 'bpf_map_lookup_elem')?.documentation).toContain('void *bpf_map_lookup_elem');
    expect(items.map((i) => i.label)).toEqual(expect.arrayContaining(['out', 'loop']));
    expect(labels('call local ', 'ubpf')).toEqual(['out', 'loop']);
  });

  it('offers labels as jump targets', () => {
    expect(labels('if r1 > 5 goto ')).toEqual(expect.arrayContaining(['out', 'loop']));
    expect(labels('jeq %r1, 4, ', 'ubpf')).toEqual(expect.arrayContaining(['out', 'loop']));
    expect(labels('mov %r1, ', 'ubpf')).not.toContain('out');
  });

  it('offers ubpf mnemonics once each, and the rest of a multi-word mnemonic', () => {
    const start = at('', 'ubpf');
    expect(start.filter((i) => i.label === 'add')).toHaveLength(1);
    expect(start.find((i) => i.label === 'ldxw')?.insertText).toBe('ldxw ${1:%r1}, [${2:%r2}${3:+8}]');
    expect(labels('lock fetch ', 'ubpf')).toEqual(expect.arrayContaining(['add', 'xor32']));
    expect(labels('lddw %r1, ', 'ubpf')).toEqual(expect.arrayContaining(['counters', 'masks']));
    expect(labels('mov %', 'ubpf')).toEqual(expect.arrayContaining(['%r0', '%r10']));
  });

  it('offers fields after a struct name and directives after a dot', () => {
    expect(labels('  r2 = *(u32 *)(r1 + xdp_md.')).toEqual(['xdp_md.data', 'xdp_md.data_end', 'xdp_md.data_meta', 'xdp_md.ingress_ifindex', 'xdp_md.rx_queue_index', 'xdp_md.egress_ifindex']);
    expect(at('r2 = *(u32 *)(r1 + xdp_md.da').find((i) => i.label === 'xdp_md.data_end')?.detail).toBe('offset 4, 4 bytes');
    expect(labels('.')).toEqual(['.section', '.map', '.license']);
  });

  it('offers nothing inside a comment or a string', () => {
    expect(at('r0 = 1 # r')).toEqual([]);
    expect(at('.license "GP')).toEqual([]);
  });

  it('after a jump, offers the labels and nothing that would replace a typed target', () => {
    // `goto l` + Enter used to become `gotol +0x3`: the list offered at the line's start went on matching.
    expect(at('\tgoto l').map((i) => i.insertText)).toEqual(['out', 'loop']);
    expect(at('\tgotol ').every((i) => i.kind === 'label')).toBe(true);
    expect(at('\tif r1 > 5 goto l').every((i) => i.kind === 'label')).toBe(true);
    expect(at('\tgoto +1')).toEqual([]);
    expect(at('jeq %r1, 4, +', 'ubpf')).toEqual([]);
    // Without labels, the offset template is the hint.
    expect(completionsAt({ before: 'goto ', dialect: 'llvm', mapNames: [], labels: [] }).map((i) => i.label)).toEqual(['+0x3']);
  });

  it('says where a name comes next, so the editor asks afresh there', () => {
    for (const before of ['\tgoto ', 'gotol ', 'if r1 > 5 goto ', 'call ']) expect(expectsName(before, 'llvm'), before).toBe(true);
    for (const before of ['jeq %r1, 4, ', 'ja ', 'call local ', 'call ']) expect(expectsName(before, 'ubpf'), before).toBe(true);
    for (const before of ['r0 ', 'r0 = ', 'exit ', 'goto +1 ']) expect(expectsName(before, 'llvm'), before).toBe(false);
  });

  it('finds the labels a document defines', () => {
    expect(labelsIn('start: r0 = 0\n/* no: */\n  .Ltmp0 :\nloop:\n# x:\n')).toEqual(['start', '.Ltmp0', 'loop']);
  });
});
