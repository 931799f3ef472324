// Differential test of the cpumask kfuncs against the running Linux kernel: SYSCALL programs
// (sleepable, so the cpumask kfuncs may be called) built from engine/test/cpumask/ops.ts run
// both in the kernel, through BPF_PROG_TEST_RUN with each kfunc call patched to the kernel's
// own BTF id (read from /sys/kernel/btf/vmlinux), and in the simulated kernel under linux-6.18
// with this machine's nr_cpu_ids. Every answer (a bool, a CPU, populate's errno, each 32-bit
// word of each mask's bitmap) must agree. Hand-written cases cover the edges; seeded random
// cases (CPUMASK_KDIFF_SEED, CPUMASK_KDIFF_CASES) cover the combinations. SYSCALL programs and
// each kfunc are probed first (cpumask/kernel-program.ts): programs needing one this kernel
// lacks or refuses are left out, one printed line per kfunc, and the rest compared. A kfunc
// called from an XDP program must be refused by both, in a wording known from upstream.
// Skipped, and saying why, where the kernel cannot be asked.

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cpumaskFeatures, kernelProgram, syscallRequest } from './cpumask/kernel-program.ts';
import { describeOp, MASKS, observations, programText, randomCase, type Mask, type Observation, type Op, type OpName } from './cpumask/ops.ts';
import { runSource } from './cpumask/run-program.ts';
import { vmlinuxFuncs, type VmlinuxFuncs } from './cpumask/vmlinux-btf.ts';
import { compareWording, firstRefused, KFUNC_REFUSALS, LeftOut, refusalReason, type Feature } from './kernel/features.ts';
import { kernelOracle, type KernelOracle, type KernelRequest, type KernelResult } from './kernel/oracle.ts';
import { refusingOracle } from './kernel/refusing.ts';
import { envInt, Rng } from './kernel/rng.ts';

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
  /** Each kfunc's feature, made once. */
  readonly features: Map<string, Feature>;
}

async function prepare(): Promise<Setup | string> {
  const nrCpus = possibleCpus();
  if (typeof nrCpus === 'string') return nrCpus;
  const funcs = vmlinuxFuncs();
  if ('unavailable' in funcs) return funcs.unavailable;
  const oracle = await kernelOracle();
  if ('unavailable' in oracle) return oracle.unavailable;
  return { oracle, funcs, nrCpus, features: new Map() };
}

const found = await prepare();
const setup = typeof found === 'string' ? undefined : found;
if (typeof found === 'string') console.log(`skipped: ${found}`);

/**
 * The request for a program text, or undefined when a feature keeps it out (SYSCALL programs
 * refused, a kfunc missing from the kernel's BTF or refused by its verifier): `leftOut` says which.
 */
async function requestFor(s: Setup, text: string, leftOut: LeftOut, ctx?: Uint8Array): Promise<KernelRequest | undefined> {
  const p = kernelProgram(text, s.funcs);
  const refused = await firstRefused(s.oracle, cpumaskFeatures(p.kfuncs, s.funcs, s.nrCpus, s.features));
  if (refused) {
    leftOut.add(refused.feature.name, refused.reason);
    return undefined;
  }
  if ('missing' in p) throw new Error(`${p.missing} is missing from BTF, but its probe passed`);
  return syscallRequest(p.bytes, ctx);
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
  readonly leftOut: LeftOut;
}

function tally(): Tally {
  return { cases: 0, programs: 0, disagreements: 0, shown: [], byOp: new Map(), leftOut: new LeftOut() };
}

/** Observations per round trip to the kernel helper. */
const CHUNK = 500;

/**
 * Runs every observation of the cases in the kernel and here, and counts. Chunk n+1 is in the
 * kernel's hands while chunk n runs here.
 */
async function compare(s: Setup, cases: readonly (readonly Op[])[], t: Tally): Promise<void> {
  const all = cases.flatMap((ops) => observations(ops, s.nrCpus));
  /** The observations of all[from..from+CHUNK) the kernel can run, sent; the rest left out. */
  const send = async (from: number): Promise<{ from: number; kept: Observation[]; answers: Promise<KernelResult[]> }> => {
    const kept: Observation[] = [];
    const requests: KernelRequest[] = [];
    for (const obs of all.slice(from, from + CHUNK)) {
      const req = await requestFor(s, programText(obs.ops, s.nrCpus), t.leftOut);
      if (!req) continue;
      kept.push(obs);
      requests.push(req);
    }
    return { from, kept, answers: s.oracle.runBatch(requests) };
  };
  for (let pending = all.length > 0 ? send(0) : undefined; pending; ) {
    const current = await pending;
    const next = current.from + CHUNK;
    pending = next < all.length ? send(next) : undefined;
    const answers = await current.answers;
    for (const [j, answer] of answers.entries()) {
      const obs = current.kept[j];
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

/** Prints what was left out and the summary line. */
function summary(what: string, t: Tally, s: Setup, extra = ''): void {
  for (const line of t.leftOut.lines()) console.log(line);
  console.log(`cpumask kernel differential, ${what}: ${t.cases} cases, ${t.programs} answers compared on Linux ${s.oracle.kernel} (nr_cpu_ids ${s.nrCpus})${extra}, ${t.disagreements} disagreements, ${t.leftOut.total} left out`);
  if (t.shown.length) console.log(t.shown.join('\n'));
}

/** Operations the hand-written cases must compare: every kfunc of the set, and the bitmap words. */
const HAND_WRITTEN_OPS: readonly OpName[] = ['acquire', 'and', 'any', 'any_and', 'empty', 'equal', 'first', 'first_and', 'first_zero', 'full', 'intersects', 'populate', 'subset', 'test', 'test_and_clear', 'test_and_set', 'weight', 'word'];

describe('cpumask kfuncs agree with Linux (SYSCALL programs, linux-6.18)', () => {
  afterAll(async () => {
    await setup?.oracle.close();
  });

  it.skipIf(setup === undefined)('hand-written cases', async () => {
    if (!setup) return;
    const t = tally();
    await compare(setup, handWritten(setup.nrCpus), t);
    summary('hand-written', t, setup);
    expect(t.disagreements, `${t.disagreements} answers differ from the kernel; the first are printed above`).toBe(0);
    // Every kfunc of the set was exercised, unless this kernel kept some out.
    const missing = HAND_WRITTEN_OPS.filter((op) => !t.byOp.has(op));
    if (t.leftOut.total === 0) expect(missing).toEqual([]);
    else if (missing.length) console.log(`not compared on this kernel (their cases also call a kfunc left out): ${missing.join(', ')}`);
  });

  it.skipIf(setup === undefined)('populate from the ctx buffer: ctx_out and retval agree; a source past the ctx is refused by both', async () => {
    if (!setup) return;
    const rng = new Rng(FIRST_SEED);
    let compared = 0;
    const leftOut = new LeftOut();
    const differences: string[] = [];
    for (const ctxLen of [8, 16, 24, 32]) {
      for (let size = 0; size <= ctxLen + 8; size++) {
        const ctx = Uint8Array.from({ length: ctxLen }, () => rng.below(256));
        const text = populateFromCtx(size);
        const request = await requestFor(setup, text, leftOut, ctx);
        if (!request) continue;
        const answer = await setup.oracle.run(request);
        const ours = runSource(text, { profile: 'linux-6.18', cpus: setup.nrCpus, ctx });
        compared++;
        if (size > ctxLen) {
          // The verifier notes how far into the ctx the program reads, and test_run refuses a
          // smaller ctx_in with EINVAL; the playground runs and stops at the read, with a fault.
          if (answer.ok || ours.kind !== 'fault') differences.push(`ctx ${ctxLen}, size ${size}: kernel ${answer.ok ? 'ran' : answer.error}, ours ${ours.kind}`);
          continue;
        }
        const kernel = answer.ok ? `${hex32(answer.retval)} ${Buffer.from(answer.ctxOut).toString('hex')}` : `${answer.stage}: ${refusalReason(answer)}`;
        const mine = ours.kind === 'exited' && !ours.report.leaks.length ? `${hex32(ours.report.retval)} ${Buffer.from(ours.report.ctxOut ?? []).toString('hex')}` : ours.kind;
        if (kernel !== mine) differences.push(`ctx ${ctxLen}, size ${size}, ctx_in ${Buffer.from(ctx).toString('hex')}: kernel ${kernel}, ours ${mine}`);
      }
    }
    for (const line of leftOut.lines()) console.log(line);
    console.log(`cpumask kernel differential, populate from ctx: ${compared} programs, ${differences.length} differences, ${leftOut.total} left out`);
    expect(differences).toEqual([]);
  });

  it.skipIf(setup === undefined)(`${RANDOM_CASES} seeded random cases from seed ${FIRST_SEED}`, async () => {
    if (!setup) return;
    const t = tally();
    const cases = Array.from({ length: RANDOM_CASES }, (_, i) => randomCase(FIRST_SEED + i, setup.nrCpus));
    await compare(setup, cases, t);
    const ops = [...t.byOp.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`);
    summary('random', t, setup, ` (${ops.join(', ')})`);
    expect(t.disagreements, `${t.disagreements} answers differ from the kernel; the first are printed above`).toBe(0);
    expect(t.programs + t.leftOut.total).toBeGreaterThan(RANDOM_CASES * MASKS.length);
  });

  it.skipIf(setup === undefined)('on a build without bpf_cpumask_weight (simulated): leaves the programs calling it out, compares the rest', async () => {
    if (!setup) return;
    const simulated: Setup = { ...setup, oracle: refusingOracle(setup.oracle, ['bpf_cpumask_weight'], { kfuncId: setup.funcs.funcId }) };
    const t = tally();
    await compare(simulated, Array.from({ length: 20 }, (_, i) => randomCase(FIRST_SEED + i, setup.nrCpus)), t);
    summary('random, simulated build', t, simulated);
    expect(t.disagreements).toBe(0);
    expect(t.leftOut.lines()).toEqual([expect.stringMatching(/^left out: \d+ programs using bpf_cpumask_weight — this kernel refuses it: "calling kernel function bpf_cpumask_weight is not allowed"$/)]);
    expect(t.programs).toBeGreaterThan(0);
    expect(t.byOp.has('weight')).toBe(false);
  });

  it.skipIf(setup === undefined)('a cpumask kfunc called from an XDP program is refused by both, in a wording known from upstream', async () => {
    if (!setup) return;
    const text = '.section xdp\n.license "GPL"\ncall bpf_cpumask_create\nif r0 == 0 goto out\nr1 = r0\ncall bpf_cpumask_release\nout:\nr0 = 2\nexit\n';
    const p = kernelProgram(text, setup.funcs);
    if ('missing' in p) {
      console.log(`skipped: ${p.missing} is not in this kernel's BTF`);
      return;
    }
    const ours = runSource(text, { profile: 'linux-6.18', cpus: setup.nrCpus });
    expect(ours.kind).toBe('refused');
    const message = ours.kind === 'refused' ? (ours.problems[0]?.message ?? '') : '';
    const theirs = await setup.oracle.run({ type: 'xdp', prog: p.bytes, data: new Uint8Array(64) });
    if (theirs.ok) {
      // Upstream registers the cpumask kfuncs for tracing, struct_ops and syscall programs only (kernel/bpf/cpumask.c).
      console.log(`note: this kernel lets an XDP program call bpf_cpumask_create; upstream Linux and the playground refuse it ("${message}")`);
      return;
    }
    const verdict = compareWording('bpf_cpumask_create from an XDP program', message, refusalReason(theirs), KFUNC_REFUSALS);
    if (verdict.ok && verdict.note) console.log(verdict.note);
    expect(verdict.ok ? 'ok' : verdict.failure).toBe('ok');
  });
});
