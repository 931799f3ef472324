// The kernel as the playground's panels see it, built as a delta against what the UI already
// holds: every map's summary with one page of entries where the UI's page is stale, and the
// kernel objects that changed since the UI's last snapshot. The work of a snapshot is bounded
// by what it sends (a page, the objects that changed), never by the size of the maps.

import type { LoadedProgram } from '../kernel/loader.ts';
import { parseKey, type PageRequest } from '../kernel/maps/map-set.ts';
import { KEEP_FREED, type KernelObject } from '../kernel/objects.ts';
import { formatCpuList } from '../kernel/scenario.ts';
import type { TaskInfo } from '../kernel/world.ts';
import type { MapDecl } from '../program/program.ts';
import type { KernelDelta, LeakSite, LeakView, MapPageQuery, MapPageReply, MapSummary, ObjectView, ViewRequest } from './protocol.ts';

/** Entries per page, by default and at most. */
export const PAGE_ENTRIES = 64;
const MAX_PAGE_ENTRIES = 256;
/** Bytes of each value a page shows, by default and at most ("show all" asks for the whole value up to this). */
export const PAGE_VALUE_BYTES = 64;
export const MAX_VALUE_BYTES = 1 << 20;
/** Per-CPU copies a page shows of each value. */
const PAGE_CPUS = 8;
/** Released objects (refcount 0) a snapshot shows, the most recent; the rest are counted. */
export const SHOWN_RELEASED = KEEP_FREED;
/** Leaks a snapshot lists (a loop may leak a reference per iteration); the rest are counted. */
export const SHOWN_LEAKS = 64;

const SHOWN_TYPES = new Set(['bpf_cpumask', 'task_struct', 'cgroup', 'nf_conn', 'nf_conn___init']);

function hex64(v: bigint): string {
  return `0x${v.toString(16).padStart(16, '0')}`;
}

function clamp(n: number | undefined, fallback: number, max: number): number {
  return n === undefined || !Number.isFinite(n) ? fallback : Math.max(1, Math.min(max, Math.floor(n)));
}

/** What the last snapshot said of one object, and when that last changed. */
interface Shown {
  readonly key: string;
  readonly view: ObjectView;
  readonly stamp: number;
}

/** A mask's bits as last read, and their cpulist. */
interface Bits {
  readonly bytes: Uint8Array;
  readonly cpus: string;
}

/** Leaks grouped by the instruction that took the reference, in the order they first appear. */
function leakSites(leaks: readonly LeakView[]): LeakSite[] {
  const sites = new Map<number, { pc: number; via: string; count: number; object: string }>();
  for (const l of leaks) {
    const s = sites.get(l.pc);
    if (s) s.count++;
    else sites.set(l.pc, { pc: l.pc, via: l.via, count: 1, object: l.object });
  }
  return [...sites.values()];
}

export class KernelViews {
  /** Masks' bits at the previous stop, to tell which changed there. */
  private readonly atStop = new Map<number, Uint8Array>();
  private changedAtStop = new Set<number>();
  private readonly bits = new Map<number, Bits>();
  private readonly shown = new Map<number, Shown>();
  private ids = '';
  private idsStamp = 0;
  private readonly tasks = new Map<number, TaskInfo>();

  constructor(
    private readonly program: LoadedProgram,
    readonly epoch: number,
  ) {
    const w = program.kernel.world;
    for (const t of [...w.tasks.values(), w.newtask, w.current]) this.tasks.set(t.object.id, t);
    for (const o of program.kernel.objects.all()) if (o.type === 'bpf_cpumask' && o.state !== 'freed') this.atStop.set(o.id, this.maskBytes(o.region.start));
  }

  private get maskBytesLength(): number {
    return (this.program.kernel.nrCpus + 7) >> 3;
  }

  private maskBytes(at: number): Uint8Array {
    return this.program.kernel.mem.bytes.slice(at, at + this.maskBytesLength);
  }

  /** Whether the mask at `at` still has the bits of `bytes` (read in place, no copy). */
  private same(bytes: Uint8Array, at: number): boolean {
    const mem = this.program.kernel.mem.bytes;
    for (let i = 0; i < bytes.length; i++) if (mem[at + i] !== bytes[i]) return false;
    return true;
  }

  /**
   * The program stopped (a step, a breakpoint, the end): which masks changed since the previous
   * stop, and values reachable through the program's pointers count as changed.
   */
  stop(running: boolean): void {
    const k = this.program.kernel;
    this.changedAtStop = new Set();
    // Live masks, and those awaiting the grace period that a snapshot shows (a kfunc may still
    // write one; a loop may leave thousands, whose bits nobody sees).
    const masks = k.objects.all().filter((o) => o.type === 'bpf_cpumask' && o.state === 'live');
    for (const o of k.objects.recentlyReleased(SHOWN_RELEASED)) if (o.type === 'bpf_cpumask' && o.state === 'rcu-free') masks.push(o);
    const tracked = new Set<number>();
    for (const o of masks) {
      tracked.add(o.id);
      const before = this.atStop.get(o.id);
      if (before && this.same(before, o.region.start)) continue;
      this.changedAtStop.add(o.id);
      this.atStop.set(o.id, this.maskBytes(o.region.start));
    }
    for (const id of this.atStop.keys()) if (!tracked.has(id)) this.atStop.delete(id);
    k.maps.settle(running);
  }

  /** The CPUs of a mask at `at`, as a cpulist, recomputed only when its bits changed. */
  private cpusOf(id: number, at: number): string {
    const held = this.bits.get(id);
    if (held && this.same(held.bytes, at)) return held.cpus;
    const k = this.program.kernel;
    const cpus = formatCpuList(k.world.cpusAt(at), k.nrCpus);
    this.bits.set(id, { bytes: this.maskBytes(at), cpus });
    return cpus;
  }

  /** Who points at each object: the registers of the running frame and the maps' kptr slots. */
  private holders(): Map<bigint, string[]> {
    const { vm, kernel } = this.program;
    const holders = new Map<bigint, string[]>();
    const hold = (ptr: bigint, who: string) => {
      const list = holders.get(ptr);
      if (list) list.push(who);
      else holders.set(ptr, [who]);
    };
    if (vm.status !== 'exited') for (let r = 0; r <= 9; r++) hold(vm.reg(r), `r${r}`);
    for (const { ptr, holder } of kernel.maps.kptrHolders()) hold(ptr, holder);
    return holders;
  }

  /** Live objects, and the most recently released ones; by id. */
  private shownObjects(): { objects: KernelObject[]; hidden: number } {
    const table = this.program.kernel.objects;
    const released = table.recentlyReleased(SHOWN_RELEASED);
    const objects = table.all().filter((o) => o.state === 'live' && SHOWN_TYPES.has(o.type));
    for (const o of released) if (SHOWN_TYPES.has(o.type)) objects.push(o);
    objects.sort((a, b) => a.id - b.id);
    return { objects, hidden: table.releasedTotal - released.length };
  }

  private objectView(o: KernelObject, holders: Map<bigint, string[]>, seq: number): Shown {
    const k = this.program.kernel;
    const address = k.objects.address(o);
    const task = o.type === 'task_struct' ? this.tasks.get(o.id) : undefined;
    const cpus = o.type === 'bpf_cpumask' ? this.cpusOf(o.id, o.region.start) : task ? this.cpusOf(o.id, k.world.cpusMaskOf(task)) : undefined;
    const role = o === k.world.newtask.object ? 'new task' : o === k.world.current.object ? 'current' : undefined;
    const heldBy = o.state === 'freed' ? undefined : holders.get(address);
    const refcount = k.objects.refcount(o);
    const changed = o.type === 'bpf_cpumask' && o.state !== 'freed' ? this.changedAtStop.has(o.id) : undefined;
    const key = `${o.type}|${o.label}|${refcount}|${o.state}|${cpus ?? ''}|${heldBy?.join(',') ?? ''}|${role ?? ''}|${changed ?? ''}`;
    const before = this.shown.get(o.id);
    if (before && before.key === key) return before;
    const view: ObjectView = {
      ...(heldBy ? { heldBy } : {}),
      ...(role ? { role } : {}),
      id: o.id,
      type: o.type,
      label: o.label,
      address: hex64(address),
      refcount,
      state: o.state,
      ...(cpus !== undefined ? { cpus } : {}),
      ...(changed !== undefined ? { changed } : {}),
      ...(o.createdAt !== undefined ? { createdAt: o.createdAt } : {}),
    };
    const shown = { key, view, stamp: seq };
    this.shown.set(o.id, shown);
    return shown;
  }

  /** The page a query asks for, as the map's own PageRequest; or what is wrong with its key. */
  private pageRequest(decl: MapDecl, query: Omit<MapPageQuery, 'map'> | undefined): PageRequest | string {
    const limits = { limit: clamp(query?.limit, PAGE_ENTRIES, MAX_PAGE_ENTRIES), valueBytes: clamp(query?.valueBytes, PAGE_VALUE_BYTES, MAX_VALUE_BYTES), cpus: PAGE_CPUS };
    if (query?.key !== undefined) {
      const key = parseKey(decl, query.key);
      return typeof key === 'string' ? `map '${decl.name}': ${key}` : { ...limits, key };
    }
    const start = query?.start;
    return { ...limits, start: start !== undefined && Number.isFinite(start) ? Math.max(0, Math.floor(start)) : 0 };
  }

  private summary(name: string, page: PageRequest | undefined): MapSummary | undefined {
    const m = this.program.kernel.maps.byName(name);
    if (!m) return undefined;
    const d = m.decl;
    return { name: d.name, type: d.type, keySize: d.keySize, valueSize: d.valueSize, maxEntries: d.maxEntries, count: m.count(), generation: m.generation, ...(page ? { page: m.page(page) } : {}) };
  }

  /** One page of a map, as the Maps panel asks for it. */
  page(query: MapPageQuery): MapPageReply {
    const m = this.program.kernel.maps.byName(query.map);
    if (!m) return { ok: false, error: `there is no map '${query.map}' in the loaded program` };
    const request = this.pageRequest(m.decl, query);
    if (typeof request === 'string') return { ok: false, error: request };
    const map = this.summary(m.name, request);
    return map ? { ok: true, epoch: this.epoch, map } : { ok: false, error: `there is no map '${query.map}'` };
  }

  /** The kernel for snapshot `seq`, leaving out what `held` says the client has. */
  delta(seq: number, held: ViewRequest | undefined, leaks: readonly LeakView[]): KernelDelta {
    const k = this.program.kernel;
    const same = held !== undefined && held.epoch === this.epoch;
    const since = same ? held.seq : -1;
    const holders = this.holders();
    const { objects, hidden } = this.shownObjects();
    const changed: ObjectView[] = [];
    for (const o of objects) {
      const s = this.objectView(o, holders, seq);
      if (s.stamp > since) changed.push(s.view);
    }
    const ids = objects.map((o) => o.id).join(',');
    if (ids !== this.ids) {
      this.ids = ids;
      this.idsStamp = seq;
    }
    // Forget what the table no longer holds.
    if (this.shown.size > objects.length * 2 + 64) {
      const keep = new Set(objects.map((o) => o.id));
      for (const id of this.shown.keys()) if (!keep.has(id)) {
        this.shown.delete(id);
        this.bits.delete(id);
      }
    }
    // The pages the client holds, by map name (user text: a Map, never an object's keys).
    const pages = new Map<string, ViewRequest['maps'][number]>();
    for (const p of held?.maps ?? []) pages.set(p.map, p);
    const maps: MapSummary[] = [];
    for (const m of k.maps.maps) {
      const p = pages.get(m.name);
      const current = same && p !== undefined && p.generation === m.generation;
      // A held page is asked for again from the position it started at.
      const request = current ? undefined : this.pageRequest(m.decl, p ? { ...(p.start === undefined ? {} : { start: p.start }), ...(p.limit === undefined ? {} : { limit: p.limit }) } : undefined);
      const s = this.summary(m.name, typeof request === 'string' ? undefined : request);
      if (s) maps.push(s);
    }
    return {
      epoch: this.epoch,
      seq,
      profile: k.profile,
      cpus: k.nrCpus,
      objects: changed,
      ...(this.idsStamp > since ? { objectIds: objects.map((o) => o.id) } : {}),
      releasedHidden: hidden,
      maps,
      leaks: leaks.length > SHOWN_LEAKS ? leaks.slice(0, SHOWN_LEAKS) : leaks,
      leakCount: leaks.length,
      leakSites: leakSites(leaks),
      rcuDepth: k.rcuDepth,
      context: this.program.context.describe,
      ...(same ? {} : { scenario: k.world.scenario }),
    };
  }
}
