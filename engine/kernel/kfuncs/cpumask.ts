// The cpumask kfuncs of kernel/bpf/cpumask.c that manage a bpf_cpumask's life (create,
// acquire, release, 6.3's kptr_get), touch one CPU, or pick a CPU out of a mask. A CPU
// number ≥ nr_cpu_ids is invalid: ignored by set/clear, false from the tests (cpu_valid()).

import type { Vm } from '../../vm/index.ts';
import type { CallImpl, KernelServices } from '../services.ts';
import { acquireRef, bool, kfuncFault, maskArg, releaseRef, u32Arg } from './args.ts';
import { findFirst, nthSet, setBit, testBit, weight } from './cpumask-bits.ts';

/** cpu_valid(): the kernel's check on a `u32 cpu` argument. */
function cpuValid(k: KernelServices, cpu: number): boolean {
  return cpu < k.nrCpus;
}

function create(k: KernelServices, _vm: Vm, pc: number): bigint {
  // bpf_mem_cache_alloc fails only when the scenario's memory has run short; the memory is zeroed and the refcount set to 1.
  if (k.world.allocationFails()) return 0n;
  const obj = k.objects.create('bpf_cpumask', (id) => `bpf_cpumask #${id}`, { createdAt: pc });
  k.objects.hold(obj, pc, 'bpf_cpumask_create');
  return k.objects.address(obj);
}

const acquire: CallImpl = (k, vm, pc) => {
  const m = maskArg(k, vm, pc, 'bpf_cpumask_acquire', 0, true);
  if (!m) return false;
  if (!m.object) return kfuncFault(vm, pc, 'bpf_cpumask_acquire', 'arg#0 is plain memory, not a bpf_cpumask object: there is no reference count to take');
  return acquireRef(k, vm, pc, 'bpf_cpumask_acquire', m.object);
};

const release: CallImpl = (k, vm, pc) => {
  const m = maskArg(k, vm, pc, 'bpf_cpumask_release', 0, true);
  if (!m) return false;
  if (!m.object) return kfuncFault(vm, pc, 'bpf_cpumask_release', 'release kernel function bpf_cpumask_release expects refcounted PTR_TO_BTF_ID (arg#0 is plain memory)');
  return releaseRef(k, vm, pc, 'bpf_cpumask_release', m.object);
};

/**
 * 6.3 only: read the kptr in a map value under RCU and take a reference unless the mask is
 * already on its way out (refcount_inc_not_zero).
 */
const kptrGet: CallImpl = (k, vm, pc) => {
  const name = 'bpf_cpumask_kptr_get';
  const lo = vm.regLo(1);
  const hi = vm.regHi(1);
  const off = k.mem.offsetOf(lo, hi);
  const region = off < 0 ? undefined : k.mem.regionAt(off);
  if (!region || region.kind !== 'map-value' || region.freed) return kfuncFault(vm, pc, name, 'arg#0 expected pointer to map value (the address of a struct bpf_cpumask __kptr field)');
  const slot = k.mem.read(lo, hi, 8);
  if (!slot) return kfuncFault(vm, pc, name, `arg#0: the 8-byte kptr slot at offset ${off - region.start} runs past the end of ${region.name}`);
  const dv = new DataView(slot.buffer, slot.byteOffset, 8);
  const pLo = dv.getInt32(0, true);
  const pHi = dv.getInt32(4, true);
  if (pLo === 0 && pHi === 0) return 0n;
  const obj = k.objects.at(pLo, pHi);
  if (!obj || obj.type !== 'bpf_cpumask') return kfuncFault(vm, pc, name, `the kptr slot in ${region.name} does not hold a struct bpf_cpumask`);
  if (!k.objects.tryGet(obj)) return 0n;
  k.objects.hold(obj, pc, name);
  return k.objects.address(obj);
};

/** set_cpu / clear_cpu: (u32 cpu, struct bpf_cpumask *). */
function writeCpu(name: string, on: boolean): CallImpl {
  return (k, vm, pc) => {
    const m = maskArg(k, vm, pc, name, 1, true);
    if (!m) return false;
    const cpu = u32Arg(vm, 0);
    if (cpuValid(k, cpu)) setBit(k.mem.bytes, m.at, cpu, on);
    return 0n;
  };
}

/** test_cpu, test_and_set_cpu, test_and_clear_cpu: the bit before any change. */
function testCpu(name: string, then: 'keep' | 'set' | 'clear'): CallImpl {
  return (k, vm, pc) => {
    const m = maskArg(k, vm, pc, name, 1, then !== 'keep');
    if (!m) return false;
    const cpu = u32Arg(vm, 0);
    if (!cpuValid(k, cpu)) return 0n;
    const was = testBit(k.mem.bytes, m.at, cpu);
    if (then !== 'keep') setBit(k.mem.bytes, m.at, cpu, then === 'set');
    return bool(was);
  };
}

/** first, first_zero, and 6.3's any (cpumask_any is cpumask_first). */
function first(name: string, zero: boolean): CallImpl {
  return (k, vm, pc) => {
    const m = maskArg(k, vm, pc, name, 0, false);
    return m && BigInt(findFirst(k.mem.bytes, m.at, k.nrCpus, { zero }));
  };
}

/** first_and, and 6.3's any_and (cpumask_any_and is cpumask_first_and). */
function firstAnd(name: string): CallImpl {
  return (k, vm, pc) => {
    const a = maskArg(k, vm, pc, name, 0, false);
    const b = a && maskArg(k, vm, pc, name, 1, false);
    return a && b && BigInt(findFirst(k.mem.bytes, a.at, k.nrCpus, { and: b.at }));
  };
}

/**
 * any_distribute / any_and_distribute: a set CPU chosen with the seeded generator, so that
 * successive calls spread over the mask and a shared link replays the same picks.
 */
function distribute(name: string, two: boolean): CallImpl {
  return (k, vm, pc) => {
    const a = maskArg(k, vm, pc, name, 0, false);
    const b = two ? a && maskArg(k, vm, pc, name, 1, false) : undefined;
    if (!a || b === false) return false;
    const and = b?.at;
    const count = weight(k.mem.bytes, a.at, k.nrCpus, and);
    if (count === 0) return BigInt(k.nrCpus);
    return BigInt(nthSet(k.mem.bytes, a.at, k.nrCpus, k.random() % count, and));
  };
}

const weightOf: CallImpl = (k, vm, pc) => {
  const m = maskArg(k, vm, pc, 'bpf_cpumask_weight', 0, false);
  return m && BigInt(weight(k.mem.bytes, m.at, k.nrCpus));
};

export const CPUMASK_KFUNCS: Readonly<Record<string, CallImpl>> = {
  bpf_cpumask_create: create,
  bpf_cpumask_acquire: acquire,
  bpf_cpumask_release: release,
  bpf_cpumask_kptr_get: kptrGet,
  bpf_cpumask_set_cpu: writeCpu('bpf_cpumask_set_cpu', true),
  bpf_cpumask_clear_cpu: writeCpu('bpf_cpumask_clear_cpu', false),
  bpf_cpumask_test_cpu: testCpu('bpf_cpumask_test_cpu', 'keep'),
  bpf_cpumask_test_and_set_cpu: testCpu('bpf_cpumask_test_and_set_cpu', 'set'),
  bpf_cpumask_test_and_clear_cpu: testCpu('bpf_cpumask_test_and_clear_cpu', 'clear'),
  bpf_cpumask_first: first('bpf_cpumask_first', false),
  bpf_cpumask_first_zero: first('bpf_cpumask_first_zero', true),
  bpf_cpumask_first_and: firstAnd('bpf_cpumask_first_and'),
  bpf_cpumask_any: first('bpf_cpumask_any', false),
  bpf_cpumask_any_and: firstAnd('bpf_cpumask_any_and'),
  bpf_cpumask_any_distribute: distribute('bpf_cpumask_any_distribute', false),
  bpf_cpumask_any_and_distribute: distribute('bpf_cpumask_any_and_distribute', true),
  bpf_cpumask_weight: weightOf,
};
