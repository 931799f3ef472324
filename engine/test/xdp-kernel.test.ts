// XDP programs without metadata kfuncs against the running kernel (xdp/kernel-differential.ts):
// generated programs on generated traffic, in Linux through BPF_PROG_TEST_RUN and in the
// playground on the emulated NIC; the verdict and the packet that leaves must be the same.
// Programs calling a helper this kernel build refuses are left out, each feature on one printed
// line. A second run simulates a build that refuses bpf_xdp_adjust_meta (as some 6.18 builds
// do, though upstream allows it) and must still pass, leave those programs out and compare the
// rest. Seeded and bounded; skipped, saying why, where the kernel cannot be asked.

import { afterAll, describe, expect, it } from 'vitest';
import { assemble } from '../asm/index.ts';
import { callsOf, compareWording, HELPER_REFUSALS, refusalReason } from './kernel/features.ts';
import { kernelOracle, type KernelOracle } from './kernel/oracle.ts';
import { refusingOracle } from './kernel/refusing.ts';
import { simulate } from './sim.ts';
import { xdpDifferential } from './xdp/kernel-differential.ts';
import { bytecode, generatedCases } from './xdp/kernel-programs.ts';

const SEED = 0x5d9;
const PROGRAMS = 120;
const FRAMES = 16;
/** The simulated build's run: six rounds of the six templates. */
const SIMULATED_PROGRAMS = 36;

let oracle: KernelOracle | undefined;
let unavailable = '';
const ready = kernelOracle().then((o) => {
  if ('unavailable' in o) unavailable = o.unavailable;
  else oracle = o;
});

afterAll(async () => {
  await oracle?.close();
});

/** How many of the first `n` programs of the seed call `helper`. */
function programsCalling(helper: string, n: number): number {
  return [...generatedCases(SEED, n, FRAMES)].filter((c) => callsOf(bytecode(c.source)).helpers.includes(helper)).length;
}

describe('XDP programs on generated traffic: the playground against Linux', () => {
  it('verdicts and data_out agree, on the NIC and in test_run with xdp_md metadata', async () => {
    await ready;
    if (!oracle) {
      console.log(`skipped: ${unavailable}`);
      return;
    }
    const r = await xdpDifferential(oracle, { seed: SEED, programs: PROGRAMS, frames: FRAMES });
    expect(r.disagreements.slice(0, 5)).toEqual([]);
    // Every program that was not left out ran on every frame and once with metadata.
    expect(r.compared).toBe(r.programsCompared * (FRAMES + 1));
    expect(r.programsCompared + r.leftOut.total).toBe(PROGRAMS);
  }, 300_000);

  it('on a build that refuses bpf_xdp_adjust_meta (simulated): still passes, says what it left out and why, compares the rest', async () => {
    await ready;
    if (!oracle) {
      console.log(`skipped: ${unavailable}`);
      return;
    }
    const printed: string[] = [];
    const simulated = refusingOracle(oracle, ['bpf_xdp_adjust_meta']);
    const r = await xdpDifferential(simulated, {
      seed: SEED,
      programs: SIMULATED_PROGRAMS,
      frames: FRAMES,
      log: (line) => {
        printed.push(line);
        console.log(line);
      },
    });
    expect(r.disagreements.slice(0, 5)).toEqual([]);
    const left = programsCalling('bpf_xdp_adjust_meta', SIMULATED_PROGRAMS);
    expect(left).toBeGreaterThan(0);
    expect(printed).toContain(`left out: ${left} programs using bpf_xdp_adjust_meta — this kernel refuses it: "program of this type cannot use helper bpf_xdp_adjust_meta#54"`);
    expect(r.leftOut.total).toBe(left);
    expect(r.programsCompared).toBe(SIMULATED_PROGRAMS - left);
    expect(r.compared).toBeGreaterThan(0);
  }, 300_000);

  it('a tc program calling bpf_xdp_adjust_meta is refused by both, in a wording known from upstream', async () => {
    await ready;
    if (!oracle) {
      console.log(`skipped: ${unavailable}`);
      return;
    }
    const source = '.section tc\n.license "GPL"\nr2 = 0\ncall bpf_xdp_adjust_meta\nr0 = 0\nexit';
    const asm = assemble(source);
    const prog = asm.sections[0]?.bytes;
    if (!asm.ok || !prog) throw new Error('does not assemble');
    const theirs = await oracle.run({ type: 'sched_cls', prog, data: new Uint8Array(64) });
    const ours = simulate(source);
    expect(ours.stage).toBe('load');
    const message = ours.stage === 'load' ? (ours.problems[0]?.message ?? '') : '';
    if (theirs.ok) {
      // Upstream refuses it (net/core/filter.c tc_cls_act_func_proto has no xdp_adjust_meta).
      console.log(`note: this kernel accepts bpf_xdp_adjust_meta in a tc program; upstream Linux and the playground refuse it ("${message}")`);
      return;
    }
    const verdict = compareWording('bpf_xdp_adjust_meta from a tc program', message, refusalReason(theirs), HELPER_REFUSALS);
    if (verdict.ok && verdict.note) console.log(verdict.note);
    expect(verdict.ok ? 'ok' : verdict.failure).toBe('ok');
  });
});
