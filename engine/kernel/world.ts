// The simulated system a scenario describes, laid out in guest memory as the kernel would:
// task_structs (with cpus_ptr pointing at their own cpus_mask), css_sets and a cgroup tree with
// ancestors[]. Programs read these objects; kfuncs look them up by pid, id or pointer.

import type { GuestMemory } from '../vm/index.ts';
import { fieldOf, structLayout } from './btf/layouts.ts';
import type { KernelObject, ObjectTable } from './objects.ts';
import { parseCpuList, type Scenario, type TaskSpec } from './scenario.ts';

export interface TaskInfo {
  readonly pid: number;
  readonly tgid: number;
  readonly comm: string;
  readonly object: KernelObject;
  readonly cgroup: CgroupInfo;
}

export interface CgroupInfo {
  readonly id: number;
  readonly path: string;
  readonly level: number;
  readonly object: KernelObject;
  readonly parent?: CgroupInfo;
}

function off(struct: string, field: string): number {
  const f = fieldOf(struct, field);
  if (!f) throw new Error(`internal: ${struct}.${field} missing`);
  return f.offset;
}

const MAX_LEVEL = 7;

export class World {
  readonly tasks = new Map<number, TaskInfo>();
  readonly cgroups = new Map<string, CgroupInfo>();
  readonly current: TaskInfo;
  /** The task tp_btf/task_newtask is about to see created. */
  readonly newtask: TaskInfo;
  readonly cloneFlags: number;
  /** The cgroup tp_btf/cgroup_mkdir is about to see created. */
  readonly mkdir: CgroupInfo;
  private nextCgroupId = 1;

  constructor(
    private readonly objects: ObjectTable,
    private readonly mem: GuestMemory,
    readonly scenario: Scenario,
    readonly nrCpus: number,
  ) {
    this.cgroup('/');
    for (const path of scenario.cgroups) this.cgroup(path);
    const pending = [...scenario.tasks];
    // Parents first, so real_parent pointers can be filled in as tasks are created.
    while (pending.length) {
      const i = pending.findIndex((t) => t.parent === undefined || this.tasks.has(t.parent) || !pending.some((p) => p.pid === t.parent));
      const [spec] = pending.splice(i < 0 ? 0 : i, 1);
      if (spec) this.task(spec);
    }
    const current = this.tasks.get(scenario.current);
    this.newtask = this.task(scenario.newtask);
    this.current = current ?? this.newtask;
    this.cloneFlags = scenario.newtask.clone_flags ?? 0;
    this.mkdir = this.cgroup(scenario.mkdir.path);
  }

  private write(obj: KernelObject, struct: string, field: string, size: 1 | 2 | 4 | 8, value: bigint | number): void {
    const at = obj.region.start + off(struct, field);
    const dv = this.mem.dv;
    const v = BigInt(value);
    if (size === 8) dv.setBigUint64(at, BigInt.asUintN(64, v), true);
    else if (size === 4) dv.setUint32(at, Number(BigInt.asUintN(32, v)), true);
    else if (size === 2) dv.setUint16(at, Number(BigInt.asUintN(16, v)), true);
    else dv.setUint8(at, Number(BigInt.asUintN(8, v)));
  }

  /** The cgroup at `path`, created with its parents if needed. */
  cgroup(path: string): CgroupInfo {
    const norm = path === '/' ? '/' : path.replace(/\/+$/, '');
    const existing = this.cgroups.get(norm);
    if (existing) return existing;
    const parentPath = norm === '/' ? undefined : norm.slice(0, norm.lastIndexOf('/')) || '/';
    const parent = parentPath === undefined ? undefined : this.cgroup(parentPath);
    const level = parent ? Math.min(parent.level + 1, MAX_LEVEL) : 0;
    const id = this.nextCgroupId++;
    const object = this.objects.create('cgroup', `cgroup ${norm}`);
    this.write(object, 'cgroup', 'level', 4, level);
    this.write(object, 'cgroup', 'id', 8, id);
    const info: CgroupInfo = { id, path: norm, level, object, ...(parent ? { parent } : {}) };
    // ancestors[0] is the root, ancestors[level] the cgroup itself (kernel/cgroup/cgroup.c).
    let a: CgroupInfo | undefined = info;
    while (a) {
      this.mem.dv.setBigUint64(object.region.start + off('cgroup', 'ancestors') + a.level * 8, this.objects.address(a.object), true);
      a = a.parent;
    }
    this.cgroups.set(norm, info);
    return info;
  }

  private task(spec: TaskSpec): TaskInfo {
    const object = this.objects.create('task_struct', `task ${spec.pid} (${spec.comm})`);
    const tgid = spec.tgid ?? spec.pid;
    this.write(object, 'task_struct', 'pid', 4, spec.pid);
    this.write(object, 'task_struct', 'tgid', 4, tgid);
    const name = new TextEncoder().encode(spec.comm).subarray(0, 15);
    this.mem.bytes.set(name, object.region.start + off('task_struct', 'comm'));
    const parent = spec.parent === undefined ? undefined : this.tasks.get(spec.parent);
    const parentAddr = parent ? this.objects.address(parent.object) : this.objects.address(object);
    this.write(object, 'task_struct', 'real_parent', 8, parentAddr);
    this.write(object, 'task_struct', 'parent', 8, parentAddr);
    const leader = this.tasks.get(tgid);
    this.write(object, 'task_struct', 'group_leader', 8, leader ? this.objects.address(leader.object) : this.objects.address(object));
    // cpus_ptr points at the task's own cpus_mask, as in the kernel.
    this.write(object, 'task_struct', 'cpus_ptr', 8, this.objects.address(object, off('task_struct', 'cpus_mask')));
    const cpus = parseCpuList(spec.cpus, this.nrCpus);
    const list = cpus.ok ? cpus.cpus : [];
    const maskAt = object.region.start + off('task_struct', 'cpus_mask');
    for (const c of list) this.mem.bytes[maskAt + (c >> 3)] = (this.mem.bytes[maskAt + (c >> 3)] ?? 0) | (1 << (c & 7));
    this.write(object, 'task_struct', 'nr_cpus_allowed', 4, list.length);
    const cgroup = this.cgroup(spec.cgroup ?? '/');
    const cset = this.objects.create('css_set', `css_set of task ${spec.pid}`);
    this.write(cset, 'css_set', 'dfl_cgrp', 8, this.objects.address(cgroup.object));
    this.write(object, 'task_struct', 'cgroups', 8, this.objects.address(cset));
    const info: TaskInfo = { pid: spec.pid, tgid, comm: spec.comm, object, cgroup };
    this.tasks.set(spec.pid, info);
    return info;
  }

  taskByPid(pid: number): TaskInfo | undefined {
    return this.tasks.get(pid);
  }

  taskByObject(obj: KernelObject): TaskInfo | undefined {
    for (const t of this.tasks.values()) if (t.object === obj) return t;
    return undefined;
  }

  cgroupById(id: number): CgroupInfo | undefined {
    for (const c of this.cgroups.values()) if (c.id === id) return c;
    return undefined;
  }

  cgroupByObject(obj: KernelObject): CgroupInfo | undefined {
    for (const c of this.cgroups.values()) if (c.object === obj) return c;
    return undefined;
  }

  /** The CPUs set in a cpumask at an arena offset (struct cpumask bits). */
  cpusAt(offset: number): number[] {
    const out: number[] = [];
    for (let c = 0; c < this.nrCpus; c++) if (((this.mem.bytes[offset + (c >> 3)] ?? 0) >> (c & 7)) & 1) out.push(c);
    return out;
  }

  /** Arena offset of a task's cpus_mask. */
  cpusMaskOf(t: TaskInfo): number {
    return t.object.region.start + off('task_struct', 'cpus_mask');
  }

  static size(struct: string): number {
    return structLayout(struct)?.size ?? 0;
  }
}
