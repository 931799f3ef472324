// The grader's checks, each failing the way a learner's mistake makes it fail: at a line where a
// line is to blame, in words that say what was seen and what was expected.

import { describe, expect, it } from 'vitest';
import { gradeLesson } from './grader.ts';
import { parseLesson, type GraderSpec, type LessonSpec } from './spec.ts';

function lesson(grader: GraderSpec): LessonSpec {
  const parsed = parseLesson({ id: 't', track: 'verifier', order: 1, title: 't', goal: 'g', starter: 's.bpf.s', solution: 'x.bpf.s', hints: ['a', 'b'], wrong: [{ file: 'w.bpf.s', mistake: 'm', expect: 'e' }], grader }, 't');
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.spec;
}

const failed = (r: ReturnType<typeof gradeLesson>) => r.checks.filter((c) => !c.passed);

describe('gradeLesson', () => {
  const count = lesson({ runs: [{ name: 'a 20-byte packet', data: '00'.repeat(20), expect: { r0: 2, maps: { m: { '0': 1 } }, trace: ['seen 20'], why: { maps: 'count each packet once' } } }] });
  const COUNTER = (body: string) => `.section xdp\n.license "GPL"\n.map m type=array key=4 value=8 max_entries=1\n${body}`;
  const GOOD = COUNTER(`r6 = r1
*(u32 *)(r10 - 4) = 0
r1 = m ll
r2 = r10
r2 += -4
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = 1
lock *(u64 *)(r0 + 0) += r1
r1 = 0x006425206e656573 ll
*(u64 *)(r10 - 16) = r1
r1 = r10
r1 += -16
r2 = 8
r3 = *(u32 *)(r6 + 4)
r4 = *(u32 *)(r6 + 0)
r3 -= r4
call bpf_trace_printk
out:
r0 = 2
exit`);

  it('passes a program that does it all, check by check', () => {
    const r = gradeLesson(count, GOOD);
    expect(failed(r)).toEqual([]);
    expect(r.checks.map((c) => c.name)).toEqual(['assembles', 'Linux 6.18 loads it', 'a 20-byte packet: r0', 'a 20-byte packet: trace', 'a 20-byte packet: m[0]']);
    expect(r.passed).toBe(true);
  });

  it('pins a line that does not assemble, and stops there', () => {
    const r = gradeLesson(count, '.section xdp\nr0 = 2\nr0 +== 1\nexit\n');
    expect(r.checks).toEqual([{ name: 'assembles', passed: false, message: expect.stringMatching(/^line 3: /), line: 3 }]);
  });

  it("pins the verifier's refusal to its line, in the kernel's words", () => {
    // A hash map: a lookup may find nothing (Linux 6.18 knows an array's in-bounds constant key is always there).
    const r = gradeLesson(count, COUNTER('r6 = r1\n*(u32 *)(r10 - 4) = 0\nr1 = m ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nr1 = *(u64 *)(r0 + 0)\nr0 = 2\nexit').replace('type=array', 'type=hash'));
    expect(failed(r)).toEqual([{ name: 'Linux 6.18 loads it', passed: false, message: "Linux 6.18 refuses it at line 10: R0 invalid mem access 'map_value_or_null'", line: 10 }]);
  });

  it('says what was seen and what was expected, with the why', () => {
    const r = gradeLesson(count, COUNTER('r0 = 1\nexit'));
    expect(failed(r).map((c) => c.message)).toEqual(['r0 is 0x1 (1), expected 0x2 (2)', 'the trace pipe lacks a line with “seen 20” (nothing was printed)', 'm[0] is 0, expected 1 — count each packet once']);
  });

  it('pins a fault of a raw program to its line', () => {
    const raw = lesson({ runs: [{ name: 'an 8-byte input', data: '00'.repeat(8), expect: { r0: 0 } }] });
    const r = gradeLesson(raw, '.section raw\nr0 = *(u64 *)(r1 + 8)\nexit\n');
    expect(failed(r)).toEqual([{ name: 'an 8-byte input: runs to its exit', passed: false, message: expect.stringMatching(/^line 2: /), line: 2 }]);
  });

  it('pins a leaked reference to the line that acquired it (under each profile asked for)', () => {
    const tp = lesson({ profiles: ['linux-6.3', 'linux-6.18'], runs: [{ name: 'a new task', expect: { r0: 0 } }] });
    const leaky = '.section tp_btf/task_newtask\n.license "GPL"\ncall bpf_cpumask_create\nr0 = 0\nexit\n';
    // The verifier refuses the leak under both profiles, before any run.
    expect(failed(gradeLesson(tp, leaky)).map((c) => [c.name, c.line])).toEqual([
      ['Linux 6.3 loads it', 5],
      ['Linux 6.18 loads it', 5],
    ]);
  });

  it('reads a kptr slot: the CPUs of the mask it holds, or empty', () => {
    const kp = lesson({ runs: [{ name: 'a new task on CPUs 0,2', expect: { kptrs: [{ map: 'masks', key: 0, cpus: '0,2', why: 'record the new task' }] } }] });
    const STORE = `.section tp_btf/task_newtask
.license "GPL"
.map masks type=array key=4 value=8 max_entries=1 kptr=0:bpf_cpumask
r6 = *(u64 *)(r1 + 0)
call bpf_cpumask_create
if r0 == 0 goto out
r7 = r0
r1 = r7
r2 = *(u64 *)(r6 + task_struct.cpus_ptr)
call bpf_cpumask_copy
*(u32 *)(r10 - 4) = 0
r1 = masks ll
r2 = r10
r2 += -4
call bpf_map_lookup_elem
if r0 == 0 goto rel
r1 = r0
r2 = r7
call bpf_kptr_xchg
if r0 == 0 goto out
r1 = r0
call bpf_cpumask_release
goto out
rel:
r1 = r7
call bpf_cpumask_release
out:
r0 = 0
exit`;
    expect(failed(gradeLesson(kp, STORE))).toEqual([]);
    const empty = gradeLesson(kp, '.section tp_btf/task_newtask\n.license "GPL"\n.map masks type=array key=4 value=8 max_entries=1 kptr=0:bpf_cpumask\nr0 = 0\nexit\n');
    expect(failed(empty).map((c) => c.message)).toEqual(['it holds empty, expected a mask of CPUs 0,2 — record the new task']);
  });

  it('checks the metadata every NIC packet carries against its own RX timestamp', () => {
    const nic = lesson({ runs: [{ name: '4 UDP packets', traffic: { seed: 2, packets: 4, flows: [{ proto: 'udp', src: '10.0.0.1', dst: '10.0.0.2', sport: 1234, dport: 53, size: 64 }] }, expect: { actions: { XDP_PASS: 4 }, packets: [{ action: 'XDP_PASS', metaLength: 8, fields: [{ at: 0, size: 8, equals: 'rx_timestamp' }], why: 'store the timestamp in front of the packet' }] } }] });
    const noMeta = gradeLesson(nic, '.section xdp\n.license "GPL"\nr0 = 2\nexit\n');
    expect(failed(noMeta).map((c) => c.message)).toEqual([expect.stringMatching(/^packet #0 carries 0 bytes of metadata, expected 8 — store the timestamp in front of the packet$/)]);
  });
});

describe('parseLesson', () => {
  it('says what is wrong with a lesson.json', () => {
    const base = { id: 't', track: 'cpumask', order: 1, title: 't', goal: 'g', starter: 's.bpf.s', solution: 'x.bpf.s', hints: ['a', 'b'], wrong: [{ file: 'w.bpf.s', mistake: 'm', expect: 'e' }], grader: { runs: [{ name: 'n', expect: { r0: 1 } }] } };
    expect(parseLesson(base, 't')).toMatchObject({ ok: true });
    expect(parseLesson(base, 'other')).toEqual({ ok: false, error: "id 't' must be its folder's name ('other')" });
    expect(parseLesson({ ...base, hints: ['only one'] })).toMatchObject({ ok: false, error: expect.stringContaining('at least two') });
    expect(parseLesson({ ...base, kind: 'spot-the-bug' })).toMatchObject({ ok: false, error: expect.stringContaining('starterRefusal') });
    expect(parseLesson({ ...base, grader: { runs: [{ name: 'n', expect: { actions: { XDP_PASS: 1 } } }] } })).toMatchObject({ ok: false, error: expect.stringContaining('needs a traffic profile') });
    expect(parseLesson({ ...base, grader: { runs: [{ name: 'n', expect: { r1: 1 } }] } })).toMatchObject({ ok: false, error: expect.stringContaining('expect.r1 is not a check') });
    expect(parseLesson({ ...base, grader: { profiles: ['linux-5.4'], runs: base.grader.runs } })).toMatchObject({ ok: false });
    expect(parseLesson({ ...base, docs: [{ title: 'x', url: 'javascript:alert(1)' }] })).toMatchObject({ ok: false, error: expect.stringContaining('https') });
  });
});
