// The task, cgroup and RCU kfuncs of kernel/bpf/helpers.c over the scenario's task_structs and
// cgroups. 6.3 takes references with a plain refcount_inc (the argument is trusted); 6.18
// accepts RCU pointers too, so it uses the tryget forms, which fail (NULL) on an object whose
// count already reached zero.

import { fieldOf } from '../btf/layouts.ts';
import type { KernelObject } from '../objects.ts';
import type { CallImpl, KernelServices } from '../services.ts';
import type { CgroupInfo } from '../world.ts';
import { kfuncFault, objectArg, releaseRef, s32Arg } from './args.ts';

const CGROUP_LEVEL = fieldOf('cgroup', 'level')?.offset ?? -1;
const CGROUP_ANCESTORS = fieldOf('cgroup', 'ancestors')?.offset ?? -1;

/** A new reference for the program: get (6.3) or tryget (6.18); 0 (NULL) when tryget fails. */
function reference(k: KernelServices, pc: number, via: string, object: KernelObject): bigint {
  if (k.profile === 'linux-6.3') k.objects.get_(object);
  else if (!k.objects.tryGet(object)) return 0n;
  k.objects.hold(object, pc, via);
  return k.objects.address(object);
}

function acquire(name: string, type: 'task_struct' | 'cgroup'): CallImpl {
  return (k, vm, pc) => {
    const obj = objectArg(k, vm, pc, name, 0, type);
    if (!obj) return false;
    // 6.3's refcount_inc on a dead object is the kernel's "addition on 0; use-after-free" warning.
    if (k.profile === 'linux-6.3' && k.objects.refcount(obj) === 0) return kfuncFault(vm, pc, name, `refcount_t: addition on 0; use-after-free (${obj.label} has no references left)`);
    return reference(k, pc, name, obj);
  };
}

function release(name: string, type: 'task_struct' | 'cgroup'): CallImpl {
  return (k, vm, pc) => {
    const obj = objectArg(k, vm, pc, name, 0, type);
    return obj && releaseRef(k, vm, pc, name, obj);
  };
}

/** bpf_task_from_pid(s32 pid): find_task_by_pid_ns in init_pid_ns, then acquire. */
const taskFromPid: CallImpl = (k, vm, pc) => {
  const task = k.world.taskByPid(s32Arg(vm, 0));
  return task ? reference(k, pc, 'bpf_task_from_pid', task.object) : 0n;
};

/** bpf_cgroup_from_id(u64 cgid): cgroup_get_from_id; any failure is NULL. */
const cgroupFromId: CallImpl = (k, vm, pc) => {
  const id = vm.reg(1);
  const cgrp = id > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : k.world.cgroupById(Number(id));
  return cgrp ? reference(k, pc, 'bpf_cgroup_from_id', cgrp.object) : 0n;
};

/** bpf_cgroup_ancestor(cgrp, int level): cgrp->ancestors[level], NULL outside 0..cgrp->level. */
const cgroupAncestor: CallImpl = (k, vm, pc) => {
  const name = 'bpf_cgroup_ancestor';
  const obj = objectArg(k, vm, pc, name, 0, 'cgroup');
  if (!obj) return false;
  const level = s32Arg(vm, 1);
  const cgrpLevel = k.mem.dv.getInt32(obj.region.start + CGROUP_LEVEL, true);
  if (level < 0 || level > cgrpLevel) return 0n;
  const slot = obj.region.start + CGROUP_ANCESTORS + level * 8;
  const ancestor = k.objects.at(k.mem.dv.getInt32(slot, true), k.mem.dv.getInt32(slot + 4, true));
  if (!ancestor || ancestor.type !== 'cgroup') return kfuncFault(vm, pc, name, `${obj.label}: ancestors[${level}] does not point to a cgroup`);
  return reference(k, pc, name, ancestor);
};

function isDescendant(c: CgroupInfo | undefined, ancestor: CgroupInfo): boolean {
  for (let x = c; x; x = x.parent) if (x === ancestor) return true;
  return false;
}

/** bpf_task_under_cgroup: cgroup_is_descendant(task_dfl_cgroup(task), ancestor). */
const taskUnderCgroup: CallImpl = (k, vm, pc) => {
  const name = 'bpf_task_under_cgroup';
  const task = objectArg(k, vm, pc, name, 0, 'task_struct');
  const cgrp = task && objectArg(k, vm, pc, name, 1, 'cgroup');
  if (!task || !cgrp) return false;
  const t = k.world.taskByObject(task);
  const ancestor = k.world.cgroupByObject(cgrp);
  return t && ancestor && isDescendant(t.cgroup, ancestor) ? 1n : 0n;
};

const rcuLock: CallImpl = (k) => {
  k.rcuDepth++;
  return 0n;
};

const rcuUnlock: CallImpl = (k, vm, pc) => {
  if (k.rcuDepth <= 0) return kfuncFault(vm, pc, 'bpf_rcu_read_unlock', 'bpf_rcu_read_unlock without a matching bpf_rcu_read_lock');
  k.rcuDepth--;
  return 0n;
};

export const TASK_CGROUP_KFUNCS: Readonly<Record<string, CallImpl>> = {
  bpf_task_acquire: acquire('bpf_task_acquire', 'task_struct'),
  bpf_task_release: release('bpf_task_release', 'task_struct'),
  bpf_task_from_pid: taskFromPid,
  bpf_cgroup_acquire: acquire('bpf_cgroup_acquire', 'cgroup'),
  bpf_cgroup_release: release('bpf_cgroup_release', 'cgroup'),
  bpf_cgroup_ancestor: cgroupAncestor,
  bpf_cgroup_from_id: cgroupFromId,
  bpf_task_under_cgroup: taskUnderCgroup,
  bpf_rcu_read_lock: rcuLock,
  bpf_rcu_read_unlock: rcuUnlock,
};
