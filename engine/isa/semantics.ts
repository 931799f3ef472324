// The concrete instruction semantics in BigInt (64-bit registers), written from RFC 9669 and
// kernel-facts §1.4: the interpreter's tests compare against it and the verifier's abstract
// domains are checked for soundness against it. It is never used to run programs.

import type { AluOp, JmpCond, Width } from './insn.ts';

const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;

const u = (v: bigint, w: Width): bigint => BigInt.asUintN(w, v);
const s = (v: bigint, w: Width): bigint => BigInt.asIntN(w, v);

/** dst op src; `src` is already sign-extended (64-bit imm) or the register value. */
export function refAlu(op: AluOp, width: Width, dst: bigint, src: bigint): bigint {
  const a = u(dst, width);
  const b = u(src, width);
  const mask = width === 64 ? 63n : 31n;
  let r: bigint;
  switch (op) {
    case 'add':
      r = a + b;
      break;
    case 'sub':
      r = a - b;
      break;
    case 'mul':
      r = a * b;
      break;
    case 'div':
      r = b === 0n ? 0n : a / b;
      break;
    case 'mod':
      r = b === 0n ? a : a % b;
      break;
    case 'sdiv':
      r = b === 0n ? 0n : s(a, width) / s(b, width);
      break;
    case 'smod':
      r = b === 0n ? a : s(a, width) % s(b, width);
      break;
    case 'or':
      r = a | b;
      break;
    case 'and':
      r = a & b;
      break;
    case 'xor':
      r = a ^ b;
      break;
    case 'mov':
      r = b;
      break;
    case 'lsh':
      r = a << (b & mask);
      break;
    case 'rsh':
      r = a >> (b & mask);
      break;
    case 'arsh':
      r = s(a, width) >> (b & mask);
      break;
  }
  // 32-bit results are zero-extended into the 64-bit register.
  return u(r, width) & (width === 64 ? M64 : M32);
}

export function refCond(cond: JmpCond, width: Width, dst: bigint, src: bigint): boolean {
  const a = u(dst, width);
  const b = u(src, width);
  const sa = s(a, width);
  const sb = s(b, width);
  switch (cond) {
    case 'jeq':
      return a === b;
    case 'jne':
      return a !== b;
    case 'jgt':
      return a > b;
    case 'jge':
      return a >= b;
    case 'jlt':
      return a < b;
    case 'jle':
      return a <= b;
    case 'jsgt':
      return sa > sb;
    case 'jsge':
      return sa >= sb;
    case 'jslt':
      return sa < sb;
    case 'jsle':
      return sa <= sb;
    case 'jset':
      return (a & b) !== 0n;
  }
}

export function refBswap(v: bigint, bits: 16 | 32 | 64): bigint {
  let r = 0n;
  for (let i = 0; i < bits / 8; i++) r = (r << 8n) | ((v >> BigInt(i * 8)) & 0xffn);
  return r;
}
