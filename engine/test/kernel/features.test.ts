// The machinery that lets the kernel differential tests run on any kernel build, checked
// without a kernel: a fake oracle stands in, so these run everywhere. Probes are asked once,
// left-out programs are counted and reported in the kernel's words, the simulated build refuses
// exactly what it names, and build-dependent wordings are judged against the known ones.

import { describe, expect, it } from 'vitest';
import { assemble } from '../../asm/index.ts';
import { encodeProgram, type Insn } from '../../isa/index.ts';
import { callsOf, compareWording, firstRefused, HELPER_REFUSALS, KFUNC_REFUSALS, LeftOut, probe, refusalReason, type Feature } from './features.ts';
import { insnFeature, insnFeatures, insnFormName } from './insn-features.ts';
import type { KernelOracle, KernelRequest, KernelResult } from './oracle.ts';
import { refusedByEnvironment, refusingOracle } from './refusing.ts';

/** An oracle that runs nothing: it accepts every program (retval 2) and counts the requests. */
function fakeOracle(): KernelOracle & { requests: KernelRequest[] } {
  const requests: KernelRequest[] = [];
  const accept = (req: KernelRequest): KernelResult => {
    requests.push(req);
    return { ok: true, retval: 2, durationNs: 0, dataOut: req.data ?? new Uint8Array(0), ctxOut: new Uint8Array(0), log: '' };
  };
  return {
    kernel: 'fake',
    requests,
    run: (req) => Promise.resolve(accept(req)),
    runBatch: (reqs) => Promise.resolve(reqs.map(accept)),
    close: () => Promise.resolve(),
  };
}

function bytes(source: string): Uint8Array {
  const asm = assemble(source);
  const b = asm.sections[0]?.bytes;
  if (!asm.ok || !b) throw new Error(asm.diagnostics.map((d) => d.message).join('; '));
  return b;
}

const XDP = '.section xdp\n.license "GPL"\n';
const META = bytes(`${XDP}r1 = r1\nr2 = -4\ncall bpf_xdp_adjust_meta\nr0 = 2\nexit`);
const HEAD = bytes(`${XDP}r2 = 0\ncall bpf_xdp_adjust_head\nr0 = 2\nexit`);
const helperFeature = (name: string, prog: Uint8Array): Feature => ({ name, probe: { prog, data: new Uint8Array(64) } });

describe('the simulated kernel build (refusingOracle, BPFP_KERNEL_REFUSE)', () => {
  it('refuses a program calling a named helper at load, with the exact message of a build without it, and lets the rest through', async () => {
    const inner = fakeOracle();
    const oracle = refusingOracle(inner, ['bpf_xdp_adjust_meta']);
    const [meta, head] = await oracle.runBatch([{ prog: META }, { prog: HEAD }]);
    expect(meta).toMatchObject({ ok: false, stage: 'load', errno: 22 });
    expect(meta?.ok === false && refusalReason(meta)).toBe('program of this type cannot use helper bpf_xdp_adjust_meta#54');
    expect(head?.ok).toBe(true);
    // Only the program it let through reached the kernel.
    expect(inner.requests.map((r) => r.prog)).toEqual([HEAD]);
    expect(await oracle.run({ prog: HEAD })).toMatchObject({ ok: true });
  });

  it('refuses a kfunc by the running kernel’s BTF id, and an instruction form by name', async () => {
    const kfunc = encodeProgram([{ kind: 'call', target: 'kfunc', imm: 777, off: 0 }, { kind: 'exit' }]);
    const sdiv = encodeProgram([{ kind: 'alu', width: 64, op: 'sdiv', dst: 0, src: { type: 'imm', imm: 3 } }, { kind: 'exit' }]);
    const oracle = refusingOracle(fakeOracle(), ['bpf_cpumask_weight', 'sdiv64'], { kfuncId: (n) => (n === 'bpf_cpumask_weight' ? 777 : undefined) });
    const [k, s] = await oracle.runBatch([{ prog: kfunc }, { prog: sdiv }]);
    expect(k?.ok === false && refusalReason(k)).toBe('calling kernel function bpf_cpumask_weight is not allowed');
    expect(s?.ok === false && refusalReason(s)).toMatch(/^sdiv64 is not supported by this kernel build/);
  });

  it('words a refusal as told, for builds that word it differently', async () => {
    const oracle = refusingOracle(fakeOracle(), ['bpf_xdp_adjust_meta'], { messages: new Map([['bpf_xdp_adjust_meta', 'unknown func bpf_xdp_adjust_meta#54']]) });
    const r = await oracle.run({ prog: META });
    expect(r.ok === false && refusalReason(r)).toBe('unknown func bpf_xdp_adjust_meta#54');
  });

  it('reads the names from BPFP_KERNEL_REFUSE', () => {
    expect(refusedByEnvironment({ BPFP_KERNEL_REFUSE: ' bpf_xdp_adjust_meta, sdiv64,,' })).toEqual(['bpf_xdp_adjust_meta', 'sdiv64']);
    expect(refusedByEnvironment({})).toEqual([]);
  });
});

describe('feature probes', () => {
  it('load each feature once per oracle, however many programs ask', async () => {
    const inner = fakeOracle();
    const oracle = refusingOracle(inner, ['bpf_xdp_adjust_meta']);
    const meta = helperFeature('bpf_xdp_adjust_meta', META);
    const head = helperFeature('bpf_xdp_adjust_head', HEAD);
    const answers = await Promise.all(Array.from({ length: 50 }, () => firstRefused(oracle, [head, meta])));
    expect(answers[0]).toEqual({ feature: meta, reason: 'program of this type cannot use helper bpf_xdp_adjust_meta#54' });
    expect(new Set(answers.map((a) => a?.reason)).size).toBe(1);
    // The head probe reached the kernel once; the meta probe was refused before it.
    expect(inner.requests).toHaveLength(1);
    expect(await firstRefused(oracle, [head])).toBeUndefined();
    expect(inner.requests).toHaveLength(1);
  });

  it('report a feature that cannot be asked (a kfunc missing from BTF) without asking', async () => {
    const inner = fakeOracle();
    const missing: Feature = { name: 'bpf_cpumask_weight', probe: { unavailable: "libbpf: extern (func ksym) 'bpf_cpumask_weight': not found in kernel or module BTFs" } };
    expect(await probe(inner, missing)).toEqual({ ok: false, reason: "libbpf: extern (func ksym) 'bpf_cpumask_weight': not found in kernel or module BTFs" });
    expect(inner.requests).toHaveLength(0);
  });

  it('take the verifier’s message as the reason, not its statistics or its walk', () => {
    const log = '0: R1=ctx() R10=fp0\n0: (85) call bpf_xdp_adjust_meta#54\nprogram of this type cannot use helper bpf_xdp_adjust_meta#54\nprocessed 1 insns (limit 1000000) max_states_per_insn 0\n';
    expect(refusalReason({ ok: false, stage: 'load', errno: 22, error: 'Invalid argument', log })).toBe('program of this type cannot use helper bpf_xdp_adjust_meta#54');
    expect(refusalReason({ ok: false, stage: 'load', errno: 1, error: 'Operation not permitted', log: '' })).toBe('Operation not permitted');
    expect(refusalReason({ ok: false, stage: 'run', errno: 524, error: 'Unknown error 524', log: '' })).toBe('BPF_PROG_TEST_RUN failed: Unknown error 524');
  });
});

describe('what was left out', () => {
  it('is one line per feature with the count and the kernel’s words', () => {
    const left = new LeftOut();
    for (let i = 0; i < 37; i++) left.add('bpf_xdp_adjust_meta', 'program of this type cannot use helper bpf_xdp_adjust_meta#54');
    left.add('sdiv64', 'invalid BPF_ALU opcode 30');
    expect(left.total).toBe(38);
    expect(left.lines()).toEqual([
      'left out: 37 programs using bpf_xdp_adjust_meta — this kernel refuses it: "program of this type cannot use helper bpf_xdp_adjust_meta#54"',
      'left out: 1 program using sdiv64 — this kernel refuses it: "invalid BPF_ALU opcode 30"',
    ]);
  });
});

describe('a program’s features', () => {
  it('lists the helpers and kfunc ids it calls, once each, in order', () => {
    const prog = encodeProgram([
      { kind: 'call', target: 'helper', imm: 44, off: 0 },
      { kind: 'call', target: 'kfunc', imm: 5, off: 0 },
      { kind: 'call', target: 'helper', imm: 54, off: 0 },
      { kind: 'call', target: 'helper', imm: 44, off: 0 },
      { kind: 'exit' },
    ]);
    expect(callsOf(prog)).toEqual({ helpers: ['bpf_xdp_adjust_head', 'bpf_xdp_adjust_meta'], kfuncIds: [5] });
  });

  it('names the instruction forms some kernels lack, and none of the rest', () => {
    const forms: [Insn, string | undefined][] = [
      [{ kind: 'alu', width: 64, op: 'sdiv', dst: 1, src: { type: 'reg', reg: 2 } }, 'sdiv64'],
      [{ kind: 'alu', width: 32, op: 'smod', dst: 1, src: { type: 'imm', imm: 3 } }, 'smod32'],
      [{ kind: 'alu', width: 64, op: 'div', dst: 1, src: { type: 'imm', imm: 3 } }, undefined],
      [{ kind: 'movsx', width: 32, bits: 8, dst: 1, src: 2 }, 'movsx32_8'],
      [{ kind: 'load', size: 2, signExtend: true, dst: 1, base: 10, off: -8 }, 'ldsx16'],
      [{ kind: 'load', size: 2, signExtend: false, dst: 1, base: 10, off: -8 }, undefined],
      [{ kind: 'end', order: 'bswap', bits: 16, dst: 1 }, 'bswap16'],
      [{ kind: 'end', order: 'be', bits: 16, dst: 1 }, undefined],
      [{ kind: 'ja', long: true, off: 3 }, 'gotol'],
      [{ kind: 'jcond', width: 32, cond: 'jsgt', dst: 1, src: { type: 'imm', imm: 0 }, off: 1 }, 'jmp32'],
      [{ kind: 'atomic', size: 8, op: 'add', fetch: false, base: 10, off: -8, src: 1 }, undefined],
      [{ kind: 'atomic', size: 4, op: 'add', fetch: true, base: 10, off: -8, src: 1 }, 'atomic32_fetch_add'],
      [{ kind: 'atomic', size: 8, op: 'cmpxchg', fetch: true, base: 10, off: -8, src: 1 }, 'atomic64_cmpxchg'],
    ];
    expect(forms.map(([insn]) => insnFormName(insn))).toEqual(forms.map(([, name]) => name));
    const sdiv = forms[0]?.[0];
    if (!sdiv) throw new Error('no sdiv');
    // One feature object per form, its probe an XDP program with that form in it.
    expect(insnFeature(sdiv)).toBe(insnFeature({ kind: 'alu', width: 64, op: 'sdiv', dst: 5, src: { type: 'imm', imm: -1 } }));
    expect(insnFeatures(forms.map(([insn]) => insn)).map((f) => f.name)).toEqual(forms.flatMap(([, n]) => (n ? [n] : [])));
  });
});

describe('build-dependent wordings', () => {
  it('pass when both say the same', () => {
    expect(compareWording('x', 'calling kernel function bpf_cpumask_create is not allowed', 'calling kernel function bpf_cpumask_create is not allowed', KFUNC_REFUSALS)).toEqual({ ok: true });
  });
  it('note a different known wording and a new one, without failing', () => {
    const ours = 'calling kernel function bpf_cpumask_create is not allowed';
    const known = compareWording('kfunc from XDP', ours, 'JIT is required for calling kernel function', KFUNC_REFUSALS);
    expect(known).toMatchObject({ ok: true, note: expect.stringContaining('add_kfunc_call') });
    const fresh = compareWording('kfunc from XDP', ours, 'kfunc bpf_cpumask_create is not permitted here', KFUNC_REFUSALS);
    expect(fresh).toMatchObject({ ok: true, note: expect.stringContaining('not known from upstream') });
  });
  it('fail when our message is none of the known wordings', () => {
    expect(compareWording('helper from tc', 'bpf_xdp_adjust_meta is forbidden', 'program of this type cannot use helper bpf_xdp_adjust_meta#54', HELPER_REFUSALS)).toMatchObject({ ok: false });
  });
});
