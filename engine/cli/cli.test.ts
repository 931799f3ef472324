// The `bpfp` contract of DESIGN.md: outputs, JSON shapes, error format and exit statuses.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { Vm } from '../vm/index.ts';
import { runCli } from '../test/cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'bpfp-cli-'));
function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

const answer = file('answer.s', '# 6 * 7\nr0 = 6\nr0 *= 7\nexit\n');
const answerBytes = Uint8Array.from([0xb7, 0, 0, 0, 6, 0, 0, 0, 0x27, 0, 0, 0, 7, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);

describe('bpfp asm', () => {
  it('writes the bytecode next to the source by default, or to -o', () => {
    const r = runCli(['asm', answer]);
    expect(r.code).toBe(0);
    expect(r.files.get(answer.replace(/\.s$/, '.bin'))).toEqual(answerBytes);
    const o = runCli(['asm', answer, '-o', join(dir, 'x.bin')]);
    expect(o.files.get(join(dir, 'x.bin'))).toEqual(answerBytes);
  });
  it('reports every error of the file as FILE:LINE:COL: error: and exits 1', () => {
    const bad = file('bad.s', 'r0 = 1\nr0 +== 2\nr11 = 1\ngoto nowhere\nexit\n');
    const r = runCli(['asm', bad]);
    expect(r.code).toBe(1);
    expect(r.err.length).toBeGreaterThanOrEqual(3);
    for (const line of r.err) expect(line).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error: `));
    expect(r.err.some((l) => l.includes(':4:') && l.includes("unknown label 'nowhere'"))).toBe(true);
  });
  it('names the ISA level an instruction needs', () => {
    const v4 = file('sdiv.s', 'r0 = 7\nr0 s/= 2\nexit\n');
    const r = runCli(['asm', v4, '--isa', 'v3']);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(/:2:1: error: sdiv needs ISA v4; the selected level is v3/);
  });
  it('prints JSON with --json', () => {
    const r = runCli(['asm', answer, '--json']);
    expect(JSON.parse(r.out[0] ?? '')).toEqual({ file: answer, ok: true, slots: 3, bytecode: Buffer.from(answerBytes).toString('hex') });
  });
  it('exits 2 on bad usage', () => {
    expect(runCli(['asm']).code).toBe(2);
    expect(runCli(['asm', answer, '--isa', 'v9']).code).toBe(2);
    expect(runCli(['asm', answer, '--frobnicate']).code).toBe(2);
    expect(runCli(['nope']).code).toBe(2);
  });
});

describe('bpfp disasm', () => {
  const bin = file('answer.bin', answerBytes);
  it('prints llvm-objdump text by default and the ubpf dialect on request', () => {
    expect(runCli(['disasm', bin]).out).toEqual(['r0 = 0x6', 'r0 *= 0x7', 'exit']);
    expect(runCli(['disasm', bin, '--dialect', 'ubpf']).out).toEqual(['mov %r0, 6', 'mul %r0, 7', 'exit']);
  });
  it('marks undecodable slots <unknown>, explains them on stderr and exits 1', () => {
    const broken = file('broken.bin', Uint8Array.from([0xff, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]));
    const r = runCli(['disasm', broken]);
    expect(r.out).toEqual(['<unknown>', 'exit']);
    expect(r.err).toEqual([`${broken}: error: pc 0: unknown opcode 0xff`]);
    expect(r.code).toBe(1);
  });
  it('prints an object as the playground opens it: assembly under its C lines that assembles back to the same bytes', () => {
    const o = fileURLToPath(new URL('../../public/examples/c/cpumask-set-clear.o', import.meta.url));
    const r = runCli(['disasm', o]);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    const text = r.out.join('\n');
    expect(text).toMatch(/\.section tp_btf\/task_newtask\n\s+# cpumask-set-clear\.c:31: int BPF_PROG/);
    expect(text).toMatch(/# cpumask-set-clear\.c:36: cpumask = bpf_cpumask_create\(\);\n\s+call bpf_cpumask_create\n/);
    // What it printed assembles to the object's own program.
    const back = file('set-clear.bpf.s', `${text}\n`);
    const loaded = runCli(['test-run', back]);
    const fromObject = runCli(['test-run', o]);
    expect(loaded.out).toEqual(fromObject.out);
    const j = JSON.parse(runCli(['disasm', o, '--json']).out[0] ?? '{}') as { ok: boolean; sections: { name: string; lines: { pc: number; text: string; c?: { line: number; text: string } }[] }[] };
    expect(j.ok).toBe(true);
    // Each instruction with llvm-objdump's text and its C line.
    const under36 = j.sections[0]?.lines.filter((l) => l.c?.line === 36) ?? [];
    expect(under36.map((l) => [l.text, l.c?.text])).toEqual([
      [expect.stringMatching(/^call /), 'cpumask = bpf_cpumask_create();'],
      ['r6 = r0', 'cpumask = bpf_cpumask_create();'],
    ]);
    const none = runCli(['disasm', o, '--section', 'xdp']);
    expect(none.err).toEqual([`${o}: error: no program 'xdp' (sections: tp_btf/task_newtask)`]);
    expect(none.code).toBe(1);
    // An object under another name is not read as bytecode.
    const renamed = file('object.bin', readFileSync(o));
    expect(runCli(['disasm', renamed]).err).toEqual([`${renamed}: error: the file is an ELF object, not raw bytecode: give it a .o name (bpfp disasm reads objects by their extension)`]);
  });
  it('says when a file cannot be read', () => {
    const r = runCli(['disasm', join(dir, 'missing.bin')]);
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/missing\.bin: error: cannot read: ENOENT/);
  });
});

describe('bpfp run', () => {
  it('prints r0 as a u64 in hex', () => {
    expect(runCli(['run', answer]).out).toEqual(['0x2a']);
    const neg = file('neg.s', 'r0 = -1\nexit\n');
    expect(runCli(['run', neg]).out).toEqual(['0xffffffffffffffff']);
  });
  it('runs .bin and ubpf .s too, several files at once', () => {
    const ubpf = file('u.s', 'mov %r0, 3\nexit\n');
    const r = runCli(['run', answer, join(dir, 'answer.bin'), ubpf]);
    expect(r.out).toEqual([`${answer}: 0x2a`, `${join(dir, 'answer.bin')}: 0x2a`, `${ubpf}: 0x3`]);
  });
  it('passes --mem as r1/r2', () => {
    const len = file('len.s', 'r0 = *(u8 *)(r1 + 1)\nr0 += r2\nexit\n');
    expect(runCli(['run', len, '--mem', '0a0b0c']).out).toEqual(['0xe']);
    const m = file('m.bin', Uint8Array.from([1, 2]));
    expect(runCli(['run', len, '--mem-file', m]).out).toEqual(['0x4']);
    expect(runCli(['run', len, '--mem', 'xyz']).code).toBe(2);
  });
  it('prints {"file","ok","r0","insns","error"} with --json', () => {
    const r = runCli(['run', answer, '--json']);
    expect(JSON.parse(r.out[0] ?? '')).toEqual({ file: answer, ok: true, r0: '0x2a', insns: 3, error: null });
  });
  it('reports a fault at the source line of the faulting instruction and exits 1', () => {
    const f = file('fault.s', 'r1 = 0\nr0 = *(u64 *)(r1 + 8)\nexit\n');
    const r = runCli(['run', f, '--json']);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`${f}:2:1: error: pc 1: invalid read of 8 bytes at 0x0000000000000008: NULL pointer dereference`]);
    // insns counts completed instructions: the faulting load did not complete.
    expect(JSON.parse(r.out[0] ?? '')).toMatchObject({ file: f, ok: false, r0: null, insns: 1 });
  });
  it('stops a runaway loop at --max-insns', () => {
    const f = file('loop.s', 'l: goto l\nexit\n');
    const r = runCli(['run', f, '--max-insns', '5000']);
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/instruction budget exhausted: 5,000 instructions/);
  });
  it('stops a bpf_loop callback without jumps at --max-insns 1000 and reports the true count (run and test-run)', () => {
    // 100,000 iterations of a 2-instruction callback: 200,004 instructions unstopped.
    const f = file('loop-callback.bpf.s', 'r1 = 100000\nr2 = cb ll\nr3 = 0\nr4 = 0\ncall bpf_loop\nexit\ncb:\nr0 = 0\nexit\n');
    const message = 'instruction budget exhausted: 1,000 instructions executed without reaching exit (an endless loop?)';
    const r = runCli(['run', f, '--max-insns', '1000', '--json']);
    expect(r.code).toBe(1);
    // 4 instructions before the call, 2 per iteration: the first count past the budget.
    expect(JSON.parse(r.out[0] ?? '')).toEqual({ file: f, ok: false, r0: null, insns: 1002, error: message });
    expect(r.err).toEqual([`${f}:5:1: error: ${message}`]);
    const t = runCli(['test-run', f, '--max-insns', '1000', '--json']);
    expect(t.code).toBe(1);
    expect(JSON.parse(t.out[0] ?? '')).toMatchObject({ accepted: true, retval: null, insns: 1002, error: message });
  });
});

describe('bpfp test-run', () => {
  const example = (name: string) => fileURLToPath(new URL(`../../public/examples/${name}.bpf.s`, import.meta.url));

  it('prints retval, the trace pipe, the maps with their kptrs, and no leaks for the record-task example', () => {
    const r = runCli(['test-run', example('cpumask-record-task')]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^tp_btf\/task_newtask: retval 0 \(r0 = 0x0\), \d+ instructions$/);
    expect(r.out.join('\n')).toContain('bpf_trace_printk: task worker has CPU affinity');
    expect(r.out).toContainEqual(expect.stringMatching(/^ {4}\[4242\] [0-9a-f]{16} kptr@0: bpf_cpumask #\d+ \(refcount 1, CPUs 0,2\)$/));
    expect(r.out.at(-1)).toBe('leaked references: none');
  });

  it('refuses a kfunc of the other profile, at its line, with exit status 1', () => {
    const r = runCli(['test-run', example('cpumask-kptr-get'), '--profile', 'linux-6.18']);
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/cpumask-kptr-get\.bpf\.s:\d+:\d+: error: .*bpf_cpumask_kptr_get/);
  });

  it('takes a scenario and map contents from files, and reports them in --json', () => {
    const scenario = file('scenario.json', JSON.stringify({ newtask: { pid: 77, comm: 'job', cpus: '1-3' } }));
    const r = runCli(['test-run', example('cpumask-record-task'), '--scenario', scenario, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out[0] ?? '{}') as { retval: number; maps: Record<string, { entries: { index: number; kptrs: { object: string }[] }[] }>; leaks: unknown[] };
    expect(j.retval).toBe(0);
    expect(j.maps['cpumask_map']?.entries.map((e) => [e.index, e.kptrs[0]?.object.replace(/#\d+/, '#N')])).toEqual([[77, 'bpf_cpumask #N (refcount 1, CPUs 1-3)']]);
    expect(j.leaks).toEqual([]);
    const bad = file('bad-maps.json', JSON.stringify({ cpumask_map: [{ key: 1, value: 'zz' }] }));
    const b = runCli(['test-run', example('cpumask-record-task'), '--maps', bad]);
    expect(b.code).toBe(1);
    expect(b.err.join('\n')).toMatch(/cpumask_map.*'zz' is not hex bytes/);
  });

  it('refuses a map the kernel would refuse at the line of its .map, with BPF_MAP_CREATE\'s errno (sizes are u32 as in union bpf_attr)', () => {
    const big = file('bigmap.s', '.section raw\n# a hash map past 2^27 entries\n.map m type=hash key=4 value=8 max_entries=4294967295\nr0 = 0\nexit\n');
    const r = runCli(['test-run', big]);
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(new RegExp(`^${big.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:1: error: map 'm' \\(hash\\): max_entries=4294967295 .*-E2BIG`));
  });
  it('refuses a program that leaks a reference, with the verifier log, and exits 1', () => {
    const leak = file('leak.s', '.section tp_btf/task_newtask\n.license "GPL"\ncall bpf_cpumask_create\nr0 = 0\nexit\n');
    const r = runCli(['test-run', leak]);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toContain('Unreleased reference id=');
    expect(r.err.join('\n')).toMatch(/leak\.s:5:1: error: BPF_EXIT instruction in main prog would lead to reference leak/);
  });

  it('runs the leaking program with --no-verify, says so loudly, reports the leak and exits 1', () => {
    const leak = file('leak2.s', '.section tp_btf/task_newtask\n.license "GPL"\ncall bpf_cpumask_create\nr0 = 0\nexit\n');
    const r = runCli(['test-run', leak, '--no-verify']);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toContain('UNVERIFIED');
    expect(r.out.join('\n')).toMatch(/leaked references:\n {2}.*bpf_cpumask/);
  });
});

describe('bpfp xdp', () => {
  const example = (name: string) => fileURLToPath(new URL(`../../public/examples/${name}.bpf.s`, import.meta.url));

  it('prints the DESIGN.md JSON: verdict counts and, with --trace, each packet with queue, timestamp, hash, hash type, action, data and metadata', () => {
    const r = runCli(['xdp', example('xdp-metadata'), '--packets', '5', '--seed', '3', '--trace', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out[0] ?? '{}') as { actions: Record<string, number>; packets: { index: number; queue: number; rx_timestamp: number | null; rx_hash: number | null; rss_type: number; action: string; data: string; meta: string }[] };
    expect(Object.values(j.actions).reduce((a, b) => a + b, 0)).toBe(5);
    expect(j.packets).toHaveLength(5);
    const redirected = j.packets.find((p) => p.action === 'XDP_REDIRECT');
    if (!redirected) throw new Error('no packet went to AF_XDP');
    expect(redirected.rx_timestamp).toBeGreaterThanOrEqual(1e9);
    expect(redirected.rss_type).toBe(41);
    // The metadata area holds the timestamp (LE u64) and the hash the program stored.
    const meta = Buffer.from(redirected.meta, 'hex');
    expect(meta.length).toBe(24);
    expect(Number(meta.readBigUInt64LE(0))).toBe(redirected.rx_timestamp);
    expect(meta.readUInt32LE(8)).toBe(redirected.rx_hash);
    expect(redirected.data.length).toBeGreaterThan(0);
  });

  it('--driver none: null timestamps and hashes, and -EOPNOTSUPP in the metadata', () => {
    const r = runCli(['xdp', example('xdp-metadata'), '--packets', '2', '--driver', 'none', '--trace', '--json']);
    const j = JSON.parse(r.out[0] ?? '{}') as { packets: { rx_timestamp: unknown; rx_hash: unknown; meta: string; action: string }[] };
    const p = j.packets.find((x) => x.action === 'XDP_REDIRECT');
    expect(p?.rx_timestamp).toBeNull();
    expect(p?.rx_hash).toBeNull();
    expect(Buffer.from(p?.meta ?? '', 'hex').readInt32LE(12)).toBe(-95);
  });

  it('writes a pcap of the received frames, and names a bad profile field with exit 1', () => {
    const out = join(dir, 'out.pcap');
    const r = runCli(['xdp', example('xdp-metadata'), '--packets', '3', '--write-pcap', out]);
    expect(r.code).toBe(0);
    expect(r.files.get(out)?.length).toBeGreaterThan(24 + 3 * 16);
    const bad = file('bad-traffic.json', JSON.stringify({ flows: [{ proto: 'udp', src: '1.2.3', dst: '10.0.0.2', sport: 1, dport: 2 }] }));
    const b = runCli(['xdp', example('xdp-metadata'), '--traffic', bad]);
    expect(b.code).toBe(1);
    expect(b.err[0]).toMatch(/bad-traffic\.json: error: traffic profile: flows\[0\]\.src must be an IPv4 address/);
  });

  it('refuses a program that is not XDP', () => {
    const r = runCli(['xdp', answer]);
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/not an XDP program/);
  });
});

describe('bpfp --tier', () => {
  const example = (name: string) => fileURLToPath(new URL(`../../public/examples/${name}.bpf.s`, import.meta.url));
  const TIERS = ['interpreter', 'compiled', 'wasm'] as const;
  /** Runs `argv` on each tier: its outputs, and the instructions the VMs it ran executed in WebAssembly. */
  function onEachTier(argv: string[], drop: (out: string) => string = (o) => o) {
    const spy = vi.spyOn(Vm.prototype, 'run');
    try {
      return TIERS.map((tier) => {
        spy.mockClear();
        const r = runCli([...argv, '--tier', tier]);
        const vms = new Set(spy.mock.contexts as Vm[]);
        return { tier, code: r.code, out: r.out.map(drop), err: r.err, wasmInsns: [...vms].reduce((a, vm) => a + vm.wasmInsns, 0) };
      });
    } finally {
      spy.mockRestore();
    }
  }
  function expectSame(runs: ReturnType<typeof onEachTier>, expected: { code: number; out: string[] }) {
    for (const r of runs) expect({ tier: r.tier, code: r.code, out: r.out }).toEqual({ tier: r.tier, ...expected });
    // The tier reached the VM: only the WebAssembly tier runs instructions in WebAssembly.
    expect(runs.map((r) => r.wasmInsns > 0)).toEqual([false, false, true]);
  }

  it('run: the same r0 and count on every tier, raw programs with and without input memory', () => {
    const stack = runCli(['run', example('stack'), '--json']);
    expectSame(onEachTier(['run', example('stack'), '--json']), { code: 0, out: stack.out });
    expect(JSON.parse(stack.out[0] ?? '')).toMatchObject({ ok: true, r0: '0x8c', insns: 140 });
    for (const r of onEachTier(['run', answer, example('input'), example('hello'), '--mem', '0102030405'])) {
      expect(r.code).toBe(0);
      expect(r.out).toEqual(runCli(['run', answer, example('input'), example('hello'), '--mem', '0102030405']).out);
    }
    // A fault is the interpreter's, at the same pc and count, whatever tier ran up to it.
    const f = file('tier-fault.s', 'r0 = 1\nr0 += 2\nr1 = 0\nr0 = *(u64 *)(r1 + 8)\nexit\n');
    for (const r of onEachTier(['run', f, '--json'])) {
      expect(r.code).toBe(1);
      expect(JSON.parse(r.out[0] ?? '')).toMatchObject({ ok: false, insns: 3, error: 'pc 3: invalid read of 8 bytes at 0x0000000000000008: NULL pointer dereference' });
    }
  });

  it('test-run: the same report on every tier (an example of public/examples)', () => {
    const noTime = (o: string) => o.replace(/"duration_ns":\d+/, '"duration_ns":0');
    const expected = runCli(['test-run', example('stack'), '--json']);
    expect(expected.code).toBe(0);
    expectSame(onEachTier(['test-run', example('stack'), '--json'], noTime), { code: 0, out: expected.out.map(noTime) });
    const record = runCli(['test-run', example('cpumask-record-task')]);
    for (const r of onEachTier(['test-run', example('cpumask-record-task')])) expect({ code: r.code, out: r.out }).toEqual({ code: record.code, out: record.out });
  });

  it('xdp: the same verdicts, packets and maps on every tier', () => {
    const argv = ['xdp', example('xdp-hash-sampler'), '--packets', '40', '--seed', '7', '--trace', '--json'];
    const noRate = (o: string) => o.replace(/"pps":[\d.e+]+/, '"pps":0');
    const expected = runCli(argv);
    expect(expected.code).toBe(0);
    expectSame(onEachTier(argv, noRate), { code: 0, out: expected.out.map(noRate) });
  });

  it('names the allowed values of a bad --tier, with the usage, and exits 2', () => {
    for (const command of ['run', 'test-run', 'xdp']) {
      const r = runCli([command, example('xdp-hash-sampler'), '--tier', 'jit']);
      expect(r.code).toBe(2);
      const [message, usage] = r.err.join('\n').split('\n');
      expect(message).toBe(`bpfp ${command}: --tier must be interpreter, compiled or wasm, not 'jit'`);
      expect(usage).toMatch(new RegExp(`^usage: bpfp ${command} .*\\[--tier interpreter\\|compiled\\|wasm\\]`));
    }
    expect(runCli(['verify', answer, '--tier', 'wasm']).err[0]).toMatch(/^bpfp verify: unknown option --tier\n/);
  });
});

describe('the bpfp executable', () => {
  const bin = fileURLToPath(new URL('../../bin/bpfp.mjs', import.meta.url));
  const exec = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  it('runs through bin/bpfp.mjs with the exit statuses of the contract', () => {
    const ok = exec(['run', answer]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe('0x2a\n');
    expect(exec(['frobnicate']).status).toBe(2);
  });
  it('says when the output file cannot be written, without a stack trace', () => {
    const r = exec(['asm', answer, '-o', join(dir, 'no-such-dir', 'x.bin')]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`${join(dir, 'no-such-dir', 'x.bin')}: error: cannot write: ENOENT`);
  });
});

describe('bpfp verify --explain counterexample', () => {
  const pkt = file('cex-pkt.bpf.s', '.section xdp\n        r2 = *(u32 *)(r1 + 0)\n        r3 = *(u32 *)(r1 + 4)\n        r4 = r2\n        r4 += 14\n        if r4 > r3 goto out\n        r0 = *(u8 *)(r2 + 20)\nout:\n        r0 = 2\n        exit\n');
  const nullUse = file('cex-null.bpf.s', '.section xdp\n.map m type=hash key=4 value=8 max_entries=4\n        r1 = 0\n        *(u32 *)(r10 - 4) = r1\n        r2 = r10\n        r2 += -4\n        r1 = m ll\n        call bpf_map_lookup_elem\n        r0 = *(u64 *)(r0 + 0)\n        r0 = 2\n        exit\n');
  const create = file('cex-create.bpf.s', '.section tp_btf/task_newtask\n.license "GPL"\n        call bpf_cpumask_create\n        r7 = r0\n        r1 = r7\n        call bpf_cpumask_release\n        r0 = 0\n        exit\n');

  it('offers a packet on which the refused read is out of bounds, with the command that runs it unverified', () => {
    const r = runCli(['verify', pkt, '--explain']);
    expect(r.code).toBe(1);
    const note = r.err.find((l) => l.includes('note: counterexample:')) ?? '';
    expect(note).toContain(`${pkt}:7:9: note: counterexample: with a 14-byte packet, line 7 reads 1 byte at offset 20 of a 14-byte packet`);
    expect(note).toMatch(new RegExp(`run it unverified: bpfp test-run ${pkt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --no-verify --data ([0-9a-f]{28}) --strict-access 5:packet$`));
    // The command it gives stops at line 7, where Linux would read past the packet without a fault.
    const data = /--data ([0-9a-f]+)/.exec(note)?.[1] ?? '';
    const run = runCli(['test-run', pkt, '--no-verify', '--data', data, '--strict-access', '5:packet']);
    expect(run.code).toBe(1);
    expect(run.err.join('\n')).toMatch(/:7:9: error: pc 5: reads 1 byte at offset 20 of a 14-byte packet \(data\.\.data_end\), through R2: outside the packet.*; this run stops here to show the access the verifier refused$/);
    // Without --strict, the run is Linux's: no fault.
    expect(runCli(['test-run', pkt, '--no-verify', '--data', data]).code).toBe(0);
  });

  it('stops a replay where the search saw a read past a map value (--strict), and refuses --strict without --no-verify', () => {
    const past = file('cex-past.bpf.s', '.section xdp\n.map m type=array key=4 value=64 max_entries=4\n        r1 = 0\n        *(u32 *)(r10 - 4) = r1\n        r1 = m ll\n        r2 = r10\n        r2 += -4\n        call bpf_map_lookup_elem\n        if r0 == 0 goto out\n        r0 = *(u8 *)(r0 + 64)\nout:\n        r0 = 2\n        exit\n');
    const note = runCli(['verify', past, '--explain']).err.find((l) => l.includes('note: counterexample:')) ?? '';
    expect(note).toMatch(/line 10 reads 1 byte at offset 64 of the 64-byte value of map m, .* --strict$/);
    const data = /--data ([0-9a-f]+)/.exec(note)?.[1] ?? '';
    const run = runCli(['test-run', past, '--no-verify', '--data', data, '--strict']);
    expect(run.code).toBe(1);
    expect(run.err.join('\n')).toMatch(/:10:9: error: pc \d+: reads 1 byte at offset 64 of the 64-byte value of map m, through R0: .*this run stops here to show the access the verifier refused/);
    expect(runCli(['test-run', past, '--no-verify', '--data', data]).code).toBe(0);
    const usage = runCli(['test-run', past, '--strict']);
    expect(usage.code).toBe(2);
    expect(usage.err.join('\n')).toContain('--strict runs a program unverified, to show a verifier counterexample: add --no-verify');
  });

  it('shows a NULL lookup with every map empty, reproducible with test-run --no-verify, and adds it to --json', () => {
    const r = runCli(['verify', nullUse, '--explain', '--json']);
    const e = (JSON.parse(r.out.join('\n')) as { errors: { counterexample?: { input: { data?: string }; fault: string; line: number } }[] }).errors[0];
    expect(e?.counterexample?.fault).toMatch(/R0 is NULL at line 9: bpf_map_lookup_elem at line 8 returned NULL$/);
    expect(e?.counterexample?.line).toBe(9);
    const run = runCli(['test-run', nullUse, '--no-verify', '--data', e?.counterexample?.input.data ?? '']);
    expect(run.code).toBe(1);
    expect(run.err.join('\n')).toMatch(/NULL pointer dereference/);
  });

  it('shows the NULL of an allocation with memory running short, and gives the scenario to replay it', () => {
    const r = runCli(['verify', create, '--explain', '--seed', '5']);
    expect(r.code).toBe(1);
    const err = r.err.join('\n');
    expect(err).toMatch(/note: counterexample: with memory running short so every allocation fails \(the scenario's failAllocationsAfter: 0, as under memory pressure\), line \d+ /);
    expect(err).toContain('--scenario SCENARIO.json');
    expect(err).toContain('note: SCENARIO.json: {"failAllocationsAfter":0}');
    // The replay: unverified, with that scenario, the release faults on the NULL.
    const scenario = file('cex-scenario.json', '{"failAllocationsAfter":0}');
    const run = runCli(['test-run', create, '--no-verify', '--scenario', scenario]);
    expect(run.code).toBe(1);
    expect(run.err.join('\n')).toContain('bpf_cpumask_release: NULL pointer passed to trusted arg0');
    expect(runCli(['test-run', create, '--no-verify']).code).toBe(0);
  });
});

describe('bpfp verify --explain', () => {
  const nullUse = file('null-use.bpf.s', '.section tp_btf/task_newtask\n.license "GPL"\n        call bpf_cpumask_create\n        r7 = r0\n        r1 = 1\n        r2 = r7\n        call bpf_cpumask_set_cpu\n        r0 = 0\n        exit\n');
  it('says where the problem began and prints the causal path at its source lines', () => {
    const r = runCli(['verify', nullUse, '--explain']);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toContain(`${nullUse}:7:9: error: Possibly NULL pointer passed to trusted arg1`);
    expect(r.err.join('\n')).toContain(`${nullUse}:3:9: note: R2 (ptr_or_null_bpf_cpumask) comes from here and may be NULL: nothing on the path tested it: call bpf_cpumask_create`);
    expect(r.err.join('\n')).toMatch(/the causal path[^\n]*\n {2}\S+:3:9: call bpf_cpumask_create\n {2}\S+:4:9: r7 = r0\n/);
  });
  it('adds related sites and the slice, with lines and columns, to --json', () => {
    const r = runCli(['verify', nullUse, '--explain', '--json']);
    const out = JSON.parse(r.out.join('\n')) as { errors: { line: number; related: { line: number; col: number; message: string }[]; slice: { line: number }[] }[] };
    const e = out.errors[0];
    expect(e?.line).toBe(7);
    expect(e?.related).toEqual([{ pc: 0, line: 3, col: 9, message: expect.stringContaining('may be NULL') }]);
    expect(e?.slice.map((s) => s.line)).toEqual([3, 4, 5, 6, 7]);
  });
});

describe('bpfp lesson', () => {
  const lessons = mkdtempSync(join(tmpdir(), 'bpfp-lessons-'));
  const folder = join(lessons, 'instructions', 'double');
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, 'lesson.json'),
    JSON.stringify({
      id: 'double',
      track: 'instructions',
      order: 1,
      title: 'Double it',
      goal: 'Return twice the input length.',
      starter: 'starter.bpf.s',
      solution: 'solution.bpf.s',
      hints: ['r2 is the length', 'r0 = r2, then r0 *= 2'],
      wrong: [{ file: 'solution.bpf.s', mistake: 'none', expect: 'none' }],
      grader: { runs: [4, 9].map((n) => ({ name: `a ${n}-byte input`, data: '00'.repeat(n), expect: { r0: 2 * n, why: { r0: 'r2 holds the length' } } })) },
    }),
  );
  writeFileSync(join(folder, 'starter.bpf.s'), '.section raw\nr0 = 0\nexit\n');
  writeFileSync(join(folder, 'solution.bpf.s'), '.section raw\nr0 = r2\nr0 *= 2\nexit\n');
  mkdirSync(join(lessons, 'verifier', 'broken'), { recursive: true });
  writeFileSync(join(lessons, 'verifier', 'broken', 'lesson.json'), '{"id": "broken"}');

  it('lists each lesson as {"id","track","title","starter","solution"}, and says which folders are not lessons', () => {
    const r = runCli(['lesson', 'list', '--json', '--lessons', lessons]);
    expect(r.code).toBe(0);
    expect(r.out.map((l) => JSON.parse(l) as unknown)).toEqual([{ id: 'double', track: 'instructions', title: 'Double it', starter: join(folder, 'starter.bpf.s'), solution: join(folder, 'solution.bpf.s') }]);
    expect(r.err.join('\n')).toMatch(/warning: not a lesson: \S+broken\/lesson\.json: track must be one of/);
  });

  it('grades a file: {"passed","checks":[{name,passed,message,line?}]}, exit 0 when passed and 1 when not', () => {
    const pass = runCli(['lesson', 'check', 'double', join(folder, 'solution.bpf.s'), '--json', '--lessons', lessons]);
    expect(pass.code).toBe(0);
    expect(JSON.parse(pass.out[0] ?? '')).toEqual({ passed: true, checks: [{ name: 'assembles', passed: true, message: 'raw: 3 instructions' }, { name: 'a 4-byte input: r0', passed: true, message: 'r0 = 0x8 (8)' }, { name: 'a 9-byte input: r0', passed: true, message: 'r0 = 0x12 (18)' }] });
    const attempt = file('attempt.bpf.s', '.section raw\nr0 = 8\nexit\n');
    const fail = runCli(['lesson', 'check', 'double', attempt, '--json', '--lessons', lessons]);
    expect(fail.code).toBe(1);
    const out = JSON.parse(fail.out[0] ?? '') as { passed: boolean; checks: { name: string; passed: boolean; message: string }[] };
    expect(out.passed).toBe(false);
    expect(out.checks.find((c) => !c.passed)).toEqual({ name: 'a 9-byte input: r0', passed: false, message: 'r0 is 0x8 (8), expected 0x12 (18) — r2 holds the length' });
    // Text: each failure as FILE:LINE:COL: error:, a line that does not assemble pinned to it.
    const typo = file('typo.bpf.s', '.section raw\nr0 = r2\nr0 *== 2\nexit\n');
    const t = runCli(['lesson', 'check', 'double', typo, '--lessons', lessons]);
    expect(t.code).toBe(1);
    expect(t.err.join('\n')).toMatch(new RegExp(`${typo.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:1: error: assembles: line 3: `));
  });

  it('says what is wrong with the command line (exit 2)', () => {
    expect(runCli(['lesson', 'check', 'nope', answer, '--lessons', lessons]).code).toBe(2);
    expect(runCli(['lesson', 'grade', '--lessons', lessons]).code).toBe(2);
    expect(runCli(['lesson', 'check', 'double', '--lessons', lessons]).code).toBe(2);
  });

  it('lists the shipped lessons', () => {
    const r = runCli(['lesson', 'list', '--json']);
    expect(r.code).toBe(0);
    expect(r.out.map((l) => (JSON.parse(l) as { id: string }).id)).toContain('registers-and-exit');
  });
});

describe('objects and C files', () => {
  const example = (name: string): string => fileURLToPath(new URL(`../../public/examples/c/${name}`, import.meta.url));
  it('verify and test-run take a clang-built object, as libbpf would load it', () => {
    const v = runCli(['verify', example('cpumask-set-clear.o')]);
    expect(v.code).toBe(0);
    expect(v.out.at(-1)).toBe('tp_btf/task_newtask: accepted by the linux-6.18 verifier');
    const t = runCli(['test-run', example('cpumask-set-clear.o'), '--json']);
    expect(t.code).toBe(0);
    expect((JSON.parse(t.out[0] ?? '') as { trace: string[] }).trace.join('\n')).toContain('task worker can use CPU 0');
  });

  const clang = spawnSync('clang-19', ['--version']).status === 0;
  it.skipIf(!clang)('compiles a .c file with clang-19 and puts a refusal at its C line', () => {
    const c = file(
      'no-null-check.c',
      [
        '#define SEC(n) __attribute__((section(n), used))',
        'struct bpf_cpumask;',
        'extern struct bpf_cpumask *bpf_cpumask_create(void) __attribute__((section(".ksyms")));',
        'extern void bpf_cpumask_release(struct bpf_cpumask *m) __attribute__((section(".ksyms")));',
        'char LICENSE[] SEC("license") = "GPL";',
        'SEC("tp_btf/task_newtask") int on_new(void *ctx)',
        '{',
        '    struct bpf_cpumask *m = bpf_cpumask_create();',
        '    bpf_cpumask_release(m);',
        '    return 0;',
        '}',
        '',
      ].join('\n'),
    );
    const r = runCli(['verify', c]);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(/no-null-check\.c:9:\d+: error: Possibly NULL pointer passed to trusted arg0/);
  });
  if (!clang) console.log('skipped: compiling C needs clang-19');

  it('says what is wrong with a file that is not an object', () => {
    const r = runCli(['verify', file('not-elf.o', 'hello')]);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(/not-elf\.o: error: offset 0x0: /);
  });
});
