// Operand parsers of the LLVM dialect: registers with their width, one-character operator
// sequences, immediates, `(rB + off)` addresses, `(u32 *)` casts and jump targets. Each
// reports what it expected at the offending token and returns undefined.

import type { AccessSize, Width } from '../isa/index.ts';
import type { Cursor, Span } from './cursor.ts';
import type { Token } from './lexer.ts';
import { atomicFunction, regName } from './llvm-format.ts';
import { IMM32, OFF16, OFF32, toInt32, type Range } from './numbers.ts';

export interface RegOperand {
  readonly n: number;
  readonly width: Width;
  readonly token: Token;
}
interface Address {
  readonly base: number;
  readonly off: number;
}

/** Words BPFAsmParser matches case-sensitively (only the first word of a statement is folded). */
export const KEYWORDS = new Set([
  'goto', 'gotol', 'll', 'skb', 'addr_space_cast', 's', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32',
  ...['be', 'le', 'bswap'].flatMap((o) => [16, 32, 64].map((b) => `${o}${b}`)),
  ...['add', 'and', 'or', 'xor'].map((op) => `atomic_fetch_${op}`),
  ...(['xchg', 'cmpxchg'] as const).flatMap((op) => [atomicFunction(op, 8), atomicFunction(op, 4)]),
]);

const REGISTER = /^([rw])(\d+)$/i;

export function isRegister(t: Token | undefined): boolean {
  return t?.kind === 'ident' && REGISTER.test(t.text);
}

/** Reports `expected WHAT` at the current token, with a hint when only its case is wrong. */
export function expected(c: Cursor, what: string, code = 'syntax'): undefined {
  const t = c.peek();
  if (!t) {
    c.ctx.error(c.here(), `expected ${what} at end of line`, code);
    return undefined;
  }
  const lower = t.text.toLowerCase();
  const hint = t.kind === 'ident' && lower !== t.text && (KEYWORDS.has(lower) || REGISTER.test(lower)) ? ` (llvm-mc takes '${lower}' in lower case here)` : '';
  c.ctx.error(t, `expected ${what}, found '${t.text}'${hint}`, code);
  return undefined;
}

export function expect(c: Cursor, text: string, context: string): boolean {
  if (c.accept(text)) return true;
  expected(c, `'${text}' ${context}`);
  return false;
}

export function register(c: Cursor, what: string, first = false): RegOperand | undefined {
  const t = c.peek();
  const m = t && t.kind === 'ident' ? REGISTER.exec(t.text) : null;
  if (!t || !m || (!first && t.text !== t.text.toLowerCase())) return expected(c, what, 'expected-register');
  const letter = (m[1] ?? 'r').toLowerCase();
  const digits = m[2] ?? '';
  const n = Number(digits);
  if (n > 10 || String(n) !== digits) {
    c.ctx.error(t, `'${t.text}' is not a register: BPF has r0-r10 (w0-w10 for their low 32 bits)`, 'bad-register');
    return undefined;
  }
  c.next();
  return { n, width: letter === 'w' ? 32 : 64, token: t };
}

/** Checks that `reg` has `width`, else names the register to write instead. */
export function needWidth(c: Cursor, reg: RegOperand, width: Width, why: string): boolean {
  if (reg.width === width) return true;
  c.ctx.error(reg.token, `${why}: write ${regName(reg.n, width)} instead of ${reg.token.text}`, 'width');
  return false;
}

export function sameWidth(c: Cursor, dst: RegOperand, src: RegOperand): boolean {
  if (src.width === dst.width) return true;
  c.ctx.error(
    src.token,
    `${src.token.text} is ${src.width}-bit but ${dst.token.text} is ${dst.width}-bit: use r registers on both sides for 64 bits or w registers for 32, e.g. ${regName(src.n, dst.width)}`,
    'width',
  );
  return false;
}

export function sameRegister(c: Cursor, dst: RegOperand, src: RegOperand, what: string): boolean {
  if (src.n === dst.n && src.width === dst.width) return true;
  c.ctx.error(src.token, `${what} works in place: the register on the right must be ${dst.token.text}, found ${src.token.text}`, 'operand');
  return false;
}

/** Fetching atomics write the old value back into their source register (RFC 9669 §5.3). */
export function returnsInSource(c: Cursor, dst: RegOperand, src: RegOperand, name: string): boolean {
  if (dst.n === src.n) return true;
  c.ctx.error(dst.token, `${name} returns the old value in its source register: the destination must be ${src.token.text}, found ${dst.token.text}`, 'operand');
  return false;
}

/** An operator spelled by consecutive one-character tokens; the longest candidate wins. */
export function operator(c: Cursor, candidates: readonly string[]): { op: string; span: Span } | undefined {
  for (const op of candidates) {
    if (![...op].every((ch, k) => c.is(ch, k))) continue;
    const first = c.peek();
    let last = first;
    for (let k = 0; k < op.length; k++) last = c.next();
    return { op, span: { col: first?.col ?? 0, endCol: last?.endCol ?? 0 } };
  }
  return undefined;
}

/** An immediate in `range` (also STRUCT.FIELD); `1ll` gets a hint, since llvm-mc reads it as plain 1. */
export function immediate(c: Cursor, range: Range, what: string): { value: bigint; span: Span } | undefined {
  const t = c.peek(c.is('-') || c.is('+') ? 1 : 0);
  if (t?.kind === 'number' && /^\d\w*ll$/i.test(t.text)) {
    c.ctx.error(t, `'${t.text}' is not a number; write '${t.text.slice(0, -2)} ll' (with a space) for a 64-bit immediate`, 'bad-number');
    return undefined;
  }
  return c.int(range, what, 'imm');
}

export function operand(c: Cursor, dst: RegOperand, what: string): { type: 'reg'; reg: RegOperand } | { type: 'imm'; imm: number } | undefined {
  if (isRegister(c.peek())) {
    const src = register(c, 'a register');
    return src && sameWidth(c, dst, src) ? { type: 'reg', reg: src } : undefined;
  }
  const v = immediate(c, IMM32, what);
  return v && { type: 'imm', imm: toInt32(v.value) };
}

/** `rB + OFF` / `rB - OFF`, the inside of a memory operand. */
export function address(c: Cursor): Address | undefined {
  const base = register(c, 'a base register (r0-r10)');
  if (!base || !needWidth(c, base, 64, 'memory is addressed through a 64-bit register')) return undefined;
  if (!c.is('+') && !c.is('-')) return expected(c, "'+' or '-' and an offset, e.g. (r10 - 8)");
  const v = c.int(OFF16, 'an offset', 'off');
  return v && { base: base.n, off: Number(v.value) };
}

export function memory(c: Cursor): Address | undefined {
  if (!expect(c, '(', 'to open the address, e.g. (r10 - 8)')) return undefined;
  const a = address(c);
  return a && expect(c, ')', 'to close the address') ? a : undefined;
}

export const ACCESS_TYPES: ReadonlyMap<string, { size: AccessSize; signed: boolean }> = new Map([
  ['u8', { size: 1, signed: false }],
  ['u16', { size: 2, signed: false }],
  ['u32', { size: 4, signed: false }],
  ['u64', { size: 8, signed: false }],
  ['s8', { size: 1, signed: true }],
  ['s16', { size: 2, signed: true }],
  ['s32', { size: 4, signed: true }],
]);

/** `(u32 *)`: the access type of a load, store or atomic; `allowed` names the legal ones. */
export function pointerType(c: Cursor, allowed: readonly string[]): { size: AccessSize; signed: boolean } | undefined {
  if (!expect(c, '(', `before the access type (${allowed.join(', ')})`)) return undefined;
  const t = c.peek();
  const type = t && allowed.includes(t.text) ? ACCESS_TYPES.get(t.text) : undefined;
  if (!type) return expected(c, `an access type: ${allowed.join(', ')}`);
  c.next();
  return expect(c, '*', 'after the access type') && expect(c, ')', 'to close the cast') ? type : undefined;
}

export function jumpTarget(c: Cursor, long: boolean): { off: number } | { label: Token } | undefined {
  const t = c.peek();
  if (t?.kind === 'ident' && !isRegister(t)) {
    c.next();
    return { label: t };
  }
  const v = c.int(long ? OFF32 : OFF16, 'a jump offset (+N or -N) or a label');
  return v && { off: Number(v.value) };
}
