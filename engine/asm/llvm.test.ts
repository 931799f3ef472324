// Unit tests of the LLVM dialect: parsing and printing per instruction group, error messages
// and where they point, the round trip over every form, and agreement with the ubpf dialect.

import { describe, expect, it } from 'vitest';
import { encodeProgram, FORMS, type Insn } from '../isa/index.ts';
import { formInstances } from '../test/form-corpus.ts';
import { assemble } from './assembler.ts';
import { Cursor, type ParseContext } from './cursor.ts';
import { disassemble } from './disassembler.ts';
import { tokenizeLine } from './lexer.ts';
import { llvmDialect } from './llvm.ts';
import { formatRoundTrips } from './llvm-format.ts';
import { kernelSymbols } from './symbols.ts';
import { ubpfDialect } from './ubpf.ts';

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** The bytes of `text` in the LLVM dialect; fails the test on any diagnostic. */
function bytes(text: string): string {
  const r = assemble(text, { dialect: 'llvm' });
  expect(r.diagnostics).toEqual([]);
  return hex(r.sections[0]?.bytes ?? new Uint8Array());
}

/** The single instruction `text` assembles to. */
function insn(text: string): Insn | null | undefined {
  const r = assemble(text, { dialect: 'llvm' });
  expect(r.diagnostics).toEqual([]);
  return r.sections[0]?.insns[0];
}

function errors(text: string): { col: number; endCol: number; message: string }[] {
  const r = assemble(text, { dialect: 'llvm' });
  return r.diagnostics.filter((d) => d.severity === 'error').map(({ col, endCol, message }) => ({ col, endCol, message }));
}

/** One error at `col..endCol` whose message contains every part. */
function expectError(text: string, col: number, endCol: number, ...parts: string[]): void {
  const e = errors(text);
  expect(e).toHaveLength(1);
  expect(e[0]).toMatchObject({ col, endCol });
  for (const p of parts) expect(e[0]?.message).toContain(p);
}

const fmt = (i: Insn): string => llvmDialect.format(i, { pc: 0 });

describe('ALU', () => {
  it('parses every operator in both widths', () => {
    expect(insn('r0 = 1')).toEqual({ kind: 'alu', width: 64, op: 'mov', dst: 0, src: { type: 'imm', imm: 1 } });
    expect(insn('w1 += w2')).toEqual({ kind: 'alu', width: 32, op: 'add', dst: 1, src: { type: 'reg', reg: 2 } });
    expect(insn('r1 s/= r2')).toMatchObject({ op: 'sdiv', width: 64 });
    expect(insn('w1 s%= 3')).toMatchObject({ op: 'smod', width: 32, src: { type: 'imm', imm: 3 } });
    expect(insn('r1 s>>= 3')).toMatchObject({ op: 'arsh' });
    expect(insn('r1 <<= r2')).toMatchObject({ op: 'lsh' });
    expect(insn('r1 ^= -1')).toMatchObject({ op: 'xor', src: { type: 'imm', imm: -1 } });
  });
  it('ignores spacing and case of the first word, like llvm-mc', () => {
    const same = bytes('r1 += r2');
    for (const t of ['r1+=r2', 'r1 + = r2', 'R1 += r2', '  r1   +=   r2  ']) expect(bytes(t)).toBe(same);
    expect(bytes('r1 s >> = 3')).toBe(bytes('r1 s>>= 3'));
  });
  it('reads decimal, hex, binary, octal, character and unsigned immediates', () => {
    const three = bytes('r1 = 3');
    for (const t of ['r1 = 0x3', 'r1 = 0b11', 'r1 = 03', 'r1 = +3', 'r1 = 0X3']) expect(bytes(t)).toBe(three);
    expect(insn("r1 = 'a'")).toMatchObject({ src: { imm: 97 } });
    expect(bytes('r1 = 4294967295')).toBe(bytes('r1 = -1'));
  });
  it('refuses a leading-0 literal with 8 or 9 in it, as llvm-mc does (it is octal)', () => {
    const r = assemble('r0 = 089\nexit\n');
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]).toMatchObject({ line: 1, message: "'089' is not a number: a leading 0 makes it octal, and 8 and 9 are not octal digits" });
    expect(bytes('r1 = 010')).toBe(bytes('r1 = 8'));
  });
  it('prints like objdump', () => {
    expect(fmt({ kind: 'alu', width: 64, op: 'mov', dst: 0, src: { type: 'imm', imm: 1 } })).toBe('r0 = 0x1');
    expect(fmt({ kind: 'alu', width: 32, op: 'add', dst: 1, src: { type: 'imm', imm: -1 } })).toBe('w1 += -0x1');
    expect(fmt({ kind: 'alu', width: 64, op: 'sdiv', dst: 1, src: { type: 'reg', reg: 2 } })).toBe('r1 s/= r2');
    expect(fmt({ kind: 'alu', width: 32, op: 'smod', dst: 1, src: { type: 'imm', imm: 3 } })).toBe('w1 s%= 0x3');
    expect(fmt({ kind: 'alu', width: 64, op: 'mov', dst: 1, src: { type: 'imm', imm: -0x80000000 } })).toBe('r1 = -0x80000000');
  });
});

describe('neg, movsx and byte swaps', () => {
  it('parses and prints them', () => {
    expect(insn('r1 = -r1')).toEqual({ kind: 'neg', width: 64, dst: 1 });
    expect(insn('w1 = - w1')).toEqual({ kind: 'neg', width: 32, dst: 1 });
    expect(insn('r1 = (s8)r2')).toEqual({ kind: 'movsx', width: 64, bits: 8, dst: 1, src: 2 });
    expect(insn('w1 = ( s16 ) w2')).toEqual({ kind: 'movsx', width: 32, bits: 16, dst: 1, src: 2 });
    expect(insn('r1 = be16 r1')).toEqual({ kind: 'end', order: 'be', bits: 16, dst: 1 });
    expect(insn('r3 = bswap64 r3')).toEqual({ kind: 'end', order: 'bswap', bits: 64, dst: 3 });
    expect(fmt({ kind: 'neg', width: 64, dst: 1 })).toBe('r1 = -r1');
    expect(fmt({ kind: 'movsx', width: 32, bits: 16, dst: 1, src: 2 })).toBe('w1 = (s16)w2');
    expect(fmt({ kind: 'end', order: 'le', bits: 32, dst: 4 })).toBe('r4 = le32 r4');
  });
});

describe('64-bit immediates', () => {
  it('parses ll and ld_pseudo', () => {
    expect(insn('r1 = 0x1234 ll')).toEqual({ kind: 'ldimm64', dst: 1, pseudo: 0, imm: 0x1234, imm2: 0 });
    expect(bytes('r1 = 18446744073709551615 ll')).toBe(bytes('r1 = -1 ll'));
    expect(insn('r1 = -9223372036854775808 ll')).toMatchObject({ imm: 0, imm2: -0x80000000 });
    expect(insn('ld_pseudo r1, 1, 5')).toEqual({ kind: 'ldimm64', dst: 1, pseudo: 1, imm: 5, imm2: 0 });
    expect(insn('ld_pseudo r1, 0, 5')).toEqual({ kind: 'ldimm64', dst: 1, pseudo: 0, imm: 5, imm2: 0 });
  });
  it('loads a declared map by name', () => {
    const r = assemble('.map counts type=array key=4 value=8 max_entries=4\n r1 = counts ll\n exit', { dialect: 'llvm' });
    expect(r.diagnostics).toEqual([]);
    expect(r.sections[0]?.insns[0]).toEqual({ kind: 'ldimm64', dst: 1, pseudo: 1, imm: 0, imm2: 0 });
    expect(r.sections[0]?.relocations).toEqual([{ kind: 'map', pc: 0, map: 'counts' }]);
  });
  it('prints like objdump', () => {
    expect(fmt({ kind: 'ldimm64', dst: 1, pseudo: 0, imm: 0, imm2: -0x80000000 })).toBe('r1 = -0x8000000000000000 ll');
    expect(fmt({ kind: 'ldimm64', dst: 1, pseudo: 0, imm: -1, imm2: 0 })).toBe('r1 = 0xffffffff ll');
    expect(fmt({ kind: 'ldimm64', dst: 1, pseudo: 1, imm: 5, imm2: 9 })).toBe('ld_pseudo\tr1, 0x1, 0x5');
    expect(fmt({ kind: 'ldimm64', dst: 2, pseudo: 6, imm: -1, imm2: 0 })).toBe('ld_pseudo\tr2, 0x6, 0xffffffff');
  });
});

describe('loads and stores', () => {
  it('parses every access type; r and w name the same narrow load and store', () => {
    expect(insn('r1 = *(u64 *)(r2 + 8)')).toEqual({ kind: 'load', size: 8, signExtend: false, dst: 1, base: 2, off: 8 });
    expect(bytes('r1 = *(u32 *)(r2 - 8)')).toBe(bytes('w1 = *(u32 *)(r2 - 8)'));
    expect(insn('r1 = *(s8 *)(r2 + 0)')).toMatchObject({ size: 1, signExtend: true });
    expect(bytes('*(u32 *)(r10 - 8) = r1')).toBe(bytes('*(u32 *)(r10 - 8) = w1'));
    expect(insn('*(u64 *)(r10 - 8) = 1')).toEqual({ kind: 'store', size: 8, base: 10, off: -8, src: { type: 'imm', imm: 1 } });
    expect(bytes('*(u64*)(r2+8)=r1')).toBe(bytes('*(u64 *)(r2 + 8) = r1'));
    expect(insn('r1 = *(u64 *)(r2 - 32768)')).toMatchObject({ off: -32768 });
  });
  it('takes STRUCT.FIELD offsets and immediates', () => {
    expect(insn('r2 = *(u32 *)(r1 + xdp_md.data_end)')).toMatchObject({ size: 4, base: 1, off: 4 });
    expect(insn('r2 = xdp_md.data_end')).toMatchObject({ kind: 'alu', src: { type: 'imm', imm: 4 } });
  });
  it('prints like objdump', () => {
    expect(fmt({ kind: 'load', size: 8, signExtend: false, dst: 1, base: 2, off: 8 })).toBe('r1 = *(u64 *)(r2 + 0x8)');
    expect(fmt({ kind: 'load', size: 4, signExtend: false, dst: 1, base: 2, off: -8 })).toBe('w1 = *(u32 *)(r2 - 0x8)');
    expect(fmt({ kind: 'load', size: 1, signExtend: true, dst: 1, base: 2, off: 0 })).toBe('r1 = *(s8 *)(r2 + 0x0)');
    expect(fmt({ kind: 'store', size: 4, base: 10, off: -8, src: { type: 'reg', reg: 1 } })).toBe('*(u32 *)(r10 - 0x8) = w1');
    expect(fmt({ kind: 'store', size: 8, base: 10, off: -0x8000, src: { type: 'imm', imm: 1 } })).toBe('*(u64 *)(r10 - 0x8000) = 0x1');
  });
  it('parses legacy packet loads', () => {
    expect(insn('r0 = *(u8 *)skb[1]')).toEqual({ kind: 'ldpkt', mode: 'abs', size: 1, src: 0, imm: 1 });
    expect(insn('r0 = *(u16 *)skb[r1]')).toEqual({ kind: 'ldpkt', mode: 'ind', size: 2, src: 1, imm: 0 });
    expect(fmt({ kind: 'ldpkt', mode: 'abs', size: 4, src: 0, imm: -1 })).toBe('r0 = *(u32 *)skb[-0x1]');
  });
});

describe('atomics', () => {
  it('parses every atomic spelling', () => {
    expect(insn('lock *(u32 *)(r1 + 0) += w2')).toEqual({ kind: 'atomic', size: 4, op: 'add', fetch: false, base: 1, off: 0, src: 2 });
    expect(bytes('lock *(u32 *)(r1 + 0) += r2')).toBe(bytes('lock *(u32 *)(r1 + 0) += w2'));
    expect(insn('lock *(u64 *)(r1 - 8) &= r2')).toMatchObject({ op: 'and', size: 8, off: -8 });
    expect(insn('r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)')).toMatchObject({ op: 'add', fetch: true, size: 8 });
    expect(insn('w2=atomic_fetch_xor((u32*)(r1+0),w2)')).toMatchObject({ op: 'xor', fetch: true, size: 4 });
    expect(insn('r2 = xchg_64(r1 + 0, r2)')).toMatchObject({ op: 'xchg', size: 8, src: 2 });
    expect(insn('w0 = cmpxchg32_32(r1 + 0, w0, w2)')).toMatchObject({ op: 'cmpxchg', size: 4, src: 2 });
  });
  it('prints like objdump', () => {
    const a = { kind: 'atomic', base: 1, off: 0, src: 2 } as const;
    expect(fmt({ ...a, size: 4, op: 'add', fetch: false })).toBe('lock *(u32 *)(r1 + 0x0) += w2');
    expect(fmt({ ...a, size: 8, op: 'and', fetch: true })).toBe('r2 = atomic_fetch_and((u64 *)(r1 + 0x0), r2)');
    expect(fmt({ ...a, size: 4, op: 'xchg', fetch: true })).toBe('w2 = xchg32_32(r1 + 0x0, w2)');
    expect(fmt({ ...a, size: 8, op: 'cmpxchg', fetch: true })).toBe('r0 = cmpxchg_64(r1 + 0x0, r0, r2)');
  });
});

describe('jumps, calls and exit', () => {
  it('parses numeric and label targets', () => {
    for (const t of ['goto 3', 'goto +3', 'goto + 3']) expect(insn(t)).toEqual({ kind: 'ja', long: false, off: 3 });
    expect(insn('gotol -3')).toEqual({ kind: 'ja', long: true, off: -3 });
    expect(insn('gotol +0x7fffffff')).toEqual({ kind: 'ja', long: true, off: 0x7fffffff });
    expect(insn('if r1 s> 0x10 goto -3')).toEqual({ kind: 'jcond', width: 64, cond: 'jsgt', dst: 1, src: { type: 'imm', imm: 16 }, off: -3 });
    expect(insn('if w1 & w2 goto +3')).toMatchObject({ width: 32, cond: 'jset', src: { type: 'reg', reg: 2 } });
    const r = assemble('top:\n if r1 > r2 goto out\n goto top\n gotol out\nout:\n exit', { dialect: 'llvm' });
    expect(r.diagnostics).toEqual([]);
    expect(r.sections[0]?.insns.slice(0, 3)).toMatchObject([{ off: 2 }, { off: -2 }, { long: true, off: 0 }]);
  });
  it('calls helpers by number or name, and functions by label', () => {
    expect(insn('call 1')).toEqual({ kind: 'call', target: 'helper', imm: 1, off: 0 });
    expect(insn('call bpf_map_lookup_elem')).toEqual({ kind: 'call', target: 'helper', imm: 1, off: 0 });
    const r = assemble(' call f\n exit\nf:\n exit', { dialect: 'llvm' });
    expect(r.sections[0]?.insns[0]).toEqual({ kind: 'call', target: 'local', imm: 1, off: 0 });
    expect(insn('EXIT')).toEqual({ kind: 'exit' });
  });
  it('prints like objdump', () => {
    expect(fmt({ kind: 'ja', long: false, off: 3 })).toBe('goto +0x3');
    expect(fmt({ kind: 'ja', long: true, off: 0 })).toBe('gotol +0x0');
    expect(fmt({ kind: 'jcond', width: 32, cond: 'jeq', dst: 1, src: { type: 'imm', imm: -1 }, off: -0x8000 })).toBe('if w1 == -0x1 goto -0x8000');
    expect(fmt({ kind: 'call', target: 'local', imm: -1, off: 0 })).toBe('call -0x1');
    expect(fmt({ kind: 'exit' })).toBe('exit');
  });
});

describe('Linux extensions: may_goto and addr_space_cast', () => {
  // Bytes as llvm-mc-19 -triple bpfel -mcpu=v4 gives them (the differential checks them all).
  it('parses may_goto with a number or a label, as llvm-mc does', () => {
    for (const t of ['may_goto 3', 'may_goto +3', 'may_goto + 3', 'may_goto +0x3', 'MAY_GOTO +3']) expect(insn(t)).toEqual({ kind: 'may_goto', off: 3 });
    expect(bytes('may_goto -1')).toBe('e5 00 ff ff 00 00 00 00');
    const r = assemble('top:\n may_goto out\n may_goto top\nout:\n exit', { dialect: 'llvm' });
    expect(r.diagnostics).toEqual([]);
    expect(r.sections[0]?.insns.slice(0, 2)).toEqual([{ kind: 'may_goto', off: 1 }, { kind: 'may_goto', off: -2 }]);
  });
  it('parses addr_space_cast(src, dst_as, src_as) into imm = dst_as << 16 | src_as', () => {
    expect(insn('r1 = addr_space_cast(r2, 0, 1)')).toEqual({ kind: 'addr_space_cast', dst: 1, src: 2, dstAs: 0, srcAs: 1 });
    expect(bytes('r1 = addr_space_cast(r2, 0, 1)')).toBe('bf 21 01 00 01 00 00 00');
    expect(bytes('r1 = addr_space_cast(r2, 1, 0)')).toBe('bf 21 01 00 00 00 01 00');
    expect(bytes('r0=addr_space_cast(r0,0xffff,7)')).toBe('bf 00 01 00 07 00 ff ff');
    // llvm-mc reads -1 as 0xffff (it keeps the low 16 bits).
    expect(bytes('r1 = addr_space_cast(r2, -1, 0)')).toBe('bf 21 01 00 00 00 ff ff');
  });
  it('prints like objdump', () => {
    expect(fmt({ kind: 'may_goto', off: 3 })).toBe('may_goto +0x3');
    expect(fmt({ kind: 'may_goto', off: -0x8000 })).toBe('may_goto -0x8000');
    expect(fmt({ kind: 'addr_space_cast', dst: 1, src: 2, dstAs: 0, srcAs: 1 })).toBe('r1 = addr_space_cast(r2, 0x0, 0x1)');
  });
  it('refuses what llvm-mc refuses, and address spaces it would truncate', () => {
    expectError('w1 = addr_space_cast(w2, 0, 1)', 1, 3, 'r registers', 'write r1');
    expectError('r1 = addr_space_cast(w2, 0, 1)', 22, 24, 'r registers', 'write r2');
    expectError('r1 = addr_space_cast(r2, 1)', 27, 28, "','");
    expectError('r1 = ADDR_SPACE_CAST(r2, 0, 1)', 6, 21, "'addr_space_cast' in lower case");
    expectError('r1 = addr_space_cast(r2, 65536, 0)', 26, 31, 'address space (0..65535)');
    expectError('may_goto r1', 10, 12, 'jump offset');
    expectError('may_goto', 9, 10, 'jump offset', 'at end of line');
    expectError('may_goto +32768', 10, 16, '16-bit signed offset');
  });
  it('names the level: both sit with cpu v4', () => {
    const level = (text: string): string | undefined => assemble(text, { dialect: 'llvm', isa: 3 }).diagnostics[0]?.message;
    expect(level('may_goto +0')).toBe('may_goto needs ISA v4; the selected level is v3');
    expect(level('r1 = addr_space_cast(r2, 0, 1)')).toBe('addr_space_cast needs ISA v4; the selected level is v3');
  });
});

describe('errors', () => {
  it('rejects mixed widths, naming the register to write', () => {
    expectError('w1 += r2', 7, 9, 'r2 is 64-bit but w1 is 32-bit', 'w2');
    expectError('if r1 > w2 goto +1', 9, 11, 'r2');
    expectError('*(u64 *)(r10 - 8) = w1', 21, 23, 'write r1');
    expectError('w0 = *(u64 *)(r2 - 8)', 1, 3, 'write r0');
    expectError('w1 = 1 ll', 1, 3, 'write r1');
    expectError('r2 = atomic_fetch_add((u32 *)(r1 + 0), r2)', 1, 3, 'w registers', 'write w2');
    expectError('r1 = *(u64 *)(w2 + 8)', 15, 17, 'write r2');
  });
  it('rejects register mismatches of in-place and fetching instructions', () => {
    expectError('r1 = -r2', 7, 9, 'in place', 'r1');
    expectError('r1 = be16 r2', 11, 13, 'r1');
    expectError('r3 = atomic_fetch_add((u64 *)(r1 + 0), r2)', 1, 3, 'must be r2');
    expectError('r3 = cmpxchg_64(r1 + 0, r3, r2)', 1, 3, 'r0');
    expectError('r0 = cmpxchg_64(r1 + 0, r3, r2)', 25, 27, 'must be r0');
  });
  it('names unsupported and non-RFC instructions', () => {
    expectError('callx r2', 1, 6, 'callx', 'not supported', 'RFC 9669');
    expectError('call r2', 6, 8, 'callx', 'not supported');
    expectError('r1 = load_acquire((u64 *)(r2 + 0))', 6, 18, 'load_acquire', 'not in RFC 9669');
    expectError('store_release((u64 *)(r1 + 0), r2)', 1, 14, 'store_release', 'not in RFC 9669');
  });
  it('reports values outside their field instead of truncating them', () => {
    expectError('r0 = 4294967296', 6, 16, 'does not fit a 32-bit immediate', 'll');
    expectError('r1 += -2147483649', 7, 18, 'does not fit');
    expectError('goto 32768', 6, 11, '16-bit signed offset');
    expectError('r1 = *(u64 *)(r2 + 32768)', 18, 25, '16-bit signed offset');
    expectError('r1 = 18446744073709551616 ll', 6, 26, '64-bit immediate');
    expectError('ld_pseudo r1, 7, 5', 15, 16, 'pseudo source 0-6');
    expectError('r11 = 1', 1, 4, 'not a register', 'r0-r10');
  });
  it('says what was expected, where', () => {
    expectError('r1 = *(u64 *)(r2)', 17, 18, "'+' or '-'", "found ')'");
    expectError('r1 = *(u64 *)(r2 + -8)', 20, 21, 'expected an offset');
    expectError('if R1 > R2 goto +1', 4, 6, "'r1' in lower case");
    expectError('r1 = BE16 r1', 6, 10, "'be16' in lower case");
    expectError('r1 = 1ll', 6, 9, "'1 ll'");
    expectError('r1 = foo', 6, 9, 'r1 = foo ll');
    expectError('r1 = (u8)r2', 7, 9, 's8, s16, s32');
    expectError('r1 < 2', 4, 5, 'an assignment after r1');
    expectError('if r1 > r2 goto', 16, 17, 'jump offset', 'at end of line');
    expectError('foo r1', 1, 4, 'expected an instruction');
    expectError('exit 1', 6, 7, "unexpected '1'");
    expectError('r0 = *(u64 *)skb[1]', 14, 17, 'u8, u16 or u32');
  });
  it('never throws, whatever the tokens', () => {
    const ctx: ParseContext = { symbols: kernelSymbols, error: () => undefined, warning: () => undefined };
    const samples = ['r1 = *(u64 *)(r2 + 8)', 'lock *(u32 *)(r1 + 0) += w2', 'w0 = cmpxchg32_32(r1 + 0, w0, w2)', 'if r1 s>= -1 goto +3', 'r0 = *(u8 *)skb[r1]', 'ld_pseudo r1, 1, 5'];
    for (const s of samples) {
      for (let cut = 0; cut <= s.length; cut++) {
        for (const text of [s.slice(0, cut), s.slice(0, cut) + s.slice(cut + 1), s.slice(cut)]) {
          const tokens = tokenizeLine(text, 1, []);
          if (tokens.length === 0) continue;
          expect(() => llvmDialect.parse(new Cursor(tokens, ctx, text.length + 1))).not.toThrow();
        }
      }
    }
  });
});

describe('every form', () => {
  const instances = FORMS.flatMap((form) => formInstances(form).map((i) => ({ form: form.id, insn: i })));

  it('round-trips format → parse → the same bytes', () => {
    const differences: string[] = [];
    for (const { form, insn: i } of instances.filter((x) => formatRoundTrips(x.insn))) {
      const r = assemble(fmt(i), { dialect: 'llvm' });
      const got = hex(r.sections[0]?.bytes ?? new Uint8Array());
      if (!r.ok || got !== hex(encodeProgram([i]))) differences.push(`${form}: '${fmt(i)}' → ${r.ok ? got : r.diagnostics[0]?.message}`);
    }
    expect(differences.slice(0, 10)).toEqual([]);
  });
  it('loses only the fields objdump does not print', () => {
    for (const { insn: i } of instances.filter((x) => !formatRoundTrips(x.insn))) {
      const back = assemble(fmt(i), { dialect: 'llvm' }).sections[0]?.insns[0];
      if (i.kind === 'call') expect(back).toEqual({ kind: 'call', target: 'helper', imm: i.imm, off: 0 });
      else if (i.kind === 'ldimm64') expect(back).toEqual({ ...i, imm2: 0 });
      else expect(back).toEqual({ ...i, imm: 0 });
    }
  });
  it('gives the same bytes as the ubpf dialect', () => {
    const differences: string[] = [];
    for (const form of FORMS) {
      const insns = formInstances(form).filter(formatRoundTrips);
      if (insns.length === 0) continue;
      const llvm = assemble(insns.map(fmt).join('\n'), { dialect: 'llvm' });
      const ubpf = assemble(insns.map((i) => ubpfDialect.format(i, { pc: 0 })).join('\n'), { dialect: 'ubpf' });
      const [a, b] = [llvm, ubpf].map((r) => hex(r.sections[0]?.bytes ?? new Uint8Array()));
      if (!llvm.ok || !ubpf.ok || a !== b) differences.push(`${form.id}: ${[...llvm.diagnostics, ...ubpf.diagnostics].map((d) => d.message).join('; ') || 'bytes differ'}`);
    }
    expect(differences).toEqual([]);
  });
  it('is what the disassembler shows in the llvm dialect', () => {
    const lines = disassemble(encodeProgram([{ kind: 'alu', width: 64, op: 'mov', dst: 0, src: { type: 'imm', imm: 0 } }, { kind: 'exit' }]), { dialect: 'llvm' });
    expect(lines.lines.map((l) => l.text)).toEqual(['r0 = 0x0', 'exit']);
  });
});
