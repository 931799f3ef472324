// The simulated kernel end to end: programs assembled from text, loaded with the kernel's
// checks and run as BPF_PROG_TEST_RUN would, for the helpers without maps, the load-time
// refusals, the tracepoint contexts, callbacks, tail calls, and object lifetimes.

import { describe, expect, it } from 'vitest';
import { simulate, simReport, type SimOptions } from '../test/sim.ts';

const RAW = '.section raw\n.license "GPL"\n';
const r0 = (body: string, opts?: SimOptions) => simReport(RAW + body, opts).r0;
const refusal = (src: string, opts?: SimOptions) => {
  const r = simulate(src, opts);
  return r.stage === 'load' || r.stage === 'assemble' ? r.errors.join('\n') : `ran: ${r.stage}`;
};
const stopped = (src: string, opts?: SimOptions) => {
  const r = simulate(src, opts);
  return r.stage === 'run' ? r.error : `not stopped: ${r.stage}`;
};
const NEG = (e: number) => BigInt.asUintN(64, BigInt(-e));

describe('helpers without maps', () => {
  it('ktime_get_ns is a virtual clock: it advances with the instructions run and is the same every run', () => {
    const src = 'call bpf_ktime_get_ns\nr6 = r0\nr1 = 0\nr1 += 1\nr1 += 1\ncall bpf_ktime_get_ns\nr0 -= r6\nexit';
    const d = r0(src);
    expect(d > 0n && d < 1_000_000n).toBe(true);
    expect(r0(src)).toBe(d);
    expect(r0('call bpf_ktime_get_ns\nexit')).toBe(r0('call bpf_ktime_get_ns\nexit'));
  });

  it('get_prandom_u32 is seeded: the same seed repeats, another differs, and values fit 32 bits', () => {
    const src = 'call bpf_get_prandom_u32\nr6 = r0\ncall bpf_get_prandom_u32\nr0 <<= 32\nr0 |= r6\nexit';
    const a = r0(src, { seed: 7 });
    expect(r0(src, { seed: 7 })).toBe(a);
    expect(r0(src, { seed: 8 })).not.toBe(a);
    expect(a >> 32n).not.toBe(a & 0xffffffffn);
  });

  it('get_current_pid_tgid and get_current_comm describe the scenario\'s current task', () => {
    expect(r0('call bpf_get_current_pid_tgid\nexit')).toBe((1200n << 32n) | 1200n);
    const scenario = { tasks: [{ pid: 30, tgid: 20, comm: 'threaded' }, { pid: 20, comm: 'main' }], current: 30 };
    expect(r0('call bpf_get_current_pid_tgid\nexit', { scenario })).toBe((20n << 32n) | 30n);
    // 16 bytes at r10-16: "nginx" then NULs; with a 4-byte buffer, "ngi" and the NUL.
    const comm = (size: number) =>
      r0(`r1 = -1\n*(u64 *)(r10 - 16) = r1\n*(u64 *)(r10 - 8) = r1\nr1 = r10\nr1 += -16\nr2 = ${size}\ncall bpf_get_current_comm\nr0 = *(u64 *)(r10 - 16)\nexit`);
    expect(comm(16)).toBe(0x000000786e69676en);
    expect(comm(4)).toBe(0xffffffff0069676en);
  });

  it('get_smp_processor_id is the simulated CPU', () => {
    expect(r0('call bpf_get_smp_processor_id\nexit')).toBe(0n);
  });

  it('trace_printk writes a line with the current task, and returns its length', () => {
    const rep = simReport(`${RAW}r1 = 0x0a6425206968 ll\n*(u64 *)(r10 - 8) = r1\nr1 = r10\nr1 += -8\nr2 = 7\nr3 = 42\ncall bpf_trace_printk\nexit`);
    expect(rep.r0).toBe(6n);
    expect(rep.trace.map((l) => [l.comm, l.pid, l.text])).toEqual([['nginx', 1200, 'hi 42']]);
  });

  it('probe_read_kernel copies readable memory and zeroes dst with -EFAULT for the rest', () => {
    const src = (addr: string) =>
      `r1 = 0x1122334455667788 ll\n*(u64 *)(r10 - 16) = r1\n*(u64 *)(r10 - 8) = r1\nr1 = r10\nr1 += -8\nr2 = 8\n${addr}\ncall bpf_probe_read_kernel\nr6 = r0\nr0 = *(u64 *)(r10 - 8)\nr0 ^= r6\nexit`;
    expect(r0(src('r3 = r10\nr3 += -16'))).toBe(0x1122334455667788n);
    expect(r0(src('r3 = 0x1000'))).toBe(NEG(14));
  });

  it('bpf_loop calls the callback until it returns 1, counts iterations, and refuses flags and huge counts', () => {
    const loop = (n: string, flags = 0) => `r1 = ${n}\nr2 = cb ll\nr3 = 0\nr4 = ${flags}\ncall bpf_loop\nexit\ncb:\nr0 = 0\nif r1 != 4 goto out\nr0 = 1\nout:\nexit`;
    expect(r0(loop('3'))).toBe(3n);
    expect(r0(loop('10'))).toBe(5n);
    expect(r0(loop('0'))).toBe(0n);
    expect(r0(loop('3', 1))).toBe(NEG(22));
    expect(r0(loop('0x800001'))).toBe(NEG(7));
  });

  it('bpf_loop takes up to BPF_MAX_LOOPS (1 << 23) iterations, -E2BIG above, and checks flags first (kernel/bpf/bpf_iter.c)', () => {
    const loop = (n: string, flags = 0) => `r1 = ${n} ll\nr2 = cb ll\nr3 = 0\nr4 = ${flags}\ncall bpf_loop\nexit\ncb:\nr0 = 0\nif r1 != 4 goto out\nr0 = 1\nout:\nexit`;
    // The callback stops at index 4: a count the helper accepts returns 5.
    expect(r0(loop('0x800000'))).toBe(5n);
    expect(r0(loop('0x800001'))).toBe(NEG(7));
    expect(r0(loop('0xffffffff'))).toBe(NEG(7));
    // nr_loops is a u32: the upper half of r1 is not part of it.
    expect(r0(loop('0x100000003'))).toBe(3n);
    // Both wrong: the flags are checked first.
    expect(r0(loop('0x800001', 1))).toBe(NEG(22));
  });

  it('bpf_loop and bpf_for_each_map_elem callbacks count toward the budget, which stops them with the true count', () => {
    const run = (src: string) => {
      const r = simulate(RAW + src, { maxInsns: 1000 });
      return r.stage === 'run' ? { error: r.error, pc: r.pc, insns: r.program.vm.count } : { stage: r.stage };
    };
    const budget = 'instruction budget exhausted: 1,000 instructions executed without reaching exit (an endless loop?)';
    // A callback without jumps, 2 instructions an iteration: 4 before the call, stopped at 1,002.
    expect(run('r1 = 100000\nr2 = cb ll\nr3 = 0\nr4 = 0\ncall bpf_loop\nexit\ncb:\nr0 = 0\nexit')).toEqual({ error: budget, pc: 5, insns: 1002 });
    // for_each over a 4,096-element array, 2 instructions an element.
    const each = `.map arr type=array key=4 value=8 max_entries=4096\n${RAW}r1 = arr ll\nr2 = cb ll\nr3 = 0\nr4 = 0\ncall bpf_for_each_map_elem\nexit\ncb:\nr0 = 0\nexit`;
    const r = simulate(each, { maxInsns: 1000 });
    expect(r.stage === 'run' && { error: r.error, insns: r.program.vm.count }).toEqual({ error: budget, insns: 1002 });
  });

  it('bpf_loop passes the callback context through the stack', () => {
    const src = `r1 = 0\n*(u64 *)(r10 - 8) = r1\nr1 = 5\nr2 = add ll\nr3 = r10\nr3 += -8\nr4 = 0\ncall bpf_loop\nr0 = *(u64 *)(r10 - 8)\nexit\nadd:\nr3 = *(u64 *)(r2 + 0)\nr3 += r1\n*(u64 *)(r2 + 0) = r3\nr0 = 0\nexit`;
    expect(r0(src)).toBe(0n + 1n + 2n + 3n + 4n);
  });
});

describe('tail calls', () => {
  const PROGS = `.license "GPL"
.map jumps type=prog_array key=4 value=4 max_entries=4
.section raw
r6 = r1
r1 = r6
r2 = jumps ll
r3 = 1
call bpf_tail_call
r0 = 99
exit
.section raw/second
r0 = 2
exit
.section raw/again
r0 += 1
r2 = jumps ll
r3 = 2
call bpf_tail_call
exit
`;
  it('enter the program in the slot and never return; an empty slot falls through', () => {
    expect(simReport(PROGS, { maps: { jumps: [{ key: 1, value: 'raw/second' }] } }).r0).toBe(2n);
    expect(simReport(PROGS).r0).toBe(99n);
  });

  it('stop after 33 tail calls, as MAX_TAIL_CALL_CNT', () => {
    // Slot 1 enters 'again', which counts its runs in a map and tail-calls itself through slot 2
    // until the limit makes bpf_tail_call fall through.
    const counted = PROGS.replace('.map jumps', '.map runs type=array key=4 value=8 max_entries=1\n.map jumps').replace(
      'r0 += 1\n',
      'r6 = r1\nr1 = 0\n*(u32 *)(r10 - 4) = r1\nr1 = runs ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nif r0 == 0 goto fail\nr1 = 1\nlock *(u64 *)(r0 + 0) += r1\nr1 = r6\n',
    ).replace('call bpf_tail_call\nexit\n', 'call bpf_tail_call\nr0 = 0\nexit\nfail:\nr0 = 1\nexit\n');
    const rep = simReport(counted, { maps: { jumps: [{ key: 1, value: 'raw/again' }, { key: 2, value: 'raw/again' }] } });
    expect(rep.r0).toBe(0n);
    expect(rep.maps.find((m) => m.name === 'runs')?.entries[0]?.value).toBe('2100000000000000');
  });

  it('a slot naming a program the file does not have is refused at load', () => {
    expect(refusal(PROGS, { maps: { jumps: [{ key: 0, value: 'raw/nope' }] } })).toMatch(/slot 0 names 'raw\/nope', which is not a program of this file/);
  });
});

describe('load-time checks', () => {
  it('refuse a helper the program type may not call', () => {
    // 6.3: a tracing helper; 6.18 has it in bpf_base_func_proto, but the compat bpf_probe_read stays tracing-only.
    expect(refusal('.section xdp\n.license "GPL"\ncall bpf_get_current_pid_tgid\nr0 = 2\nexit', { profile: 'linux-6.3' })).toMatch(/pc 0: .*bpf_get_current_pid_tgid/);
    expect(refusal('.section xdp\n.license "GPL"\nr1 = r10\nr1 += -8\nr2 = 8\nr3 = 0\ncall bpf_probe_read\nr0 = 2\nexit')).toMatch(/pc 4: .*cannot use helper bpf_probe_read#4/);
  });

  it('refuse a GPL-only helper from a non-GPL program', () => {
    expect(refusal('.section raw\n.license "MIT"\nr1 = r10\nr2 = 8\nr3 = 0\ncall bpf_probe_read_kernel\nexit')).toBe('pc 3: cannot call GPL-restricted function from non-GPL compatible program');
    expect(refusal('.section raw\n.license "Dual MIT/GPL"\nr1 = r10\nr1 += -8\nr2 = 8\nr3 = 0\ncall bpf_probe_read_kernel\nexit')).toBe('ran: done');
  });

  it('refuse a kfunc that does not exist in the profile', () => {
    const src = '.section syscall\n.license "GPL"\nr1 = 0\ncall bpf_cpumask_kptr_get\nr0 = 0\nexit';
    expect(refusal(src, { profile: 'linux-6.18' })).toMatch(/pc 1: .*bpf_cpumask_kptr_get/);
    expect(refusal('.section syscall\n.license "GPL"\nr1 = 0\nr2 = 0\ncall bpf_cpumask_any_distribute\nexit', { profile: 'linux-6.3' })).toMatch(/bpf_cpumask_any_distribute/);
  });

  it('stop cleanly at a helper Linux has but the simulated kernel does not run, naming it', () => {
    const data = new Uint8Array(64);
    expect(stopped('.section xdp\n.license "GPL"\ncall 208\nr0 = 2\nexit', { data })).toBe('pc 0: helper bpf_ktime_get_tai_ns (208) is not available in the simulated kernel yet');
    const csum = '.section xdp\n.license "GPL"\nr1 = 0\nr2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\ncall 28\nr0 = 2\nexit';
    expect(stopped(csum, { data })).toBe('pc 5: helper bpf_csum_diff (28) is not available in the simulated kernel yet');
  });

  it('refuse a declared helper the program type may not call, bpf_unspec, and an undeclared helper, by their UAPI names', () => {
    const data = new Uint8Array(64);
    expect(refusal('.section xdp\ncall 26\nr0 = 2\nexit', { data })).toBe('pc 0: program of this type cannot use helper bpf_skb_load_bytes#26');
    expect(refusal('.section xdp\ncall 0\nr0 = 2\nexit', { data })).toBe('pc 0: program of this type cannot use helper bpf_unspec#0');
    expect(refusal('.section xdp\ncall 100\nr0 = 2\nexit', { data })).toMatch(/^pc 0: helper bpf_tcp_check_syncookie#100 is not part of the simulated kernel/);
    expect(refusal('.section xdp\ncall 212\nr0 = 2\nexit', { data })).toBe('pc 0: invalid func unknown#212');
  });

  it('refuse an unknown helper number and a bad scenario', () => {
    expect(refusal(`${RAW}call 999\nexit`)).toMatch(/pc 0: .*999/);
    expect(refusal(`${RAW}r0 = 0\nexit`, { scenario: { tasks: [{ pid: 1, cpus: '0-20' }], current: 1 } })).toBe('pc 0: scenario: task 1: CPU 20 does not exist: the kernel has 8 CPUs (0-7)');
  });
});

describe('tracepoint contexts', () => {
  it('tp_btf/task_newtask receives the new task, its affinity and the clone flags', () => {
    const src = '.section tp_btf/task_newtask\n.license "GPL"\nr2 = *(u64 *)(r1 + 8)\nr1 = *(u64 *)(r1 + 0)\nr0 = *(u32 *)(r1 + task_struct.pid)\nr0 <<= 32\nr0 |= r2\nexit';
    expect(simReport(src).r0).toBe((4242n << 32n) | 0x3d0f00n);
    const scenario = { newtask: { pid: 77, comm: 'job', cpus: '1', clone_flags: 17 } };
    expect(simReport(src, { scenario }).r0).toBe((77n << 32n) | 17n);
  });

  it('tp_btf/cgroup_mkdir receives the new cgroup in the hierarchy', () => {
    const src = '.section tp_btf/cgroup_mkdir\n.license "GPL"\nr1 = *(u64 *)(r1 + 0)\nr0 = *(u32 *)(r1 + cgroup.level)\nexit';
    expect(simReport(src).r0).toBe(3n);
    expect(simReport(src, { scenario: { mkdir: { path: '/a' } } }).r0).toBe(1n);
  });
});

describe('object lifetimes', () => {
  // Linux 6.3 offers the cpumask kfuncs to tracing programs only; 6.18 to syscall programs too.
  const CREATE = '.section tp_btf/task_newtask\n.license "GPL"\ncall bpf_cpumask_create\nif r0 == 0 goto out\nr6 = r0\n';
  it('a reference still held at exit is reported as a leak', () => {
    const rep = simReport(`${CREATE}r0 = 0\nout:\nexit`);
    expect(rep.leaks.map((l) => l.object)).toEqual([expect.stringMatching(/bpf_cpumask/)]);
    expect(simReport(`${CREATE}r1 = r6\ncall bpf_cpumask_release\nr0 = 0\nout:\nexit`).leaks).toEqual([]);
  });

  it('reading a released bpf_cpumask faults with use-after-free, under both profiles', () => {
    const src = `${CREATE}r1 = r6\ncall bpf_cpumask_release\nr0 = *(u64 *)(r6 + 0)\nout:\nexit`;
    expect(stopped(src, { profile: 'linux-6.3' })).toMatch(/use-after-free/);
    // 6.18 frees after an RCU grace period, which ends after the program: until then the memory is
    // still the object's, so the read succeeds, as it would in the kernel.
    expect(simulate(src, { profile: 'linux-6.18' }).stage).toBe('done');
  });
});
