// Typed instructions for every form of the ISA table, with edge values, every register and a
// few seeded random values: the corpus of the LLVM differential and the dialect round trips.
// It iterates over FORMS, so a form added to the table is covered without touching this file.

import { FORMS, type Form, type Insn, type Operand } from '../isa/index.ts';

const IMM32_EDGES = [0, 1, -1, 2, 0x7f, 0x80, -0x80, 0xff, 0x100, -0x100, 0x7fff, -0x8000, 0x8000, 0xffff, 0x10000, 0x7fffffff, -0x7fffffff, -0x80000000, 0x12345678, -0x12345678];
const OFF16_EDGES = [0, 1, -1, 8, -8, 0x7f, -0x80, 0xff, 0x100, -0x200, 0x7ffe, 0x7fff, -0x7fff, -0x8000, 0x1234, -0x1234];
const IMM64_EDGES: readonly bigint[] = [
  0n, 1n, -1n, 0xffn, 0x7fffffffn, -0x80000000n, 0x80000000n, 0xffffffffn, 0x100000000n, -0x100000000n,
  0x7fffffffffffffffn, -0x8000000000000000n, 0x123456789abcdef0n, -0x123456789abcdefn, 0xffffffff00000000n - 2n ** 64n,
];
const RANDOM_PER_FORM = 6;

/** mulberry32: a tiny seeded generator, so the corpus is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function split64(v: bigint): { imm: number; imm2: number } {
  const u = BigInt.asUintN(64, v);
  return { imm: Number(BigInt.asIntN(32, u)), imm2: Number(BigInt.asIntN(32, u >> 32n)) };
}

/** Instances of one form: every register in each register field, then edge and random values. */
export function formInstances(form: Form, seed = 1): Insn[] {
  const next = random(seed ^ (form.opcode << 8) ^ form.id.length);
  const imm32 = [...IMM32_EDGES, ...Array.from({ length: RANDOM_PER_FORM }, () => next() | 0)];
  const off16 = [...OFF16_EDGES, ...Array.from({ length: RANDOM_PER_FORM }, () => (next() << 16) >> 16)];
  const reg = (i: number): number => i % 11;
  const other = (i: number): number => (i * 7 + 3) % 11;
  const t = form.template;
  const src = (op: Operand, i: number): Operand => (op.type === 'reg' ? { type: 'reg', reg: other(i) } : { type: 'imm', imm: imm32[i % imm32.length] ?? 0 });
  const count = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  switch (t.kind) {
    case 'alu':
      return count(t.src.type === 'reg' ? 22 : imm32.length).map((i) => ({ ...t, dst: reg(i), src: src(t.src, i) }));
    case 'movsx':
      return count(22).map((i) => ({ ...t, dst: reg(i), src: other(i) }));
    case 'addr_space_cast': {
      // Both casts Linux accepts first, then any 16-bit pair (llvm-mc takes them all).
      const pairs: [number, number][] = [[0, 1], [1, 0], [0, 0], [1, 1], [0xffff, 0], [0, 0xffff], [0xffff, 0xffff], [0x8000, 0x7fff]];
      for (let k = 0; k < RANDOM_PER_FORM; k++) pairs.push([next() & 0xffff, next() & 0xffff]);
      return pairs.map(([dstAs, srcAs], i) => ({ ...t, dst: reg(i), src: other(i), dstAs, srcAs }));
    }
    case 'neg':
    case 'end':
      return count(11).map((i) => ({ ...t, dst: reg(i) }));
    case 'ldimm64':
      if (t.pseudo === 0) {
        const values = [...IMM64_EDGES, ...Array.from({ length: RANDOM_PER_FORM }, () => (BigInt(next()) << 32n) | BigInt(next()))];
        return values.map((v, i) => ({ ...t, dst: reg(i), ...split64(v) }));
      }
      // The second slot's imm is not in LLVM's text; a few instances keep it non-zero anyway.
      return count(imm32.length).map((i) => ({ ...t, dst: reg(i), imm: imm32[i] ?? 0, imm2: i % 5 === 4 ? (imm32[i + 1] ?? 1) : 0 }));
    case 'load':
      return count(Math.max(22, off16.length)).map((i) => ({ ...t, dst: reg(i), base: other(i), off: off16[i % off16.length] ?? 0 }));
    case 'store':
    case 'atomic':
      return count(Math.max(22, off16.length)).map((i) => {
        const off = off16[i % off16.length] ?? 0;
        return t.kind === 'store' ? { ...t, base: reg(i), off, src: src(t.src, i) } : { ...t, base: reg(i), off, src: other(i) };
      });
    case 'ja':
      return (t.long ? imm32 : off16).map((off) => ({ ...t, off }));
    case 'may_goto':
      return off16.map((off) => ({ ...t, off }));
    case 'jcond':
      return count(Math.max(22, imm32.length)).map((i) => ({ ...t, dst: reg(i), src: src(t.src, i), off: off16[i % off16.length] ?? 0 }));
    case 'call':
      return imm32.map((imm, i) => ({ ...t, imm, off: t.target === 'kfunc' ? (off16[i] ?? 0) : 0 }));
    case 'exit':
      return [t];
    case 'ldpkt':
      if (t.mode === 'abs') return imm32.map((imm) => ({ ...t, imm }));
      // LD_IND's imm is not in LLVM's text either; most instances keep it 0.
      return count(22).map((i) => ({ ...t, src: reg(i), imm: i % 4 === 3 ? (imm32[i] ?? 0) : 0 }));
  }
}

/** The whole corpus: each form with its instances, in table order. */
export function formCorpus(seed = 1): { form: Form; insns: Insn[] }[] {
  return FORMS.map((form) => ({ form, insns: formInstances(form, seed) }));
}
