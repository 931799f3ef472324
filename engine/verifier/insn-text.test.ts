// insnText for every instruction form, from raw slots as the kernel reads them; the expected
// texts follow print_bpf_insn (Linux 6.18) and were checked against the running kernel's log
// (engine/test/kernel/insn-text-kernel.test.ts; map and pseudo-func ldimm64 by hand).

import { describe, expect, it } from 'vitest';
import { decodeAt, FORMS, formOf, writeRaw, type Insn } from '../isa/index.ts';
import { formCorpus } from '../test/form-corpus.ts';
import { insnText, liveRegsLine, LIVE_REGS_HEADING, opcodeOf, padToStateColumn, type InsnNames } from './insn-text.ts';

/** opcode, dst, src, off, imm (and the second slot's imm for lddw), then the expected text. */
type Case = readonly [opcode: number, dst: number, src: number, off: number, imm: number, text: string, imm2?: number];

const CASES: readonly Case[] = [
  // ALU64, immediates in decimal
  [0x07, 4, 0, 0, 14, '(07) r4 += 14'],
  [0x0f, 1, 2, 0, 0, '(0f) r1 += r2'],
  [0x17, 1, 0, 0, -3, '(17) r1 -= -3'],
  [0x1f, 1, 2, 0, 0, '(1f) r1 -= r2'],
  [0x27, 3, 0, 0, 0x7fffffff, '(27) r3 *= 2147483647'],
  [0x2f, 3, 9, 0, 0, '(2f) r3 *= r9'],
  [0x37, 1, 0, 0, 10, '(37) r1 /= 10'],
  [0x3f, 1, 2, 0, 0, '(3f) r1 /= r2'],
  [0x37, 1, 0, 1, -10, '(37) r1 s/= -10'],
  [0x3f, 1, 2, 1, 0, '(3f) r1 s/= r2'],
  [0x47, 1, 0, 0, 0x80, '(47) r1 |= 128'],
  [0x4f, 1, 2, 0, 0, '(4f) r1 |= r2'],
  [0x57, 5, 0, 0, 255, '(57) r5 &= 255'],
  [0x5f, 5, 6, 0, 0, '(5f) r5 &= r6'],
  [0x67, 1, 0, 0, 32, '(67) r1 <<= 32'],
  [0x6f, 1, 2, 0, 0, '(6f) r1 <<= r2'],
  [0x77, 1, 0, 0, 3, '(77) r1 >>= 3'],
  [0x7f, 1, 2, 0, 0, '(7f) r1 >>= r2'],
  [0x87, 1, 0, 0, 0, '(87) r1 = -r1'],
  [0x97, 1, 0, 0, 7, '(97) r1 %= 7'],
  [0x9f, 1, 2, 0, 0, '(9f) r1 %= r2'],
  [0x97, 1, 0, 1, 7, '(97) r1 s%= 7'],
  [0x9f, 1, 2, 1, 0, '(9f) r1 s%= r2'],
  [0xa7, 1, 0, 0, -1, '(a7) r1 ^= -1'],
  [0xaf, 1, 2, 0, 0, '(af) r1 ^= r2'],
  [0xb7, 5, 0, 0, 7, '(b7) r5 = 7'],
  [0xb7, 0, 0, 0, -0x80000000, '(b7) r0 = -2147483648'],
  [0xbf, 1, 10, 0, 0, '(bf) r1 = r10'],
  [0xbf, 1, 2, 8, 0, '(bf) r1 = (s8)r2'],
  [0xbf, 1, 2, 16, 0, '(bf) r1 = (s16)r2'],
  [0xbf, 1, 2, 32, 0, '(bf) r1 = (s32)r2'],
  [0xc7, 1, 0, 0, 3, '(c7) r1 s>>= 3'],
  [0xcf, 1, 2, 0, 0, '(cf) r1 s>>= r2'],
  // ALU (32-bit): w registers
  [0x04, 1, 0, 0, 2, '(04) w1 += 2'],
  [0x0c, 1, 2, 0, 0, '(0c) w1 += w2'],
  [0x14, 1, 0, 0, 2, '(14) w1 -= 2'],
  [0x1c, 1, 2, 0, 0, '(1c) w1 -= w2'],
  [0x24, 1, 0, 0, 2, '(24) w1 *= 2'],
  [0x2c, 1, 2, 0, 0, '(2c) w1 *= w2'],
  [0x34, 1, 0, 0, 2, '(34) w1 /= 2'],
  [0x3c, 1, 2, 0, 0, '(3c) w1 /= w2'],
  [0x34, 1, 0, 1, -2, '(34) w1 s/= -2'],
  [0x3c, 1, 2, 1, 0, '(3c) w1 s/= w2'],
  [0x44, 1, 0, 0, 2, '(44) w1 |= 2'],
  [0x4c, 1, 2, 0, 0, '(4c) w1 |= w2'],
  [0x54, 1, 0, 0, 2, '(54) w1 &= 2'],
  [0x5c, 1, 2, 0, 0, '(5c) w1 &= w2'],
  [0x64, 1, 0, 0, 2, '(64) w1 <<= 2'],
  [0x6c, 1, 2, 0, 0, '(6c) w1 <<= w2'],
  [0x74, 1, 0, 0, 2, '(74) w1 >>= 2'],
  [0x7c, 1, 2, 0, 0, '(7c) w1 >>= w2'],
  [0x84, 1, 0, 0, 0, '(84) w1 = -w1'],
  [0x94, 1, 0, 0, 2, '(94) w1 %= 2'],
  [0x9c, 1, 2, 0, 0, '(9c) w1 %= w2'],
  [0x94, 1, 0, 1, 2, '(94) w1 s%= 2'],
  [0x9c, 1, 2, 1, 0, '(9c) w1 s%= w2'],
  [0xa4, 1, 0, 0, 2, '(a4) w1 ^= 2'],
  [0xac, 1, 2, 0, 0, '(ac) w1 ^= w2'],
  [0xb4, 1, 0, 0, -1, '(b4) w1 = -1'],
  [0xbc, 1, 2, 0, 0, '(bc) w1 = w2'],
  [0xbc, 1, 2, 8, 0, '(bc) w1 = (s8)w2'],
  [0xbc, 1, 2, 16, 0, '(bc) w1 = (s16)w2'],
  [0xc4, 1, 0, 0, 2, '(c4) w1 s>>= 2'],
  [0xcc, 1, 2, 0, 0, '(cc) w1 s>>= w2'],
  // byte order: r registers in both classes
  [0xd4, 1, 0, 0, 16, '(d4) r1 = le16 r1'],
  [0xd4, 1, 0, 0, 32, '(d4) r1 = le32 r1'],
  [0xd4, 1, 0, 0, 64, '(d4) r1 = le64 r1'],
  [0xdc, 1, 0, 0, 16, '(dc) r1 = be16 r1'],
  [0xdc, 1, 0, 0, 32, '(dc) r1 = be32 r1'],
  [0xdc, 1, 0, 0, 64, '(dc) r1 = be64 r1'],
  [0xd7, 1, 0, 0, 16, '(d7) r1 = bswap16 r1'],
  [0xd7, 1, 0, 0, 32, '(d7) r1 = bswap32 r1'],
  [0xd7, 1, 0, 0, 64, '(d7) r1 = bswap64 r1'],
  // ldimm64: hex of the 64-bit value; map loads through the map callback
  [0x18, 3, 0, 0, -2, '(18) r3 = 0xfffffffe', 0],
  [0x18, 3, 0, 0, -1, '(18) r3 = 0xffffffffffffffff', -1],
  [0x18, 3, 0, 0, 0x12345678, '(18) r3 = 0x9abcdef012345678', 0x9abcdef0 | 0],
  [0x18, 3, 0, 0, 0, '(18) r3 = 0x0', 0],
  [0x18, 1, 1, 0, 0, '(18) r1 = 0xffff888100000000'],
  [0x18, 1, 5, 0, 1, '(18) r1 = 0xffff888100001000'],
  [0x18, 2, 2, 0, 0, '(18) r2 = 0xffff888100000138+4', 4],
  [0x18, 2, 6, 0, 1, '(18) r2 = 0xffff888100001138+0', 0],
  [0x18, 2, 3, 0, 77, '(18) r2 = 0x0'],
  [0x18, 2, 4, 0, 6, '(18) r2 = 0x6'],
  [0x18, 2, 4, 0, -2, '(18) r2 = 0xfffffffe'],
  // loads and stores; offsets are %+d
  [0x71, 1, 2, 0, 0, '(71) r1 = *(u8 *)(r2 +0)'],
  [0x91, 1, 2, 0, 0, '(91) r1 = *(s8 *)(r2 +0)'],
  [0x72, 10, 0, -1, 255, '(72) *(u8 *)(r10 -1) = 255'],
  [0x73, 10, 1, -1, 0, '(73) *(u8 *)(r10 -1) = r1'],
  [0x69, 1, 2, 12, 0, '(69) r1 = *(u16 *)(r2 +12)'],
  [0x89, 1, 2, -2, 0, '(89) r1 = *(s16 *)(r2 -2)'],
  [0x6a, 10, 0, -2, -1, '(6a) *(u16 *)(r10 -2) = -1'],
  [0x6b, 10, 1, -2, 0, '(6b) *(u16 *)(r10 -2) = r1'],
  [0x61, 2, 1, 0, 0, '(61) r2 = *(u32 *)(r1 +0)'],
  [0x81, 2, 1, 4, 0, '(81) r2 = *(s32 *)(r1 +4)'],
  [0x62, 10, 0, -4, 0x12345678, '(62) *(u32 *)(r10 -4) = 305419896'],
  [0x63, 10, 1, -4, 0, '(63) *(u32 *)(r10 -4) = r1'],
  [0x79, 1, 10, -8, 0, '(79) r1 = *(u64 *)(r10 -8)'],
  [0x7a, 10, 0, -8, -5, '(7a) *(u64 *)(r10 -8) = -5'],
  [0x7b, 10, 5, -8, 0, '(7b) *(u64 *)(r10 -8) = r5'],
  [0x79, 1, 2, 0x7fff, 0, '(79) r1 = *(u64 *)(r2 +32767)'],
  [0x79, 1, 2, -0x8000, 0, '(79) r1 = *(u64 *)(r2 -32768)'],
  // atomics
  [0xdb, 1, 2, 0, 0x00, '(db) lock *(u64 *)(r1 +0) += r2'],
  [0xdb, 1, 2, 0, 0x01, '(db) r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)'],
  [0xdb, 1, 2, 8, 0x40, '(db) lock *(u64 *)(r1 +8) |= r2'],
  [0xdb, 1, 2, 8, 0x41, '(db) r2 = atomic64_fetch_or((u64 *)(r1 +8), r2)'],
  [0xdb, 1, 2, -8, 0x50, '(db) lock *(u64 *)(r1 -8) &= r2'],
  [0xdb, 1, 2, -8, 0x51, '(db) r2 = atomic64_fetch_and((u64 *)(r1 -8), r2)'],
  [0xdb, 1, 2, 0, 0xa0, '(db) lock *(u64 *)(r1 +0) ^= r2'],
  [0xdb, 1, 2, 0, 0xa1, '(db) r2 = atomic64_fetch_xor((u64 *)(r1 +0), r2)'],
  [0xdb, 1, 2, 0, 0xe1, '(db) r2 = atomic64_xchg((u64 *)(r1 +0), r2)'],
  [0xdb, 1, 2, 0, 0xf1, '(db) r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)'],
  [0xc3, 1, 2, 4, 0x00, '(c3) lock *(u32 *)(r1 +4) += r2'],
  [0xc3, 1, 2, 4, 0x01, '(c3) r2 = atomic_fetch_add((u32 *)(r1 +4), r2)'],
  [0xc3, 1, 2, 4, 0x40, '(c3) lock *(u32 *)(r1 +4) |= r2'],
  [0xc3, 1, 2, 4, 0x41, '(c3) r2 = atomic_fetch_or((u32 *)(r1 +4), r2)'],
  [0xc3, 1, 2, 4, 0x50, '(c3) lock *(u32 *)(r1 +4) &= r2'],
  [0xc3, 1, 2, 4, 0x51, '(c3) r2 = atomic_fetch_and((u32 *)(r1 +4), r2)'],
  [0xc3, 1, 2, 4, 0xa0, '(c3) lock *(u32 *)(r1 +4) ^= r2'],
  [0xc3, 1, 2, 4, 0xa1, '(c3) r2 = atomic_fetch_xor((u32 *)(r1 +4), r2)'],
  [0xc3, 1, 2, 4, 0xe1, '(c3) r2 = atomic_xchg((u32 *)(r1 +4), r2)'],
  [0xc3, 1, 2, 4, 0xf1, '(c3) r0 = atomic_cmpxchg((u32 *)(r1 +4), r0, r2)'],
  // jumps: immediates as 0x%x of the u32, offsets %+d
  [0x05, 0, 0, 3, 0, '(05) goto pc+3'],
  [0x05, 0, 0, -1, 0, '(05) goto pc-1'],
  [0x05, 0, 0, 0, 0, '(05) goto pc+0'],
  [0x06, 0, 0, 0, 70000, '(06) gotol pc+70000'],
  [0x06, 0, 0, 0, -2, '(06) gotol pc-2'],
  // Linux extensions (6.9): may_goto and addr_space_cast, as disasm.c prints them.
  [0xe5, 0, 0, 3, 0, '(e5) may_goto pc+3'],
  [0xbf, 1, 2, 1, 1, '(bf) r1 = addr_space_cast(r2, 0, 1)'],
  [0x15, 1, 0, 2, 0, '(15) if r1 == 0x0 goto pc+2'],
  [0x1d, 1, 2, 2, 0, '(1d) if r1 == r2 goto pc+2'],
  [0x25, 1, 0, 2, 5, '(25) if r1 > 0x5 goto pc+2'],
  [0x2d, 4, 3, 6, 0, '(2d) if r4 > r3 goto pc+6'],
  [0x35, 1, 0, -3, 255, '(35) if r1 >= 0xff goto pc-3'],
  [0x3d, 1, 2, 2, 0, '(3d) if r1 >= r2 goto pc+2'],
  [0x45, 1, 0, 2, 1, '(45) if r1 & 0x1 goto pc+2'],
  [0x4d, 1, 2, 2, 0, '(4d) if r1 & r2 goto pc+2'],
  [0x55, 1, 0, 2, -1, '(55) if r1 != 0xffffffff goto pc+2'],
  [0x5d, 1, 2, 2, 0, '(5d) if r1 != r2 goto pc+2'],
  [0x65, 1, 0, 2, -0x80000000, '(65) if r1 s> 0x80000000 goto pc+2'],
  [0x6d, 1, 2, 2, 0, '(6d) if r1 s> r2 goto pc+2'],
  [0x75, 1, 0, 2, 0, '(75) if r1 s>= 0x0 goto pc+2'],
  [0x7d, 1, 2, 2, 0, '(7d) if r1 s>= r2 goto pc+2'],
  [0xa5, 1, 0, 2, 0xabcdef, '(a5) if r1 < 0xabcdef goto pc+2'],
  [0xad, 1, 2, 2, 0, '(ad) if r1 < r2 goto pc+2'],
  [0xb5, 1, 0, 2, 10, '(b5) if r1 <= 0xa goto pc+2'],
  [0xbd, 1, 2, 2, 0, '(bd) if r1 <= r2 goto pc+2'],
  [0xc5, 1, 0, 2, -5, '(c5) if r1 s< 0xfffffffb goto pc+2'],
  [0xcd, 1, 2, 2, 0, '(cd) if r1 s< r2 goto pc+2'],
  [0xd5, 1, 0, 2, 0, '(d5) if r1 s<= 0x0 goto pc+2'],
  [0xdd, 1, 2, 2, 0, '(dd) if r1 s<= r2 goto pc+2'],
  [0x16, 1, 0, 2, 5, '(16) if w1 == 0x5 goto pc+2'],
  [0x1e, 1, 2, 2, 0, '(1e) if w1 == w2 goto pc+2'],
  [0x26, 1, 0, 2, 5, '(26) if w1 > 0x5 goto pc+2'],
  [0x2e, 1, 2, 2, 0, '(2e) if w1 > w2 goto pc+2'],
  [0x36, 1, 0, 2, 5, '(36) if w1 >= 0x5 goto pc+2'],
  [0x3e, 1, 2, 2, 0, '(3e) if w1 >= w2 goto pc+2'],
  [0x46, 1, 0, 2, 5, '(46) if w1 & 0x5 goto pc+2'],
  [0x4e, 1, 2, 2, 0, '(4e) if w1 & w2 goto pc+2'],
  [0x56, 1, 0, 2, 5, '(56) if w1 != 0x5 goto pc+2'],
  [0x5e, 1, 2, 2, 0, '(5e) if w1 != w2 goto pc+2'],
  [0x66, 1, 0, 2, 5, '(66) if w1 s> 0x5 goto pc+2'],
  [0x6e, 1, 2, 2, 0, '(6e) if w1 s> w2 goto pc+2'],
  [0x76, 1, 0, 2, 5, '(76) if w1 s>= 0x5 goto pc+2'],
  [0x7e, 1, 2, 2, 0, '(7e) if w1 s>= w2 goto pc+2'],
  [0xa6, 1, 0, 2, 5, '(a6) if w1 < 0x5 goto pc+2'],
  [0xae, 1, 2, 2, 0, '(ae) if w1 < w2 goto pc+2'],
  [0xb6, 1, 0, 2, 5, '(b6) if w1 <= 0x5 goto pc+2'],
  [0xbe, 1, 2, 2, 0, '(be) if w1 <= w2 goto pc+2'],
  [0xc6, 1, 0, 2, -1, '(c6) if w1 s< 0xffffffff goto pc+2'],
  [0xce, 1, 2, 2, 0, '(ce) if w1 s< w2 goto pc+2'],
  [0xd6, 1, 0, 2, 5, '(d6) if w1 s<= 0x5 goto pc+2'],
  [0xde, 1, 2, 2, 0, '(de) if w1 s<= w2 goto pc+2'],
  // calls
  [0x85, 0, 0, 0, 1, '(85) call bpf_map_lookup_elem#1'],
  [0x85, 0, 0, 0, 9999, '(85) call unknown#9999'],
  [0x85, 0, 0, 0, -1, '(85) call unknown#-1'],
  [0x85, 0, 1, 0, 3, '(85) call pc+3'],
  [0x85, 0, 1, 0, -7, '(85) call pc-7'],
  [0x85, 0, 2, 0, 70001, '(85) call bpf_cpumask_create#70001'],
  [0x85, 0, 2, 0, 123, '(85) call kernel-function#123'],
  [0x95, 0, 0, 0, 0, '(95) exit'],
  // legacy packet loads
  [0x30, 0, 0, 0, 12, '(30) r0 = *(u8 *)skb[12]'],
  [0x28, 0, 0, 0, -1, '(28) r0 = *(u16 *)skb[-1]'],
  [0x20, 0, 0, 0, 26, '(20) r0 = *(u32 *)skb[26]'],
  [0x50, 0, 7, 0, 0, '(50) r0 = *(u8 *)skb[r7 + 0]'],
  [0x48, 0, 7, 0, 2, '(48) r0 = *(u16 *)skb[r7 + 2]'],
  [0x40, 0, 7, 0, -1, '(40) r0 = *(u32 *)skb[r7 + -1]'],
];

const NAMES: InsnNames = {
  helper: (id) => (id === 1 ? 'bpf_map_lookup_elem' : undefined),
  kfunc: (id) => (id === 70001 ? 'bpf_cpumask_create' : undefined),
  // Map i at 0xffff888100000000 + i·0x1000, its values 0x138 further on.
  map: (index, valueOffset) => {
    const base = 0xffff888100000000n + BigInt(index) * 0x1000n;
    return valueOffset === undefined ? `0x${base.toString(16)}` : `0x${(base + 0x138n).toString(16)}+${valueOffset}`;
  },
};

function decode(c: Case): Insn {
  const bytes = new Uint8Array(16);
  writeRaw(bytes, 0, { opcode: c[0], dst: c[1], src: c[2], off: c[3], imm: c[4] });
  writeRaw(bytes, 1, { opcode: 0, dst: 0, src: 0, off: 0, imm: c[6] ?? 0 });
  const r = decodeAt(bytes, 0);
  if (!r.ok) throw new Error(r.error.message);
  return r.insn;
}

describe('insnText', () => {
  it.each(CASES.map((c) => [c[5], c] as const))('%s', (text, c) => {
    expect(insnText(decode(c), 0, NAMES)).toBe(text);
  });

  it('has a case for every form of the ISA table', () => {
    const covered = new Set(CASES.map((c) => formOf(decode(c))?.id));
    expect(FORMS.map((f) => f.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it('prints every instance of the form corpus with its opcode byte and no undefined', () => {
    for (const { form, insns } of formCorpus()) {
      for (const insn of insns) {
        const text = insnText(insn, 0, { helper: () => undefined, kfunc: () => undefined });
        expect(text.startsWith(`(${form.opcode.toString(16).padStart(2, '0')}) `), text).toBe(true);
        expect(text).not.toMatch(/undefined|NaN/);
      }
    }
  });

  it('without a map callback, map loads print 0x0 as the unprivileged see them', () => {
    const names = { helper: () => undefined, kfunc: () => undefined };
    expect(insnText({ kind: 'ldimm64', dst: 1, pseudo: 1, imm: 0, imm2: 0 }, 0, names)).toBe('(18) r1 = 0x0');
    expect(insnText({ kind: 'ldimm64', dst: 1, pseudo: 2, imm: 0, imm2: 8 }, 0, names)).toBe('(18) r1 = 0x0');
  });

  it('opcodeOf is the first byte of the encoding', () => {
    expect(opcodeOf({ kind: 'alu', width: 64, op: 'sdiv', dst: 1, src: { type: 'reg', reg: 2 } })).toBe(0x3f);
    expect(opcodeOf({ kind: 'ja', long: true, off: 5 })).toBe(0x06);
  });
});

describe('liveRegsLine', () => {
  it('prints the SCC column, the pc and r0-r9 as the kernel does', () => {
    expect(LIVE_REGS_HEADING).toBe('Live regs before insn:');
    expect(liveRegsLine(0, 0, 0, '(b7) r1 = 1')).toBe('      0: .......... (b7) r1 = 1');
    expect(liveRegsLine(5, 1, 0b11110, '(85) call bpf_loop#181')).toBe('  1   5: .1234..... (85) call bpf_loop#181');
    expect(liveRegsLine(1234, 12, 0x3ff, '(95) exit')).toBe(' 12 1234: 0123456789 (95) exit');
  });
});

describe('padToStateColumn', () => {
  it('puts the state at column 38, or the next 8-aligned column past a long line, minus 2', () => {
    expect(padToStateColumn('0: (b7) r2 = -1')).toHaveLength(38);
    expect(padToStateColumn('x'.repeat(35))).toHaveLength(38);
    expect(padToStateColumn('x'.repeat(36))).toHaveLength(46);
    expect(padToStateColumn('x'.repeat(56))).toHaveLength(62);
    expect(padToStateColumn('x'.repeat(59))).toHaveLength(62);
    expect(padToStateColumn('x'.repeat(60))).toHaveLength(70);
  });
});
