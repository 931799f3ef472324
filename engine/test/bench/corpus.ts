// The benchmark corpus of ../shared/bench: the four programs, their inputs and expected r0.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../asm/index.ts';
import { BENCH_DIR } from '../shared.ts';

export const BENCH_PROGRAMS = ['alu_xorshift', 'stack_bubblesort', 'branch_collatz', 'pkt_csum'] as const;
export type BenchName = (typeof BENCH_PROGRAMS)[number];

export interface BenchProgram {
  readonly name: BenchName;
  /** Bytecode assembled here from NAME.s (raw calling convention). */
  readonly bytes: Uint8Array;
  /** The same body with the XDP prologue, for the kernel (pkt_csum only; others run as is). */
  readonly xdpBytes: Uint8Array;
  /** The input buffer (r1/r2 for raw, the packet for XDP). */
  readonly mem?: Uint8Array;
  readonly expectedR0: bigint;
  /** Executed instructions per run: raw and XDP variants. */
  readonly insns: number;
  readonly insnsXdp: number;
  /** True when our assembly of NAME.s equals llvm-mc's NAME.bin byte for byte. */
  readonly matchesLlvmBin: boolean;
}

interface Expected {
  r0: string;
  insns: number;
  insns_xdp?: number;
}

function assembleFile(path: string): Uint8Array {
  const r = assemble(readFileSync(path, 'utf8'), { dialect: 'llvm' });
  const bytes = r.sections[0]?.bytes;
  if (!r.ok || !bytes) throw new Error(`${path}: ${r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`).join('; ')}`);
  return bytes;
}

export function loadCorpus(dir = BENCH_DIR): BenchProgram[] {
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, Expected>;
  return BENCH_PROGRAMS.map((name) => {
    const e = expected[name];
    if (!e) throw new Error(`expected.json has no ${name}`);
    const bytes = assembleFile(join(dir, `${name}.s`));
    const bin = new Uint8Array(readFileSync(join(dir, `${name}.bin`)));
    const xdpBytes = name === 'pkt_csum' ? assembleFile(join(dir, 'pkt_csum.xdp.s')) : bytes;
    const mem = name === 'pkt_csum' ? new Uint8Array(readFileSync(join(dir, 'pkt1500.bin'))) : undefined;
    return {
      name,
      bytes,
      xdpBytes,
      ...(mem ? { mem } : {}),
      expectedR0: BigInt(e.r0),
      insns: e.insns,
      insnsXdp: e.insns_xdp ?? e.insns,
      matchesLlvmBin: Buffer.compare(Buffer.from(bytes), Buffer.from(bin)) === 0,
    };
  });
}
