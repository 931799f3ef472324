// Integer literals and the ranges each instruction field accepts. Literals follow llvm-mc:
// decimal, 0x hex, 0b binary, leading-0 octal and 'c' characters. Unlike llvm-mc, which
// truncates silently, a value outside its field is an error.

export type IntParse = { ok: true; value: bigint } | { ok: false; message: string };

/**
 * Digits (after leading zeros) beyond which a literal exceeds every field, whatever its base:
 * 2^64 has 20 decimal digits, 22 octal, 64 binary. BigInt() of a longer one would cost time
 * quadratic in its length for nothing.
 */
const MAX_DIGITS = 64;

/** `\\n` and the other escapes llvm-mc gives a meaning in a character literal. */
const ESCAPES: ReadonlyMap<string, number> = new Map([
  ['\\b', 8],
  ['\\f', 12],
  ['\\n', 10],
  ['\\r', 13],
  ['\\t', 9],
]);

export function parseIntLiteral(text: string): IntParse {
  const t = text.replace(/_/g, '');
  if (/^(?:0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)$/.test(t) && t.replace(/^0[xXbB]/, '').replace(/^0+/, '').length > MAX_DIGITS) {
    return { ok: false, message: `'${text.slice(0, 24)}…' (${text.length.toLocaleString('en-US')} characters) is too large for any field (at most 64 bits)` };
  }
  let m: RegExpExecArray | null;
  if ((m = /^0[xX]([0-9a-fA-F]+)$/.exec(t))) return { ok: true, value: BigInt(`0x${m[1]}`) };
  if ((m = /^0[bB]([01]+)$/.exec(t))) return { ok: true, value: BigInt(`0b${m[1]}`) };
  if ((m = /^0([0-7]+)$/.exec(t))) return { ok: true, value: BigInt(`0o${m[1]}`) };
  // A leading 0 makes a literal octal (llvm-mc refuses `089` with "unexpected token").
  if (/^0[0-9]+$/.test(t)) return { ok: false, message: `'${text}' is not a number: a leading 0 makes it octal, and 8 and 9 are not octal digits` };
  if (/^[0-9]+$/.test(t)) return { ok: true, value: BigInt(t) };
  if ((m = /^'(\\?.)'$/.exec(t))) {
    // As llvm-mc: \b \f \n \r \t are control characters; any other escaped character stands
    // for itself (so '\0' is the digit 0, 0x30).
    const body = m[1] ?? '';
    const code = body.length === 2 ? (ESCAPES.get(body) ?? body.charCodeAt(1)) : body.charCodeAt(0);
    return { ok: true, value: BigInt(code) };
  }
  return { ok: false, message: `'${text}' is not a number` };
}

export interface Range {
  readonly min: bigint;
  readonly max: bigint;
  /** How the range is named in messages, e.g. "a 32-bit immediate". */
  readonly what: string;
}

/** 32-bit immediates take signed or unsigned 32-bit values (llvm-mc accepts both). */
export const IMM32: Range = { min: -(2n ** 31n), max: 2n ** 32n - 1n, what: 'a 32-bit immediate (-2147483648..4294967295)' };
export const IMM64: Range = { min: -(2n ** 63n), max: 2n ** 64n - 1n, what: 'a 64-bit immediate' };
export const OFF16: Range = { min: -(2n ** 15n), max: 2n ** 15n - 1n, what: 'a 16-bit signed offset (-32768..32767)' };
/** An address space of addr_space_cast: 16 bits, signed or unsigned (llvm-mc keeps the low 16 bits of anything). */
export const AS16: Range = { min: -(2n ** 15n), max: 2n ** 16n - 1n, what: 'an address space (0..65535)' };
export const OFF32: Range = { min: -(2n ** 31n), max: 2n ** 31n - 1n, what: 'a 32-bit signed offset' };

export function inRange(value: bigint, range: Range): boolean {
  return value >= range.min && value <= range.max;
}

/** Two's-complement wrap of a value known to be in a 32-bit range, as a JS int32. */
export function toInt32(value: bigint): number {
  return Number(BigInt.asIntN(32, value));
}

/** Splits a 64-bit value into the imm/imm2 (low/high) signed 32-bit halves of lddw. */
export function splitImm64(value: bigint): { imm: number; imm2: number } {
  const u = BigInt.asUintN(64, value);
  return { imm: Number(BigInt.asIntN(32, u)), imm2: Number(BigInt.asIntN(32, u >> 32n)) };
}

export function joinImm64(imm: number, imm2: number): bigint {
  return (BigInt(imm2 >>> 0) << 32n) | BigInt(imm >>> 0);
}
