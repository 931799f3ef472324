// The programs of the bench's verifier section: the four corpus programs (as the XDP programs the
// kernel side of the bench loads) and three generated ones that stress the verifier's scaling —
// a long straight line, a branchy program only state pruning keeps small, and a bounded loop
// near the kernel's 1,000,000-processed-instruction limit.

import { assemble } from '../../asm/index.ts';
import { BENCH_DIR, sharedAvailable } from '../shared.ts';
import { loadCorpus } from './corpus.ts';

export interface VerifierBenchProgram {
  readonly name: string;
  /** What the row is, for the table. */
  readonly label: string;
  /** 8-byte slots. */
  readonly bytes: Uint8Array;
  /** Loaded as XDP on both sides. */
  readonly progType: 'xdp';
  /** Milliseconds our verifier must stay under (the issue's figure), when there is one. */
  readonly targetMs?: number;
}

function asm(name: string, text: string): Uint8Array {
  const r = assemble(text, { dialect: 'llvm' });
  const bytes = r.sections[0]?.bytes;
  if (!r.ok || !bytes) throw new Error(`${name}: ${r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`).join('; ')}`);
  return bytes;
}

/** STRAIGHT_LINE instructions, no branch: 6 moves, ALU on r0–r5 round robin, exit. */
export const STRAIGHT_LINE = 4096;
function straightLine(): string {
  const lines = ['r0 = 0', 'r1 = 1', 'r2 = 2', 'r3 = 3', 'r4 = 4', 'r5 = 5'];
  const ops = ['+=', '^=', '-=', '|=', '*=', '&='];
  for (let i = 0; lines.length < STRAIGHT_LINE - 2; i++) {
    const d = i % 6;
    lines.push(i % 2 ? `r${d} ${ops[i % ops.length] ?? '+='} r${(d + 1) % 6}` : `r${d} += ${(i % 1000) + 1}`);
  }
  lines.push('r0 &= 3', 'exit');
  return lines.join('\n') + '\n';
}

/**
 * DIAMONDS sequential `if rX > K goto +1; r6 += 1` diamonds, each on a fresh unknown byte of the
 * packet: 2^DIAMONDS paths without pruning; r6 is never read, so the two sides of each diamond
 * meet in equal states.
 */
export const DIAMONDS = 30;
function branchy(): string {
  const lines = ['r2 = *(u32 *)(r1 + 0)', 'r3 = *(u32 *)(r1 + 4)', 'r4 = r2', `r4 += ${DIAMONDS}`, 'if r4 > r3 goto Lout', 'r6 = 0'];
  for (let i = 0; i < DIAMONDS; i++) lines.push(`r5 = *(u8 *)(r2 + ${i})`, `if r5 > ${(i * 37) % 251} goto +1`, 'r6 += 1');
  lines.push('Lout:', 'r0 = 2', 'exit');
  return lines.join('\n') + '\n';
}

/** The bounded loop's trip count: 2 + 3 × LOOP_TRIPS + 1 = 990,003 instructions processed. */
export const LOOP_TRIPS = 330_000;
function boundedLoop(): string {
  return ['r0 = 0', 'r1 = 0', 'Lloop:', 'r0 += 3', 'r1 += 1', `if r1 < ${LOOP_TRIPS} goto Lloop`, 'r0 &= 3', 'exit'].join('\n') + '\n';
}

/**
 * A loop whose counter comes from the context: the verifier cannot see its end, splits at every
 * trip (the exit branch is walked and popped each time) and is refused at the limit — the
 * slowest program of the verifier corpus, and the one the "no program takes over 1 s to
 * verify" figure is about.
 */
function unknownCounterLoop(): string {
  return ['r1 = *(u32 *)(r1 + 16)', 'r0 = 0', 'Lloop:', 'r1 -= 1', 'if r1 != 0 goto Lloop', 'exit'].join('\n') + '\n';
}

/** The corpus programs come first when ../shared/bench is there. */
export function verifierPrograms(): VerifierBenchProgram[] {
  const corpus = (sharedAvailable(BENCH_DIR) ? loadCorpus() : []).map((p) => ({ name: p.name, label: `corpus ${p.name} (XDP)`, bytes: p.xdpBytes, progType: 'xdp' as const }));
  return [
    ...corpus,
    { name: 'straight-4096', label: `${STRAIGHT_LINE.toLocaleString('en-US')} instructions, no branch`, bytes: asm('straight-4096', straightLine()), progType: 'xdp', targetMs: 50 },
    { name: `diamonds-${DIAMONDS}`, label: `${DIAMONDS} diamonds on packet bytes (2^${DIAMONDS} paths unpruned)`, bytes: asm('diamonds', branchy()), progType: 'xdp' },
    { name: 'loop-330k', label: `bounded loop, ${LOOP_TRIPS.toLocaleString('en-US')} trips`, bytes: asm('loop', boundedLoop()), progType: 'xdp' },
    { name: 'loop-unknown', label: 'a loop on an unknown counter, refused at the limit', bytes: asm('loop-unknown', unknownCounterLoop()), progType: 'xdp', targetMs: 1000 },
  ];
}
