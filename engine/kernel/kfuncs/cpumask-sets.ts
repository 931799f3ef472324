// The cpumask kfuncs of kernel/bpf/cpumask.c that work on whole masks: fill and clear,
// and/or/xor into a bpf_cpumask, the comparisons, copy, and 6.18's populate from program
// memory. Destinations typed `struct bpf_cpumask *` take only a bpf_cpumask.

import type { CallImpl } from '../services.ts';
import { ERRNO, neg } from '../services.ts';
import { bool, kfuncFault, maskArg } from './args.ts';
import { bitmapSize, combine, copyBits, fill, relate, uniform, type Relation, type SetOp } from './cpumask-bits.ts';

function fillAll(name: string, on: boolean): CallImpl {
  return (k, vm, pc) => {
    const m = maskArg(k, vm, pc, name, 0, true);
    if (!m) return false;
    fill(k.mem.bytes, m.at, k.nrCpus, on);
    return 0n;
  };
}

/** and / or / xor (dst, src1, src2); only `and` returns something: whether dst is non-empty. */
function setOp(name: string, op: SetOp): CallImpl {
  return (k, vm, pc) => {
    const dst = maskArg(k, vm, pc, name, 0, true);
    const s1 = dst && maskArg(k, vm, pc, name, 1, false);
    const s2 = s1 && maskArg(k, vm, pc, name, 2, false);
    if (!dst || !s1 || !s2) return false;
    const nonEmpty = combine(k.mem.bytes, dst.at, s1.at, s2.at, k.nrCpus, op);
    return op === 'and' ? bool(nonEmpty) : 0n;
  };
}

function relation(name: string, rel: Relation): CallImpl {
  return (k, vm, pc) => {
    const s1 = maskArg(k, vm, pc, name, 0, false);
    const s2 = s1 && maskArg(k, vm, pc, name, 1, false);
    return s1 && s2 && bool(relate(k.mem.bytes, s1.at, s2.at, k.nrCpus, rel));
  };
}

function uniformity(name: string, full: boolean): CallImpl {
  return (k, vm, pc) => {
    const m = maskArg(k, vm, pc, name, 0, false);
    return m && bool(uniform(k.mem.bytes, m.at, k.nrCpus, full));
  };
}

const copy: CallImpl = (k, vm, pc) => {
  const dst = maskArg(k, vm, pc, 'bpf_cpumask_copy', 0, true);
  const src = dst && maskArg(k, vm, pc, 'bpf_cpumask_copy', 1, false);
  if (!dst || !src) return false;
  copyBits(k.mem.bytes, dst.at, src.at, k.nrCpus);
  return 0n;
};

/**
 * populate(struct cpumask *cpumask, void *src, size_t src__sz): the source must cover
 * bitmap_size(nr_cpu_ids) — whole 8-byte words, so 7 bytes are too few even for 2 CPUs —
 * else -EACCES; then nr_cpu_ids bits are copied. Mainline types the destination
 * `struct cpumask *`, so a task's cpus_ptr passes (a bpf-next selftest wants it refused).
 * x86-64 has efficient unaligned access, so the -EINVAL alignment check never fires.
 */
const populate: CallImpl = (k, vm, pc) => {
  const name = 'bpf_cpumask_populate';
  const dst = maskArg(k, vm, pc, name, 0, false);
  if (!dst) return false;
  const size = vm.reg(3);
  // The verifier checks that src is readable memory of src__sz bytes (a __sz pair).
  if (size > BigInt(k.mem.bytes.length)) return kfuncFault(vm, pc, name, `arg#1: src__sz = ${size} is larger than any memory a program can pass`);
  const src = size === 0n ? new Uint8Array(0) : k.mem.read(vm.regLo(2), vm.regHi(2), Number(size));
  if (!src) return kfuncFault(vm, pc, name, `arg#1 (src) is not readable memory of src__sz = ${size} bytes: ${k.mem.explain(vm.regLo(2), vm.regHi(2), Number(size), false).reason}`);
  if (src.length < bitmapSize(k.nrCpus)) return neg(ERRNO.EACCES);
  copyBits(k.mem.bytes, dst.at, src, k.nrCpus);
  return 0n;
};

export const CPUMASK_SET_KFUNCS: Readonly<Record<string, CallImpl>> = {
  bpf_cpumask_setall: fillAll('bpf_cpumask_setall', true),
  bpf_cpumask_clear: fillAll('bpf_cpumask_clear', false),
  bpf_cpumask_and: setOp('bpf_cpumask_and', 'and'),
  bpf_cpumask_or: setOp('bpf_cpumask_or', 'or'),
  bpf_cpumask_xor: setOp('bpf_cpumask_xor', 'xor'),
  bpf_cpumask_equal: relation('bpf_cpumask_equal', 'equal'),
  bpf_cpumask_intersects: relation('bpf_cpumask_intersects', 'intersects'),
  bpf_cpumask_subset: relation('bpf_cpumask_subset', 'subset'),
  bpf_cpumask_empty: uniformity('bpf_cpumask_empty', false),
  bpf_cpumask_full: uniformity('bpf_cpumask_full', true),
  bpf_cpumask_copy: copy,
  bpf_cpumask_populate: populate,
};
