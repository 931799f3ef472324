// The client's side of snapshot deltas (protocol.ts, KernelDelta): what the UI holds of the
// kernel — its objects and one page of each map — what to tell the worker it holds, and each
// delta merged into whole views. Plain data in and out; the app's engine client owns one, and
// drops it when the worker is replaced. Views that did not change keep their identity, so the
// panels skip them.

import type { DebugSnapshot, HeldMapPage, HeldSnapshot, KernelView, MapPageReply, MapSummary, ObjectView, ViewRequest } from './protocol.ts';

export class ViewCache {
  private epoch = -1;
  private seq = -1;
  private readonly objects = new Map<number, ObjectView>();
  private shown: readonly ObjectView[] = [];
  private readonly maps = new Map<string, MapSummary>();
  /** The position each map's page starts at, kept across runs so a new run shows the same page. */
  private readonly starts = new Map<string, number>();
  private held: HeldSnapshot | undefined;

  /** Forgets everything (a new worker holds none of it). */
  clear(): void {
    this.epoch = -1;
    this.seq = -1;
    this.objects.clear();
    this.shown = [];
    this.maps.clear();
    this.held = undefined;
  }

  /** What to tell the worker the client holds. */
  request(): ViewRequest {
    const maps: HeldMapPage[] = [];
    for (const [map, start] of this.starts) {
      const s = this.maps.get(map);
      maps.push({ map, start, generation: s?.page ? s.generation : -1 });
    }
    return { epoch: this.epoch, seq: this.seq, maps };
  }

  /** A snapshot from the worker, merged with what the client held: whole views. */
  merge(snap: DebugSnapshot): HeldSnapshot {
    const { kernel: d, ...rest } = snap;
    if (!d) {
      this.clear();
      this.held = rest;
      return rest;
    }
    if (d.epoch !== this.epoch) {
      this.objects.clear();
      this.shown = [];
      this.maps.clear();
      this.epoch = d.epoch;
    }
    for (const o of d.objects) this.objects.set(o.id, o);
    if (d.objectIds) {
      const keep = new Set(d.objectIds);
      for (const id of this.objects.keys()) if (!keep.has(id)) this.objects.delete(id);
    }
    if (d.objects.length || d.objectIds) this.shown = (d.objectIds ?? this.shown.map((o) => o.id)).flatMap((id) => this.objects.get(id) ?? []);
    const maps = d.maps.map((s) => {
      const before = this.maps.get(s.name);
      // No page: the one held is current (the generation did not move).
      const merged = s.page ? s : before && before.generation === s.generation ? before : s;
      this.maps.set(s.name, merged);
      if (merged.page && !this.starts.has(s.name)) this.starts.set(s.name, merged.page.start);
      return merged;
    });
    this.seq = d.seq;
    const previous = this.held?.kernel;
    const scenario = d.scenario !== undefined || !previous ? d.scenario : previous.scenario;
    const kernel: KernelView = {
      epoch: d.epoch,
      seq: d.seq,
      profile: d.profile,
      cpus: d.cpus,
      objects: this.shown,
      releasedHidden: d.releasedHidden,
      maps: previous && maps.length === previous.maps.length && maps.every((m, i) => m === previous.maps[i]) ? previous.maps : maps,
      leaks: d.leaks,
      leakCount: d.leakCount,
      leakSites: d.leakSites,
      rcuDepth: d.rcuDepth,
      context: d.context,
      scenario,
    };
    this.held = { ...rest, kernel };
    return this.held;
  }

  /**
   * Another page of a map (MapPageReply), in place of the one held; the snapshot held with it,
   * or undefined when the page belongs to another kernel than the one held.
   */
  mergePage(reply: MapPageReply): HeldSnapshot | undefined {
    const held = this.held;
    if (!reply.ok || reply.epoch !== this.epoch || !held?.kernel || !reply.map.page) return undefined;
    const map = reply.map;
    this.maps.set(map.name, map);
    this.starts.set(map.name, map.page?.start ?? 0);
    const kernel: KernelView = { ...held.kernel, maps: held.kernel.maps.map((m) => (m.name === map.name ? map : m)) };
    this.held = { ...held, kernel };
    return this.held;
  }
}
