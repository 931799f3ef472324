// The kernel oracle's contract, checked against the running kernel (skipped, saying why, where
// there is none): answers in order, refusals with the verifier log, malformed requests as values.
// The two refusals are the rules generate.ts is built around.

import { afterAll, describe, expect, it } from 'vitest';
import { encodeProgram, type Insn } from '../../isa/index.ts';
import { kernelOracle, type KernelOracle } from './oracle.ts';

const found = await kernelOracle();
const kernel = 'unavailable' in found ? undefined : found;
if ('unavailable' in found) console.log(`skipped: ${found.unavailable}`);

/** The oracle inside the tests, which only run when it exists. */
function oracle(): KernelOracle {
  if (!kernel) throw new Error('internal: kernel tests ran without a kernel');
  return kernel;
}

const PACKET = new Uint8Array(64);
const movImm = (dst: number, imm: number): Insn => ({ kind: 'alu', width: 64, op: 'mov', dst, src: { type: 'imm', imm } });
const exit: Insn = { kind: 'exit' };
const returning = (v: number): Uint8Array => encodeProgram([movImm(0, v), exit]);

describe.skipIf(kernel === undefined)('kernel oracle', () => {
  afterAll(async () => {
    await kernel?.close();
  });

  it('runs a batch and answers in request order', async () => {
    const answers = await oracle().runBatch([1, 2, 3, 70000].map((v) => ({ prog: returning(v), data: PACKET })));
    expect(answers.map((a) => (a.ok ? a.retval : a.error))).toEqual([1, 2, 3, 70000]);
    const first = answers[0];
    expect(first?.ok && first.dataOut).toEqual(PACKET);
  });

  it('reports the mean duration of repeated runs and the log at log_level 1', async () => {
    const answer = await oracle().run({ prog: returning(2), data: PACKET, repeat: 1000, logLevel: 1 });
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(answer.durationNs).toBeGreaterThanOrEqual(0);
    expect(answer.log).toMatch(/processed 2 insns/);
  });

  it('returns the verifier log of a refused program (verifier.c check_alu_op)', async () => {
    const div: Insn = { kind: 'alu', width: 64, op: 'div', dst: 0, src: { type: 'imm', imm: 0 } };
    const shift: Insn = { kind: 'alu', width: 32, op: 'lsh', dst: 0, src: { type: 'imm', imm: 32 } };
    const [a, b] = await oracle().runBatch([
      { prog: encodeProgram([movImm(0, 1), div, exit]), data: PACKET },
      { prog: encodeProgram([movImm(0, 1), shift, exit]), data: PACKET },
    ]);
    expect(a).toMatchObject({ ok: false, stage: 'load', errno: 22 });
    expect(a?.log).toMatch(/div by zero/);
    expect(b?.log).toMatch(/invalid shift 32/);
  });

  it('answers a malformed request instead of dying', async () => {
    const bad = await oracle().run({ prog: new Uint8Array(5), data: PACKET });
    expect(bad).toMatchObject({ ok: false, stage: 'request' });
    expect((await oracle().run({ prog: returning(7), data: PACKET })).ok).toBe(true);
  });

  it('reports a failed test_run (a packet shorter than ETH_HLEN)', async () => {
    expect(await oracle().run({ prog: returning(2), data: new Uint8Array(4) })).toMatchObject({ ok: false, stage: 'run', errno: 22 });
  });
});
