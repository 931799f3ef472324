// Parses one statement of the LLVM BPF syntax as llvm-mc-19 -triple bpfel -mcpu=v4 reads it,
// plus the playground's `call NAME`, `rX = MAP ll` and STRUCT.FIELD operands. BPFAsmParser
// sees a statement as registers, one-character operators, keywords and immediates, so
// spacing never matters: `r1+=r2`, `r1 + = r2` and `r1 s >>= 3` are all accepted.

import type { AccessSize, AluOp, AtomicOp, JmpCond, Width } from '../isa/index.ts';
import { Cursor } from './cursor.ts';
import type { ParsedInsn } from './dialect.ts';
import type { Token } from './lexer.ts';
import { ALU_OPERATOR, JMP_OPERATOR, LOCK_OPERATOR, regName } from './llvm-format.ts';
import {
  ACCESS_TYPES, KEYWORDS, address, expect, expected, immediate, isRegister, jumpTarget, memory, needWidth, operand, operator,
  pointerType, register, returnsInSource, sameRegister, sameWidth, type RegOperand,
} from './llvm-operands.ts';
import { AS16, IMM32, IMM64, inRange, splitImm64, toInt32, type Range } from './numbers.ts';

function invert<K extends string>(table: Readonly<Record<K, string>>): Map<string, K> {
  return new Map(Object.entries(table).map(([k, v]) => [v as string, k as K]));
}
const ALU_BY_OPERATOR = invert<AluOp>(ALU_OPERATOR);
const JMP_BY_OPERATOR = invert<JmpCond>(JMP_OPERATOR);
const LOCK_BY_OPERATOR = invert<'add' | 'or' | 'and' | 'xor'>(LOCK_OPERATOR);
const PSEUDO: Range = { min: 0n, max: 6n, what: 'a pseudo source 0-6 (RFC 9669 §5.4)' };

/** Linux instructions outside RFC 9669 that llvm-mc knows; named so the user learns why. */
const NOT_RFC: ReadonlyMap<string, string> = new Map([
  ['load_acquire', 'load_acquire is a Linux 6.15 extension (BPF_LOAD_ACQ), not in RFC 9669; the playground does not support it'],
  ['store_release', 'store_release is a Linux 6.15 extension (BPF_STORE_REL), not in RFC 9669; the playground does not support it'],
]);

const longestFirst = (ops: Iterable<string>): string[] => [...ops].sort((a, b) => b.length - a.length);
const ALU_OPS = longestFirst(ALU_BY_OPERATOR.keys());
const JMP_OPS = longestFirst(JMP_BY_OPERATOR.keys());
const LOCK_OPS = longestFirst(LOCK_BY_OPERATOR.keys());
const UNSIGNED = ['u8', 'u16', 'u32', 'u64'];
const ATOMIC_TYPES = ['u32', 'u64'];

export function parseLlvm(cursor: Cursor): ParsedInsn | undefined {
  const tokens: Token[] = [];
  for (let t = cursor.next(); t; t = cursor.next()) {
    // LLVM's lexer has no `+=` or `s>>=`: operators reach BPFAsmParser one character at a time.
    if (t.kind === 'punct' && t.text.length > 1) {
      [...t.text].forEach((ch, k) => tokens.push({ kind: 'punct', text: ch, col: t.col + k, endCol: t.col + k + 1 }));
    } else {
      tokens.push(t);
    }
  }
  const c = new Cursor(tokens, cursor.ctx, cursor.here().col);
  const parsed = statement(c);
  if (!parsed) return undefined;
  const rest = c.peek();
  if (rest?.kind === 'ident' && KEYWORDS.has(rest.text.toLowerCase()) && rest.text !== rest.text.toLowerCase()) {
    return expected(c, 'the end of the instruction');
  }
  return c.end() ? parsed : undefined;
}

function statement(c: Cursor): ParsedInsn | undefined {
  const head = c.peek();
  // BPFAsmParser folds the case of the first word only: `EXIT`, `Goto +1` and `R1 = 1` pass.
  const word = head?.kind === 'ident' ? head.text.toLowerCase() : head?.text;
  const notRfc = word === undefined ? undefined : NOT_RFC.get(word);
  if (head && notRfc) {
    c.ctx.error(head, notRfc, 'unsupported');
    return undefined;
  }
  switch (word) {
    case 'exit':
      c.next();
      return { insn: { kind: 'exit' } };
    case 'call':
      c.next();
      return call(c);
    case 'callx':
      c.ctx.error(head ?? c.here(), 'callx (call through a register) is not supported: it is not in RFC 9669 and Linux rejects it', 'unsupported');
      return undefined;
    case 'goto':
    case 'gotol': {
      c.next();
      const long = word === 'gotol';
      const t = jumpTarget(c, long);
      if (!t) return undefined;
      if ('label' in t) return { insn: { kind: 'ja', long, off: 0 }, fixup: { kind: 'jump', label: t.label.text, span: t.label } };
      return { insn: { kind: 'ja', long, off: t.off } };
    }
    case 'may_goto': {
      c.next();
      const t = jumpTarget(c, false);
      if (!t) return undefined;
      if ('label' in t) return { insn: { kind: 'may_goto', off: 0 }, fixup: { kind: 'jump', label: t.label.text, span: t.label } };
      return { insn: { kind: 'may_goto', off: t.off } };
    }
    case 'if':
      c.next();
      return conditional(c);
    case 'lock':
      c.next();
      return lock(c);
    case 'ld_pseudo':
      c.next();
      return ldPseudo(c);
    case '*':
      return store(c);
  }
  if (isRegister(head)) return assignment(c);
  return expected(c, 'an instruction: rN = …, *(u32 *)(rN + off) = …, if, goto, gotol, may_goto, call, lock, ld_pseudo or exit');
}

function call(c: Cursor): ParsedInsn | undefined {
  const t = c.peek();
  if (isRegister(t)) {
    c.ctx.error(t ?? c.here(), 'call takes a helper number or a function name; callx (call through a register) is not supported: it is not in RFC 9669 and Linux rejects it', 'unsupported');
    return undefined;
  }
  if (t?.kind === 'ident') {
    c.next();
    return { insn: { kind: 'call', target: 'helper', imm: 0, off: 0 }, fixup: { kind: 'call', name: t.text, span: t } };
  }
  const v = c.int(IMM32, 'a helper number, a function name or a label');
  return v && { insn: { kind: 'call', target: 'helper', imm: toInt32(v.value), off: 0 } };
}

function conditional(c: Cursor): ParsedInsn | undefined {
  const dst = register(c, 'a register to compare');
  if (!dst) return undefined;
  const op = operator(c, JMP_OPS);
  const cond = op && JMP_BY_OPERATOR.get(op.op);
  if (!cond) return expected(c, 'a comparison: ==, !=, >, >=, <, <=, s>, s>=, s<, s<= or &');
  const src = operand(c, dst, 'a register or an immediate to compare with');
  if (!src) return undefined;
  if (!c.accept('goto')) return expected(c, "'goto' and a target");
  const t = jumpTarget(c, false);
  if (!t) return undefined;
  const insn = {
    kind: 'jcond' as const,
    width: dst.width,
    cond,
    dst: dst.n,
    src: src.type === 'reg' ? { type: 'reg' as const, reg: src.reg.n } : src,
    off: 'off' in t ? t.off : 0,
  };
  return 'label' in t ? { insn, fixup: { kind: 'jump', label: t.label.text, span: t.label } } : { insn };
}

function lock(c: Cursor): ParsedInsn | undefined {
  if (!expect(c, '*', "after 'lock', as in lock *(u64 *)(r1 + 0) += r2")) return undefined;
  const type = pointerType(c, ATOMIC_TYPES);
  const a = type && memory(c);
  if (!type || !a) return undefined;
  const op = operator(c, LOCK_OPS);
  const atomicOp = op && LOCK_BY_OPERATOR.get(op.op);
  if (!atomicOp) return expected(c, 'an atomic operator: +=, |=, &= or ^=');
  const src = register(c, 'a source register');
  if (!src) return undefined;
  const size = type.size === 8 ? 8 : 4;
  // The 32-bit add also takes an r register: it is the old XADDW, whose operand was a GPR.
  if (!(size === 4 && atomicOp === 'add') && !needWidth(c, src, size === 8 ? 64 : 32, `a ${size * 8}-bit atomic takes ${size === 8 ? 'r' : 'w'} registers`)) return undefined;
  return { insn: { kind: 'atomic', size, op: atomicOp, fetch: false, base: a.base, off: a.off, src: src.n } };
}

function ldPseudo(c: Cursor): ParsedInsn | undefined {
  const dst = register(c, 'a destination register');
  if (!dst || !needWidth(c, dst, 64, 'ld_pseudo loads 64 bits')) return undefined;
  if (!expect(c, ',', 'after the register')) return undefined;
  const pseudo = c.int(PSEUDO, 'the pseudo source (src_reg) 0-6');
  if (!pseudo || !expect(c, ',', 'after the pseudo source')) return undefined;
  const imm = c.int(IMM32, 'the immediate');
  return imm && { insn: { kind: 'ldimm64', dst: dst.n, pseudo: Number(pseudo.value), imm: toInt32(imm.value), imm2: 0 } };
}

function store(c: Cursor): ParsedInsn | undefined {
  c.next();
  const type = pointerType(c, UNSIGNED);
  const a = type && memory(c);
  if (!type || !a || !expect(c, '=', 'after the address')) return undefined;
  if (isRegister(c.peek())) {
    const src = register(c, 'a register');
    if (!src || (type.size === 8 && !needWidth(c, src, 64, 'a 64-bit store takes an r register'))) return undefined;
    return { insn: { kind: 'store', size: type.size, base: a.base, off: a.off, src: { type: 'reg', reg: src.n } } };
  }
  const v = immediate(c, IMM32, 'a register or an immediate to store');
  return v && { insn: { kind: 'store', size: type.size, base: a.base, off: a.off, src: { type: 'imm', imm: toInt32(v.value) } } };
}

function assignment(c: Cursor): ParsedInsn | undefined {
  const dst = register(c, 'a register', true);
  if (!dst) return undefined;
  const op = operator(c, ALU_OPS);
  const aluOp = op && ALU_BY_OPERATOR.get(op.op);
  if (!aluOp) return expected(c, `an assignment after ${dst.token.text}: =, +=, -=, *=, /=, %=, s/=, s%=, |=, &=, ^=, <<=, >>= or s>>=`);
  if (aluOp !== 'mov') {
    const src = operand(c, dst, 'a register or an immediate');
    if (!src) return undefined;
    return { insn: { kind: 'alu', width: dst.width, op: aluOp, dst: dst.n, src: src.type === 'reg' ? { type: 'reg', reg: src.reg.n } : src } };
  }
  return rightHandSide(c, dst);
}

/** Everything that can follow `rN =`. */
function rightHandSide(c: Cursor, dst: RegOperand): ParsedInsn | undefined {
  const t = c.peek();
  if (c.is('*')) return load(c, dst);
  if (c.is('(')) return movsx(c, dst);
  if (c.is('-') && isRegister(c.peek(1))) {
    c.next();
    const src = register(c, 'a register');
    return src && sameRegister(c, dst, src, 'neg') ? { insn: { kind: 'neg', width: dst.width, dst: dst.n } } : undefined;
  }
  if (t?.kind === 'ident') {
    if (t.text !== t.text.toLowerCase() && KEYWORDS.has(t.text.toLowerCase())) return expected(c, "a register, a number or an expression after '='");
    const notRfc = NOT_RFC.get(t.text);
    if (notRfc) {
      c.ctx.error(t, notRfc, 'unsupported');
      return undefined;
    }
    if (t.text === 'addr_space_cast') return addrSpaceCast(c, dst);
    const swap = /^(le|be|bswap)(16|32|64)$/.exec(t.text);
    if (swap) return byteSwap(c, dst, swap[1] as 'le' | 'be' | 'bswap', Number(swap[2]) as 16 | 32 | 64);
    const fetch = /^atomic_fetch_(add|and|or|xor)$/.exec(t.text);
    if (fetch) return atomicFetch(c, dst, fetch[1] as AtomicOp);
    const swapFn = /^(xchg|cmpxchg)(_64|32_32)$/.exec(t.text);
    if (swapFn) return exchange(c, dst, swapFn[1] as 'xchg' | 'cmpxchg', swapFn[2] === '_64' ? 8 : 4);
    if (isRegister(t)) {
      const src = register(c, 'a register');
      return src && sameWidth(c, dst, src) ? { insn: { kind: 'alu', width: dst.width, op: 'mov', dst: dst.n, src: { type: 'reg', reg: src.n } } } : undefined;
    }
    if (!t.text.includes('.')) return mapLoad(c, dst, t);
  }
  const v = immediate(c, IMM64, 'a register, a number or a memory operand like *(u32 *)(r1 + 0)');
  if (!v) return undefined;
  if (c.accept('ll')) {
    if (!needWidth(c, dst, 64, 'a 64-bit immediate (ll) needs an r register')) return undefined;
    return { insn: { kind: 'ldimm64', dst: dst.n, pseudo: 0, ...splitImm64(v.value) } };
  }
  if (!inRange(v.value, IMM32)) {
    c.ctx.error(v.span, `${v.value} does not fit ${IMM32.what}; write '${dst.token.text} = ${v.value} ll' for a 64-bit immediate`, 'out-of-range');
    return undefined;
  }
  return { insn: { kind: 'alu', width: dst.width, op: 'mov', dst: dst.n, src: { type: 'imm', imm: toInt32(v.value) } } };
}

/** `rX = NAME ll`: the address of a `.map` (BPF_PSEUDO_MAP_FD), resolved by the assembler. */
function mapLoad(c: Cursor, dst: RegOperand, name: Token): ParsedInsn | undefined {
  c.next();
  if (!c.accept('ll')) {
    c.ctx.error(name, `'${name.text}' is not a register or a number; to load a map write ${regName(dst.n, 64)} = ${name.text} ll`, 'syntax');
    return undefined;
  }
  if (!needWidth(c, dst, 64, 'a map address (ll) needs an r register')) return undefined;
  return { insn: { kind: 'ldimm64', dst: dst.n, pseudo: 1, imm: 0, imm2: 0 }, fixup: { kind: 'map', name: name.text, span: name } };
}

function load(c: Cursor, dst: RegOperand): ParsedInsn | undefined {
  c.next();
  const type = pointerType(c, [...ACCESS_TYPES.keys()]);
  if (!type) return undefined;
  if (c.is('skb')) return packetLoad(c, dst, type.size, type.signed);
  const a = memory(c);
  if (!a) return undefined;
  if (type.signed && !needWidth(c, dst, 64, 'a sign-extending load fills 64 bits')) return undefined;
  if (type.size === 8 && !needWidth(c, dst, 64, 'a 64-bit load needs an r register')) return undefined;
  // `r1 = *(u32 *)…` and `w1 = *(u32 *)…` are one instruction: loads zero-extend anyway.
  return { insn: { kind: 'load', size: type.size, signExtend: type.signed, dst: dst.n, base: a.base, off: a.off } };
}

/** `r0 = *(u16 *)skb[8]` (BPF_ABS) and `r0 = *(u16 *)skb[r1]` (BPF_IND, imm 0). */
function packetLoad(c: Cursor, dst: RegOperand, size: AccessSize, signed: boolean): ParsedInsn | undefined {
  const skb = c.next() ?? c.here();
  if (signed || size === 8) {
    c.ctx.error(skb, 'packet loads (skb[…]) take u8, u16 or u32', 'operand');
    return undefined;
  }
  if (dst.n !== 0 || dst.width !== 64) {
    c.ctx.error(dst.token, `packet loads (skb[…]) always write r0, found ${dst.token.text}`, 'operand');
    return undefined;
  }
  if (!expect(c, '[', "after 'skb'")) return undefined;
  let insn: ParsedInsn['insn'];
  if (isRegister(c.peek())) {
    const src = register(c, 'a register');
    if (!src || !needWidth(c, src, 64, 'the packet offset register is 64-bit')) return undefined;
    insn = { kind: 'ldpkt', mode: 'ind', size, src: src.n, imm: 0 };
  } else {
    const v = immediate(c, IMM32, 'an offset or a register');
    if (!v) return undefined;
    insn = { kind: 'ldpkt', mode: 'abs', size, src: 0, imm: toInt32(v.value) };
  }
  return expect(c, ']', 'to close skb[…]') ? { insn } : undefined;
}

function movsx(c: Cursor, dst: RegOperand): ParsedInsn | undefined {
  c.next();
  const allowed = dst.width === 64 ? ['s8', 's16', 's32'] : ['s8', 's16'];
  const t = c.peek();
  if (!t || !allowed.includes(t.text)) return expected(c, `a sign-extension type for ${dst.token.text}: ${allowed.join(', ')}`);
  c.next();
  if (!expect(c, ')', 'after the type')) return undefined;
  const src = register(c, 'a source register');
  if (!src || !sameWidth(c, dst, src)) return undefined;
  return { insn: { kind: 'movsx', width: dst.width, bits: Number(t.text.slice(1)) as 8 | 16 | 32, dst: dst.n, src: src.n } };
}

/** `rD = addr_space_cast(rS, DST_AS, SRC_AS)`: r registers only, as llvm-mc takes it. */
function addrSpaceCast(c: Cursor, dst: RegOperand): ParsedInsn | undefined {
  c.next();
  if (!needWidth(c, dst, 64, 'addr_space_cast takes r registers') || !expect(c, '(', 'after addr_space_cast')) return undefined;
  const src = register(c, 'the register to cast');
  if (!src || !needWidth(c, src, 64, 'addr_space_cast takes r registers') || !expect(c, ',', 'after the register')) return undefined;
  const dstAs = c.int(AS16, 'the destination address space');
  if (!dstAs || !expect(c, ',', 'after the destination address space')) return undefined;
  const srcAs = c.int(AS16, 'the source address space');
  if (!srcAs || !expect(c, ')', 'to close addr_space_cast(…)')) return undefined;
  const as16 = (v: bigint): number => Number(BigInt.asUintN(16, v));
  return { insn: { kind: 'addr_space_cast', dst: dst.n, src: src.n, dstAs: as16(dstAs.value), srcAs: as16(srcAs.value) } };
}

function byteSwap(c: Cursor, dst: RegOperand, order: 'le' | 'be' | 'bswap', bits: 16 | 32 | 64): ParsedInsn | undefined {
  const name = c.next()?.text ?? order;
  if (!needWidth(c, dst, 64, `${name} takes r registers`)) return undefined;
  const src = register(c, `the register to swap (${dst.token.text})`);
  return src && sameRegister(c, dst, src, name) ? { insn: { kind: 'end', order, bits, dst: dst.n } } : undefined;
}

function atomicFetch(c: Cursor, dst: RegOperand, op: AtomicOp): ParsedInsn | undefined {
  const name = c.next()?.text ?? op;
  if (!expect(c, '(', `after ${name}`)) return undefined;
  const type = pointerType(c, ATOMIC_TYPES);
  const a = type && memory(c);
  if (!type || !a || !expect(c, ',', 'after the address')) return undefined;
  const src = register(c, 'the source register');
  if (!src || !expect(c, ')', `to close ${name}(…)`)) return undefined;
  const size = type.size === 8 ? 8 : 4;
  const width: Width = size === 8 ? 64 : 32;
  const why = `a ${width}-bit atomic takes ${width === 64 ? 'r' : 'w'} registers`;
  if (!needWidth(c, dst, width, why) || !needWidth(c, src, width, why)) return undefined;
  if (!returnsInSource(c, dst, src, name)) return undefined;
  return { insn: { kind: 'atomic', size, op, fetch: true, base: a.base, off: a.off, src: src.n } };
}

/** `rS = xchg_64(rB + off, rS)` and `r0 = cmpxchg_64(rB + off, r0, rS)` (and the 32-bit forms). */
function exchange(c: Cursor, dst: RegOperand, op: 'xchg' | 'cmpxchg', size: 4 | 8): ParsedInsn | undefined {
  const name = c.next()?.text ?? op;
  const width: Width = size === 8 ? 64 : 32;
  const why = `${name} takes ${width === 64 ? 'r' : 'w'} registers`;
  if (!needWidth(c, dst, width, why) || !expect(c, '(', `after ${name}`)) return undefined;
  const a = address(c);
  if (!a || !expect(c, ',', 'after the address')) return undefined;
  if (op === 'cmpxchg') {
    // cmpxchg compares with and returns into r0 (RFC 9669 §5.3): both places must say so.
    if (dst.n !== 0) {
      c.ctx.error(dst.token, `${name} returns the old value in ${regName(0, width)}, found ${dst.token.text}`, 'operand');
      return undefined;
    }
    const r0 = register(c, `${regName(0, width)} (the expected old value)`);
    if (!r0) return undefined;
    if (r0.n !== 0 || r0.width !== width) {
      c.ctx.error(r0.token, `${name} compares with ${regName(0, width)}: the second argument must be ${regName(0, width)}, found ${r0.token.text}`, 'operand');
      return undefined;
    }
    if (!expect(c, ',', `after ${regName(0, width)}`)) return undefined;
  }
  const src = register(c, 'the source register');
  if (!src || !needWidth(c, src, width, why) || !expect(c, ')', `to close ${name}(…)`)) return undefined;
  if (op === 'xchg' && !returnsInSource(c, dst, src, name)) return undefined;
  return { insn: { kind: 'atomic', size, op, fetch: true, base: a.base, off: a.off, src: src.n } };
}
