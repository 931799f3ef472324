// The worker's session: load, run, step, breakpoints, register and stack views, the trace pipe.

import { describe, expect, it, vi } from 'vitest';
import { assemble } from '../asm/index.ts';
import type { ProgramImage, RunProgress, RunSettings } from './protocol.ts';
import { Session } from './session.ts';
import { writePcap } from '../net/pcap.ts';
import { Vm } from '../vm/index.ts';

const settings: RunSettings = { isa: 4, profile: 'linux-6.18', cpus: 8, maxInsns: 1_000_000 };

function image(text: string): ProgramImage {
  const r = assemble(text);
  const s = r.sections[0];
  if (!r.ok || !s) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return { sections: r.sections.filter((x) => x.insns.length).map((x) => ({ name: x.name, progType: x.kind.progType, bytecode: x.bytes })), entry: s.name, maps: r.maps };
}

// Prints "x=<r6>" three times, counting r6 down; "x=%d\n" is stored on the stack.
const PRINTER = `
  r6 = 3
loop:
  r1 = 0xa64253d78 ll
  *(u64 *)(r10 - 8) = r1
  r1 = r10
  r1 += -8
  r2 = 8
  r3 = r6
  call bpf_trace_printk
  r6 += -1
  if r6 != 0 goto loop
  r0 = 42
  exit
`;

// Reads the packet's first byte with no bounds check: refused at pc 3 (R2 is pkt with r=0).
const UNCHECKED_READ = '.section xdp\nr2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 12)\nr3 &= 0xff\nr0 = *(u8 *)(r2 + 0)\nr0 = 2\nexit\n';

describe('RunSettings.tier', () => {
  // A loop over the stack with no calls: the WebAssembly tier runs all of it.
  const SUM = 'r6 = 0\nr1 = 100\nloop:\n*(u64 *)(r10 - 8) = r1\nr2 = *(u64 *)(r10 - 8)\nr6 += r2\nr1 += -1\nif r1 != 0 goto loop\nr0 = r6\nexit\n';
  /** What `f` returns on each tier, and the instructions its VMs ran in WebAssembly. */
  function onEachTier<T>(f: (tier: RunSettings['tier']) => T): { value: T; wasmInsns: number }[] {
    const spy = vi.spyOn(Vm.prototype, 'run');
    try {
      return (['interpreter', 'compiled', 'wasm', undefined] as const).map((tier) => {
        spy.mockClear();
        const value = f(tier);
        return { value, wasmInsns: [...new Set(spy.mock.contexts as Vm[])].reduce((a, vm) => a + vm.wasmInsns, 0) };
      });
    } finally {
      spy.mockRestore();
    }
  }

  it('reaches the VMs a load makes (and runRaw\'s): the same results, WebAssembly on the wasm tier and where the engine chooses it', () => {
    const loads = onEachTier((tier) => {
      const s = new Session();
      s.load(image(SUM), { ...settings, ...(tier ? { tier } : {}) });
      const snap = s.run([]);
      return { status: snap.status, r0: snap.r0, insns: snap.insns };
    });
    expect(loads.map((l) => l.value)).toEqual(Array(4).fill({ status: 'exited', r0: '0x00000000000013ba', insns: 504 }));
    // Unset, the engine chooses per program: this loop without calls runs in WebAssembly.
    expect(loads.map((l) => l.wasmInsns > 0)).toEqual([false, false, true, true]);
    const bytecode = assemble(SUM).sections[0]?.bytes ?? new Uint8Array(0);
    const raws = onEachTier((tier) => new Session().runRaw({ bytecode, ...(tier ? { tier } : {}) }));
    expect(raws.map((r) => r.value)).toEqual(Array(4).fill(expect.objectContaining({ ok: true, r0: 5050n, insns: 504 })));
    expect(raws.map((r) => r.wasmInsns > 0)).toEqual([false, false, true, true]);
  });

  it('the debugger still steps on any tier', () => {
    const s = new Session();
    s.load(image(SUM), { ...settings, tier: 'wasm' });
    expect(s.step().pc).toBe(1);
    expect(s.run([6]).pc).toBe(6);
    expect(s.run([]).r0).toBe('0x00000000000013ba');
  });
});

describe('Session', () => {
  it('runs a program to exit with r0 and the trace pipe', () => {
    const s = new Session();
    expect(s.load(image(PRINTER), settings)).toEqual({ ok: true, slots: 13 });
    const snap = s.run([]);
    expect(snap.status).toBe('exited');
    expect(snap.r0).toBe('0x000000000000002a');
    expect(snap.trace.map((l) => l.text)).toEqual(['x=3', 'x=2', 'x=1']);
    expect(snap.insns).toBe(1 + 9 * 3 + 2);
  });

  it('reports progress with the new trace lines while a long run goes on', () => {
    const s = new Session();
    const long = `r6 = 300000\nloop:\nr1 = 0xa64253d78 ll\n*(u64 *)(r10 - 8) = r1\nr1 = r10\nr1 += -8\nr2 = 8\nr3 = r6\nif r6 & 0xffff goto skip\ncall bpf_trace_printk\nskip:\nr6 += -1\nif r6 != 0 goto loop\nexit\n`;
    s.load(image(long), { ...settings, maxInsns: 10_000_000 });
    const progress: RunProgress[] = [];
    const snap = s.run([], (p) => progress.push(p));
    expect(snap.status).toBe('exited');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.flatMap((p) => p.trace).length).toBeGreaterThan(0);
  });

  it('steps, stops at breakpoints and describes registers and the stack', () => {
    const s = new Session();
    s.load(image(PRINTER), settings);
    let snap = s.step();
    expect(snap.pc).toBe(1);
    expect(snap.regs[6]).toMatchObject({ unsigned: '3', kind: 'scalar', changed: true });
    expect(snap.regs[10]).toMatchObject({ kind: 'pointer', region: 'stack frame 0', offset: 512 });
    snap = s.continue([6]);
    expect(snap).toMatchObject({ status: 'breakpoint', pc: 6 });
    expect(snap.regs[1]).toMatchObject({ kind: 'pointer', region: 'stack frame 0', offset: 504 });
    // The stored format string is touched and just changed.
    expect([...snap.stack.touched.slice(504, 512)]).toEqual([1, 1, 1, 1, 1, 0, 0, 0]);
    expect(snap.stack.bytes[504]).toBe(0x78);
    snap = s.continue([6]);
    expect(snap.trace.map((l) => l.text)).toEqual(['x=3']);
    expect(snap.stack.changed.every((b) => b === 0)).toBe(true);
  });

  it('reports a fault with its pc and keeps the state for inspection', () => {
    const s = new Session();
    s.load(image('r1 = 0\nr0 = *(u8 *)(r1 + 0)\nexit\n'), settings);
    const snap = s.run([]);
    expect(snap).toMatchObject({ status: 'fault', pc: 1, fault: { kind: 'memory', pc: 1, message: expect.stringContaining('NULL pointer dereference') } });
  });

  it('refuses what the kernel would refuse at load, and program types not built yet', () => {
    const s = new Session();
    expect(s.load(image('goto +5\nexit\n'), settings)).toMatchObject({ ok: false, problems: [{ pc: 0, stage: 'structure', message: 'jump out of range from insn 0 to 6' }] });
    expect(s.load(image('.section socket\nr0 = 2\nexit\n'), settings)).toMatchObject({ ok: false, problems: [{ stage: 'context', message: expect.stringContaining('socket') }] });
    expect(s.load(image('.section xdp\nr0 = 2\ncall bpf_probe_read\nexit\n'), settings)).toMatchObject({ ok: false, problems: [{ pc: 1, stage: 'call', message: 'program of this type cannot use helper bpf_probe_read#4' }] });
    expect(s.snapshot().status).toBe('empty');
  });

  it('feeds the input memory to a raw program', () => {
    const s = new Session();
    s.load(image('r0 = *(u8 *)(r1 + 1)\nr0 += r2\nexit\n'), { ...settings, input: Uint8Array.of(5, 6, 7) });
    expect(s.run([]).r0).toBe('0x0000000000000009');
  });
});

describe('Session.verify (live verification)', () => {
  const TP = '.section tp_btf/task_newtask\n.license "GPL"\n';
  it('with deferLog, answers without the log (made on request), the verdicts and explanations unchanged', () => {
    const accepted = image(`${TP}call bpf_cpumask_create\nif r0 == 0 goto out\nr1 = r0\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit\n`);
    const refused = image(`${TP}call bpf_cpumask_create\nr7 = r0\nr1 = 1\nr2 = r7\ncall bpf_cpumask_set_cpu\nr0 = 0\nexit\n`);
    const quick = new Session().verify(accepted, settings, undefined, false, true);
    const full = new Session().verify(accepted, settings);
    expect(quick.accepted).toBe(true);
    expect(quick.logDeferred).toBe(true);
    expect(quick.log).toBe('');
    expect(full.accepted).toBe(true);
    expect(full.logDeferred).toBeUndefined();
    expect(full.log).toMatch(/processed \d+ insns/);
    // Refusals: the same errors, related sites, slices and explanations — the packet one
    // quoting the figures of the log line before its message (`invalid access to packet, off=20 …`).
    const packet = image('.section xdp\nr2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\nif r4 > r3 goto out\nr0 = *(u8 *)(r2 + 20)\nout:\nr0 = 2\nexit\n');
    for (const program of [refused, packet]) {
      const refusedQuick = new Session().verify(program, settings, [2, 3, 4, 5, 6, 7, 8, 9, 10], false, true);
      const { log, logDeferred, ...rest } = refusedQuick;
      const { log: fullLog, ...fullRest } = new Session().verify(program, settings, [2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(refusedQuick.accepted).toBe(false);
      expect(logDeferred).toBe(true);
      expect(log).toBe('');
      expect(fullLog).toContain(refusedQuick.errors[0]?.message ?? '?');
      expect(rest).toEqual(fullRest);
    }
    const packetWords = new Session().verify(packet, settings, undefined, false, true).errors[0]?.explanation?.text ?? '';
    expect(packetWords).toContain('byte 20');
    expect(packetWords).toContain('first 14 bytes');
  });

  it('explains a refusal: the unchecked call is related to the failing one, with the causal slice', () => {
    const s = new Session();
    const r = s.verify(image(`${TP}call bpf_cpumask_create\nr7 = r0\nr1 = 1\nr2 = r7\ncall bpf_cpumask_set_cpu\nr0 = 0\nexit\n`), settings);
    expect(r.accepted).toBe(false);
    expect(r.profile).toBe('linux-6.18');
    const e = r.errors[0];
    expect(e?.stage).toBe('verifier');
    expect(e?.pc).toBe(4);
    expect(e?.related.map((x) => x.pc)).toEqual([0]);
    expect(e?.slice.length).toBeGreaterThan(0);
    expect(r.log).toContain(e?.message ?? '?');
  });

  it('explains a refusal in plain words from the catalogue, with the lines it is given', () => {
    const r = new Session().verify(image(`${TP}call bpf_cpumask_create\nr7 = r0\nr1 = 1\nr2 = r7\ncall bpf_cpumask_set_cpu\nr0 = 0\nexit\n`), settings, [3, 4, 5, 6, 7, 8, 9]);
    const x = r.errors[0]?.explanation;
    expect(x?.category).toBeTruthy();
    expect(x?.text).toContain('bpf_cpumask_create');
    expect(x?.text).toContain('line 3');
    expect(x?.suggestion.length).toBeGreaterThan(10);
    expect(x?.kernelFunction).toMatch(/^[a-z_]+$/);
  });

  it('accepts the fixed program and leaves the loaded program alone', () => {
    const s = new Session();
    expect(s.load(image(PRINTER), settings).ok).toBe(true);
    const r = s.verify(image(`${TP}call bpf_cpumask_create\nr7 = r0\nif r7 == 0 goto out\nr1 = 1\nr2 = r7\ncall bpf_cpumask_set_cpu\nr1 = r7\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit\n`), settings);
    expect(r).toMatchObject({ accepted: true, errors: [] });
    expect(s.run([]).r0).toBe('0x000000000000002a');
  });

  it('carries the failing path\'s beliefs as plain data in a verdict', () => {
    const r = new Session().verify(image(UNCHECKED_READ), settings, undefined, true);
    // Live verification (no `states`) leaves them out: they cost most of the time.
    expect(new Session().verify(image(UNCHECKED_READ), settings).errors[0]?.states).toBeUndefined();
    const e = r.errors[0];
    expect(e?.message).toBe('R2 offset is outside of the packet');
    expect(e?.states?.map((x) => x.pc)).toEqual([0, 1, 2, 3]);
    expect(e?.wholePath).toBe(true);
    const at = e?.states?.at(-1);
    expect(at?.regs.find((x) => x.reg === 2)?.text).toBe('pkt(r=0)');
    expect(at?.regs.find((x) => x.reg === 3)?.scalar).toMatchObject({ umin: '0', umax: '255' });
  });

  it('traces the failing path in a run: the registers at the first visit of each pc, the loaded program untouched', () => {
    const s = new Session();
    expect(s.load(image(PRINTER), settings).ok).toBe(true);
    const frame = Uint8Array.from({ length: 64 }, (_, i) => i + 1);
    const t = s.traceAlong(image(UNCHECKED_READ), { ...settings, input: frame }, [0, 1, 2, 3]);
    expect(t).toMatchObject({ ok: true, end: 'reached' });
    expect(t.steps.map((x) => x.pc)).toEqual([0, 1, 2, 3]);
    const at = t.steps[3];
    // R2 points at the packet's data (past XDP's 256 bytes of headroom); R3 holds ingress_ifindex & 0xff, a plain number.
    expect(at?.regs[2]).toMatchObject({ region: 'packet', offset: 256 });
    expect(at?.regs[3]?.region).toBeUndefined();
    expect(BigInt(at?.regs[3]?.unsigned ?? '-1')).toBeLessThanOrEqual(255n);
    expect(at?.regs[3]?.hex).toMatch(/^0x[0-9a-f]{16}$/);
    // R0 of the unverified read is the packet's first byte, at the instruction after.
    expect(s.traceAlong(image(UNCHECKED_READ), { ...settings, input: frame }, [4]).steps[0]?.regs[0]?.unsigned).toBe('1');
    expect(s.run([]).r0).toBe('0x000000000000002a');
  });

  it('traces an XDP program without input on the traffic\'s first frame, and says when the run ends first', () => {
    const t = new Session().traceAlong(image(UNCHECKED_READ), settings, [0, 3, 99]);
    expect(t.ok).toBe(true);
    expect(t.steps.map((x) => x.pc)).toEqual([0, 3]);
    expect(t.end).toBe('exited');
    expect(t.steps[0]?.regs[1]?.region).toBeTruthy();
  });

  it('follows the failing path step by step while the run takes it', () => {
    const frame = Uint8Array.from({ length: 64 }, (_, i) => i + 1);
    const t = new Session().traceAlong(image(UNCHECKED_READ), { ...settings, input: frame }, [0, 1, 2, 3], true);
    expect(t).toMatchObject({ ok: true, end: 'reached', followed: 4 });
    expect(t.steps.map((x) => [x.pc, x.index])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });

  it('says where the run leaves the path: the verifier refused a side the input does not take', () => {
    // ingress_ifindex is small: the run falls through at pc 2 and never reaches the refused read.
    const src = '.section xdp\nr2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 12)\nif r3 > 1000 goto bad\nr0 = 2\nexit\nbad:\nr0 = *(u8 *)(r2 + 0)\nexit\n';
    const path = new Session().verify(image(src), settings, undefined, true).errors[0]?.states?.map((x) => x.pc) ?? [];
    expect(path).toEqual([0, 1, 2, 5]);
    const t = new Session().traceAlong(image(src), { ...settings, input: new Uint8Array(64) }, path, true);
    expect(t).toMatchObject({ ok: true, end: 'exited', followed: 3 });
    expect(t.steps.map((x) => x.pc)).toEqual([0, 1, 2]);
  });

  it('says a raw program is not verified', () => {
    expect(new Session().verify(image('.section raw\nr0 = 0\nexit\n'), settings)).toMatchObject({ accepted: true, unverified: 'raw' });
  });
});

describe('Session.counterexample (an input that shows a refusal)', () => {
  // An XDP program that reads byte 34 (the IPv4 protocol field's neighbourhood) with no bounds check.
  const UNCHECKED = '.section xdp\nr2 = *(u32 *)(r1 + 0)\nr0 = *(u8 *)(r2 + 34)\nr0 = 2\nexit\n';

  it('finds a packet on which the unchecked read leaves the packet, named by source line', () => {
    const r = new Session().counterexample(image(UNCHECKED), settings, [2, 3, 4, 5]);
    expect(r.none).toBeUndefined();
    expect(r.found).toMatchObject({ pc: 1, here: true, kind: 'fault' });
    expect(r.found?.text).toMatch(/line 3 reads 1 byte at offset 34 of a \d+-byte packet/);
    const data = r.found?.input.data ?? '';
    expect(data.replace(/\s/g, '').length / 2).toBeLessThanOrEqual(34);
  });

  it('run unverified with strictPacket on that packet, faults at the read; without it, reads the frame as Linux would', () => {
    const s = new Session();
    const found = s.counterexample(image(UNCHECKED), settings).found;
    const input = Uint8Array.from((found?.input.data ?? '').replace(/\s/g, '').match(/../g) ?? [], (h) => parseInt(h, 16));
    expect(s.load(image(UNCHECKED), { ...settings, input, verify: false, strictPacket: true }).ok).toBe(true);
    const strict = s.run([]);
    expect(strict.status).toBe('fault');
    expect(strict.fault).toMatchObject({ pc: 1 });
    // The search's watcher stops it before the fenced packet would, in the search's words.
    expect(strict.fault?.message).toMatch(/^pc 1: reads 1 byte at offset 34 of a \d+-byte packet \(data\.\.data_end\), through R2: outside the packet .*; this run stops here to show the access the verifier refused$/);
    expect(s.load(image(UNCHECKED), { ...settings, input, verify: false }).ok).toBe(true);
    expect(s.run([]).status).toBe('exited');
  });

  it('says why when no input can show it, and when the program is accepted', () => {
    const s = new Session();
    expect(s.counterexample(image('.section xdp\nr0 = 2\nexit\n'), settings).none).toBe('the program is not refused by the verifier');
    // A refusal that is not about memory: no search.
    expect(s.counterexample(image('.section xdp\nexit\n'), settings).none).toMatch(/not about memory safety, NULL, bounds or a leak/);
  });
});

describe('Session.verify of an accepted program, with states', () => {
  const OK = '.section xdp\nr2 = *(u32 *)(r1 + 16)\nif r2 > 10 goto big\nr0 = 2\nexit\nbig:\nr0 = 1\nexit\n';

  it('carries the paths walked, each to the exit, when asked for states, and nothing otherwise', () => {
    const s = new Session();
    const r = s.verify(image(OK), settings, undefined, true);
    expect(r.accepted).toBe(true);
    expect(r.walked?.map((w) => w.states.map((x) => x.pc))).toEqual([
      [0, 1, 2, 3],
      [0, 1, 4, 5],
    ]);
    expect(r.walked?.map((w) => [w.end, w.steps, w.wholePath])).toEqual([
      ['exit', 4, true],
      ['exit', 4, true],
    ]);
    // The branch's other side: R2 believed above 10 there.
    expect(r.walked?.[1]?.states[2]?.regs.find((x) => x.reg === 2)?.scalar?.umin).toBe('11');
    expect(s.verify(image(OK), settings).walked).toBeUndefined();
  });

  it('ends a path where the verifier pruned it: its state within one already proved safe', () => {
    const s = new Session();
    // Both branches join at pc 12; R3, which differs, is not read there (so not live): the later paths are pruned.
    const JOIN = `.section xdp\nr2 = *(u32 *)(r1 + 16)\nr4 = *(u32 *)(r1 + 12)\nif r2 > 10 goto join\nr3 = 1\n${'r3 += 1\n'.repeat(6)}if r4 > 3 goto join\nr3 += 1\njoin:\nr0 = 2\nexit\n`;
    const r = s.verify(image(JOIN), settings, undefined, true);
    expect(r.accepted).toBe(true);
    expect(r.walked?.map((w) => [w.end, w.states.map((x) => x.pc)])).toEqual([
      ['exit', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]],
      ['pruned', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]],
      ['pruned', [0, 1, 2, 12]],
    ]);
    // What the state it was pruned against looked like is one click away.
    expect(r.walked?.[2]?.explored?.find((x) => x.pc === 12)?.states[0]?.pruned).toBe(2);
  });
});

describe('Session.counterexample of a device-bound XDP program', () => {
  // Line 3 asks the NIC for the RX hash, line 6 reads byte 40 of the packet unchecked.
  const BOUND = '.section xdp\n.license "GPL"\nr6 = r1\nr2 = r10\nr2 += -8\nr3 = r10\nr3 += -4\ncall bpf_xdp_metadata_rx_hash\nr2 = *(u32 *)(r6 + 0)\nr0 = *(u8 *)(r2 + 40)\nr0 = 2\nexit\n';

  it('finds a frame for the emulated NIC (BPF_PROG_TEST_RUN refuses device-bound programs), and a replay of it faults at the read', () => {
    const s = new Session();
    const found = s.counterexample(image(BOUND), settings).found;
    expect(found).toMatchObject({ nic: true, here: true, kind: 'fault' });
    expect(found?.text).toMatch(/received by the emulated NIC/);
    expect(found?.text).toMatch(/reads 1 byte at offset 40 of a \d+-byte packet/);
    const frame = Uint8Array.from((found?.input.data ?? '').replace(/\s/g, '').match(/../g) ?? [], (h) => parseInt(h, 16));
    const pcap = writePcap([{ tsNs: 0, data: frame }]);
    expect(s.load(image(BOUND), { ...settings, pcap, verify: false, strictPacket: true }).ok).toBe(true);
    const r = s.run([]);
    expect(r.status).toBe('fault');
    expect(r.fault?.message).toMatch(/a read of 1 byte at offset 40 of a \d+-byte packet: outside the packet/);
  });
});
