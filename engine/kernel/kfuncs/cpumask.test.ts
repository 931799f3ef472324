// The lifecycle, single-CPU and CPU-picking cpumask kfuncs under both profiles: references and
// freeing, invalid CPUs, pointer-type faults, kptr_get (6.3) and the seeded *_distribute (6.18).

import { describe, expect, it } from 'vitest';
import { KERNEL_PROFILES, NR_CPUS } from '../profiles.ts';
import { TASK_CPUS_MASK } from './args.ts';
import { testKernel, type TestKernel } from './test-kernel.ts';

function mask(t: TestKernel, ...cpus: number[]): bigint {
  const m = t.ok('bpf_cpumask_create');
  for (const c of cpus) t.ok('bpf_cpumask_set_cpu', BigInt(c), m);
  return m;
}

/** task 4242 ("worker", CPUs 0,2): a pointer to its cpus_mask, as task->cpus_ptr holds. */
function taskMask(t: TestKernel): bigint {
  return t.address(t.world.newtask.object, TASK_CPUS_MASK);
}

describe.each(KERNEL_PROFILES)('cpumask lifecycle (%s)', (profile) => {
  it('create gives an empty bpf_cpumask with one reference, held by the program', () => {
    const t = testKernel({ profile });
    const m = t.ok('bpf_cpumask_create');
    const obj = t.object(m);
    expect(obj?.type).toBe('bpf_cpumask');
    expect(obj?.label).toMatch(/^bpf_cpumask #\d+$/);
    expect(obj?.createdAt).toBe(0);
    expect(t.objects.refcount(obj!)).toBe(1);
    expect(t.objects.heldReferences().map((r) => r.via)).toEqual(['bpf_cpumask_create']);
    expect(t.cpus(m)).toEqual([]);
    expect(t.ok('bpf_cpumask_empty', m)).toBe(1n);
  });

  it('create returns NULL, holding nothing, once the scenario says memory has run short', () => {
    const t = testKernel({ profile, failAllocationsAfter: 1 });
    expect(t.ok('bpf_cpumask_create')).not.toBe(0n);
    expect(t.ok('bpf_cpumask_create')).toBe(0n);
    expect(t.ok('bpf_cpumask_create')).toBe(0n);
    expect(t.objects.heldReferences()).toHaveLength(1);
  });

  it('acquire returns the same mask with one more reference; each release gives one back', () => {
    const t = testKernel({ profile });
    const m = t.ok('bpf_cpumask_create');
    expect(t.ok('bpf_cpumask_acquire', m)).toBe(m);
    const obj = t.object(m)!;
    expect(t.objects.refcount(obj)).toBe(2);
    expect(t.objects.heldReferences()).toHaveLength(2);
    expect(t.ok('bpf_cpumask_release', m)).toBe(0n);
    expect(t.objects.refcount(obj)).toBe(1);
    expect(obj.state).toBe('live');
    t.ok('bpf_cpumask_release', m);
    expect(t.objects.heldReferences()).toHaveLength(0);
    expect(t.objects.refcount(obj)).toBe(0);
    expect(obj.state).toBe(profile === 'linux-6.3' ? 'freed' : 'rcu-free');
    t.objects.endGracePeriod();
    expect(obj.state).toBe('freed');
  });

  it('release of a mask the program holds no reference to faults', () => {
    const t = testKernel({ profile });
    const m = t.ok('bpf_cpumask_create');
    t.ok('bpf_cpumask_acquire', m);
    t.objects.clearHeld();
    expect(t.fault('bpf_cpumask_release', m)).toMatch(/release kernel function bpf_cpumask_release expects refcounted PTR_TO_BTF_ID \(the program holds no reference to bpf_cpumask #\d+\)/);
  });

  it('a freed mask is a use-after-free that names the object', () => {
    const t = testKernel({ profile });
    const m = t.ok('bpf_cpumask_create');
    t.ok('bpf_cpumask_release', m);
    t.objects.endGracePeriod();
    const label = t.object(m)?.label ?? '';
    for (const msg of [t.fault('bpf_cpumask_set_cpu', 0n, m), t.fault('bpf_cpumask_release', m), t.fault('bpf_cpumask_first', m)]) {
      expect(msg).toContain('use-after-free');
      expect(msg).toContain(label);
    }
  });

  it('NULL arguments fault with the 0-based argument index', () => {
    const t = testKernel({ profile });
    expect(t.fault('bpf_cpumask_empty', 0n)).toContain('NULL pointer passed to trusted arg0');
    expect(t.fault('bpf_cpumask_set_cpu', 0n, 0n)).toContain('NULL pointer passed to trusted arg1');
    expect(t.fault('bpf_cpumask_release', 0n)).toContain('NULL pointer passed to trusted arg0');
    const m = mask(t);
    expect(t.fault('bpf_cpumask_and', m, m, 0n)).toContain('NULL pointer passed to trusted arg2');
  });

  it("a task's cpus_ptr is a const struct cpumask *, not a struct bpf_cpumask *", () => {
    const t = testKernel({ profile });
    const cpus = taskMask(t);
    expect(t.ok('bpf_cpumask_test_cpu', 2n, cpus)).toBe(1n);
    expect(t.ok('bpf_cpumask_test_cpu', 1n, cpus)).toBe(0n);
    expect(t.ok('bpf_cpumask_first', cpus)).toBe(0n);
    expect(t.fault('bpf_cpumask_set_cpu', 0n, cpus)).toBe('pc 0: kernel function bpf_cpumask_set_cpu args#1 expected pointer to STRUCT bpf_cpumask but R2 has a pointer to STRUCT cpumask');
    expect(t.fault('bpf_cpumask_test_and_set_cpu', 0n, cpus)).toContain('args#1 expected pointer to STRUCT bpf_cpumask but R2 has a pointer to STRUCT cpumask');
    expect(t.cpus(cpus)).toEqual([0, 2]);
  });

  it('a pointer to something else faults with what it points at', () => {
    const t = testKernel({ profile });
    const task = t.address(t.world.newtask.object);
    expect(t.fault('bpf_cpumask_first', task)).toContain('kernel function bpf_cpumask_first args#0 expected pointer to STRUCT cpumask but R1 has a pointer to STRUCT task_struct');
    const stack = t.region(16, 'stack');
    expect(t.fault('bpf_cpumask_first', stack.ptr)).toMatch(/arg#0 \(R1 = 0x[0-9a-f]{16}\) is not a pointer to a struct cpumask: it points into stack/);
    expect(t.fault('bpf_cpumask_first', 0x1234n)).toContain('it is not a mapped address');
    const m = mask(t);
    expect(t.fault('bpf_cpumask_first', m + 8n)).toContain('R1 must have zero offset when passed to release func or trusted arg to kfunc (it points 8 bytes into bpf_cpumask');
  });

  it('set, clear and the tests take the low 32 bits of the CPU and ignore invalid CPUs', () => {
    const t = testKernel({ profile, nrCpus: 8 });
    const m = mask(t);
    for (const cpu of [8n, 4096n, 0xffffffffn, 0x1_0000_0008n]) {
      t.ok('bpf_cpumask_set_cpu', cpu, m);
      expect(t.ok('bpf_cpumask_test_cpu', cpu, m)).toBe(0n);
      expect(t.ok('bpf_cpumask_test_and_set_cpu', cpu, m)).toBe(0n);
    }
    expect(t.cpus(m)).toEqual([]);
    t.ok('bpf_cpumask_set_cpu', 0x1_0000_0001n, m);
    expect(t.cpus(m)).toEqual([1]);
    expect(t.ok('bpf_cpumask_test_cpu', 1n, m)).toBe(1n);
    t.ok('bpf_cpumask_clear_cpu', 0xffff_ffff_0000_0001n, m);
    expect(t.cpus(m)).toEqual([]);
    t.ok('bpf_cpumask_setall', m);
    t.ok('bpf_cpumask_clear_cpu', 8n, m);
    expect(t.ok('bpf_cpumask_test_and_clear_cpu', 8n, m)).toBe(0n);
    expect(t.ok('bpf_cpumask_full', m)).toBe(1n);
  });

  it('test_and_set and test_and_clear return the previous bit (selftest test_test_and_set_clear)', () => {
    const t = testKernel({ profile });
    const m = mask(t);
    expect(t.ok('bpf_cpumask_test_and_set_cpu', 0n, m)).toBe(0n);
    expect(t.ok('bpf_cpumask_test_and_set_cpu', 0n, m)).toBe(1n);
    expect(t.ok('bpf_cpumask_test_and_clear_cpu', 0n, m)).toBe(1n);
    expect(t.ok('bpf_cpumask_test_and_clear_cpu', 0n, m)).toBe(0n);
    expect(t.cpus(m)).toEqual([]);
  });

  it('first and first_zero on empty, one-CPU and full masks (selftest test_first_firstzero_cpu)', () => {
    const t = testKernel({ profile, nrCpus: 8 });
    const m = mask(t);
    expect(t.ok('bpf_cpumask_first', m)).toBe(8n);
    expect(t.ok('bpf_cpumask_first_zero', m)).toBe(0n);
    t.ok('bpf_cpumask_set_cpu', 0n, m);
    expect(t.ok('bpf_cpumask_first', m)).toBe(0n);
    expect(t.ok('bpf_cpumask_first_zero', m)).toBe(1n);
    t.ok('bpf_cpumask_setall', m);
    expect(t.ok('bpf_cpumask_first', m)).toBe(0n);
    expect(t.ok('bpf_cpumask_first_zero', m)).toBe(8n);
    t.ok('bpf_cpumask_clear_cpu', 5n, m);
    expect(t.ok('bpf_cpumask_first_zero', m)).toBe(5n);
  });

  it('handles nr_cpu_ids of 1 and of NR_CPUS', () => {
    const one = testKernel({ profile, nrCpus: 1 });
    const a = mask(one, 0, 1, 2);
    expect(one.cpus(a)).toEqual([0]);
    expect(one.ok('bpf_cpumask_first_zero', a)).toBe(1n);
    expect(one.ok('bpf_cpumask_full', a)).toBe(1n);
    const big = testKernel({ profile, nrCpus: NR_CPUS });
    const b = mask(big, 4095);
    expect(big.ok('bpf_cpumask_first', b)).toBe(4095n);
    expect(big.ok('bpf_cpumask_test_cpu', 4095n, b)).toBe(1n);
    big.ok('bpf_cpumask_set_cpu', 4096n, b);
    expect(big.cpus(b)).toEqual([4095]);
    big.ok('bpf_cpumask_setall', b);
    expect(big.ok('bpf_cpumask_first_zero', b)).toBe(4096n);
  });
});

describe('cpumask kfuncs that differ by profile', () => {
  it('6.3: acquire of a task cpus_ptr is a type mismatch (BTF_TYPE_SAFE_NESTED made it trusted)', () => {
    const t = testKernel({ profile: 'linux-6.3' });
    expect(t.fault('bpf_cpumask_acquire', taskMask(t))).toBe('pc 0: kernel function bpf_cpumask_acquire args#0 expected pointer to STRUCT bpf_cpumask but R1 has a pointer to STRUCT cpumask');
    expect(t.fault('bpf_cpumask_release', taskMask(t))).toContain('args#0 expected pointer to STRUCT bpf_cpumask but R1 has a pointer to STRUCT cpumask');
  });

  it('6.18: acquire or release of a task cpus_ptr is refused as untrusted (it is an RCU pointer)', () => {
    const t = testKernel({ profile: 'linux-6.18' });
    expect(t.fault('bpf_cpumask_acquire', taskMask(t))).toContain('R1 must be referenced or trusted');
    expect(t.fault('bpf_cpumask_release', taskMask(t))).toContain('R1 must be referenced or trusted');
  });

  it('6.18: a mask released to zero stays readable until the grace period ends', () => {
    const t = testKernel({ profile: 'linux-6.18' });
    const m = mask(t, 3);
    t.ok('bpf_cpumask_release', m);
    expect(t.object(m)?.state).toBe('rcu-free');
    expect(t.ok('bpf_cpumask_test_cpu', 3n, m)).toBe(1n);
    expect(t.fault('bpf_cpumask_acquire', m)).toContain('refcount_t: addition on 0; use-after-free');
    t.objects.endGracePeriod();
    expect(t.fault('bpf_cpumask_test_cpu', 3n, m)).toContain('use-after-free');
  });

  it('6.3: any and any_and are the lowest CPU (selftest test_copy_any_anyand)', () => {
    const t = testKernel({ profile: 'linux-6.3', nrCpus: 8 });
    const a = mask(t, 0);
    const b = mask(t, 1);
    const ab = mask(t, 0, 1);
    expect(t.ok('bpf_cpumask_any', a)).toBe(0n);
    expect(t.ok('bpf_cpumask_any', mask(t))).toBe(8n);
    expect(t.ok('bpf_cpumask_any', ab)).toBeLessThanOrEqual(1n);
    expect(t.ok('bpf_cpumask_any_and', a, b)).toBe(8n);
    expect(t.ok('bpf_cpumask_any_and', ab, b)).toBe(1n);
  });

  it('6.18: first_and is the lowest CPU in both (selftest test_firstand_nocpu)', () => {
    const t = testKernel({ profile: 'linux-6.18', nrCpus: 8 });
    expect(t.ok('bpf_cpumask_first_and', mask(t, 0), mask(t, 1))).toBe(8n);
    expect(t.ok('bpf_cpumask_first_and', mask(t, 1, 3, 6), mask(t, 3, 6))).toBe(3n);
    expect(t.ok('bpf_cpumask_first_and', taskMask(t), mask(t, 2, 3))).toBe(2n);
  });

  it('6.18: any_distribute picks set CPUs, spreads over them and replays for a seed', () => {
    const picks = (seed: number): bigint[] => {
      const t = testKernel({ profile: 'linux-6.18', nrCpus: 16, seed });
      const m = mask(t, 1, 4, 9, 15);
      return Array.from({ length: 64 }, () => t.ok('bpf_cpumask_any_distribute', m));
    };
    const a = picks(7);
    expect(picks(7)).toEqual(a);
    expect(new Set(a)).toEqual(new Set([1n, 4n, 9n, 15n]));
    expect(picks(8)).not.toEqual(a);
    const t = testKernel({ profile: 'linux-6.18', nrCpus: 16 });
    expect(t.ok('bpf_cpumask_any_distribute', mask(t))).toBe(16n);
    expect(t.ok('bpf_cpumask_any_distribute', mask(t, 0))).toBe(0n);
    expect(t.ok('bpf_cpumask_any_and_distribute', mask(t, 0), mask(t, 1))).toBe(16n);
    for (let i = 0; i < 20; i++) expect([2n, 5n]).toContain(t.ok('bpf_cpumask_any_and_distribute', mask(t, 1, 2, 5), mask(t, 2, 5, 7)));
  });

  it('6.18: weight counts CPUs (selftest test_cpumask_weight)', () => {
    const t = testKernel({ profile: 'linux-6.18', nrCpus: 8 });
    const m = mask(t);
    expect(t.ok('bpf_cpumask_weight', m)).toBe(0n);
    t.ok('bpf_cpumask_set_cpu', 0n, m);
    expect(t.ok('bpf_cpumask_weight', m)).toBe(1n);
    t.ok('bpf_cpumask_set_cpu', 1n, m);
    expect(t.ok('bpf_cpumask_weight', m)).toBe(2n);
    t.ok('bpf_cpumask_clear', m);
    expect(t.ok('bpf_cpumask_weight', m)).toBe(0n);
    expect(t.ok('bpf_cpumask_weight', taskMask(t))).toBe(2n);
    const big = testKernel({ profile: 'linux-6.18', nrCpus: NR_CPUS });
    const b = mask(big);
    big.ok('bpf_cpumask_setall', b);
    expect(big.ok('bpf_cpumask_weight', b)).toBe(4096n);
  });
});

describe('bpf_cpumask_kptr_get (6.3)', () => {
  function slot(t: TestKernel, ptr: bigint): bigint {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, ptr, true);
    return t.region(bytes).ptr;
  }

  it('takes a new reference to the mask in the slot (selftest test_insert_kptr_get_release)', () => {
    const t = testKernel({ profile: 'linux-6.3' });
    const m = mask(t, 1);
    t.objects.clearHeld(); // the map owns the create reference now
    expect(t.ok('bpf_cpumask_kptr_get', slot(t, m))).toBe(m);
    expect(t.objects.refcount(t.object(m)!)).toBe(2);
    expect(t.objects.heldReferences().map((r) => r.via)).toEqual(['bpf_cpumask_kptr_get']);
    t.ok('bpf_cpumask_release', m);
    expect(t.objects.refcount(t.object(m)!)).toBe(1);
  });

  it('returns NULL for an empty slot and for a mask whose refcount reached zero', () => {
    const t = testKernel({ profile: 'linux-6.3' });
    expect(t.ok('bpf_cpumask_kptr_get', slot(t, 0n))).toBe(0n);
    const m = mask(t);
    t.ok('bpf_cpumask_release', m);
    expect(t.ok('bpf_cpumask_kptr_get', slot(t, m))).toBe(0n);
    expect(t.objects.heldReferences()).toHaveLength(0);
  });

  it('wants a pointer into a map value holding a bpf_cpumask', () => {
    const t = testKernel({ profile: 'linux-6.3' });
    expect(t.fault('bpf_cpumask_kptr_get', t.region(8, 'stack').ptr)).toContain('arg#0 expected pointer to map value');
    expect(t.fault('bpf_cpumask_kptr_get', 0n)).toContain('arg#0 expected pointer to map value');
    const task = t.address(t.world.newtask.object);
    expect(t.fault('bpf_cpumask_kptr_get', slot(t, task))).toContain('does not hold a struct bpf_cpumask');
    const short = t.region(4);
    expect(t.fault('bpf_cpumask_kptr_get', short.ptr)).toContain('runs past the end');
  });
});
