// Differential test of the cpumask kfuncs against the running Linux kernel: SYSCALL programs
// (sleepable, so the cpumask kfuncs may be called) built from engine/test/cpumask/ops.ts run
// both in the kernel, through BPF_PROG_TEST_RUN with each kfunc call patched to the kernel's
// own BTF id (read from /sys/kernel/btf/vmlinux), and in the simulated kernel under linux-6.18
// with this machine's nr_cpu_ids. Every answer (a bool, a CPU, populate's errno, each 32-bit
// word of each mask's bitmap) must agree. Hand-written cases cover the edges; seeded random
// cases (CPUMASK_KDIFF_SEED, CPUMASK_KDIFF_CASES) cover the combinations.
// Skipped, and saying why, where the kernel cannot be asked.

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { assemble } from '../asm/index.ts';
import { kfuncByName } from '../kernel/kfuncs/ids.ts';
import { describeOp, MASKS, observations, programText, randomCase, type Mask, type Observation, type Op } from './cpumask/ops.ts';
import { runSource } from './cpumask/run-program.ts';
import { vmlinuxFuncs, type VmlinuxFuncs } from './cpumask/vmlinux-btf.ts';
import { kernelOracle, type KernelOracle, type KernelRequest, type KernelResult } from './kernel/oracle.ts';
import { envInt, Rng } from './kernel/rng.ts';

/** BPF_F_SLEEPABLE (include/uapi/linux/bpf.h: 1U << 4): syscall programs must be sleepable. */
const BPF_F_SLEEPABLE = 1 << 4;
/** BPF_PSEUDO_KFUNC_CALL: a call's src_reg for a kfunc. */
const PSEUDO_KFUNC_CALL = 2;
const KFUNCS = [
  'create',
  'release',
  'acquire',
  'set_cpu',
  'clear_cpu',
  'test_cpu',
  'test_and_set_cpu',
  'test_and_clear_cpu',
  'setall',
  'clear',
  'full',
  'empty',
  'first',
  'first_zero',
  'first_and',
  'weight',
  'and',
  'or',
  'xor',
  'equal',
  'intersects',
  'subset',
  'copy',
  'populate',
  'any_distribute',
  'any_and_distribute',
].map((n) => `bpf_cpumask_${n}`);

const FIRST_SEED = envInt('CPUMASK_KDIFF_SEED', 1);
const RANDOM_CASES = envInt('CPUMASK_KDIFF_CASES', 1000);

/** nr_cpu_ids: one more than the last possible CPU (/sys/devices/system/cpu/possible, "0-1"). */
function possibleCpus(): number | string {
  try {
    const text = readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
    const last = Math.max(...text.split(',').map((part) => Number(part.split('-').at(-1))));
    return Number.isInteger(last) && last >= 0 ? last + 1 : `cannot parse /sys/devices/system/cpu/possible: '${text}'`;
  } catch (e) {
    return `cannot read /sys/devices/system/cpu/possible: ${e instanceof Error ? e.message : String(e)}`;
  }
}

interface Setup {
  readonly oracle: KernelOracle;
  readonly funcs: VmlinuxFuncs;
  readonly nrCpus: number;
}

async function prepare(): Promise<Setup | string> {
  const nrCpus = possibleCpus();
  if (typeof nrCpus === 'string') return nrCpus;
  const funcs = vmlinuxFuncs();
  if ('unavailable' in funcs) return funcs.unavailable;
  const missing = KFUNCS.filter((n) => funcs.funcId(n) === undefined);
  if (missing.length) return `this kernel has no ${missing.join(', ')} in its BTF`;
  const oracle = await kernelOracle();
  if ('unavailable' in oracle) return oracle.unavailable;
  return { oracle, funcs, nrCpus };
}

const found = await prepare();
const setup = typeof found === 'string' ? undefined : found;
if (typeof found === 'string') console.log(`skipped: ${found}`);

/** The bytecode of a program text, for the kernel: each kfunc call's imm becomes the kernel's BTF id. */
function kernelBytes(text: string, funcs: VmlinuxFuncs): Uint8Array {
  const asm = assemble(text);
  const errors = asm.diagnostics.filter((d) => d.severity === 'error');
  const section = asm.sections[0];
  if (errors.length || !section) throw new Error(`assembly failed: ${errors.map((d) => `${d.line}: ${d.message}`).join('; ')}\n${text}`);
  const bytes = section.bytes.slice();
  const dv = new DataView(bytes.buffer);
  for (const r of section.relocations) {
    if (r.kind !== 'kfunc') continue;
    const id = funcs.funcId(r.name);
    const ours = kfuncByName(r.name)?.id;
    const at = r.pc * 8;
    // The assembler's encoding: opcode 0x85, src_reg 2 (kfunc), off 0 (vmlinux), imm = our id.
    if (id === undefined || bytes[at] !== 0x85 || (bytes[at + 1] ?? 0) >> 4 !== PSEUDO_KFUNC_CALL || dv.getInt16(at + 2, true) !== 0 || dv.getInt32(at + 4, true) !== ours) {
      throw new Error(`pc ${r.pc}: ${r.name} is not a vmlinux kfunc call the patcher understands`);
    }
    dv.setInt32(at + 4, id, true);
  }
  return bytes;
}

interface Verdict {
  readonly agree: boolean;
  readonly kernel: string;
  readonly ours: string;
}

const hex32 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

function judge(obs: Observation, answer: KernelResult, setupNrCpus: number): Verdict {
  const text = programText(obs.ops, setupNrCpus);
  const run = runSource(text, { profile: 'linux-6.18', cpus: setupNrCpus });
  let ours: number | undefined;
  let oursText: string;
  if (run.kind === 'refused') oursText = `refused: ${run.problems.map((p) => p.message).join('; ')}`;
  else if (run.kind === 'fault') oursText = `fault at pc ${run.pc}: ${run.message}`;
  else if (run.report.leaks.length) oursText = `leaked ${run.report.leaks.map((l) => l.message).join('; ')}`;
  else {
    ours = run.report.retval;
    oursText = hex32(ours);
  }
  if (!answer.ok) {
    const log = answer.log.trim().split('\n').slice(-8).join('\n      ');
    return { agree: false, kernel: `refused at ${answer.stage}: ${answer.error}\n      ${log}`, ours: oursText };
  }
  const kernel = answer.retval >>> 0;
  if (ours === undefined) return { agree: false, kernel: hex32(kernel), ours: oursText };
  return { agree: kernel === ours, kernel: hex32(kernel), ours: hex32(ours) };
}

interface Tally {
  cases: number;
  programs: number;
  disagreements: number;
  readonly shown: string[];
  /** Operations whose answers were compared, by name. */
  readonly byOp: Map<string, number>;
}

function tally(): Tally {
  return { cases: 0, programs: 0, disagreements: 0, shown: [], byOp: new Map() };
}

/** Observations per round trip to the kernel helper. */
const CHUNK = 500;

/**
 * Runs every observation of the cases in the kernel and here, and counts. Chunk n+1 is in the
 * kernel's hands while chunk n runs here.
 */
async function compare(s: Setup, cases: readonly (readonly Op[])[], t: Tally): Promise<void> {
  const all = cases.flatMap((ops) => observations(ops, s.nrCpus));
  const send = (from: number): { from: number; answers: Promise<KernelResult[]> } | undefined => {
    if (from >= all.length) return undefined;
    const requests: KernelRequest[] = all
      .slice(from, from + CHUNK)
      .map((obs) => ({ prog: kernelBytes(programText(obs.ops, s.nrCpus), s.funcs), type: 'syscall', progFlags: BPF_F_SLEEPABLE }));
    return { from, answers: s.oracle.runBatch(requests) };
  };
  for (let current = send(0); current; ) {
    const following = send(current.from + CHUNK);
    const answers = await current.answers;
    for (const [j, answer] of answers.entries()) {
      const obs = all[current.from + j];
      if (!obs) throw new Error('the oracle gave more answers than requests');
      const v = judge(obs, answer, s.nrCpus);
      t.programs++;
      const name = obs.ops.at(-1)?.op ?? 'none';
      t.byOp.set(name, (t.byOp.get(name) ?? 0) + 1);
      if (!v.agree) {
        t.disagreements++;
        if (t.shown.length < 5) t.shown.push(`  ${obs.ops.map(describeOp).join('; ')}\n    kernel: ${v.kernel}\n    ours:   ${v.ours}`);
      }
      // Let the event loop feed the helper's stdin now and then.
      if (j % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
    }
    current = following;
  }
  t.cases += cases.length;
}

/** Cases written by hand: every kfunc at its edges (valid and invalid CPUs, empty and full masks, sizes). */
function handWritten(nr: number): Op[][] {
  const cases: Op[][] = [[]];
  const cpus = [0n, BigInt(nr - 1), BigInt(nr), BigInt(nr + 1), 63n, 64n, 4095n, 4096n, 0x80000000n, 0xffffffffn, 1n << 32n, (1n << 32n) | BigInt(nr - 1), (1n << 64n) - 1n];
  for (const cpu of cpus) {
    cases.push([
      { op: 'test', m: 0, cpu },
      { op: 'set', m: 0, cpu },
      { op: 'test', m: 0, cpu },
      { op: 'weight', m: 0 },
      { op: 'first', m: 0 },
      { op: 'first_zero', m: 0 },
      { op: 'test_and_clear', m: 0, cpu },
      { op: 'test_and_clear', m: 0, cpu },
      { op: 'test_and_set', m: 0, cpu },
      { op: 'test_and_set', m: 0, cpu },
      { op: 'clear', m: 1, cpu },
      { op: 'setall', m: 1 },
      { op: 'clear', m: 1, cpu },
      { op: 'test', m: 1, cpu },
      { op: 'full', m: 1 },
      { op: 'first_zero', m: 1 },
      { op: 'clear', m: 0, cpu },
      { op: 'empty', m: 0 },
    ]);
  }
  const queries = (a: Mask, b: Mask): Op[] => [
    { op: 'equal', a, b },
    { op: 'intersects', a, b },
    { op: 'subset', a, b },
    { op: 'subset', a: b, b: a },
    { op: 'first_and', a, b },
    { op: 'any_and', a, b },
  ];
  // Empty and full masks, every query.
  cases.push([
    { op: 'empty', m: 0 },
    { op: 'full', m: 0 },
    { op: 'first', m: 0 },
    { op: 'first_zero', m: 0 },
    { op: 'weight', m: 0 },
    { op: 'any', m: 0 },
    { op: 'setall', m: 1 },
    { op: 'empty', m: 1 },
    { op: 'full', m: 1 },
    { op: 'first', m: 1 },
    { op: 'first_zero', m: 1 },
    { op: 'weight', m: 1 },
    { op: 'any', m: 1 },
    ...queries(0, 1),
    ...queries(1, 1),
    ...queries(0, 0),
    { op: 'clear_all', m: 1 },
    { op: 'empty', m: 1 },
    { op: 'acquire', m: 2 },
  ]);
  // Disjoint, overlapping and aliased operands of and/or/xor/copy.
  const last = nr - 1;
  cases.push([
    { op: 'set', m: 0, cpu: 0n },
    { op: 'set', m: 1, cpu: BigInt(last) },
    ...queries(0, 1),
    { op: 'and', d: 2, a: 0, b: 1 },
    { op: 'empty', m: 2 },
    { op: 'or', d: 2, a: 0, b: 1 },
    { op: 'weight', m: 2 },
    ...queries(0, 2),
    { op: 'xor', d: 3, a: 0, b: 1 },
    { op: 'equal', a: 2, b: 3 },
    { op: 'xor', d: 3, a: 3, b: 2 },
    { op: 'empty', m: 3 },
    { op: 'copy', d: 3, a: 2 },
    { op: 'equal', a: 3, b: 2 },
    { op: 'and', d: 0, a: 0, b: 2 },
    { op: 'or', d: 1, a: 1, b: 1 },
    { op: 'xor', d: 1, a: 1, b: 1 },
    { op: 'empty', m: 1 },
    { op: 'copy', d: 0, a: 0 },
    { op: 'weight', m: 0 },
  ]);
  // populate: every size up to 4 words, aligned and not, and the bits it leaves behind.
  for (const misaligned of [false, true]) {
    for (let size = 0; size <= 32 - (misaligned ? 1 : 0); size++) {
      const bytes = new Uint8Array(32).fill(size % 2 ? 0xff : 0xa5);
      cases.push([{ op: 'populate', m: 0, bytes, size, misaligned }, { op: 'weight', m: 0 }, { op: 'full', m: 0 }, { op: 'first', m: 0 }, { op: 'first_zero', m: 0 }]);
    }
  }
  // What setall and populate leave above nr_cpu_ids, carried on by or, xor, copy and and.
  const ones = new Uint8Array(32).fill(0xff);
  cases.push([
    { op: 'setall', m: 0 },
    { op: 'populate', m: 1, bytes: ones, size: 32, misaligned: false },
    { op: 'or', d: 2, a: 0, b: 3 },
    { op: 'copy', d: 3, a: 1 },
    { op: 'equal', a: 0, b: 1 },
    { op: 'weight', m: 2 },
    { op: 'full', m: 3 },
  ]);
  cases.push([{ op: 'setall', m: 0 }, { op: 'setall', m: 1 }, { op: 'and', d: 2, a: 0, b: 1 }, { op: 'xor', d: 3, a: 0, b: 2 }, { op: 'empty', m: 3 }]);
  return cases;
}

/**
 * populate from the syscall program's own ctx buffer (ctx_in): the answers — populate's result
 * and the mask's weight — go back into the ctx, which test_run copies out.
 */
function populateFromCtx(size: number): string {
  return `.section syscall
.license "GPL"
        r9 = r1                                 # r9 = ctx (ctx_in, copied back as ctx_out)
        call bpf_cpumask_create
        if r0 == 0 goto out
        r6 = r0                                 # r6 = mask
        r1 = r6
        r2 = r9                                 # src = the ctx
        r3 = ${size}                            # src__sz
        call bpf_cpumask_populate
        r7 = r0                                 # r7 = 0 or -EACCES
        r1 = r6
        call bpf_cpumask_weight
        *(u32 *)(r9 + 0) = r0                   # ctx[0..3] = weight
        *(u32 *)(r9 + 4) = r7                   # ctx[4..7] = populate's result
        r1 = r6
        call bpf_cpumask_release
        r0 = r7
out:
        exit
`;
}

describe('cpumask kfuncs agree with Linux (SYSCALL programs, linux-6.18)', () => {
  afterAll(async () => {
    await setup?.oracle.close();
  });

  it.skipIf(setup === undefined)('hand-written cases', async () => {
    if (!setup) return;
    const t = tally();
    await compare(setup, handWritten(setup.nrCpus), t);
    console.log(`cpumask kernel differential, hand-written: ${t.cases} cases, ${t.programs} answers compared on Linux ${setup.oracle.kernel} (nr_cpu_ids ${setup.nrCpus}), ${t.disagreements} disagreements`);
    if (t.shown.length) console.log(t.shown.join('\n'));
    expect(t.disagreements, `${t.disagreements} answers differ from the kernel; the first are printed above`).toBe(0);
    // Every kfunc of the set was exercised.
    expect([...t.byOp.keys()].sort()).toEqual(expect.arrayContaining(['acquire', 'and', 'any', 'any_and', 'empty', 'equal', 'first', 'first_and', 'first_zero', 'full', 'intersects', 'populate', 'subset', 'test', 'test_and_clear', 'test_and_set', 'weight', 'word']));
  });

  it.skipIf(setup === undefined)('populate from the ctx buffer: ctx_out and retval agree; a source past the ctx is refused by both', async () => {
    if (!setup) return;
    const rng = new Rng(FIRST_SEED);
    let compared = 0;
    const differences: string[] = [];
    for (const ctxLen of [8, 16, 24, 32]) {
      for (let size = 0; size <= ctxLen + 8; size++) {
        const ctx = Uint8Array.from({ length: ctxLen }, () => rng.below(256));
        const text = populateFromCtx(size);
        const answer = await setup.oracle.run({ prog: kernelBytes(text, setup.funcs), type: 'syscall', progFlags: BPF_F_SLEEPABLE, ctx });
        const ours = runSource(text, { profile: 'linux-6.18', cpus: setup.nrCpus, ctx });
        compared++;
        if (size > ctxLen) {
          // The verifier notes how far into the ctx the program reads, and test_run refuses a
          // smaller ctx_in with EINVAL; the playground runs and stops at the read, with a fault.
          if (answer.ok || ours.kind !== 'fault') differences.push(`ctx ${ctxLen}, size ${size}: kernel ${answer.ok ? 'ran' : answer.error}, ours ${ours.kind}`);
          continue;
        }
        const kernel = answer.ok ? `${hex32(answer.retval)} ${Buffer.from(answer.ctxOut).toString('hex')}` : `${answer.stage}: ${answer.error}`;
        const mine = ours.kind === 'exited' && !ours.report.leaks.length ? `${hex32(ours.report.retval)} ${Buffer.from(ours.report.ctxOut ?? []).toString('hex')}` : ours.kind;
        if (kernel !== mine) differences.push(`ctx ${ctxLen}, size ${size}, ctx_in ${Buffer.from(ctx).toString('hex')}: kernel ${kernel}, ours ${mine}`);
      }
    }
    console.log(`cpumask kernel differential, populate from ctx: ${compared} programs, ${differences.length} differences`);
    expect(differences).toEqual([]);
  });

  it.skipIf(setup === undefined)(`${RANDOM_CASES} seeded random cases from seed ${FIRST_SEED}`, async () => {
    if (!setup) return;
    const t = tally();
    const cases = Array.from({ length: RANDOM_CASES }, (_, i) => randomCase(FIRST_SEED + i, setup.nrCpus));
    await compare(setup, cases, t);
    const ops = [...t.byOp.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`);
    console.log(`cpumask kernel differential, random: ${t.cases} cases, ${t.programs} answers compared (${ops.join(', ')}), ${t.disagreements} disagreements`);
    if (t.shown.length) console.log(t.shown.join('\n'));
    expect(t.disagreements, `${t.disagreements} answers differ from the kernel; the first are printed above`).toBe(0);
    expect(t.programs).toBeGreaterThan(RANDOM_CASES * MASKS.length);
  });
});
