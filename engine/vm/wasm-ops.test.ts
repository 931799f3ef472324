// emitWasmOp against the BigInt reference: every handler it covers, in tiny modules built here
// (a minimal encoder: one function (dst: i64, src: i64) -> the new dst or the condition), on
// the edge values, with the source a register (a parameter) and a constant (i64.const).

import { describe, expect, it } from 'vitest';
import type { AluOp, JmpCond, Width } from '../isa/index.ts';
import { ALU_DEFS, COND_DEFS, MEM_DEFS } from '../isa/ops.ts';
import { OP, type OpName } from './interpreter.ts';
import { EDGE_VALUES, refAlu, refBswap, refCond } from './reference.ts';
import { emitWasmAccess, emitWasmOp, wasmAccessOf, wasmOpKind, WASM_I32, WASM_I64, type WasmOpSink } from './wasm-ops.ts';
import { sleb64, uleb } from './wasm.ts';

const M32 = 0xffffffffn;
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

class Sink implements WasmOpSink {
  readonly b: number[] = [];
  op(...codes: number[]): void {
    this.b.push(...codes);
  }
  get(l: number): void {
    this.b.push(0x20);
    uleb(this.b, l);
  }
  set(l: number): void {
    this.b.push(0x21);
    uleb(this.b, l);
  }
  tee(l: number): void {
    this.b.push(0x22);
    uleb(this.b, l);
  }
  i32(v: number): void {
    this.b.push(0x41);
    sleb64(this.b, BigInt(v | 0));
  }
  i64(v: bigint): void {
    this.b.push(0x42);
    sleb64(this.b, v);
  }
  mem(code: number, offset: number): void {
    this.b.push(code, 0);
    uleb(this.b, offset);
  }
  open(code: number, type = 0x40): void {
    this.b.push(code, type);
  }
  else(): void {
    this.b.push(0x05);
  }
  end(): void {
    this.b.push(0x0b);
  }
}

function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  uleb(out, body.length);
  out.push(...body);
}

type Fn = (dst: bigint, src: bigint) => bigint | number;

/** The handler as a function of (dst, src); `constant`: the source is that constant instead of the parameter. */
function build(op: number, imm: number, constant?: bigint): Fn {
  const w = new Sink();
  const covered = emitWasmOp(w, op, {
    dst: 0,
    src64: () => (constant === undefined ? w.get(1) : w.i64(constant)),
    src32: () => (constant === undefined ? (w.get(1), w.op(0xa7)) : w.i32(Number(BigInt.asIntN(32, constant)))),
    imm,
    scratch32: 2,
  });
  expect(covered).toBe(true);
  const isCond = wasmCond(op);
  if (!isCond) w.get(0);
  w.end();
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  section(out, 1, [1, 0x60, 2, WASM_I64, WASM_I64, 1, isCond ? WASM_I32 : WASM_I64]);
  section(out, 3, [1, 0]);
  section(out, 7, [1, 1, 0x66, 0x00, 0]);
  const fn = [1, 1, WASM_I32, ...w.b];
  const code = [1];
  uleb(code, fn.length);
  code.push(...fn);
  section(out, 10, code);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.from(out)));
  return instance.exports['f'] as Fn;
}

const wasmCond = (op: number): boolean => wasmOpKind(op) === 'cond';

/** A load or store handler in a module with one page of memory: (address: i32, src: i64) -> a load's value (a store: 0). */
function buildAccess(name: string, offset: number): { f: (a: number, src: bigint) => bigint; bytes: Uint8Array } {
  const def = wasmAccessOf(OP[name as OpName]);
  if (!def) throw new Error(`${name}: no definition`);
  const w = new Sink();
  w.get(0);
  emitWasmAccess(w, def, { dst: 2, src64: () => w.get(1), src32: () => (w.get(1), w.op(0xa7)), imm: 0, scratch32: 3 }, offset);
  if (def.kind === 'store') w.i64(0n);
  w.end();
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  section(out, 1, [1, 0x60, 2, WASM_I32, WASM_I64, 1, WASM_I64]);
  section(out, 3, [1, 0]);
  section(out, 5, [1, 0x00, 1]);
  section(out, 7, [2, 1, 0x66, 0x00, 0, 1, 0x6d, 0x02, 0]);
  const fn = [2, 1, WASM_I64, 1, WASM_I32, ...w.b];
  const code = [1];
  uleb(code, fn.length);
  code.push(...fn);
  section(out, 10, code);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.from(out)));
  const memory = instance.exports['m'] as WebAssembly.Memory;
  return { f: instance.exports['f'] as (a: number, src: bigint) => bigint, bytes: new Uint8Array(memory.buffer) };
}

/** The reference for an ALU handler: the new dst from dst, src and the constant shift amount. */
function refHandler(name: string, a: bigint, b: bigint, k: number): bigint {
  const m = /^(ADD|SUB|MUL|DIV|SDIV|MOD|SMOD|OR|AND|XOR|LSH|RSH|ARSH|MOV)(64|32)$/.exec(name);
  if (m) return refAlu((m[1] ?? '').toLowerCase() as AluOp, Number(m[2]) as Width, a, b);
  const sx = (bits: number, width: number): bigint => BigInt.asUintN(width, BigInt.asIntN(bits, b));
  const shift = /^(LSH|RSH|ARSH)(64_KLO|64_KHI|32_K)$/.exec(name);
  if (shift) return refAlu((shift[1] ?? '').toLowerCase() as AluOp, shift[2] === '32_K' ? 32 : 64, a, BigInt(k));
  switch (name) {
    case 'NEG64':
      return refAlu('sub', 64, 0n, a);
    case 'NEG32':
      return refAlu('sub', 32, 0n, a);
    case 'MOVSX64_8':
      return sx(8, 64);
    case 'MOVSX64_16':
      return sx(16, 64);
    case 'MOVSX64_32':
      return sx(32, 64);
    case 'MOVSX32_8':
      return sx(8, 32);
    case 'MOVSX32_16':
      return sx(16, 32);
    case 'NOP':
      return a;
    case 'ZEXT32':
    case 'LE32':
      return a & M32;
    case 'LE16':
      return a & 0xffffn;
    case 'SWAP16':
      return refBswap(a, 16);
    case 'SWAP32':
      return refBswap(a, 32);
    case 'SWAP64':
      return refBswap(a, 64);
  }
  throw new Error(`no reference for ${name}`);
}

const IMMS = EDGE_VALUES.filter((v) => BigInt.asIntN(64, v) >= -(2n ** 31n) && BigInt.asIntN(64, v) < 2n ** 31n);
const ALU_NAMES = Object.keys(ALU_DEFS).filter((n) => !/_K/.test(n));
const SHIFT_K = Object.keys(ALU_DEFS).filter((n) => /_K/.test(n));

describe('emitWasmOp', () => {
  it.each(ALU_NAMES)('%s matches the reference on edge values, source a register and a constant', (name) => {
    const op = OP[name as OpName];
    const f = build(op, 0);
    for (const a of EDGE_VALUES) {
      for (const b of EDGE_VALUES) {
        expect(u64(BigInt(f(a, b))), `${name} 0x${a.toString(16)}, 0x${b.toString(16)}`).toBe(refHandler(name, a, b, 0));
      }
    }
    // A constant slot holds an immediate sign-extended (64-bit forms) or as is (32-bit ones).
    for (const b of IMMS) {
      const c = name.includes('32') ? BigInt.asIntN(32, b) & M32 : b;
      const g = build(op, 0, c);
      for (const a of EDGE_VALUES) expect(u64(BigInt(g(a, 0n))), `${name} 0x${a.toString(16)}, const 0x${c.toString(16)}`).toBe(refHandler(name, a, c, 0));
    }
  });

  it.each(SHIFT_K)('%s matches the reference for every amount it takes', (name) => {
    const op = OP[name as OpName];
    const amounts = name.endsWith('KHI') ? [32, 33, 40, 63] : [1, 2, 7, 16, 31];
    for (const k of amounts) {
      const f = build(op, name.endsWith('KHI') ? k - 32 : k);
      for (const a of EDGE_VALUES) expect(u64(BigInt(f(a, 0n))), `${name} 0x${a.toString(16)} by ${k}`).toBe(refHandler(name, a, 0n, k));
    }
  });

  it.each(Object.keys(COND_DEFS))('%s matches the reference on edge values', (name) => {
    const m = /^(J[A-Z]+)(64|32)$/.exec(name);
    const cond = (m?.[1] ?? '').toLowerCase() as JmpCond;
    const width = Number(m?.[2]) as Width;
    const f = build(OP[name as OpName], 0);
    for (const a of EDGE_VALUES) {
      for (const b of EDGE_VALUES) expect(f(a, b) !== 0, `${name} 0x${a.toString(16)}, 0x${b.toString(16)}`).toBe(refCond(cond, width, a, b));
    }
  });

  // The reference: little-endian bytes, extended as each handler's name says; a store writes the
  // low bytes of src and nothing around them.
  it.each(Object.keys(MEM_DEFS))('%s reads or writes the bytes the reference does', (name) => {
    const m = /^(LDXS?|ST)(B|H|W|DW)$/.exec(name);
    const size = { B: 1, H: 2, W: 4, DW: 8 }[m?.[2] ?? 'B'] ?? 1;
    const signed = m?.[1] === 'LDXS';
    const { f, bytes } = buildAccess(name, 3);
    const fill = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 0x81) & 0xff);
    for (const at of [0, 5, 17, 40]) {
      for (const v of EDGE_VALUES) {
        bytes.set(fill);
        const r = f(at, BigInt.asIntN(64, v));
        let raw = 0n;
        for (let i = size - 1; i >= 0; i--) raw = (raw << 8n) | BigInt(fill[at + 3 + i] ?? 0);
        if (name.startsWith('LDX')) {
          expect(u64(r), `${name} at ${at}`).toBe(signed ? u64(BigInt.asIntN(size * 8, raw)) : raw);
          expect(bytes.slice(0, 64), `${name} wrote nothing`).toEqual(fill);
          continue;
        }
        const want = Uint8Array.from(fill);
        for (let i = 0; i < size; i++) want[at + 3 + i] = Number((u64(v) >> BigInt(8 * i)) & 0xffn);
        expect(bytes.slice(0, 64), `${name} of 0x${u64(v).toString(16)} at ${at}`).toEqual(want);
      }
    }
  });

  it('covers every ALU handler and condition, and nothing else', () => {
    for (const [name, op] of Object.entries(OP)) {
      const defined = ALU_DEFS[name] !== undefined || COND_DEFS[name] !== undefined;
      expect(wasmOpKind(op), name).toBe(ALU_DEFS[name] !== undefined ? 'alu' : COND_DEFS[name] !== undefined ? 'cond' : undefined);
      if (!defined) expect(emitWasmOp(new Sink(), op, { dst: 0, src64: () => undefined, src32: () => undefined, imm: 0, scratch32: 0 }), name).toBe(false);
    }
  });
});
