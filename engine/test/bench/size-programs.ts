// The benchmark's size pair (issue 16: "no size cap — a 4,096-instruction program at least as
// fast per instruction as a small one"): one loop whose body is a block of ten ALU instructions,
// once in the small program and 408 times in the large one, which pads its prologue to exactly
// 4,096 instruction slots. Both execute about 0.72 M instructions a run, so only the program's
// size differs. The block's operations are several short chains, not one long one: a single chain
// (an xorshift step) measures its latency, and the small loop's own two instructions then run in
// its shadow for free (0.84× per instruction for the large one, with nothing of the size in it). Built here (our assembler), with r0
// and the count taken from the interpreter, which every tier's run is then checked against.

import { assemble } from '../../asm/index.ts';
import { decodeProgram } from '../../isa/index.ts';
import { createRawVm } from '../../vm/index.ts';
import type { MeasuredProgram } from './measure.ts';

export interface SizeProgram {
  readonly name: string;
  readonly label: string;
  /** Copies of the 10-instruction block in the loop body. */
  readonly copies: number;
  readonly iterations: number;
  /** Instruction slots the program must have (0: whatever it comes to). */
  readonly slots: number;
}

export const SIZE_PROGRAMS: readonly SizeProgram[] = [
  { name: 'size:small', label: 'a loop of 12 instructions', copies: 1, iterations: 60_000, slots: 0 },
  { name: 'size:4096', label: 'a loop of 4,082 instructions', copies: 408, iterations: 176, slots: 4096 },
];

/** Two xorshift halves on r1 and r5, and two accumulators: nothing a compiler can fold away. */
const BLOCK = ['r2 = r1', 'r2 <<= 13', 'r1 ^= r2', 'r7 = r5', 'r7 >>= 7', 'r5 ^= r7', 'r0 += r1', 'r0 ^= r5', 'r4 += r1', 'r4 ^= r5'];

/** The program's text: prologue (padded to `slots`), the loop, the exit. */
export function sizeProgramText(p: SizeProgram): string {
  // r0 = 0, r1 = the seed (lddw: 2 slots), r4 and r5 from it, r3 = the count; the loop's own 2; exit.
  const fixed = 1 + 2 + 2 + 1 + 2 + 1;
  const body = BLOCK.length * p.copies;
  const pad = p.slots ? p.slots - fixed - body : 0;
  if (pad < 0) throw new Error(`${p.name}: ${fixed + body} slots, more than ${p.slots}`);
  return [
    'r0 = 0',
    'r1 = 0x9e3779b97f4a7c15 ll',
    'r4 = r1',
    'r5 = r1',
    ...Array.from({ length: pad }, () => 'r4 += 1'),
    `r3 = ${p.iterations}`,
    'loop:',
    ...Array.from({ length: p.copies }, () => BLOCK).flat(),
    'r3 += -1',
    'if r3 != 0 goto loop',
    'exit',
    '',
  ].join('\n');
}

/** A size program ready to measure: its bytes, and r0 and the count as the interpreter runs it. */
export function sizeProgram(name: string): (MeasuredProgram & { readonly slots: number }) | undefined {
  const p = SIZE_PROGRAMS.find((x) => x.name === name);
  if (!p) return undefined;
  const r = assemble(sizeProgramText(p), { dialect: 'llvm' });
  const bytes = r.sections[0]?.bytes;
  if (!r.ok || !bytes) throw new Error(`${name}: ${r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`).join('; ')}`);
  const vm = createRawVm(decodeProgram(bytes).insns, { tier: 'interpreter', maxInsns: 10_000_000 });
  if (vm.run() !== 'exited') throw new Error(`${name}: the interpreter did not run it to its exit (${vm.status})`);
  return { bytes, expectedR0: vm.reg(0), insns: vm.count, slots: bytes.length / 8 };
}
