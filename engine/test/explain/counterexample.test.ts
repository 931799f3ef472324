// The counterexample search (engine/explain/counterexample.ts) over the verifier corpus: every
// entry our verifier refuses with a message about memory safety, NULL, bounds or a leak gets a
// seeded search within a fixed budget; the test prints found/total, the ones not found and why,
// and holds the found share to issue 13's target (point 5: 80 % of the memory-safety, NULL and
// bounds refusals) and the count to the level reached.
//
// COUNTEREXAMPLE_SEED and COUNTEREXAMPLE_BUDGET_MS change the seed and the per-entry budget.

import { describe, expect, it } from 'vitest';
import { verifyProgram } from '../../load/load.ts';
import { categorize, findCounterexample, SEARCH, type RefusalCategory } from '../../explain/counterexample.ts';
import { VERIFIER_CORPUS } from '../verifier/corpus/index.ts';
import { bytesOf, prepare, requestFor } from '../verifier/corpus-mutants.ts';
import { envInt } from '../kernel/rng.ts';
import { corpusRefusals } from './replay.ts';

const SEED = envInt('COUNTEREXAMPLE_SEED', SEARCH.seed);
/** Generous, so that the tries decide where the search stops, not how busy the machine is (CI runs test files side by side). */
const BUDGET_MS = envInt('COUNTEREXAMPLE_BUDGET_MS', SEARCH.budgetMs);
/** Tries per entry: the search stops on tries, not on the (generous) time budget, so the count does not depend on the machine. */
const MAX_TRIES = SEARCH.maxTries;
/** The level reached (seed 13, 400 tries): see the printed count; the floor is what it reached. */
const FOUND_FLOOR = 137;
/** Issue 13's target: an input for at least 80 % of the memory-safety, NULL and bounds refusals (reached: 122 of 151). */
const TARGET_SHARE = 0.8;

const WITHIN_ETH = 'the access is within the first 14 bytes, and every packet a run can get (BPF_PROG_TEST_RUN, a NIC) holds at least an Ethernet header';
const UNUSED = 'the moved pointer or the value read is never used';
const HUGE_QUEUE = 'rx_queue_index would have to be 2^31 or more';
const NEVER_TAKEN = 'the refused path is never taken';
/**
 * Why the search finds nothing for a refusal, for each one it misses: `none` — no input a run
 * can get makes it go wrong (Linux refuses what it cannot prove safe, not only what is unsafe);
 * `model` — an input exists, but the simulated kernel does not model it. A miss not listed
 * here fails the test (a regression of the search, or a new corpus entry to look at).
 */
const MISSES: Readonly<Record<string, { readonly why: 'none' | 'model'; readonly because: string }>> = {
  'stack/fp plus unbounded 64-bit scalar': { why: 'none', because: UNUSED },
  'stack/stack bytes written separately lose the bounds': { why: 'none', because: 'the index is always 8 (two 4-byte stores the verifier does not join into one value)' },
  'ctx/xdp sign-extending read of data': { why: 'none', because: UNUSED },
  'packet/xdp read u8 without check': { why: 'none', because: WITHIN_ETH },
  'packet/xdp write u8 without check': { why: 'none', because: WITHIN_ETH },
  'packet/tc read without check': { why: 'none', because: WITHIN_ETH },
  'packet/xdp 32-bit comparison learns no range': { why: 'none', because: WITHIN_ETH },
  'packet/xdp length compared as a scalar learns no range': { why: 'none', because: 'byte 13 is read only when the packet has 14 bytes' },
  'packet/xdp check 0x10000 bytes learns no range': { why: 'none', because: WITHIN_ETH },
  'packet/xdp packet pointer compared with a scalar learns nothing': { why: 'none', because: WITHIN_ETH },
  'packet/xdp access on the out-of-range branch': { why: 'none', because: 'the branch is taken only for a packet of under 4 bytes' },
  'packet/xdp unbounded 64-bit offset': { why: 'none', because: UNUSED },
  'packet/xdp offset up to 0xffff learns no range': { why: 'none', because: 'the access is checked against data_end at run time' },
  'packet/xdp packet pointer used after bpf_xdp_adjust_tail': { why: 'none', because: 'shrinking a packet of at least 14 bytes by 4 keeps the byte read' },
  'maps/lookup with key in packet too short': { why: 'none', because: 'the 4-byte key lies within the Ethernet header' },
  'maps/array lookup with key 3 stored as immediate without NULL check': { why: 'none', because: 'key 3 of a 4-entry array always exists' },
  'maps/array lookup with key 3 spilled to fp-4 without NULL check': { why: 'none', because: 'key 3 of a 4-entry array always exists' },
  'maps/array lookup with key 3 as 8-byte immediate without NULL check': { why: 'none', because: 'key 3 of a 4-entry array always exists' },
  'bounds/u32 ctx value with 32-bit signed upper bound only': { why: 'none', because: HUGE_QUEUE },
  'bounds/zero-extended load tested 32-bit signed negative': { why: 'none', because: HUGE_QUEUE },
  'bounds/mod by a constant': { why: 'none', because: 'the remainder is always inside the value (this kernel does not bound a mod result)' },
  'bounds/div by a constant': { why: 'none', because: 'the quotient is always inside the value (this kernel does not bound a div result)' },
  'helpers/probe_read_kernel with possibly negative size': { why: 'none', because: 'bpf_ktime_get_ns would have to pass 2^63 ns, 292 years of uptime' },
  'jumps-loops/compare reg with itself is always equal': { why: 'none', because: NEVER_TAKEN },
  'jumps-loops/compare pointer with constant zero': { why: 'none', because: NEVER_TAKEN },
  'calls/bpf_loop callback uses the index as a map offset': { why: 'none', because: 'the index runs 0..3 inside a 64-byte value' },
  'task-cgroup/task_acquire without NULL check, release': { why: 'none', because: "the new task's usage count is not zero while it is being created" },
  'task-cgroup/task_acquire of parent': { why: 'none', because: "a live task's parent is never NULL" },
  'task-cgroup/task_from_pid used without NULL check': { why: 'none', because: 'pid 1 always exists' },
  'cpumask/mask leaked on the error path only': { why: 'none', because: 'the error path needs a new task with pid 0, which only the idle task has' },
  'kptr/xchg out of the map and keep the old one': { why: 'model', because: 'a mask an earlier run stored in the map: map contents cannot seed a kptr' },
};

interface Row {
  readonly name: string;
  readonly category: RefusalCategory;
  readonly message: string;
  readonly found?: { readonly fault: string; readonly here: boolean; readonly tries: number };
  readonly none?: string;
}

/** The search on one corpus entry, by name. */
function searchEntry(name: string): ReturnType<typeof findCounterexample> {
  const entry = VERIFIER_CORPUS.find((e) => e.name === name);
  if (!entry) throw new Error(`no corpus entry '${name}'`);
  const p = prepare(entry);
  if ('skipped' in p) throw new Error(`'${name}' is skipped: ${p.skipped}`);
  const req = requestFor(p, bytesOf(p.insns));
  const err = verifyProgram({ ...req, logLevel: 0, explain: true }).verifier?.errors[0];
  if (!err) throw new Error(`'${name}' is not refused`);
  return findCounterexample(req, err, { seed: SEED, budgetMs: BUDGET_MS, maxTries: MAX_TRIES });
}

function searchCorpus(): Row[] {
  const rows: Row[] = [];
  for (const { entry, req, err, category } of corpusRefusals()) {
    const r = findCounterexample(req, err, { seed: SEED, budgetMs: BUDGET_MS, maxTries: MAX_TRIES });
    rows.push({ name: entry.name, category, message: err.message, ...('none' in r ? { none: r.none } : { found: { fault: r.fault, here: r.here, tries: r.tries } }) });
  }
  return rows;
}

describe('counterexamples for the corpus refusals about memory safety, NULL, bounds and leaks', () => {
  it('classifies refusals by their message', () => {
    expect(categorize("R0 invalid mem access 'map_value_or_null'")).toBe('null');
    expect(categorize('Possibly NULL pointer passed to trusted arg0')).toBe('null');
    expect(categorize('R2 offset is outside of the packet')).toBe('bounds');
    expect(categorize('R0 min value is outside of the allowed memory range')).toBe('bounds');
    expect(categorize('invalid write to stack R10 off=8 size=8')).toBe('bounds');
    expect(categorize('invalid read from stack R10 off=-8 size=8')).toBeUndefined();
    expect(categorize("R2 invalid mem access 'scalar'")).toBe('memory');
    expect(categorize('BPF_EXIT instruction in main prog would lead to reference leak')).toBe('leak');
    expect(categorize('R1 !read_ok')).toBeUndefined();
    expect(categorize('div by zero')).toBeUndefined();
  });

  it('shows a NULL from an allocation with memory running short, carried in the scenario', () => {
    const r = searchEntry('cpumask/create without NULL check, release');
    expect('none' in r).toBe(false);
    if ('none' in r) return;
    expect(r.input.scenario).toMatchObject({ failAllocationsAfter: 0 });
    expect(r.fault).toMatch(/memory running short so every allocation fails.*bpf_cpumask_release: NULL pointer/);
  });

  it('shows a NULL from the first of two lookups when another CPU inserts the key before the second, carried in the scenario', () => {
    const r = searchEntry('maps/two lookups, the other one checked');
    expect('none' in r).toBe(false);
    if ('none' in r) return;
    expect(r.input.scenario).toMatchObject({ concurrentWrites: [{ beforeCall: 2, map: 'm', key: '00000000' }] });
    expect(r.fault).toMatch(/another CPU inserting key 00000000 into m just before the program's 2nd helper call .*R6 is NULL at insn \d+: bpf_map_lookup_elem at insn \d+ returned NULL/);
  });

  it('finds a socket with an sk_lookup program that hands it every lookup: a read after its release, and past struct bpf_sock', () => {
    const after = searchEntry('refs/tc socket field read after release');
    expect('none' in after).toBe(false);
    if ('none' in after) return;
    expect(after.input.scenario).toMatchObject({ sockets: [{ proto: 'tcp', steer: true }, { proto: 'tcp', steer: true }] });
    expect(after.fault).toMatch(/reads 4 bytes at offset 4 of sockets\[0\] \(tcp 10\.0\.0\.1:80 listening, steered to by sk_lookup\), through R7, after bpf_sk_release at insn \d+ gave back the program's reference/);
    const past = searchEntry('refs/tc socket read past struct bpf_sock');
    expect('none' in past).toBe(false);
    if ('none' in past) return;
    expect(past.fault).toMatch(/reads 4 bytes through R0 at 0x[0-9a-f]+: 120 bytes past the end of sockets\[0\]/);
  });

  it('shows a stale packet pointer after bpf_skb_pull_data moved a non-linear head', () => {
    const r = searchEntry('packet/tc packet pointer used after bpf_skb_pull_data (helper 39)');
    expect('none' in r).toBe(false);
    if ('none' in r) return;
    expect(r.input.scenario).toMatchObject({ skb: { linear: 14 } });
    expect(r.fault).toMatch(/only its first 14 bytes in the skb's head .* stale packet pointer .* freed when bpf_skb_pull_data reallocated it/);
  });

  it('knows a data_meta pointer reads the metadata only: with none in front, its read is outside it', () => {
    const r = searchEntry('packet/xdp read data_meta without check');
    expect('none' in r).toBe(false);
    if ('none' in r) return;
    expect(r.fault).toMatch(/reads 4 bytes at offset 0 of the 0 bytes of metadata \(data_meta\.\.data\), through R2: outside the metadata/);
  });

  it("varies the new task's CPUs: a mask leaked only when the task may run on CPU 0 alone", () => {
    // Copy the new task's CPUs, clear CPU 0, and leave without releasing when nothing is left.
    const source = `.section tp_btf/task_newtask\n.license "GPL"\nr6 = *(u64 *)(r1 + 0)\ncall bpf_cpumask_create\nif r0 == 0 goto out\nr7 = r0\nr1 = r7\nr2 = *(u64 *)(r6 + task_struct.cpus_ptr)\ncall bpf_cpumask_copy\nr1 = 0\nr2 = r7\ncall bpf_cpumask_clear_cpu\nr1 = r7\ncall bpf_cpumask_empty\nif r0 != 0 goto out\nr1 = r7\ncall bpf_cpumask_release\nout:\nr0 = 0\nexit\n`;
    const p = prepare({ name: 'leak on CPU 0', source, section: 'tp_btf/task_newtask' });
    if ('skipped' in p) throw new Error(p.skipped);
    // Four CPUs: the default new task may run on CPUs 0 and 2, so nothing leaks until the search narrows it
    // (with two, the default scenario's task already runs on CPU 0 alone, and the smallest input changes nothing).
    const req = { ...requestFor(p, bytesOf(p.insns)), cpus: 4 };
    const err = verifyProgram({ ...req, logLevel: 0, explain: true }).verifier?.errors[0];
    expect(err?.message).toContain('reference leak');
    const r = findCounterexample(req, err!, { seed: SEED, budgetMs: BUDGET_MS, maxTries: MAX_TRIES });
    expect('none' in r).toBe(false);
    if ('none' in r) return;
    expect(r.input.scenario).toMatchObject({ newtask: { cpus: '0' } });
    expect(r.fault).toMatch(/^with a new task allowed on CPU 0 only \(the scenario's newtask\.cpus\), the reference acquired at insn 1 \(bpf_cpumask_create\) is still held at exit/);
  });

  it('stops a write into a ring buffer record after it was submitted', () => {
    const r = searchEntry('ringbuf/reservation written after submit');
    expect('none' in r).toBe(false);
    if ('none' in r) return;
    expect(r.fault).toMatch(/writes 8 bytes at offset 0 of the 8-byte ring buffer record, through R6, after bpf_ringbuf_submit handed it to user space/);
  });

  it(`finds an input for at least ${FOUND_FLOOR} of them (seed ${SEED}, ${BUDGET_MS} ms and ${MAX_TRIES} tries each)`, () => {
    const rows = searchCorpus();
    const found = rows.filter((r) => r.found);
    const here = found.filter((r) => r.found?.here);
    const by = (c: RefusalCategory) => `${c} ${rows.filter((r) => r.category === c && r.found).length}/${rows.filter((r) => r.category === c).length}`;
    const unrunnable = rows.filter((r) => r.none && /socket|device-bound|not available in the simulated kernel/.test(r.none));
    console.log(
      `counterexamples: ${found.length}/${rows.length} found (${Math.round((100 * found.length) / rows.length)}%; ${here.length} at the refused instruction or on its causal path, ${found.length - here.length} elsewhere, labelled so); ` +
        `by category: ${(['null', 'bounds', 'memory', 'leak'] as const).map(by).join(', ')}; ` +
        `${unrunnable.length} cannot run in the simulated kernel (${found.length}/${rows.length - unrunnable.length} of the rest)\n` +
        `found:\n${found.map((r) => `  ${r.name}: ${r.found?.fault ?? ''} [${r.found?.tries ?? 0} tries]`).join('\n')}\n` +
        `not found:\n${rows
          .filter((r) => r.none)
          .map((r) => `  ${r.name} [${r.category}] '${r.message}': ${r.none ?? ''}`)
          .join('\n')}`,
    );
    const mnb = rows.filter((r) => r.category !== 'leak');
    const missed = mnb.filter((r) => r.none);
    const none = missed.filter((r) => MISSES[r.name]?.why === 'none');
    const model = missed.filter((r) => MISSES[r.name]?.why === 'model');
    console.log(
      `memory-safety, NULL and bounds refusals: ${mnb.length - missed.length}/${mnb.length} found (${Math.round((100 * (mnb.length - missed.length)) / mnb.length)}%); ` +
        `of the ${missed.length} missed, ${none.length} have no input on which the program goes wrong, ${model.length} need what the simulated kernel does not model: ` +
        `found ${mnb.length - missed.length} of the ${mnb.length - none.length} that can go wrong (${Math.round((100 * (mnb.length - missed.length)) / (mnb.length - none.length))}%)\n` +
        missed.map((r) => `  ${r.name}: ${MISSES[r.name]?.why === 'none' ? 'no such input' : 'not modelled'}: ${MISSES[r.name]?.because ?? '?'}`).join('\n'),
    );
    expect(rows.filter((r) => r.none && !MISSES[r.name]).map((r) => r.name), 'misses without a known reason').toEqual([]);
    expect(rows.filter((r) => r.found && MISSES[r.name]).map((r) => r.name), 'found now: take them off MISSES').toEqual([]);
    expect(rows.length, 'the corpus has refusals of these categories').toBeGreaterThan(150);
    // The floor is the level reached (leaks included); the target counts memory safety, NULL and bounds.
    expect(found.length).toBeGreaterThanOrEqual(FOUND_FLOOR);
    expect((mnb.length - missed.length) / mnb.length, 'the share of memory-safety, NULL and bounds refusals with an input').toBeGreaterThanOrEqual(TARGET_SHARE);
  }, 120_000);
});
