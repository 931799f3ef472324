// A small language of cpumask operations for the kernel differential, and its translation to
// SYSCALL programs. A case is a sequence of operations on four bpf_cpumasks (M0-M3); each
// operation that answers something (a bool, a CPU, an errno, one 32-bit word of a mask) can
// be observed. The program for an observation runs the case up to that operation and returns
// its answer in r0 (test_run's retval: the low 32 bits), one answer per program, so that a wrong
// answer names the exact sequence of operations that produced it.
// Program layout: M0-M3 live on the stack at r10-8 .. r10-32, a 32-byte populate source at
// r10-72 .. r10-41; r6 holds the answer while the masks are released.

import { Rng } from '../kernel/rng.ts';

export type Mask = 0 | 1 | 2 | 3;
export const MASKS: readonly Mask[] = [0, 1, 2, 3];

export type Op =
  | { readonly op: 'set' | 'clear' | 'test' | 'test_and_set' | 'test_and_clear'; readonly m: Mask; readonly cpu: bigint }
  | { readonly op: 'setall' | 'clear_all' | 'full' | 'empty' | 'first' | 'first_zero' | 'weight' | 'any' | 'acquire'; readonly m: Mask }
  | { readonly op: 'and' | 'or' | 'xor'; readonly d: Mask; readonly a: Mask; readonly b: Mask }
  | { readonly op: 'equal' | 'intersects' | 'subset' | 'first_and' | 'any_and'; readonly a: Mask; readonly b: Mask }
  | { readonly op: 'copy'; readonly d: Mask; readonly a: Mask }
  | { readonly op: 'populate'; readonly m: Mask; readonly bytes: Uint8Array; readonly size: number; readonly misaligned: boolean }
  /** Word `w` (32 bits) of the mask's bitmap, read from its memory. */
  | { readonly op: 'word'; readonly m: Mask; readonly w: number };

export type OpName = Op['op'];

/** What an operation answers: nothing, a bool (low 8 bits kept), a u32, or bits packed by the program. */
export type Answer = 'none' | 'bool' | 'u32' | 'packed' | 'word';

export function answerOf(op: Op): Answer {
  switch (op.op) {
    case 'set':
    case 'clear':
    case 'setall':
    case 'clear_all':
    case 'or':
    case 'xor':
    case 'copy':
      return 'none';
    case 'test':
    case 'test_and_set':
    case 'test_and_clear':
    case 'full':
    case 'empty':
    case 'and':
    case 'equal':
    case 'intersects':
    case 'subset':
      return 'bool';
    case 'first':
    case 'first_zero':
    case 'first_and':
    case 'weight':
    case 'populate':
      return 'u32';
    case 'any':
    case 'any_and':
    case 'acquire':
      return 'packed';
    case 'word':
      return 'word';
  }
}

/** Stack offset of mask m (its slot is r10 - this). */
const maskSlot = (m: Mask): number => 8 * (m + 1);
const BUFFER = 72;
const BUFFER_BYTES = 32;

const hex = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;
const load = (reg: number, m: Mask): string => `r${reg} = *(u64 *)(r10 - ${maskSlot(m)})`;

/** The instructions of one operation; with `observe`, its answer ends up in r6. */
function emit(op: Op, observe: boolean, nrCpus: number): string[] {
  const keep = (mask: string): string[] => (observe ? ['r6 = r0', ...(mask ? [`r6 &= ${mask}`] : [])] : []);
  switch (op.op) {
    case 'set':
    case 'clear':
    case 'test':
    case 'test_and_set':
    case 'test_and_clear': {
      const fn = { set: 'set_cpu', clear: 'clear_cpu', test: 'test_cpu', test_and_set: 'test_and_set_cpu', test_and_clear: 'test_and_clear_cpu' }[op.op];
      return [`r1 = ${hex(op.cpu)} ll`, load(2, op.m), `call bpf_cpumask_${fn}`, ...(op.op === 'set' || op.op === 'clear' ? [] : keep('0xff'))];
    }
    case 'setall':
    case 'clear_all':
      return [load(1, op.m), `call bpf_cpumask_${op.op === 'setall' ? 'setall' : 'clear'}`];
    case 'full':
    case 'empty':
      return [load(1, op.m), `call bpf_cpumask_${op.op}`, ...keep('0xff')];
    case 'first':
    case 'first_zero':
    case 'weight':
      // u32 results: the kernel's C function leaves the upper half of r0 to the ABI; keep 32 bits.
      return [load(1, op.m), `call bpf_cpumask_${op.op}`, ...(observe ? ['w6 = w0'] : [])];
    case 'and':
    case 'or':
    case 'xor':
      return [load(1, op.d), load(2, op.a), load(3, op.b), `call bpf_cpumask_${op.op}`, ...(op.op === 'and' ? keep('0xff') : [])];
    case 'equal':
    case 'intersects':
    case 'subset':
      return [load(1, op.a), load(2, op.b), `call bpf_cpumask_${op.op}`, ...keep('0xff')];
    case 'first_and':
      return [load(1, op.a), load(2, op.b), 'call bpf_cpumask_first_and', ...(observe ? ['w6 = w0'] : [])];
    case 'copy':
      return [load(1, op.d), load(2, op.a), 'call bpf_cpumask_copy'];
    case 'populate': {
      const out: string[] = [];
      const dv = new DataView(op.bytes.buffer, op.bytes.byteOffset, op.bytes.byteLength);
      for (let i = 0; i < BUFFER_BYTES; i += 8) out.push(`r1 = ${hex(dv.getBigUint64(i, true))} ll`, `*(u64 *)(r10 - ${BUFFER - i}) = r1`);
      out.push(load(1, op.m), 'r2 = r10', `r2 += -${BUFFER - (op.misaligned ? 1 : 0)}`, `r3 = ${op.size}`, 'call bpf_cpumask_populate');
      return [...out, ...(observe ? ['w6 = w0'] : [])];
    }
    case 'any':
    case 'any_and': {
      // The pick is random (per-CPU state in the kernel, seeded here): observe only whether
      // it is a CPU of the mask(s), and whether it says "none" (≥ nr_cpu_ids).
      const [a, b] = 'm' in op ? [op.m, op.m] : [op.a, op.b];
      const pick = op.op === 'any' ? [load(1, a), 'call bpf_cpumask_any_distribute'] : [load(1, a), load(2, b), 'call bpf_cpumask_any_and_distribute'];
      if (!observe) return pick;
      return [
        ...pick,
        'r7 = r0', // r7 = the CPU picked
        'r1 = r7',
        load(2, a),
        'call bpf_cpumask_test_cpu',
        'r8 = r0',
        'r8 &= 1', // r8 bit 0: the pick is in the first mask
        'r1 = r7',
        load(2, b),
        'call bpf_cpumask_test_cpu',
        'r0 &= 1',
        'r0 <<= 1',
        'r8 |= r0', // bit 1: in the second mask (the same mask for any)
        'r6 = r8',
        `if w7 < ${nrCpus} goto +1`,
        'r6 |= 4', // bit 2: "no CPU" (≥ nr_cpu_ids)
      ];
    }
    case 'acquire':
      return [
        load(1, op.m),
        'call bpf_cpumask_acquire', // r0 = the same mask, one more reference
        'r7 = r0',
        ...(observe ? ['r6 = 0', load(1, op.m), 'if r7 != r1 goto +1', 'r6 = 1'] : []),
        'r1 = r7',
        'call bpf_cpumask_release', // give the extra reference back
      ];
    case 'word':
      return [load(1, op.m), `r6 = *(u32 *)(r1 + ${4 * op.w})`];
  }
}

/**
 * The SYSCALL program that runs `ops` and returns the answer of the last one (0 when it has
 * none): create four masks (NULL-checked), the operations, release the four, return r6.
 */
export function programText(ops: readonly Op[], nrCpus: number): string {
  const lines: string[] = ['.section syscall', '.license "GPL"'];
  for (const m of MASKS) lines.push('call bpf_cpumask_create', `if r0 == 0 goto fail_${m}`, `*(u64 *)(r10 - ${maskSlot(m)}) = r0`);
  lines.push('r6 = 0');
  ops.forEach((op, i) => lines.push(...emit(op, i === ops.length - 1, nrCpus)));
  for (const m of MASKS) lines.push(load(1, m), 'call bpf_cpumask_release');
  lines.push('r0 = r6', 'exit');
  // A failed create releases the masks made before it; -ENOMEM tells the case apart.
  for (const m of [3, 2, 1] as const) lines.push(`fail_${m}:`, load(1, (m - 1) as Mask), 'call bpf_cpumask_release');
  lines.push('fail_0:', 'r0 = -12', 'exit');
  return `${lines.map((l) => (l.endsWith(':') || l.startsWith('.') ? l : `        ${l}`)).join('\n')}\n`;
}

/** Readable form of an operation, for failure reports. */
export function describeOp(op: Op): string {
  switch (op.op) {
    case 'set':
    case 'clear':
    case 'test':
    case 'test_and_set':
    case 'test_and_clear':
      return `${op.op}(M${op.m}, ${hex(op.cpu)})`;
    case 'and':
    case 'or':
    case 'xor':
      return `${op.op}(M${op.d}, M${op.a}, M${op.b})`;
    case 'equal':
    case 'intersects':
    case 'subset':
    case 'first_and':
    case 'any_and':
      return `${op.op}(M${op.a}, M${op.b})`;
    case 'copy':
      return `copy(M${op.d}, M${op.a})`;
    case 'populate':
      return `populate(M${op.m}, ${op.misaligned ? 'buf+1' : 'buf'} = ${Buffer.from(op.bytes.subarray(0, op.size)).toString('hex') || '-'}, ${op.size})`;
    case 'word':
      return `word${op.w}(M${op.m})`;
    default:
      return `${op.op}(M${op.m})`;
  }
}

/** One observation: the operations up to and including the observed one. */
export interface Observation {
  readonly ops: readonly Op[];
  readonly answer: Answer;
}

/** 32-bit words covering nr_cpu_ids bits, rounded up to whole 64-bit longs (what bitmap ops touch). */
export function wordsOf(nrCpus: number): number {
  return 2 * Math.ceil(nrCpus / 64);
}

/** Every observation of a case: each answering operation, then every word of every mask. */
export function observations(ops: readonly Op[], nrCpus: number): Observation[] {
  const out: Observation[] = [];
  ops.forEach((op, i) => {
    const answer = answerOf(op);
    if (answer !== 'none') out.push({ ops: ops.slice(0, i + 1), answer });
  });
  for (const m of MASKS) for (let w = 0; w < wordsOf(nrCpus); w++) out.push({ ops: [...ops, { op: 'word', m, w }], answer: 'word' });
  return out;
}

/** Bits of 32-bit word w that are CPUs below nr_cpu_ids. */
export function liveBits(w: number, nrCpus: number): number {
  const left = nrCpus - 32 * w;
  return left >= 32 ? 0xffffffff : left <= 0 ? 0 : 2 ** left - 1;
}

// ---- random cases ---------------------------------------------------------------------------

/** CPU numbers beyond nr_cpu_ids and 64-bit values whose low half is a CPU (u32 truncation). */
function cpuArg(rng: Rng, nrCpus: number): bigint {
  const r = rng.below(100);
  if (r < 70) return BigInt(rng.below(nrCpus));
  if (r < 80) return BigInt(nrCpus + rng.below(4));
  const edges = [63n, 64n, 65n, 127n, 128n, 4095n, 4096n, 8191n, 8192n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 1n << 63n, (1n << 64n) - 1n];
  if (r < 90) return rng.pick(edges);
  return (BigInt(rng.between(1, 0xffffffff)) << 32n) | BigInt(rng.below(nrCpus));
}

function populateBytes(rng: Rng): Uint8Array {
  const b = new Uint8Array(BUFFER_BYTES);
  const kind = rng.below(4);
  for (let i = 0; i < b.length; i++) b[i] = kind === 0 ? 0xff : kind === 1 ? 0xaa : kind === 2 ? 0 : rng.below(256);
  return b;
}

const WEIGHTS: readonly [OpName, number][] = [
  ['set', 14],
  ['clear', 6],
  ['test', 8],
  ['test_and_set', 4],
  ['test_and_clear', 4],
  ['setall', 2],
  ['clear_all', 2],
  ['full', 4],
  ['empty', 4],
  ['first', 4],
  ['first_zero', 4],
  ['weight', 4],
  ['and', 4],
  ['or', 4],
  ['xor', 4],
  ['equal', 4],
  ['intersects', 4],
  ['subset', 4],
  ['first_and', 4],
  ['copy', 3],
  ['populate', 4],
  ['any', 2],
  ['any_and', 2],
  ['acquire', 1],
];
const TOTAL = WEIGHTS.reduce((n, [, w]) => n + w, 0);

function pickName(rng: Rng): OpName {
  let r = rng.below(TOTAL);
  for (const [name, w] of WEIGHTS) {
    if (r < w) return name;
    r -= w;
  }
  return 'set';
}

function randomOp(rng: Rng, nrCpus: number): Op {
  const m = (): Mask => rng.pick(MASKS);
  const name = pickName(rng);
  switch (name) {
    case 'set':
    case 'clear':
    case 'test':
    case 'test_and_set':
    case 'test_and_clear':
      return { op: name, m: m(), cpu: cpuArg(rng, nrCpus) };
    case 'and':
    case 'or':
    case 'xor':
      return { op: name, d: m(), a: m(), b: m() };
    case 'equal':
    case 'intersects':
    case 'subset':
    case 'first_and':
    case 'any_and':
      return { op: name, a: m(), b: m() };
    case 'copy':
      return { op: name, d: m(), a: m() };
    case 'populate': {
      const misaligned = rng.chance(0.25);
      const size = rng.chance(0.5) ? rng.between(0, 16) : rng.between(0, BUFFER_BYTES - (misaligned ? 1 : 0));
      return { op: name, m: m(), bytes: populateBytes(rng), size, misaligned };
    }
    case 'word':
      return { op: 'word', m: m(), w: 0 };
    default:
      return { op: name, m: m() };
  }
}

/** A seeded random case: a few sets to give the masks content, then 4-16 operations of any kind. */
export function randomCase(seed: number, nrCpus: number): Op[] {
  const rng = new Rng(seed);
  const ops: Op[] = [];
  for (let i = rng.below(6); i > 0; i--) ops.push({ op: 'set', m: rng.pick(MASKS), cpu: BigInt(rng.below(nrCpus)) });
  for (let i = rng.between(4, 16); i > 0; i--) ops.push(randomOp(rng, nrCpus));
  return ops;
}
