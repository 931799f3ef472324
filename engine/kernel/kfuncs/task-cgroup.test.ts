// Task, cgroup and RCU kfuncs over the default scenario: pids 1, 812, 1200 (nginx, in
// /system.slice/nginx) and the new task 4242; cgroups / (id 1), /system.slice, its nginx child
// and /user.slice.

import { describe, expect, it } from 'vitest';
import { KERNEL_PROFILES } from '../profiles.ts';
import { testKernel, type TestKernel } from './test-kernel.ts';

function cgroup(t: TestKernel, path: string): bigint {
  const c = t.world.cgroups.get(path);
  if (!c) throw new Error(`no cgroup ${path}`);
  return t.address(c.object);
}

describe.each(KERNEL_PROFILES)('task and cgroup kfuncs (%s)', (profile) => {
  it('task_from_pid takes a reference to the task; release gives it back', () => {
    const t = testKernel({ profile });
    const nginx = t.world.taskByPid(1200)!;
    const p = t.ok('bpf_task_from_pid', 1200n);
    expect(p).toBe(t.address(nginx.object));
    expect(t.objects.refcount(nginx.object)).toBe(2);
    expect(t.objects.heldReferences().map((r) => r.via)).toEqual(['bpf_task_from_pid']);
    expect(t.ok('bpf_task_release', p)).toBe(0n);
    expect(t.objects.refcount(nginx.object)).toBe(1);
    expect(t.objects.heldReferences()).toHaveLength(0);
  });

  it('task_from_pid is NULL for an unknown or negative pid', () => {
    const t = testKernel({ profile });
    expect(t.ok('bpf_task_from_pid', 999n)).toBe(0n);
    expect(t.ok('bpf_task_from_pid', 0xffff_ffffn)).toBe(0n);
    // s32: the upper half of the register is not part of the pid.
    expect(t.ok('bpf_task_from_pid', 0x7_0000_0001n)).toBe(t.address(t.world.taskByPid(1)!.object));
    expect(t.objects.heldReferences()).toHaveLength(1);
  });

  it('task_acquire returns the same task with one more reference', () => {
    const t = testKernel({ profile });
    const task = t.world.newtask.object;
    expect(t.ok('bpf_task_acquire', t.address(task))).toBe(t.address(task));
    expect(t.objects.refcount(task)).toBe(2);
    t.ok('bpf_task_release', t.address(task));
    expect(t.fault('bpf_task_release', t.address(task))).toContain('release kernel function bpf_task_release expects refcounted PTR_TO_BTF_ID');
  });

  it('checks pointer types', () => {
    const t = testKernel({ profile });
    expect(t.fault('bpf_task_acquire', 0n)).toContain('NULL pointer passed to trusted arg0');
    expect(t.fault('bpf_task_acquire', cgroup(t, '/'))).toContain('kernel function bpf_task_acquire args#0 expected pointer to STRUCT task_struct but R1 has a pointer to STRUCT cgroup');
    expect(t.fault('bpf_cgroup_acquire', t.address(t.world.current.object))).toContain('expected pointer to STRUCT cgroup but R1 has a pointer to STRUCT task_struct');
    expect(t.fault('bpf_cgroup_ancestor', t.address(t.world.current.object) + 16n, 0n)).toContain('R1 must have zero offset');
  });

  it('cgroup_from_id finds cgroups by id, NULL otherwise', () => {
    const t = testKernel({ profile });
    const root = t.world.cgroups.get('/')!;
    expect(root.id).toBe(1);
    expect(t.ok('bpf_cgroup_from_id', 1n)).toBe(t.address(root.object));
    expect(t.objects.refcount(root.object)).toBe(2);
    expect(t.ok('bpf_cgroup_from_id', 999n)).toBe(0n);
    expect(t.ok('bpf_cgroup_from_id', 1n << 60n)).toBe(0n);
    t.ok('bpf_cgroup_release', t.address(root.object));
    expect(t.objects.refcount(root.object)).toBe(1);
  });

  it('cgroup_ancestor returns ancestors[level] referenced, NULL outside 0..level', () => {
    const t = testKernel({ profile });
    const nginx = cgroup(t, '/system.slice/nginx');
    expect(t.ok('bpf_cgroup_ancestor', nginx, 0n)).toBe(cgroup(t, '/'));
    expect(t.ok('bpf_cgroup_ancestor', nginx, 1n)).toBe(cgroup(t, '/system.slice'));
    expect(t.ok('bpf_cgroup_ancestor', nginx, 2n)).toBe(nginx);
    expect(t.ok('bpf_cgroup_ancestor', nginx, 3n)).toBe(0n);
    expect(t.ok('bpf_cgroup_ancestor', nginx, 0xffff_ffffn)).toBe(0n);
    expect(t.objects.heldReferences()).toHaveLength(3);
    expect(t.objects.refcount(t.world.cgroups.get('/system.slice')!.object)).toBe(2);
  });

  it('cgroup_acquire and release count references', () => {
    const t = testKernel({ profile });
    const c = cgroup(t, '/user.slice');
    expect(t.ok('bpf_cgroup_acquire', c)).toBe(c);
    expect(t.objects.refcount(t.object(c)!)).toBe(2);
    t.ok('bpf_cgroup_release', c);
    expect(t.fault('bpf_cgroup_release', c)).toContain('expects refcounted PTR_TO_BTF_ID');
  });

  it('rcu_read_lock nests; an unlock without a lock faults', () => {
    const t = testKernel({ profile });
    t.ok('bpf_rcu_read_lock');
    t.ok('bpf_rcu_read_lock');
    expect(t.k.rcuDepth).toBe(2);
    t.ok('bpf_rcu_read_unlock');
    t.ok('bpf_rcu_read_unlock');
    expect(t.k.rcuDepth).toBe(0);
    expect(t.fault('bpf_rcu_read_unlock')).toBe('pc 0: bpf_rcu_read_unlock: bpf_rcu_read_unlock without a matching bpf_rcu_read_lock');
  });
});

describe('task and cgroup kfuncs that differ by profile', () => {
  function zeroRefs(t: TestKernel, ptr: bigint): void {
    const obj = t.object(ptr)!;
    t.mem.dv.setUint32(obj.region.start + obj.refcountOffset, 0, true);
  }

  it('6.18 uses tryget: acquiring an object whose count is zero gives NULL', () => {
    const t = testKernel({ profile: 'linux-6.18' });
    const task = t.address(t.world.newtask.object);
    zeroRefs(t, task);
    expect(t.ok('bpf_task_acquire', task)).toBe(0n);
    expect(t.ok('bpf_task_from_pid', 4242n)).toBe(0n);
    const c = cgroup(t, '/user.slice');
    zeroRefs(t, c);
    expect(t.ok('bpf_cgroup_acquire', c)).toBe(0n);
    expect(t.ok('bpf_cgroup_ancestor', c, 1n)).toBe(0n);
    expect(t.objects.heldReferences()).toHaveLength(0);
  });

  it('6.3 uses refcount_inc: acquiring from zero is a use-after-free', () => {
    const t = testKernel({ profile: 'linux-6.3' });
    const task = t.address(t.world.newtask.object);
    zeroRefs(t, task);
    expect(t.fault('bpf_task_acquire', task)).toContain('refcount_t: addition on 0; use-after-free');
  });

  it('6.18: task_under_cgroup tests the default-hierarchy cgroup and its ancestors', () => {
    const t = testKernel({ profile: 'linux-6.18' });
    const nginx = t.address(t.world.taskByPid(1200)!.object);
    expect(t.ok('bpf_task_under_cgroup', nginx, cgroup(t, '/system.slice/nginx'))).toBe(1n);
    expect(t.ok('bpf_task_under_cgroup', nginx, cgroup(t, '/system.slice'))).toBe(1n);
    expect(t.ok('bpf_task_under_cgroup', nginx, cgroup(t, '/'))).toBe(1n);
    expect(t.ok('bpf_task_under_cgroup', nginx, cgroup(t, '/user.slice'))).toBe(0n);
    const systemd = t.address(t.world.taskByPid(1)!.object);
    expect(t.ok('bpf_task_under_cgroup', systemd, cgroup(t, '/system.slice'))).toBe(0n);
    expect(t.fault('bpf_task_under_cgroup', nginx, nginx)).toContain('args#1 expected pointer to STRUCT cgroup but R2 has a pointer to STRUCT task_struct');
  });
});
