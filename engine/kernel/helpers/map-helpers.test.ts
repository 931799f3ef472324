import { describe, expect, it } from 'vitest';
import type { MapDecl } from '../../program/program.ts';
import { Vm } from '../../vm/index.ts';
import { bytesAt, mapDecl, mapFixture, offsetOf, u32 } from '../maps/map-fixtures.ts';
import { BPF_ANY, BPF_NOEXIST } from '../maps/types.ts';
import { ERRNO, FUNC_BASE_HI, FUNC_BASE_LO, functionPointer, neg, noRedirect, type KernelServices, type RedirectTarget } from '../services.ts';
import { HELPER_IDS } from './ids.ts';
import { MAP_HELPERS } from './map-helpers.ts';
import { MAP_HELPER_DECLS } from './prototypes.ts';

const DECLS: MapDecl[] = [
  mapDecl('arr', 'array', 4, 8, 4),
  mapDecl('h', 'hash', 4, 8, 8),
  mapDecl('rb', 'ringbuf', 0, 0, 4096),
  mapDecl('masks', 'array', 4, 16, 2, { kptrs: [{ offset: 8, type: 'bpf_cpumask' }] }),
  mapDecl('tasks', 'hash', 4, 8, 2, { kptrs: [{ offset: 0, type: 'task_struct' }] }),
  mapDecl('dev', 'devmap', 4, 4, 4),
  mapDecl('xsk', 'xskmap', 4, 4, 4),
  mapDecl('jmp', 'prog_array', 4, 4, 4),
];

/** A map world, a VM for the registers, and a KernelServices with just what map helpers use. */
function harness() {
  const f = mapFixture(DECLS, 2);
  const vm = new Vm([{ kind: 'exit' }], { memory: f.mem });
  const data = f.mem.map('test data', 'scratch', 256);
  const calls: { target: number; args: readonly bigint[] }[] = [];
  const results: (bigint | false)[] = [];
  const tailCalls: string[] = [];
  const redirectTo: RedirectTarget = noRedirect();
  let tailOk = true;
  const hooks: { inCallback?: (args: readonly bigint[]) => void } = {};
  const services = {
    mem: f.mem,
    objects: f.objects,
    maps: f.maps,
    nrCpus: 2,
    cpu: 0,
    functionAt: (lo: number, hi: number) => ((hi | 0) === FUNC_BASE_HI ? ((lo >>> 0) - (FUNC_BASE_LO >>> 0)) / 8 : undefined),
    callback: (_vm: Vm, _pc: number, target: number, args: readonly bigint[]) => {
      calls.push({ target, args });
      hooks.inCallback?.(args);
      return results.shift() ?? 0n;
    },
    tailCall: (_vm: Vm, _pc: number, section: string) => {
      tailCalls.push(section);
      return tailOk;
    },
    redirectTo,
  };
  const k = services as unknown as KernelServices;
  let next = 0;
  /** Copies bytes into writable test memory and returns their guest address. */
  const put = (bytes: Uint8Array): bigint => {
    const off = data.start + next;
    next += (bytes.length + 7) & ~7;
    f.mem.bytes.set(bytes, off);
    const a = f.mem.address(off);
    return (BigInt(a.hi >>> 0) << 32n) | BigInt(a.lo >>> 0);
  };
  const map = (name: string) => f.maps.pointerOf(f.maps.maps.findIndex((m) => m.name === name));
  const call = (name: string, ...regs: bigint[]) => {
    regs.forEach((v, i) => vm.setReg(i + 1, v));
    const impl = MAP_HELPERS[name];
    if (!impl) throw new Error(`no helper ${name}`);
    const r = impl(k, vm, 7);
    // r0 as the register holds it: a small number result is sign-extended to 64 bits.
    return typeof r === 'number' ? BigInt.asUintN(64, BigInt(r)) : r;
  };
  const faultMessage = () => vm.faultInfo?.message;
  const a = f.mem.address(data.start + data.size - 4);
  /** The last 4 bytes of the test memory: an 8-byte read there crosses its end. */
  const edge = (BigInt(a.hi >>> 0) << 32n) | BigInt(a.lo >>> 0);
  return Object.assign(f, { vm, put, edge, map, call, calls, results, tailCalls, redirectTo, hooks, faultMessage, setTailOk: (v: boolean) => (tailOk = v) });
}

describe('map helper prototypes', () => {
  it('declare every implementation under its UAPI id', () => {
    expect(MAP_HELPER_DECLS.map((d) => d.name).sort()).toEqual(Object.keys(MAP_HELPERS).sort());
    for (const d of MAP_HELPER_DECLS) expect(d.id).toBe(HELPER_IDS[d.name]);
    expect(MAP_HELPER_DECLS.find((d) => d.name === 'bpf_redirect_map')?.progTypes).toEqual(['xdp']);
  });
});

describe('bpf_map_lookup_elem / update / delete', () => {
  it('read the key and value from guest memory and return what the map returns', () => {
    const h = harness();
    const key = h.put(u32(3));
    const value = h.put(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(h.call('bpf_map_update_elem', h.map('h'), key, value, BPF_ANY)).toBe(0n);
    expect(h.call('bpf_map_update_elem', h.map('h'), key, value, BPF_NOEXIST)).toBe(neg(ERRNO.EEXIST));
    const p = h.call('bpf_map_lookup_elem', h.map('h'), key);
    expect(typeof p === 'bigint' && bytesAt(h.mem, p, 8)).toEqual(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(h.call('bpf_map_delete_elem', h.map('h'), key)).toBe(0n);
    expect(h.call('bpf_map_lookup_elem', h.map('h'), key)).toBe(0n);
    expect(h.call('bpf_map_delete_elem', h.map('arr'), key)).toBe(neg(ERRNO.EINVAL));
    expect(h.call('bpf_map_update_elem', h.map('arr'), h.put(u32(4)), value, BPF_ANY)).toBe(neg(ERRNO.E2BIG));
  });

  it('fault when r1 is not a map, naming the helper', () => {
    const h = harness();
    expect(h.call('bpf_map_lookup_elem', h.put(u32(0)), h.put(u32(0)))).toBe(false);
    expect(h.faultMessage()).toBe('pc 7: bpf_map_lookup_elem: r1 is not a map (load one with r1 = NAME ll)');
  });

  it('fault when the key or value is not readable memory, naming the argument', () => {
    const h = harness();
    expect(h.call('bpf_map_update_elem', h.map('h'), 0n, h.put(new Uint8Array(8)), 0n)).toBe(false);
    expect(h.faultMessage()).toBe('pc 7: bpf_map_update_elem: the key (r2, 4 bytes) is not readable memory: NULL pointer dereference');
    expect(h.call('bpf_map_update_elem', h.map('h'), h.put(u32(1)), h.edge, 0n)).toBe(false);
    expect(h.faultMessage()).toBe('pc 7: bpf_map_update_elem: the value (r3, 8 bytes) is not readable memory: access at offset 252 of 8 bytes crosses the bounds of test data (256 bytes)');
  });
});

describe('bpf_for_each_map_elem', () => {
  it('calls back with (map, key, value, ctx) and stops when the callback returns 1', () => {
    const h = harness();
    h.results.push(0n, 1n);
    const ctx = h.put(new Uint8Array(8));
    expect(h.call('bpf_for_each_map_elem', h.map('arr'), functionPointer(12), ctx, 0n)).toBe(2n);
    expect(h.calls.map((c) => c.target)).toEqual([12, 12]);
    const [first, second] = h.calls;
    expect(first?.args[0]).toBe(h.map('arr'));
    expect(first?.args[3]).toBe(ctx);
    expect(second?.args[2]).toBe(h.maps.byName('arr')?.lookup(u32(1)));
  });

  it('gives array callbacks a read-only copy of the index as the key', () => {
    const h = harness();
    const keys: number[] = [];
    h.hooks.inCallback = (args) => keys.push(new DataView(bytesAt(h.mem, args[1] ?? 0n, 4).buffer).getUint32(0, true));
    expect(h.call('bpf_for_each_map_elem', h.map('arr'), functionPointer(1), 0n, 0n)).toBe(4n);
    expect(keys).toEqual([0, 1, 2, 3]);
    const p = h.calls[0]?.args[1] ?? 0n;
    expect(h.mem.write(Number(p & 0xffffffffn) | 0, Number(p >> 32n) | 0, new Uint8Array(1))).toBe(false);
  });

  it('skips hash elements the callback deleted, and counts the visited ones', () => {
    const h = harness();
    const hash = h.maps.byName('h');
    for (const k of [1, 2, 3]) hash?.update(u32(k), new Uint8Array(8), BPF_ANY);
    const seen: number[] = [];
    h.hooks.inCallback = (args) => {
      seen.push(bytesAt(h.mem, args[1] ?? 0n, 4)[0] ?? -1);
      hash?.delete(u32(2));
    };
    expect(h.call('bpf_for_each_map_elem', h.map('h'), functionPointer(3), 0n, 0n)).toBe(2n);
    expect(seen).toEqual([1, 3]);
  });

  it('refuses flags with -EINVAL and faults on a non-callback or a map without for_each', () => {
    const h = harness();
    expect(h.call('bpf_for_each_map_elem', h.map('arr'), functionPointer(1), 0n, 1n)).toBe(neg(ERRNO.EINVAL));
    expect(h.call('bpf_for_each_map_elem', h.map('arr'), 1234n, 0n, 0n)).toBe(false);
    expect(h.faultMessage()).toContain('bpf_for_each_map_elem: r2 is not a callback');
    expect(h.call('bpf_for_each_map_elem', h.map('rb'), functionPointer(1), 0n, 0n)).toBe(false);
    expect(h.faultMessage()).toBe("pc 7: bpf_for_each_map_elem: map 'rb' is a ring buffer, which has no for_each (the verifier refuses this call)");
  });

  it('stops at a fault inside the callback', () => {
    const h = harness();
    h.results.push(false);
    expect(h.call('bpf_for_each_map_elem', h.map('arr'), functionPointer(1), 0n, 0n)).toBe(false);
    expect(h.calls.length).toBe(1);
  });
});

describe('ring buffer helpers', () => {
  it('reserve, submit and discard records', () => {
    const h = harness();
    const a = h.call('bpf_ringbuf_reserve', h.map('rb'), 4n, 0n);
    const b = h.call('bpf_ringbuf_reserve', h.map('rb'), 4n, 0n);
    if (typeof a !== 'bigint' || typeof b !== 'bigint') throw new Error('no records');
    h.mem.bytes.set([9, 8, 7, 6], offsetOf(h.mem, a));
    expect(h.call('bpf_ringbuf_submit', a, 0n)).toBe(0n);
    expect(h.call('bpf_ringbuf_discard', b, 0n)).toBe(0n);
    expect(h.maps.byName('rb')?.view().ringbuf).toMatchObject({ records: ['09080706'], busy: 0, discarded: 1 });
    expect(h.maps.outstanding()).toEqual([]);
  });

  it('a reservation with flags is NULL; an outstanding record is listed with its pc', () => {
    const h = harness();
    expect(h.call('bpf_ringbuf_reserve', h.map('rb'), 4n, 1n)).toBe(0n);
    const p = h.call('bpf_ringbuf_reserve', h.map('rb'), 4n, 0n);
    expect(h.maps.outstanding()).toEqual([{ map: 'rb', pc: 7, size: 4, ptr: p }]);
  });

  it('fault on submitting twice or a pointer that is no record', () => {
    const h = harness();
    const p = h.call('bpf_ringbuf_reserve', h.map('rb'), 4n, 0n);
    if (typeof p !== 'bigint') throw new Error('no record');
    h.call('bpf_ringbuf_submit', p, 0n);
    expect(h.call('bpf_ringbuf_submit', p, 0n)).toBe(false);
    expect(h.faultMessage()).toContain("bpf_ringbuf_submit: r1 is not a record of 'rb' awaiting commit");
    expect(h.call('bpf_ringbuf_discard', h.put(new Uint8Array(8)), 0n)).toBe(false);
    expect(h.faultMessage()).toContain('bpf_ringbuf_discard: r1 does not point into a ring buffer');
  });

  it('output copies data, refuses unknown flags, and fails with -EAGAIN when full', () => {
    const h = harness();
    expect(h.call('bpf_ringbuf_output', h.map('rb'), h.put(new Uint8Array([1, 2])), 2n, 0n)).toBe(0n);
    expect(h.call('bpf_ringbuf_output', h.map('rb'), h.put(new Uint8Array([1, 2])), 2n, 4n)).toBe(neg(ERRNO.EINVAL));
    expect(h.call('bpf_ringbuf_output', h.map('rb'), 0n, 5000n, 0n)).toBe(neg(ERRNO.EAGAIN));
    expect(h.maps.byName('rb')?.view().ringbuf?.records).toEqual(['0102']);
    expect(h.call('bpf_ringbuf_output', h.map('arr'), h.put(new Uint8Array([1])), 1n, 0n)).toBe(false);
    expect(h.faultMessage()).toBe("pc 7: bpf_ringbuf_output: map 'arr' is an array, not a ring buffer");
  });
});

describe('bpf_kptr_xchg', () => {
  function withMask() {
    const h = harness();
    const obj = h.objects.create('bpf_cpumask', 'bpf_cpumask #1');
    h.objects.hold(obj, 1, 'bpf_cpumask_create');
    const slot = (h.maps.byName('masks')?.lookup(u32(1)) ?? 0n) + 8n;
    return Object.assign(h, { obj, slot, ptr: h.objects.address(obj) });
  }

  it('moves the reference into the map and back out', () => {
    const h = withMask();
    expect(h.call('bpf_kptr_xchg', h.slot, h.ptr)).toBe(0n);
    expect(h.objects.holds(h.obj)).toBe(false);
    expect(h.mem.dv.getBigUint64(offsetOf(h.mem, h.slot), true)).toBe(h.ptr);
    expect(h.objects.refcount(h.obj)).toBe(1);
    expect(h.call('bpf_kptr_xchg', h.slot, 0n)).toBe(h.ptr);
    expect(h.objects.heldReferences().map((r) => [r.object, r.pc, r.via])).toEqual([[h.obj, 7, 'bpf_kptr_xchg']]);
    expect(h.mem.dv.getBigUint64(offsetOf(h.mem, h.slot), true)).toBe(0n);
    expect(h.call('bpf_kptr_xchg', h.slot, 0n)).toBe(0n);
    expect(h.objects.refcount(h.obj)).toBe(1);
  });

  it('faults when the program does not own the reference it gives', () => {
    const h = withMask();
    h.objects.unhold(h.obj);
    expect(h.call('bpf_kptr_xchg', h.slot, h.ptr)).toBe(false);
    expect(h.faultMessage()).toBe('pc 7: bpf_kptr_xchg: the program holds no reference to bpf_cpumask #1 (r2): it was released or never acquired, so it cannot be given to the map');
  });

  it('faults on a pointer that is not a kptr slot, or an object of another type', () => {
    const h = withMask();
    expect(h.call('bpf_kptr_xchg', h.slot - 8n, h.ptr)).toBe(false);
    expect(h.faultMessage()).toContain('bpf_kptr_xchg: r1 does not point at a kptr field of a map value');
    const tasks = h.maps.byName('tasks');
    tasks?.update(u32(1), new Uint8Array(8), BPF_ANY);
    expect(h.call('bpf_kptr_xchg', tasks?.lookup(u32(1)) ?? 0n, h.ptr)).toBe(false);
    expect(h.faultMessage()).toBe("pc 7: bpf_kptr_xchg: r2 is a struct bpf_cpumask, but the kptr at offset 0 of map 'tasks' holds struct task_struct");
    expect(h.call('bpf_kptr_xchg', h.slot, h.ptr + 8n)).toBe(false);
    expect(h.faultMessage()).toContain('r2 is neither NULL nor a kernel object');
  });

  it('the map releases a kptr it holds when the value is overwritten (the dtor runs)', () => {
    const h = withMask();
    h.call('bpf_kptr_xchg', h.slot, h.ptr);
    const value = h.put(new Uint8Array(16).fill(0xff));
    expect(h.call('bpf_map_update_elem', h.map('masks'), h.put(u32(1)), value, BPF_ANY)).toBe(0n);
    expect(h.mem.dv.getBigUint64(offsetOf(h.mem, h.slot), true)).toBe(0n);
    expect(h.obj.state).toBe('freed');
  });

  it('a second reference keeps the object alive when the map lets go', () => {
    const h = withMask();
    h.objects.get_(h.obj);
    h.call('bpf_kptr_xchg', h.slot, h.ptr);
    h.maps.free();
    expect(h.objects.refcount(h.obj)).toBe(1);
    expect(h.obj.state).toBe('live');
  });

  it('a hash delete releases the kptr of the element', () => {
    const h = harness();
    const task = h.objects.create('task_struct', 'task 99');
    h.objects.hold(task, 1, 'bpf_task_acquire');
    const tasks = h.maps.byName('tasks');
    tasks?.update(u32(5), new Uint8Array(8), BPF_ANY);
    h.call('bpf_kptr_xchg', tasks?.lookup(u32(5)) ?? 0n, h.objects.address(task));
    expect(h.call('bpf_map_delete_elem', h.map('tasks'), h.put(u32(5)))).toBe(0n);
    expect(task.state).toBe('freed');
  });
});

describe('bpf_redirect_map', () => {
  it('redirects to a populated entry and records the target', () => {
    const h = harness();
    h.maps.byName('dev')?.update(u32(2), u32(7), BPF_ANY);
    expect(h.call('bpf_redirect_map', h.map('dev'), 2n, 0n)).toBe(4n);
    expect(h.redirectTo).toMatchObject({ kind: 'map', key: 2 });
    expect(h.redirectTo.map?.name).toBe('dev');
  });

  it('returns the action in the low bits of flags on a miss', () => {
    const h = harness();
    expect(h.call('bpf_redirect_map', h.map('dev'), 1n, 2n)).toBe(2n);
    expect(h.call('bpf_redirect_map', h.map('xsk'), 0n, 1n)).toBe(1n);
    expect(h.call('bpf_redirect_map', h.map('dev'), 1n, 0n)).toBe(0n);
    expect(h.redirectTo.kind).toBe('none');
  });

  it('takes a u32 key and refuses unknown flags with XDP_ABORTED', () => {
    const h = harness();
    h.maps.byName('xsk')?.update(u32(1), u32(1), BPF_ANY);
    expect(h.call('bpf_redirect_map', h.map('xsk'), 0x1_0000_0001n, 0n)).toBe(4n);
    expect(h.call('bpf_redirect_map', h.map('xsk'), 1n, 8n)).toBe(0n);
    expect(h.call('bpf_redirect_map', h.map('dev'), 1n, 64n)).toBe(0n);
    // BPF_F_BROADCAST is for devmaps: it redirects even without an entry at the key.
    expect(h.call('bpf_redirect_map', h.map('dev'), 1n, 8n)).toBe(4n);
  });

  it('faults on a map that cannot redirect', () => {
    const h = harness();
    expect(h.call('bpf_redirect_map', h.map('h'), 0n, 0n)).toBe(false);
    expect(h.faultMessage()).toBe("pc 7: bpf_redirect_map: map 'h' is a hash map; redirects go through a devmap, devmap_hash, cpumap or xskmap");
  });
});

describe('bpf_tail_call', () => {
  it('enters the program in the slot', () => {
    const h = harness();
    h.maps.initialize({ jmp: [{ key: 1, value: 'xdp/next' }] });
    expect(h.call('bpf_tail_call', 0n, h.map('jmp'), 1n)).toBe(0n);
    expect(h.tailCalls).toEqual(['xdp/next']);
  });

  it('continues with r0 unchanged on an empty slot, an index out of range or the tail-call limit', () => {
    const h = harness();
    h.maps.initialize({ jmp: [{ key: 1, value: 'xdp/next' }] });
    h.vm.setReg(0, 42n);
    expect(h.call('bpf_tail_call', 0n, h.map('jmp'), 0n)).toBe(42n);
    expect(h.call('bpf_tail_call', 0n, h.map('jmp'), 4n)).toBe(42n);
    expect(h.call('bpf_tail_call', 0n, h.map('jmp'), 0x1_0000_0001n)).toBe(0n);
    h.setTailOk(false);
    expect(h.call('bpf_tail_call', 0n, h.map('jmp'), 1n)).toBe(42n);
  });

  it('faults when r2 is not a prog_array', () => {
    const h = harness();
    expect(h.call('bpf_tail_call', 0n, h.map('arr'), 0n)).toBe(false);
    expect(h.faultMessage()).toBe("pc 7: bpf_tail_call: map 'arr' (r2) is an array, not a prog_array");
  });
});
