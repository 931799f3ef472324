// The whole-mask cpumask kfuncs: fill/clear, and/or/xor truth tables, the comparisons, copy
// and 6.18's populate with its size rule (whole 8-byte words) and exact bit copy.

import { describe, expect, it } from 'vitest';
import { KERNEL_PROFILES, NR_CPUS } from '../profiles.ts';
import { TASK_CPUS_MASK } from './args.ts';
import { testKernel, type TestKernel } from './test-kernel.ts';

function mask(t: TestKernel, ...cpus: number[]): bigint {
  const m = t.ok('bpf_cpumask_create');
  for (const c of cpus) t.ok('bpf_cpumask_set_cpu', BigInt(c), m);
  return m;
}

describe.each(KERNEL_PROFILES)('whole-mask cpumask kfuncs (%s)', (profile) => {
  it('setall sets nr_cpu_ids CPUs (and, as bitmap_fill, the rest of the last long); clear empties; empty and full agree', () => {
    for (const nrCpus of [1, 3, 8, 13, NR_CPUS]) {
      const t = testKernel({ profile, nrCpus });
      const m = mask(t);
      expect(t.ok('bpf_cpumask_empty', m)).toBe(1n);
      expect(t.ok('bpf_cpumask_full', m)).toBe(0n);
      t.ok('bpf_cpumask_setall', m);
      expect(t.cpus(m)).toHaveLength(nrCpus);
      expect(t.ok('bpf_cpumask_full', m)).toBe(1n);
      expect(t.ok('bpf_cpumask_empty', m)).toBe(0n);
      // Whole unsigned longs are filled, as Linux does (setall with 2 CPUs reads back as ~0UL);
      // nothing after the last long is touched.
      const obj = t.object(m)!;
      const longs = Math.ceil(nrCpus / 64) * 8;
      expect([...t.mem.bytes.subarray(obj.region.start, obj.region.start + longs)].every((b) => b === 0xff)).toBe(true);
      if (longs < NR_CPUS / 8) expect(t.mem.bytes[obj.region.start + longs]).toBe(0);
      t.ok('bpf_cpumask_clear', m);
      expect(t.ok('bpf_cpumask_empty', m)).toBe(1n);
    }
  });

  it('and/or/xor follow their truth tables; and reports whether dst is non-empty', () => {
    const t = testKernel({ profile, nrCpus: 8 });
    const a = mask(t, 0, 1);
    const b = mask(t, 1, 2);
    const dst = mask(t, 7);
    expect(t.ok('bpf_cpumask_and', dst, a, b)).toBe(1n);
    expect(t.cpus(dst)).toEqual([1]);
    expect(t.ok('bpf_cpumask_or', dst, a, b)).toBe(0n);
    expect(t.cpus(dst)).toEqual([0, 1, 2]);
    t.ok('bpf_cpumask_xor', dst, a, b);
    expect(t.cpus(dst)).toEqual([0, 2]);
    expect(t.ok('bpf_cpumask_and', dst, mask(t, 0), mask(t, 1))).toBe(0n);
    expect(t.ok('bpf_cpumask_empty', dst)).toBe(1n);
  });

  it('matches the selftest test_and_or_xor and test_intersects_subset', () => {
    const t = testKernel({ profile, nrCpus: 8 });
    const m1 = mask(t, 0);
    const m2 = mask(t, 1);
    const dst1 = mask(t);
    const dst2 = mask(t);
    expect(t.ok('bpf_cpumask_and', dst1, m1, m2)).toBe(0n);
    t.ok('bpf_cpumask_or', dst1, m1, m2);
    expect([t.ok('bpf_cpumask_test_cpu', 0n, dst1), t.ok('bpf_cpumask_test_cpu', 1n, dst1)]).toEqual([1n, 1n]);
    t.ok('bpf_cpumask_xor', dst2, m1, m2);
    expect(t.ok('bpf_cpumask_equal', dst1, dst2)).toBe(1n);
    expect(t.ok('bpf_cpumask_intersects', m1, m2)).toBe(0n);
    expect(t.ok('bpf_cpumask_subset', m1, dst1)).toBe(1n);
    expect(t.ok('bpf_cpumask_subset', m2, dst1)).toBe(1n);
    expect(t.ok('bpf_cpumask_subset', dst1, m1)).toBe(0n);
  });

  it('a destination may also be a source', () => {
    const t = testKernel({ profile, nrCpus: 8 });
    const a = mask(t, 0, 1, 5);
    t.ok('bpf_cpumask_and', a, a, mask(t, 1, 5, 6));
    expect(t.cpus(a)).toEqual([1, 5]);
    t.ok('bpf_cpumask_xor', a, a, a);
    expect(t.cpus(a)).toEqual([]);
  });

  it("sources may be a task's cpus_ptr; destinations may not", () => {
    const t = testKernel({ profile, nrCpus: 8 });
    const cpus = t.address(t.world.newtask.object, TASK_CPUS_MASK);
    const dst = mask(t);
    t.ok('bpf_cpumask_or', dst, cpus, mask(t, 5));
    expect(t.cpus(dst)).toEqual([0, 2, 5]);
    t.ok('bpf_cpumask_copy', dst, cpus);
    expect(t.cpus(dst)).toEqual([0, 2]);
    expect(t.ok('bpf_cpumask_equal', dst, cpus)).toBe(1n);
    expect(t.fault('bpf_cpumask_copy', cpus, dst)).toContain('args#0 expected pointer to STRUCT bpf_cpumask but R1 has a pointer to STRUCT cpumask');
    expect(t.fault('bpf_cpumask_setall', cpus)).toContain('expected pointer to STRUCT bpf_cpumask');
    expect(t.cpus(cpus)).toEqual([0, 2]);
  });

  it('equal, intersects and subset over every pair of small masks', () => {
    const t = testKernel({ profile, nrCpus: 3 });
    const sets = [[], [0], [1], [0, 1], [0, 1, 2]];
    const masks = sets.map((s) => mask(t, ...s));
    sets.forEach((x, i) =>
      sets.forEach((y, j) => {
        const [mx, my] = [masks[i] ?? 0n, masks[j] ?? 0n];
        expect(t.ok('bpf_cpumask_equal', mx, my)).toBe(i === j ? 1n : 0n);
        expect(t.ok('bpf_cpumask_intersects', mx, my)).toBe(x.some((c) => y.includes(c)) ? 1n : 0n);
        expect(t.ok('bpf_cpumask_subset', mx, my)).toBe(x.every((c) => y.includes(c)) ? 1n : 0n);
      }),
    );
  });

  it('copy copies every CPU and returns nothing', () => {
    const t = testKernel({ profile, nrCpus: 64 });
    const src = mask(t, 0, 9, 33, 63);
    const dst = mask(t, 1);
    expect(t.ok('bpf_cpumask_copy', dst, src)).toBe(0n);
    expect(t.cpus(dst)).toEqual([0, 9, 33, 63]);
  });
});

describe('bpf_cpumask_populate (6.18)', () => {
  const fill = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);

  it('refuses a source smaller than nr_cpu_ids rounded up to 8-byte words with -EACCES', () => {
    const EACCES = BigInt.asUintN(64, -13n);
    const t = testKernel({ nrCpus: 2 });
    const m = mask(t);
    expect(t.ok('bpf_cpumask_populate', m, t.region(fill(1, 0xff)).ptr, 1n)).toBe(EACCES);
    expect(t.ok('bpf_cpumask_populate', m, t.region(fill(7, 0xff)).ptr, 7n)).toBe(EACCES);
    expect(t.ok('bpf_cpumask_populate', m, 0n, 0n)).toBe(EACCES);
    expect(t.cpus(m)).toEqual([]);
    expect(t.ok('bpf_cpumask_populate', m, t.region(fill(8, 0xff)).ptr, 8n)).toBe(0n);
    expect(t.cpus(m)).toEqual([0, 1]);
    const big = testKernel({ nrCpus: NR_CPUS });
    const b = mask(big);
    expect(big.ok('bpf_cpumask_populate', b, big.region(fill(511, 0xff)).ptr, 511n)).toBe(EACCES);
    const t65 = testKernel({ nrCpus: 65 });
    expect(t65.ok('bpf_cpumask_populate', mask(t65), t65.region(fill(9, 0xff)).ptr, 9n)).toBe(EACCES);
    expect(t65.ok('bpf_cpumask_populate', mask(t65), t65.region(fill(16, 0xff)).ptr, 16n)).toBe(0n);
  });

  it('copies the longs holding nr_cpu_ids bits: 0xaa sets the odd CPUs (selftest test_populate)', () => {
    for (const nrCpus of [1, 2, 8, 13, NR_CPUS]) {
      const t = testKernel({ nrCpus });
      const m = mask(t);
      const size = Math.ceil(nrCpus / 64) * 8;
      expect(t.ok('bpf_cpumask_populate', m, t.region(fill(size, 0xaa)).ptr, BigInt(size))).toBe(0n);
      const cpus = t.cpus(m);
      expect(cpus).toEqual(Array.from({ length: nrCpus }, (_, i) => i).filter((i) => i % 2 === 1));
      const obj = t.object(m)!;
      // bitmap_copy copies whole unsigned longs, bits above nr_cpu_ids included; nothing after them.
      expect([...t.mem.bytes.subarray(obj.region.start, obj.region.start + size)].every((b) => b === 0xaa)).toBe(true);
      if (size < NR_CPUS / 8) expect(t.mem.bytes[obj.region.start + size]).toBe(0);
      expect(t.ok('bpf_cpumask_weight', m)).toBe(BigInt(nrCpus >> 1));
    }
  });

  it('faults when src is not readable for src__sz bytes', () => {
    const t = testKernel({ nrCpus: 8 });
    const m = mask(t);
    expect(t.fault('bpf_cpumask_populate', m, t.region(fill(4, 0)).ptr, 8n)).toContain('arg#1 (src) is not readable memory of src__sz = 8 bytes');
    expect(t.fault('bpf_cpumask_populate', m, 0x123456n, 8n)).toContain('arg#1 (src) is not readable');
  });

  it("accepts a task's cpus_ptr as destination, as mainline does (struct cpumask *)", () => {
    const t = testKernel({ nrCpus: 8 });
    const cpus = t.address(t.world.newtask.object, TASK_CPUS_MASK);
    expect(t.ok('bpf_cpumask_populate', cpus, t.region(fill(8, 0x0f)).ptr, 8n)).toBe(0n);
    expect(t.cpus(cpus)).toEqual([0, 1, 2, 3]);
  });
});
