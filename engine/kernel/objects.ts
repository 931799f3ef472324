// Kernel objects in guest memory (tasks, cgroups, bpf_cpumasks, conntrack entries) with their
// reference counts, and the references the running program holds. A reference count lives in
// the object's own bytes, as in the kernel (refcount_t), so what the memory panel shows and
// what the kernel acts on are one value. Freeing follows the profile: at once (6.3) or after
// an RCU grace period (6.18), which the playground ends when the program exits.
//
// A freed object's memory is never handed out again, so a stale pointer always faults as a
// use-after-free; its region stays in guest memory as a tombstone (named after the object),
// but the table keeps only the last KEEP_FREED freed objects: a program that makes and
// releases objects in a loop leaves a table of its live objects plus a bounded tail.

import type { GuestMemory, Region } from '../vm/index.ts';
import { PERM_READ } from '../vm/index.ts';
import { structLayout } from './btf/layouts.ts';

/** Freed objects the table still holds (the most recent); older ones live on as region tombstones. */
export const KEEP_FREED = 64;

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
  /** Objects whose refcount reached 0 and that the table still holds, in the order they got there. */
  private released: KernelObject[] = [];
  /** Of those, the ones already freed (the others wait for the grace period). */
  private freedKept = 0;
  /** Objects whose refcount ever reached 0, reclaimed ones included. */
  releasedTotal = 0;
  /** References the running program holds (released by release kfuncs, moved by kptr_xchg). */
  private readonly held: HeldReference[] = [];

  constructor(
    private readonly mem: GuestMemory,
    /** Whether the last put frees at once (6.3) or after an RCU grace period (6.18). */
    private readonly rcuFree: boolean,
  ) {}

  /**
   * Maps a new object of `type` (zeroed, read-only to programs, refcount 1 if it has one). The
   * label may depend on the new object's id ("bpf_cpumask #3"); its memory region has the same name.
   */
  create(type: string, labelOf: string | ((id: number) => string), options: { refcounted?: boolean; createdAt?: number; guard?: number } = {}): KernelObject {
    const layout = structLayout(type);
    if (!layout) throw new Error(`internal: no layout for struct ${type}`);
    const label = typeof labelOf === 'string' ? labelOf : labelOf(this.nextId);
    // `guard`: unmapped bytes after the object (GuestMemory.map), for objects read at offsets past their end.
    const region = this.mem.map(label, 'kernel-object', layout.size, PERM_READ, options.guard);
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

  /** The objects the table holds: live ones, those awaiting the grace period, the last KEEP_FREED freed. */
  all(): KernelObject[] {
    return [...this.objects.values()];
  }

  /** The table's size (what reclaiming keeps bounded). */
  get size(): number {
    return this.objects.size;
  }

  /** The last `n` objects whose refcount reached 0 that the table still holds, oldest first. */
  recentlyReleased(n: number): readonly KernelObject[] {
    return this.released.slice(-n);
  }

  /**
   * The tombstone of a reclaimed object a guest pointer points into: its freed region (named
   * after the object), so a kfunc can still say "use-after-free" of it.
   */
  tombstone(lo: number, hi: number): Region | undefined {
    const off = this.mem.offsetOf(lo, hi);
    const region = off < 0 ? undefined : this.mem.regionAt(off);
    return region && region.kind === 'kernel-object' && region.freed && !this.byStart.has(region.start) ? region : undefined;
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
    this.released.push(obj);
    this.releasedTotal++;
    if (this.rcuFree) {
      obj.state = 'rcu-free';
      obj.region.note = 'refcount 0, freed at the end of the RCU grace period';
      return 'rcu-free';
    }
    this.free(obj);
    return 'freed';
  }

  private free(obj: KernelObject, reclaim = true): void {
    obj.state = 'freed';
    obj.region.note = 'refcount reached 0';
    this.mem.free(obj.region);
    this.freedKept++;
    if (reclaim) this.reclaim();
  }

  /** Drops the oldest freed objects from the table beyond KEEP_FREED; their regions stay as tombstones. */
  private reclaim(): void {
    if (this.freedKept <= KEEP_FREED) return;
    let drop = this.freedKept - KEEP_FREED;
    const kept: KernelObject[] = [];
    for (const obj of this.released) {
      if (drop > 0 && obj.state === 'freed') {
        drop--;
        this.freedKept--;
        this.objects.delete(obj.id);
        this.byStart.delete(obj.region.start);
      } else kept.push(obj);
    }
    this.released = kept;
  }

  /** End of the RCU grace period: objects released under RCU are freed now. */
  endGracePeriod(): void {
    for (const obj of this.released) if (obj.state === 'rcu-free') this.free(obj, false);
    this.reclaim();
  }

  // ---- references the program holds -----------------------------------------------------------

  /** The program got a new reference (an acquire kfunc, kptr_xchg's old value, kptr_get). */
  hold(object: KernelObject, pc: number, via: string): HeldReference {
    const r: HeldReference = { id: this.nextRef++, object, pc, via };
    this.held.push(r);
    return r;
  }

  /**
   * The program gave a reference away (a release kfunc, or kptr_xchg into a map). When it holds
   * several to one object (pointers of equal value), `latest` gives back the most recent one
   * rather than the oldest.
   */
  unhold(object: KernelObject, latest = false): HeldReference | undefined {
    let i = -1;
    if (latest) {
      for (let j = this.held.length - 1; j >= 0 && i < 0; j--) if (this.held[j]?.object === object) i = j;
    } else i = this.held.findIndex((r) => r.object === object);
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
