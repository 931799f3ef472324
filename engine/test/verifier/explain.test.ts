// A refusal's explanation data (VerifyRequest.explain): where the problem began, the failing
// path, and the causal slice of it.

import { describe, expect, it } from 'vitest';
import { assemble } from '../../asm/index.ts';
import { verify, type VerifyError } from '../../verifier/index.ts';

function refusal(source: string, explain = true, beliefs?: boolean): VerifyError {
  const a = assemble(source);
  if (!a.ok) throw new Error(a.diagnostics.map((d) => d.message).join('; '));
  const s = a.sections[0];
  if (!s) throw new Error('no section');
  const r = verify({ insns: s.insns, kind: s.kind, maps: a.maps, gpl: true, profile: 'linux-6.18', logLevel: 0, explain, ...(beliefs === undefined ? {} : { beliefs }) });
  const e = r.errors[0];
  if (!e) throw new Error('accepted');
  return e;
}

const TP = '.section tp_btf/task_newtask\n.license "GPL"\n';

describe('explaining a refusal', () => {
  it('points a NULL refusal at the call whose result was never tested', () => {
    const e = refusal(`${TP}call bpf_cpumask_create\nr7 = r0\nr1 = 1\nr2 = r7\ncall bpf_cpumask_set_cpu\nr0 = 0\nexit\n`);
    expect(e.message).toBe('Possibly NULL pointer passed to trusted arg1');
    expect(e.related).toEqual([{ pc: 0, message: expect.stringContaining('may be NULL') }]);
    // r2 = r7 = r0 of the create: the slice follows the value back through both copies.
    expect(e.slice).toEqual([0, 1, 2, 3, 4]);
    expect(e.path).toEqual([0, 1, 2, 3, 4]);
  });

  it('points a leak at the acquire, and names the reference', () => {
    const e = refusal(`${TP}call bpf_cpumask_create\nif r0 == 0 goto out\nr6 = r0\nr0 = 0\nexit\nout:\nr0 = 0\nexit\n`);
    expect(e.message).toContain('reference leak');
    expect(e.related).toEqual([{ pc: 0, message: expect.stringMatching(/acquired here .*release it on every path/) }]);
    // Its causal path is the acquire, then the exit that still holds it.
    expect(e.slice).toEqual([0, 4]);
  });

  it('points a packet refusal at the pointer and at the last bounds check of the path', () => {
    const e = refusal('.section xdp\nr2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\nif r4 > r3 goto out\nr0 = *(u8 *)(r2 + 20)\nout:\nr0 = 2\nexit\n');
    expect(e.message).toBe('R2 offset is outside of the packet');
    expect(e.related?.map((r) => r.pc)).toEqual([0, 4]);
    expect(e.slice).toEqual([0, 5]);
  });

  it('records what the verifier believed at each step of the failing path, in the log\'s words', () => {
    const e = refusal('.section xdp\nr2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\nif r4 > r3 goto out\nr0 = *(u8 *)(r2 + 20)\nout:\nr0 = 2\nexit\n');
    expect(e.beliefs).toHaveLength(e.path?.length ?? -1);
    expect(e.beliefs?.[0]).toBe('R1=ctx() R10=fp0');
    // At the failing read the checked range is 14 bytes: the read at 20 is beyond it.
    expect(e.beliefs?.at(-1)).toContain('R2=pkt(r=14)');
  });

  it('leaves the beliefs out when asked to (live verification), and nothing else', () => {
    const source = '.section xdp\nr2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\nif r4 > r3 goto out\nr0 = *(u8 *)(r2 + 20)\nout:\nr0 = 2\nexit\n';
    const { beliefs, ...rest } = refusal(source);
    expect(beliefs).toBeDefined();
    const without = refusal(source, true, false);
    expect(without.beliefs).toBeUndefined();
    expect(without).toEqual(rest);
  });

  it('keeps only the path the refusal was on, not the branches walked before it', () => {
    // The fall-through of the first test exits cleanly; the refusal is on the jump's side.
    const e = refusal('.section xdp\nr1 = *(u32 *)(r1 + 8)\nif r1 > 5 goto bad\nr0 = 0\nexit\nbad:\nr0 = *(u8 *)(r1 + 0)\nexit\n');
    expect(e.path).toEqual([0, 1, 4]);
  });

  it('adds nothing without explain', () => {
    const e = refusal(`${TP}call bpf_cpumask_create\nr1 = 1\nr2 = r0\ncall bpf_cpumask_set_cpu\nr0 = 0\nexit\n`, false);
    expect(Object.keys(e).sort()).toEqual(['message', 'pc']);
  });
});
