// What the tier differentials (compiled.test.ts, wasm.test.ts) share: the outcome of a run that
// two tiers must leave identical, the random bytecode both feed them, and the bpf_conformance
// programs.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../asm/index.ts';
import { parseConformanceFile } from '../cli/conformance-file.ts';
import { FORMS } from '../isa/index.ts';
import type { Insn } from '../isa/index.ts';
import { createRawVm, type Vm, type VmTier } from '../vm/index.ts';
import type { Rng } from './kernel/rng.ts';
import { CONFORMANCE_DIR } from './shared.ts';

/** Everything a run leaves behind, for comparing two tiers. */
export function outcome(vm: Vm, status: string): unknown {
  const snap = vm.snapshot();
  return { status, pc: snap.pc, insns: snap.insns, depth: snap.depth, regs: snap.regs, fault: snap.fault, stack: Buffer.from(snap.stack).toString('hex'), memory: Buffer.from(vm.mem.bytes).toString('base64') };
}

/** Every opcode the ISA defines. */
export const OPCODES: readonly number[] = [...new Set(FORMS.map((f) => f.opcode))];

/** Bytes that decode to a mix of real instructions and junk, with small offsets (jumps land near). */
export function randomProgram(rng: Rng): Uint8Array {
  const slots = 1 + rng.below(24);
  const bytes = new Uint8Array(slots * 8);
  for (let s = 0; s < slots; s++) {
    const at = s * 8;
    bytes[at] = rng.chance(0.9) ? (OPCODES[rng.below(OPCODES.length)] ?? 0) : rng.below(256);
    bytes[at + 1] = rng.chance(0.8) ? rng.below(11) | (rng.below(11) << 4) : rng.below(256);
    const off = rng.below(2 * slots + 4) - slots - 2;
    bytes[at + 2] = off & 0xff;
    bytes[at + 3] = (off >> 8) & 0xff;
    const imm = rng.chance(0.5) ? rng.below(64) - 32 : rng.u32();
    bytes[at + 4] = imm & 0xff;
    bytes[at + 5] = (imm >>> 8) & 0xff;
    bytes[at + 6] = (imm >>> 16) & 0xff;
    bytes[at + 7] = (imm >>> 24) & 0xff;
  }
  if (rng.chance(0.7)) bytes.set([0x95, 0, 0, 0, 0, 0, 0, 0], (slots - 1) * 8);
  return bytes;
}

/** Each bpf_conformance program (`../shared`) that parses and assembles, with its input memory; returns how many. */
export function forEachConformanceProgram(f: (name: string, bytes: Uint8Array, options: { mem?: Uint8Array }) => void): number {
  let n = 0;
  for (const name of readdirSync(CONFORMANCE_DIR).filter((x) => x.endsWith('.data'))) {
    const parsed = parseConformanceFile(readFileSync(join(CONFORMANCE_DIR, name), 'utf8'));
    if (!parsed.ok) continue;
    const t = parsed.test;
    const bytes = t.raw ?? (t.asm !== undefined ? assemble(t.asm).sections[0]?.bytes : undefined);
    if (!bytes) continue;
    f(name, bytes, t.mem ? { mem: t.mem } : {});
    n++;
  }
  return n;
}

/** A run of `insns` under `tier` cut into slices of 1 to 7 instructions: where each slice paused, then the outcome. */
export function slicedTrace(insns: readonly (Insn | null)[], tier: VmTier): unknown[] {
  const vm = createRawVm(insns, { tier });
  const steps: unknown[] = [];
  for (let i = 0; i < 10_000; i++) {
    const status = vm.run(1 + (i % 7));
    steps.push([status, vm.pc, vm.count]);
    if (status !== 'paused') break;
  }
  return [...steps, outcome(vm, vm.status)];
}
