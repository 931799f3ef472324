// The simulated system a scenario describes, laid out in guest memory as the kernel would:
// task_structs (with cpus_ptr pointing at their own cpus_mask), css_sets and a cgroup tree with
// ancestors[]. Programs read these objects; kfuncs look them up by pid, id or pointer. Building
// it is linear in the scenario (n log n to put parents first), with no recursion.

import type { GuestMemory } from '../vm/index.ts';
import { fieldOf, structLayout } from './btf/layouts.ts';
import type { KernelObject, ObjectTable } from './objects.ts';
import { cpuRanges, MAX_CGROUP_LEVEL, type Scenario, type TaskSpec } from './scenario.ts';

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

/** Indices into a list, smallest first (the order tasks are created in). */
class IndexHeap {
  private readonly items: number[] = [];
  push(i: number): void {
    const a = this.items;
    a.push(i);
    for (let k = a.length - 1; k > 0; ) {
      const up = (k - 1) >> 1;
      if ((a[up] ?? 0) <= i) break;
      a[k] = a[up] ?? 0;
      a[up] = i;
      k = up;
    }
  }
  pop(): number | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    a[0] = last;
    for (let k = 0; ; ) {
      const l = 2 * k + 1;
      const r = l + 1;
      let m = k;
      if (l < a.length && (a[l] ?? 0) < (a[m] ?? 0)) m = l;
      if (r < a.length && (a[r] ?? 0) < (a[m] ?? 0)) m = r;
      if (m === k) break;
      a[k] = a[m] ?? 0;
      a[m] = last;
      k = m;
    }
    return top;
  }
}

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
  private readonly cgroupsById = new Map<number, CgroupInfo>();
  private readonly byObject = new Map<KernelObject, TaskInfo | CgroupInfo>();

  /** Allocations asked for so far (Scenario.failAllocationsAfter). */
  private allocations = 0;

  /** Counts an allocation; true when it is to fail because the scenario's memory has run short. */
  allocationFails(): boolean {
    const after = this.scenario.failAllocationsAfter;
    return after !== undefined && this.allocations++ >= after;
  }

  constructor(
    private readonly objects: ObjectTable,
    private readonly mem: GuestMemory,
    readonly scenario: Scenario,
    readonly nrCpus: number,
  ) {
    this.cgroup('/');
    for (const path of scenario.cgroups) this.cgroup(path);
    this.createTasks(scenario.tasks);
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

  /**
   * Parents first, so real_parent pointers can be filled in as tasks are created: always the
   * earliest listed task whose parent is not waiting to be created (or, in a cycle of parents,
   * the earliest left), which a heap of ready indices finds without rescanning the list.
   */
  private createTasks(specs: readonly TaskSpec[]): void {
    const listed = new Set(specs.map((t) => t.pid));
    const waiting = new Map<number, number[]>();
    const ready = new IndexHeap();
    specs.forEach((t, i) => {
      if (t.parent === undefined || !listed.has(t.parent)) ready.push(i);
      else {
        const list = waiting.get(t.parent);
        if (list) list.push(i);
        else waiting.set(t.parent, [i]);
      }
    });
    const done = new Uint8Array(specs.length);
    let first = 0;
    for (let created = 0; created < specs.length; ) {
      let i = ready.pop();
      if (i === undefined) {
        while (done[first]) first++;
        i = first;
      }
      const spec = specs[i];
      if (done[i] || !spec) continue;
      done[i] = 1;
      created++;
      this.task(spec);
      for (const child of waiting.get(spec.pid) ?? []) if (!done[child]) ready.push(child);
    }
  }

  /** The cgroup at `path`, created with its parents if needed (a loop over the path's names, never recursion). */
  cgroup(path: string): CgroupInfo {
    let info = this.cgroups.get('/') ?? this.makeCgroup('/', undefined);
    let prefix = '';
    for (const name of path.split('/')) {
      if (name === '') continue;
      prefix += `/${name}`;
      info = this.cgroups.get(prefix) ?? this.makeCgroup(prefix, info);
    }
    return info;
  }

  private makeCgroup(norm: string, parent: CgroupInfo | undefined): CgroupInfo {
    // A scenario is checked to MAX_CGROUP_LEVEL; the clamp keeps ancestors[] in bounds regardless.
    const level = parent ? Math.min(parent.level + 1, MAX_CGROUP_LEVEL) : 0;
    const id = this.nextCgroupId++;
    const object = this.objects.create('cgroup', `cgroup ${norm}`);
    this.write(object, 'cgroup', 'level', 4, level);
    this.write(object, 'cgroup', 'id', 8, id);
    const info: CgroupInfo = { id, path: norm, level, object, ...(parent ? { parent } : {}) };
    // ancestors[0] is the root, ancestors[level] the cgroup itself (kernel/cgroup/cgroup.c).
    const ancestors = object.region.start + off('cgroup', 'ancestors');
    // The parent's ancestors, then itself at its own level: what cgroup_create's walk up the tree writes.
    if (parent) {
      const from = parent.object.region.start + off('cgroup', 'ancestors');
      this.mem.bytes.copyWithin(ancestors, from, from + level * 8);
    }
    this.mem.dv.setBigUint64(ancestors + level * 8, this.objects.address(object), true);
    this.cgroups.set(norm, info);
    this.cgroupsById.set(id, info);
    this.byObject.set(object, info);
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
    const cpus = cpuRanges(spec.cpus, this.nrCpus);
    const maskAt = object.region.start + off('task_struct', 'cpus_mask');
    let allowed = 0;
    for (const [a, b] of cpus.ok ? cpus.ranges : []) {
      allowed += b - a + 1;
      this.setBits(maskAt, a, b);
    }
    this.write(object, 'task_struct', 'nr_cpus_allowed', 4, allowed);
    const cgroup = this.cgroup(spec.cgroup ?? '/');
    const cset = this.objects.create('css_set', `css_set of task ${spec.pid}`);
    this.write(cset, 'css_set', 'dfl_cgrp', 8, this.objects.address(cgroup.object));
    this.write(object, 'task_struct', 'cgroups', 8, this.objects.address(cset));
    const info: TaskInfo = { pid: spec.pid, tgid, comm: spec.comm, object, cgroup };
    this.tasks.set(spec.pid, info);
    this.byObject.set(object, info);
    return info;
  }

  /** Sets bits a..b of the bitmap at an arena offset: whole bytes at once ("all" on 4096 CPUs is 512 stores, not 4096). */
  private setBits(at: number, a: number, b: number): void {
    const bytes = this.mem.bytes;
    let c = a;
    for (; c <= b && (c & 7) !== 0; c++) bytes[at + (c >> 3)] = (bytes[at + (c >> 3)] ?? 0) | (1 << (c & 7));
    const whole = (b + 1 - c) >> 3;
    if (whole > 0) {
      bytes.fill(0xff, at + (c >> 3), at + (c >> 3) + whole);
      c += whole * 8;
    }
    for (; c <= b; c++) bytes[at + (c >> 3)] = (bytes[at + (c >> 3)] ?? 0) | (1 << (c & 7));
  }

  taskByPid(pid: number): TaskInfo | undefined {
    return this.tasks.get(pid);
  }

  taskByObject(obj: KernelObject): TaskInfo | undefined {
    const t = this.byObject.get(obj);
    return t && 'pid' in t ? t : undefined;
  }

  cgroupById(id: number): CgroupInfo | undefined {
    return this.cgroupsById.get(id);
  }

  cgroupByObject(obj: KernelObject): CgroupInfo | undefined {
    const c = this.byObject.get(obj);
    return c && 'path' in c ? c : undefined;
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
