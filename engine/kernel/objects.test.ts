// The object table reclaims freed objects: after 100,000 masks made and released it holds the
// live ones plus a bounded tail, while a pointer to any freed object — kept in the table or
// long reclaimed — still faults as a use-after-free, by a load or as a kfunc argument.

import { describe, expect, it } from 'vitest';
import { simulate } from '../test/sim.ts';
import { KEEP_FREED } from './objects.ts';

const LOOP = (n: number) => `.section tp_btf/task_newtask
.license "GPL"
  r6 = 0
loop:
  call bpf_cpumask_create
  if r0 == 0 goto out
  r1 = r0
  call bpf_cpumask_release
  r6 += 1
  if r6 < ${n} goto loop
out:
  r0 = 0
  exit
`;

describe('the object table', () => {
  for (const profile of ['linux-6.3', 'linux-6.18'] as const) {
    it(`holds the live objects plus at most ${KEEP_FREED} freed ones after 100,000 create/release (${profile})`, () => {
      const r = simulate(LOOP(100_000), { profile, maxInsns: 10_000_000 });
      if (r.stage !== 'done') throw new Error(r.stage === 'run' ? r.error : r.errors.join('; '));
      const objects = r.program.kernel.objects;
      const live = objects.all().filter((o) => o.state === 'live').length;
      // The scenario's tasks, cgroups and css_sets are the live objects.
      expect(live).toBeLessThan(40);
      expect(objects.size).toBeLessThanOrEqual(live + KEEP_FREED);
      expect(objects.all().filter((o) => o.state === 'freed').length).toBe(KEEP_FREED);
      expect(objects.releasedTotal).toBe(100_000);
      // The most recent are the ones kept.
      expect(objects.recentlyReleased(1)[0]?.label).toMatch(/^bpf_cpumask #\d+$/);
      expect(Math.max(...objects.recentlyReleased(KEEP_FREED).map((o) => o.id))).toBe(Math.max(...objects.all().map((o) => o.id)));
    });
  }

  // Makes 200 masks and releases each, keeping the first one's pointer in r7, then touches it.
  const touchFirst = (use: string) => `.section tp_btf/task_newtask
.license "GPL"
  call bpf_cpumask_create
  if r0 == 0 goto out
  r7 = r0
  r1 = r0
  call bpf_cpumask_release
  r6 = 0
loop:
  call bpf_cpumask_create
  if r0 == 0 goto out
  r1 = r0
  call bpf_cpumask_release
  r6 += 1
  if r6 < 200 goto loop
${use}
out:
  r0 = 0
  exit
`;

  it('keeps a reclaimed object\'s memory unusable: a load faults as use-after-free, naming the object', () => {
    const r = simulate(touchFirst('  r0 = *(u64 *)(r7 + 0)'), { profile: 'linux-6.3' });
    expect(r.stage).toBe('run');
    if (r.stage !== 'run') return;
    const label = /use-after-free: (bpf_cpumask #\d+) was freed \(refcount reached 0\)/.exec(r.error)?.[1];
    expect(label).toBeDefined();
    // The table no longer holds it: the fault comes from its region's tombstone.
    expect(r.program.kernel.objects.all().some((o) => o.label === label)).toBe(false);
    expect(r.program.kernel.objects.size).toBeLessThan(40 + KEEP_FREED);
  });

  it('says use-after-free when a reclaimed object is passed to a kfunc', () => {
    const r = simulate(touchFirst('  r1 = 3\n  r2 = r7\n  call bpf_cpumask_set_cpu'), { profile: 'linux-6.3' });
    expect(r.stage).toBe('run');
    if (r.stage !== 'run') return;
    expect(r.error).toMatch(/bpf_cpumask_set_cpu: use-after-free: arg#1 \(R2\) points to bpf_cpumask #\d+, which was freed \(refcount reached 0\)/);
  });
});
