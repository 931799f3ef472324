// Snapshots as deltas (issue 11, finding 6): a snapshot carries each map's summary and one page
// of entries where the client's page is stale, and the kernel objects that changed since the
// client's last snapshot, cheap forms throughout (cpulists, values cut short). Bounded by
// counting: structured-clone bytes of what the worker posts, calls of the per-entry view
// builder, objects sent. And the merged deltas always equal a whole snapshot.

import { readFileSync } from 'node:fs';
import { serialize } from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { assemble } from '../asm/index.ts';
import { ArrayMap } from '../kernel/maps/map-set.ts';
import type { DebugSnapshot, HeldSnapshot, KernelView, ProgramImage, RunSettings } from './protocol.ts';
import { Session } from './session.ts';
import { ViewCache } from './view-cache.ts';

/** What one step may post to the UI in the big cases below. */
const STEP_BOUND = 256 * 1024;

// Views are tested on what runs: some programs leak thousands of references on purpose, which
// the verifier (tested on its own) would refuse.
const settings: RunSettings = { isa: 4, profile: 'linux-6.18', cpus: 8, maxInsns: 10_000_000, verify: false };

function image(text: string): ProgramImage {
  const r = assemble(text);
  const s = r.sections[0];
  if (!r.ok || !s) throw new Error(r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('; '));
  return { sections: r.sections.filter((x) => x.insns.length).map((x) => ({ name: x.name, progType: x.kind.progType, bytecode: x.bytes })), entry: s.name, maps: r.maps };
}

function example(name: string): string {
  return readFileSync(new URL(`../../public/examples/${name}.bpf.s`, import.meta.url), 'utf8');
}

/** The pc of the first instruction after `label:` (each line one slot: no ld_imm64 after the label). */
function pcOf(text: string, label: string): number {
  const r = assemble(text);
  const line = text.split('\n').findIndex((l) => l.trim() === `${label}:`) + 2;
  const pc = r.sections[0]?.spans.findIndex((s) => s?.line === line) ?? -1;
  if (pc < 0) throw new Error(`no label ${label}`);
  return pc;
}

const bytes = (snap: DebugSnapshot): number => serialize(snap).length;

const TAIL = `
done:
  r0 = 0
  r0 += 1
  r0 += 1
  r0 += 1
  exit
`;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('snapshots of big maps', () => {
  // Writes every one of 65,536 values of 512 bytes through the pointer lookup gives.
  const FILL = `.section syscall
.map big type=array key=4 value=512 max_entries=65536
  r6 = 0
loop:
  *(u32 *)(r10 - 4) = r6
  r1 = big ll
  r2 = r10
  r2 += -4
  call bpf_map_lookup_elem
  if r0 == 0 goto done
  r7 = r6
  r7 += 1
  *(u32 *)(r0 + 0) = r7
  r6 += 1
  if r6 < 65536 goto loop
${TAIL}`;

  it('a step on a 65,536 × 512-byte array sends one page, and builds no entry it does not send', () => {
    const s = new Session();
    expect(s.load(image(FILL), settings).ok).toBe(true);
    const cache = new ViewCache();
    const run = s.run([pcOf(FILL, 'done')], undefined, cache.request());
    expect(run.status).toBe('breakpoint');
    expect(bytes(run)).toBeLessThan(STEP_BOUND);
    cache.merge(run);
    const built = vi.spyOn(ArrayMap.prototype, 'entryView');
    // The program still holds a pointer into the map: the step counts as a change, so the page comes again.
    const step = s.step(cache.request());
    expect(bytes(step)).toBeLessThan(STEP_BOUND);
    const page = step.kernel?.maps[0]?.page;
    expect(page?.entries).toHaveLength(64);
    expect(page?.entries[0]).toMatchObject({ index: 0, value: `01000000${'00'.repeat(60)}`, valueLength: 512 });
    expect(built).toHaveBeenCalledTimes(64);
    cache.merge(step);
    // Nothing happened since: no page, no entry built.
    built.mockClear();
    const again = s.snapshot(cache.request());
    expect(again.kernel?.maps[0]?.page).toBeUndefined();
    expect(built).not.toHaveBeenCalled();
    // The client still shows the page it holds, and the map's summary is whole.
    expect(cache.merge(again).kernel?.maps[0]).toMatchObject({ name: 'big', count: 65536, page: { start: 0, next: 64, positions: 65536 } });
  });

  it('32 hash values of 1 MiB: the snapshot carries 64 bytes of each, and a value comes whole on demand', () => {
    const src = `.section syscall
.map src type=array key=4 value=1048576 max_entries=1
.map h type=hash key=4 value=1048576 max_entries=32
  r6 = 0
  *(u32 *)(r10 - 4) = r6
  r1 = src ll
  r2 = r10
  r2 += -4
  call bpf_map_lookup_elem
  if r0 == 0 goto done
  r7 = r0
  r1 = 0x5555
  r8 = r7
  r8 += 1048568
  *(u64 *)(r8 + 0) = r1
loop:
  *(u32 *)(r10 - 8) = r6
  r1 = h ll
  r2 = r10
  r2 += -8
  r3 = r7
  r4 = 0
  call bpf_map_update_elem
  r6 += 1
  if r6 < 32 goto loop
${TAIL}`;
    const s = new Session();
    expect(s.load(image(src), settings).ok).toBe(true);
    const cache = new ViewCache();
    const run = s.run([], undefined, cache.request());
    expect(run.status).toBe('exited');
    expect(bytes(run)).toBeLessThan(STEP_BOUND);
    const h = cache.merge(run).kernel?.maps.find((m) => m.name === 'h');
    expect(h).toMatchObject({ count: 32, page: { positions: 32 } });
    expect(h?.page?.entries).toHaveLength(32);
    expect(h?.page?.entries[5]).toMatchObject({ key: '05000000', value: '00'.repeat(64), valueLength: 1 << 20 });
    const whole = s.mapPage({ map: 'h', key: '5', limit: 1, valueBytes: 1 << 20 });
    expect(whole.ok && whole.map.page?.entries[0]?.value).toBe(`${'00'.repeat((1 << 20) - 8)}5555000000000000`);
    expect(s.mapPage({ map: 'h', key: 'zz' })).toEqual({ ok: false, error: "map 'h': the key 'zz' is not hex bytes" });
    expect(s.mapPage({ map: 'nope' })).toEqual({ ok: false, error: "there is no map 'nope' in the loaded program" });
  });
});

describe('snapshots of many kernel objects', () => {
  it('after 100,000 masks made and released, shows the 64 most recent and counts the rest', () => {
    const src = `.section tp_btf/task_newtask
.license "GPL"
  r6 = 0
loop:
  call bpf_cpumask_create
  if r0 == 0 goto done
  r1 = r0
  call bpf_cpumask_release
  r6 += 1
  if r6 < 100000 goto loop
${TAIL}`;
    for (const profile of ['linux-6.3', 'linux-6.18'] as const) {
      const s = new Session();
      expect(s.load(image(src), { ...settings, profile }).ok).toBe(true);
      const cache = new ViewCache();
      // At a breakpoint after the loop: 6.18 has not ended the grace period, so all 100,000 wait as rcu-free.
      const paused = s.run([pcOf(src, 'done')], undefined, cache.request());
      expect(paused.status).toBe('breakpoint');
      expect(bytes(paused)).toBeLessThan(STEP_BOUND);
      let k = cache.merge(paused).kernel;
      let masks = k?.objects.filter((o) => o.type === 'bpf_cpumask') ?? [];
      expect(masks).toHaveLength(64);
      expect(masks.every((o) => o.state === (profile === 'linux-6.3' ? 'freed' : 'rcu-free'))).toBe(true);
      expect(k?.releasedHidden).toBe(100_000 - 64);
      const step = s.step(cache.request());
      expect(bytes(step)).toBeLessThan(16 * 1024);
      const exit = s.continue([], undefined, cache.request());
      expect(exit.status).toBe('exited');
      expect(bytes(exit)).toBeLessThan(STEP_BOUND);
      k = cache.merge(exit).kernel;
      masks = k?.objects.filter((o) => o.type === 'bpf_cpumask') ?? [];
      expect(masks).toHaveLength(64);
      expect(masks.every((o) => o.state === 'freed')).toBe(true);
      expect(k?.releasedHidden).toBe(100_000 - 64);
    }
  });

  it('lists the first 64 of 5,000 leaked references and counts them all', () => {
    const src = `.section tp_btf/task_newtask
.license "GPL"
  r6 = 0
loop:
  call bpf_cpumask_create
  r6 += 1
  if r6 < 5000 goto loop
  r0 = 0
  exit
`;
    const s = new Session();
    expect(s.load(image(src), { ...settings, profile: 'linux-6.3' }).ok).toBe(true);
    const cache = new ViewCache();
    const run = s.run([], undefined, cache.request());
    expect(run.kernel?.leaks).toHaveLength(64);
    expect(run.kernel?.leakCount).toBe(5000);
    expect(run.kernel?.leakSites).toEqual([{ pc: 1, via: 'bpf_cpumask_create', count: 5000, object: 'bpf_cpumask #14' }]);
    expect(run.kernel?.leaks[0]).toMatchObject({ object: expect.stringMatching(/^bpf_cpumask #\d+$/), pc: 1, via: 'bpf_cpumask_create' });
    // The masks themselves are live: every one is in the first snapshot of the run, none in the next.
    expect(run.kernel?.objects.filter((o) => o.type === 'bpf_cpumask')).toHaveLength(5000);
    cache.merge(run);
    const again = s.snapshot(cache.request());
    expect(again.kernel?.objects).toEqual([]);
    expect(bytes(again)).toBeLessThan(16 * 1024);
  });

  it('3,000 tasks on 4,096 CPUs: CPUs as cpulists, and a step sends only what changed', () => {
    const tasks = Array.from({ length: 3000 }, (_, i) => ({ pid: 100 + i, comm: `t${i}`, cpus: i % 2 ? 'all' : '0-1023,2048' }));
    const src = `.section syscall\n  goto done\n${TAIL}`;
    const s = new Session();
    expect(s.load(image(src), { ...settings, cpus: 4096, scenario: { tasks, current: 100, newtask: { pid: 99, comm: 'new', cpus: '5' } } }).ok).toBe(true);
    const cache = new ViewCache();
    const first = s.step(cache.request());
    const k = cache.merge(first).kernel;
    const taskViews = k?.objects.filter((o) => o.type === 'task_struct') ?? [];
    expect(taskViews).toHaveLength(3001);
    expect(taskViews.find((o) => o.label === 'task 101 (t1)')?.cpus).toBe('all');
    expect(taskViews.find((o) => o.label === 'task 100 (t0)')).toMatchObject({ cpus: '0-1023,2048', role: 'current' });
    // 3,001 tasks of about 150 bytes each; 4,096 numbers per task would be 35 MB.
    expect(bytes(first)).toBeLessThan(1024 * 1024);
    for (let i = 0; i < 3; i++) {
      const step = s.step(cache.request());
      expect(step.kernel?.objects.length).toBeLessThanOrEqual(2);
      expect(step.kernel?.scenario).toBeUndefined();
      expect(bytes(step)).toBeLessThan(16 * 1024);
      expect(cache.merge(step).kernel?.objects).toHaveLength(k?.objects.length ?? -1);
    }
  });
});

/** A whole snapshot's kernel, for comparing: what a client holding nothing gets. */
function whole(s: Session): KernelView | undefined {
  return new ViewCache().merge(s.snapshot()).kernel;
}

function comparable(k: KernelView | undefined): unknown {
  return k && { ...k, seq: 0, epoch: 0 };
}

describe('deltas', () => {
  const programs: [string, string, Partial<RunSettings>][] = [
    ['cpumask-and-or-xor', example('cpumask-and-or-xor'), {}],
    ['cpumask-record-task', example('cpumask-record-task'), {}],
    ['cpumask-kptr-get', example('cpumask-kptr-get'), { profile: 'linux-6.3' }],
    [
      'hash updates, deletes and lookups',
      `.section syscall
.map h type=hash key=4 value=8 max_entries=4
  r6 = 0
loop:
  *(u32 *)(r10 - 4) = r6
  *(u64 *)(r10 - 16) = r6
  r1 = h ll
  r2 = r10
  r2 += -4
  r3 = r10
  r3 += -16
  r4 = 0
  call bpf_map_update_elem
  r1 = h ll
  r2 = r10
  r2 += -4
  call bpf_map_lookup_elem
  if r0 == 0 goto skip
  r1 = 7
  *(u64 *)(r0 + 0) = r1
skip:
  r6 += 1
  if r6 < 6 goto loop
  r6 = 5
  *(u32 *)(r10 - 4) = r6
  r1 = h ll
  r2 = r10
  r2 += -4
  call bpf_map_delete_elem
  r0 = 0
  exit
`,
      {},
    ],
  ];
  for (const [name, src, extra] of programs) {
    it(`merged into what the client holds, equal a whole snapshot at every stop: ${name}`, () => {
      const s = new Session();
      expect(s.load(image(src), { ...settings, ...extra }).ok).toBe(true);
      const cache = new ViewCache();
      let held: HeldSnapshot = cache.merge(s.reset(cache.request()));
      let steps = 0;
      while (held.status !== 'exited' && held.status !== 'fault' && steps < 500) {
        held = cache.merge(s.step(cache.request()));
        expect(comparable(held.kernel)).toEqual(comparable(whole(s)));
        steps++;
      }
      expect(held.status).toBe('exited');
      // Another run: a new kernel, and the client's views follow.
      held = cache.merge(s.run([], undefined, cache.request()));
      expect(comparable(held.kernel)).toEqual(comparable(whole(s)));
    });
  }

  it('names the kptr slots that hold an object, without walking the map', () => {
    const s = new Session();
    s.load(image(example('cpumask-record-task')), settings);
    const k = new ViewCache().merge(s.run([])).kernel;
    expect(k?.objects.find((o) => o.type === 'bpf_cpumask')).toMatchObject({ heldBy: ['cpumask_map[4242]'], refcount: 1, cpus: '0,2' });
    expect(k?.maps[0]?.page?.entries).toEqual([{ key: '92100000', index: 4242, value: expect.any(String), kptrs: [{ offset: 0, ptr: expect.any(String), object: 'bpf_cpumask #14 (refcount 1, CPUs 0,2)' }] }]);
  });

  it('keeps the page the client was on across runs', () => {
    const src = `.section syscall
.map a type=array key=4 value=8 max_entries=1000
  r6 = 0
loop:
  *(u32 *)(r10 - 4) = r6
  *(u64 *)(r10 - 16) = r6
  r1 = a ll
  r2 = r10
  r2 += -4
  r3 = r10
  r3 += -16
  r4 = 0
  call bpf_map_update_elem
  r6 += 1
  if r6 < 1000 goto loop
  r0 = 0
  exit
`;
    const s = new Session();
    s.load(image(src), settings);
    const cache = new ViewCache();
    cache.merge(s.run([], undefined, cache.request()));
    const page = s.mapPage({ map: 'a', start: 500 });
    expect(page.ok && cache.mergePage(page)?.kernel?.maps[0]?.page?.entries[0]?.index).toBe(500);
    const again = cache.merge(s.run([], undefined, cache.request()));
    expect(again.kernel?.maps[0]?.page).toMatchObject({ start: 500, next: 564 });
  });
});
