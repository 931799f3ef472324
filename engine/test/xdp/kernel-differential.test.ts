// The XDP differential's comparisons, without a kernel: leaving programs out must never hide a
// real disagreement, so a wrong verdict, wrong bytes or a refusal on one side still fail.

import { describe, expect, it } from 'vitest';
import type { KernelResult } from '../kernel/oracle.ts';
import { simulate } from '../sim.ts';
import { frameDisagreement, metaRunDisagreement } from './kernel-differential.ts';

const frame = Uint8Array.from({ length: 64 }, (_, i) => i);
const ran = (retval: number, dataOut: Uint8Array, ctxOut: Uint8Array = new Uint8Array(0)): KernelResult => ({ ok: true, retval, durationNs: 1, dataOut, ctxOut, log: '' });

describe('frameDisagreement', () => {
  it('agrees when the verdict and the bytes agree (retval compared as a signed 32-bit value)', () => {
    expect(frameDisagreement(ran(2, frame), { retval: 2, out: frame.slice() })).toBeUndefined();
    expect(frameDisagreement(ran(0xffffffea, frame), { retval: -22, out: frame.slice() })).toBeUndefined();
  });

  it('fails a wrong verdict from the playground', () => {
    expect(frameDisagreement(ran(2, frame), { retval: 1, out: frame.slice() })).toMatch(/^kernel 2 .*, NIC 1 /);
  });

  it('fails one wrong byte, and a packet of another length', () => {
    const wrong = frame.slice();
    wrong[40] = 0xff;
    expect(frameDisagreement(ran(3, frame), { retval: 3, out: wrong })).toBeDefined();
    expect(frameDisagreement(ran(3, frame), { retval: 3, out: frame.slice(0, 60) })).toBeDefined();
  });

  it('fails when the kernel refused or failed the run, or either side has nothing', () => {
    expect(frameDisagreement({ ok: false, stage: 'load', errno: 22, error: 'Invalid argument', log: 'R2 invalid mem access\n' }, { retval: 2, out: frame })).toBe('the kernel failed at load: R2 invalid mem access');
    expect(frameDisagreement(undefined, { retval: 2, out: frame })).toBeDefined();
    expect(frameDisagreement(ran(2, frame), undefined)).toBeDefined();
  });
});

describe('metaRunDisagreement', () => {
  const source = (r0: number) => `.section xdp\n.license "GPL"\nr0 = ${r0}\nexit`;
  const ctx = new Uint8Array(24);
  new DataView(ctx.buffer).setUint32(4, 64, true);
  new DataView(ctx.buffer).setUint32(12, 1, true);

  it('agrees with the same retval, data_out and ctx_out, and fails a wrong playground result', () => {
    const ours = simulate(source(2), { data: frame, ctx, profile: 'linux-6.18' });
    expect(ours.stage).toBe('done');
    if (ours.stage !== 'done') return;
    const kernel = ran(2, ours.report.dataOut ?? new Uint8Array(0), ours.report.ctxOut ?? new Uint8Array(0));
    expect(metaRunDisagreement(kernel, ours)).toBeUndefined();
    expect(metaRunDisagreement(kernel, simulate(source(1), { data: frame, ctx, profile: 'linux-6.18' }))).toMatch(/^kernel 2 .*, ours 1 /);
  });

  it('fails when only one side refuses', () => {
    const ours = simulate(source(2), { data: frame, ctx, profile: 'linux-6.18' });
    expect(metaRunDisagreement({ ok: false, stage: 'run', errno: 22, error: 'Invalid argument', log: '' }, ours)).toMatch(/^kernel run BPF_PROG_TEST_RUN failed: Invalid argument, ours retval 2$/);
    const refused = simulate('.section xdp\n.license "GPL"\ncall bpf_cpumask_create\nr0 = 2\nexit', { data: frame, ctx });
    expect(metaRunDisagreement(ran(2, frame), refused)).toMatch(/^kernel retval 2, ours load: /);
  });
});
