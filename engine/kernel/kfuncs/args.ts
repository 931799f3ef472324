// A kfunc's arguments, checked at run time as the verifier checks them at load time
// (kernel/bpf/verifier.c check_kfunc_args): NULL where a trusted pointer is due, a pointer to
// the wrong struct, an object already freed, a release without a reference. A bad argument
// ends the run with a fault in the verifier's words where it has words for it.

import { formatAddress, PERM_READ, PERM_WRITE, type Vm } from '../../vm/index.ts';
import { fieldOf, structLayout } from '../btf/layouts.ts';
import type { KernelObject } from '../objects.ts';
import type { KernelServices } from '../services.ts';
import { kfuncByName } from './ids.ts';

/** Offset of task_struct.cpus_mask: where task->cpus_ptr points. */
export const TASK_CPUS_MASK = fieldOf('task_struct', 'cpus_mask')?.offset ?? -1;

/** Records a fault for kfunc `name` at `pc`. */
export function kfuncFault(vm: Vm, pc: number, name: string, message: string): false {
  return vm.fail(pc, 'kfunc', `pc ${pc}: ${name}: ${message}`);
}

/** Argument `i` (0-based, in r1..r5) as the kernel's u32: the low 32 bits. */
export function u32Arg(vm: Vm, i: number): number {
  return vm.regLo(i + 1) >>> 0;
}

/** Argument `i` as an int/s32. */
export function s32Arg(vm: Vm, i: number): number {
  return vm.regLo(i + 1) | 0;
}

function regText(vm: Vm, i: number): string {
  return `R${i + 1} = ${formatAddress(vm.regLo(i + 1), vm.regHi(i + 1))}`;
}

/** What a pointer that is not a kernel object points at, for messages. */
function whereTo(k: KernelServices, vm: Vm, i: number): string {
  const off = k.mem.offsetOf(vm.regLo(i + 1), vm.regHi(i + 1));
  const region = off < 0 ? undefined : k.mem.regionAt(off);
  return region ? `it points into ${region.name}` : 'it is not a mapped address';
}

/** The kernel's type-mismatch message (verifier.c, process_kf_arg_ptr_to_btf_id). */
function mismatch(vm: Vm, pc: number, name: string, i: number, expected: string, actual: string): false {
  return vm.fail(pc, 'kfunc', `pc ${pc}: kernel function ${name} args#${i} expected pointer to STRUCT ${expected} but R${i + 1} has a pointer to STRUCT ${actual}`);
}

/**
 * The kernel object argument `i` points into, after the checks every pointer argument gets:
 * not NULL, inside a kernel object, that object not freed. RCU-freed objects (6.18, refcount 0)
 * still pass: their memory stays valid until the grace period ends.
 */
function pointee(k: KernelServices, vm: Vm, pc: number, name: string, i: number, expected: string): { object: KernelObject; offset: number } | false {
  if (vm.reg(i + 1) === 0n) return kfuncFault(vm, pc, name, `NULL pointer passed to trusted arg${i} (R${i + 1} is NULL where a struct ${expected} is due)`);
  const c = k.objects.containing(vm.regLo(i + 1), vm.regHi(i + 1));
  if (!c) {
    // An object freed long ago is no longer in the table; its region says what it was.
    const dead = k.objects.tombstone(vm.regLo(i + 1), vm.regHi(i + 1));
    if (dead) return kfuncFault(vm, pc, name, `use-after-free: arg#${i} (R${i + 1}) points to ${dead.name}, which was freed${dead.note ? ` (${dead.note})` : ''}`);
    return kfuncFault(vm, pc, name, `arg#${i} (${regText(vm, i)}) is not a pointer to a struct ${expected}: ${whereTo(k, vm, i)}`);
  }
  if (c.object.state === 'freed') {
    const why = c.object.region.note ? ` (${c.object.region.note})` : '';
    return kfuncFault(vm, pc, name, `use-after-free: arg#${i} (R${i + 1}) points to ${c.object.label}, which was freed${why}`);
  }
  return c;
}

function zeroOffset(vm: Vm, pc: number, name: string, i: number, c: { object: KernelObject; offset: number }): false {
  return kfuncFault(vm, pc, name, `R${i + 1} must have zero offset when passed to release func or trusted arg to kfunc (it points ${c.offset} bytes into ${c.object.label})`);
}

/** A pointer argument to a kernel struct of type `type` (exactly: ___init types match strictly). */
export function objectArg(k: KernelServices, vm: Vm, pc: number, name: string, i: number, type: string): KernelObject | false {
  const c = pointee(k, vm, pc, name, i, type);
  if (!c) return false;
  if (c.offset === 0 && c.object.type !== type) return mismatch(vm, pc, name, i, type, c.object.type);
  if (c.offset !== 0) {
    if (c.object.type === 'task_struct' && c.offset === TASK_CPUS_MASK) return mismatch(vm, pc, name, i, type, 'cpumask');
    return zeroOffset(vm, pc, name, i, c);
  }
  return c.object;
}

/** A cpumask argument: the arena offset of its bits and the object holding them (none for plain memory). */
export interface MaskArg {
  readonly at: number;
  readonly object?: KernelObject;
}

/**
 * A cpumask argument. Parameters typed `struct bpf_cpumask *` (`owned`) take only a
 * bpf_cpumask; `const struct cpumask *` and `struct cpumask *` also take a task's cpus_ptr
 * (kernel/bpf/cpumask.c; the struct's mask is its first member for this reason).
 */
export function maskArg(k: KernelServices, vm: Vm, pc: number, name: string, i: number, owned: boolean): MaskArg | false {
  const expected = owned ? 'bpf_cpumask' : 'cpumask';
  // A struct cpumask (and a bpf_cpumask) is plain data, so the verifier lets any memory of its
  // size stand for one (KF_ARG_PTR_TO_MEM: a stack buffer, a map value): the bits are read and
  // written there.
  if (vm.reg(i + 1) !== 0n && !k.objects.containing(vm.regLo(i + 1), vm.regHi(i + 1))) {
    const at = k.mem.offsetOf(vm.regLo(i + 1), vm.regHi(i + 1));
    const size = structLayout(expected)?.size ?? 0;
    if (at >= 0 && size > 0 && k.mem.accessible(at, size, PERM_READ | PERM_WRITE)) return { at };
  }
  const c = pointee(k, vm, pc, name, i, expected);
  if (!c) return false;
  const { object, offset } = c;
  if (object.type === 'bpf_cpumask' && offset === 0) return { at: object.region.start, object };
  if (object.type === 'task_struct' && offset === TASK_CPUS_MASK) {
    if (!owned) return { at: object.region.start + offset, object };
    // 6.4+ makes task->cpus_ptr an RCU pointer (BTF_TYPE_SAFE_RCU), so a kfunc that wants a
    // trusted argument refuses it before comparing types; 6.3 trusted it (BTF_TYPE_SAFE_NESTED).
    const flags = kfuncByName(name)?.profiles[k.profile]?.flags ?? [];
    if (k.profile === 'linux-6.18' && !flags.includes('KF_RCU')) return kfuncFault(vm, pc, name, `R${i + 1} must be referenced or trusted (task->cpus_ptr is an RCU pointer, not a bpf_cpumask)`);
    return mismatch(vm, pc, name, i, 'bpf_cpumask', 'cpumask');
  }
  if (offset === 0) return mismatch(vm, pc, name, i, expected, object.type);
  return zeroOffset(vm, pc, name, i, c);
}

/**
 * KF_RELEASE: the program gives back one reference it holds, then the object's count drops
 * (and the object is freed at zero, at once or after the grace period per profile).
 */
export function releaseRef(k: KernelServices, vm: Vm, pc: number, name: string, object: KernelObject): bigint | false {
  if (!giveBack(k, vm, pc, name, object)) return false;
  k.objects.put(object);
  return 0n;
}

/** The program hands over a reference it holds (a KF_RELEASE argument); faults if it holds none. */
export function giveBack(k: KernelServices, vm: Vm, pc: number, name: string, object: KernelObject): boolean {
  if (k.objects.unhold(object)) return true;
  return kfuncFault(vm, pc, name, `release kernel function ${name} expects refcounted PTR_TO_BTF_ID (the program holds no reference to ${object.label})`);
}

/** KF_ACQUIRE on an object the caller already has: refcount_inc, and the program now holds it. */
export function acquireRef(k: KernelServices, vm: Vm, pc: number, name: string, object: KernelObject): bigint | false {
  // refcount_inc on 0 is the kernel's "refcount_t: addition on 0; use-after-free." warning.
  if (k.objects.refcount(object) === 0) return kfuncFault(vm, pc, name, `refcount_t: addition on 0; use-after-free (${object.label} has no references left)`);
  k.objects.get_(object);
  k.objects.hold(object, pc, name);
  return k.objects.address(object);
}

export function bool(b: boolean): bigint {
  return b ? 1n : 0n;
}
