// The verifier differential against the running kernel (skipped, saying why, where bpf() is not
// usable): first that the kernel oracle loads what the corpus needs — maps of every type, kptr
// map values, tp_btf, syscall and socket programs, licenses, log levels — then the corpus itself,
// compared with the playground's verifier. VDIFF_SHOW=1 prints every program's kernel verdict
// and message (and ours, once the verifier exists), for whoever writes the corpus.

import { afterAll, describe, expect, it } from 'vitest';
import { kernelOracle, type KernelOracle } from '../kernel/oracle.ts';
import type { VerifyResult } from '../../verifier/api.ts';
import { loadCorpus, loadVerifier, reportLines, runDifferential, runningFacts, runningProfile, showLines, thresholdFailures, type VerifyFn } from './differential.ts';
import { closeKernelLoader, finalMessage, kernelLoadOf, loadInKernel, prepareLoad, type KernelLoad } from './kernel-load.ts';

const found = await kernelOracle();
const kernel = 'unavailable' in found ? undefined : found;
if ('unavailable' in found) console.log(`skipped: ${found.unavailable}`);

function oracle(): KernelOracle {
  if (!kernel) throw new Error('internal: kernel tests ran without a kernel');
  return kernel;
}

afterAll(async () => {
  await kernel?.close();
  await closeKernelLoader();
});

/** The kernel's answer for a source (verification only). */
async function load(source: string, logLevel: 0 | 1 | 2 = 1): Promise<KernelLoad> {
  const p = prepareLoad(source, { logLevel });
  if ('skipped' in p) return p;
  return kernelLoadOf(await oracle().run(p.request));
}

function refusal(r: KernelLoad): string {
  if ('skipped' in r) return `skipped: ${r.skipped}`;
  return r.accepted ? 'accepted' : r.message;
}

describe('finalMessage', () => {
  it('is the last line before the statistics', () => {
    expect(finalMessage('0: (95) exit\nR0 !read_ok\nprocessed 1 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n')).toBe('R0 !read_ok');
    expect(finalMessage('R1 type=ctx expected=fp\nverification time 12 usec\nstack depth 0\nprocessed 3 insns (limit 1000000)\n\n')).toBe('R1 type=ctx expected=fp');
    expect(finalMessage('')).toBe('');
  });
});

const MAP_TYPES = [
  'array key=4 value=8 max_entries=4',
  'hash key=8 value=16 max_entries=4',
  'percpu_array key=4 value=8 max_entries=4',
  'percpu_hash key=4 value=8 max_entries=4',
  'lru_hash key=4 value=8 max_entries=4',
  'lru_percpu_hash key=4 value=8 max_entries=4',
  'ringbuf key=0 value=0 max_entries=4096',
  'prog_array key=4 value=4 max_entries=4',
  'devmap key=4 value=4 max_entries=4',
  'devmap_hash key=4 value=4 max_entries=4',
  'cpumap key=4 value=4 max_entries=4',
  'xskmap key=4 value=4 max_entries=4',
];

/** A tp_btf program storing a new bpf_cpumask into a map value's kptr field. */
const KPTR_STORE = (kptrType: string): string => `
.section tp_btf/task_newtask
.license "GPL"
.map masks type=array key=4 value=16 max_entries=4 kptr=8:${kptrType}
        call bpf_cpumask_create
        if r0 == 0 goto out
        r6 = r0
        r1 = 0
        *(u32 *)(r10 - 4) = r1
        r1 = masks ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem
        if r0 != 0 goto found
        r1 = r6
        call bpf_cpumask_release
        goto out
found:
        r1 = r0
        r1 += 8
        r2 = r6
        call bpf_kptr_xchg
        if r0 == 0 goto out
        r1 = r0
        call bpf_cpumask_release
out:
        r0 = 0
        exit
`;

describe.skipIf(kernel === undefined)('the kernel oracle loads what the verifier corpus needs', () => {
  it.each(MAP_TYPES)('creates a map: %s', async (decl) => {
    const r = await load(`.section xdp\n.map m type=${decl}\n        r1 = m ll\n        r0 = 2\n        exit\n`);
    expect(refusal(r)).toBe('accepted');
  });

  it('gives the map its declared name, which the log prints', async () => {
    const r = await load('.section tc\n.map counts type=hash key=4 value=8 max_entries=4\n        r1 = counts ll\n        r2 = r10\n        r2 += -8\n        *(u64 *)(r10 - 8) = r1\n        call bpf_map_lookup_elem\n        r0 = *(u64 *)(r0 + 0)\n        exit\n');
    expect(refusal(r)).toBe("R0 invalid mem access 'map_value_or_null'");
    expect('log' in r && r.log).toContain('map=counts,ks=4,vs=8');
  });

  it('creates maps whose values hold a kptr (BTF with the vmlinux struct by name)', async () => {
    expect(refusal(await load(KPTR_STORE('bpf_cpumask')))).toBe('accepted');
    // The kernel checks the pointer stored against the field's type: the BTF names it.
    expect(refusal(await load(KPTR_STORE('task_struct')))).toBe('invalid kptr access, R2 type=ptr_bpf_cpumask expected=ptr_task_struct');
  });

  it('loads tp_btf programs at the kernel offsets of STRUCT.FIELD', async () => {
    const src = '.section tp_btf/task_newtask\n.license "GPL"\n        r1 = *(u64 *)(r1 + 0)\n        r0 = *(u32 *)(r1 + task_struct.pid)\n        r0 = 0\n        exit\n';
    expect(refusal(await load(src))).toBe('accepted');
    expect(refusal(await load(src.replace('task_newtask', 'no_such_tracepoint')))).toMatch(/^skipped: tracepoint no_such_tracepoint/);
  });

  it('loads syscall programs sleepable, with kfuncs at their vmlinux ids', async () => {
    const src = '.section syscall\n.license "GPL"\n        call bpf_cpumask_create\n        if r0 == 0 goto out\n        r1 = r0\n        call bpf_cpumask_release\nout:\n        r0 = 0\n        exit\n';
    expect(refusal(await load(src))).toBe('accepted');
    expect(refusal(await load(src.replace('        call bpf_cpumask_release\n', '')))).toBe('BPF_EXIT instruction in main prog would lead to reference leak');
  });

  it('passes the license: GPL-only helpers need a GPL-compatible one', async () => {
    const printk = (license: string): string =>
      `.section socket\n${license}        r1 = r10\n        r1 += -8\n        r2 = 0\n        *(u64 *)(r10 - 8) = r2\n        r2 = 8\n        call bpf_trace_printk\n        r0 = 0\n        exit\n`;
    expect(refusal(await load(printk('.license "GPL"\n')))).toBe('accepted');
    expect(refusal(await load(printk('.license "Dual MIT/GPL"\n')))).toBe('accepted');
    expect(refusal(await load(printk('.license "MIT"\n')))).toBe('cannot call GPL-restricted function from non-GPL compatible program');
    expect(refusal(await load(printk('')))).toBe('cannot call GPL-restricted function from non-GPL compatible program');
  });

  it('returns the log at the level asked, and the errno', async () => {
    const src = '.section socket\n        exit\n';
    const [l0, l1, l2] = await Promise.all([load(src, 0), load(src, 1), load(src, 2)]);
    for (const r of [l0, l1, l2]) expect(r).toMatchObject({ accepted: false, message: 'R0 !read_ok', errno: 13 });
    const logs = [l0, l1, l2].map((r) => ('log' in r ? r.log : ''));
    expect(logs[0]).toBe(logs[1]); // level 0 logs only a refusal, at level 1
    expect(logs[2]?.length).toBeGreaterThan(logs[1]?.length ?? 0);
    const accepted = await load('.section socket\n        r0 = 0\n        exit\n', 0);
    expect(accepted).toEqual({ accepted: true, log: '', message: '', errno: 0 });
  });

  it('leaves device-bound XDP programs out without a device, saying how to give one', () => {
    const src = '.section xdp\n        r6 = r1\n        r2 = r10\n        r2 += -8\n        r3 = r10\n        r3 += -16\n        call bpf_xdp_metadata_rx_hash\n        r0 = 2\n        exit\n';
    expect(prepareLoad(src, {}, {})).toMatchObject({ skipped: expect.stringMatching(/^device-bound XDP programs .* BPFP_KERNEL_XDP_DEV=/) as unknown });
    expect(prepareLoad(src, {}, { BPFP_KERNEL_XDP_DEV: 'lo' })).toMatchObject({ request: { ifindex: 1, progFlags: 64 } });
  });

  it('answers through loadInKernel', async () => {
    expect(await loadInKernel('.section tc\n        r0 = 0\n        exit\n')).toMatchObject({ accepted: true, errno: 0, message: '' });
  });
});

describe.skipIf(kernel === undefined)('the differential harness', () => {
  it('counts verdicts and messages, lists disagreements, leaves out what this kernel cannot answer', async () => {
    const entries = [
      { name: 'no r0', source: '.section socket\n        exit\n' },
      { name: 'r0 set', source: '.section socket\n        r0 = 0\n        exit\n' },
      { name: 'r5 read', source: '.section socket\n        r0 = r5\n        exit\n' },
      { name: 'old profile', source: '.section socket\n        r0 = 0\n        exit\n', profile: 'linux-6.3' as const },
      { name: 'kfunc of 6.3', source: '.section syscall\n.license "GPL"\n        call bpf_cpumask_kptr_get\n        r0 = 0\n        exit\n' },
    ];
    // A stand-in verifier: refuses a lone exit in the kernel's words, r0 = r5 in others.
    const verify: VerifyFn = (req) => {
      const first = req.insns[0];
      const refuse = (message: string): VerifyResult => ({ accepted: false, errors: [{ pc: 0, message }], log: `${message}\n`, stats: { processed: 1, maxStatesPerInsn: 0, totalStates: 0, peakStates: 0, markRead: 0 } });
      if (first?.kind === 'exit') return refuse('R0 !read_ok');
      if (first?.kind === 'alu' && first.src.type === 'reg' && first.src.reg === 5) return refuse('R5 is not initialised');
      return { accepted: true, errors: [], log: '', stats: { processed: 2, maxStatesPerInsn: 0, totalStates: 0, peakStates: 0, markRead: 0 } };
    };
    const report = await runDifferential(entries, oracle(), { verify, kernelProfile: 'linux-6.18' });
    expect({ compared: report.compared, agree: report.verdictsAgree, rejections: report.kernelRejections, contained: report.messagesContained }).toEqual({ compared: 3, agree: 3, rejections: 2, contained: 1 });
    expect(reportLines(report)).toContain('disagree: r5 read: both refuse; the kernel says "R5 !read_ok", ours "R5 is not initialised" — cause unknown');
    expect(report.leftOut.names()).toEqual(['the linux-6.3 profile', 'kfunc bpf_cpumask_kptr_get']);
    expect(thresholdFailures(report)).toEqual(['the kernel\'s message is in ours for 50.0% of 2 rejections, below 95%']);
    expect(showLines(report)).toContain('no r0: kernel refuses (errno 13): "R0 !read_ok"; ours refuses: "R0 !read_ok"');
  });
});

describe.skipIf(kernel === undefined)('verifier differential', () => {
  it('agrees with the kernel on the corpus', async () => {
    const corpus = await loadCorpus();
    if ('unavailable' in corpus) {
      console.log(`skipped: ${corpus.unavailable}`);
      return;
    }
    const verify = await loadVerifier();
    const show = process.env['VDIFF_SHOW'] === '1';
    const kernelProfile = runningProfile();
    if ('unavailable' in verify && !show) {
      console.log(`skipped: ${verify.unavailable}`);
      return;
    }
    const report = await runDifferential(corpus, oracle(), { facts: runningFacts(), ...('unavailable' in verify ? {} : { verify }), ...(kernelProfile ? { kernelProfile } : {}) });
    if (show) console.log(showLines(report).join('\n'));
    if ('unavailable' in verify) {
      console.log([...report.leftOut.lines(), ...report.notes, `skipped: ${verify.unavailable}`].join('\n'));
      return;
    }
    console.log(reportLines(report).join('\n'));
    expect(thresholdFailures(report)).toEqual([]);
  }, 600_000);
});
