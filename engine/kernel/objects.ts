// Kernel objects in guest memory (tasks, cgroups, bpf_cpumasks, conntrack entries) with their
// reference counts, and the references the running program holds. A reference count lives in
// the object's own bytes, as in the kernel (refcount_t), so what the memory panel shows and
// what the kernel acts on are one value. Freeing follows the profile: at once (6.3) or after
// an RCU grace period (6.18), which the playground ends when the program exits.

import type { GuestMemory, Region } from '../vm/index.ts';
import { PERM_READ } from '../vm/index.ts';
import { structLayout } from './btf/layouts.ts';

export interface KernelObject {
  readonly id: number;
  /** The BTF struct it is (bpf_cpumask, task_struct, cgroup, nf_conn, nf_conn___init, css_set). */
  type: string;
  readonly region: Region;
  /** Offset of the refcount_t in the object, or -1 for objects without one. */
  readonly refcountOffset: number;
  /** For display: "bpf_cpumask #3", "task 1234 (worker)". */
  label: string;
  state: 'live' | 'rcu-free' | 'freed';
  /** Instruction that created it (for leak reports), when a program did. */
  readonly createdAt?: number;
}

export interface HeldReference {
  /** Reference id, as the verifier numbers them. */
  readonly id: number;
  readonly object: KernelObject;
  /** pc of the call that produced it. */
  readonly pc: number;
  readonly via: string;
}

export class ObjectTable {
  private readonly objects = new Map<number, KernelObject>();
  private readonly byStart = new Map<number, KernelObject>();
  private nextId = 1;
  private nextRef = 1;
  /** References the running program holds (released by release kfuncs, moved by kptr_xchg). */
  private readonly held: HeldReference[] = [];

  constructor(
    private readonly mem: GuestMemory,
    /** Whether the last put frees at once (6.3) or after an RCU grace period (6.18). */
    private readonly rcuFree: boolean,
  ) {}

  /** Maps a new object of `type` (zeroed, read-only to programs, refcount 1 if it has one). */
  create(type: string, label: string, options: { refcounted?: boolean; createdAt?: number } = {}): KernelObject {
    const layout = structLayout(type);
    if (!layout) throw new Error(`internal: no layout for struct ${type}`);
    const region = this.mem.map(label, 'kernel-object', layout.size, PERM_READ);
    const refField = layout.fields.find((f) => f.name === 'usage' || f.name === 'refcnt' || f.name === 'refcount' || f.name === 'ct_general');
    const obj: KernelObject = {
      id: this.nextId++,
      type,
      region,
      refcountOffset: options.refcounted === false || !refField ? -1 : refField.offset,
      label,
      state: 'live',
      ...(options.createdAt === undefined ? {} : { createdAt: options.createdAt }),
    };
    this.objects.set(obj.id, obj);
    this.byStart.set(region.start, obj);
    if (obj.refcountOffset >= 0) this.setRefcount(obj, 1);
    return obj;
  }

  all(): KernelObject[] {
    return [...this.objects.values()];
  }

  get(id: number): KernelObject | undefined {
    return this.objects.get(id);
  }

  /** The object a guest pointer points to the start of (what kfuncs take), if any. */
  at(lo: number, hi: number): KernelObject | undefined {
    const off = this.mem.offsetOf(lo, hi);
    return off < 0 ? undefined : this.byStart.get(off);
  }

  /** The object a guest pointer points into, with the offset inside it. */
  containing(lo: number, hi: number): { object: KernelObject; offset: number } | undefined {
    const off = this.mem.offsetOf(lo, hi);
    if (off < 0) return undefined;
    const region = this.mem.regionAt(off);
    const object = region ? this.byStart.get(region.start) : undefined;
    return object && region ? { object, offset: off - region.start } : undefined;
  }

  address(obj: KernelObject, offset = 0): bigint {
    const a = this.mem.addressOf(obj.region, offset);
    return (BigInt(a.hi >>> 0) << 32n) | BigInt(a.lo >>> 0);
  }

  refcount(obj: KernelObject): number {
    return obj.refcountOffset < 0 ? 1 : this.mem.dv.getUint32(obj.region.start + obj.refcountOffset, true);
  }

  private setRefcount(obj: KernelObject, n: number): void {
    if (obj.refcountOffset >= 0) this.mem.dv.setUint32(obj.region.start + obj.refcountOffset, n, true);
  }

  /** refcount_inc. */
  get_(obj: KernelObject): void {
    this.setRefcount(obj, this.refcount(obj) + 1);
  }

  /** refcount_inc_not_zero: false when the object is already on its way out. */
  tryGet(obj: KernelObject): boolean {
    if (obj.state !== 'live' || this.refcount(obj) === 0) return false;
    this.get_(obj);
    return true;
  }

  /** refcount_dec_and_test, then free (now, or at the end of the RCU grace period). */
  put(obj: KernelObject): 'alive' | 'freed' | 'rcu-free' {
    const n = Math.max(0, this.refcount(obj) - 1);
    this.setRefcount(obj, n);
    if (n > 0) return 'alive';
    if (this.rcuFree) {
      obj.state = 'rcu-free';
      obj.region.note = 'refcount 0, freed at the end of the RCU grace period';
      return 'rcu-free';
    }
    this.free(obj);
    return 'freed';
  }

  private free(obj: KernelObject): void {
    obj.state = 'freed';
    obj.region.note = 'refcount reached 0';
    this.mem.free(obj.region);
  }

  /** End of the RCU grace period: objects released under RCU are freed now. */
  endGracePeriod(): void {
    for (const obj of this.objects.values()) if (obj.state === 'rcu-free') this.free(obj);
  }

  // ---- references the program holds -----------------------------------------------------------

  /** The program got a new reference (an acquire kfunc, kptr_xchg's old value, kptr_get). */
  hold(object: KernelObject, pc: number, via: string): HeldReference {
    const r: HeldReference = { id: this.nextRef++, object, pc, via };
    this.held.push(r);
    return r;
  }

  /** The program gave a reference away (a release kfunc, or kptr_xchg into a map). */
  unhold(object: KernelObject): HeldReference | undefined {
    const i = this.held.findIndex((r) => r.object === object);
    if (i < 0) return undefined;
    return this.held.splice(i, 1)[0];
  }

  holds(object: KernelObject): boolean {
    return this.held.some((r) => r.object === object);
  }

  /** References still held: at program exit, leaks. */
  heldReferences(): readonly HeldReference[] {
    return this.held;
  }

  /** Forget the program's references (a new run starts). */
  clearHeld(): void {
    this.held.length = 0;
  }
}
