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
    const { beliefs, states, ...rest } = refusal(source);
    expect(beliefs).toBeDefined();
    expect(states).toBeDefined();
    const without = refusal(source, true, false);
    expect(without.beliefs).toBeUndefined();
    expect(without.states).toBeUndefined();
    expect(without).toEqual(rest);
  });

  it('records the beliefs as plain data too: R0 at the failing pc may be NULL, with the reference held', () => {
    const e = refusal(`${TP}call bpf_cpumask_create\nr7 = r0\nr1 = 1\nr2 = r7\ncall bpf_cpumask_set_cpu\nr0 = 0\nexit\n`);
    expect(e.states?.map((s) => s.pc)).toEqual(e.path);
    const first = e.states?.[0];
    expect(first?.regs.map((r) => [r.reg, r.type])).toEqual([
      [1, 'ctx'],
      [10, 'fp'],
    ]);
    const last = e.states?.at(-1);
    expect(last?.pc).toBe(4);
    // At the call, R2 (the create's result) is believed to be a pointer that may be NULL.
    const r2 = last?.regs.find((r) => r.reg === 2);
    expect(r2?.type).toBe('ptr_or_null_bpf_cpumask');
    expect(r2?.text).toMatch(/^ptr_or_null_bpf_cpumask\(id=\d+,ref_obj_id=\d+\)$/);
    expect(r2?.scalar).toBeUndefined();
    // R1 = 1: a constant scalar, every bound 1 and the tnum known.
    expect(last?.regs.find((r) => r.reg === 1)?.scalar).toEqual({ umin: '1', umax: '1', smin: '1', smax: '1', u32min: 1, u32max: 1, s32min: 1, s32max: 1, value: '0x1', mask: '0x0' });
    // The reference the create acquired is held from the step after it.
    expect(e.states?.[0]?.refs).toEqual([]);
    expect(last?.refs).toHaveLength(1);
    expect(last?.frame).toBe(0);
  });

  it('gives a scalar its bounds and tnum, and the stack slots as the log prints them', () => {
    // r3 = ingress_ifindex & 0xff: umax 255, the low 8 bits unknown; spilled to fp-8, stored to fp-16.
    const e = refusal('.section xdp\nr3 = *(u32 *)(r1 + 12)\nr3 &= 0xff\n*(u64 *)(r10 - 8) = r3\n*(u32 *)(r10 - 16) = r3\nr0 = *(u8 *)(r3 + 0)\nexit\n');
    expect(e.message).toBe("R3 invalid mem access 'scalar'");
    const last = e.states?.at(-1);
    expect(last?.pc).toBe(e.pc);
    const r3 = last?.regs.find((r) => r.reg === 3);
    expect(r3?.type).toBe('scalar');
    expect(r3?.scalar).toEqual({ umin: '0', umax: '255', smin: '0', smax: '255', u32min: 0, u32max: 255, s32min: 0, s32max: 255, value: '0x0', mask: '0xff' });
    // Both slots as the log's state line has them (a spilled scalar without a constant prints nothing after `=`).
    expect(last?.stack.map((x) => x.slot)).toEqual(['fp-8', 'fp-16']);
    expect(e.beliefs?.at(-1)).toContain(`fp-8=${last?.stack[0]?.value ?? '?'}`);
  });

  it('lists the states kept at the instructions of the path, with the paths each pruned', () => {
    // The fall-through and the `a` side meet at `join` with states alike in what is live (r2 <= 10):
    // `a` stops there. The `c` side (r2 > 10) is not covered, walks on and is refused at `bad`.
    const src =
      '.section xdp\nr2 = *(u32 *)(r1 + 12)\nr3 = *(u32 *)(r1 + 16)\nif r2 > 10 goto c\nif r3 > 5 goto a\n' +
      'r4 = 1\nr4 = 1\nr4 = 1\nr4 = 1\nr4 = 1\ngoto join\na:\nr4 = 1\nr4 = 1\nr4 = 1\nr4 = 1\nr4 = 1\ngoto join\nc:\nr4 = 1\n' +
      'join:\nr5 = 0\nr5 = 0\nr5 = 0\nif r2 > 20 goto bad\nr0 = 2\nexit\nbad:\nr0 = *(u8 *)(r2 + 0)\nexit\n';
    const e = refusal(src);
    expect(e.message).toBe("R2 invalid mem access 'scalar'");
    expect(e.path).toEqual([0, 1, 2, 16, 17, 18, 19, 20, 23]);
    const join = e.explored?.find((x) => x.pc === 17);
    expect(join?.states).toEqual([{ text: expect.stringContaining('R2=scalar(smin=smin32=0,smax=umax=smax32=umax32=10'), pruned: 1 }]);
    expect(join?.more).toBe(0);
    for (const x of e.explored ?? []) expect(e.path).toContain(x.pc);
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

describe('an accepted program explained', () => {
  function accepted(source: string, explain = true) {
    const a = assemble(source);
    const s = a.sections[0];
    if (!a.ok || !s) throw new Error('does not assemble');
    const r = verify({ insns: s.insns, kind: s.kind, maps: a.maps, gpl: true, profile: 'linux-6.18', logLevel: 0, explain });
    expect(r.accepted).toBe(true);
    return r;
  }

  it('carries the first path walked to the exit, with the beliefs along it', () => {
    // The fall-through (r2 > 10 not taken) is walked first: pcs 0, 1, 2, 3 and the exit at 4.
    const r = accepted('.section xdp\nr2 = *(u32 *)(r1 + 16)\nif r2 > 10 goto big\nr0 = 2\nexit\nbig:\nr0 = 1\nexit\n');
    expect(r.firstPath?.path).toEqual([0, 1, 2, 3]);
    expect(r.firstPath?.states?.map((s) => s.pc)).toEqual([0, 1, 2, 3]);
    // On the fall-through R2 is believed at most 10; at the exit R0 is the constant 2.
    const atExit = r.firstPath?.states?.at(-1);
    expect(atExit?.regs.find((x) => x.reg === 2)?.scalar?.umax).toBe('10');
    expect(atExit?.regs.find((x) => x.reg === 0)?.text).toBe('2');
  });

  it('carries none without explain', () => {
    expect(accepted('.section xdp\nr0 = 2\nexit\n', false).firstPath).toBeUndefined();
  });
});
