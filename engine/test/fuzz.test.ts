// Seeded, bounded fuzzing: random bytes into the decoder, disassembler and interpreter, random
// and mutated text into the assembler. Nothing may throw; every failure must come back as a
// diagnostic or an error value. Each case is reproducible from its printed seed.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, disassemble } from '../asm/index.ts';
import { decodeProgram, encodeInsn, FORMS, readRaw, decodeAt, type Insn, type RawInsn } from '../isa/index.ts';
import { runRaw } from '../vm/index.ts';
import { Rng } from './kernel/rng.ts';
import { CONFORMANCE_DIR, sharedAvailable } from './shared.ts';

const OPCODES = [...new Set(FORMS.map((f) => f.opcode))];

function randomBytes(rng: Rng): Uint8Array {
  const slots = rng.below(12);
  const extra = rng.chance(0.1) ? rng.below(8) : 0;
  const bytes = new Uint8Array(slots * 8 + extra);
  for (let i = 0; i < bytes.length; i++) bytes[i] = rng.below(256);
  // Half the slots get a real opcode and small fields so decoding gets past the first byte.
  for (let s = 0; s < slots; s++) {
    if (!rng.chance(0.6)) continue;
    bytes[s * 8] = OPCODES[rng.below(OPCODES.length)] ?? 0;
    if (rng.chance(0.7)) bytes[s * 8 + 1] = rng.below(11) | (rng.below(11) << 4);
    if (rng.chance(0.5)) {
      bytes[s * 8 + 2] = rng.below(8);
      bytes[s * 8 + 3] = rng.chance(0.2) ? 0xff : 0;
    }
  }
  if (slots > 0 && rng.chance(0.5)) bytes.set([0x95, 0, 0, 0, 0, 0, 0, 0], (slots - 1) * 8);
  return bytes;
}

const VOCAB = [
  'r0', 'r1', 'r10', 'w3', 'r11', '%r0', '%r2', '%r10', '%r16', '=', '+=', '-=', 's>>=', '<<=', '*', '(', ')', '[', ']', ',', ':', '+', '-',
  'if', 'goto', 'gotol', 'call', 'exit', 'lock', 'll', 'u8', 'u16', 'u32', 'u64', 's8', 's32', '*(u32 *)', '(r1 + 8)', 'be16', 'bswap64',
  'mov', 'mov32', 'add', 'lddw', 'ldxw', 'stxdw', 'jeq', 'jne32', 'ja', 'ja32', 'fetch', 'xchg', 'cmpxchg', 'neg', 'movsx832',
  '0', '1', '-1', '0x7fffffff', '0xffffffffffffffff', '4294967296', '99999999999999999999999', "'a'", '0b102', '08', '1e5',
  'L1', 'L1:', 'exit:', 'foo', 'xdp_md.data', 'task.nope', '.section', 'xdp', '.map', 'm', 'type=array', 'key=4', 'value=8',
  'max_entries=0', 'kptr=3:x', '.license', '"GPL"', '"', '/*', '*/', '#', ';', '//', '\t', '\u00e9', '\u{1f600}', '\\', '@', '`',
];

function randomText(rng: Rng): string {
  const lines: string[] = [];
  const n = rng.below(8);
  for (let l = 0; l < n; l++) {
    const words: string[] = [];
    const k = rng.below(9);
    for (let i = 0; i < k; i++) words.push(VOCAB[rng.below(VOCAB.length)] ?? '');
    lines.push(words.join(rng.chance(0.8) ? ' ' : ''));
  }
  return lines.join(rng.chance(0.9) ? '\n' : '\r\n');
}

function mutate(rng: Rng, text: string): string {
  let t = text;
  const edits = 1 + rng.below(4);
  for (let e = 0; e < edits; e++) {
    const at = rng.below(t.length + 1);
    const what = rng.below(3);
    if (what === 0) t = t.slice(0, at) + t.slice(at + 1 + rng.below(4));
    else if (what === 1) t = t.slice(0, at) + (VOCAB[rng.below(VOCAB.length)] ?? '') + t.slice(at);
    else t = t.slice(0, at) + String.fromCharCode(rng.below(128)) + t.slice(at + 1);
  }
  return t;
}

function checkDiagnostics(text: string, result: ReturnType<typeof assemble>): void {
  const lines = text.split(/\r\n?|\n/).length;
  for (const d of result.diagnostics) {
    expect(d.message.length).toBeGreaterThan(0);
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(Math.max(lines, 1));
    expect(d.col).toBeGreaterThanOrEqual(1);
    expect(d.endCol).toBeGreaterThanOrEqual(d.col);
  }
  expect(result.ok).toBe(!result.diagnostics.some((d) => d.severity === 'error'));
  if (result.ok) for (const s of result.sections) expect(s.bytes.length).toBe(s.insns.length * 8);
}

describe('fuzz (seeded)', () => {
  it('random bytes: decode, disassemble and run never throw (40,000 cases)', () => {
    for (let seed = 1; seed <= 40_000; seed++) {
      const rng = new Rng(seed);
      const bytes = randomBytes(rng);
      try {
        const decoded = decodeProgram(bytes);
        for (const e of decoded.errors) expect(e.message).toMatch(/\S/);
        for (const dialect of ['llvm', 'ubpf'] as const) {
          const d = disassemble(bytes, { dialect });
          expect(d.lines.every((l) => typeof l.text === 'string' && l.text.length > 0)).toBe(true);
        }
        const mem = rng.chance(0.5) ? new Uint8Array(rng.below(64)) : undefined;
        const r = runRaw(bytes, { maxInsns: 2_000, ...(mem ? { mem } : {}) });
        if (!r.ok) {
          expect(r.error).toMatch(/\S/);
          expect(r.stage).not.toBe('internal');
        }
      } catch (e) {
        throw new Error(`seed ${seed}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  });

  it('random text: the assembler never throws and every diagnostic has a position (40,000 cases)', () => {
    for (let seed = 1; seed <= 40_000; seed++) {
      const rng = new Rng(seed * 7919);
      const text = randomText(rng);
      const dialect = (['llvm', 'ubpf', 'auto'] as const)[seed % 3] ?? 'auto';
      try {
        const result = assemble(text, { dialect });
        checkDiagnostics(text, result);
        expect(result.diagnostics.some((d) => d.code === 'internal')).toBe(false);
      } catch (e) {
        throw new Error(`seed ${seed} (${dialect}): ${JSON.stringify(text)}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  });

  const corpus = sharedAvailable(CONFORMANCE_DIR)
    ? readdirSync(CONFORMANCE_DIR)
        .filter((f) => f.endsWith('.data'))
        .map((f) => /-- asm\n([\s\S]*?)(?=\n-- |$)/.exec(readFileSync(join(CONFORMANCE_DIR, f), 'utf8'))?.[1] ?? '')
    : ['mov %r0, 1\nexit\n', 'r0 = 1\nexit\n'];
  it('mutated programs: the assembler and the interpreter stay well-behaved (20,000 cases)', () => {
    for (let seed = 1; seed <= 20_000; seed++) {
      const rng = new Rng(seed * 104729);
      const text = mutate(rng, corpus[rng.below(corpus.length)] ?? '');
      try {
        const result = assemble(text);
        checkDiagnostics(text, result);
        const bytes = result.sections[0]?.bytes;
        if (result.ok && bytes) {
          const r = runRaw(bytes, { maxInsns: 5_000 });
          if (!r.ok) expect(r.stage).not.toBe('internal');
        }
      } catch (e) {
        throw new Error(`seed ${seed}: ${JSON.stringify(text)}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  });

  it('random valid instructions round-trip through the codec and both dialects (10,000 cases)', () => {
    for (let seed = 1; seed <= 10_000; seed++) {
      const rng = new Rng(seed * 31337);
      const form = FORMS[rng.below(FORMS.length)];
      if (!form) continue;
      const raw: RawInsn = {
        opcode: form.opcode,
        dst: form.fields.dst === 'reg' ? rng.below(11) : 0,
        src: form.fields.src === 'reg' ? rng.below(11) : 0,
        off: form.fields.off === 'any' ? (rng.u32() << 16) >> 16 : 0,
        imm: form.fields.imm === 'any' ? rng.i32() : 0,
        ...(form.select ? { [form.select.field]: form.select.value } : {}),
      };
      const bytes = new Uint8Array(16);
      const dv = new DataView(bytes.buffer);
      bytes[0] = raw.opcode;
      bytes[1] = raw.dst | (raw.src << 4);
      dv.setInt16(2, raw.off, true);
      dv.setInt32(4, raw.imm, true);
      if (form.template.kind === 'ldimm64') dv.setInt32(12, rng.i32(), true);
      const slots = form.template.kind === 'ldimm64' ? 2 : 1;
      const program = bytes.subarray(0, slots * 8);
      const decoded = decodeAt(program, 0);
      expect(decoded.ok, `seed ${seed} ${form.id}`).toBe(true);
      if (!decoded.ok) continue;
      const insn: Insn = decoded.insn;
      const again = encodeInsn(insn);
      expect(again?.[0], `seed ${seed} ${form.id}`).toEqual(readRaw(program, 0));
      for (const dialect of ['ubpf', 'llvm'] as const) {
        const text = disassemble(program, { dialect }).lines.map((l) => l.text).join('\n');
        // llvm-objdump's text, which the LLVM dialect prints, drops three things: the second slot
        // of ld_pseudo, which kind of call (`call IMM` for helper, local and kfunc alike), and
        // the offset of LD_IND (`skb[r1]`; llvm-mc has no syntax for it).
        if (dialect === 'llvm' && form.template.kind === 'ldimm64' && form.select?.value !== 0) continue;
        if (dialect === 'llvm' && (form.id === 'call_local' || form.id === 'call_kfunc')) continue;
        if (dialect === 'llvm' && insn.kind === 'ldpkt' && insn.mode === 'ind' && insn.imm !== 0) continue;
        const back = assemble(text, { dialect });
        expect(back.ok, `seed ${seed} ${form.id} ${dialect}: ${text}: ${back.diagnostics.map((d) => d.message).join('; ')}`).toBe(true);
        expect(Buffer.from(back.sections[0]?.bytes ?? []).toString('hex'), `seed ${seed} ${form.id} ${dialect}: ${text}`).toBe(Buffer.from(program).toString('hex'));
      }
    }
  });
});
